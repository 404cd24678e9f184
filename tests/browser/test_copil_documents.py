"""The HTML versions of a COPIL meeting's documents in Chromium: no axe-core violation at 1280
and 375 px, no sideways scrolling at 320 CSS px, no third-party request; the staff version in
the admin's layout; from the meeting page to the PDFs with the keyboard alone.
"""

import pytest
from playwright.sync_api import expect

from programme.models import CopilMeeting

from .conftest import (
    REFLOW_WIDTH,
    assert_focus_visible,
    axe_violations,
    force_login,
    horizontal_overflow,
    viewport,
)

pytestmark = pytest.mark.django_db(transaction=True)


def held_meeting():
    return CopilMeeting.objects.public().filter(status="held").order_by("-date").first()


@pytest.mark.parametrize("document", ["dossier-de-seance", "releve-de-decisions"])
@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_public_pages_accessible_at_each_width(
    page, demo, width, document, third_party_requests, csp_violations
):
    meeting = held_meeting()
    page.set_viewport_size(viewport(width))
    page.goto(f"{demo.url}/copil/{meeting.pk}/{document}/")
    title = "Dossier de séance" if document == "dossier-de-seance" else "Relevé de décisions"
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    assert axe_violations(page) == []
    if width == "mobile":
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
        assert horizontal_overflow(page) <= 0
    assert third_party_requests == [] and csp_violations == []


@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_staff_dossier_accessible(page, context, demo, width):
    meeting = CopilMeeting.objects.order_by("-date").first()
    force_login(context, demo.url, demo.staff)
    page.set_viewport_size(viewport(width))
    page.goto(f"{demo.url}/pilotage/copil/{meeting.pk}/dossier-de-seance/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossier de séance")
    expect(page.get_by_role("heading", name="Actions à surveiller")).to_be_visible()
    assert axe_violations(page) == []


def test_keyboard_from_the_meeting_to_the_pdf(page, demo):
    meeting = held_meeting()
    page.goto(f"{demo.url}/copil/{meeting.pk}/")
    link = page.locator(f'a[href="/copil/{meeting.pk}/releve-de-decisions/"]')
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("le lien du relevé de décisions n'est pas atteint au clavier")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/copil/{meeting.pk}/releve-de-decisions/")
    pdf_link = page.get_by_role("link", name="Télécharger le relevé de décisions en PDF")
    expect(pdf_link).to_have_attribute("href", f"/copil/{meeting.pk}/releve-de-decisions.pdf")
    response = page.request.get(demo.url + f"/copil/{meeting.pk}/releve-de-decisions.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
