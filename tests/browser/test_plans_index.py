"""/plans/ in Chromium: no axe-core violation at 1280 and 375 px, no sideways scrolling at
320 CSS px, no third-party request; with the keyboard alone, from the index to a plan and its PDF.
"""

import pytest
from playwright.sync_api import expect

from actions.models import AnnualPlan

from .conftest import (
    REFLOW_WIDTH,
    assert_focus_visible,
    axe_violations,
    horizontal_overflow,
    viewport,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_accessible_at_each_width(page, demo, width, third_party_requests, csp_violations):
    page.set_viewport_size(viewport(width))
    page.goto(demo.url + "/plans/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans d'actions validés")
    years = sorted({plan.year for plan in AnnualPlan.objects.all()}, reverse=True)
    assert len(years) > 1
    for year in years:
        expect(page.get_by_role("link", name=f"Plan {year}", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    if width == "mobile":
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
        assert horizontal_overflow(page) <= 0
    assert third_party_requests == [] and csp_violations == []


def test_keyboard_from_the_index_to_a_plan_and_its_pdf(page, demo):
    latest = AnnualPlan.objects.order_by("-year").first().year
    page.goto(demo.url + "/plans/")
    link = page.get_by_role("link", name=f"Plan {latest}", exact=True)
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError(f"le lien « Plan {latest} » n'est pas atteint au clavier")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/plans/{latest}/")
    pdf_link = page.get_by_role("link", name=f"Télécharger le plan {latest} en PDF")
    expect(pdf_link).to_have_attribute("href", f"/plans/{latest}/plan.pdf")
    response = page.request.get(demo.url + f"/plans/{latest}/plan.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
