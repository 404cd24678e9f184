"""The firms' door with the keyboard only: home → « Entreprises » → « Recruter » → an action →
its referent's contact; no axe-core violation on the new pages at 1280 and 375 px."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action

from .conftest import assert_focus_visible, problems_at_widths

pytestmark = pytest.mark.django_db(transaction=True)

ACTION_SLUG = "gpec-territoriale"  # a demonstration action whose fictitious referent agreed
MAX_TABS = 120


def focused_text(page):
    return page.evaluate("() => (document.activeElement.textContent || '').trim()")


def tab_to(page, text):
    """Press Tab until the focused element's text is `text` (or matches it); the focus is
    visible there."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        current = focused_text(page)
        if text.fullmatch(current) if isinstance(text, re.Pattern) else current == text:
            assert_focus_visible(page)
            return current
    raise AssertionError(f"« {text} » jamais atteint au clavier")


def test_home_to_a_referent_s_contact_with_the_keyboard_alone(
    page, demo, third_party_requests, csp_violations
):
    action = Action.objects.get(slug=ACTION_SLUG)
    assert action.has_public_referent and action.needs.filter(slug="recruter").exists()
    page.goto(demo.url + "/")

    tab_to(page, "Entreprises")
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo.url + "/entreprises/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("de quoi avez-vous besoin")

    tab_to(page, "Recruter")
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo.url + "/entreprises/recruter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recruter")
    # On the need's page already, each action says whom to contact.
    card = page.get_by_role("article").filter(has_text=action.title)
    expect(card.get_by_role("heading", name=re.compile("Qui contacter"))).to_be_visible()

    tab_to(page, action.title)
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo.url + action.get_absolute_url())
    contact = page.get_by_role("region", name=re.compile("Qui contacter"))
    expect(contact).to_contain_text(action.referent_name)

    tab_to(page, action.referent_email)
    href = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert href == f"mailto:{action.referent_email}"
    assert third_party_requests == []
    assert csp_violations == []


@pytest.mark.parametrize(
    "path",
    [
        "/entreprises/",
        "/entreprises/recruter/",
        "/entreprises/innover-et-se-moderniser/",
        f"/actions/{ACTION_SLUG}/",
        "/partenaires/aicr/",
        "/partenaires/",
    ],
)
def test_firms_pages_are_accessible_and_reflow(page, demo, path):
    problems = problems_at_widths(page, demo.url + path)
    assert not problems, problems
