"""The public journey: from the home page to an action, its chart, budget and CSV export; the
territory map; the action plan's filters used with the keyboard only."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from actions.models import Action, Status
from programme.models import Commune, Intercommunality
from teritoire.templatetags.portal import euros, number

from .conftest import assert_focus_visible, focus_indicator

pytestmark = pytest.mark.django_db(transaction=True)

STATUS = Status.IN_PROGRESS
INTERCOMMUNALITY = "cc-du-val-d-amboise"
ACTION_SLUG = "bourse-aux-locaux-industriels"


def spaces(text):
    """Non-breaking and narrow spaces (French number formatting) as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def expected_actions():
    return Action.objects.public().filter(status=STATUS, intercommunalities__slug=INTERCOMMUNALITY)


def test_home_to_axis_to_filtered_plan_to_action_and_its_csv_export(
    page, demo, third_party_requests, csp_violations
):
    action = Action.objects.select_related("axis").get(slug=ACTION_SLUG)
    page.goto(demo.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Territoire d'industrie Grand Est Touraine"
    )

    # Home → the action's axis, from the section of the four axes.
    axes = page.get_by_role("region", name=re.compile("Les 4 axes"))
    axes.get_by_role("link", name=action.axis.name, exact=True).click()
    expect(page).to_have_url(demo.url + action.axis.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(action.axis.name)

    # Axis → the whole plan, then filter it by status and intercommunality with the form.
    page.get_by_role("link", name="Tout le plan d'actions").click()
    expect(page).to_have_url(demo.url + "/actions/")
    form = page.get_by_role("search", name="Filtrer et trier les actions")
    form.get_by_label("Statut").select_option(label="En cours")
    form.get_by_label("Communauté de communes").select_option(label="CC du Val d'Amboise")
    form.get_by_role("button", name="Afficher les actions").click()
    expect(page).to_have_url(re.compile(r"statut=in_progress"))
    expect(page).to_have_url(re.compile(rf"intercommunalite={INTERCOMMUNALITY}"))

    expected = expected_actions()
    count = expected.count()
    assert 1 < count < Action.objects.public().count()
    expect(page.get_by_role("heading", name=f"{count} actions correspondent")).to_be_visible()
    table = page.locator("table.plan-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(count)
    expect(rows.locator(".badge")).to_have_text(["En cours"] * count)
    for title in expected.values_list("title", flat=True):
        expect(table.get_by_role("link", name=title, exact=True)).to_be_visible()

    # The filtered list's CSV export downloads exactly these actions.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^CSV")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["code"] for r in records} == set(expected.values_list("code", flat=True))
    assert action.title in {r["intitule"] for r in records}

    # The list → the action.
    table.get_by_role("link", name=action.title, exact=True).click()
    expect(page).to_have_url(demo.url + action.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)
    expect(page.locator(".action-badges .badge").first).to_have_text("En cours")

    # Its indicator charts: inline SVG images.
    charts = page.locator("svg.indicator-chart")
    expect(charts).to_have_count(action.indicators.count())
    for indicator in action.indicators.all():
        chart = page.get_by_role("img", name=re.compile(rf"^{re.escape(indicator.name)} :"))
        expect(chart).to_be_visible()
        assert chart.evaluate("el => el.tagName") == "svg"
        # Named by its title and its description: the measurements and the target in words.
        expect(chart).to_have_accessible_name(re.compile(r"\d+ mesures? .*Cible"))

    # Its budget table: one group per year, and the grand total of the planned amounts.
    budget = page.get_by_role("table", name=re.compile("Financements par année"))
    expect(budget).to_be_visible()
    years = sorted(set(action.fundings.values_list("year", flat=True)))
    for year in years:
        expect(budget.get_by_role("rowheader", name=str(year), exact=True)).to_be_visible()
    planned = action.fundings.aggregate(total=Sum("planned_amount"))["total"]
    assert planned > Decimal(0)
    total = budget.get_by_role("row", name=re.compile("Total toutes années"))
    assert spaces(euros(planned)) in spaces(total.inner_text())

    assert third_party_requests == []
    assert csp_violations == []


def test_territory_map_shows_the_55_communes_and_names_them_on_focus_and_hover(
    page, demo, third_party_requests, csp_violations
):
    page.goto(demo.url + "/territoire/")
    map_ = page.get_by_role("group", name=re.compile("Carte des communes"))
    communes = map_.locator("path")
    expect(communes).to_have_count(55)
    assert Commune.objects.count() == 55

    # Every commune is named, for the mouse (title) and for assistive technologies (label).
    names = communes.evaluate_all(
        "paths => paths.map(p => [p.getAttribute('aria-label'), "
        "p.querySelector('title')?.textContent])"
    )
    assert all(label and label == title for label, title in names)
    expected = {
        f"{c.name} — {c.intercommunality.name}"
        for c in Commune.objects.select_related("intercommunality")
    }
    assert {label.split(",")[0] for label, _ in names} == expected

    # Keyboard: Tab from the lead paragraph reaches the first commune of the map.
    page.get_by_role("heading", level=1).click()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName.toLowerCase()") == "path":
            break
    focused = page.locator("path:focus")
    expect(focused).to_have_count(1)
    first_label = names[0][0]
    expect(focused).to_have_accessible_name(first_label)
    commune = Commune.objects.select_related("intercommunality").get(
        name=first_label.split(" — ")[0]
    )
    assert spaces(first_label) == spaces(
        f"{commune.name} — {commune.intercommunality.name}, {number(commune.population)} habitants"
    )
    # The focused commune is outlined (a thick stroke: an SVG path has no CSS outline).
    idle_stroke = communes.nth(1).evaluate("p => parseFloat(getComputedStyle(p).strokeWidth)")
    focus = focus_indicator(page)
    assert focus["tag"] == "path"
    assert focus["strokeWidth"] >= 2 * idle_stroke

    # The next Tab names the next commune.
    page.keyboard.press("Tab")
    expect(page.locator("path:focus")).to_have_accessible_name(names[1][0])

    # Hovering a commune keeps its name available as a tooltip and highlights it.
    target = communes.nth(10)
    before = target.evaluate("p => getComputedStyle(p).fillOpacity")
    target.hover()
    expect(target.locator("title")).to_have_text(names[10][0])
    assert target.evaluate("p => getComputedStyle(p).fillOpacity") != before

    # Each intercommunality of the legend links to its page.
    for name in Intercommunality.objects.values_list("name", flat=True):
        expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()

    assert third_party_requests == []
    assert csp_violations == []


def test_filters_can_be_filled_and_submitted_with_the_keyboard_and_focus_stays_visible(
    page, demo, third_party_requests
):
    page.goto(demo.url + "/actions/")

    # First stop: the skip link, which leads to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    status = page.get_by_label("Statut")
    intercommunality = page.get_by_label("Communauté de communes")
    submit = page.get_by_role("button", name="Afficher les actions")
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = assert_focus_visible(page)
        visited.append(focus["name"])
        if status.evaluate("el => el === document.activeElement"):
            page.keyboard.type("En c")  # type-ahead in a closed select
            expect(status).to_have_value("in_progress")
        elif intercommunality.evaluate("el => el === document.activeElement"):
            page.keyboard.type("CC du Val")
            expect(intercommunality).to_have_value(INTERCOMMUNALITY)
        elif submit.evaluate("el => el === document.activeElement"):
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"le bouton du formulaire n'est pas atteint au clavier : {visited}")

    expect(page).to_have_url(re.compile(r"statut=in_progress"))
    expect(page).to_have_url(re.compile(rf"intercommunalite={INTERCOMMUNALITY}"))
    count = expected_actions().count()
    expect(page.get_by_role("heading", name=f"{count} actions correspondent")).to_be_visible()
    expect(page.get_by_label("Statut")).to_have_value("in_progress")

    # The results are reachable by keyboard too, still with a visible focus.
    first_title = expected_actions().values_list("title", flat=True).first()
    link = page.get_by_role("link", name=first_title, exact=True)
    for _ in range(80):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("le premier résultat n'est pas atteint au clavier")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    assert third_party_requests == []
