import datetime
from decimal import Decimal

import factory
import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from programme.models import CopilMeeting
from tests.actions.factories import ActionFactory, FundingFactory, ProgressUpdateFactory
from tests.budget import (
    VISITORS,
    assert_no_n_plus_one,
    bulk,
    bulk_actions,
    bulk_fundings,
    visit_as,
)
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import (
    AxisFactory,
    CommuneFactory,
    CopilMeetingFactory,
    IntercommunalityFactory,
    NewsItemFactory,
    PhaseFactory,
)

pytestmark = pytest.mark.django_db

GROUP = "\u00a0"  # thousands separator of Django's French locale
NBSP = "\u00a0"


def get_home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def phase():
    return PhaseFactory(number=2, start_date=datetime.date(2023, 1, 1))


class TestHomeFigures:
    def test_key_figures_are_computed_from_the_data(self, client, phase):
        first = IntercommunalityFactory()
        second = IntercommunalityFactory()
        CommuneFactory(intercommunality=first, population=41_162)
        CommuneFactory(intercommunality=first, population=1_000)
        CommuneFactory(intercommunality=second, population=66_528)
        axis = AxisFactory(phase=phase)
        year = timezone.localdate().year
        public = ActionFactory(axis=axis)
        FundingFactory(action=public, year=year, planned_amount=Decimal("12345"))
        FundingFactory(action=public, year=year - 1, planned_amount=Decimal("500000"))
        private = ActionFactory(axis=axis, is_public=False)
        FundingFactory(action=private, year=year, planned_amount=Decimal("99999"))
        archived = ActionFactory(axis=axis, is_archived=True)
        FundingFactory(action=archived, year=year, planned_amount=Decimal("77777"))

        html = get_home(client)

        assert '<span class="figure-value">3</span> <span class="figure-label">communes' in html
        assert f'108{GROUP}690</span> <span class="figure-label">habitants' in html
        assert '<span class="figure-value">2</span> <span class="figure-label">communautés' in html
        assert '<span class="figure-value">1</span> <span class="figure-label">actions' in html
        assert (
            f'12{GROUP}345{NBSP}€</span> <span class="figure-label">de budget prévu en {year}'
            in (html)
        )
        assert "99" + GROUP + "999" not in html
        assert "112" + GROUP + "344" not in html  # the private amount never joins the total

    def test_reference_data_gives_the_real_territory(self, client):
        call_command("load_territory", verbosity=0)
        html = get_home(client)
        assert '<span class="figure-value">55</span>' in html
        assert f"107{GROUP}690" in html
        assert "Tiers-lieu Le Rubixco" in html  # a phase-1 achievement
        assert "Plateforme de ressources humaines" in html
        assert "Chalon-sur-Saône" in html
        assert "Compétences" in html and "Transition écologique" in html
        assert len(html.encode()) < 60_000


class TestHomeAxes:
    def test_each_axis_shows_its_public_action_count_and_average_progress(self, client, phase):
        axis = AxisFactory(phase=phase, name="Compétences")
        ActionFactory(axis=axis, progress=20)
        ActionFactory(axis=axis, progress=60)
        ActionFactory(axis=axis, progress=100, is_public=False)
        AxisFactory(phase=phase, name="Foncier")

        html = get_home(client)

        assert "Compétences" in html and "Foncier" in html
        assert "2 actions publiques" in html
        assert f"Avancement moyen : 40{NBSP}%" in html
        assert f"Avancement moyen : 0{NBSP}%" in html  # the axis without actions
        assert 'width="40"' in html  # the bar is drawn at the same value

    def test_axes_of_another_phase_are_not_listed(self, client, phase):
        AxisFactory(
            phase=PhaseFactory(number=1, start_date=datetime.date(2019, 1, 1)), name="Ancien"
        )
        AxisFactory(phase=phase, name="Innovation")
        html = get_home(client)
        assert "Innovation" in html
        assert ">Ancien<" not in html


class TestHomeFeeds:
    def test_progress_updates_of_private_actions_are_never_shown(self, client, phase):
        axis = AxisFactory(phase=phase)
        ProgressUpdateFactory(action=ActionFactory(axis=axis), text="Diagnostics réalisés.")
        ProgressUpdateFactory(
            action=ActionFactory(axis=axis, is_public=False), text="Négociation confidentielle."
        )
        ProgressUpdateFactory(
            action=ActionFactory(axis=axis, is_archived=True), text="Note d'une action archivée."
        )
        html = get_home(client)
        assert "Diagnostics réalisés." in html
        assert "confidentielle" not in html
        assert "archivée." not in html

    def test_next_public_copil_is_announced(self, client, phase):
        soon = timezone.localdate() + datetime.timedelta(days=30)
        CopilMeetingFactory(
            phase=phase, date=soon, status=CopilMeeting.Status.PLANNED, place="Bléré"
        )
        CopilMeetingFactory(
            phase=phase,
            date=soon - datetime.timedelta(days=10),
            status=CopilMeeting.Status.PLANNED,
            place="Réunion interne",
            is_public=False,
        )
        html = get_home(client)
        assert "Prochaine réunion" in html
        assert "Bléré" in html
        assert "Réunion interne" not in html

    def test_last_held_copil_when_none_is_planned(self, client, phase):
        CopilMeetingFactory(phase=phase, date=datetime.date(2024, 1, 25), place="Amboise")
        html = get_home(client)
        assert "Dernière réunion" in html
        assert "25 janvier 2024" in html

    def test_only_published_news(self, client, phase):
        NewsItemFactory(title="Labellisation renouvelée")
        NewsItemFactory(title="Brouillon à relire", is_published=False)
        html = get_home(client)
        assert "Labellisation renouvelée" in html
        assert "Brouillon à relire" not in html

    def test_home_without_any_data_still_answers(self, client):
        # No territory loaded yet: the programme's name alone, never a hard-coded territory.
        html = get_home(client)
        assert '<h1 id="titre-page">Territoire d&#x27;industrie</h1>' in html
        assert "Grand Est Touraine" not in html


class TestLayout:
    def test_navigation_marks_the_current_page(self, client):
        html = get_home(client)
        assert 'aria-current="page">Accueil</a>' in html
        assert 'href="#contenu"' in html and 'id="contenu"' in html
        assert '<html lang="fr">' in html

    def test_footer_links_to_legal_pages(self, client):
        html = get_home(client)
        assert reverse("legal") in html
        assert reverse("accessibility") in html
        assert reverse("directory:list") in html

    def test_no_third_party_resource(self, client):
        html = get_home(client)
        for tag in ("<script", "<link", "<img"):
            for chunk in html.split(tag)[1:]:
                attributes = chunk.split(">", 1)[0]
                assert "http://" not in attributes and "https://" not in attributes

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, phase, count_queries, visitor):
        pilot = OrganisationFactory()
        visit_as(client, visitor, pilot)
        year = timezone.localdate().year
        axes = [AxisFactory(phase=phase) for _ in range(4)]
        earlier = AxisFactory(phase=PhaseFactory(number=1, start_date=datetime.date(2019, 1, 1)))
        ActionFactory(axis=earlier, pilot=pilot)
        CommuneFactory()
        NewsItemFactory()

        def add_actions(count):
            actions = bulk_actions(count, axis=factory.Iterator(axes), pilot=pilot)
            bulk_fundings(actions, funder=pilot, year=year)
            bulk(ProgressUpdateFactory, count, action=factory.Iterator(actions))

        add_actions(1)
        few = count_queries(reverse("home"))
        assert "1 action" in few.text
        add_actions(199)
        many = count_queries(reverse("home"))
        assert_no_n_plus_one(few, many)
        assert "200 action" in many.text


class TestStaticPages:
    @pytest.mark.parametrize(
        ("name", "text"),
        [("legal", "Mentions légales"), ("accessibility", "Déclaration d'accessibilité")],
    )
    def test_pages_answer_in_french(self, client, name, text, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert text in response.content.decode()

    def test_accessibility_statement_gives_the_compliance_status(self, client):
        html = client.get(reverse("accessibility")).content.decode()
        assert "non conforme" in html
        assert "Défenseur des droits" in html

    def test_unknown_page_is_a_french_404_in_the_site_layout(self, client):
        response = client.get("/cette-page-n-existe-pas/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Page introuvable" in html
        assert "Navigation principale" in html

    def test_server_error_page_renders_without_any_context(self):
        html = render_to_string("500.html")
        assert "Le site rencontre un problème" in html
        assert 'lang="fr"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["none", "meeting", "news"])
def test_the_banner_shows_whenever_any_demonstration_row_exists(client, kind):
    from tests.programme.factories import CopilMeetingFactory, NewsItemFactory

    if kind == "meeting":
        CopilMeetingFactory(title="COPIL fictif", is_demo=True)
    elif kind == "news":
        NewsItemFactory(is_demo=True)
    page = client.get(reverse("home")).content.decode()
    assert ('class="demo-banner"' in page) is (kind != "none")
