"""The update campaign in Chromium: a partner answers it with the keyboard alone (log in, a
progress note on one action, « Rien de nouveau » on another, log out), and the partner pages
that carry the campaign's banner pass axe-core at 1280 and 375 px."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action, ProgressUpdate, UpdateCampaign, UpdateConfirmation
from programme.models import CopilMeeting

from .conftest import (
    DEMO_PASSWORD,
    PARTNER_EMAIL,
    WIDTHS,
    assert_focus_visible,
    axe_violations,
    force_login,
    horizontal_overflow,
)

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED_NAME = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "";
    const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
    return (label || el.innerText || el.value || "").replace(/\\s+/g, " ").trim();
}"""


def campaign_for(partner):
    """A campaign for a COPIL in three weeks over the partner's piloted actions (two at least),
    opened now: none of them has answered yet."""
    actions = list(
        Action.objects.current()
        .filter(pilot__memberships__user=partner, pilot__memberships__role="editor")
        .order_by("code_sort")
    )
    assert len(actions) >= 2, "le partenaire de démonstration pilote au moins deux fiches"
    meeting = CopilMeeting.objects.create(
        phase=actions[0].phase,
        title="Comité de pilotage (démonstration)",
        date=timezone.localdate() + datetime.timedelta(days=21),
        is_demo=True,
    )
    campaign = UpdateCampaign.objects.create(
        meeting=meeting,
        deadline=timezone.localdate() + datetime.timedelta(days=14),
        opened_at=timezone.now(),
    )
    campaign.actions.set(actions)
    return campaign, actions


def tab_to(page, name, limit=80):
    """Press Tab until the focused element's name (label, text or value) contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if name in page.evaluate(FOCUSED_NAME):
            assert_focus_visible(page)
            return
    raise AssertionError(f"« {name} » introuvable au clavier")


def test_a_partner_answers_the_campaign_with_the_keyboard_alone(page, demo):
    campaign, actions = campaign_for(demo.partner)
    noted, confirmed = actions[0], actions[1]

    page.goto(demo.url + reverse("partners:login"))
    tab_to(page, "Adresse e-mail")
    page.keyboard.type(PARTNER_EMAIL)
    tab_to(page, "Mot de passe")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('space:dashboard')}")

    banner = page.locator(".campaign-banner")
    expect(banner).to_contain_text("Préparation du COPIL du")
    expect(banner).to_contain_text(f"Fiches à jour\u00a0: 0 sur {len(actions)}.")
    expect(banner).to_contain_text(f"{noted.code} — {noted.title}")

    # A progress note on the first action.
    tab_to(page, f"Ajouter une note à l’action {noted.code}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('space:update_create', args=[noted.pk])}")
    tab_to(page, "Note de suivi")
    page.keyboard.type("Trois entreprises rencontrées ce mois-ci ; le calendrier tient.")
    tab_to(page, "Publier la note")
    page.keyboard.press("Enter")
    expect(page.get_by_text("La note de suivi est publiée.")).to_be_visible()
    expect(page.locator(".campaign-banner")).to_contain_text(
        f"Fiches à jour\u00a0: 1 sur {len(actions)}."
    )

    # « Rien de nouveau » on the second one, from the banner of whatever page is open.
    tab_to(page, f"Rien de nouveau sur l’action {confirmed.code}")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"rien de nouveau sur l’action {confirmed.code}".replace("’", "'")))
    expect(page.locator(".messages")).to_contain_text("C'est noté")
    expect(page.locator(".campaign-banner")).to_contain_text(
        f"Fiches à jour\u00a0: 2 sur {len(actions)}."
    )

    tab_to(page, "Se déconnecter")
    page.keyboard.press("Enter")
    expect(page.locator(".campaign-banner")).to_have_count(0)
    page.goto(demo.url + reverse("space:dashboard"))
    assert "/connexion/" in page.url  # logged out

    assert ProgressUpdate.objects.filter(action=noted, author=demo.partner).exists()
    assert UpdateConfirmation.objects.filter(
        campaign=campaign, action=confirmed, confirmed_by=demo.partner
    ).exists()
    waiting = {action.pk for action in campaign.waiting_actions()}
    assert noted.pk not in waiting and confirmed.pk not in waiting


@pytest.mark.parametrize("width", [size[0] for size in WIDTHS.values()])
def test_partner_pages_with_the_banner_are_accessible(context, page, demo, width):
    campaign, actions = campaign_for(demo.partner)
    force_login(context, demo.url, demo.partner)
    page.set_viewport_size({"width": width, "height": 900})
    for url in (
        reverse("space:dashboard"),
        reverse("space:action", args=[actions[0].pk]),
        reverse("space:update_create", args=[actions[0].pk]),
    ):
        page.goto(demo.url + url)
        banner = page.locator(".campaign-banner")
        expect(banner).to_be_visible()
        assert axe_violations(page) == [], url
        box = banner.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, url  # the banner reflows
        assert banner.evaluate("el => el.scrollWidth <= el.clientWidth"), url
    assert horizontal_overflow(page) <= 0  # the note form, banner included, fits
