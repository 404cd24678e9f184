"""Issue 16, item 4 (rules in issue 12, part 2): /plans/<year>/ reveals nothing confidential.

A frozen plan keeps whether each action was public when it was frozen. A visitor sees only those
rows (and only while their action, if it still exists, stays published), totals summed over
exactly those rows, no meeting that is not public, and a removed action as it was frozen.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Action
from actions.services import validate_annual_plan
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory, CopilMeetingFactory

pytestmark = pytest.mark.django_db

PLAN_URL = reverse("actions:plan", args=[2024])


def euros_on_page(html):
    """Every amount in euros printed on the page, as Decimals."""
    amounts = re.findall(r"(\d[\d\u00a0\u202f ]*(?:,\d+)?)\u00a0€", html)
    return [Decimal(re.sub(r"[\u00a0\u202f ]", "", a).replace(",", ".")) for a in amounts]


@pytest.fixture
def axis():
    return AxisFactory(number=1, name="Compétences")


def action(axis, code, title, amount, *, is_public=True, pilot=None):
    made = ActionFactory(
        axis=axis, code=code, title=title, is_public=is_public, pilot=pilot or OrganisationFactory()
    )
    FundingFactory(action=made, year=2024, planned_amount=Decimal(amount))
    return made


def test_a_deleted_private_action_leaves_nothing_on_the_plan_page(client, axis):
    action(axis, "1.1", "Plateforme RH", "10000")
    secret_pilot = OrganisationFactory(name="Société Discrète Industries")
    private = action(
        axis, "1.2", "Reprise du site Alpha", "123456", is_public=False, pilot=secret_pilot
    )
    validate_annual_plan(CopilMeetingFactory(phase=axis.phase), 2024)
    private.delete()

    html = client.get(PLAN_URL).content.decode()
    for secret in ["Reprise du site Alpha", "Société Discrète Industries", "123", "non publique"]:
        assert secret not in html
    # every amount printed is the public row's, or a sum of public rows: 10 000 € (or 0 €)
    assert set(euros_on_page(html)) <= {Decimal("10000"), Decimal("0")}
    assert "<strong>Total validé : 10\u00a0000\u00a0€</strong> pour 1 fiche action" in html


def test_a_plan_validated_at_a_private_meeting_names_no_meeting(client, axis):
    action(axis, "1.1", "Plateforme RH", "10000")
    meeting = CopilMeetingFactory(
        phase=axis.phase,
        title="COPIL restreint des financeurs",
        date=datetime.date(2024, 3, 14),
        place="Château de Chissay",
        is_public=False,
    )
    validate_annual_plan(meeting, 2024)
    validate_annual_plan(meeting, 2024)  # two versions: the list of versions names none either

    html = client.get(PLAN_URL).content.decode()
    for secret in ["COPIL restreint", "Chissay", "14 mars", "14/03", f"/copil/{meeting.pk}/"]:
        assert secret not in html
    assert "Validé en comité de pilotage&nbsp;:" in html

    client.force_login(StaffFactory())
    staff_page = client.get(PLAN_URL).content.decode()
    assert "COPIL restreint des financeurs du 14 mars 2024 (Château de Chissay)" in staff_page


def test_an_archived_action_new_title_is_not_in_the_diff(client, axis):
    archived = action(axis, "1.1", "Plateforme RH", "10000")
    validate_annual_plan(CopilMeetingFactory(phase=axis.phase), 2024)
    Action.objects.filter(pk=archived.pk).update(
        is_archived=True, title="Cession au groupe Omega", code="9.9"
    )

    html = client.get(PLAN_URL).content.decode()
    assert "Cession au groupe Omega" not in html and "9.9" not in html
    changes = html[html.index('id="changements"') : html.index('id="plan-valide"')]
    assert "Plateforme RH" in changes and "fiche archivée" in changes


EUROS = r"(\d[\d\u00a0\u202f,]*\u00a0€)"


def amount(text):
    [value] = euros_on_page(text)
    return value


def check_plan_totals(html, year):
    """Each total /plans/<year>/ prints against the rows it shows, a plan without changes since
    included. Returns (count, validated total, total today)."""
    frozen = html[html.index('id="plan-valide"') :]
    rows = []
    for table in frozen.split("<table")[1:]:
        caption = re.search(rf"<caption>Axe \d+ — .*? : {EUROS} prévus en", table).group(1)
        cells = [amount(cell) for cell in re.findall(r'<td class="num">(.*?)</td>', table)]
        assert amount(caption) == sum(cells), caption
        rows += cells
    total, count = re.search(rf"Total validé : {EUROS}</strong> pour (\d+) fiche", frozen).groups()
    assert (amount(total), int(count)) == (sum(rows), len(rows))
    lead = re.search(rf"(\d+) fiches? actions? de la [^,]*,\s*{EUROS} de budget prévu", html)
    assert (int(lead.group(1)), amount(lead.group(2))) == (len(rows), sum(rows))

    changes = html[html.index('id="changements"') : html.index('id="plan-valide"')]
    summary = re.search(
        rf"Budget prévu pour {year} : {EUROS} à la validation, {EUROS} aujourd'hui", changes
    )
    if summary is None:
        assert "Aucun changement" in changes
        return len(rows), sum(rows), sum(rows)
    before, today = summary.groups()
    assert amount(before) == sum(rows)
    delta = -sum(amount(a) for a in re.findall(rf"\({EUROS} étaient prévus\)", changes))
    delta += sum(
        amount(a) for a in re.findall(rf"Ajoutée</strong> après [^,]*, {EUROS} prévus en", changes)
    )
    for old, new in re.findall(rf"Budget {year} : {EUROS} → <strong>{EUROS}</strong>", changes):
        delta += amount(new) - amount(old)
    assert amount(today) == amount(before) + delta
    return len(rows), sum(rows), amount(today)


def check_every_total(html, year=2024):
    """`check_plan_totals` for the plans of these tests: (validated total, total today)."""
    _count, before, today = check_plan_totals(html, year)
    return before, today


@pytest.mark.parametrize("with_private", [False, True], ids=["public only", "with private"])
def test_every_total_on_the_plan_page_is_the_sum_of_its_rows(client, axis, with_private):
    second = AxisFactory(phase=axis.phase, number=2, name="Foncier")
    action(axis, "1.1", "Plateforme RH", "10000")
    two_funders = action(axis, "1.2", "Job dating", "5000")
    FundingFactory(action=two_funders, year=2024, planned_amount=Decimal("2000"))
    archived = action(second, "2.1", "Tiers-lieu", "3000")
    if with_private:
        action(axis, "1.3", "Friche Alpha", "40000", is_public=False)
        deleted = action(second, "2.2", "Site Beta", "8100", is_public=False)
    validate_annual_plan(CopilMeetingFactory(phase=axis.phase), 2024)
    two_funders.fundings.filter(planned_amount=Decimal("5000")).update(planned_amount=6000)
    Action.objects.filter(pk=archived.pk).update(is_archived=True)
    action(second, "2.3", "Étude foncière", "1500")
    if with_private:
        deleted.delete()
        action(second, "2.4", "Site Gamma", "90000", is_public=False)

    html = client.get(PLAN_URL).content.decode()
    assert check_every_total(html) == (Decimal("20000"), Decimal("19500"))
    public_today = Action.objects.public().filter(fundings__year=2024)
    assert sum(public_today.values_list("fundings__planned_amount", flat=True)) == Decimal("19500")
    for secret in ["Alpha", "Beta", "Gamma", "40\u00a0000", "8\u00a0100", "90\u00a0000"]:
        assert secret not in html

    client.force_login(StaffFactory())
    staff_page = client.get(PLAN_URL).content.decode()
    expected = (Decimal("68100"), Decimal("149500")) if with_private else (20000, 19500)
    assert check_every_total(staff_page) == expected


def test_the_copil_page_prints_only_the_public_figures_of_its_plans(client, axis):
    action(axis, "1.1", "Plateforme RH", "10000")
    action(axis, "1.2", "Reprise du site Alpha", "123456", is_public=False)
    meeting = CopilMeetingFactory(phase=axis.phase)
    validate_annual_plan(meeting, 2024)

    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "133\u00a0456" not in html and "2 actions" not in html
    assert "1 action publique, 10\u00a0000\u00a0€ de budget prévu" in html
