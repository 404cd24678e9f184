"""The login name django-axes records: what was typed, cut to the 255 characters it stores."""

AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request, credentials):
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "")[:AXES_USERNAME_MAX_LENGTH]
