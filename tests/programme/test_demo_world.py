"""Demonstration data is a world of its own: never attached to a real record, marked wherever a
public figure counts it, removable, and never loaded over a user's edits."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, AnnualPlan, Funding
from actions.writes import save_action
from partners.models import Organisation, User
from programme.models import Axis, Commune, CopilMeeting, NewsItem
from tests.actions.factories import ActionFactory, FundingFactory, ProgressUpdateFactory
from tests.programme.factories import CopilMeetingFactory, NewsItemFactory
from tests.shared import shared_rows

pytestmark = pytest.mark.django_db

REAL_COPIL = datetime.date(2024, 1, 25)
MARKER = "Inclut des données de démonstration"
ROW_MARKER = "Donnée de démonstration"


def command(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def row_counts():
    """Rows of every table of the three apps, history and many-to-many tables included."""
    models = [
        model
        for label in ("partners", "programme", "actions")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


@pytest.fixture(scope="class")
def territory(django_db_setup, django_db_blocker):
    with shared_rows(django_db_blocker):
        command("load_territory")
        yield


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with shared_rows(django_db_blocker):
        command("load_territory")
        command("load_demo")
        yield


class TestNeverAttachedToARealRecord:
    def test_the_real_first_copil_gets_no_plan_and_no_decision(self, demo):
        real = CopilMeeting.objects.get(date=REAL_COPIL)

        assert not real.is_demo
        assert "démonstration" not in real.title
        assert not AnnualPlan.objects.filter(meeting=real).exists()
        # Only the decision of the reference data, on no action.
        assert [(d.text, d.is_demo) for d in real.decisions.all()] == [
            ("Validation du plan d'actions 2024 et de son budget.", False)
        ]
        assert not Action.objects.filter(decisions__meeting=real).exists()

    def test_every_plan_hangs_on_a_demonstration_meeting(self, demo):
        plans = AnnualPlan.objects.select_related("meeting")
        assert plans.count() == 3
        assert all(plan.meeting.is_demo for plan in plans)
        assert all("(démonstration)" in plan.meeting.title for plan in plans)
        assert CopilMeeting.objects.demo().filter(date=REAL_COPIL).count() == 0

    def test_demonstration_decisions_only_concern_demonstration_actions(self, demo):
        linked = Action.objects.filter(decisions__is_demo=True).distinct()
        assert linked.exists()
        assert not linked.filter(is_demo=False).exists()
        assert not Action.objects.filter(is_demo=False, decisions__isnull=False).exists()


class TestRemove:
    def test_remove_leaves_exactly_the_rows_load_territory_made(self):
        command("load_territory")
        before = row_counts()
        real = CopilMeeting.objects.get(date=REAL_COPIL)
        real_history = list(real.history.values_list("history_id", flat=True))

        command("load_demo")
        assert row_counts() != before
        output = command("load_demo", "--remove")

        assert row_counts() == before
        assert list(real.history.values_list("history_id", flat=True)) == real_history
        assert "Données de démonstration retirées" in output
        assert not User.objects.filter(email__endswith="@demo.grand-est-touraine.fr").exists()
        # And it can come back.
        command("load_demo")
        assert Action.objects.filter(is_demo=True).exists()

    def test_remove_also_takes_a_plan_an_earlier_demo_hung_on_the_real_copil(self):
        command("load_territory")
        command("load_demo")
        real = CopilMeeting.objects.get(date=REAL_COPIL)
        AnnualPlan.objects.filter(year=2024).update(meeting=real)  # as the first demo did

        command("load_demo", "--remove")

        assert not AnnualPlan.objects.exists()
        assert CopilMeeting.objects.filter(pk=real.pk).exists()


class TestUserEditsAreNeverReset:
    def test_second_load_demo_and_load_territory_change_nothing_and_write_no_history(self, demo):
        chef = User.objects.get(email="chef.projet@demo.grand-est-touraine.fr")
        action = Action.objects.get(is_demo=True, code="2.1")
        save_action(
            action.pk, {"progress": 55}, expected_version=action.version, user=chef, reason="Point"
        )
        meeting = CopilMeeting.objects.demo().get(date__year=2026)
        meeting.title = "COPIL annuel (démonstration)"
        meeting.save()
        real = CopilMeeting.objects.get(date=REAL_COPIL)
        real.title = "Premier COPIL de la phase 2"
        real.save()
        commune = Commune.objects.get(insee="37003")
        commune.population = 13500
        commune.save()
        before = row_counts()

        command("load_demo")
        command("load_territory")

        assert row_counts() == before
        assert Action.objects.get(pk=action.pk).progress == 55
        assert Action.history.filter(id=action.pk).latest("history_date").history_user == chef
        assert CopilMeeting.objects.get(pk=meeting.pk).title == "COPIL annuel (démonstration)"
        assert CopilMeeting.objects.get(pk=real.pk).title == "Premier COPIL de la phase 2"
        assert Commune.objects.get(insee="37003").population == 13500


def page(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    return response.content.decode()


class TestMarkers:
    """Each public figure or list shows the marker when it counts demonstration rows, and only
    then: the same rows are read as real, then flagged as demonstration."""

    @pytest.fixture
    def rows(self, territory):
        axis = Axis.objects.get(slug="competences")
        pilot = Organisation.objects.get(slug="aicr")
        action = ActionFactory(axis=axis, code="1.1", pilot=pilot, is_public=True, progress=40)
        FundingFactory(action=action, year=timezone.localdate().year)
        ProgressUpdateFactory(action=action, date=timezone.localdate(), text="Point d'étape.")
        meeting = CopilMeetingFactory(
            phase=axis.phase, date=datetime.date(2025, 1, 30), is_public=True
        )
        news = NewsItemFactory(title="Une actualité", slug="une-actualite")
        return {"action": action, "axis": axis, "pilot": pilot, "meeting": meeting, "news": news}

    def pages(self, client, rows):
        return {
            "accueil": page(client, "home"),
            "axe": page(client, "programme:axis", rows["axis"].slug),
            "liste": page(client, "actions:list"),
            "annuaire": page(client, "directory:list"),
            "partenaire": page(client, "directory:detail", rows["pilot"].slug),
            "copil": page(client, "programme:copil_list"),
            "réunion": page(client, "programme:copil_detail", rows["meeting"].pk),
            "actualités": page(client, "programme:news_list"),
            "actualité": page(client, "programme:news_detail", rows["news"].slug),
        }

    def test_no_marker_without_demonstration_data(self, client, rows):
        for name, html in self.pages(client, rows).items():
            assert MARKER not in html, name
            assert ROW_MARKER not in html, name

    def test_every_figure_and_list_over_demonstration_rows_is_marked(self, client, rows):
        Action.objects.filter(pk=rows["action"].pk).update(is_demo=True)
        CopilMeeting.objects.filter(pk=rows["meeting"].pk).update(is_demo=True)
        NewsItem.objects.filter(pk=rows["news"].pk).update(is_demo=True)

        pages = self.pages(client, rows)

        # Key figures, axis progress, the action list and the pilot count: « inclut ».
        for name in ("accueil", "axe", "liste", "annuaire"):
            assert MARKER in pages[name], name
        assert pages["accueil"].count(MARKER) >= 3  # figures, average progress, axis card
        # Rows: the latest news of the actions, the action cards, meetings and news.
        for name in ("accueil", "axe", "liste", "partenaire", "copil", "réunion", "actualités"):
            assert ROW_MARKER in pages[name], name
        assert ROW_MARKER in pages["actualité"]

    def test_real_budget_lines_alone_leave_the_figures_unmarked(self, client, rows):
        # A real action beside a demonstration one: the list is marked, the real row is not.
        real = ActionFactory(axis=rows["axis"], code="1.2", is_public=True, title="Action réelle")
        Action.objects.filter(pk=rows["action"].pk).update(is_demo=True)
        html = page(client, "actions:list")
        real_row = html[html.index("Action réelle") :].split("</tr>")[0]
        assert ROW_MARKER not in real_row
        assert MARKER in html
        assert Funding.objects.filter(action=real).count() == 0
