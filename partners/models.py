"""Who acts: user accounts, organisations and the memberships that tie them."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account; the e-mail address is the login."""

    username = None
    email = models.EmailField("adresse e-mail", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class Need(models.Model):
    """A need of a firm (« recruter », « innover et se moderniser »…): a short list staff
    manage, tagging the actions that serve it and the organisations that help with it."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField("identifiant d'URL", max_length=100, unique=True)
    description = models.TextField(
        "courte description", blank=True, help_text="Une ou deux phrases, vues par les entreprises."
    )
    order = models.PositiveSmallIntegerField(
        "ordre", default=0, help_text="Les besoins sont présentés par ordre croissant."
    )

    class Meta:
        verbose_name = "besoin d'entreprise"
        verbose_name_plural = "besoins d'entreprises"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        # The firms' door is drawn by `actions` (it lists actions); only its address is named here.
        return reverse("actions:need", args=[self.slug])


class Organisation(models.Model):
    class Kind(models.TextChoices):
        INTERCOMMUNALITY = "intercommunality", "Communauté de communes"
        BUSINESS_ASSOCIATION = "business_association", "Association d'entreprises"
        STATE = "state", "Service de l'État"
        REGION = "region", "Région"
        PUBLIC_OPERATOR = "public_operator", "Opérateur public"
        EMPLOYMENT_TRAINING = "employment_training", "Emploi et formation"
        COMPANY = "company", "Entreprise"
        OTHER = "other", "Autre"

    name = models.CharField("nom", max_length=200, unique=True)
    slug = models.SlugField("identifiant d'URL", max_length=200, unique=True)
    acronym = models.CharField("sigle", max_length=30, blank=True)
    kind = models.CharField("type", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField("présentation", blank=True)
    website = models.URLField("site internet", blank=True)
    logo = models.ImageField("logo", upload_to="logos/", blank=True)
    # The organisation's public contact, shown to firms (never a person's own address).
    public_email = models.EmailField(
        "e-mail de contact public",
        blank=True,
        help_text="Une adresse générique de l'organisation (contact@…), publiée sur le site.",
    )
    phone = models.CharField("téléphone public", max_length=30, blank=True)
    contact_url = models.URLField(
        "page de contact", blank=True, help_text="La page de contact de son site internet."
    )
    needs = models.ManyToManyField(
        Need,
        blank=True,
        related_name="organisations",
        verbose_name="besoins des entreprises auxquels elle répond",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]

    def __str__(self):
        return self.acronym or self.name

    def get_absolute_url(self):
        return reverse("directory:detail", args=[self.slug])

    @property
    def display_name(self):
        """Acronym and full name where both are known and differ."""
        if self.acronym and self.acronym != self.name:
            return f"{self.acronym} — {self.name}"
        return self.name

    @property
    def has_public_contact(self):
        return bool(self.public_email or self.phone or self.contact_url)


class Membership(models.Model):
    class Role(models.TextChoices):
        EDITOR = "editor", "Contributeur (peut modifier)"
        READER = "reader", "Lecteur"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="organisation",
    )
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "adhésion"
        verbose_name_plural = "adhésions"
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    @property
    def role_label(self):
        """« contributeur » or « lecteur », as the partner space words it."""
        return "contributeur" if self.role == self.Role.EDITOR else "lecteur"
