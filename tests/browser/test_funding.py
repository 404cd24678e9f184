"""Funding in Chromium: the public « Financements » page and the pilot's spending form pass
axe-core at 1280 and 375 px without third-party requests, and a pilot enters what was spent with
the keyboard alone, which the public fiche shows at once."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import Funding

from .conftest import WIDTHS, axe_violations, force_login, horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True)


def pilot_line(partner):
    """A granted demonstration line of an action the demo partner's organisation pilots."""
    return (
        Funding.objects.filter(
            action__pilot__memberships__user=partner,
            action__pilot__memberships__role="editor",
            status=Funding.Status.GRANTED,
        )
        .select_related("action")
        .order_by("pk")
        .first()
    )


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_the_page_is_accessible(page, demo, third_party_requests, width):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(demo.url + reverse("actions:fundings"))
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Financements")
    expect(page.get_by_role("img", name="Financements par année")).to_be_visible()
    assert axe_violations(page) == []
    assert third_party_requests == []


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_the_spending_form_is_accessible_and_keyboard_usable(context, page, demo, width):
    funding = pilot_line(demo.partner)
    assert funding is not None, "les données de démonstration donnent une ligne au partenaire"
    force_login(context, demo.url, demo.partner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo.url + reverse("space:funding_spent", args=[funding.pk]))
    assert axe_violations(page) == []

    amount = page.get_by_label("Montant réalisé (€)")
    amount.focus()
    amount.fill("")
    page.keyboard.type("1234,5")
    page.get_by_label("Réalisé à la date du").fill("2024-11-30")
    page.get_by_label("Note sur le réalisé").fill("Saisi au clavier.")
    page.get_by_label("Note sur le réalisé").press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/espace-partenaire/actions/{funding.action_id}/**")
    funding.refresh_from_db()
    assert str(funding.actual_amount) == "1234.50"
    if funding.action.is_visible_to_public:
        page.goto(demo.url + funding.action.get_absolute_url())
        expect(page.locator(".budget-table")).to_contain_text("1\u00a0234\u00a0€ au 30/11/2024")


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_the_pilot_action_page_lists_the_lines(context, page, demo, width):
    funding = pilot_line(demo.partner)
    force_login(context, demo.url, demo.partner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo.url + reverse("space:action", args=[funding.action_id]))
    expect(page.get_by_role("link", name="Saisir le réalisé").first).to_be_visible()
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
