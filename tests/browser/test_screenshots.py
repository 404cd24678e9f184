"""Full-page screenshots of the main pages at 1280 and 375 px, into docs/screenshots/.

Run on demand only (`make screenshots`, which sets SCREENSHOTS=1; see conftest.py). The names are
stable, `<page>-<width>.png`, so the pictures in the repository are replaced, not added to.
"""

import pytest
from playwright.sync_api import expect

from actions.models import Action

from .conftest import SCREENSHOTS, WIDTHS, force_login

pytestmark = pytest.mark.django_db(transaction=True)

ACTION_SLUG = "bourse-aux-locaux-industriels"

PUBLIC = {
    "home": lambda: "/",
    "territoire": lambda: "/territoire/",
    "actions": lambda: "/actions/",
    "action-detail": lambda: Action.objects.get(slug=ACTION_SLUG).get_absolute_url(),
    "copil": lambda: "/copil/",
    "donnees": lambda: "/donnees/",
    "entreprises": lambda: "/entreprises/",
    "entreprises-recruter": lambda: "/entreprises/recruter/",
    "partenaire": lambda: "/partenaires/aicr/",
    "recherche": lambda: "/recherche/?q=recruter",
    "recherche-sans-resultat": lambda: "/recherche/?q=xylophone",
    "carte-des-actions": lambda: "/actions/carte/?intercommunalite=cc-du-val-d-amboise",
    "calendrier": lambda: "/actions/calendrier/",
    "plans": lambda: "/plans/",
    "financements": lambda: "/financements/",
    "copil-decisions": lambda: "/copil/decisions/",
}
PARTNER = {"espace-partenaire": lambda: "/espace-partenaire/"}


def shoot(page, url, name):
    taken = []
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True, animations="disabled", caret="initial")
        assert path.stat().st_size > 10_000
        taken.append(path.name)
    return taken


def test_screenshots_of_the_main_pages(context, page, demo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    for name, path in PUBLIC.items():
        taken += shoot(page, demo.url + path(), name)
    force_login(context, demo.url, demo.partner)
    for name, path in PARTNER.items():
        taken += shoot(page, demo.url + path(), name)
    assert len(taken) == 2 * (len(PUBLIC) + len(PARTNER))
