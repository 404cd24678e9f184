"""The update campaign before a COPIL: completion, the partner space's banner and « Rien de
nouveau », /pilotage/, and the reminders sent from the admin (who gets what, once a day, SMTP
failures logged and undoing nothing)."""

import datetime
import smtplib
from io import StringIO

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ProgressUpdate, ReminderLog, UpdateCampaign, UpdateConfirmation
from actions.staff.campaigns import campaign_completion
from partners.models import Membership
from programme.models import CopilMeeting
from tests.actions.factories import ActionFactory, ProgressUpdateFactory
from tests.budget import assert_no_n_plus_one, bulk_actions
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.programme.factories import AxisFactory, CopilMeetingFactory, PhaseFactory

TODAY = timezone.localdate()
OPENED = timezone.now() - datetime.timedelta(days=3)


def at(days):
    """A moment `days` days after the campaign opened (negative: before)."""
    return OPENED + datetime.timedelta(days=days)


def note(action, created_at, **fields):
    update = ProgressUpdateFactory(action=action, date=TODAY, **fields)
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=created_at)
    return update


def open_campaign(actions, meeting=None, **fields):
    meeting = meeting or CopilMeetingFactory(
        phase=actions[0].phase, date=TODAY + datetime.timedelta(days=20)
    )
    fields.setdefault("deadline", TODAY + datetime.timedelta(days=10))
    campaign = UpdateCampaign.objects.create(meeting=meeting, opened_at=OPENED, **fields)
    campaign.actions.set(actions)
    return campaign


@pytest.fixture
def world(db):
    axis = AxisFactory()
    aicr = OrganisationFactory(
        name="Association des industriels du Castelrenaudais", acronym="AICR"
    )
    cc = OrganisationFactory(name="CC du Val d'Amboise")
    editor = MembershipFactory(organisation=aicr, user=UserFactory(email="editrice@aicr.example"))
    reader = MembershipFactory(
        organisation=aicr,
        role=Membership.Role.READER,
        user=UserFactory(email="lecteur@aicr.example"),
    )
    MembershipFactory(
        organisation=aicr, user=UserFactory(email="parti@aicr.example", is_active=False)
    )
    cc_editor = MembershipFactory(organisation=cc, user=UserFactory(email="cc@amboise.example"))
    waiting = ActionFactory(axis=axis, code="1.1", title="Plateforme RH", pilot=aicr)
    noted = ActionFactory(axis=axis, code="1.2", title="Job dating", pilot=aicr)
    confirmed = ActionFactory(axis=axis, code="1.3", title="Forum", pilot=aicr, is_public=False)
    old_note = ActionFactory(axis=axis, code="1.4", title="Tiers-lieu", pilot=aicr)
    archived = ActionFactory(axis=axis, code="1.5", pilot=aicr, is_archived=True)
    cc_action = ActionFactory(axis=axis, code="2.1", title="Foncier", pilot=cc)
    outside = ActionFactory(axis=axis, code="3.1", pilot=aicr)  # not in the campaign
    campaign = open_campaign([waiting, noted, confirmed, old_note, archived, cc_action])
    note(noted, at(1))
    note(old_note, at(-1))  # before the campaign opened: does not count
    note(outside, at(1))
    UpdateConfirmation.objects.create(campaign=campaign, action=confirmed)
    return {
        "campaign": campaign,
        "aicr": aicr,
        "cc": cc,
        "editor": editor.user,
        "reader": reader.user,
        "cc_editor": cc_editor.user,
        "waiting": waiting,
        "noted": noted,
        "confirmed": confirmed,
        "old_note": old_note,
        "cc_action": cc_action,
        "outside": outside,
    }


def codes(actions):
    return sorted(action.code for action in actions)


# --------------------------------------------------------------------------- completion


class TestCompletion:
    def test_up_to_date_once_a_note_is_posted_after_the_opening_or_nothing_new(self, world):
        campaign = world["campaign"]
        assert codes(campaign.waiting_actions()) == ["1.1", "1.4", "2.1"]
        answered = [a for a in campaign.actions_with_answer() if a.noted or a.confirmed]
        assert codes(answered) == ["1.2", "1.3"]

    def test_the_note_s_posting_time_counts_not_the_date_it_reports_on(self, world):
        # Posted now about a day before the campaign: an answer all the same.
        note(world["waiting"], at(2)).__class__.objects.filter(action=world["waiting"]).update(
            date=TODAY - datetime.timedelta(days=60)
        )
        assert "1.1" not in codes(world["campaign"].waiting_actions())

    def test_per_organisation_and_per_action_on_pilotage(self, world):
        status = campaign_completion(world["campaign"])
        rows = {row["pilot__acronym"] or row["pilot__name"]: row for row in status["organisations"]}
        assert (rows["AICR"]["total"], rows["AICR"]["answered"], rows["AICR"]["waiting"]) == (
            4,
            2,
            2,
        )
        assert rows["AICR"]["percent"] == 50
        assert (rows["CC du Val d'Amboise"]["total"], rows["CC du Val d'Amboise"]["answered"]) == (
            1,
            0,
        )
        assert (status["total"], status["answered"], status["percent"]) == (5, 2, 40)
        # Waiting first, then by code; the archived one is out of the campaign.
        assert [a.code for a in status["actions"]] == ["1.1", "1.4", "2.1", "1.2", "1.3"]
        by_code = {a.code: a for a in status["actions"]}
        assert by_code["1.2"].noted_at is not None and by_code["1.3"].confirmed_at is not None

    def test_current_until_its_copil_is_held_or_cancelled(self, world):
        campaign = world["campaign"]
        assert list(UpdateCampaign.objects.current()) == [campaign]
        later = timezone.now() + datetime.timedelta(days=21)
        assert list(UpdateCampaign.objects.current(later)) == []
        assert not campaign.is_current(later)
        CopilMeeting.objects.filter(pk=campaign.meeting_id).update(status="cancelled")
        assert list(UpdateCampaign.objects.current()) == []

    def test_deadline_after_the_copil_or_a_past_copil_is_refused(self, world):
        from django.core.exceptions import ValidationError

        campaign = world["campaign"]
        campaign.deadline = campaign.meeting.date + datetime.timedelta(days=1)
        with pytest.raises(ValidationError, match="précéder le COPIL"):
            campaign.full_clean()
        past = CopilMeetingFactory(date=TODAY - datetime.timedelta(days=1))
        late = UpdateCampaign(meeting=past, deadline=TODAY)
        with pytest.raises(ValidationError, match="déjà eu lieu"):
            late.full_clean()


# --------------------------------------------------------------------------- partner space


class TestBanner:
    def test_pilot_sees_copil_deadline_and_their_waiting_actions(self, client, world):
        client.force_login(world["editor"])
        page = client.get(reverse("space:dashboard")).content.decode()
        campaign = world["campaign"]
        assert "Préparation du COPIL du" in page
        assert campaign.deadline.strftime("%Y") in page
        assert "Fiches à jour\u00a0: 2 sur 4." in page
        assert "1.1 — Plateforme RH" in page and "1.4 — Tiers-lieu" in page
        assert reverse("space:update_create", args=[world["waiting"].pk]) in page
        assert reverse("space:nothing_new", args=[campaign.pk, world["waiting"].pk]) in page
        banner = page.split('class="campaign-banner', 1)[1].split("</section>", 1)[0]
        for absent in ("1.2 —", "1.3 —", "2.1 —", "3.1 —", "1.5 —"):
            assert absent not in banner

    def test_on_every_partner_page(self, client, world):
        client.force_login(world["editor"])
        for url in (
            reverse("space:action", args=[world["outside"].pk]),
            reverse("partners:password_change"),
        ):
            assert "Préparation du COPIL du" in client.get(url).content.decode(), url

    def test_reader_sees_the_list_without_the_buttons(self, client, world):
        client.force_login(world["reader"])
        page = client.get(reverse("space:dashboard")).content.decode()
        assert "1.1 — Plateforme RH" in page
        assert "Rien de nouveau<span" not in page

    def test_nothing_when_all_answered_or_no_campaign(self, client, world):
        client.force_login(world["cc_editor"])
        UpdateConfirmation.objects.create(campaign=world["campaign"], action=world["cc_action"])
        page = client.get(reverse("space:dashboard")).content.decode()
        assert "Votre fiche est à jour pour ce COPIL" in page
        UpdateCampaign.objects.all().delete()
        assert "campaign-banner" not in client.get(reverse("space:dashboard")).content.decode()

    def test_no_banner_for_a_member_without_action_in_the_campaign(self, client, world):
        client.force_login(MembershipFactory().user)
        assert "campaign-banner" not in client.get(reverse("space:dashboard")).content.decode()

    def test_same_queries_with_1_and_200_waiting_actions(self, client, world, count_queries):
        client.force_login(world["editor"])
        url = reverse("space:action", args=[world["waiting"].pk])
        few, few_dashboard = count_queries(url), count_queries(reverse("space:dashboard"))
        world["campaign"].actions.add(*bulk_actions(200, pilot=world["aicr"]))
        many, many_dashboard = count_queries(url), count_queries(reverse("space:dashboard"))
        assert "Voir les 202 fiches en attente" in many.text
        assert_no_n_plus_one(few, many, budget=12)  # the banner costs two queries
        assert many_dashboard.text.count("Rien de nouveau<span") == 202
        assert_no_n_plus_one(few_dashboard, many_dashboard, budget=8)


class TestNothingNew:
    def url(self, world, action="waiting"):
        return reverse("space:nothing_new", args=[world["campaign"].pk, world[action].pk])

    def test_recorded_once_and_the_action_leaves_the_banner(self, client, world):
        client.force_login(world["editor"])
        version = world["waiting"].version
        for _ in range(2):
            response = client.post(self.url(world), {"next": "/espace-partenaire/"})
            assert response.status_code == 302 and response["Location"] == "/espace-partenaire/"
        confirmations = UpdateConfirmation.objects.filter(action=world["waiting"])
        assert confirmations.count() == 1
        assert confirmations.get().confirmed_by == world["editor"]
        assert Action.objects.get(pk=world["waiting"].pk).version == version  # fiche untouched
        assert "1.1" not in codes(world["campaign"].waiting_actions())
        page = client.get(reverse("space:dashboard")).content.decode()
        assert "C&#x27;est noté : rien de nouveau sur l&#x27;action 1.1" in page

    def test_post_only(self, client, world):
        client.force_login(world["editor"])
        assert client.get(self.url(world)).status_code == 405
        assert not UpdateConfirmation.objects.filter(action=world["waiting"]).exists()

    def test_a_reader_is_refused_another_organisation_gets_404(self, client, world):
        client.force_login(world["reader"])
        assert client.post(self.url(world)).status_code == 403
        client.force_login(world["cc_editor"])
        assert client.post(self.url(world)).status_code == 404
        assert not UpdateConfirmation.objects.filter(action=world["waiting"]).exists()

    def test_404_outside_the_campaign_or_after_the_copil(self, client, world):
        client.force_login(world["editor"])
        assert client.post(self.url(world, "outside")).status_code == 404
        CopilMeeting.objects.filter(pk=world["campaign"].meeting_id).update(
            date=TODAY - datetime.timedelta(days=1)
        )
        assert client.post(self.url(world)).status_code == 404

    def test_anonymous_goes_to_login_and_foreign_next_is_ignored(self, client, world):
        assert client.post(self.url(world)).status_code == 302
        assert not UpdateConfirmation.objects.filter(action=world["waiting"]).exists()
        client.force_login(world["editor"])
        response = client.post(self.url(world), {"next": "https://evil.example/"})
        assert response["Location"] == reverse("space:dashboard")


# --------------------------------------------------------------------------- /pilotage/


class TestPilotage:
    def test_completion_and_the_reminder_button(self, client, world):
        client.force_login(StaffFactory())
        page = client.get(reverse("staff:dashboard")).content.decode()
        assert "2 fiches à jour sur 5" in page
        assert "Avancement de la campagne par organisation pilote" in page
        assert reverse("admin:actions_updatecampaign_remind", args=[world["campaign"].pk]) in page

    def test_offers_to_open_one_for_the_next_copil(self, client, db):
        meeting = CopilMeetingFactory(date=TODAY + datetime.timedelta(days=30), status="planned")
        client.force_login(StaffFactory())
        page = client.get(reverse("staff:dashboard")).content.decode()
        assert f"{reverse('admin:actions_updatecampaign_add')}?meeting={meeting.pk}" in page

    def test_same_queries_with_1_and_200_actions(self, client, world, count_queries):
        client.force_login(StaffFactory())
        few = count_queries(reverse("staff:dashboard"))
        pilots = [OrganisationFactory() for _ in range(3)]
        for pilot in pilots:
            world["campaign"].actions.add(*bulk_actions(70, pilot=pilot))
        many = count_queries(reverse("staff:dashboard"))
        assert_no_n_plus_one(few, many, budget=None)


# --------------------------------------------------------------------------- admin


class TestAdmin:
    def test_add_form_prefills_the_phase_s_current_actions(self, client, db):
        axis = AxisFactory()
        public = ActionFactory(axis=axis)
        draft = ActionFactory(axis=axis, is_public=False)
        ActionFactory(axis=axis, is_archived=True)
        ActionFactory(axis=AxisFactory(phase=PhaseFactory(number=1)))  # another phase
        meeting = CopilMeetingFactory(phase=axis.phase, date=TODAY + datetime.timedelta(days=30))
        client.force_login(StaffFactory())
        response = client.get(reverse("admin:actions_updatecampaign_add"), {"meeting": meeting.pk})
        form = response.context["adminform"].form
        assert sorted(form.initial["actions"]) == sorted([public.pk, draft.pk])
        assert form.initial["meeting"] == meeting.pk
        assert form.initial["deadline"] == meeting.date - datetime.timedelta(days=7)

    def test_saving_records_who_opened_it(self, client, db):
        action = ActionFactory()
        meeting = CopilMeetingFactory(phase=action.phase, date=TODAY + datetime.timedelta(days=30))
        staff = StaffFactory()
        client.force_login(staff)
        data = {
            "meeting": meeting.pk,
            "deadline": (TODAY + datetime.timedelta(days=20)).isoformat(),
            "actions": [action.pk],
            **{f"reminders-{k}": v for k, v in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()},
        }
        response = client.post(reverse("admin:actions_updatecampaign_add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        campaign = UpdateCampaign.objects.get()
        assert campaign.opened_by == staff and list(campaign.actions.all()) == [action]

    def test_changelist_shows_completion(self, client, world):
        client.force_login(StaffFactory())
        page = client.get(reverse("admin:actions_updatecampaign_changelist")).content.decode()
        assert "2 sur 5 (40\u00a0%)" in page


# --------------------------------------------------------------------------- reminders


def remind(client, world, **extra):
    url = reverse("admin:actions_updatecampaign_remind", args=[world["campaign"].pk])
    return client.post(url, follow=True, **extra)


class TestReminders:
    @pytest.fixture(autouse=True)
    def _site(self, settings):
        settings.SITE_URL = "https://portail.example/"

    def test_who_receives_what(self, client, world, mailoutbox):
        staff = StaffFactory()
        client.force_login(staff)
        page = remind(client, world).content.decode()
        assert sorted(m.to[0] for m in mailoutbox) == [
            "cc@amboise.example",
            "editrice@aicr.example",
        ]
        aicr = next(m for m in mailoutbox if m.to == ["editrice@aicr.example"])
        assert aicr.subject.startswith("COPIL du ")
        assert "2 fiches action à mettre à jour avant le" in aicr.subject
        assert aicr.subject.endswith("— AICR")
        assert "1.1 — Plateforme RH" in aicr.body and "1.4 — Tiers-lieu" in aicr.body
        for answered in ("1.2 —", "1.3 —", "2.1 —", "3.1 —"):
            assert answered not in aicr.body
        note_url = reverse("space:update_create", args=[world["waiting"].pk])
        assert f"https://portail.example{note_url}" in aicr.body
        assert "http://testserver" not in aicr.body  # never the request's host
        assert "2 relance(s) envoyée(s) aux contributeurs de 2 organisation(s)" in page
        log = ReminderLog.objects.get(recipient_email="editrice@aicr.example")
        assert (log.kind, log.campaign, log.sent_by, log.outcome) == (
            ReminderLog.Kind.CAMPAIGN,
            world["campaign"],
            staff,
            ReminderLog.Outcome.SENT,
        )
        assert codes(log.actions.all()) == ["1.1", "1.4"] and log.action_codes == "1.1, 1.4"

    def test_no_duplicate_the_same_day(self, client, world, mailoutbox):
        client.force_login(StaffFactory())
        remind(client, world)
        page = remind(client, world).content.decode()
        assert len(mailoutbox) == 2
        assert "Déjà relancées aujourd&#x27;hui, rien n&#x27;est renvoyé" in page
        call_command("remind_stale_actions", "--campaign", stdout=StringIO())
        assert len(mailoutbox) == 2  # the command reads the same log

    def test_the_command_sends_the_same_reminder(self, world, mailoutbox):
        out = StringIO()
        call_command("remind_stale_actions", "--campaign", stdout=out)
        assert sorted(m.to[0] for m in mailoutbox) == [
            "cc@amboise.example",
            "editrice@aicr.example",
        ]
        assert "2 e-mail(s) envoyé(s) à 2 organisation(s) pilote(s)." in out.getvalue()
        assert set(ReminderLog.objects.values_list("sent_by", flat=True)) == {None}

    def test_nobody_to_remind_once_everything_is_answered(self, client, world, mailoutbox):
        campaign = world["campaign"]
        for action in campaign.waiting_actions():
            UpdateConfirmation.objects.create(campaign=campaign, action=action)
        client.force_login(StaffFactory())
        page = remind(client, world).content.decode()
        assert mailoutbox == [] and "personne à relancer" in page

    def test_organisations_without_editor_are_named(self, client, world, mailoutbox):
        Membership.objects.filter(organisation=world["cc"]).delete()
        client.force_login(StaffFactory())
        page = remind(client, world).content.decode()
        assert "Aucun contributeur à relancer" in page
        assert "CC du Val d&#x27;Amboise (2.1)" in page
        assert [m.to[0] for m in mailoutbox] == ["editrice@aicr.example"]

    def test_get_is_refused_and_partners_cannot_remind(self, client, world, mailoutbox):
        url = reverse("admin:actions_updatecampaign_remind", args=[world["campaign"].pk])
        client.force_login(world["editor"])
        client.post(url)
        client.force_login(StaffFactory())
        assert client.get(url).status_code == 405
        assert mailoutbox == [] and not ReminderLog.objects.exists()


class FailingBackend(EmailBackend):
    """The SMTP server refuses every message to an address of `REFUSED`."""

    REFUSED = ("editrice@aicr.example",)

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & set(self.REFUSED):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"Mailbox unavailable")})
        return super().send_messages(messages)


class TestSmtpFailure:
    @pytest.fixture(autouse=True)
    def _failing(self, settings):
        settings.EMAIL_BACKEND = "tests.actions.test_campaigns.FailingBackend"

    def snapshot(self, world):
        return (
            list(Action.objects.order_by("pk").values_list("pk", "version", "status", "progress")),
            list(ProgressUpdate.objects.order_by("pk").values_list("pk", "text")),
            list(UpdateConfirmation.objects.order_by("pk").values_list("pk", "action")),
            list(UpdateCampaign.objects.values_list("pk", "deadline", "opened_at")),
        )

    def test_logged_shown_and_nothing_undone(self, client, world, mailoutbox):
        before = self.snapshot(world)
        client.force_login(StaffFactory())
        page = remind(client, world).content.decode()
        assert [m.to[0] for m in mailoutbox] == ["cc@amboise.example"]  # the others still go
        assert "Échec de l&#x27;envoi à editrice@aicr.example (AICR)\u00a0: SMTP" in page
        assert "SMTPRecipientsRefused" in page
        failed = ReminderLog.objects.get(recipient_email="editrice@aicr.example")
        assert failed.outcome == ReminderLog.Outcome.FAILED
        assert "Mailbox unavailable" in failed.error
        assert ReminderLog.objects.get(recipient_email="cc@amboise.example").outcome == "sent"
        assert self.snapshot(world) == before

    def test_a_failure_does_not_block_a_later_try(self, client, world, mailoutbox, settings):
        client.force_login(StaffFactory())
        remind(client, world)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        remind(client, world)
        assert sorted(m.to[0] for m in mailoutbox) == [
            "cc@amboise.example",
            "editrice@aicr.example",
        ]
        outcomes = ReminderLog.objects.filter(recipient_email="editrice@aicr.example")
        assert sorted(outcomes.values_list("outcome", flat=True)) == ["failed", "sent"]

    def test_the_command_reports_it_and_fails(self, world, mailoutbox):
        err = StringIO()
        with pytest.raises(CommandError, match="1 e-mail\\(s\\) en échec"):
            call_command("remind_stale_actions", "--campaign", stdout=StringIO(), stderr=err)
        assert "Échec de l'envoi à editrice@aicr.example (AICR)" in err.getvalue()
        assert len(mailoutbox) == 1


def test_bulk_rows_make_no_extra_query_per_recipient(world, django_assert_max_num_queries):
    """Guard for `send`: a bounded number of queries per e-mail (claim, M2M, outcome)."""
    from actions.reminders import remind_campaign

    for _ in range(5):
        MembershipFactory(organisation=world["aicr"])
    # Per e-mail: the log row with its actions in a savepoint (4), then its outcome (1).
    with django_assert_max_num_queries(4 + 7 * 5):  # 6 AICR editors, 1 of the CC
        report = remind_campaign(world["campaign"])
    assert len(report.sent) == 7


def test_two_sendings_at_once_send_once(world, mailoutbox, monkeypatch):
    """The day's rows are read first; one written meanwhile by another sending is caught by the
    database's partial unique constraint, and that person is not sent the reminder again."""
    from actions import reminders

    ReminderLog.objects.create(
        kind=ReminderLog.Kind.CAMPAIGN,
        campaign=world["campaign"],
        organisation=world["aicr"],
        recipient_email="editrice@aicr.example",
        day=TODAY,
        outcome=ReminderLog.Outcome.SENT,
    )
    monkeypatch.setattr(reminders, "_sent_today", lambda *args: set())  # read before it
    report = reminders.remind_campaign(world["campaign"])
    assert [m.to[0] for m in mailoutbox] == ["cc@amboise.example"]
    assert [log.recipient_email for log in report.sent] == ["cc@amboise.example"]
    assert ReminderLog.objects.filter(recipient_email="editrice@aicr.example").count() == 1
