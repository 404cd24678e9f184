"""Milestones (jalons): the rules on fixed dates, the permission matrix of the partner space, the
write path (version, history), the pages that show them and the open-data files."""

import csv
import datetime
import io
import json
from types import SimpleNamespace

import factory
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.diff import compute_plan_diff, current_states, frozen_states, milestone_changes
from actions.milestones import MilestoneConflict, mark_done, move_milestone, update_milestone
from actions.models import Action, Milestone, MilestoneSummary
from actions.public.timeline import TimeScale, bar
from actions.services import validate_annual_plan
from partners.models import Membership
from tests.actions.factories import ActionFactory
from tests.budget import assert_no_n_plus_one, bulk, bulk_actions, visit_as
from tests.factory_base import ModelFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import CopilMeetingFactory

TODAY = datetime.date(2025, 6, 15)
ROLES = ["anonymous", "pilot_editor", "partner_editor", "reader", "outsider", "staff"]


class MilestoneFactory(ModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Jalon {n}")
    due_date = datetime.date(2025, 6, 30)


# ----------------------------------------------------------------------------- the rules


@pytest.mark.django_db
class TestRules:
    def test_late_upcoming_and_done_on_a_fixed_date(self):
        action = ActionFactory()
        late = MilestoneFactory(action=action, due_date=datetime.date(2025, 6, 14))
        due_today = MilestoneFactory(action=action, due_date=TODAY)
        upcoming = MilestoneFactory(action=action, due_date=datetime.date(2025, 9, 1))
        done_late = MilestoneFactory(
            action=action, due_date=datetime.date(2025, 1, 1), done_on=datetime.date(2025, 2, 1)
        )
        rows = Milestone.objects.all()
        assert set(rows.late(TODAY)) == {late}
        assert set(rows.upcoming(TODAY)) == {due_today, upcoming}
        assert set(rows.done()) == {done_late}
        # The twins agree with the querysets.
        for milestone in rows:
            assert milestone.is_late(TODAY) == (milestone in rows.late(TODAY))
            assert milestone.is_upcoming(TODAY) == (milestone in rows.upcoming(TODAY))
            assert milestone.is_done == (milestone in rows.done())
        # A day later, the milestone due today is late.
        assert set(rows.late(TODAY + datetime.timedelta(days=1))) == {late, due_today}

    def test_public_means_milestones_of_public_actions(self):
        shown = MilestoneFactory(action=ActionFactory(is_public=True))
        MilestoneFactory(action=ActionFactory(is_public=False))
        MilestoneFactory(action=ActionFactory(is_public=True, is_archived=True))
        assert list(Milestone.objects.public()) == [shown]
        for milestone in Milestone.objects.select_related("action"):
            assert milestone.is_visible_to_public == (milestone == shown)

    def test_summary_counts_and_label(self):
        action = ActionFactory()
        for done in (True, True, True, False, False):
            MilestoneFactory(
                action=action,
                due_date=datetime.date(2025, 1, 1),
                done_on=datetime.date(2025, 1, 1) if done else None,
            )
        summary = MilestoneSummary(action.milestones.all(), TODAY)
        assert summary.label == "3 jalons sur 5 atteints"
        assert (summary.done, summary.late, summary.total) == (3, 2, 5)
        one = MilestoneSummary(action.milestones.all()[:1], TODAY)
        assert one.label == "1 jalon sur 1 atteint"

    def test_done_date_in_the_future_is_refused_in_french(self):
        milestone = MilestoneFactory.build(
            action=ActionFactory(), done_on=timezone.localdate() + datetime.timedelta(days=1)
        )
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert "ne peut pas être dans le futur" in str(error.value)

    def test_database_refuses_empty_title_and_dates_before_2000(self):
        action = ActionFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Milestone.objects.create(action=action, title="", due_date=TODAY)
        with pytest.raises(IntegrityError), transaction.atomic():
            Milestone.objects.create(action=action, title="A", due_date=datetime.date(1999, 1, 1))
        milestone = Milestone(action=action, title="", due_date=datetime.date(1999, 1, 1))
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert "postérieures au 1er janvier 2000" in str(error.value)


# ----------------------------------------------------------------------------- the write path


@pytest.mark.django_db
class TestWritePath:
    def test_update_checks_the_version_and_records_history(self):
        user = StaffFactory()
        milestone = MilestoneFactory()
        update_milestone(
            milestone.pk, {"title": "Nouveau"}, expected_version=1, user=user, reason="Essai"
        )
        milestone.refresh_from_db()
        assert (milestone.title, milestone.version) == ("Nouveau", 2)
        record = milestone.history.first()
        assert record.history_user == user and record.history_change_reason == "Essai"
        with pytest.raises(MilestoneConflict):
            update_milestone(
                milestone.pk, {"title": "Périmé"}, expected_version=1, user=user, reason=""
            )
        milestone.refresh_from_db()
        assert milestone.title == "Nouveau"

    def test_mark_done_without_version_writes_nothing(self):
        milestone = MilestoneFactory()
        with pytest.raises(MilestoneConflict):
            mark_done(milestone.pk, done_on=TODAY, note="", expected_version=None, user=None)
        milestone.refresh_from_db()
        assert milestone.done_on is None

    def test_move_renumbers_in_the_new_order(self):
        action = ActionFactory()
        first, second, third = (MilestoneFactory(action=action, order=n) for n in (1, 2, 3))
        assert move_milestone(third, -1, user=None)
        assert list(action.milestones.in_order()) == [first, third, second]
        assert not move_milestone(first, -1, user=None)  # already first


# ----------------------------------------------------------------------------- permissions


def build_world():
    pilot = OrganisationFactory(name="CC Touraine-Est Vallées")
    partner = OrganisationFactory(name="ERET")
    other = OrganisationFactory(name="AICR")
    action = ActionFactory(title="Plateforme RH", pilot=pilot, partners=[partner], is_public=False)
    other_action = ActionFactory(title="Foncier", pilot=other, is_public=False)
    users = {
        "anonymous": None,
        "pilot_editor": MembershipFactory(organisation=pilot).user,
        "partner_editor": MembershipFactory(organisation=partner).user,
        "reader": MembershipFactory(organisation=pilot, role=Membership.Role.READER).user,
        "outsider": MembershipFactory(organisation=other).user,
        "staff": StaffFactory(),
    }
    first = MilestoneFactory(action=action, order=1, title="Enquête lancée")
    second = MilestoneFactory(action=action, order=2, title="Bilan publié")
    foreign = MilestoneFactory(action=other_action, order=1, title="Terrain réservé")
    return SimpleNamespace(action=action, users=users, first=first, second=second, foreign=foreign)


@pytest.fixture
def world(db):
    return build_world()


def database():
    """Everything a milestone write may change."""
    return {
        "rows": list(
            Milestone.objects.order_by("pk").values_list(
                "pk", "order", "title", "due_date", "done_on", "note", "version"
            )
        ),
        "history": Milestone.history.count(),
    }


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


VIEW = dict(
    anonymous=302, pilot_editor=200, partner_editor=200, reader=200, outsider=404, staff=200
)
MANAGE = dict(
    anonymous=302, pilot_editor=200, partner_editor=403, reader=403, outsider=404, staff=200
)
MARK = dict(
    anonymous=302, pilot_editor=200, partner_editor=200, reader=403, outsider=404, staff=200
)


def done(status):
    """The expected answer of a write that a page allowed: a redirect to the list."""
    return {role: 302 if code == 200 else code for role, code in status.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name,target,expected",
    [
        ("space:milestones", "action", VIEW),
        ("space:milestone_create", "action", MANAGE),
        ("space:milestone_edit", "first", MANAGE),
        ("space:milestone_delete", "first", MANAGE),
        ("space:milestone_done", "first", MARK),
    ],
)
def test_pages(client, world, role, name, target, expected):
    response = login(client, world.users[role]).get(reverse(name, args=[getattr(world, target).pk]))
    assert response.status_code == expected[role]
    if expected[role] == 404:
        assert "Plateforme RH" not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "pilot_editor", "partner_editor", "reader"])
def test_another_organisations_milestone_is_404(client, world, role):
    """Every page and write of a milestone of another organisation's action: 404 for members
    of other organisations (login first for anonymous visitors), and nothing written."""
    client = login(client, world.users[role])
    before = database()
    pk = world.foreign.pk
    data = {"title": "Piraté", "due_date": "2025-01-01", "done_on": "2025-01-01", "note": "",
            "version": 1, "sens": "bas"}  # fmt: skip
    for name in ("milestone_edit", "milestone_done", "milestone_delete", "milestone_move"):
        response = client.post(reverse(f"space:{name}", args=[pk]), data)
        assert response.status_code == (302 if role == "anonymous" else 404), name
        if response.status_code == 404:
            assert "Terrain réservé" not in response.content.decode()
    assert database() == before


def create(client, world):
    return client.post(
        reverse("space:milestone_create", args=[world.action.pk]),
        {"title": "Comité technique réuni", "due_date": "2025-09-30", "note": ""},
    )


def edit(client, world):
    return client.post(
        reverse("space:milestone_edit", args=[world.first.pk]),
        {"title": "Enquête close", "due_date": "2025-07-31", "done_on": "", "note": "",
         "version": world.first.version},
    )  # fmt: skip


def mark(client, world):
    return client.post(
        reverse("space:milestone_done", args=[world.first.pk]),
        {"done_on": "2025-05-02", "note": "60 réponses reçues.", "version": world.first.version},
    )


def delete(client, world):
    return client.post(
        reverse("space:milestone_delete", args=[world.first.pk]),
        {"version": world.first.version},
    )


def move(client, world):
    return client.post(reverse("space:milestone_move", args=[world.second.pk]), {"sens": "haut"})


WRITES = [
    (create, done(MANAGE)),
    (edit, done(MANAGE)),
    (mark, done(MARK)),
    (delete, done(MANAGE)),
    (move, dict(done(MANAGE), partner_editor=403, reader=403)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write,expected", WRITES, ids=[w.__name__ for w, _ in WRITES])
def test_writes(client, world, role, write, expected):
    before = database()
    response = write(login(client, world.users[role]), world)
    assert response.status_code == expected[role]
    if expected[role] == 302 and role != "anonymous":
        assert response["Location"].startswith(reverse("space:milestones", args=[world.action.pk]))
        assert database() != before
        assert Milestone.history.order_by("-history_id").first().history_user == world.users[role]
    else:
        assert database() == before


def test_contributor_marks_done_and_the_public_sees_it(client, world):
    world.action.is_public = True
    world.action.save()
    client.force_login(world.users["partner_editor"])
    page = client.get(reverse("space:milestone_done", args=[world.first.pk]))
    assert "Marquer atteint" in page.content.decode()
    mark(client, world)
    world.first.refresh_from_db()
    assert world.first.done_on == datetime.date(2025, 5, 2)
    assert world.first.note == "60 réponses reçues."
    client.logout()
    html = client.get(world.action.get_absolute_url()).content.decode()
    assert "1 jalon sur 2 atteint" in html
    assert "60 réponses reçues." in html


def test_stale_version_is_a_conflict_that_keeps_the_input(client, world):
    client.force_login(world.users["pilot_editor"])
    update_milestone(
        world.first.pk, {"title": "Changé ailleurs"}, expected_version=1, user=None, reason=""
    )
    response = edit(client, world)  # still at version 1
    assert response.status_code == 409
    html = response.content.decode()
    assert "Changé ailleurs" in html and 'value="Enquête close"' in html
    world.first.refresh_from_db()
    assert world.first.title == "Changé ailleurs"


def test_done_date_in_the_future_is_refused(client, world):
    client.force_login(world.users["partner_editor"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("space:milestone_done", args=[world.first.pk]),
        {"done_on": tomorrow.isoformat(), "note": "", "version": 1},
    )
    assert response.status_code == 200
    assert "La date ne peut pas être dans le futur." in response.content.decode()
    world.first.refresh_from_db()
    assert world.first.done_on is None


def test_fiche_form_warns_at_100_percent_with_open_milestones(client, world):
    client.force_login(world.users["pilot_editor"])
    url = reverse("space:action_edit", args=[world.action.pk])
    assert "2 jalons de cette action n'ont pas encore" in client.get(url).content.decode()
    response = client.post(
        url,
        {"status": "in_progress", "progress": 100, "summary": "", "description": "",
         "start_date": "2024-01-01", "end_date": "2026-12-31", "version": world.action.version},
        follow=True,
    )  # fmt: skip
    assert "Avancement à 100 % alors que 2 jalons" in response.content.decode()
    world.action.refresh_from_db()
    assert world.action.progress == 100  # a warning, not a refusal


# ----------------------------------------------------------------------------- pages


@pytest.mark.django_db
class TestPages:
    def test_fiche_shows_done_late_and_upcoming_with_dates(self, client):
        action = ActionFactory()
        today = timezone.localdate()
        MilestoneFactory(
            action=action, title="Atteint", due_date=today, done_on=today, note="Fait."
        )
        MilestoneFactory(action=action, title="Retard", due_date=today - datetime.timedelta(days=3))
        MilestoneFactory(action=action, title="Avenir", due_date=today + datetime.timedelta(days=3))
        html = client.get(action.get_absolute_url()).content.decode()
        assert "1 jalon sur 3 atteint" in html and "1 en retard" in html
        assert "milestone-done" in html and "milestone-late" in html
        assert "milestone-upcoming" in html and "Fait." in html

    def test_partner_dashboard_flags_late_milestones(self, client):
        member = MembershipFactory()
        action = ActionFactory(pilot=member.organisation)
        MilestoneFactory(action=action, due_date=timezone.localdate() - datetime.timedelta(1))
        MilestoneFactory(action=action, due_date=timezone.localdate() - datetime.timedelta(2))
        client.force_login(member.user)
        assert "2 jalons en retard" in client.get(reverse("space:dashboard")).content.decode()

    def test_staff_dashboard_lists_late_milestones(self, client):
        MilestoneFactory(
            title="Convention signée", due_date=timezone.localdate() - datetime.timedelta(1)
        )
        MilestoneFactory(title="Pas encore", due_date=timezone.localdate() + datetime.timedelta(9))
        client.force_login(StaffFactory())
        html = client.get(reverse("staff:dashboard")).content.decode()
        assert "Convention signée" in html and "Pas encore" not in html

    def test_home_shows_upcoming_milestones_of_public_actions_only(self, client):
        soon = timezone.localdate() + datetime.timedelta(days=5)
        MilestoneFactory(action=ActionFactory(), title="Réunion publique", due_date=soon)
        MilestoneFactory(action=ActionFactory(is_public=False), title="Secret", due_date=soon)
        html = client.get(reverse("home")).content.decode()
        assert "Prochaines échéances" in html and "Réunion publique" in html
        assert "Secret" not in html

    def test_timeline_points(self):
        action = ActionFactory()
        milestones = [
            MilestoneFactory(action=action, due_date=datetime.date(2025, 1, 1)),
            MilestoneFactory(action=action, due_date=datetime.date(2025, 12, 1)),
        ]
        scale = TimeScale([datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)], TODAY)
        row = bar(action, scale, 0, milestones)
        assert [p["state"] for p in row["points"]] == ["late", "upcoming"]
        assert row["points"][0]["x"] < row["points"][1]["x"]
        assert "0 jalon sur 2 atteint, 1 en retard" in row["name"]


@pytest.mark.parametrize("visitor", ["anonyme", "partenaire"])
@pytest.mark.parametrize(
    "url", ["home", "actions:timeline", "fiche", "actions:data_milestones_csv"]
)
def test_same_queries_with_1_and_200_milestones(client, count_queries, db, visitor, url):
    """Pages showing milestones: the same number of queries with 1 and with 200 of them."""
    pilot = OrganisationFactory()
    visit_as(client, visitor, pilot)
    actions = bulk_actions(1, pilot=pilot)
    target = actions[0].get_absolute_url() if url == "fiche" else reverse(url)
    soon = timezone.localdate() + datetime.timedelta(days=3)

    def add(count, on):
        bulk(MilestoneFactory, count, action=factory.Iterator(on), due_date=soon)

    add(1, actions)
    few = count_queries(target)
    more = bulk_actions(99, pilot=pilot, axis=actions[0].axis)
    add(199, actions + more)
    many = count_queries(target)
    assert_no_n_plus_one(few, many)


# ----------------------------------------------------------------------------- open data


@pytest.mark.django_db
class TestOpenData:
    def build(self):
        public = ActionFactory(code="1.1")
        MilestoneFactory(action=public, title='=HYPERLINK("x")', due_date=TODAY, note="@cmd")
        MilestoneFactory(action=ActionFactory(is_public=False), title="Jalon secret")

    def test_csv_public_only_and_formula_safe(self, client):
        self.build()
        response = client.get(reverse("actions:data_milestones_csv"))
        text = b"".join(response.streaming_content).decode()
        assert "Jalon secret" not in text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 1
        assert rows[0]["jalon"].startswith("'=")
        assert rows[0]["note"].startswith("'@")
        assert rows[0]["echeance"] == TODAY.isoformat()

    def test_xlsx_public_only_cells_are_text(self, client):
        self.build()
        response = client.get(reverse("actions:data_milestones_xlsx"))
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = workbook["Jalons"]
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert len(values) == 2
        assert values[1][3] == '=HYPERLINK("x")'
        assert sheet.cell(row=2, column=4).data_type == "s"
        assert "Jalon secret" not in str(values)

    def test_json_export_nests_milestones_of_public_actions(self, client):
        self.build()
        response = client.get(reverse("actions:data_actions_json"))
        data = json.loads(b"".join(response.streaming_content))
        (action,) = data["actions"]
        assert [m["jalon"] for m in action["jalons"]] == ['=HYPERLINK("x")']
        assert "Jalon secret" not in json.dumps(data)


# ----------------------------------------------------------------------------- plan snapshot


@pytest.mark.django_db
def test_snapshot_freezes_milestones_and_the_diff_reports_changes():
    action = ActionFactory(is_public=True)
    milestone = MilestoneFactory(action=action, title="Enquête", due_date=TODAY)
    removed = MilestoneFactory(action=action, title="Abandonné", due_date=TODAY)
    meeting = CopilMeetingFactory(
        phase=action.phase, date=datetime.date(2025, 1, 30), status="held"
    )
    plan = validate_annual_plan(meeting, 2025)
    snapshot = plan.snapshots.get()
    assert [m["titre"] for m in snapshot.milestones] == ["Enquête", "Abandonné"]
    Milestone.objects.filter(pk=milestone.pk).update(
        done_on=datetime.date(2025, 6, 1), due_date=datetime.date(2025, 7, 1)
    )
    removed.delete()
    MilestoneFactory(action=action, title="Nouveau", due_date=datetime.date(2025, 12, 1))
    diff = compute_plan_diff(frozen_states(plan.snapshots.all()), current_states(plan))
    (change,) = diff.milestones_changed
    assert change.milestone_changes == [
        "Échéance de « Enquête » : 15/06/2025 → 01/07/2025",
        "Jalon atteint : « Enquête » (le 01/06/2025)",
        "Jalon ajouté : « Nouveau » (échéance 01/12/2025)",
        "Jalon retiré : « Abandonné »",
    ]


def test_milestone_changes_of_an_unchanged_list_is_empty():
    items = [{"id": 1, "titre": "A", "echeance": "2025-01-01", "atteint_le": None}]
    assert milestone_changes(items, items) == []
    assert Action  # the models module imports cleanly
