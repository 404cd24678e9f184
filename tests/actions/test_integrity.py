"""Integrity in the admin (issue 12, part 5): an action's axis belongs to its phase, on every write
path and in the database; a new fiche is a draft until staff publish it; codes are named with
their phase where both phases appear."""

import datetime
import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from actions.spreadsheet.resources import ActionResource
from actions.writes import save_action
from tests.actions.factories import ActionFactory
from tests.actions.test_admin_actions import form_data
from tests.actions.test_import_export import IMPORT_URL, csv_file, line, preview
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, PhaseFactory

MISMATCH = (
    "L'axe choisi appartient à la phase 2\u00a0; choisissez un axe de la phase 1 ou changez "
    "de phase."
)
ADD_URL = reverse("admin:actions_action_add")
CHANGELIST = reverse("admin:actions_action_changelist")


@pytest.fixture
def phases(db):
    """Phase 1 (2019-2022) and phase 2 (from 2023), each with its axis 1."""
    phase1 = PhaseFactory(
        number=1,
        name="Phase 1 (2019-2022)",
        start_date=datetime.date(2019, 3, 1),
        end_date=datetime.date(2022, 12, 31),
    )
    phase2 = PhaseFactory(number=2)
    return {
        "phase1": phase1,
        "phase2": phase2,
        "attirer": AxisFactory(phase=phase1, number=1, name="Attirer", slug="phase-1-attirer"),
        "skills": AxisFactory(phase=phase2, number=1, name="Compétences", slug="competences"),
    }


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


def text(response):
    return html.unescape(response.content.decode())


def add_form(pilot, phase, axis, **extra):
    data = {
        "phase": phase.pk,
        "axis": axis.pk,
        "code": "1.1",
        "title": "Le Rubixco",
        "slug": "le-rubixco",
        "status": "planned",
        "priority": "medium",
        "progress": "0",
        "pilot": pilot.pk,
    }
    data.update(extra)
    return data


def inline_prefixes(client):
    """The management form prefixes of the add page's inlines, as the admin names them."""
    response = client.get(ADD_URL)
    return [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]


def post_add(client, data):
    for prefix in inline_prefixes(client):
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return client.post(ADD_URL, data)


class TestAxisBelongsToPhase:
    def test_the_database_refuses_an_axis_of_another_phase(self, phases):
        """The trigger of migration `action_draft_by_default`, on SQLite and PostgreSQL."""
        pilot = OrganisationFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Action.objects.create(
                phase=phases["phase1"], axis=phases["skills"], code="1.1", title="x",
                slug="x", pilot=pilot,
            )  # fmt: skip
        action = ActionFactory(phase=phases["phase1"], axis=phases["attirer"])
        with pytest.raises(IntegrityError), transaction.atomic():
            Action.objects.filter(pk=action.pk).update(axis=phases["skills"])
        with pytest.raises(IntegrityError), transaction.atomic():
            Action.objects.filter(pk=action.pk).update(phase=phases["phase2"])
        # Nor may the axis move to another phase under its actions.
        with pytest.raises(IntegrityError), transaction.atomic():
            type(phases["attirer"]).objects.filter(pk=phases["attirer"].pk).update(
                phase=phases["phase2"]
            )
        action.refresh_from_db()
        assert (action.phase, action.axis) == (phases["phase1"], phases["attirer"])
        # Both changed together stay consistent, and are accepted.
        Action.objects.filter(pk=action.pk).update(phase=phases["phase2"], axis=phases["skills"])

    def test_model_validation_names_the_axis_field_in_french(self, phases):
        action = ActionFactory.build(
            phase=phases["phase1"], axis=phases["skills"], pilot=OrganisationFactory()
        )
        with pytest.raises(ValidationError) as error:
            action.full_clean()
        assert error.value.message_dict["axis"] == [MISMATCH]

    def test_admin_add_form_shows_the_error_beside_the_axis(self, client, staff, phases):
        pilot = OrganisationFactory()
        response = post_add(client, add_form(pilot, phases["phase1"], phases["skills"]))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["axis"] == [MISMATCH]
        assert MISMATCH in text(response)
        assert not Action.objects.exists()

    def test_admin_change_form_refuses_to_move_the_axis_to_another_phase(
        self, client, staff, phases
    ):
        action = ActionFactory(phase=phases["phase1"], axis=phases["attirer"], code="1.1")
        url = reverse("admin:actions_action_change", args=[action.pk])
        data = form_data(client.get(url))
        data["axis"] = str(phases["skills"].pk)
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["axis"] == [MISMATCH]
        action.refresh_from_db()
        assert action.axis == phases["attirer"] and action.version == 1

    def test_save_action_refuses_and_writes_nothing(self, phases):
        action = ActionFactory(phase=phases["phase1"], axis=phases["attirer"])
        with pytest.raises(ValidationError) as error:
            save_action(
                action.pk,
                {"axis": phases["skills"]},
                expected_version=action.version,
                user=None,
                reason="test",
            )
        assert error.value.message_dict["axis"] == [MISMATCH]
        action.refresh_from_db()
        assert action.axis == phases["attirer"] and action.version == 1

    def test_partner_fiche_cannot_change_the_axis_or_phase(self, client, phases):
        action = ActionFactory(
            phase=phases["phase1"], axis=phases["attirer"], code="1.1", summary="Avant."
        )
        client.force_login(MembershipFactory(organisation=action.pilot).user)
        response = client.post(
            reverse("space:action_edit", args=[action.pk]),
            {
                "status": "in_progress",
                "progress": "40",
                "summary": "Après.",
                "description": "",
                "start_date": "",
                "end_date": "",
                "version": action.version,
                "axis": phases["skills"].pk,
                "phase": phases["phase2"].pk,
            },
        )
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.summary == "Après."  # the form was saved…
        assert (action.phase, action.axis) == (phases["phase1"], phases["attirer"])  # …not those

    @pytest.mark.parametrize("cell", ["Compétences", "Axe 1 — Compétences", "1 Compétences"])
    def test_import_names_the_phase_of_the_axis_it_refuses(self, client, staff, phases, cell):
        OrganisationFactory(name="Association des industriels du Castelrenaudais", acronym="AICR")
        row = line(phase="1", code="1.1", axis=cell, title="Le Rubixco", pilot="AICR")
        response = preview(client, csv_file(row))
        assert "confirm_form" not in response.context
        assert MISMATCH in text(response)
        assert not Action.objects.exists()

    def test_import_row_error_carries_the_french_message(self, phases):
        """The import validates each row's fiche with the model (`validate_instance`), so a
        mismatch that reached it is the row's error under the column « Axe »."""
        action = Action(
            phase=phases["phase1"], axis=phases["skills"], code="1.1", title="x", slug="x",
            pilot=OrganisationFactory(),
        )  # fmt: skip
        with pytest.raises(ValidationError) as error:
            ActionResource().validate_instance(action)
        assert error.value.message_dict["Axe"] == [MISMATCH]
        assert IMPORT_URL  # the same resource the admin's import uses


class TestDraftUntilPublished:
    def test_a_new_fiche_is_a_draft_then_published_by_staff(self, client, staff, phases):
        add_page = client.get(ADD_URL)
        assert add_page.context["adminform"].form["is_public"].value() is False
        assert "Brouillon" in text(add_page) and ">Publier</button>" in text(add_page)
        pilot = OrganisationFactory()
        response = post_add(client, add_form(pilot, phases["phase2"], phases["skills"]))
        assert response.status_code == 302, response.context["adminform"].form.errors
        action = Action.objects.get()
        assert not action.is_public
        client.logout()
        assert client.get(action.get_absolute_url()).status_code == 404
        assert "Le Rubixco" not in text(client.get(reverse("actions:list")))

        client.force_login(staff)
        changelist = text(client.get(CHANGELIST))
        assert "Brouillon" in changelist
        response = client.post(
            CHANGELIST,
            {
                "action": "publish",
                "_selected_action": [action.pk],
                f"version-{action.pk}": action.version,
            },
            follow=True,
        )
        assert "1 fiche(s) publiée(s)." in text(response)
        client.logout()
        assert client.get(action.get_absolute_url()).status_code == 200

    def test_the_publier_button_of_the_change_form(self, client, staff, phases):
        action = ActionFactory(phase=phases["phase2"], axis=phases["skills"], is_public=False)
        url = reverse("admin:actions_action_change", args=[action.pk])
        page = client.get(url)
        assert 'name="_publish"' in text(page) and ">Publier</button>" in text(page)
        data = form_data(page)
        data["_publish"] = "1"
        assert client.post(url, data).status_code == 302
        action.refresh_from_db()
        assert action.is_public and action.version == 2
        assert action.history.first().history_change_reason == "Modifiée dans l'administration"

    def test_model_default_is_a_draft(self, phases):
        action = Action(phase=phases["phase2"], axis=phases["skills"])
        assert action.is_public is False


class TestPhaseNamed:
    def test_add_form_preselects_the_current_phase(self, client, staff, phases):
        form = client.get(ADD_URL).context["adminform"].form
        today = timezone.localdate()
        assert today.year >= 2023
        assert form.initial["phase"] == phases["phase2"].pk

    def test_changelist_codes_and_axis_filter_name_the_phase(self, client, staff, phases):
        ActionFactory(phase=phases["phase1"], axis=phases["attirer"], code="1.1")
        ActionFactory(phase=phases["phase2"], axis=phases["skills"], code="1.1")
        page = text(client.get(CHANGELIST))
        assert "P1 · 1.1" in page and "P2 · 1.1" in page
        assert "Phase 1 — Axe 1 — Attirer" in page
        assert "Phase 2 — Axe 1 — Compétences" in page

    def test_admin_selects_and_autocomplete_name_the_phase(self, client, staff, phases):
        old = ActionFactory(phase=phases["phase1"], axis=phases["attirer"], code="1.1")
        ActionFactory(phase=phases["phase2"], axis=phases["skills"], code="1.1")
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "term": "1.1",
                "app_label": "actions",
                "model_name": "funding",
                "field_name": "action",
            },
        )
        labels = sorted(item["text"] for item in json.loads(response.content)["results"])
        assert labels[0].startswith("P1 · 1.1 — ") and labels[1].startswith("P2 · 1.1 — ")
        # The action chosen in a funding line's form.
        page = text(client.get(reverse("admin:actions_funding_add"), {"action": old.pk}))
        assert f"P1 · 1.1 — {old.title}" in page
        # The axis list of the fiche's form.
        page = text(client.get(ADD_URL))
        assert "Phase 1 — Axe 1 — Attirer" in page

    def test_str_never_queries_for_the_phase(self, phases, django_assert_num_queries):
        ActionFactory(phase=phases["phase1"], axis=phases["attirer"], code="1.1", title="Rub")
        with django_assert_num_queries(1):
            assert str(Action.objects.get()) == "1.1 — Rub"
        with django_assert_num_queries(1):
            assert str(Action.objects.select_related("phase").get()) == "P1 · 1.1 — Rub"
