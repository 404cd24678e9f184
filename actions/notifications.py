"""E-mails to the project team when a partner changes an action, sent after the commit."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template import loader
from django.urls import NoReverseMatch, reverse

from teritoire import identity

logger = logging.getLogger(__name__)


def admin_url(action):
    try:
        path = reverse("admin:actions_action_change", args=[action.pk])
    except NoReverseMatch:  # the admin is not wired (tests of a partial project)
        path = reverse("space:action", args=[action.pk])
    return identity.absolute_url(path)


def notify_staff(action, actor, *, status_before=None, update=None, archived=None):
    """After commit, tell active staff that a partner changed `action`.

    Nothing is sent when the actor is staff (they made the change themselves) or when there is
    nothing staff asked to hear about: a status change, a progress note, an archiving.
    """
    if actor.is_staff:
        return
    status_changed = status_before is not None and status_before != action.status
    if not (status_changed or update is not None or archived is not None):
        return
    context = {
        "action": action,
        "actor": actor,
        "status_changed": status_changed,
        "status_before": _status_label(status_before),
        "update": update,
        "archived": archived,
        "admin_url": admin_url(action),
        **identity.email_context(),
    }
    subject = "".join(
        loader.render_to_string("space/email/staff_notification_subject.txt", context).splitlines()
    ).strip()
    body = loader.render_to_string("space/email/staff_notification.txt", context)

    def send():
        recipients = list(
            get_user_model()
            .objects.filter(is_staff=True, is_active=True)
            .exclude(pk=actor.pk)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            return
        messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
        send_mass_mail(messages, fail_silently=False)

    # robust: an unreachable mail server is logged; it never turns a saved change into an error.
    transaction.on_commit(send, robust=True)


def _status_label(value):
    from .models import Status

    return Status(value).label if value in Status.values else ""
