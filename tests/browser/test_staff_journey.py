"""The staff journey, in the admin: create and publish an action with a funding, validate the
year's plan at the real COPIL (demonstration meetings freeze demonstration actions only), and
find the validated plan on the public COPIL page."""

import re
from decimal import Decimal

import pytest
from django.utils.formats import date_format
from playwright.sync_api import expect

from actions.models import Action, AnnualPlan, Funding
from programme.models import Axis, CopilMeeting
from teritoire.templatetags.portal import euros

from .conftest import DEMO_PASSWORD, STAFF_EMAIL

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "3.9"
TITLE = "Atelier foncier des zones d'activités"
AMOUNT = Decimal("25000")


def choose(page, select_id, search, option):
    """Pick `option` in one of the admin's autocomplete (select2) fields, as a user does."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-container--open .select2-results__option", has_text=option).click()
    expect(page.locator(f"#{select_id} + .select2")).to_contain_text(option)


def field(page, label):
    """An admin field by its label ("Statut :"), not those whose label only starts alike."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*:?$"))


def spaces(text):
    return re.sub(r"[\u00a0\u202f]", " ", text)


def test_staff_creates_an_action_with_a_funding_and_validates_the_plan_at_a_copil(
    page, demo, third_party_requests, csp_violations
):
    # The real COPIL of the reference data, held: a plan validated there freezes real actions.
    meeting = (
        CopilMeeting.objects.filter(is_demo=False, status=CopilMeeting.Status.HELD)
        .order_by("-date")
        .first()
    )
    assert meeting is not None
    year = meeting.date.year
    assert not AnnualPlan.objects.filter(meeting=meeting).exists()
    axis = Axis.objects.get(phase=meeting.phase, name__icontains="Foncier")

    # Log in to the admin.
    page.goto(demo.url + "/admin/")
    page.get_by_label("Adresse e-mail").fill(STAFF_EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotage du programme")

    # A new fiche action with one funding line (inline), published at once.
    page.get_by_role("link", name="Fiches actions", exact=True).first.click()
    page.get_by_role("link", name=re.compile("^Ajouter fiche action")).click()
    field(page, "Phase").select_option(value=str(meeting.phase.pk))
    field(page, "Axe").select_option(value=str(axis.pk))
    field(page, "Code").fill(CODE)
    field(page, "Intitulé").fill(TITLE)
    expect(field(page, "Identifiant d'URL")).not_to_have_value("")  # filled in by the admin
    field(page, "Résumé").fill("Un atelier pour densifier les zones d'activités existantes.")
    field(page, "Statut").select_option(label="À venir")
    choose(page, "id_pilot", "Amboise", "CC du Val d'Amboise")
    page.get_by_role("button", name="Ajouter un objet Financement supplémentaire").click()
    row = page.locator("#fundings-0")
    row.locator("#id_fundings-0-year").fill(str(year))
    choose(page, "id_fundings-0-funder", "Banque", "Banque des Territoires")
    row.locator("#id_fundings-0-kind").select_option(label="Investissement")
    row.locator("#id_fundings-0-planned_amount").fill(str(AMOUNT))
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("ajouté avec succès")

    action = Action.objects.get(code=CODE, phase=meeting.phase)
    assert action.title == TITLE
    assert action.pilot.slug == "cc-du-val-d-amboise"
    funding = Funding.objects.get(action=action)
    assert (funding.year, funding.funder.name, funding.kind, funding.planned_amount) == (
        year,
        "Banque des Territoires",
        Funding.Kind.INVESTMENT,
        AMOUNT,
    )

    assert action.is_public

    # The plan of the year is validated from the meeting's admin page, after its preview.
    page.goto(demo.url + "/admin/programme/copilmeeting/")
    page.get_by_role("link", name=str(meeting)).click()
    page.get_by_role("link", name="Valider le plan d'actions de l'année").click()
    expect(page.get_by_label("Année du plan")).to_have_value(str(year))
    # In the preview, flagged as created after the meeting (it is frozen as it is today).
    preview_row = page.get_by_role("cell", name=re.compile("^" + re.escape(TITLE)))
    expect(preview_row).to_contain_text("créée après la réunion")
    new_version = page.get_by_label(re.compile("^Valider une nouvelle version"))
    if new_version.count():  # the demonstration plan of the same year
        new_version.check()
    page.get_by_role("button", name="Valider le plan d'actions").click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"Plan d'actions {year} validé")

    plan = AnnualPlan.objects.with_public_figures().get(year=year, meeting=meeting)
    assert plan.snapshots.filter(code=CODE, title=TITLE, planned_total=AMOUNT).exists()
    assert plan.validated_by == demo.staff

    # The public COPIL page shows the validated plan, which lists the new action.
    page.goto(demo.url + "/copil/")
    page.get_by_role(
        "link", name=f"{meeting.title} du {date_format(meeting.date, 'j F Y')}"
    ).click()
    expect(page).to_have_url(demo.url + f"/copil/{meeting.pk}/")
    expect(page.get_by_role("heading", name="Plans d'actions validés")).to_be_visible()
    item = page.locator("li", has=page.get_by_role("link", name=f"Plan d'actions {year}"))
    count = plan.public_action_count
    plural = "s" if count > 1 else ""
    expect(item).to_contain_text(f"{count} action{plural} publique{plural}")
    assert spaces(euros(plan.public_total)) in spaces(item.inner_text())
    item.get_by_role("link", name=f"Plan d'actions {year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan d'actions {year} validé")
    expect(page.get_by_role("cell", name=TITLE, exact=True)).to_be_visible()

    assert third_party_requests == []
    assert csp_violations == []
