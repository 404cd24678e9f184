"""The actions on the map and in time, in Chromium: axe-core at 1280 and 375 px, no sideways
scrolling of the page at 320 px, and the map used with the keyboard alone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import Action
from programme.models import Intercommunality

from .conftest import assert_focus_visible, problems_at_widths

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "carte": lambda: reverse("actions:map"),
    "carte-selection": lambda: reverse("actions:map") + "?intercommunalite=cc-du-val-d-amboise",
    "calendrier": lambda: reverse("actions:timeline"),
    "calendrier-filtre": lambda: reverse("actions:timeline") + "?statut=in_progress",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible_and_reflows(name, page, demo, third_party_requests, csp_violations):
    problems = problems_at_widths(page, demo.url + PAGES[name]())
    assert problems == {}
    assert third_party_requests == []
    assert csp_violations == []


def test_keyboard_tab_to_an_intercommunality_and_list_its_actions(page, demo):
    page.goto(demo.url + reverse("actions:map"))
    page.get_by_role("heading", level=1).click()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('map-area')"):
            break
    focused = page.locator("a.map-area:focus")
    expect(focused).to_have_count(1)
    assert_focus_visible(page)
    name = focused.get_attribute("aria-label")
    ic_name, count = re.match(r"(.+) : (\d+) actions? publiques?$", name).groups()
    ic = Intercommunality.objects.get(name=ic_name)
    public = Action.objects.public().filter(intercommunalities=ic)
    assert int(count) == public.count()

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"intercommunalite={ic.slug}"))
    section = page.locator("#actions-cc")
    expect(section.get_by_role("heading", level=2)).to_contain_text(ic_name)
    expect(section.locator(".map-actions > li")).to_have_count(min(public.count(), 50))
    expect(page.locator("a.map-area[aria-current='true']")).to_have_accessible_name(name)


def test_each_timeline_bar_is_named_and_reachable(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(demo.url + reverse("actions:timeline"))
    region = page.get_by_role("region", name="Calendrier des actions, par axe")
    expect(region).to_be_visible()
    expect(page.get_by_text("Le calendrier défile horizontalement")).to_be_visible()
    bars = region.locator("a.timeline-bar")
    dated = Action.objects.public().exclude(start_date=None, end_date=None)
    expect(bars).to_have_count(dated.count())
    first = dated.order_by("-phase__number", "axis__number", "start_date").first()
    expect(bars.first).to_have_accessible_name(re.compile(re.escape(first.title)))
    bars.first.focus()
    assert_focus_visible(page)
