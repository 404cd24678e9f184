"""HTTP side of the load test (bench/load.py): one request on 127.0.0.1, a browser-like session
(cookies, CSRF, Origin and Referer) and the parser that reads the fields of a form."""

import http.client
import ssl
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie

HOST = "127.0.0.1"
TIMEOUT = 15  # seconds, per request
# nginx's certificate is a throw-away self-signed one, made for the run.
TLS_CONTEXT = ssl._create_unverified_context()  # noqa: S323


@dataclass(frozen=True)
class Target:
    """Where requests go: nginx over TLS, or one gunicorn directly (`tls` False), then with the
    headers nginx would add: `X-Forwarded-Proto: https` when `https`, and the public address
    (nginx's port, `public_port`) in Host and Origin."""

    port: int
    tls: bool = True
    https: bool = True
    source: str = ""  # the client's own address (127.0.0.x), "" for the default
    public_port: int = 0

    @property
    def host(self):
        return f"{HOST}:{self.public_port or self.port}"

    @property
    def origin(self):
        return f"{'https' if self.https else 'http'}://{self.host}"


def request(target, method, path, body=None, headers=None):
    """One request on a new connection (gunicorn's sync workers close it after each response)."""
    options = {"timeout": TIMEOUT, "source_address": (target.source, 0) if target.source else None}
    if target.tls:
        connection = http.client.HTTPSConnection(HOST, target.port, context=TLS_CONTEXT, **options)
    else:
        connection = http.client.HTTPConnection(HOST, target.port, **options)
    headers = dict(headers or {})
    if target.https and not target.tls:
        headers["X-Forwarded-Proto"] = "https"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        return response.status, response, content
    finally:
        connection.close()


class FormParser(HTMLParser):
    """The fields of the first form with a CSRF token: inputs, selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self.options = defaultdict(list)
        self._select = None
        self._textarea = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "file"):
                self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self.options[self._select].append(value)
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def parse_form(content):
    parser = FormParser()
    parser.feed(content.decode("utf-8"))
    return parser


class Session:
    """A browser-like visitor: cookies (sent back as they came, Secure ones included),
    CSRF token, Origin and Referer headers."""

    def __init__(self, target):
        self.target = target
        self.cookies = {}

    @property
    def origin(self):
        return self.target.origin

    def _headers(self, extra=None):
        headers = {"Host": self.target.host, "User-Agent": "teritoire-load/1.0"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path):
        status, response, content = request(self.target, "GET", path, headers=self._headers())
        self._keep_cookies(response)
        return status, response, content

    def post(self, path, fields, referer, extra_headers=None):
        body = urllib.parse.urlencode(fields, doseq=True).encode("utf-8")
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
                **(extra_headers or {}),
            }
        )
        status, response, content = request(self.target, "POST", path, body=body, headers=headers)
        self._keep_cookies(response)
        return status, response, content
