"""Milestones (jalons) in Chromium: every page that shows or changes them passes axe-core at 1280
and 375 px, and a partner organisation's contributor marks a milestone done with the keyboard
alone, which the public fiche shows at once."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import Action

from .conftest import WIDTHS, axe_violations, force_login

pytestmark = pytest.mark.django_db(transaction=True)

# The demo partner (CC du Val d'Amboise) pilots 3.1 and is a partner organisation of 4.2.
PILOTED = "bourse-aux-locaux-industriels"
PARTNERED = "diagnostics-decarbonation-pme"
PUBLIC_PAGES = [
    ("fiche", lambda: reverse("actions:detail", args=["gpec-territoriale"])),
    ("calendrier", lambda: reverse("actions:timeline")),
    ("accueil", lambda: reverse("home")),
    ("donnees", lambda: reverse("actions:open_data")),
]


def action_pk(slug):
    return Action.objects.get(slug=slug).pk


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
@pytest.mark.parametrize("name,url", PUBLIC_PAGES, ids=[name for name, _ in PUBLIC_PAGES])
def test_public_pages_with_milestones_are_accessible(
    page, demo, third_party_requests, width, name, url
):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(demo.url + url())
    assert response.status == 200
    if name == "fiche":
        expect(page.get_by_role("heading", name="Jalons")).to_be_visible()
        expect(page.get_by_text("En retard").first).to_be_visible()
    if name == "accueil":
        expect(page.get_by_role("heading", name="Prochaines échéances")).to_be_visible()
    assert axe_violations(page) == []
    assert third_party_requests == []


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_partner_milestone_pages_are_accessible(context, page, demo, width):
    force_login(context, demo.url, demo.partner)
    page.set_viewport_size({"width": width, "height": 900})
    for slug in (PILOTED, PARTNERED):
        page.goto(demo.url + reverse("space:milestones", args=[action_pk(slug)]))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Jalons")
        assert axe_violations(page) == []
    # The pilot's form, with its errors shown.
    page.goto(demo.url + reverse("space:milestone_create", args=[action_pk(PILOTED)]))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ajouter le jalon").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert axe_violations(page) == []


def test_a_partner_marks_a_milestone_done_with_the_keyboard(context, page, demo):
    force_login(context, demo.url, demo.partner)
    page.goto(demo.url + reverse("space:action", args=[action_pk(PARTNERED)]))
    link = page.get_by_role("link", name="Suivre les jalons")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('space:milestones', args=[action_pk(PARTNERED)])}")
    # A contributor of a partner organisation marks done; adding is the pilot's.
    expect(page.get_by_role("link", name="Ajouter un jalon")).to_have_count(0)
    mark = page.get_by_role("link", name="Marquer atteint : Plans d'action remis aux entreprises")
    mark.focus()
    page.keyboard.press("Enter")
    note = page.get_by_label("Note")
    note.fill("Les dix plans sont remis.")
    note.focus()
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")
    expect(page.get_by_text("est marqué atteint")).to_be_visible()

    public = context.browser.new_context()
    try:
        visitor = public.new_page()
        visitor.goto(demo.url + reverse("actions:detail", args=[PARTNERED]))
        expect(visitor.get_by_text("Les dix plans sont remis.")).to_be_visible()
        expect(visitor.get_by_text("3 jalons sur 4 atteints").first).to_be_visible()
    finally:
        public.close()
