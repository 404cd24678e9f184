"""The partner journey: log in, see exactly the organisation's actions, update one (status,
progress, a progress note, a PDF), log out and find the changes on the public page; meanwhile a
colleague who edits the same fiche gets the conflict page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from actions.models import Action, Document, Status
from partners.models import Membership
from tests.partners.factories import MembershipFactory, UserFactory

from .conftest import DEMO_PASSWORD, PARTNER_EMAIL, axe_violations, log_in, new_context, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)

ACTION_SLUG = "bourse-aux-locaux-industriels"  # piloted by the CC du Val d'Amboise
NOTE = "Comité technique du 12 mars : 12 nouveaux locaux recensés à Nazelles-Négron."
DOCUMENT_TITLE = "Bilan de la bourse aux locaux"
COLLEAGUE_PASSWORD = "mot-de-passe-solide-2024"


def minimal_pdf(path):
    """A small but valid one-page PDF (cross-reference offsets computed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 44 >>\nstream\nBT /F1 18 Tf 72 760 Td (Bilan) Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def test_partner_updates_an_action_and_a_colleague_editing_meanwhile_gets_the_conflict_page(
    browser, page, demo, tmp_path, third_party_requests, csp_violations
):
    action = Action.objects.select_related("pilot").get(slug=ACTION_SLUG)
    partner = demo.partner
    assert Membership.objects.filter(
        user=partner, organisation=action.pilot, role=Membership.Role.EDITOR
    ).exists()
    assert action.status != Status.DONE

    # Log in; the dashboard lists exactly the organisation's actions.
    log_in(page, demo.url, PARTNER_EMAIL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes actions")
    table = page.get_by_role("table", name=re.compile("Les actions que pilotent"))
    listed = table.get_by_role("rowheader").evaluate_all(
        "cells => cells.map(cell => cell.querySelector('a').textContent.trim())"
    )
    mine = Action.objects.of_user(partner).current()
    assert sorted(listed) == sorted(f"{a.code} — {a.title}" for a in mine)
    assert 0 < len(listed) < Action.objects.count()

    # Open the fiche and its edit form.
    table.get_by_role("link", name=f"{action.code} — {action.title}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{action.code} — {action.title}")
    page.get_by_role("link", name="Modifier la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Modifier la fiche {action.code}")

    # Meanwhile a colleague of the same organisation opens the same form in another browser.
    colleague = UserFactory(first_name="Claude", last_name="Petit")
    MembershipFactory(user=colleague, organisation=action.pilot, role=Membership.Role.EDITOR)
    other_context = new_context(browser)
    other = other_context.new_page()
    other.set_default_timeout(10_000)
    other_csp = watch_csp(other)
    try:
        log_in(other, demo.url, colleague.email, COLLEAGUE_PASSWORD)
        other.goto(demo.url + f"/espace-partenaire/actions/{action.pk}/modifier/")
        expect(other.get_by_role("heading", level=1)).to_have_text(
            f"Modifier la fiche {action.code}"
        )

        # The partner saves first: new status and progress.
        page.get_by_label("Statut").select_option(label="Réalisée")
        page.get_by_label("Avancement (%)").fill("100")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("La fiche action est enregistrée.")).to_be_visible()
        facts = page.locator("dl.facts")
        expect(facts).to_contain_text("Réalisée")
        expect(facts).to_contain_text("100")

        # The colleague saves a form opened before that change: the conflict page, nothing lost.
        other.get_by_label("Avancement (%)").fill("80")
        with other.expect_response(re.compile(r"/modifier/$")) as response_info:
            other.get_by_role("button", name="Enregistrer").click()
        assert response_info.value.status == 409
        expect(other.get_by_role("heading", level=1)).to_have_text(
            "La fiche a été modifiée pendant votre saisie"
        )
        expect(other.get_by_role("alert")).to_contain_text("Dominique Leroy")
        expect(other.get_by_label("Avancement (%)")).to_have_value("80")
        expect(other.locator("#id_progress_current")).to_contain_text("100")
        expect(other.get_by_role("button", name="Enregistrer la version fusionnée")).to_be_visible()
        assert axe_violations(other) == []
        assert other_csp == []
    finally:
        other_context.close()
    action.refresh_from_db()
    assert (action.status, action.progress) == (Status.DONE, 100)

    # A progress note.
    page.get_by_role("link", name="Ajouter une note de suivi").click()
    page.get_by_label("Note de suivi").fill(NOTE)
    page.get_by_role("button", name="Publier la note").click()
    expect(page.get_by_text("La note de suivi est publiée.")).to_be_visible()
    expect(page.locator("#notes + .timeline li").first).to_contain_text(NOTE)

    # A PDF, public.
    pdf = minimal_pdf(tmp_path / "bilan-bourse.pdf")
    page.get_by_role("link", name="Déposer un document").click()
    page.get_by_label("Titre").fill(DOCUMENT_TITLE)
    page.get_by_label("Fichier").set_input_files(pdf)
    page.get_by_role("radio", name="Public").check()
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text(f"Le document « {DOCUMENT_TITLE} » est déposé.")).to_be_visible()
    document = Document.objects.get(action=action, title=DOCUMENT_TITLE)
    assert document.visibility == Document.Visibility.PUBLIC

    # Log out.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    page.goto(demo.url + "/espace-partenaire/")
    expect(page).to_have_url(re.compile(r"/espace-partenaire/connexion/"))

    # The public page shows the new status, progress, note and document.
    page.goto(demo.url + action.get_absolute_url())
    expect(page.locator(".action-badges .badge").first).to_have_text("Réalisée")
    expect(page.locator(".action-progress")).to_contain_text("100")
    timeline = page.get_by_role("region", name="Suivi de l'action")
    expect(timeline.locator("li").first).to_contain_text(NOTE)
    documents = page.get_by_role("region", name="Documents")
    with page.expect_download() as download_info:
        documents.get_by_role("link", name=DOCUMENT_TITLE).click()
    download = download_info.value
    assert download.suggested_filename == "bilan-bourse.pdf"
    assert Path(download.path()).read_bytes() == pdf.read_bytes()

    assert third_party_requests == []
    assert csp_violations == []


def test_wrong_password_is_refused_with_a_message(page, demo):
    page.goto(demo.url + "/espace-partenaire/connexion/")
    page.get_by_label("Adresse e-mail").fill(PARTNER_EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD + "x")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    page.goto(demo.url + "/espace-partenaire/")
    expect(page).to_have_url(re.compile(r"/connexion/"))
