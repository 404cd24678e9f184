"""The admin's history pages speak plain French: labels, display values, whole texts."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.admin.action import ActionAdmin
from actions.models import Action, Status
from actions.writes import save_action
from tests.actions.factories import ActionFactory, DocumentFactory, FundingFactory
from tests.budget import measure
from tests.partners.factories import OrganisationFactory, StaffFactory

OLD_TEXT = "Beaucoup d'entreprises du territoire cherchent des soudeurs. " * 5 + "fin ancienne"
NEW_TEXT = "Beaucoup d'entreprises du territoire cherchent des soudeurs. " * 5 + "fin nouvelle"


@pytest.fixture
def staff(client, db):
    user = StaffFactory()
    client.force_login(user)
    return user


def history_page(client, obj):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def edit(action, user, **changes):
    return save_action(
        action.pk, changes, expected_version=action.version, user=user, reason="Essai"
    )


class TestActionHistory:
    def test_changes_are_shown_with_labels_and_display_values(self, client, staff):
        eret, geida = OrganisationFactory(name="ERET"), OrganisationFactory(name="GEIDA")
        action = ActionFactory(
            status=Status.PLANNED,
            pilot=eret,
            is_public=False,
            start_date=datetime.date(2024, 2, 1),
            description=OLD_TEXT,
            with_history=True,
        )
        edit(
            action,
            staff,
            status=Status.IN_PROGRESS,
            pilot=geida,
            is_public=True,
            start_date=None,
            description=NEW_TEXT,
        )
        page = history_page(client, action)

        assert "<strong>Statut</strong>" in page
        assert re.search(r"À venir\s*</span>.*?En cours", page, re.S)
        assert "in_progress" not in page and "planned" not in page
        assert re.search(r"<strong>Pilote</strong>.*?ERET.*?GEIDA", page, re.S)
        assert re.search(r"<strong>Publique</strong>.*?non\s*</span>.*?oui", page, re.S)
        assert re.search(r"<strong>Date de début</strong>.*?1er février 2024.*?—", page, re.S)
        assert "None" not in page and "True" not in page and "False" not in page
        # The whole texts, before and after, never shortened.
        assert OLD_TEXT in page and NEW_TEXT in page
        assert not re.search(r"\[\d+ chars\]", page)
        # The bookkeeping fields are not changes a reader made.
        assert "<strong>Version</strong>" not in page
        assert "<strong>Modifiée par</strong>" not in page
        # The extra columns: labelled, with display values.
        assert re.search(r'<th scope="col">Statut</th>\s*<th scope="col">Avancement', page)
        assert "Essai" in page and "Modification" in page and "Création" in page

    def test_many_to_many_changes_name_what_was_added_and_removed(self, client, staff):
        eret, geida = OrganisationFactory(name="ERET"), OrganisationFactory(name="GEIDA")
        action = ActionFactory(partners=[eret], with_history=True)
        action.partners.set([geida])
        page = history_page(client, action)
        assert re.search(
            r"<strong>Partenaires</strong>.*?ajout de GEIDA.*?retrait de ERET", page, re.S
        )
        assert "[" not in re.sub(r"<[^>]+>", "", page.split('id="change-history"')[1])

    def test_the_oldest_record_of_a_page_shows_its_changes(self, client, staff, monkeypatch):
        monkeypatch.setattr(ActionAdmin, "history_list_per_page", 2)
        action = ActionFactory(progress=10, with_history=True)
        for progress in (20, 30):
            action = edit(action, staff, progress=progress)
        page = history_page(client, action)  # records 3 and 2 of 3
        assert re.search(r"<strong>Avancement \(%\)</strong>.*?20.*?30", page, re.S)
        assert re.search(r"<strong>Avancement \(%\)</strong>.*?10.*?20", page, re.S)

    def test_same_number_of_queries_with_few_and_many_records(self, client, staff):
        organisations = [OrganisationFactory() for _ in range(3)]
        action = ActionFactory(partners=organisations[:1], with_history=True)
        url = reverse("admin:actions_action_history", args=[action.pk])
        action = edit(action, staff, progress=40, status=Status.BLOCKED)
        action.partners.add(organisations[1])
        few = measure(client, url)
        for index in range(40):
            action = edit(action, staff, progress=index, description=f"Texte {index}")
            action.partners.set(organisations[index % 3 : index % 3 + 1])
        many = measure(client, url)
        assert Action.history.filter(id=action.pk).count() > 80
        assert many.count == few.count, "\n".join(many.sql)


class TestFollowUpHistory:
    def test_funding_amounts_and_choices_read_as_numbers_and_labels(self, client, staff):
        funding = FundingFactory(planned_amount=Decimal("1000"), with_history=True)
        funding.planned_amount = Decimal("2500.50")
        funding.kind = funding.Kind.INVESTMENT
        funding.save()
        page = history_page(client, funding)
        assert re.search(r"Montant prévu \(€\)</strong>.*?1\s000.*?2\s500,50", page, re.S)
        assert re.search(r"<strong>Nature</strong>.*?Fonctionnement.*?Investissement", page, re.S)
        assert "investment" not in page

    def test_document_visibility_reads_as_its_label(self, client, staff):
        document = DocumentFactory(with_history=True)
        document.visibility = document.Visibility.STAFF
        document.save()
        page = history_page(client, document)
        assert '<th scope="col">Visibilité</th>' in page
        assert re.search(
            r"<strong>Visibilité</strong>.*?Public.*?Équipe projet seulement", page, re.S
        )
        assert ">staff<" not in page and ">public<" not in page


def test_the_revert_form_names_its_version_and_what_reverting_does(client, staff):
    action = ActionFactory(progress=10, with_history=True)
    edit(action, staff, progress=20)
    original = action.history.earliest()
    url = reverse("admin:actions_action_simple_history", args=[action.pk, original.history_id])
    page = html.unescape(client.get(url).content.decode())
    assert re.search(r"›\s*Version du (1er|\d+) \w+ \d{4} à \d\d:\d\d", page)
    assert "Plan d'actions" in page
    assert "l’historique garde toutes les versions précédentes" in page
    assert "l' objet" not in page and "Historical" not in page
