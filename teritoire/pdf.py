"""Printable documents: a template and the print stylesheet made into a tagged PDF (PDF/UA-1).

WeasyPrint is imported when a document is first asked for, so the portal runs without it: a PDF
address then answers a 503 page in French (`templates/pdf/unavailable.html`). Nothing is ever
fetched from another host: the stylesheet is read from the static files, fonts are the system's,
and the URL fetcher refuses every address but `data:` and files of the static folders (a Markdown
image in a description pointing elsewhere is left out, not requested).

A document is kept in the shared cache under the content version of `teritoire.pagecache`, so it
is generated once until the next write; only when that cache is shared and versions move (the
page cache is on), and only up to PDF_CACHE_MAX_BYTES. The same bytes serve every visitor: a
document built here must only hold what the public may read.
"""

import hashlib
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from . import pagecache

logger = logging.getLogger(__name__)

STYLESHEET = "css/print.css"
TIMEOUT = 24 * 3600
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
PDF_VARIANT = "pdf/ua-1"  # tagged, with a structure tree, title shown and language declared


class Unavailable(Exception):
    """WeasyPrint (or the system libraries it needs) is not installed."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango or its friends missing
        raise Unavailable(str(error)) from error
    # One line per step and page of every document is noise in the server's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return weasyprint


def _static_roots():
    roots = [Path(root).resolve() for root in getattr(settings, "STATICFILES_DIRS", ())]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def local_path(url):
    """The file a `file:` URL names, when it lies in a static folder; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if any(path.is_relative_to(root) for root in _static_roots()) and path.is_file():
        return path
    return None


def is_allowed(url):
    return url.startswith("data:") or local_path(url) is not None


def _fetcher(weasyprint):
    """A URL fetcher that refuses any address not local (see the module docstring)."""

    class LocalOnlyFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not is_allowed(url):
                logger.info("PDF : ressource extérieure refusée (%s)", url[:200])
                raise ValueError(f"Ressource refusée, seuls les fichiers locaux sont lus : {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), fail_on_errors=False)


def static_url(name):
    """A `file:` URL for a static file, for a document's images (None if absent)."""
    found = finders.find(name)
    return Path(found).resolve().as_uri() if found else None


def render(template_name, context):
    """The PDF bytes of `template_name` rendered with `context` and the print stylesheet."""
    weasyprint = _weasyprint()
    context = {"generated_at": timezone.localtime(), **context}
    html = render_to_string(template_name, context)
    stylesheet = Path(finders.find(STYLESHEET)).resolve()
    fetcher = _fetcher(weasyprint)
    # Relative addresses resolve in the static folder, never on a host.
    document = weasyprint.HTML(string=html, base_url=stylesheet.as_uri(), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(stylesheet), url_fetcher=fetcher)],
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        custom_metadata=True,  # <meta name="author|description|keywords"> into the PDF
    )


def _max_bytes():
    return getattr(settings, "PDF_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)


def cache_key(name):
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    return f"pdf:{pagecache.current_version()}:{digest}"


def cached(name, build):
    """`build()`'s bytes, generated once per content version when the shared cache is on.

    `build` may raise Http404 (nothing cached then); `name` identifies the document.
    """
    if not pagecache.enabled():
        return build()
    key = cache_key(name)
    content = cache.get(key)
    if content is None:
        content = build()
        if len(content) <= _max_bytes():
            cache.set(key, content, TIMEOUT)
    return content


def response(request, name, filename, build):
    """The document as an HTTP response, or the 503 page in French without WeasyPrint.

    The page cache does not keep a copy: the bytes already sit in the cache (see `cached`).
    """
    pagecache.do_not_store(request)
    try:
        content = cached(name, build)
    except Unavailable:
        logger.warning("PDF demandé mais WeasyPrint n'est pas installé : %s", request.path)
        page = render_to_string("pdf/unavailable.html", request=request)
        return HttpResponse(page, status=503, headers={"Retry-After": "3600"})
    answer = HttpResponse(content, content_type="application/pdf")
    answer["Content-Disposition"] = f'inline; filename="{filename}"'
    return answer
