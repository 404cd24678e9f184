"""The Funding admin (its own page and the action's inline) refuses to save over a change made
since the page opened, as the decisions' admin does (issue 13)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from actions.admin.funding_forms import FUNDING_CONFLICT
from actions.funding import record_spending
from actions.models import Funding
from tests.actions.factories import FundingFactory
from tests.actions.test_admin_actions import change_url, form_data
from tests.actions.test_admin_actions import staff as staff_fixture

staff = staff_fixture  # the fixture of the admin tests
D = Decimal


@pytest.fixture
def line(db):
    return FundingFactory(planned_amount=D("10000"))


def spend(line):
    """The pilot's editors enter what was spent, in the partner space, meanwhile."""
    return record_spending(
        line.pk,
        {"actual_amount": D("900")},
        expected_version=line.version,
        user=None,
        reason="Réalisé saisi dans l'espace partenaire",
    )


def granted(data, prefix=""):
    return data | {
        f"{prefix}status": "granted",
        f"{prefix}granted_amount": "8000",
    }


class TestFundingPage:
    def url(self, line):
        return reverse("admin:actions_funding_change", args=[line.pk])

    def test_a_save_over_a_change_made_since_the_page_opened_is_refused(self, client, staff, line):
        data = form_data(client.get(self.url(line)))
        spend(line)
        response = client.post(self.url(line), granted(data))
        assert response.status_code == 200
        assert FUNDING_CONFLICT.replace("'", "&#x27;") in response.content.decode()
        line.refresh_from_db()
        assert (line.status, line.granted_amount, line.actual_amount) == (
            "planned", None, D("900")
        )  # fmt: skip

    def test_a_save_at_the_current_version_goes_through(self, client, staff, line):
        data = form_data(client.get(self.url(line)))
        response = client.post(self.url(line), granted(data))
        assert response.status_code == 302
        line.refresh_from_db()
        assert (line.status, line.granted_amount, line.version) == ("granted", D("8000"), 2)

    def test_a_form_without_its_version_is_refused(self, client, staff, line):
        data = form_data(client.get(self.url(line)))
        del data["seen_version"]
        response = client.post(self.url(line), granted(data))
        assert response.status_code == 200
        assert Funding.objects.get(pk=line.pk).status == "planned"


class TestActionInline:
    def test_a_save_over_a_change_made_since_the_page_opened_is_refused(self, client, staff, line):
        data = form_data(client.get(change_url(line.action)))
        prefix = next(k for k in data if k.endswith("-0-seen_version")).removesuffix("seen_version")
        spend(line)
        response = client.post(change_url(line.action), granted(data, prefix))
        assert response.status_code == 200
        assert FUNDING_CONFLICT.replace("'", "&#x27;") in response.content.decode()
        assert Funding.objects.get(pk=line.pk).status == "planned"

    def test_a_stale_inline_never_reverts_the_spent_amount(self, client, staff, line):
        """The inline shows the spent amount: posting the page as it was opened would put the
        old figure back, so even an edit of the action alone is refused until reloaded."""
        data = form_data(client.get(change_url(line.action)))
        spend(line)
        response = client.post(change_url(line.action), data | {"title": "Nouveau titre"})
        assert FUNDING_CONFLICT.replace("'", "&#x27;") in response.content.decode()
        assert Funding.objects.get(pk=line.pk).actual_amount == D("900")

    def test_an_action_saved_with_its_lines_untouched_goes_through(self, client, staff, line):
        data = form_data(client.get(change_url(line.action)))
        response = client.post(change_url(line.action), data | {"title": "Nouveau titre"})
        assert response.status_code == 302
        line.refresh_from_db()
        assert (line.action.title, line.version) == ("Nouveau titre", 1)
