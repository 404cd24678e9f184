"""The site search in a real browser: from the home page to an action's page with the keyboard
alone through the header's search, and the results page (with and without results) checked by
axe-core at 1280 and 375 px, without sideways scrolling."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from teritoire.search.kinds import KINDS
from teritoire.search.terms import parse

from .conftest import WIDTHS, assert_focus_visible, axe_violations, horizontal_overflow, viewport

pytestmark = pytest.mark.django_db(transaction=True)

ACTIONS = KINDS[0]


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus; its focus must show."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{selector} jamais atteint au clavier")


def test_keyboard_only_from_home_to_an_action_through_the_search(
    page, demo, third_party_requests, csp_violations
):
    action = ACTIONS.rows(parse("recruter")).first()
    assert action is not None
    page.goto(demo.url + "/")
    tab_to(page, "#site-search-q")
    page.keyboard.type("recruter")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/recherche/\?q=recruter$"))
    expect(page.get_by_role("heading", name=re.compile(r"résultats? pour"))).to_be_visible()
    expect(page.locator("#actions + ul mark").first).to_have_text(
        re.compile("recrut", re.IGNORECASE)
    )

    tab_to(page, f'.search-results a[href="{action.get_absolute_url()}"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo.url + action.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(action.title)
    assert third_party_requests == [] and csp_violations == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("q", ["recruter", "xylophone", "le"])
def test_results_page_has_no_axe_violation(page, demo, width, q):
    page.set_viewport_size(viewport(width))
    page.goto(demo.url + "/recherche/?" + urlencode({"q": q}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recherche")
    if q == "xylophone":
        expect(page.get_by_role("heading", name="Pistes")).to_be_visible()
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
    # The header's form fits beside the brand or below it, never out of the screen.
    box = page.locator("#site-search-q").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width][0]
