"""The fiche action admin as the chef de projet uses it every day."""

import datetime
from decimal import Decimal

import factory
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Document, Funding, Status
from tests.actions.factories import ActionFactory, FundingFactory, ProgressUpdateFactory
from tests.budget import assert_no_n_plus_one, bulk, bulk_actions, bulk_fundings
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, IntercommunalityFactory

CHANGELIST = reverse("admin:actions_action_changelist")
THIS_YEAR = timezone.localdate().year


def change_url(action):
    return reverse("admin:actions_action_change", args=[action.pk])


def form_data(response):
    """The POST data of an admin change page as it was rendered (main form and inlines)."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif hasattr(value, "pk"):
                data[key] = str(value.pk)
            elif hasattr(value, "url") or hasattr(value, "read"):
                continue
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


class TestChangelist:
    def test_columns_show_budget_of_the_year_and_last_update(self, client, staff):
        action = ActionFactory(code="2.3", title="Job dating de l'industrie")
        FundingFactory(action=action, year=THIS_YEAR, planned_amount=Decimal("12000"))
        FundingFactory(action=action, year=THIS_YEAR, planned_amount=Decimal("500"))
        FundingFactory(action=action, year=THIS_YEAR - 1, planned_amount=Decimal("99999"))
        ProgressUpdateFactory(action=action, date=datetime.date(2024, 3, 14))
        ProgressUpdateFactory(action=action, date=datetime.date(2024, 5, 2))
        page = client.get(CHANGELIST).content.decode()
        assert "2.3" in page and "Job dating de l&#x27;industrie" in page
        assert "budget prévu de l&#x27;année" in page.lower()
        assert "12\u00a0500\u00a0€" in page
        assert "99\u00a0999" not in page
        assert "02/05/2024" in page

    def test_same_queries_with_1_and_200_actions(self, client, staff, count_queries):
        pilot, axis = OrganisationFactory(), AxisFactory()
        first = ActionFactory(
            pilot=pilot, axis=axis, intercommunalities=[IntercommunalityFactory()]
        )
        FundingFactory(action=first, year=THIS_YEAR)
        few = count_queries(CHANGELIST)
        actions = bulk_actions(
            199, axis=axis, pilot=factory.Iterator(bulk(OrganisationFactory, 199))
        )
        bulk_fundings(actions, year=THIS_YEAR)
        bulk(ProgressUpdateFactory, 199, action=factory.Iterator(actions))
        many = count_queries(CHANGELIST)
        assert_no_n_plus_one(few, many, budget=None)
        assert many.response.context["cl"].result_count == 200

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("status__exact=blocked", {"1.2"}),
            ("priority__exact=high", {"1.1"}),
            ("annee=2023", {"1.2"}),
            ("q=AICR", {"1.1"}),
            ("q=1.2", {"1.2"}),
            ("suivi=sans-nouvelles", {"1.2"}),
        ],
    )
    def test_filters_and_search(self, client, staff, query, expected):
        old = timezone.now() - datetime.timedelta(days=400)
        aicr = OrganisationFactory(
            name="Association des industriels du Castelrenaudais", acronym="AICR"
        )
        first = ActionFactory(code="1.1", priority="high", pilot=aicr)
        ProgressUpdateFactory(action=first, date=timezone.localdate())
        second = ActionFactory(code="1.2", status=Status.BLOCKED, priority="low")
        Action.objects.filter(pk=second.pk).update(created_at=old)
        FundingFactory(action=second, year=2023)
        response = client.get(f"{CHANGELIST}?{query}")
        assert {a.code for a in response.context["cl"].result_list} == expected

    def test_filter_by_axis_pilot_and_intercommunality(self, client, staff):
        cc = IntercommunalityFactory(name="CC du Val d'Amboise")
        a = ActionFactory(code="1.1", intercommunalities=[cc])
        b = ActionFactory(code="1.2")
        for query, expected in [
            (f"axis__id__exact={a.axis_id}", {"1.1"}),
            (f"pilot__id__exact={b.pilot_id}", {"1.2"}),
            (f"intercommunalities__id__exact={cc.pk}", {"1.1"}),
            (f"phase__id__exact={a.phase_id}", {"1.1", "1.2"}),
        ]:
            response = client.get(f"{CHANGELIST}?{query}")
            assert {x.code for x in response.context["cl"].result_list} == expected, query


def selection(*actions):
    """The changelist's POST for `actions`: their checkboxes and the versions the list showed."""
    data = {"_selected_action": [a.pk for a in actions]}
    data.update({f"version-{a.pk}": str(a.version) for a in actions})
    return data


class TestBulkActions:
    def test_change_status_of_the_selection(self, client, staff):
        chosen = [ActionFactory(status=Status.IN_PROGRESS), ActionFactory(status=Status.DONE)]
        other = ActionFactory(status=Status.IN_PROGRESS)
        response = client.post(
            CHANGELIST, {"action": "set_status_done", **selection(*chosen)}, follow=True
        )
        assert "1 fiche(s) passée(s) au statut « Réalisée ». 1 fiche(s) y étai(en)t déjà." in (
            response.content.decode()
        )
        first = Action.objects.get(pk=chosen[0].pk)
        assert first.status == Status.DONE and first.version == 2 and first.updated_by == staff
        assert first.history.first().history_change_reason.startswith("Statut passé à « Réalisée »")
        assert first.history.first().history_user == staff
        assert Action.objects.get(pk=chosen[1].pk).version == 1
        assert Action.objects.get(pk=other.pk).status == Status.IN_PROGRESS
        assert LogEntry.objects.filter(object_id=str(first.pk)).exists()

    def test_every_status_has_a_french_bulk_action(self, client, staff):
        ActionFactory()
        page = client.get(CHANGELIST).content.decode()
        for status in Status:
            assert f"Passer au statut « {status.label} »" in page
        assert "Archiver les fiches sélectionnées" in page

    def test_archive_the_selection(self, client, staff):
        action = ActionFactory()
        client.post(CHANGELIST, {"action": "archive", **selection(action)})
        action.refresh_from_db()
        assert action.is_archived and action.version == 2


class TestChangeForm:
    def test_saving_sets_author_bumps_version_and_saves_inlines(self, client, staff):
        action = ActionFactory(title="Ancien titre")
        funder = OrganisationFactory(name="Région Centre-Val de Loire", acronym="Région")
        data = form_data(client.get(change_url(action)))
        data.update(
            {
                "title": "Nouveau titre",
                "fundings-TOTAL_FORMS": "1",
                "fundings-0-year": "2025",
                "fundings-0-funder": str(funder.pk),
                "fundings-0-kind": "investment",
                "fundings-0-status": "planned",
                "fundings-0-planned_amount": "15000.50",
                "documents-TOTAL_FORMS": "1",
                "documents-0-title": "Compte rendu",
                "documents-0-visibility": "public",
                "documents-0-file": SimpleUploadedFile("cr.pdf", b"%PDF-1.4 test"),
            }
        )
        response = client.post(change_url(action), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        action.refresh_from_db()
        assert action.title == "Nouveau titre"
        assert action.version == 2 and action.updated_by == staff
        funding = Funding.objects.get(action=action)
        assert (funding.funder, funding.planned_amount) == (funder, Decimal("15000.50"))
        assert funding.history.first().history_user == staff
        document = Document.objects.get(action=action)
        assert document.uploaded_by == staff and document.original_name == "cr.pdf"

    def test_a_change_made_meanwhile_is_not_overwritten(self, client, staff):
        action = ActionFactory(title="Titre")
        data = form_data(client.get(change_url(action)))
        Action.objects.filter(pk=action.pk).update(version=2, title="Titre du partenaire")
        data["title"] = "Titre de l'équipe"
        response = client.post(change_url(action), data)
        assert response.status_code == 200
        assert "modifiée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
        action.refresh_from_db()
        assert action.title == "Titre du partenaire"

    def test_end_before_start_is_refused_in_french(self, client, staff):
        action = ActionFactory()
        data = form_data(client.get(change_url(action)))
        data.update({"start_date": "2025-06-01", "end_date": "2025-01-01"})
        response = client.post(change_url(action), data)
        assert "La date de fin doit suivre la date de début." in response.content.decode()

    def test_inlines_are_shown(self, client, staff):
        action = ActionFactory()
        FundingFactory(action=action, planned_amount=Decimal("7777"))
        page = client.get(change_url(action)).content.decode()
        for heading in ("Financements", "Indicateurs", "Documents", "Notes de suivi"):
            assert heading in page
        assert 'value="7777.00"' in page


class TestHistoryAndRevert:
    def test_history_lists_changed_fields_and_revert_restores_them(self, client, staff):
        action = ActionFactory(
            title="Titre d'origine", progress=10, status=Status.PLANNED, with_history=True
        )
        data = form_data(client.get(change_url(action)))
        data.update({"title": "Titre modifié", "progress": "80", "status": "blocked"})
        assert client.post(change_url(action), data).status_code == 302

        history = client.get(reverse("admin:actions_action_history", args=[action.pk]))
        page = history.content.decode()
        assert "Titre d&#x27;origine" in page and "Titre modifié" in page
        assert "avancement (%)" in page.lower()
        assert staff.email in page or str(staff) in page

        original = action.history.earliest()
        revert_url = reverse(
            "admin:actions_action_simple_history", args=[action.pk, original.history_id]
        )
        response = client.get(revert_url)
        assert response.status_code == 200
        data = form_data(response)
        assert client.post(revert_url, data).status_code == 302
        action.refresh_from_db()
        assert (action.title, action.progress, action.status) == (
            "Titre d'origine", 10, Status.PLANNED
        )  # fmt: skip
        assert action.version == 3  # a revert is one more edit, never an old version number
        assert action.history.count() == 3

    def test_a_change_of_partners_is_in_the_history_and_reverts(self, client, staff):
        first, second = OrganisationFactory(name="ERET"), OrganisationFactory(name="GEIDA")
        action = ActionFactory(partners=[first], with_history=True)
        original = action.history.first()
        data = form_data(client.get(change_url(action)))
        data["partners"] = [str(second.pk)]
        assert client.post(change_url(action), data).status_code == 302
        assert set(action.partners.all()) == {second}
        latest = action.history.first()
        assert latest.history_user == staff
        assert [p.organisation for p in latest.partners.all()] == [second]

        revert_url = reverse(
            "admin:actions_action_simple_history", args=[action.pk, original.history_id]
        )
        response = client.get(revert_url)
        assert client.post(revert_url, form_data(response)).status_code == 302
        assert set(action.partners.all()) == {first}

    def test_funding_revert_restores_amount(self, client, staff):
        funding = FundingFactory(planned_amount=Decimal("1000"), with_history=True)
        url = reverse("admin:actions_funding_change", args=[funding.pk])
        data = form_data(client.get(url))
        data["planned_amount"] = "2500"
        assert client.post(url, data).status_code == 302
        original = funding.history.earliest()
        revert_url = reverse(
            "admin:actions_funding_simple_history", args=[funding.pk, original.history_id]
        )
        assert client.post(revert_url, form_data(client.get(revert_url))).status_code == 302
        funding.refresh_from_db()
        assert funding.planned_amount == Decimal("1000")


def test_pilot_autocomplete_finds_an_organisation_by_acronym(client, staff):
    aicr = OrganisationFactory(
        name="Association des industriels du Castelrenaudais", acronym="AICR"
    )
    OrganisationFactory(name="Banque des Territoires")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "actions", "model_name": "action", "field_name": "pilot", "term": "aicr"},
    )
    assert [item["id"] for item in response.json()["results"]] == [str(aicr.pk)]
