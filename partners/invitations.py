"""Invitations: a partner account created by staff receives a link to choose a password.

The link carries a token from its own generator (its own salt, so a password-reset token is no
invitation and vice versa). Like Django's reset tokens, it hashes the password and the last login:
once the password is chosen, the link stops working. It also expires after
`INVITATION_TIMEOUT` seconds (7 days unless the setting says otherwise).

Every link in an e-mail (invitation, password reset) is built on `SITE_URL` by `absolute_url`;
`manage.py check --deploy` refuses a `SITE_URL` that is not the site's public https address.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from teritoire import identity

DEFAULT_INVITATION_TIMEOUT = 7 * 24 * 3600


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "partners.invitations.InvitationTokenGenerator"

    @property
    def timeout(self):
        return getattr(settings, "INVITATION_TIMEOUT", DEFAULT_INVITATION_TIMEOUT)

    def check_token(self, user, token):
        """Django's check, with the invitation's own lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            expected = self._make_token_with_timestamp(user, timestamp, secret)
            if constant_time_compare(expected, token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - timestamp) <= self.timeout


invitation_token_generator = InvitationTokenGenerator()


def invitation_path(user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return reverse("partners:invitation", kwargs={"uidb64": uidb64, "token": token})


def send_invitation(user, request=None):
    """E-mail `user` a one-time, expiring link to choose a password. Returns the link.

    Called by staff (Membership admin) when a membership is created for a person who has no
    usable password yet. The link is on `SITE_URL` whatever the request: the staff member's
    browser may have reached the admin by another host name, so `request` is not read.
    """
    url = identity.absolute_url(invitation_path(user))
    organisations = [m.organisation for m in user.memberships.select_related("organisation")]
    context = {
        "user": user,
        "url": url,
        "organisations": organisations,
        "days": invitation_token_generator.timeout // 86400,
        **identity.email_context(),
        "login_url": identity.absolute_url(reverse("partners:login")),
    }
    subject = loader.render_to_string("partners/password_invitation_subject.txt", context)
    subject = "".join(subject.splitlines()).strip()
    body = loader.render_to_string("partners/password_invitation_email.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.send()
    return url
