"""Account forms of the partner space, with French labels and messages; no text field takes an
invisible control character (`teritoire.text`)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from teritoire.text import RefuseControlCharacters

INVALID_LOGIN = (
    "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie ; si vous avez oublié "
    "votre mot de passe, vous pouvez en choisir un nouveau."
)


class LoginForm(RefuseControlCharacters, auth_forms.AuthenticationForm):
    """E-mail and password; one message whether the e-mail is unknown or the password wrong."""

    username = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        # Inactive accounts are refused by the authentication backend before this form can
        # tell them apart, so they get the same message: nothing reveals whether an account exists.
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class PasswordResetForm(RefuseControlCharacters, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        """Active users with that e-mail; invited partners who never chose a password included.

        Django's form skips accounts without a usable password. A partner who lost their
        invitation would then get nothing, so members of an organisation are kept.
        """
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        for user in users:
            if user.has_usable_password() or user.memberships.exists():
                yield user
