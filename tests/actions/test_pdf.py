"""PDFs of a fiche action and of a validated annual plan (issue 14, items 5 and 6).

Each document is generated, read back with pypdf and checked for what a reader sees (headings,
figures, page numbers, demonstration marker), what must never be in it (a non-public action,
meeting or document), its tags (PDF/UA: structure tree, marked, title shown, language), the
refusal of any address outside the site, and its cache until the next write.
"""

import datetime
import io
import os
import socket
from decimal import Decimal
from unittest import mock

import pypdf
import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Document, Funding, Milestone, Status
from actions.services import validate_annual_plan
from teritoire import pdf
from teritoire.templatetags.portal import date_fr
from tests.actions.factories import (
    ActionFactory,
    DocumentFactory,
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgressUpdateFactory,
)
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, CopilMeetingFactory, DecisionFactory

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as missing:  # OSError: WeasyPrint without its system libraries
    if os.environ.get("CI"):
        raise  # CI tests the PDFs: the README names the Debian packages
    pytest.skip(f"WeasyPrint indisponible ({missing}) : PDF non testés", allow_module_level=True)

D = Decimal


def read(response):
    """The PDF of `response`: (reader, text of every page, pages joined)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def normal(text):
    """Extracted text with every run of spaces, no-break ones and line breaks as one space."""
    return " ".join(text.split())


@pytest.fixture
def fiche(db):
    """A public fiche with money, an indicator, a note, a public and a private decision and
    document."""
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    action = ActionFactory(
        code="1.3",
        title="Apprentissage dans les PME",
        description="Accompagner **les entreprises** vers l'apprentissage.",
        objectives="- Passer de 18 à 45 contrats",
        status=Status.IN_PROGRESS,
        progress=35,
    )
    FundingFactory(action=action, funder=region, year=2024, planned_amount=D("12000"))
    indicator = IndicatorFactory(action=action, name="Contrats signés", unit="contrats")
    MeasurementFactory(indicator=indicator, value=D("31"), date=datetime.date(2025, 9, 30))
    ProgressUpdateFactory(action=action, text="Forum de l'apprentissage au printemps.")
    public_meeting = CopilMeetingFactory(phase=action.phase)
    private_meeting = CopilMeetingFactory(
        phase=action.phase, date=datetime.date(2024, 6, 1), is_public=False
    )
    action.decisions.add(
        DecisionFactory(meeting=public_meeting, text="Lancer un forum des métiers"),
        DecisionFactory(meeting=private_meeting, text="Décision confidentielle du bureau"),
    )
    DocumentFactory(action=action, title="Bilan public 2024")
    DocumentFactory(action=action, title="Note interne", visibility=Document.Visibility.STAFF)
    return action


class TestFichePdf:
    def test_what_the_public_page_shows_and_nothing_private(self, client, fiche):
        response = client.get(reverse("actions:detail_pdf", args=[fiche.slug]))
        reader, text = read(response)
        text = normal(text)
        for heading in ("Description", "Objectifs", "Budget", "Indicateurs", "Suivi de l'action"):
            assert heading in text
        assert "Apprentissage dans les PME" in text
        assert "12 000 €" in text and "35 %" in text
        assert "Forum de l'apprentissage au printemps." in text
        assert "Lancer un forum des métiers" in text and "Bilan public 2024" in text
        assert "Décision confidentielle du bureau" not in text
        assert "Note interne" not in text
        assert f"Page 1 sur {len(reader.pages)}" in text
        assert "Document généré le " in text
        assert "Donnée de démonstration" not in text
        assert 'filename="fiche-action-' in response["Content-Disposition"]

    def test_tagged_with_a_title_and_french(self, client, fiche):
        reader, _ = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert bool(root["/MarkInfo"]["/Marked"])
        assert root["/Lang"] == "fr"
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        assert reader.metadata.title == "Action 1.3 — Apprentissage dans les PME"

    def test_a_demonstration_fiche_says_so(self, client, fiche):
        Action.objects.filter(pk=fiche.pk).update(is_demo=True)
        _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        assert "Donnée de démonstration" in text

    @pytest.mark.parametrize("change", [{"is_public": False}, {"is_archived": True}])
    @pytest.mark.parametrize("staff", [False, True])
    def test_no_pdf_of_a_fiche_the_public_cannot_see(self, client, fiche, change, staff):
        Action.objects.filter(pk=fiche.pk).update(**change)
        if staff:
            client.force_login(StaffFactory())
        response = client.get(reverse("actions:detail_pdf", args=[fiche.slug]))
        assert response.status_code == 404

    def test_linked_from_the_fiche_page_only_when_public(self, client, fiche):
        url = reverse("actions:detail_pdf", args=[fiche.slug])
        assert url in client.get(fiche.get_absolute_url()).content.decode()
        Action.objects.filter(pk=fiche.pk).update(is_public=False)
        client.force_login(StaffFactory())
        page = client.get(fiche.get_absolute_url())
        assert page.status_code == 200 and url not in page.content.decode()


class TestFicheFollowThrough:
    """Issue 13: the milestones, « Qui contacter » and the funding line from plan to payment."""

    def test_milestones_summary_and_list(self, client, fiche):
        today = timezone.localdate()
        day = datetime.timedelta(days=1)
        Milestone.objects.create(
            action=fiche, order=1, title="Convention signée", due_date=today - 30 * day,
            done_on=today - 40 * day, note="Signée au COPIL",
        )  # fmt: skip
        Milestone.objects.create(action=fiche, order=2, title="Premier forum", due_date=today - day)
        Milestone.objects.create(
            action=fiche, order=3, title="Bilan annuel", due_date=today + 60 * day
        )
        _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        text = normal(text)
        assert "35 % (1 jalon sur 3 atteint, 1 en retard)" in text
        assert "Jalons" in text and "Signée au COPIL" in text
        assert f"Convention signée Signée au COPIL Atteint {date_fr(today - 30 * day)}" in text
        assert f"Premier forum En retard {date_fr(today - day)} —" in text
        assert f"Bilan annuel À venir {date_fr(today + 60 * day)}" in text

    def test_no_milestone_section_without_milestones(self, client, fiche):
        _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        assert "Jalons" not in text and "jalon sur" not in text

    def test_contact_is_the_referent_only_with_consent(self, client, fiche):
        pilot = fiche.pilot
        pilot.public_email = "contact@pilote.example"
        pilot.save()
        fiche.referent_name, fiche.referent_email = "Camille Durand", "c.durand@pilote.example"
        fiche.eligibility = "Les PME industrielles du territoire."
        fiche.save()
        _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        text = normal(text)
        assert "Qui contacter ?" in text and "contact@pilote.example" in text
        assert "Camille Durand" not in text and "c.durand@" not in text
        assert "Qui peut en bénéficier ? Les PME industrielles du territoire." in text

        Action.objects.filter(pk=fiche.pk).update(referent_consent=True)
        caches["default"].clear()
        _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        assert "Camille Durand" in text and "c.durand@pilote.example" in text

    def test_funding_columns_from_plan_to_payment(self, client, fiche):
        Funding.objects.filter(action=fiche).update(
            status=Funding.Status.GRANTED, decision_date=datetime.date(2024, 3, 1),
            granted_amount=D("10000"), actual_amount=D("4000"), paid_amount=D("2500"),
        )  # fmt: skip
        _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        text = normal(text)
        for header in ("Statut", "Prévu", "Accordé", "Réalisé", "Versé"):
            assert header in text
        assert "Accordé le 1er mars 2024 12 000 € 10 000 € 4 000 € 2 500 €" in text
        assert "Budget accordé 10 000 €" in text


class TestNoThirdPartyRequest:
    def test_only_local_files_and_data_are_allowed(self):
        css = pdf.static_url("css/print.css")
        assert css.startswith("file:///") and pdf.is_allowed(css)
        assert pdf.is_allowed("data:image/png;base64,iVBORw0KGgo=")
        for url in (
            "https://tracker.example/pixel.png",
            "http://127.0.0.1:8000/static/css/site.css",
            "file:///etc/passwd",
            "file://evil.example/static/css/print.css",
            "ftp://example.org/x.png",
        ):
            assert not pdf.is_allowed(url), url

    def test_the_fetcher_refuses_another_host_without_connecting(self):
        import weasyprint

        fetcher = pdf._fetcher(weasyprint)
        html = '<html lang="fr"><title>t</title><img src="https://tracker.example/p.png" alt="">'
        with (
            mock.patch.object(socket, "create_connection", no_network),
            mock.patch.object(socket.socket, "connect", no_network),
        ):
            with pytest.raises(ValueError, match="Ressource refusée"):
                fetcher.fetch("https://tracker.example/p.png")
            assert fetcher.fetch(pdf.static_url("css/print.css")).read().startswith(b"/*")
            content = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
        assert content.startswith(b"%PDF")

    def test_a_fiche_is_generated_without_any_connection(self, client, fiche):
        fiche.description = "Voir ![plan](https://tracker.example/pixel.png) ci-joint."
        fiche.save()
        with (
            mock.patch.object(socket, "create_connection", no_network),
            mock.patch.object(socket.socket, "connect", no_network),
        ):
            _, text = read(client.get(reverse("actions:detail_pdf", args=[fiche.slug])))
        assert "Voir" in text and "tracker" not in text


def no_network(*args, **kwargs):
    raise AssertionError(f"connexion réseau tentée : {args}")


@pytest.fixture
def plan(db):
    """The 2024 plan: two public actions, one private, frozen; then edits and a private action
    added since."""
    axis = AxisFactory(number=1, name="Compétences")
    region = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
    a = ActionFactory(axis=axis, code="1.1", title="Plateforme RH", status=Status.PLANNED)
    b = ActionFactory(axis=axis, code="1.2", title="Job dating")
    secret = ActionFactory(axis=axis, code="1.3", title="Projet confidentiel", is_public=False)
    FundingFactory(action=a, funder=region, year=2024, planned_amount=D("10000"))
    FundingFactory(action=b, funder=region, year=2024, planned_amount=D("5000"))
    FundingFactory(action=secret, funder=region, year=2024, planned_amount=D("777000"))
    meeting = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 1, 25))
    plan = validate_annual_plan(meeting, 2024)
    Action.objects.filter(pk=a.pk).update(status=Status.IN_PROGRESS)
    Funding.objects.filter(action=b).update(planned_amount=D("6500"))
    ActionFactory(axis=axis, code="1.4", title="Fiche ajoutée en secret", is_public=False)
    return plan


class TestPlanPdf:
    def test_the_public_figures_of_the_html_page(self, client, plan):
        url = reverse("actions:plan_pdf", args=[2024])
        reader, text = read(client.get(url))
        text = normal(text)
        html = normal(client.get(reverse("actions:plan", args=[2024])).content.decode())
        assert "Plan d'actions 2024 validé" in text
        assert "Ce qui a changé depuis la validation" in text
        assert "Le plan tel qu'il a été validé" in text
        assert "Plateforme RH" in text and "Job dating" in text
        assert "15 000 €" in text and "15 000 €" in html  # public total at the validation
        assert "16 500 € aujourd'hui" in text and "16 500 € aujourd'hui" in html
        assert "Statut : À venir → En cours." in text
        assert "Région : 5 000 € → 6 500 €" in text
        assert f"Page 1 sur {len(reader.pages)}" in text
        for secret in ("Projet confidentiel", "Fiche ajoutée en secret", "777 000", "792 000"):
            assert secret not in text
        assert reader.metadata.title.startswith("Plan d'actions 2024 validé")
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "fr" and "/StructTreeRoot" in root
        assert bool(root["/MarkInfo"]["/Marked"])

    def test_staff_get_the_public_document(self, client, plan):
        client.force_login(StaffFactory())
        _, text = read(client.get(reverse("actions:plan_pdf", args=[2024])))
        assert "Projet confidentiel" not in text

    def test_a_meeting_that_is_not_public_is_not_named(self, client, plan):
        plan.meeting.is_public = False
        plan.meeting.save()
        _, text = read(client.get(reverse("actions:plan_pdf", args=[2024])))
        assert "Validé en comité de pilotage" in normal(text)
        assert "25 janvier 2024" not in text

    def test_a_demonstration_plan_says_so(self, client, plan):
        _, text = read(client.get(reverse("actions:plan_pdf", args=[2024])))
        assert "données de démonstration" not in text
        plan.meeting.is_demo = True
        plan.meeting.save()
        _, text = read(client.get(reverse("actions:plan_pdf", args=[2024])))
        assert "Inclut des données de démonstration" in text

    def test_an_older_version_and_an_unknown_year(self, client, plan):
        Action.objects.filter(code="1.2").update(status=Status.DONE)
        validate_annual_plan(plan.meeting, 2024)
        _, text = read(client.get(reverse("actions:plan_pdf", args=[2024]), {"version": plan.pk}))
        assert "validé 2 fois" in normal(text)  # a line may break anywhere in it
        assert client.get(reverse("actions:plan_pdf", args=[2031])).status_code == 404

    def test_linked_from_the_plan_page(self, client, plan):
        page = client.get(reverse("actions:plan", args=[2024])).content.decode()
        assert reverse("actions:plan_pdf", args=[2024]) in page


class TestCache:
    @pytest.fixture
    def shared_cache(self, settings, tmp_path):
        """A cache the page cache counts as shared (not per process), so versions move."""
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
        yield caches["default"]
        caches["default"].clear()

    def test_generated_once_until_the_next_write(
        self, client, fiche, shared_cache, django_capture_on_commit_callbacks
    ):
        url = reverse("actions:detail_pdf", args=[fiche.slug])
        with mock.patch.object(pdf, "render", wraps=pdf.render) as render:
            first = client.get(url).content
            assert client.get(url).content == first
            assert render.call_count == 1
            with django_capture_on_commit_callbacks(execute=True):
                fiche.title = "Apprentissage dans les TPE"
                fiche.save()
            _, text = read(client.get(url))
            assert render.call_count == 2
        assert "Apprentissage dans les TPE" in text

    def test_a_document_over_the_limit_is_not_kept(self, client, fiche, shared_cache, settings):
        settings.PDF_CACHE_MAX_BYTES = 1000
        url = reverse("actions:detail_pdf", args=[fiche.slug])
        with mock.patch.object(pdf, "render", wraps=pdf.render) as render:
            client.get(url)
            client.get(url)
        assert render.call_count == 2

    def test_not_kept_with_a_per_process_cache(self, client, fiche):
        """Versions only move with a shared cache: a local one would serve stale documents."""
        url = reverse("actions:detail_pdf", args=[fiche.slug])
        with mock.patch.object(pdf, "render", wraps=pdf.render) as render:
            client.get(url)
            client.get(url)
        assert render.call_count == 2


def test_without_weasyprint_a_page_in_french_says_so(client, fiche):
    with mock.patch.object(pdf, "_weasyprint", side_effect=pdf.Unavailable("absent")):
        response = client.get(reverse("actions:detail_pdf", args=[fiche.slug]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "Document PDF indisponible" in page and '<html lang="fr">' in page
