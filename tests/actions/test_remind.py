"""`manage.py remind_stale_actions`: who is reminded of what, dry run, once a day (the reminder
log, `ReminderLog`, is what remembers it: no cache or marker file)."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.models import Action, ReminderLog, Status
from partners.models import Membership
from tests.actions.factories import ActionFactory, ProgressUpdateFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def world(db):
    aicr = OrganisationFactory(
        name="Association des industriels du Castelrenaudais", acronym="AICR"
    )
    cc = OrganisationFactory(name="CC du Val d'Amboise")
    editor = MembershipFactory(organisation=aicr, user=UserFactory(email="editrice@aicr.example"))
    second = MembershipFactory(organisation=aicr, user=UserFactory(email="second@aicr.example"))
    MembershipFactory(
        organisation=aicr,
        role=Membership.Role.READER,
        user=UserFactory(email="lecteur@aicr.example"),
    )
    MembershipFactory(
        organisation=aicr, user=UserFactory(email="parti@aicr.example", is_active=False)
    )
    MembershipFactory(organisation=cc, user=UserFactory(email="cc@amboise.example"))

    stale = ActionFactory(code="1.1", title="Plateforme RH", pilot=aicr)
    ProgressUpdateFactory(action=stale, date=days_ago(120))
    never = ActionFactory(code="1.2", title="Job dating", pilot=aicr)
    fresh = ActionFactory(code="1.3", pilot=aicr)
    ProgressUpdateFactory(action=fresh, date=days_ago(10))
    done = ActionFactory(code="1.4", pilot=aicr, status=Status.DONE)
    archived = ActionFactory(code="1.5", pilot=aicr, is_archived=True)
    young = ActionFactory(code="2.1", pilot=cc)  # created today, never updated: not stale yet
    old = timezone.now() - datetime.timedelta(days=200)
    Action.objects.filter(pk__in=[never.pk, done.pk, archived.pk]).update(created_at=old)
    return {"aicr": aicr, "cc": cc, "editor": editor, "second": second, "young": young}


def run(*args):
    out = StringIO()
    call_command("remind_stale_actions", *args, stdout=out)
    return out.getvalue()


def test_editors_of_the_pilot_get_their_stale_actions(world, mailoutbox):
    output = run("--days", "90")
    assert sorted(m.to[0] for m in mailoutbox) == ["editrice@aicr.example", "second@aicr.example"]
    message = mailoutbox[0]
    assert len(message.to) == 1  # one e-mail per person, no address shown to the others
    assert message.subject == "2 fiches action sans note de suivi depuis 90 jours — AICR"
    assert "1.1 — Plateforme RH" in message.body and "1.2 — Job dating" in message.body
    assert f"dernière note : {days_ago(120):%d/%m/%Y}" in message.body
    assert "dernière note : aucune" in message.body
    assert "/espace-partenaire/actions/" in message.body
    for code in ("1.3", "1.4", "1.5", "2.1"):
        assert f"{code} —" not in message.body
    assert "2 e-mail(s) envoyé(s) à 1 organisation(s) pilote(s)." in output


def test_a_shorter_delay_reminds_more(world, mailoutbox):
    run("--days", "5")
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "1.3 —" in bodies["editrice@aicr.example"]
    assert "cc@amboise.example" not in bodies  # created today


def test_dry_run_prints_who_would_get_what_and_sends_nothing(world, mailoutbox):
    output = run("--days", "90", "--dry-run")
    assert mailoutbox == []
    assert "[simulation] editrice@aicr.example (AICR) recevrait 2 fiche(s) : 1.1, 1.2" in output
    assert "Simulation : aucun e-mail envoyé." in output
    run("--days", "90")  # a dry run does not count as today's reminder
    assert len(mailoutbox) == 2


def test_not_sent_twice_the_same_day(world, mailoutbox):
    run("--days", "90")
    output = run("--days", "90")
    assert len(mailoutbox) == 2
    assert "AICR : déjà relancée aujourd'hui" in output


def test_each_sending_is_logged_as_the_cron_s(world, mailoutbox):
    run("--days", "90")
    logs = ReminderLog.objects.order_by("recipient_email")
    assert [log.recipient_email for log in logs] == ["editrice@aicr.example", "second@aicr.example"]
    log = logs[0]
    assert log.kind == ReminderLog.Kind.STALE and log.campaign is None
    assert log.outcome == ReminderLog.Outcome.SENT and log.error == ""
    assert log.organisation == world["aicr"] and log.recipient == world["editor"].user
    assert log.sent_by is None and log.by_label == "commande planifiée"
    assert log.day == TODAY and log.action_codes == "1.1, 1.2"
    assert sorted(log.actions.values_list("code", flat=True)) == ["1.1", "1.2"]


def test_yesterday_s_reminder_does_not_block_today_s(world, mailoutbox):
    run("--days", "90")
    ReminderLog.objects.update(day=days_ago(1))
    run("--days", "90")
    assert len(mailoutbox) == 4


def test_an_editor_added_after_the_reminder_still_gets_it_today(world, mailoutbox):
    run("--days", "90")
    MembershipFactory(organisation=world["aicr"], user=UserFactory(email="nouvelle@aicr.example"))
    run("--days", "90")
    assert [m.to[0] for m in mailoutbox[2:]] == ["nouvelle@aicr.example"]


def test_the_log_alone_remembers_the_day(world, mailoutbox):
    """No cache entry nor marker file: once the day's log rows are gone, it is sent again."""
    from django.core.cache import cache

    cache.clear()
    run("--days", "90")
    assert not any("remind" in str(key) for key in getattr(cache, "_cache", {}))
    ReminderLog.objects.all().delete()
    run("--days", "90")
    assert len(mailoutbox) == 4


def test_organisation_without_editor_is_reported(world, mailoutbox):
    Membership.objects.filter(organisation=world["aicr"], role="editor").delete()
    output = run("--days", "90")
    assert mailoutbox == []
    assert "AICR : aucun contributeur à relancer pour 2 fiche(s) (1.1, 1.2)." in output


def test_days_must_be_positive(db):
    with pytest.raises(CommandError, match="au moins 1"):
        run("--days", "0")


def test_a_dry_run_after_today_s_sending_says_it_was_sent(world, mailoutbox):
    run("--days", "90")
    output = run("--days", "90", "--dry-run")
    assert "AICR : déjà relancée aujourd'hui" in output and "[simulation]" not in output
    assert len(mailoutbox) == 2
