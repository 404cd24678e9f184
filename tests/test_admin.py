"""Every admin screen answers for staff and is closed to everyone else."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from actions.models import (
    Action,
    ActionSnapshot,
    AnnualPlan,
    Milestone,
    ReminderLog,
    UpdateCampaign,
    UpdateConfirmation,
)
from actions.services import validate_annual_plan
from partners.models import Need, Organisation
from programme.models import AgendaItem, Axis, Phase, ReferenceFingerprint
from tests.actions.factories import (
    ActionFactory,
    DocumentFactory,
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgressUpdateFactory,
)
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.programme.factories import (
    AxisFactory,
    CommuneFactory,
    CopilMeetingFactory,
    DecisionFactory,
    IntercommunalityFactory,
    NewsItemFactory,
    PhaseFactory,
    TerritoryFactory,
)


def make_plan():
    action = ActionFactory()
    FundingFactory(action=action)
    return validate_annual_plan(CopilMeetingFactory(phase=action.phase), 2024)


def make_campaign():
    meeting = CopilMeetingFactory()
    return UpdateCampaign.objects.create(meeting=meeting, deadline=meeting.date)


def make_access(model_name, **extra):
    """A login record of django-axes (login throttling)."""
    model = apps.get_model("axes", model_name)
    return model.objects.create(
        user_agent="Mozilla/5.0", ip_address="192.0.2.1", username="personne@example.org",
        http_accept="text/html", path_info="/admin/login/", attempt_time=timezone.now(), **extra
    )  # fmt: skip


MAKERS = {
    "auth.group": lambda: Group.objects.create(name="Équipe projet"),
    "axes.accessattempt": lambda: make_access(
        "AccessAttempt", get_data="", post_data="", failures_since_start=3
    ),
    "axes.accesslog": lambda: make_access("AccessLog"),
    "axes.accessfailurelog": lambda: make_access("AccessFailureLog"),
    "partners.user": UserFactory,
    "partners.organisation": OrganisationFactory,
    "partners.membership": MembershipFactory,
    "partners.need": lambda: Need.objects.create(name="Recruter", slug="recruter"),
    "programme.territory": TerritoryFactory,
    "programme.intercommunality": IntercommunalityFactory,
    "programme.commune": CommuneFactory,
    "programme.phase": PhaseFactory,
    "programme.axis": AxisFactory,
    "programme.copilmeeting": CopilMeetingFactory,
    "programme.agendaitem": lambda: AgendaItem.objects.create(
        meeting=CopilMeetingFactory(), title="Bilan de l'année"
    ),
    "programme.decision": DecisionFactory,
    "programme.newsitem": NewsItemFactory,
    "programme.referencefingerprint": lambda: ReferenceFingerprint.objects.create(
        model="programme.commune", object_id=1, digests={"name": "0" * 64}
    ),
    "actions.action": ActionFactory,
    "actions.funding": FundingFactory,
    "actions.indicator": IndicatorFactory,
    "actions.measurement": MeasurementFactory,
    "actions.progressupdate": ProgressUpdateFactory,
    "actions.document": DocumentFactory,
    "actions.milestone": lambda: Milestone.objects.create(
        action=ActionFactory(), title="Convention signée", due_date=datetime.date(2025, 6, 30)
    ),
    "actions.annualplan": make_plan,
    "actions.actionsnapshot": lambda: make_plan().snapshots.get(),
    "actions.updatecampaign": lambda: make_campaign(),
    "actions.updateconfirmation": lambda: make_campaign().confirmations.create(
        action=ActionFactory()
    ),
    "actions.reminderlog": lambda: make_campaign().reminders.create(
        kind="campaign", recipient_email="personne@example.org", day=timezone.localdate()
    ),
}
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)
# Frozen plans are only created by validating them at a COPIL: no add page.
NO_ADD = {AnnualPlan, ActionSnapshot, ReferenceFingerprint}
# The reminders' log and « Rien de nouveau » are written by the sendings and the partners only.
NO_ADD |= {ReminderLog, UpdateConfirmation}


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_portal_is_registered():
    ours = [
        model
        for label in ("partners", "programme", "actions")
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
    missing = [model.__name__ for model in ours if model not in admin.site._registry]
    assert missing == []
    assert set(MAKERS) >= {model._meta.label_lower for model in ours}


@pytest.fixture
def staff_client(client, db):
    client.force_login(StaffFactory())
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label_lower)
class TestEveryAdmin:
    def test_changelist_add_and_change_answer_for_a_superuser(self, staff_client, model):
        obj = MAKERS[model._meta.label_lower]()
        response = staff_client.get(url(model, "changelist"))
        assert response.status_code == 200
        assert url(model, "change", obj.pk) in response.content.decode()  # the object is listed

        response = staff_client.get(url(model, "add"))
        request = RequestFactory().get("/")
        request.user = StaffFactory.build(is_superuser=True)
        can_add = admin.site._registry[model].has_add_permission(request)
        assert can_add == (model not in NO_ADD) or model._meta.app_label == "axes"
        assert response.status_code == (200 if can_add else 403)

        response = staff_client.get(url(model, "change", obj.pk))
        assert response.status_code == 200

    def test_anonymous_visitor_is_sent_to_the_login(self, client, db, model):
        obj = MAKERS[model._meta.label_lower]()
        for target in (url(model, "changelist"), url(model, "change", obj.pk)):
            response = client.get(target)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))

    def test_a_partner_without_staff_rights_is_sent_to_the_login(self, client, db, model):
        client.force_login(MembershipFactory().user)
        response = client.get(url(model, "changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


NO_MEMBERSHIPS = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


class TestUserAdmin:
    def test_staff_creates_an_account_with_email_and_password(self, staff_client):
        response = staff_client.post(
            url(apps.get_model("partners.User"), "add"),
            {
                "email": "Claire.Durand@Example.org",
                "first_name": "Claire",
                "last_name": "Durand",
                "usable_password": "true",
                "password1": "un-mot-de-passe-solide-2024",
                "password2": "un-mot-de-passe-solide-2024",
                **NO_MEMBERSHIPS,
            },
        )
        assert response.status_code == 302
        user = apps.get_model("partners.User").objects.get(email="claire.durand@example.org")
        assert user.check_password("un-mot-de-passe-solide-2024")
        assert not user.is_staff

    def test_the_same_address_twice_is_refused_in_french(self, staff_client):
        UserFactory(email="camille@example.org")
        response = staff_client.post(
            url(apps.get_model("partners.User"), "add"),
            {
                "email": "CAMILLE@example.org",
                "usable_password": "true",
                "password1": "un-mot-de-passe-solide-2024",
                "password2": "un-mot-de-passe-solide-2024",
                **NO_MEMBERSHIPS,
            },
        )
        assert response.status_code == 200
        assert "Un compte existe déjà avec cette adresse e-mail." in response.content.decode()

    def test_memberships_are_edited_on_the_user(self, staff_client):
        membership = MembershipFactory()
        response = staff_client.get(
            url(apps.get_model("partners.User"), "change", membership.user.pk)
        )
        assert str(membership.organisation) in response.content.decode()


class TestProtectedDeletion:
    """Deleting what others point at is refused with Django's French explanation, never a 500."""

    @pytest.mark.parametrize(
        "make",
        [
            lambda: ActionFactory().pilot,
            lambda: ActionFactory().axis,
            lambda: ActionFactory().phase,
            lambda: FundingFactory().funder,
        ],
        ids=["organisation-pilote", "axe", "phase", "financeur"],
    )
    def test_delete_page_lists_what_protects_it_and_post_changes_nothing(self, staff_client, make):
        obj = make()
        model = type(obj)
        response = staff_client.get(url(model, "delete", obj.pk))
        assert response.status_code == 200
        assert "protégés" in response.content.decode()

        response = staff_client.post(url(model, "delete", obj.pk), {"post": "yes"})
        assert response.status_code == 200
        assert model.objects.filter(pk=obj.pk).exists()

    def test_bulk_delete_of_a_piloting_organisation_is_refused(self, staff_client):
        pilot = ActionFactory().pilot
        response = staff_client.post(
            url(Organisation, "changelist"),
            {"action": "delete_selected", "_selected_action": [pilot.pk], "post": "yes"},
        )
        assert response.status_code == 200
        assert Organisation.objects.filter(pk=pilot.pk).exists()
        assert Action.objects.filter(pilot=pilot).exists()


def test_deleting_an_axis_with_actions_from_its_phase_is_refused(staff_client):
    action = ActionFactory()
    phase_url = url(Phase, "change", action.phase.pk)
    response = staff_client.get(phase_url)
    data = {
        "territory": action.phase.territory_id,
        "number": action.phase.number,
        "name": action.phase.name,
        "start_date": "2023-01-01",
        "axes-TOTAL_FORMS": "1",
        "axes-INITIAL_FORMS": "1",
        "axes-0-id": action.axis.pk,
        "axes-0-phase": action.phase.pk,
        "axes-0-number": action.axis.number,
        "axes-0-name": action.axis.name,
        "axes-0-slug": action.axis.slug,
        "axes-0-colour": action.axis.colour,
        "axes-0-DELETE": "on",
    }
    assert response.status_code == 200
    response = staff_client.post(phase_url, data)
    assert response.status_code == 200
    assert "objets liés et protégés suivants" in response.content.decode()
    assert Axis.objects.filter(pk=action.axis.pk).exists()


def test_phase_admin_shows_its_axes_inline(staff_client):
    axis = AxisFactory(name="Compétences")
    response = staff_client.get(url(Phase, "change", axis.phase.pk))
    assert "Compétences" in response.content.decode()
    assert Axis.objects.count() == 1


def test_copil_admin_shows_agenda_and_decisions_inline(staff_client):
    meeting = CopilMeetingFactory(date=datetime.date(2024, 1, 25))
    AgendaItem.objects.create(meeting=meeting, order=2, title="Budget 2024")
    AgendaItem.objects.create(meeting=meeting, order=1, title="Bilan de la phase 1")
    DecisionFactory(meeting=meeting, text="Le plan d'actions 2024 est adopté.")
    page = staff_client.get(url(type(meeting), "change", meeting.pk)).content.decode()
    assert page.index("Bilan de la phase 1") < page.index("Budget 2024")
    assert "Le plan d&#x27;actions 2024 est adopté." in page


class TestInvitations:
    """A partner account created without a password receives a link to choose one."""

    def test_new_account_with_a_membership_is_invited(
        self, staff_client, django_capture_on_commit_callbacks, mailoutbox
    ):
        organisation = OrganisationFactory(name="Association des industriels du Castelrenaudais")
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                url(apps.get_model("partners.User"), "add"),
                {
                    "email": "nouvelle@aicr.example",
                    "usable_password": "false",
                    "memberships-TOTAL_FORMS": "1",
                    "memberships-INITIAL_FORMS": "0",
                    "memberships-0-organisation": organisation.pk,
                    "memberships-0-role": "editor",
                },
                follow=True,
            )
        assert [m.to for m in mailoutbox] == [["nouvelle@aicr.example"]]
        assert "/espace-partenaire/invitation/" in mailoutbox[0].body
        assert response.status_code == 200

    def test_membership_added_to_an_account_without_password_invites_it(
        self, staff_client, django_capture_on_commit_callbacks, mailoutbox
    ):
        user = UserFactory(password=None)
        user.set_unusable_password()
        user.save()
        with django_capture_on_commit_callbacks(execute=True):
            staff_client.post(
                url(apps.get_model("partners.Membership"), "add"),
                {"user": user.pk, "organisation": OrganisationFactory().pk, "role": "editor"},
            )
        assert [m.to for m in mailoutbox] == [[user.email]]

    def test_an_account_with_a_password_is_not_invited(
        self, staff_client, django_capture_on_commit_callbacks, mailoutbox
    ):
        user = UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            staff_client.post(
                url(apps.get_model("partners.Membership"), "add"),
                {"user": user.pk, "organisation": OrganisationFactory().pk, "role": "editor"},
            )
            response = staff_client.post(
                url(apps.get_model("partners.User"), "changelist"),
                {"action": "send_invitations", "_selected_action": [user.pk]},
                follow=True,
            )
        assert mailoutbox == []
        assert "1 compte(s) ignoré(s)" in response.content.decode()


def test_news_publication_is_logged(staff_client):
    news = NewsItemFactory(is_published=False)
    staff_client.post(
        url(type(news), "changelist"), {"action": "publish", "_selected_action": [news.pk]}
    )
    news.refresh_from_db()
    assert news.is_published
    assert LogEntry.objects.filter(object_id=str(news.pk), change_message="Publiée").exists()
