"""COPIL decisions in Chromium: the public register and the partner's follow-up form pass axe-core
at 1280 and 375 px, and a partner updates a decision their organisation owns, keyboard only,
which the public register shows at once."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programme.models import Decision

from .conftest import WIDTHS, axe_violations, force_login

pytestmark = pytest.mark.django_db(transaction=True)


def partner_decision(partner):
    """An open demonstration decision owned by the demo partner's organisation."""
    return (
        Decision.objects.open()
        .filter(owner__memberships__user=partner, is_demo=True)
        .order_by("due_date")
        .first()
    )


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_the_register_is_accessible(page, demo, third_party_requests, width):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(demo.url + reverse("programme:decision_list") + "?en_retard=oui")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registre des décisions")
    expect(page.locator("td .badge", has_text="En retard").first).to_be_visible()
    assert axe_violations(page) == []
    assert third_party_requests == []


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_the_follow_up_form_is_accessible_with_and_without_errors(context, page, demo, width):
    decision = partner_decision(demo.partner)
    assert decision is not None, "les données de démonstration donnent une décision au partenaire"
    force_login(context, demo.url, demo.partner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo.url + reverse("space:decision_edit", args=[decision.pk]))
    assert axe_violations(page) == []
    page.get_by_label("Date du statut").fill("2000-01-01")
    page.get_by_role("button", name="Enregistrer le suivi").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert axe_violations(page) == []


def test_a_partner_updates_a_decision_with_the_keyboard(context, page, demo):
    decision = partner_decision(demo.partner)
    force_login(context, demo.url, demo.partner)
    page.goto(demo.url + reverse("space:dashboard"))
    link = page.get_by_role("link", name="Mettre à jour le suivi").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('space:decision_edit', args=[decision.pk])}")
    page.get_by_label("Statut", exact=False).and_(page.locator("select")).select_option(
        label="En cours"
    )
    page.get_by_label("Note de suivi").fill("Premier rendez-vous pris avec les entreprises.")
    page.get_by_label("Note de suivi").focus()
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")
    expect(page.get_by_text("Le suivi de la décision est enregistré.")).to_be_visible()

    public = context.browser.new_context()
    try:
        visitor = public.new_page()
        visitor.goto(demo.url + reverse("programme:decision_list"))
        expect(
            visitor.get_by_text("Premier rendez-vous pris avec les entreprises.")
        ).to_be_visible()
    finally:
        public.close()
