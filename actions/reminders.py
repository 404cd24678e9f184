"""Reminder e-mails to the editors of pilot organisations, logged in `ReminderLog`.

Two reminders: the actions of an update campaign still waiting for news (the admin's
« Relancer » button, or `remind_stale_actions --campaign` from cron), and the open actions
without a progress note for some days (`remind_stale_actions --days N`). Both go through `send`:
one e-mail per person and pilot organisation, each logged before it leaves (« en cours d'envoi »),
then marked sent or failed with the error. A person gets the same reminder (same kind, campaign
and organisation) once a day at most: the day's log rows are read first, and a partial unique
constraint refuses a second row if two sendings run at once. A failed sending is logged and
reported, changes nothing else, and does not block a later try (a row left « en cours d'envoi »
by a crash blocks that person until the next day). Links are absolute, built from
`SITE_URL` (`teritoire.identity`), never from a request's Host.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from teritoire import identity

from .models import Action, ReminderLog
from .perms import editor_memberships

logger = logging.getLogger(__name__)

Kind = ReminderLog.Kind


@dataclass
class Batch:
    """The actions of one pilot organisation to remind, and who receives them."""

    organisation: object
    actions: list
    recipients: list = field(default_factory=list)

    @property
    def codes(self):
        return ", ".join(action.code for action in self.actions)


@dataclass
class Report:
    """What a sending did, for the command's output and the admin's messages."""

    sent: list = field(default_factory=list)  # ReminderLog rows
    failed: list = field(default_factory=list)  # ReminderLog rows, with their error
    already: list = field(default_factory=list)  # batches whose recipients all had it today
    without_editor: list = field(default_factory=list)  # batches nobody may receive
    simulated: list = field(default_factory=list)  # (batch, user) of a dry run

    @property
    def organisations(self):
        return {log.organisation_id for log in self.sent}


# --------------------------------------------------------------------------- who gets what


def _batches(actions):
    """Group `actions` (pilot loaded) by pilot; each batch with the pilot's active editors who
    have an address, in two queries whatever the number of actions."""
    by_pilot = defaultdict(list)
    for action in actions:
        by_pilot[action.pilot].append(action)
    editors = defaultdict(list)
    memberships = editor_memberships(list(by_pilot)).select_related("user")
    for membership in memberships.order_by("user__email"):
        if membership.user.email:
            editors[membership.organisation_id].append(membership.user)
    return [
        Batch(pilot, by_pilot[pilot], editors[pilot.pk])
        for pilot in sorted(by_pilot, key=lambda organisation: organisation.name.casefold())
    ]


def campaign_batches(campaign):
    """The campaign's actions still waiting, by pilot."""
    actions = campaign.waiting_actions().select_related("pilot").with_last_update()
    return _batches(actions.order_by("code_sort", "pk"))


def stale_batches(days, today):
    """Open actions without a progress note for `days` days, by pilot."""
    actions = Action.objects.stale(days, today).select_related("pilot")
    return _batches(actions.order_by("code_sort", "pk"))


# --------------------------------------------------------------------------- the messages


def _items(actions):
    return [
        {
            "action": action,
            "url": identity.absolute_url(reverse("space:update_create", args=[action.pk])),
            "page_url": identity.absolute_url(reverse("space:action", args=[action.pk])),
        }
        for action in actions
    ]


def _message(kind, user, batch, *, site, campaign=None, days=None):
    context = {
        "user": user,
        "organisation": batch.organisation,
        "actions": batch.actions,
        "items": _items(batch.actions),
        "space_url": identity.absolute_url(reverse("space:dashboard")),
        **site,
    }
    if kind == Kind.CAMPAIGN:
        context |= {"campaign": campaign, "meeting": campaign.meeting}
        name = "campaign_reminder"
    else:
        context["days"] = days
        name = "stale_actions"
    subject = loader.render_to_string(f"staff/email/{name}_subject.txt", context)
    body = loader.render_to_string(f"staff/email/{name}_body.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])


# --------------------------------------------------------------------------- sending


def _sent_today(kind, campaign, today):
    """(organisation id, address) of the day's reminders of this kind that went or are going."""
    rows = ReminderLog.objects.filter(kind=kind, campaign=campaign, day=today).exclude(
        outcome=ReminderLog.Outcome.FAILED
    )
    return set(rows.values_list("organisation_id", "recipient_email"))


def _claim(kind, campaign, batch, user, sent_by, today):
    """The log row of this sending, written before the e-mail leaves; None when another
    sending of the same reminder got there first."""
    try:
        with transaction.atomic():
            log = ReminderLog.objects.create(
                kind=kind,
                campaign=campaign,
                organisation=batch.organisation,
                recipient=user,
                recipient_email=user.email,
                action_codes=batch.codes,
                day=today,
                sent_by=sent_by,
            )
            through = ReminderLog.actions.through
            through.objects.bulk_create(
                through(reminderlog_id=log.pk, action_id=action.pk) for action in batch.actions
            )
    except IntegrityError:
        return None
    return log


def _deliver(connection, message, log):
    try:
        connection.send_messages([message])
    except Exception as error:  # SMTP refusals, network errors, a bad address: all logged
        logger.warning("reminder to %s failed: %r", log.recipient_email, error)
        log.outcome = ReminderLog.Outcome.FAILED
        log.error = f"{type(error).__name__}: {error}"[:2000]
    else:
        log.outcome = ReminderLog.Outcome.SENT
    log.save(update_fields=["outcome", "error"])
    return log.outcome == ReminderLog.Outcome.SENT


def send(batches, *, kind, campaign=None, days=None, sent_by=None, today=None, dry_run=False):
    """Send each batch to its recipients who did not get this reminder today; returns a
    `Report`. Every log row is saved on its own: a failure undoes nothing."""
    today = today or timezone.localdate()
    report = Report()
    done = _sent_today(kind, campaign, today)
    site = None  # the territory's name, read once for all the e-mails
    connection = None
    try:
        for batch in batches:
            if not batch.recipients:
                report.without_editor.append(batch)
                continue
            todo = [u for u in batch.recipients if (batch.organisation.pk, u.email) not in done]
            if not todo:
                report.already.append(batch)
                continue
            for user in todo:
                if dry_run:
                    report.simulated.append((batch, user))
                    continue
                site = site or identity.email_context()
                message = _message(kind, user, batch, site=site, campaign=campaign, days=days)
                log = _claim(kind, campaign, batch, user, sent_by, today)
                if log is None:
                    continue
                connection = connection or get_connection()
                if _deliver(connection, message, log):
                    report.sent.append(log)
                else:
                    report.failed.append(log)
                    connection = _close(connection)  # the next one starts a new session
    finally:
        _close(connection)
    return report


def _close(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP session must not hide the report
            logger.warning("closing the mail connection failed", exc_info=True)


def remind_campaign(campaign, *, sent_by=None, today=None, dry_run=False):
    """The reminder of `campaign` to the pilots of its waiting actions (button and command)."""
    return send(
        campaign_batches(campaign),
        kind=Kind.CAMPAIGN,
        campaign=campaign,
        sent_by=sent_by,
        today=today,
        dry_run=dry_run,
    )


def remind_stale(days, *, sent_by=None, today=None, dry_run=False):
    """The reminder of actions without a note for `days` days (the command)."""
    today = today or timezone.localdate()
    return send(
        stale_batches(days, today),
        kind=Kind.STALE,
        days=days,
        sent_by=sent_by,
        today=today,
        dry_run=dry_run,
    )
