"""COPIL decisions followed up: overdue on fixed dates, constraints, the migration's rule, each
meeting's « Suivi des décisions », the public register and its CSV/JSON files."""

import csv
import datetime
import importlib
import io
import json

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from programme.decisions import update_follow_up
from programme.models import CopilMeeting, Decision
from tests.actions.factories import ActionFactory
from tests.budget import assert_no_n_plus_one, bulk
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import CopilMeetingFactory, DecisionFactory

pytestmark = pytest.mark.django_db

Status = Decision.Status
DAY = datetime.date(2025, 6, 1)
REGISTER = reverse("programme:decision_list")
CSV_URL = reverse("programme:decisions_csv")
JSON_URL = reverse("programme:decisions_json")


def day(text):
    return datetime.date.fromisoformat(text)


def meeting_on(text, **fields):
    return CopilMeetingFactory(date=day(text), **fields)


def csv_rows(content):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def json_rows(content):
    return json.loads(content)["decisions"]


class TestOverdueOnFixedDates:
    @pytest.fixture
    def decisions(self):
        meeting = meeting_on("2025-01-30")
        made = {
            "past_due_open": DecisionFactory(meeting=meeting, due_date=day("2025-05-31")),
            "due_today": DecisionFactory(meeting=meeting, due_date=DAY),
            "due_later": DecisionFactory(meeting=meeting, due_date=day("2025-06-02")),
            "no_due_date": DecisionFactory(meeting=meeting),
            "past_due_in_progress": DecisionFactory(
                meeting=meeting,
                due_date=day("2025-03-01"),
                status=Status.IN_PROGRESS,
                status_date=day("2025-02-01"),
            ),
            "past_due_done": DecisionFactory(
                meeting=meeting,
                due_date=day("2025-03-01"),
                status=Status.DONE,
                status_date=day("2025-04-01"),
            ),
            "past_due_abandoned": DecisionFactory(
                meeting=meeting,
                due_date=day("2025-03-01"),
                status=Status.ABANDONED,
                status_date=day("2025-02-15"),
            ),
        }
        return made

    def test_overdue_is_open_and_past_its_due_date(self, decisions):
        overdue = {"past_due_open", "past_due_in_progress"}
        names = {decision.pk: name for name, decision in decisions.items()}
        assert {names[d.pk] for d in Decision.objects.overdue(DAY)} == overdue
        # The instance twin says the same of every row.
        assert {name for name, d in decisions.items() if d.is_overdue(DAY)} == overdue

    def test_a_day_later_the_decision_due_today_is_overdue(self, decisions):
        later = DAY + datetime.timedelta(days=1)
        assert decisions["due_today"] in Decision.objects.overdue(later)
        assert decisions["due_today"].is_overdue(later)

    def test_open_means_to_engage_or_in_progress(self, decisions):
        open_names = {name for name, d in decisions.items() if d.is_open}
        assert open_names == set(decisions) - {"past_due_done", "past_due_abandoned"}
        assert set(Decision.objects.open()) == {decisions[name] for name in open_names}


class TestRules:
    def test_public_means_of_a_public_meeting(self):
        public = DecisionFactory(meeting=meeting_on("2025-01-30"))
        private = DecisionFactory(meeting=meeting_on("2025-02-01", is_public=False))
        assert list(Decision.objects.public()) == [public]
        assert public.is_visible_to_public and not private.is_visible_to_public

    def test_a_closed_status_needs_its_date_in_the_database(self):
        decision = DecisionFactory()
        decision.status = Status.DONE
        with pytest.raises(IntegrityError), transaction.atomic():
            decision.save()

    def test_an_unknown_status_is_refused_by_the_database(self):
        decision = DecisionFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.filter(pk=decision.pk).update(status="forgotten")

    def test_dates_before_the_meeting_are_refused_in_french(self):
        decision = DecisionFactory(meeting=meeting_on("2025-01-30"))
        decision.status = Status.DONE
        decision.status_date = day("2025-01-29")
        decision.due_date = day("2025-01-01")
        with pytest.raises(ValidationError) as error:
            decision.full_clean()
        assert error.value.message_dict["status_date"] == [
            "La date du statut ne peut pas précéder la réunion qui a pris la décision."
        ]
        assert error.value.message_dict["due_date"] == [
            "L'échéance ne peut pas précéder la réunion qui a pris la décision."
        ]

    def test_the_database_refuses_a_decision_dated_before_its_meeting(self):
        """The triggers of programme/0004, on SQLite and PostgreSQL, whatever bypasses clean()."""
        meeting = meeting_on("2025-01-30")
        for fields in (
            {"due_date": day("2025-01-29")},
            {"status": Status.DONE, "status_date": day("2025-01-29")},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                Decision.objects.create(meeting=meeting, text="Trop tôt", **fields)
        decision = DecisionFactory(meeting=meeting, due_date=day("2025-03-01"))
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.filter(pk=decision.pk).update(due_date=day("2024-12-31"))
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.filter(pk=decision.pk).update(meeting=meeting_on("2025-06-01"))
        # Moving the meeting after its decisions' dates: refused, with a French message first.
        meeting.date = day("2025-04-01")
        with pytest.raises(ValidationError) as error:
            meeting.full_clean()
        assert "Des décisions de cette réunion ont une échéance" in str(error.value)
        with pytest.raises(IntegrityError), transaction.atomic():
            meeting.save()
        # On the meeting's day itself, all is well.
        Decision.objects.filter(pk=decision.pk).update(due_date=day("2025-01-30"))

    def test_the_history_keeps_the_follow_up(self):
        owner = OrganisationFactory()
        decision = DecisionFactory(meeting=meeting_on("2025-01-30"))
        decision.owner, decision.status = owner, Status.IN_PROGRESS
        decision.status_date, decision.follow_up = day("2025-02-01"), "Lancée."
        decision.save()
        record = decision.history.first()
        assert (record.owner_id, record.status, record.status_date, record.follow_up) == (
            owner.pk,
            Status.IN_PROGRESS,
            day("2025-02-01"),
            "Lancée.",
        )


class TestMigrationRule:
    """programme/0004: existing decisions get a status from their meeting's."""

    def test_held_done_cancelled_abandoned_planned_to_engage(self):
        migration = importlib.import_module("programme.migrations.0004_decision_follow_up")
        held = DecisionFactory(meeting=meeting_on("2024-01-25"))
        cancelled = DecisionFactory(
            meeting=meeting_on("2024-06-01", status=CopilMeeting.Status.CANCELLED)
        )
        planned = DecisionFactory(
            meeting=meeting_on("2027-01-28", status=CopilMeeting.Status.PLANNED)
        )

        class Editor:
            pass

        editor = Editor()
        editor.connection = connection
        migration.status_from_meeting(django_apps, editor)

        for decision in (held, cancelled, planned):
            decision.refresh_from_db()
        assert (held.status, held.status_date) == (Status.DONE, day("2024-01-25"))
        assert (cancelled.status, cancelled.status_date) == (Status.ABANDONED, day("2024-06-01"))
        assert (planned.status, planned.status_date) == (Status.TO_ENGAGE, None)
        assert "mise en place du suivi" in held.follow_up
        assert planned.follow_up == ""


class TestMeetingFollowUp:
    def test_lists_open_decisions_of_earlier_public_meetings(self, client, settings):
        owner = OrganisationFactory(name="Communauté de communes du Castelrenaudais")
        earlier = meeting_on("2025-01-30")
        overdue = DecisionFactory(
            meeting=earlier,
            text="Étudier la densification.",
            owner=owner,
            due_date=day("2025-03-01"),
        )
        DecisionFactory(
            meeting=earlier,
            text="Décision déjà réalisée.",
            status=Status.DONE,
            status_date=day("2025-02-01"),
        )
        DecisionFactory(meeting=meeting_on("2025-02-01", is_public=False), text="Décision privée.")
        current = meeting_on("2026-01-29")
        DecisionFactory(meeting=meeting_on("2026-06-01"), text="Décision ultérieure.")

        response = client.get(current.get_absolute_url())

        assert [d.pk for d in response.context["follow_up"]] == [overdue.pk]
        content = response.content.decode()
        assert "Suivi des décisions" in content
        assert "Étudier la densification." in content
        assert "Communauté de communes du Castelrenaudais" in content
        assert "En retard" in content  # in words, not by colour alone
        for hidden in ("Décision déjà réalisée.", "Décision privée.", "Décision ultérieure."):
            assert hidden not in content
        assert REGISTER in content

    def test_a_real_meeting_follows_no_demonstration_decision(self, client):
        DecisionFactory(meeting=meeting_on("2025-01-30", is_demo=True), is_demo=True)
        real = meeting_on("2026-01-29")
        assert client.get(real.get_absolute_url()).context["follow_up"] == []

    def test_same_queries_with_1_and_200_followed_decisions(self, count_queries):
        earlier = meeting_on("2025-01-30")
        owner = OrganisationFactory()
        DecisionFactory(meeting=earlier, owner=owner, due_date=day("2025-03-01"))
        current = meeting_on("2026-01-29")
        DecisionFactory(meeting=current, owner=owner)
        few = count_queries(current.get_absolute_url())
        bulk(DecisionFactory, 199, meeting=earlier, owner=owner, due_date=day("2025-03-01"))
        bulk(DecisionFactory, 199, meeting=current, owner=owner)
        many = count_queries(current.get_absolute_url())
        assert len(many.response.context["follow_up"]) == 200
        assert_no_n_plus_one(few, many)


class TestRegister:
    @pytest.fixture
    def world(self):
        aicr = OrganisationFactory(name="Association des industriels", slug="aicr")
        cc = OrganisationFactory(name="CC du Val d'Amboise", slug="cc-val-amboise")
        first = meeting_on("2025-01-30")
        second = meeting_on("2026-01-29")
        private = meeting_on("2025-06-01", is_public=False)
        return {
            "aicr": aicr,
            "first": first,
            "second": second,
            "late": DecisionFactory(
                meeting=first, text="Décision en retard.", owner=aicr, due_date=day("2025-03-01")
            ),
            "done": DecisionFactory(
                meeting=first,
                text="Décision réalisée.",
                owner=cc,
                status=Status.DONE,
                status_date=day("2025-05-01"),
            ),
            "later": DecisionFactory(
                meeting=second, text="Décision à venir.", owner=cc, due_date=day("2099-01-01")
            ),
            "private": DecisionFactory(meeting=private, text="Décision confidentielle."),
        }

    def test_lists_only_decisions_of_public_meetings(self, client, world):
        response = client.get(REGISTER)
        content = response.content.decode()
        assert {d.pk for d in response.context["decisions"]} == {
            world[name].pk for name in ("late", "done", "later")
        }
        assert "Décision confidentielle." not in content
        # Neither the private meeting in the meeting filter's choices.
        assert str(world["first"]) in content
        assert "01/06/2025" not in content

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"statut": "done"}, {"done"}),
            ({"responsable": "aicr"}, {"late"}),
            ({"en_retard": "oui"}, {"late"}),
            ({"statut": "to_engage", "en_retard": "oui"}, {"late"}),
        ],
    )
    def test_filters(self, client, world, params, expected):
        response = client.get(REGISTER, params)
        assert {d.pk for d in response.context["decisions"]} == {world[n].pk for n in expected}

    def test_meeting_filter(self, client, world):
        response = client.get(REGISTER, {"reunion": world["second"].pk})
        assert [d.pk for d in response.context["decisions"]] == [world["later"].pk]

    def test_the_private_meeting_cannot_be_asked_for(self, client, world):
        private = Decision.objects.get(pk=world["private"].pk).meeting
        response = client.get(REGISTER, {"reunion": private.pk})
        content = response.content.decode()
        assert "Le filtre « réunion » a été ignoré : valeur inconnue." in content
        assert "Décision confidentielle." not in content

    def test_overdue_is_said_in_words_and_counted(self, client, world):
        content = client.get(REGISTER).content.decode()
        assert "dont 1 en retard" in content
        assert content.count("En retard</span>") == 1

    def test_demonstration_rows_are_marked(self, client, world):
        assert "Donnée de démonstration" not in client.get(REGISTER).content.decode()
        DecisionFactory(meeting=meeting_on("2025-02-06", is_demo=True), is_demo=True)
        content = client.get(REGISTER).content.decode()
        assert "Inclut des données de démonstration" in content
        assert "Donnée de démonstration" in content

    def test_linked_from_the_copil_page(self, client, world):
        assert REGISTER in client.get(reverse("programme:copil_list")).content.decode()

    def test_same_queries_with_1_and_200_decisions(self, count_queries):
        meeting = meeting_on("2025-01-30")
        owner = OrganisationFactory()
        action = ActionFactory()
        action.decisions.add(DecisionFactory(meeting=meeting, owner=owner))
        few = count_queries(REGISTER)
        owners = bulk(OrganisationFactory, 199)
        meetings = [meeting_on(f"2024-{m:02d}-01") for m in range(1, 4)]
        rows = [DecisionFactory.build(meeting=meetings[i % 3], owner=owners[i]) for i in range(199)]
        action.decisions.add(*Decision.objects.bulk_create(rows))
        many = count_queries(REGISTER, {"page": 2})
        assert many.response.context["page_obj"].paginator.count == 200
        assert_no_n_plus_one(few, many)


class TestFiles:
    @pytest.fixture
    def world(self):
        first = meeting_on("2025-01-30")
        owner = OrganisationFactory(name='=HYPERLINK("http://x")', slug="piege")
        action = ActionFactory(code="3.1")
        late = DecisionFactory(
            meeting=first, text="=1+1 @SOMME(A1)", owner=owner, due_date=day("2025-03-01")
        )
        action.decisions.add(late)
        done = DecisionFactory(
            meeting=first,
            text="-2+3",
            follow_up="+33 1 23 45",
            status=Status.DONE,
            status_date=day("2025-05-01"),
        )
        DecisionFactory(meeting=meeting_on("2025-06-01", is_public=False), text="Secret.")
        return {"late": late, "done": done}

    def test_csv_is_the_filtered_rows_with_formulas_neutralised(self, client, world):
        response = client.get(CSV_URL, {"en_retard": "oui"})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        content = b"".join(response.streaming_content)
        rows = csv_rows(content)
        assert [row["decision"] for row in rows] == ["'=1+1 @SOMME(A1)"]
        row = rows[0]
        assert row["responsable"] == '\'=HYPERLINK("http://x")'
        assert (row["echeance"], row["statut"], row["en_retard"]) == (
            "2025-03-01",
            "À engager",
            "oui",
        )
        assert row["actions_concernees"] == "3.1"
        # Every field quoted, « ; » between them.
        header, first = content.decode("utf-8")[1:].splitlines()[:2]
        assert header.startswith('"reunion_date";"reunion";')
        assert first.startswith('"2025-01-30";"')

    def test_csv_without_filter_is_every_public_row(self, client, world):
        rows = csv_rows(b"".join(client.get(CSV_URL).streaming_content))
        assert sorted(row["decision"] for row in rows) == ["'-2+3", "'=1+1 @SOMME(A1)"]
        done = next(row for row in rows if row["decision"] == "'-2+3")
        assert done["note_de_suivi"] == "'+33 1 23 45"
        assert "Secret." not in str(rows)

    def test_json_equals_the_rows_of_the_page(self, client, world):
        for params in ({}, {"statut": "done"}, {"en_retard": "oui"}):
            page = client.get(REGISTER, params)
            data = json_rows(b"".join(client.get(JSON_URL, params).streaming_content))
            assert [row["decision"] for row in data] == [d.text for d in page.context["decisions"]]
        late = json_rows(b"".join(client.get(JSON_URL, {"en_retard": "oui"}).streaming_content))
        assert late[0]["en_retard"] is True
        assert late[0]["decision"] == "=1+1 @SOMME(A1)"  # JSON is not a spreadsheet
        assert late[0]["url"].endswith(
            f"/copil/{world['late'].meeting_id}/#decision-{world['late'].pk}"
        )

    def test_same_queries_with_1_and_200_rows(self, count_queries):
        meeting = meeting_on("2025-01-30")
        DecisionFactory(meeting=meeting, owner=OrganisationFactory())
        few = count_queries(CSV_URL)
        bulk(DecisionFactory, 199, meeting=meeting, owner=OrganisationFactory())
        many = count_queries(CSV_URL)
        assert len(csv_rows(many.content)) == 200
        assert_no_n_plus_one(few, many)


class TestAdmin:
    @pytest.fixture
    def staff_client(self, client):
        from tests.partners.factories import StaffFactory

        client.force_login(StaffFactory())
        return client

    def test_filters_by_status_owner_and_overdue(self, staff_client):
        owner = OrganisationFactory(name="Organisation responsable")
        meeting = meeting_on("2025-01-30")
        late = DecisionFactory(meeting=meeting, text="En retard", owner=owner, due_date=DAY)
        DecisionFactory(meeting=meeting, text="Sans échéance")
        url = reverse("admin:programme_decision_changelist")
        for params, expected in (
            ({"en_retard": "oui"}, [late]),
            ({"owner__id__exact": owner.pk}, [late]),
            ({"status__exact": "done"}, []),
        ):
            response = staff_client.get(url, params)
            assert list(response.context["cl"].result_list) == expected, params

    def test_a_change_saved_since_the_page_opened_is_not_overwritten(self, staff_client):
        decision = DecisionFactory(meeting=meeting_on("2025-01-30"), text="Texte initial")
        url = reverse("admin:programme_decision_change", args=[decision.pk])
        form = {
            "meeting": decision.meeting_id,
            "order": 1,
            "text": "Texte de l'équipe",
            "status": "to_engage",
            "seen_version": decision.version,
            "Action_decisions-TOTAL_FORMS": "0",
            "Action_decisions-INITIAL_FORMS": "0",
        }
        update_follow_up(
            decision.pk,
            {"follow_up": "Par le responsable."},
            expected_version=1,
            user=None,
            reason="t",
        )
        response = staff_client.post(url, form)
        assert response.status_code == 200
        assert "Cette décision a été modifiée depuis l" in response.content.decode()
        decision.refresh_from_db()
        assert (decision.text, decision.follow_up) == ("Texte initial", "Par le responsable.")
        # Reopened at the current version, the same change goes through and bumps it.
        response = staff_client.post(url, form | {"seen_version": 2})
        assert response.status_code == 302
        decision.refresh_from_db()
        assert (decision.text, decision.version) == ("Texte de l'équipe", 3)


class TestPageCache:
    @pytest.mark.parametrize("url", [REGISTER, CSV_URL, JSON_URL])
    def test_the_filters_are_declared_to_the_page_cache(self, url):
        from django.urls import resolve

        from teritoire import pagecache

        params = pagecache._declared_params(resolve(url).func)
        assert {"statut", "responsable", "reunion", "en_retard"} <= params.names
        assert params.free_text == frozenset()  # no free text: every valid query may be kept
        if url == REGISTER:
            assert "page" in params.names
