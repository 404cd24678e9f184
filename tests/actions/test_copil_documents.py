"""The documents of a COPIL meeting (issue 14, items 3, 4 and 6): the relevé de décisions and
the dossier de séance, public and staff versions, as PDF and HTML.

Each PDF is generated, read back with pypdf and checked for its headings, figures and decisions;
the public version for what must never be in it (a private action's title or amounts, a
private meeting's decisions); its tags (structure tree, title, language); the staff version
for its refusal to visitors and partners; the public pages for their query budget.
"""

import datetime
import io
import os
from decimal import Decimal
from html import unescape

import pypdf
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Funding, ProgressUpdate, Status
from actions.services import validate_annual_plan
from programme.models import CopilMeeting, Decision
from tests.actions.factories import ActionFactory, FundingFactory, ProgressUpdateFactory
from tests.budget import assert_no_n_plus_one, bulk_actions, bulk_fundings
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.programme.factories import AxisFactory, CopilMeetingFactory, DecisionFactory

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as missing:  # OSError: WeasyPrint without its system libraries
    if os.environ.get("CI"):
        raise
    pytest.skip(f"WeasyPrint indisponible ({missing}) : PDF non testés", allow_module_level=True)

D = Decimal
SECRETS = ("Projet confidentiel", "777 000", "787 000", "Décision confidentielle du bureau")


def read(response):
    """(reader, the text of every page with each run of blanks as one space)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def html(response):
    assert response.status_code == 200, response.status_code
    return " ".join(unescape(response.content.decode()).split())


def url(name, meeting, staff=False):
    return reverse(f"{'staff' if staff else 'actions'}:copil_{name}", args=[meeting.pk])


@pytest.fixture
def world(db):
    """A public meeting (30 January 2025) with its agenda, attendees and a decision concerning a
    public and a private action; earlier, a public meeting (with a validated plan and an
    overdue decision) and a private one (with an open decision)."""
    axis = AxisFactory(number=1, name="Compétences")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    cc = OrganisationFactory(name="CC du Val d'Amboise")
    rh = ActionFactory(
        axis=axis,
        code="1.1",
        title="Plateforme RH",
        status=Status.IN_PROGRESS,
        progress=40,
        end_date=datetime.date(2024, 6, 30),
        pilot=cc,
    )
    dating = ActionFactory(axis=axis, code="1.2", title="Job dating", status=Status.BLOCKED)
    secret = ActionFactory(
        axis=axis,
        code="1.3",
        title="Projet confidentiel",
        is_public=False,
        progress=90,
        end_date=datetime.date(2024, 3, 31),
    )
    recently = timezone.localdate() - datetime.timedelta(days=10)
    for action in (rh, dating, secret):
        ProgressUpdateFactory(action=action, date=recently)
    FundingFactory(action=rh, funder=region, year=2025, planned_amount=D("10000"))
    FundingFactory(action=secret, funder=region, year=2025, planned_amount=D("777000"))

    earlier = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 6, 1))
    validate_annual_plan(earlier, 2024)
    Action.objects.filter(pk=rh.pk).update(status=Status.PAUSED)
    overdue = DecisionFactory(
        meeting=earlier,
        text="Recenser les besoins en alternance",
        owner=region,
        due_date=datetime.date(2024, 12, 31),
    )
    closed = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 9, 1), is_public=False)
    DecisionFactory(meeting=closed, text="Décision confidentielle du bureau", owner=cc)

    meeting = CopilMeetingFactory(
        phase=axis.phase, date=datetime.date(2025, 1, 30), title="Comité de pilotage"
    )
    meeting.attendees.add(region, cc)
    meeting.agenda_items.create(order=1, title="Bilan de l'année 2024")
    meeting.agenda_items.create(order=2, title="Validation du plan 2025")
    decision = DecisionFactory(
        meeting=meeting,
        text="Lancer un forum des métiers de l'industrie",
        owner=cc,
        due_date=datetime.date(2025, 6, 30),
        status=Decision.Status.IN_PROGRESS,
        status_date=datetime.date(2025, 2, 15),
    )
    rh.decisions.add(decision)
    secret.decisions.add(decision)
    return {
        "meeting": meeting,
        "earlier": earlier,
        "closed": closed,
        "secret": secret,
        "overdue": overdue,
    }


class TestReleve:
    def test_public_pdf(self, client, world):
        reader, text = read(client.get(url("releve_pdf", world["meeting"])))
        assert "Relevé de décisions — Comité de pilotage du 30 janvier 2025" in text
        assert "Organisations présentes" in text and "Décisions" in text
        assert "Région — Région Centre-Val de Loire" in text and "CC du Val d'Amboise" in text
        assert "Lancer un forum des métiers de l'industrie" in text
        assert "30 juin 2025" in text  # due date
        assert "En cours depuis le 15 février 2025" in text
        assert "1.1 — Plateforme RH" in text
        assert "Version publique" in text
        for secret in SECRETS:
            assert secret not in text
        assert f"Page 1 sur {len(reader.pages)}" in text
        assert "Document généré le " in text
        assert "démonstration" not in text

    def test_staff_pdf_names_every_action(self, client, world):
        client.force_login(StaffFactory())
        _, text = read(client.get(url("releve_pdf", world["meeting"], staff=True)))
        assert "Projet confidentiel (fiche non publique)" in text
        assert "Version de l'équipe projet" in text

    def test_html_version_shows_the_same(self, client, world):
        page = html(client.get(url("releve", world["meeting"])))
        assert "Lancer un forum des métiers de l'industrie" in page
        assert "Plateforme RH" in page and "Projet confidentiel" not in page
        assert url("releve_pdf", world["meeting"]) in page

    def test_a_private_meeting_has_no_public_document(self, client, world):
        closed = world["closed"]
        for name in ("releve", "releve_pdf", "dossier", "dossier_pdf"):
            assert client.get(url(name, closed)).status_code == 404
        client.force_login(StaffFactory())
        assert client.get(url("releve_pdf", closed)).status_code == 404  # the public address
        _, text = read(client.get(url("releve_pdf", closed, staff=True)))
        assert "Décision confidentielle du bureau" in text
        assert "réunion non publique" in text

    def test_a_demonstration_meeting_says_so(self, client, world):
        CopilMeeting.objects.filter(pk=world["meeting"].pk).update(is_demo=True)
        _, text = read(client.get(url("releve_pdf", world["meeting"])))
        assert "Inclut des données de démonstration" in text


class TestDossier:
    def test_public_pdf(self, client, world):
        reader, text = read(client.get(url("dossier_pdf", world["meeting"])))
        for heading in (
            "Dossier de séance — Comité de pilotage du 30 janvier 2025",
            "Ordre du jour",
            "Le plan d'actions par axe",
            "Actions à surveiller",
            "Décisions des réunions précédentes en attente",
            "Budget 2025 par financeur",
            "Changements depuis le dernier plan validé",
        ):
            assert heading in text, heading
        assert "Bilan de l'année 2024" in text and "Validation du plan 2025" in text
        # Two public actions: one paused (40 %), one blocked (30 %): 35 % on average.
        assert "2 fiches actions publiques en cours" in text and "avancement moyen 35 %" in text
        assert "1. Compétences 0 0 0 1 1 0 2 35 %" in text
        assert "En retard (date de fin dépassée) : 1 fiche" in text
        assert "Plateforme RH" in text and "30 juin 2024" in text
        assert "Bloquées : 1 fiche" in text and "Job dating" in text
        assert "Recenser les besoins en alternance" in text and "en retard" in text
        assert "Région — Région Centre-Val de Loire 10 000 €" in text
        assert "Statut : En cours → En pause." in text
        for secret in SECRETS:
            assert secret not in text
        assert "Campagne de mise à jour" not in text
        assert f"Page 1 sur {len(reader.pages)}" in text

    def test_staff_pdf_counts_everything(self, client, world):
        client.force_login(StaffFactory())
        _, text = read(client.get(url("dossier_pdf", world["meeting"], staff=True)))
        assert "En retard (date de fin dépassée) : 2 fiches" in text
        assert "Projet confidentiel (non publique)" in text
        assert "787 000 €" in text  # the year's planned total, the private action's included
        assert "Décision confidentielle du bureau" in text
        assert "3 fiches actions en cours" in text

    def test_html_version_shows_the_same(self, client, world):
        page = html(client.get(url("dossier", world["meeting"])))
        assert "Actions à surveiller" in page and "Plateforme RH" in page
        assert "10 000 €" in page
        for secret in SECRETS:
            assert secret not in page

    def test_demonstration_figures_are_marked(self, client, world):
        _, text = read(client.get(url("dossier_pdf", world["meeting"])))
        assert "démonstration" not in text
        Action.objects.filter(code="1.2").update(is_demo=True)
        _, text = read(client.get(url("dossier_pdf", world["meeting"])))
        assert "Inclut des données de démonstration" in text

    def test_stale_actions_are_listed(self, client, world):
        ProgressUpdate.objects.filter(action__code="1.2").update(date=datetime.date(2020, 1, 1))
        _, text = read(client.get(url("dossier_pdf", world["meeting"])))
        assert "Sans note de suivi depuis 90 jours : 1 fiche" in text
        assert "1er janvier 2020" in text

    def test_milestones_when_they_exist(self, client, world):
        try:
            milestone = apps.get_model("actions", "Milestone")
        except LookupError:
            pytest.skip("pas encore de jalons")
        rh = Action.objects.get(code="1.1")
        milestone.objects.create(
            action=rh,
            order=1,
            title="Ouverture de la plateforme",
            due_date=datetime.date(2024, 9, 1),
        )
        milestone.objects.create(
            action=world["secret"],
            order=1,
            title="Jalon secret",
            due_date=datetime.date(2024, 9, 1),
        )
        _, text = read(client.get(url("dossier_pdf", world["meeting"])))
        assert "Jalons" in text and "Ouverture de la plateforme" in text
        assert "Jalon secret" not in text

    def test_campaign_completion_in_the_staff_version_only(self, client, world):
        try:
            campaign_model = apps.get_model("actions", "UpdateCampaign")
        except LookupError:
            pytest.skip("pas encore de campagne de mise à jour")
        meeting = world["meeting"]
        campaign = campaign_model.objects.create(meeting=meeting, deadline=meeting.date)
        campaign.actions.add(*Action.objects.all())
        ProgressUpdateFactory(action=Action.objects.get(code="1.1"), text="Réponse")
        _, text = read(client.get(url("dossier_pdf", meeting)))
        assert "Campagne de mise à jour" not in text
        client.force_login(StaffFactory())
        _, text = read(client.get(url("dossier_pdf", meeting, staff=True)))
        assert "Campagne de mise à jour" in text
        assert "1 fiche à jour sur 3" in text
        assert "CC du Val d'Amboise 1 1" in text  # the pilot of 1.1 answered

    def test_budget_columns_follow_the_fundings(self, client, world):
        """Granted and spent amounts, once fundings carry them, are summed beside planned."""
        names = {f.name for f in Funding._meta.get_fields()}
        _, text = read(client.get(url("dossier_pdf", world["meeting"])))
        assert "Prévu" in text
        assert ("Accordé" in text) == ("granted_amount" in names)

    def test_linked_from_the_meeting_page_and_the_admin(self, client, world):
        meeting = world["meeting"]
        page = client.get(meeting.get_absolute_url()).content.decode()
        for name in ("dossier", "dossier_pdf", "releve", "releve_pdf"):
            assert url(name, meeting) in page
        client.force_login(StaffFactory())
        admin = client.get(reverse("admin:programme_copilmeeting_change", args=[meeting.pk]))
        assert url("dossier_pdf", meeting, staff=True) in admin.content.decode()
        assert url("releve_pdf", meeting, staff=True) in admin.content.decode()


class TestTags:
    @pytest.mark.parametrize("name", ["releve_pdf", "dossier_pdf"])
    @pytest.mark.parametrize("staff", [False, True])
    def test_tagged_with_a_title_and_french(self, client, world, name, staff):
        if staff:
            client.force_login(StaffFactory())
        reader, _ = read(client.get(url(name, world["meeting"], staff=staff)))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert bool(root["/MarkInfo"]["/Marked"])
        assert root["/Lang"] == "fr"
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        title = "Relevé de décisions" if name == "releve_pdf" else "Dossier de séance"
        assert reader.metadata.title.startswith(f"{title} — Comité de pilotage du 30/01/2025")


class TestStaffOnly:
    NAMES = ["releve", "releve_pdf", "dossier", "dossier_pdf"]

    @pytest.mark.parametrize("name", NAMES)
    def test_refused_to_visitors_and_partners(self, client, world, name):
        address = url(name, world["meeting"], staff=True)
        response = client.get(address)
        assert response.status_code == 302 and "/login/" in response["Location"]
        client.force_login(MembershipFactory().user)
        response = client.get(address)
        assert response.status_code == 302 and "/login/" in response["Location"]

    @pytest.mark.parametrize("name", NAMES)
    def test_refused_to_staff_without_the_permission(self, client, world, name):
        client.force_login(UserFactory(is_staff=True))
        assert client.get(url(name, world["meeting"], staff=True)).status_code == 403

    def test_linked_from_the_staff_dashboard_for_the_next_meeting(self, client, world):
        upcoming = CopilMeetingFactory(
            phase=world["meeting"].phase,
            date=timezone.localdate() + datetime.timedelta(days=30),
            status=CopilMeeting.Status.PLANNED,
        )
        client.force_login(StaffFactory())
        page = client.get(reverse("staff:dashboard")).content.decode()
        assert url("dossier", upcoming, staff=True) in page
        assert url("dossier_pdf", upcoming, staff=True) in page

    def test_the_staff_page_in_the_admin_layout(self, client, world):
        client.force_login(StaffFactory())
        page = html(client.get(url("dossier", world["closed"], staff=True)))
        assert "Dossier de séance" in page and "Projet confidentiel" in page
        assert url("dossier_pdf", world["closed"], staff=True) in page


class TestQueryBudget:
    @pytest.mark.parametrize("name", ["releve", "dossier"])
    def test_public_pages_same_count_at_1_and_200_rows(self, count_queries, world, name):
        meeting = world["meeting"]
        few = count_queries(url(name, meeting))
        axis = Action.objects.get(code="1.1").axis
        many_actions = bulk_actions(
            200, axis=axis, phase=axis.phase, end_date=datetime.date(2024, 1, 1)
        )
        bulk_fundings(many_actions, year=2025)
        decision = meeting.decisions.first()
        decision.actions.add(*many_actions)
        for index in range(20):
            DecisionFactory(meeting=world["earlier"], text=f"Décision ouverte {index}")
        many = count_queries(url(name, meeting))
        assert_no_n_plus_one(few, many)

    def test_staff_page_same_count_at_1_and_200_rows(self, client, count_queries, world):
        client.force_login(StaffFactory())
        few = count_queries(url("dossier", world["meeting"], staff=True))
        axis = Action.objects.get(code="1.1").axis
        bulk_fundings(bulk_actions(200, axis=axis, phase=axis.phase), year=2025)
        many = count_queries(url("dossier", world["meeting"], staff=True))
        assert_no_n_plus_one(few, many, budget=None)
