"""/actions/calendrier/: each public action a bar from its start to its end date, by axis."""

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse

from actions.public.timeline import PAGE_SIZE, WIDTH, TimeScale
from teritoire import pagecache
from tests.actions.factories import ActionFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory, PhaseFactory
from tests.test_pagecache import cache_entries, rendered, shared_cache  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

URL = reverse("actions:timeline")


def bars(html):
    """The accessible names of the bars, in page order."""
    found = re.findall(r'<a href="[^"]*" class="timeline-bar[^"]*" aria-label="([^"]*)"', html)
    return [html_lib.unescape(name) for name in found]


def axis_headings(html):
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", heading)).split(" (")[0]
        for heading in re.findall(r'<h3 class="timeline-axis">(.*?)</h3>', html, re.S)
    ]


@pytest.fixture
def plan():
    phase = PhaseFactory()
    jobs = AxisFactory(phase=phase, number=1, name="Compétences")
    land = AxisFactory(phase=phase, number=3, name="Foncier")
    ActionFactory(
        axis=land, code="3.1", title="Friches", status="blocked", progress=10,
        start_date=datetime.date(2024, 1, 15), end_date=datetime.date(2027, 12, 31),
    )  # fmt: skip
    ActionFactory(
        axis=jobs, code="1.2", title="Job dating", status="done", progress=100,
        start_date=datetime.date(2024, 3, 1), end_date=datetime.date(2025, 6, 30),
    )  # fmt: skip
    ActionFactory(
        axis=jobs, code="1.1", title="GPEC", start_date=datetime.date(2024, 2, 1), end_date=None
    )
    ActionFactory(axis=land, code="3.4", title="Sans calendrier", start_date=None, end_date=None)
    ActionFactory(axis=jobs, code="1.9", title="Brouillon secret", is_public=False)
    ActionFactory(axis=land, code="3.9", title="Ancienne archivée", is_archived=True)
    return {"jobs": jobs, "land": land}


class TestBars:
    def test_one_named_bar_per_dated_public_action_grouped_by_axis(self, client, plan):
        html = client.get(URL).content.decode()
        assert bars(html) == [
            "1.1 GPEC, à partir du 1er février 2024, sans date de fin, en cours, "
            "avancement 30\u00a0%",
            "1.2 Job dating, du 1er mars 2024 au 30 juin 2025, réalisée, avancement 100\u00a0%",
            "3.1 Friches, du 15 janvier 2024 au 31 décembre 2027, bloquée, avancement 10\u00a0%",
        ]
        assert axis_headings(html) == [str(plan["jobs"]), str(plan["land"])]
        # each bar carries its name as a tooltip too
        assert html.count("<title>1.2 Job dating, du 1er mars 2024") == 1

    def test_bars_follow_the_dates(self, client, plan):
        html = client.get(URL).content.decode().split('class="timeline-scroll"')[1]
        rects = re.findall(
            r'<rect class="bar-track[^"]*" x="([\d.]+)" y="\d+" width="([\d.]+)"', html
        )
        (gpec_x, _), (jobs_x, jobs_w), (land_x, land_w) = [(float(x), float(w)) for x, w in rects]
        assert gpec_x < jobs_x  # February before March
        assert land_x < gpec_x  # 15 January first
        assert land_w > jobs_w  # four years longer than sixteen months
        assert all(x >= 0 and x + w <= WIDTH for x, w in ((jobs_x, jobs_w), (land_x, land_w)))
        assert "bar-open" in re.search(r"1\.1 GPEC.*?</a>", html, re.S)[0]  # no end date

    def test_today_line_and_years(self, client, plan):
        html = client.get(URL).content.decode()
        today = TimeScale([datetime.date(2024, 1, 15), datetime.date(2027, 12, 31)], _today())
        assert f'<line x1="{today.x(_today())}"' in html
        assert "aujourd’hui" in html
        for year in range(2024, 2028):
            assert f">{year}</text>" in html

    def test_undated_actions_are_listed_apart(self, client, plan):
        html = client.get(URL).content.decode()
        assert not any("Sans calendrier" in name for name in bars(html))
        apart = html.split('id="sans-dates"')[1]
        assert "Sans calendrier" in apart and "GPEC" not in apart

    def test_table_alternative_gives_the_same_dates(self, client, plan):
        html = client.get(URL).content.decode()
        table = re.search(r'<table class="timeline-table">.*?</table>', html, re.S)[0]
        assert "1er mars 2024" in table and "30 juin 2025" in table
        assert table.count("<tr>") == 1 + 2 + 3  # header, one row per axis, one per action

    def test_a_non_public_action_never_appears(self, client, plan):
        for params in ({}, {"statut": "in_progress"}, {"axe": plan["jobs"].slug}, {"page": "9"}):
            html = client.get(URL, params).content.decode()
            assert "Brouillon secret" not in html and "Ancienne archivée" not in html


class TestFilters:
    def test_the_list_filters_apply(self, client, plan):
        html = client.get(URL, {"statut": "done"}).content.decode()
        assert [name.split(",")[0] for name in bars(html)] == ["1.2 Job dating"]
        assert "1 action correspond à vos critères" in html
        html = client.get(URL, {"axe": plan["land"].slug, "q": "friches"}).content.decode()
        assert [name.split(",")[0] for name in bars(html)] == ["3.1 Friches"]

    def test_an_invalid_value_is_ignored_and_said(self, client, plan):
        html = client.get(URL, {"statut": "volé"}).content.decode()
        assert "Le filtre « statut » a été ignoré : valeur inconnue." in html
        assert len(bars(html)) == 3

    def test_empty_state_in_french(self, client, plan):
        html = client.get(URL, {"q": "introuvable"}).content.decode()
        assert "Aucune fiche action publique ne correspond à ces critères." in html
        assert bars(html) == []

    def test_demo_actions_are_marked(self, client, plan):
        ActionFactory(axis=plan["jobs"], title="Fictive", is_demo=True)
        html = client.get(URL).content.decode()
        assert "Inclut des données de démonstration" in html
        assert "Donnée de démonstration" in html
        plain = client.get(URL, {"axe": plan["land"].slug}).content.decode()
        assert "démonstration" not in plain.split('id="contenu"')[1]


def _today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.mark.parametrize("visitor", VISITORS)
def test_same_queries_with_1_and_200_actions(client, count_queries, visitor):
    visit_as(client, visitor)
    axes = [AxisFactory(number=number) for number in (1, 2)]
    pilot = OrganisationFactory()
    bulk_actions(1, axis=axes[0], pilot=pilot)
    bulk_actions(1, axis=axes[1], pilot=pilot, start_date=None, end_date=None)
    few = count_queries(URL)
    bulk_actions(199, axis=axes[1], pilot=pilot)
    bulk_actions(60, axis=axes[0], pilot=pilot, start_date=None, end_date=None)
    many = count_queries(URL)
    assert_no_n_plus_one(few, many)
    assert len(bars(many.text)) == PAGE_SIZE  # a page at a time keeps the page light
    assert len(many.content) < 150_000


@pytest.mark.parametrize("shared_cache", ["files"], indirect=True)
def test_cached_for_known_filters_only(shared_cache, client, plan):  # noqa: F811
    pagecache.current_version()  # the version key exists: count the pages alone
    known = f"{URL}?statut=in_progress&axe={plan['jobs'].slug}&page=1"
    before = cache_entries(shared_cache)
    assert rendered(client, known)
    assert cache_entries(shared_cache) == before + 1
    assert not rendered(client, known)
    for junk in (f"{URL}?statut=vole", f"{URL}?page=9", f"{URL}?q=friches", f"{URL}?autre=1"):
        assert rendered(client, junk)
        assert rendered(client, junk)
    assert cache_entries(shared_cache) == before + 1
