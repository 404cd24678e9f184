"""Structured logs: one JSON object per line on stdout, the security events, and what the error
reports e-mailed to ADMINS may show."""

import json
import logging
import re
from datetime import UTC, datetime

from django.views.debug import SafeExceptionReporterFilter

security_log = logging.getLogger("security")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "event", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def client_address(request):
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


def log_security_event(name, request, user="", **extra):
    """Who, from where, when (UTC) and what; never a password."""
    event = {
        "event": name,
        "user": str(user or ""),
        "address": client_address(request) if request is not None else "",
        "utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "path": request.path if request is not None else "",
        **extra,
    }
    security_log.warning(
        "%s user=%s address=%s", name, event["user"], event["address"], extra={"event": event}
    )
    return event


class SecurityEventMiddleware:
    """Logs refused access: 403 anywhere, 404 inside the partner space and the admin, 429."""

    WATCHED_404 = ("/espace-partenaire/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status in (403, 429) or (status == 404 and request.path.startswith(self.WATCHED_404)):
            user = request.user if getattr(request, "user", None) else ""
            log_security_event(
                "access_refused",
                request,
                user=user.get_username() if getattr(user, "is_authenticated", False) else "",
                status=status,
            )
        return response


class SafeReportFilter(SafeExceptionReporterFilter):
    """Django's filter of error reports, hiding more: a POST field named like a secret (password,
    token, csrf…) even when its view did not declare it sensitive, and settings that may carry
    credentials (a cache's LOCATION, a DSN) or name a cookie."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|SESSION|CSRF|DSN|LOCATION", flags=re.I
    )

    def get_post_parameters(self, request):
        return self.hide_secret_fields(request, super().get_post_parameters(request))

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        cleansed = super().get_cleansed_multivaluedict(request, multivaluedict)
        return self.hide_secret_fields(request, cleansed)

    def hide_secret_fields(self, request, data):
        if request is None or not self.is_active(request):
            return data
        secret = [key for key in data if self.hidden_settings.search(str(key))]
        if not secret:
            return data
        data = data.copy()
        for key in secret:
            data[key] = self.cleansed_substitute
        return data
