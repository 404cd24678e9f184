from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from teritoire.logs import log_security_event


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    log_security_event("login_success", request, user=user.get_username())


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the login is kept.
    log_security_event("login_failure", request, user=credentials.get("username", ""))


@receiver(user_locked_out)
def log_lockout(sender, request, username=None, ip_address=None, **kwargs):
    log_security_event("lockout", request, user=username or "")
