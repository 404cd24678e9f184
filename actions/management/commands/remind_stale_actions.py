"""E-mail each pilot organisation's editors the actions that have had no progress update lately.

For cron: `manage.py remind_stale_actions` (`STALE_AFTER_DAYS` days by default). However often it
runs, an organisation is reminded at most once a day. The marker is kept in the default cache when
it is shared between processes (Redis, Memcached, database, files); with the per-process memory
cache it is kept in files under `REMINDER_MARKER_DIR` (default: the system's temporary directory).
"""

import tempfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from actions.models import STALE_AFTER_DAYS, Action
from actions.perms import editor_memberships
from teritoire import identity

MARKER_TIMEOUT = 2 * 24 * 3600


def marker_store():
    cache = caches["default"]
    if isinstance(cache, LocMemCache | DummyCache):
        directory = getattr(settings, "REMINDER_MARKER_DIR", None) or (
            Path(tempfile.gettempdir()) / "teritoire-reminders"
        )
        return FileBasedCache(str(directory), {})
    return cache


def marker_key(organisation, day):
    return f"remind_stale_actions:{day.isoformat()}:{organisation.pk}"


class Command(BaseCommand):
    help = (
        "Envoie aux contributeurs de chaque organisation pilote la liste de ses fiches actions "
        "sans note de suivi depuis --days jours (une fois par jour au plus)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=STALE_AFTER_DAYS,
            help=f"Ancienneté de la dernière note ({STALE_AFTER_DAYS} jours par défaut).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche qui recevrait quoi, sans rien envoyer.",
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days doit être un nombre entier de jours, au moins 1.")
        today = timezone.localdate()
        by_pilot = defaultdict(list)
        actions = Action.objects.stale(days, today).select_related("pilot")
        actions = actions.order_by("code_sort", "pk")
        for action in actions:
            by_pilot[action.pilot].append(action)
        editors = defaultdict(list)
        memberships = editor_memberships(list(by_pilot)).select_related("user")
        for membership in memberships.order_by("user__email"):
            editors[membership.organisation_id].append(membership.user)

        store = marker_store()
        messages, reminded = [], []
        for pilot in sorted(by_pilot, key=lambda organisation: organisation.name.casefold()):
            pilot_actions = by_pilot[pilot]
            codes = ", ".join(action.code for action in pilot_actions)
            users = [user for user in editors[pilot.pk] if user.email]
            if not users:
                self.stdout.write(
                    f"{pilot} : aucun contributeur à relancer pour {len(pilot_actions)} "
                    f"fiche(s) ({codes})."
                )
                continue
            if store.get(marker_key(pilot, today)):
                self.stdout.write(f"{pilot} : déjà relancée aujourd'hui, rien n'est envoyé.")
                continue
            for user in users:
                if dry_run:
                    self.stdout.write(
                        f"[simulation] {user.email} ({pilot}) recevrait {len(pilot_actions)} "
                        f"fiche(s) : {codes}"
                    )
                else:
                    messages.append(self.message(user, pilot, pilot_actions, days))
            reminded.append(pilot)

        if dry_run:
            self.stdout.write("Simulation : aucun e-mail envoyé.")
            return
        if messages:
            get_connection().send_messages(messages)
        for pilot in reminded:
            store.set(marker_key(pilot, today), True, MARKER_TIMEOUT)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(messages)} e-mail(s) envoyé(s) à {len(reminded)} organisation(s) pilote(s)."
            )
        )

    @cached_property
    def site(self):
        """The territory's name for the e-mails, read once per run."""
        return identity.email_context()

    def message(self, user, organisation, actions, days):
        site = identity.site_url()
        context = {
            "user": user,
            "organisation": organisation,
            "actions": actions,
            "items": [
                {
                    "action": action,
                    "url": site + reverse("space:update_create", args=[action.pk]),
                }
                for action in actions
            ],
            "days": days,
            "space_url": site + reverse("space:dashboard"),
            **self.site,
        }
        subject = loader.render_to_string("staff/email/stale_actions_subject.txt", context)
        body = loader.render_to_string("staff/email/stale_actions_body.txt", context)
        return EmailMessage(
            " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email]
        )
