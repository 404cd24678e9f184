"""What django-axes records of a login attempt: the login name and the visitor's address."""

from django.conf import settings
from python_ipware import IpWare

AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request, credentials):
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "")[:AXES_USERNAME_MAX_LENGTH]


def client_ip_address(request):
    """The visitor's address, for the login throttling and the security logs.

    Without a proxy (`AXES_PROXY_COUNT` 0), REMOTE_ADDR: X-Forwarded-For is never read. Behind
    N trusted proxies, each one appends the address it received the request from, so the visitor
    is the N-th entry from the right; whatever stands to its left was written by the client and
    is ignored. Only those N entries go to python-ipware, which parses and checks them. (Given the
    whole header, ipware reads an unclosed double quote in a forged entry as an RFC 7239 quoted
    string: either it swallows the entries the proxies appended and the forged address wins, or,
    in strict mode, the header is dropped and every forger shares the proxy's address.) A header
    shorter than N entries, or an entry that is no address, gives REMOTE_ADDR (the nearest
    proxy's): never an address the client chose.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote_addr
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < proxies:
        return remote_addr
    written_by_proxies = {"HTTP_X_FORWARDED_FOR": ",".join(entries[-proxies:])}
    # ipware counts the proxies listed in the header: the nearest one's address is REMOTE_ADDR.
    ipware = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=proxies - 1)
    address, _ = ipware.get_client_ip(written_by_proxies, strict=True)
    return str(address) if address is not None else remote_addr
