"""Staff screens for accounts, organisations and memberships."""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models, transaction
from django.db.models import Count

from .invitations import invitation_token_generator, send_invitation
from .models import Membership, Need, Organisation, User

logger = logging.getLogger(__name__)


def needs_invitation(user):
    """An active account that has never logged in and has no password of its own yet."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


def invite(request, user):
    """E-mail `user` a link to choose a password, once the transaction is committed."""
    sent = request.__dict__.setdefault("_invited_user_ids", set())
    if user.pk in sent:
        return
    sent.add(user.pk)
    days = invitation_token_generator.timeout // 86400

    def send():
        try:
            send_invitation(user, request=request)
        except Exception:
            logger.exception("Invitation to %s failed", user.email)
            messages.error(
                request,
                f"L'invitation de {user.email} n'a pas pu être envoyée ; réessayez avec l'action "
                "« Envoyer une invitation » de la liste des utilisateurs.",
            )
        else:
            messages.info(
                request,
                f"Invitation envoyée à {user.email} : le lien, valable {days} jours, permet de "
                "choisir un mot de passe.",
            )

    transaction.on_commit(send)


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse e-mail.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = [
            "email", "password", "first_name", "last_name", "is_active", "is_staff",
            "is_superuser", "groups", "user_permissions",
        ]  # fmt: skip

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse e-mail.")
        return email


class MembershipInline(admin.TabularInline):
    """The memberships of a user or of an organisation, on its page."""

    model = Membership
    extra = 0
    readonly_fields = ["created_at"]


class MembershipOfUserInline(MembershipInline):
    fk_name = "user"
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "created_at"]


class MembershipOfOrganisationInline(MembershipInline):
    fk_name = "organisation"
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    inlines = [MembershipOfUserInline]
    list_display = ["email", "first_name", "last_name", "organisations", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__organisation__kind"]
    search_fields = ["email", "first_name", "last_name", "memberships__organisation__name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        (
            "Droits",
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
                "description": (
                    "« Équipe projet » donne accès à l'administration ; les partenaires "
                    "n'ont besoin que d'une adhésion à leur organisation."
                ),
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "usable_password"]
                + ["password1", "password2"],
                "description": (
                    "Pour un ou une partenaire : désactivez l'authentification par mot de passe "
                    "et ajoutez une adhésion à son organisation ; un e-mail d'invitation lui "
                    "permettra de choisir son mot de passe."
                ),
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["send_invitations"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__organisation")

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = set(user.memberships.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        added = set(user.memberships.values_list("pk", flat=True)) - before
        if added and needs_invitation(user):
            invite(request, user)

    @admin.action(
        description="Envoyer une invitation (lien pour choisir un mot de passe)",
        permissions=["change"],
    )
    def send_invitations(self, request, queryset):
        invited = [user for user in queryset if needs_invitation(user)]
        for user in invited:
            invite(request, user)
        skipped = queryset.count() - len(invited)
        if skipped:
            self.message_user(
                request,
                f"{skipped} compte(s) ignoré(s) : déjà un mot de passe, déjà connecté ou "
                "désactivé. Pour eux, utilisez « Mot de passe oublié ».",
                messages.WARNING,
            )

    @admin.display(description="organisations")
    def organisations(self, obj):
        return ", ".join(str(m.organisation) for m in obj.memberships.all())


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "member_count", "website"]
    list_filter = ["kind", "needs"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipOfOrganisationInline]
    readonly_fields = ["created_at", "updated_at"]
    filter_horizontal = ["needs"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind"]}),
        ("Présentation", {"fields": ["description", "website", "logo"]}),
        (
            "Contact public et besoins des entreprises",
            {
                "fields": ["public_email", "phone", "contact_url", "needs"],
                "description": "Publiés sur sa page et sur la porte des entreprises : une "
                "adresse et un numéro de l'organisation, jamais ceux d'une personne.",
            },
        ),
        ("Dates", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=Count("memberships"))
            .order_by("name")
        )

    def save_formset(self, request, form, formset, change):
        new = [f.instance for f in formset.forms if not f.instance.pk and f.has_changed()]
        super().save_formset(request, form, formset, change)
        for membership in new:
            if membership.pk and needs_invitation(membership.user):
                invite(request, membership.user)

    @admin.display(description="membres", ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    """The short list of firms' needs; actions and organisations are tagged on their own page."""

    list_display = ["name", "order", "action_count", "organisation_count"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "order"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _action_count=Count("actions", distinct=True),
                _organisation_count=Count("organisations", distinct=True),
            )
        )

    @admin.display(description="fiches actions", ordering="_action_count")
    def action_count(self, obj):
        return obj._action_count

    @admin.display(description="organisations", ordering="_organisation_count")
    def organisation_count(self, obj):
        return obj._organisation_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = [
        "user__email",
        "user__last_name",
        "organisation__name",
        "organisation__acronym",
    ]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and needs_invitation(obj.user):
            invite(request, obj.user)
