"""Privacy stated once and kept (issue 12, part 6): public pages and files name organisations,
never people; the legal notice says so and names the site's publisher, host and contact, which
production cannot start without."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.models import Document, Measurement
from actions.services import validate_annual_plan
from actions.writes import add_progress_note, save_action
from teritoire import checks
from tests.actions.factories import ActionFactory, FundingFactory, IndicatorFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import (
    AxisFactory,
    CommuneFactory,
    CopilMeetingFactory,
    DecisionFactory,
    NewsItemFactory,
)

NAMES = re.compile(r"jeanne|confidentielle", re.IGNORECASE)
# Areas that are not public: the admin, the partner space, the staff pages, the health probe.
PRIVATE_PREFIXES = ("admin/", "espace-partenaire/", "pilotage/", "sante/")


def public_addresses_without_parameters(patterns=None, prefix=""):
    """Every URL of the site that takes no parameter, outside the private areas: a page added
    later is walked without this test being told."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(PRIVATE_PREFIXES) or "<" in route:
            continue
        if isinstance(pattern, URLResolver):
            yield from public_addresses_without_parameters(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + route.replace("^", "").replace("$", "")


def readable(response):
    """A response's text, a spreadsheet's cells included."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # XLSX
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return content.decode("utf-8", errors="replace")


@pytest.fixture
def jeanne(db):
    """A person who did everything a person can do to an action, a plan and their follow-up."""
    person = StaffFactory(
        first_name="Jeanne", last_name="Confidentielle", email="jeanne.confidentielle@example.org"
    )
    pilot = OrganisationFactory(name="Association des industriels du Castelrenaudais")
    MembershipFactory(user=person, organisation=pilot)
    axis = AxisFactory(name="Compétences", slug="competences")
    cc = CommuneFactory().intercommunality
    meeting = CopilMeetingFactory(phase=axis.phase, date=datetime.date(2024, 1, 25))
    decision = DecisionFactory(meeting=meeting, text="Lancer la plateforme.")
    action = ActionFactory(
        axis=axis, phase=axis.phase, pilot=pilot, code="1.1", title="Plateforme RH",
        is_public=True, start_date=datetime.date(2024, 1, 1),
    )  # fmt: skip
    action.decisions.add(decision)
    FundingFactory(action=action, year=2024, funder=pilot)
    action = save_action(
        action.pk,
        {"progress": 40, "summary": "Recruter ensemble."},
        expected_version=action.version,
        user=person,
        reason="Modifiée dans l'administration",
    )
    add_progress_note(
        action, user=person, date=datetime.date(2024, 3, 1), text="Premier atelier tenu."
    )
    indicator = IndicatorFactory(action=action)
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2024, 3, 1), value=3, author=person
    )
    Document.objects.create(
        action=action,
        title="Compte rendu d'atelier",
        file=SimpleUploadedFile("atelier.pdf", b"%PDF-1.4 atelier", "application/pdf"),
        visibility="public",
        uploaded_by=person,
    )
    validate_annual_plan(meeting, 2024, user=person)
    NewsItemFactory(title="Lancement de la plateforme")
    return {"person": person, "action": action, "pilot": pilot, "axis": axis, "cc": cc}


def test_no_person_is_named_on_any_public_page_or_file(client, jeanne):
    """Walk every public address without parameters, then the pages of each object."""
    action, axis, pilot = jeanne["action"], jeanne["axis"], jeanne["pilot"]
    meeting = action.decisions.get().meeting
    addresses = set(public_addresses_without_parameters()) | {
        action.get_absolute_url(),
        axis.get_absolute_url(),
        reverse("directory:detail", args=[pilot.slug]),
        meeting.get_absolute_url(),
        reverse("actions:plan", args=[2024]),
        reverse("programme:news_detail", args=["lancement-de-la-plateforme"]),
        reverse("programme:intercommunality", args=[jeanne["cc"].slug]),
        reverse("actions:list") + "?q=Plateforme",
    }
    assert len(addresses) > 20
    for address in sorted(addresses):
        response = client.get(address)
        assert response.status_code == 200, address
        found = NAMES.findall(readable(response))
        assert not found, f"{address} names a person: {found}"


def test_action_page_says_when_not_who(client, jeanne):
    page = client.get(jeanne["action"].get_absolute_url()).content.decode()
    assert "Modifiée le" in page
    assert "Jeanne" not in page and "Confidentielle" not in page


class TestLegalNotice:
    def test_states_the_rule(self, client, db):
        page = client.get(reverse("legal")).content.decode()
        assert "Les noms des personnes qui utilisent le portail ne sont pas publiés." in page
        # the one exception, a referent who agreed to be shown, is stated with its limits
        assert "lorsqu'il a donné son accord" in page
        assert "Ces coordonnées ne figurent pas dans les données ouvertes." in page

    def test_names_publisher_host_and_contact_from_settings(self, settings, db):
        settings.PUBLISHER_NAME = "Communauté de communes du Castelrenaudais"
        settings.PUBLISHER_ADDRESS = "5 rue du Four, 37110 Château-Renault"
        settings.PUBLICATION_DIRECTOR = "La présidente de la communauté de communes"
        settings.HOST_NAME = "Hébergeur Public SAS"
        settings.HOST_ADDRESS = "12 quai des Serveurs, 69000 Lyon"
        settings.CONTACT_EMAIL = "contact@portail.example.org"
        request = RequestFactory().get(reverse("legal"))
        page = render_to_string(
            "pages/legal.html", {"legal_notice": checks.legal_notice()}, request=request
        )
        for value in (
            "Communauté de communes du Castelrenaudais",
            "5 rue du Four, 37110 Château-Renault",
            "La présidente de la communauté de communes",
            "Hébergeur Public SAS",
            "12 quai des Serveurs, 69000 Lyon",
            'href="mailto:contact@portail.example.org"',
        ):
            assert value.replace("'", "&#x27;") in page, value
        assert "sont des exemples" not in page

    def test_development_examples_are_marked(self, db):
        request = RequestFactory().get(reverse("legal"))
        page = render_to_string(
            "pages/legal.html", {"legal_notice": checks.legal_notice()}, request=request
        )
        assert "sont des exemples" in page and "(exemple)" in page

    def test_the_legal_page_shows_them(self, client, settings, db):
        """Needs `teritoire.views.legal` to pass `checks.legal_notice()` as `legal_notice`."""
        settings.HOST_NAME = "Hébergeur Public SAS"
        page = client.get(reverse("legal")).content.decode()
        assert "Hébergeur Public SAS" in page


class TestDeployCheck:
    SET = {
        "PUBLISHER_NAME": "Communauté de communes du Castelrenaudais",
        "PUBLISHER_ADDRESS": "5 rue du Four, 37110 Château-Renault",
        "PUBLICATION_DIRECTOR": "La présidente",
        "HOST_NAME": "Hébergeur Public SAS",
        "HOST_ADDRESS": "12 quai des Serveurs, 69000 Lyon",
        "CONTACT_EMAIL": "contact@portail.example.org",
    }

    def run(self):
        from django.core.checks import registry

        return [
            error
            for error in registry.run_checks(include_deployment_checks=True, tags=["legal"])
            if error.id.startswith("teritoire.")
        ]

    def test_production_refuses_to_start_without_publisher_and_host(self, settings):
        for name, value in self.SET.items():
            setattr(settings, name, value)
        settings.PUBLISHER_NAME = ""
        settings.HOST_NAME = settings.LEGAL_NOTICE_EXAMPLES["HOST_NAME"]  # left as the example
        errors = self.run()
        assert [error.id for error in errors] == ["teritoire.E001"]
        assert "PUBLISHER_NAME (l'éditeur du site)" in errors[0].msg
        assert "HOST_NAME (l'hébergeur)" in errors[0].msg
        assert "PUBLISHER_ADDRESS" not in errors[0].msg
        assert errors[0].msg.startswith("Les mentions légales doivent nommer")

    def test_a_contact_that_is_not_an_address_is_refused(self, settings):
        for name, value in self.SET.items():
            setattr(settings, name, value)
        settings.CONTACT_EMAIL = "écrivez-nous"
        assert [error.id for error in self.run()] == ["teritoire.E002"]

    def test_all_set_passes(self, settings):
        for name, value in self.SET.items():
            setattr(settings, name, value)
        assert self.run() == []
