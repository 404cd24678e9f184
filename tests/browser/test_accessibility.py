"""Accessibility of every public page type and every partner form, in Chromium.

For each page, at 1280 and 375 px: no axe-core violation of the WCAG 2.1 A and AA rules (the
basis of the French RGAA), forms also once submitted with errors; at 320 CSS px (a 1280 px
screen zoomed to 400 %, WCAG 1.4.10) no horizontal scrolling; and on the way, no request to a
third-party host and no Content Security Policy violation.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import Action, AnnualPlan
from partners.invitations import invitation_path
from partners.models import User
from programme.models import CopilMeeting, Intercommunality, NewsItem
from tests.partners.factories import UserFactory

from .conftest import (
    PARTNER_EMAIL,
    force_login,
    horizontal_overflow,
    problems_at_widths,
)

pytestmark = pytest.mark.django_db(transaction=True)


ACTION_SLUG = "bourse-aux-locaux-industriels"  # piloted by the demo partner's organisation


def public_action():
    return Action.objects.public().get(slug=ACTION_SLUG)


# Page type -> its address (computed once the data is loaded) and the expected HTTP status.
PUBLIC_PAGES = {
    "accueil": lambda: reverse("home"),
    "territoire": lambda: reverse("programme:territory"),
    "communaute-de-communes": lambda: reverse(
        "programme:intercommunality", args=[Intercommunality.objects.get(siren="200043065").slug]
    ),
    "partenaires": lambda: reverse("directory:list"),
    "partenaire": lambda: reverse("directory:detail", args=["aicr"]),
    "axe": lambda: public_action().axis.get_absolute_url(),
    "plan-d-actions": lambda: reverse("actions:list"),
    "plan-d-actions-filtre": lambda: (
        reverse("actions:list")
        + "?statut=in_progress&intercommunalite=cc-du-val-d-amboise&tri=-budget"
    ),
    "fiche-action": lambda: public_action().get_absolute_url(),
    "copil": lambda: reverse("programme:copil_list"),
    "copil-reunion": lambda: reverse(
        "programme:copil_detail",
        args=[CopilMeeting.objects.filter(status="held", annual_plans__isnull=False).first().pk],
    ),
    "actualites": lambda: reverse("programme:news_list"),
    "actualite": lambda: NewsItem.objects.first().get_absolute_url(),
    "donnees": lambda: reverse("actions:open_data"),
    "plan-annuel": lambda: reverse(
        "actions:plan", args=[AnnualPlan.objects.order_by("year").first().year]
    ),
    "mentions-legales": lambda: reverse("legal"),
    "accessibilite": lambda: reverse("accessibility"),
    "page-introuvable": lambda: "/cette-page-n-existe-pas/",
}
EXPECTED_STATUS = {"page-introuvable": 404}


def submit_login_with_a_wrong_password(page):
    page.get_by_label("Adresse e-mail").fill("personne@example.org")
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()


def submit(button):
    def run(page):
        page.get_by_role("button", name=button).click()

    return run


def submit_edit_with_a_progress_over_100(page):
    page.get_by_label("Avancement (%)").fill("150")
    page.get_by_role("button", name="Enregistrer").click()


def reset_link():
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.get(email=PARTNER_EMAIL)
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("partners:password_reset_confirm", args=[uidb64, token])


def invitation_link():
    return invitation_path(UserFactory(password=None, first_name="Invité", last_name="Nouveau"))


def space(name, *args):
    return lambda: reverse(f"space:{name}", args=[public_action().pk] if args else [])


# Page type -> (address, logged in as the demo partner, how to submit it with errors).
PARTNER_PAGES = {
    "connexion": (
        lambda: reverse("partners:login"),
        False,
        submit_login_with_a_wrong_password,
    ),
    "mot-de-passe-oublie": (
        lambda: reverse("partners:password_reset"),
        False,
        submit("Recevoir le lien"),
    ),
    "nouveau-mot-de-passe": (reset_link, False, submit("Enregistrer le mot de passe")),
    "invitation": (invitation_link, False, submit("Enregistrer et accéder à mon espace")),
    "tableau-de-bord": (space("dashboard"), True, None),
    "fiche": (space("action", "pk"), True, None),
    "modifier-la-fiche": (space("action_edit", "pk"), True, submit_edit_with_a_progress_over_100),
    "note-de-suivi": (space("update_create", "pk"), True, submit("Publier la note")),
    "mesure": (space("measurement_create", "pk"), True, submit("Enregistrer la mesure")),
    "document": (space("document_create", "pk"), True, submit("Déposer")),
    "mot-de-passe": (
        lambda: reverse("partners:password_change"),
        True,
        submit("Enregistrer le nouveau mot de passe"),
    ),
}


# Problems found and reported, not yet fixed by the owners of the templates: page type -> the
# problem's key in `problems_of` -> why. The test xfails while exactly these remain, and fails
# as soon as one is fixed (remove its entry then) or another appears.
KNOWN_PROBLEMS = {}


def assert_no_problems(page_type, problems):
    known = KNOWN_PROBLEMS.get(page_type, {})
    unexpected = {key: value for key, value in problems.items() if key not in known}
    assert unexpected == {}
    fixed = set(known) - set(problems)
    assert not fixed, f"corrigé : retirez {fixed} de KNOWN_PROBLEMS"
    if known:
        pytest.xfail(" ; ".join(known.values()))


def problems_of(page, url, status=200, submit_with_errors=None):
    """Everything wrong with the page at both widths and once reflowed, forms also once
    submitted with errors; empty when all is well."""
    problems = problems_at_widths(page, url, status)
    if submit_with_errors:
        submit_with_errors(page)
        expect(page.get_by_role("alert").first).to_be_visible()
        errors = problems_at_widths(page)
        problems.update({f"{key}, formulaire en erreur": value for key, value in errors.items()})
    return problems


@pytest.mark.parametrize("page_type", PUBLIC_PAGES)
def test_public_page_type_is_accessible_and_reflows(
    page_type, page, demo, third_party_requests, csp_violations
):
    url = demo.url + PUBLIC_PAGES[page_type]()
    problems = problems_of(page, url, EXPECTED_STATUS.get(page_type, 200))
    assert third_party_requests == []
    assert csp_violations == []
    assert_no_problems(page_type, problems)


@pytest.mark.parametrize("page_type", PARTNER_PAGES)
def test_partner_form_is_accessible_and_reflows(
    page_type, context, page, demo, third_party_requests, csp_violations
):
    path, logged_in, submit_with_errors = PARTNER_PAGES[page_type]
    if logged_in:
        force_login(context, demo.url, demo.partner)
    url = demo.url + path()
    problems = problems_of(page, url, submit_with_errors=submit_with_errors)
    if logged_in:
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert third_party_requests == []
    assert csp_violations == []
    assert_no_problems(page_type, problems)


def test_the_dashboard_table_fits_a_phone_with_every_cell_labelled(context, page, demo):
    """At 375 px each action of the dashboard is a card: no cell cut off or out of view."""
    force_login(context, demo.url, demo.partner)
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        page.goto(demo.url + reverse("space:dashboard"))
        row = page.locator(".space-table tbody tr").first
        cells = row.locator("th, td")
        assert cells.count() == 6
        for index in range(cells.count()):
            box = cells.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (index, box)
        labels = row.locator(".cell-label")
        expect(labels).to_have_text(
            ["Votre rôle", "Statut", "Avancement", "Dernière note de suivi", "À surveiller"]
        )
        assert horizontal_overflow(page) == 0
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_a_long_dashboard_is_paged_with_a_styled_pager(context, page, demo):
    """An organisation with many actions reads them 25 at a time; the page links sit in a row,
    are reachable and pass axe-core at both widths."""
    from tests.budget import bulk_actions

    organisation = demo.partner.memberships.get().organisation
    bulk_actions(30, pilot=organisation, axis=public_action().axis)
    force_login(context, demo.url, demo.partner)
    page.goto(demo.url + reverse("space:dashboard"))
    pager = page.get_by_role("navigation", name="Pages de mes actions")
    expect(pager).to_be_visible()
    expect(pager.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    tops = {
        round(box["y"]) for box in map(lambda link: link.bounding_box(), pager.locator("a").all())
    }
    assert len(tops) == 1, "les liens de pages ne sont pas sur une ligne"
    assert problems_at_widths(page) == {}
    pager.get_by_role("link", name="Suivante").click()
    expect(page.locator("caption").first).to_contain_text("page 2 sur 2")
