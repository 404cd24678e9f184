"""Issue 12, « Tests that must exist »: every published total equals what the published rows give.

The published rows are the open-data files (/donnees/actions.csv, one row per public action with
its `demonstration` column, and /donnees/financements.csv, the funding lines of those actions).
With the reference and demonstration data loaded, then again once `load_demo --remove` took the
demonstration out, each figure of the public pages (home key figures and axis cards, axis pages,
the action list, the partners' « Pilote N actions », the validated plans and the COPIL pages'
plan figures) is recomputed from those rows and compared with what the page prints; the
demonstration marker stands beside a figure exactly when the rows behind it include demonstration
rows.
"""

import csv
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import AnnualPlan
from programme.models import Axis
from tests.security.test_plan_leaks import check_plan_totals
from tests.shared import shared_rows

pytestmark = pytest.mark.django_db

SPACES = "[\u00a0\u202f ]"
NUMBER = r"\d[\d\u00a0\u202f ]*(?:,\d+)?"
MARKER = 'class="demo-marker"'


@pytest.fixture(scope="module", params=["with demo", "demo removed"])
def world(request, django_db_setup, django_db_blocker):
    """The reference data and the demonstration data, or the demonstration data taken out."""
    with shared_rows(django_db_blocker):
        call_command("load_territory", verbosity=0)
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        if request.param == "demo removed":
            call_command("load_demo", "--remove", stdout=io.StringIO())
        yield request.param == "with demo"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def to_decimal(text):
    return Decimal(re.sub(SPACES, "", text).replace(",", "."))


def percent(value):
    """What the portal's |percent prints for an average: rounded half to even, no decimals."""
    return int(Decimal(value).quantize(Decimal(1)))


def average(values):
    return percent(Decimal(sum(values)) / len(values)) if values else 0


class Rows:
    """The public open-data files, read as a visitor downloads them."""

    def __init__(self, client):
        actions_csv = get(client, reverse("actions:data_actions_csv"))
        fundings_csv = get(client, reverse("actions:data_fundings_csv"))
        self.actions = list(csv.DictReader(io.StringIO(actions_csv)))
        self.fundings = list(csv.DictReader(io.StringIO(fundings_csv)))
        self.by_slug = {row["slug"]: row for row in self.actions}
        for line in self.fundings:
            line["action"] = self.by_slug[line["action_slug"]]

    def demo(self, rows):
        return any(row["demonstration"] == "oui" for row in rows)

    def of_axis(self, phase, number):
        return [
            row
            for row in self.actions
            if row["phase"] == str(phase) and row["axe_numero"] == str(number)
        ]

    def planned(self, lines):
        return sum((Decimal(line["montant_prevu"]) for line in lines), Decimal(0))


@pytest.fixture
def rows(world, client):
    rows = Rows(client)
    assert rows.actions, "the reference data publishes actions"
    assert rows.demo(rows.actions) == world, "demonstration rows are in the files iff loaded"
    assert rows.demo(rows.fundings) == world
    return rows


def test_the_open_data_files_agree_with_each_other(client, rows):
    open_data = get(client, reverse("actions:open_data"))
    assert len(rows.actions) == len({row["slug"] for row in rows.actions})
    for row in rows.actions:
        lines = [line for line in rows.fundings if line["action_slug"] == row["slug"]]
        assert Decimal(row["budget_prevu_total"] or 0) == rows.planned(lines), row["slug"]
        assert {line["demonstration"] for line in lines} <= {row["demonstration"]}
    actions, lines = re.search(
        rf"Les ({NUMBER}) fiches? actions? publiques? et leurs ({NUMBER}) lignes? de", open_data
    ).groups()
    assert (to_decimal(actions), to_decimal(lines)) == (len(rows.actions), len(rows.fundings))


def test_home_key_figures_and_axis_cards(client, rows):
    html = get(client, reverse("home"))
    count, phase = re.search(
        r'figure-value">(\d[^<]*)</span> <span class="figure-label">actions publiques en phase '
        r"(\d+)",
        html,
    ).groups()
    budget, year = re.search(
        rf'figure-value">({NUMBER})\u00a0€</span> <span class="figure-label">de budget prévu en '
        r"(\d{4})",
        html,
    ).groups()
    in_phase = [row for row in rows.actions if row["phase"] == phase]
    lines = [
        line for line in rows.fundings if line["annee"] == year and line["action"]["phase"] == phase
    ]
    assert int(to_decimal(count)) == len(in_phase)
    assert to_decimal(budget) == rows.planned(lines)

    progress = re.search(rf"avancement moyen&nbsp;: <strong>(\d+){SPACES}%</strong>", html)
    if in_phase:
        assert int(progress.group(1)) == average([int(row["avancement"]) for row in in_phase])
    else:  # no public action in the phase: no average is printed, 0 % would be a figure
        assert progress is None and "avancement moyen" not in html

    hero = html[html.index('class="figures"') : html.index('id="titre-axes"')]
    figures_demo = rows.demo(in_phase) or rows.demo(lines)
    assert (MARKER in hero) == figures_demo
    if progress:
        summary = html[progress.start() : html.index("</p>", progress.start())]
        assert (MARKER in summary) == rows.demo(in_phase)

    cards = re.findall(r'<li class="card card-axis">(.*?)</li>', html, re.S)
    assert cards
    for card in cards:
        number = re.search(r"Axe (\d+)</p>", card).group(1)
        of_axis = rows.of_axis(phase, number)
        shown = re.search(r'card-text">(\d+) actions? publiques?', card).group(1)
        assert int(shown) == len(of_axis), card
        shown_progress = re.search(rf"Avancement moyen : (\d+){SPACES}%", card).group(1)
        assert int(shown_progress) == average([int(r["avancement"]) for r in of_axis]), card
        assert (MARKER in card) == rows.demo(of_axis), card


def home_section(html, heading_id):
    """The home page's section under the heading `heading_id`, up to the next heading ("" when
    the page has no such section: nothing to list)."""
    if f'id="{heading_id}"' not in html:
        return ""
    section = html[html.index(f'id="{heading_id}"') :]
    return section[: section.index("<h2", 1)]


@pytest.mark.parametrize("heading_id", ["titre-suivi", "titre-echeances"])
def test_home_news_and_milestones_of_actions_are_marked_as_their_action(client, rows, heading_id):
    html = get(client, reverse("home"))
    items = re.findall(r"<li>(.*?)</li>", home_section(html, heading_id), re.S)
    for item in items:
        slug = re.search(r'href="/actions/([^/"]+)/', item).group(1)
        assert (MARKER in item) == rows.demo([rows.by_slug[slug]]), slug


def test_each_axis_page_count_progress_and_budget(client, rows):
    home = get(client, reverse("home"))
    urls = {axis.get_absolute_url() for axis in Axis.objects.all()}  # every phase's axes
    assert set(re.findall(r'href="(/axes/[^"]+/)"', home)) <= urls
    for url in sorted(urls):
        html = get(client, url)
        phase, number = re.search(r'item-meta">Phase (\d+) · Axe (\d+)</p>', html).groups()
        of_axis = rows.of_axis(phase, number)
        slugs = {row["slug"] for row in of_axis}
        lines = [line for line in rows.fundings if line["action_slug"] in slugs]
        count = re.search(r'figure-value">(\d+)</span> <span class="figure-label">action', html)
        progress = re.search(rf'figure-value">(\d+){SPACES}%</span>', html)
        budget = re.search(rf'figure-value">({NUMBER})\u00a0€</span> <span class="fig', html)
        assert int(count.group(1)) == len(of_axis), url
        assert int(progress.group(1)) == average([int(r["avancement"]) for r in of_axis]), url
        assert to_decimal(budget.group(1)) == rows.planned(lines), url
        figures = html[html.index('class="figures"') : html.index('id="actions"')]
        assert (MARKER in figures) == (rows.demo(of_axis) or rows.demo(lines)), url
        for year, planned in re.findall(
            rf'<th scope="row">(\d{{4}})</th><td class="num">({NUMBER})\u00a0€</td>', html
        ):
            of_year = [line for line in lines if line["annee"] == year]
            assert to_decimal(planned) == rows.planned(of_year), (url, year)


def test_the_action_list_counts_the_public_rows(client, rows):
    html = get(client, reverse("actions:list"))
    head = html[html.index('class="results-head"') : html.index("Triées par")]
    count = re.search(r'results-title">\s*(\d[^ ]*) actions?', head).group(1)
    assert int(to_decimal(count)) == len(rows.actions)
    assert (MARKER in head) == rows.demo(rows.actions)


def test_each_partner_pilots_the_actions_the_rows_give_it(client, rows):
    piloted = Counter(row["pilote_slug"] for row in rows.actions)
    demo_pilots = {row["pilote_slug"] for row in rows.actions if row["demonstration"] == "oui"}
    html = get(client, reverse("directory:list"))
    cards = re.findall(r'<li class="card">(.*?)</li>', html, re.S)
    shown = {}
    for card in cards:
        slug = re.search(r'href="/partenaires/([^/"]+)/"', card).group(1)
        count = re.search(r"Pilote (\d+) actions?", card)
        shown[slug] = int(count.group(1)) if count else 0
        assert (MARKER in card) == (slug in demo_pilots), slug
    assert {slug: n for slug, n in shown.items() if n} == dict(piloted)

    for slug, count in piloted.items():
        page = get(client, reverse("directory:detail", args=[slug]))
        section = page[page.index("<h2>Actions pilotées</h2>") : page.index("<h2>Actions aux")]
        assert section.count('class="card action-card"') == count, slug
        assert (MARKER in section) == (slug in demo_pilots), slug


def test_every_validated_plan_and_its_copil_figures(client, world):
    plans = list(AnnualPlan.objects.select_related("meeting"))
    # the demonstration validates plans at its own meetings; the reference data validates none
    assert bool(plans) == world
    figures = {}
    for plan in plans:
        url = f"{reverse('actions:plan', args=[plan.year])}?version={plan.pk}"
        html = get(client, url)
        count, total, _today = check_plan_totals(html, plan.year)
        lead = html[html.index('class="lead"') : html.index("</p>", html.index('class="lead"'))]
        demo_titles = plan.snapshots.filter(action__is_demo=True).values_list("title", flat=True)
        rows_demo = any(title in html for title in demo_titles)
        assert (MARKER in lead) == (plan.meeting.is_demo or rows_demo), url
        assert world or not (plan.meeting.is_demo or rows_demo), url
        figures.setdefault((plan.meeting_id, plan.year), set()).add((count, total, MARKER in lead))

    copil_list = get(client, reverse("programme:copil_list"))
    for pk in sorted(set(map(int, re.findall(r'href="/copil/(\d+)/"', copil_list)))):
        html = get(client, reverse("programme:copil_detail", args=[pk]))
        items = re.findall(r'<li><a href="/plans/\d{4}/">Plan d.*?</li>', html, re.S)
        for item in items:
            year, count, total = re.search(
                rf"Plan d'actions (\d{{4}})</a> : (\d+) actions? publiques?, ({NUMBER})\u00a0€",
                item,
            ).groups()
            shown = (int(count), to_decimal(total), MARKER in item)
            assert shown in figures.get((pk, int(year)), set()), (pk, item)
        if not world:
            assert MARKER not in html, pk
