"""Accounts of the partner space: login, logout, password change, reset and invitation.

Django's auth views, with French templates and forms; every success lands on the dashboard.
"""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from teritoire import identity

from ..forms import LoginForm, PasswordResetForm
from ..invitations import invitation_token_generator

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def is_local_path(url):
    """A path of this site (`/espace-partenaire/…`), nothing a browser could read otherwise.

    Django's own check accepts any relative reference, `'` or `javascript` included, which the
    browser resolves against the login page; here only an absolute path that the site routes.
    """
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return False
    try:
        resolve(unquote(urlsplit(url).path))
    except (Resolver404, ValueError):
        return False
    return True


class LocalRedirectMixin:
    """`next` is followed only when it is a local path; anything else gives the default page."""

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return url if is_local_path(url) else ""


class LoginView(LocalRedirectMixin, auth_views.LoginView):
    form_class = LoginForm
    template_name = "partners/login.html"
    redirect_authenticated_user = True


class LogoutView(LocalRedirectMixin, auth_views.LogoutView):
    """POST only (Django refuses GET), then back to the home page with a message."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "Vous êtes déconnecté(e) de l'espace partenaire.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "partners/password_change_form.html"
    success_url = reverse_lazy("space:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "partners/password_reset_form.html"
    email_template_name = "partners/password_reset_email.txt"
    subject_template_name = "partners/password_reset_subject.txt"
    success_url = reverse_lazy("partners:password_reset_done")

    @property
    def extra_email_context(self):
        """The link is on SITE_URL: Django would take the domain from the request's Host."""
        site = urlsplit(identity.site_url())
        return {
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            "site_url": identity.site_url(),
            "protocol": site.scheme,
            "domain": site.netloc,
            **identity.email_context(),
        }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "partners/password_reset_done.html"


class ActiveUserMixin:
    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class PasswordResetConfirmView(ActiveUserMixin, auth_views.PasswordResetConfirmView):
    template_name = "partners/password_reset_confirm.html"
    success_url = reverse_lazy("partners:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "partners/password_reset_complete.html"


class InvitationView(ActiveUserMixin, auth_views.PasswordResetConfirmView):
    """The invited partner chooses a password, is logged in and lands on the dashboard."""

    token_generator = invitation_token_generator
    template_name = "partners/password_invitation_form.html"
    success_url = reverse_lazy("space:dashboard")
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            "Votre mot de passe est enregistré : bienvenue dans l'espace partenaire.",
        )
        return response


login = LoginView.as_view()
logout = LogoutView.as_view()
password_change = PasswordChangeView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_done = PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = PasswordResetCompleteView.as_view()
invitation = InvitationView.as_view()


def admin_login(request):
    """The admin's own login, with the partner space's rule for `next`: a `next` that is not a
    local path (`'`, `javascript:…`, another host) is replaced by the admin's index."""
    from django.contrib import admin
    from django.urls import reverse

    for method in ("GET", "POST"):
        data = getattr(request, method)
        if "next" in data and not is_local_path(data["next"]):
            data = data.copy()
            data["next"] = reverse("admin:index")
            setattr(request, method, data)
    return admin.site.login(request)
