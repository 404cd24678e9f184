"""Open data: the /donnees/ page, CSV/XLSX/JSON exports, iCalendar, RSS, sitemap and robots.txt.

Every export must contain exactly the public actions (of the filter, for the list exports), parse
back with a standard reader, and never leak a non-public or archived action.
"""

import csv
import datetime
import html as html_lib
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlsplit

import factory
import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from actions.opendata.exports import ACTION_COLUMNS, FUNDING_COLUMNS
from programme.models import AgendaItem
from tests.actions.factories import ActionFactory, FundingFactory, ProgressUpdateFactory
from tests.budget import (
    VISITORS,
    assert_no_n_plus_one,
    bulk,
    bulk_actions,
    bulk_fundings,
    visit_as,
)
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import (
    AxisFactory,
    CopilMeetingFactory,
    IntercommunalityFactory,
    NewsItemFactory,
    PhaseFactory,
)

pytestmark = pytest.mark.django_db


def site_url(path):
    """Absolute URLs in the open data come from SITE_URL, never from the request's host."""
    return settings.SITE_URL.rstrip("/") + path


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response):
    raw = body(response)
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    sheets = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
    return sheets


def parse_ics(raw):
    """A small RFC 5545 reader: unfold lines, then collect each VEVENT's properties."""
    text = raw.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # every line ends with CRLF
    lines = text.replace("\r\n ", "").split("\r\n")
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and line:
            name, _, value = line.partition(":")
            current[name] = value
    return lines, events


@pytest.fixture
def data():
    axis = AxisFactory(number=2, name="Innovation", slug="2-innovation")
    region = OrganisationFactory(name="Région Centre-Val de Loire", slug="region")
    bpi = OrganisationFactory(name="Bpifrance", slug="bpifrance")
    val = IntercommunalityFactory(name="CC du Val d'Amboise", siren="200043065", slug="val")
    public = ActionFactory(
        axis=axis,
        code="2.1",
        title="Diagnostic « industrie du futur », robotique",
        slug="diagnostic-industrie-du-futur",
        summary='=HYPERLINK("http://example.org") ; texte, avec "guillemets"',
        pilot=region,
        partners=[bpi],
        intercommunalities=[val],
        status="in_progress",
        progress=40,
        start_date=datetime.date(2024, 1, 15),
    )
    other = ActionFactory(axis=axis, code="2.10", title="Prêts d'honneur", status="planned")
    hidden = ActionFactory(
        axis=axis, code="2.2", title="Action secrète", slug="fiche-secrete", is_public=False
    )
    archived = ActionFactory(
        axis=axis, code="2.3", title="Action archivée", slug="fiche-archivee", is_archived=True
    )
    FundingFactory(action=public, year=2024, funder=region, planned_amount=Decimal("12500.50"),
                   actual_amount=Decimal("12000.25"))  # fmt: skip
    FundingFactory(action=public, year=2025, funder=bpi, kind="investment",
                   planned_amount=Decimal("1234567890.12"))  # fmt: skip
    FundingFactory(action=hidden, year=2024, funder=region, planned_amount=Decimal("999"))
    FundingFactory(action=archived, year=2024, funder=region, planned_amount=Decimal("888"))
    ProgressUpdateFactory(action=public, text="Premier diagnostic réalisé.",
                          status_before="planned", status_after="in_progress")  # fmt: skip
    ProgressUpdateFactory(action=hidden, text="Note secrète.")
    ProgressUpdateFactory(action=archived, text="Note d'une fiche archivée.")
    return {"public": public, "other": other, "hidden": hidden, "archived": archived}


SECRETS = (
    "Action secrète",
    "fiche-secrete",
    "Action archivée",
    "fiche-archivee",
    "Note secrète",
    "Note d'une fiche archivée",
)


def assert_no_secret(raw):
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    for secret in SECRETS:
        assert secret not in text


class TestOpenDataPage:
    def test_documents_every_dataset_and_column(self, client, data):
        response = client.get(reverse("actions:open_data"))
        assert response.status_code == 200
        page = html_lib.unescape(response.content.decode())
        assert "<h1>Données ouvertes</h1>" in page
        for column in ACTION_COLUMNS + FUNDING_COLUMNS:
            assert f"<code>{column.name}</code>" in page
        for name in (
            "data_actions_csv",
            "data_fundings_csv",
            "data_actions_xlsx",
            "data_actions_json",
            "data_copil_ics",
            "feed",
            "sitemap",
        ):
            assert f'href="{reverse("actions:" + name)}"' in page
        assert "Les 2 fiches actions publiques et leurs 2 lignes de financement" in page

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        visit_as(client, visitor)
        axis, pilot = AxisFactory(), OrganisationFactory()
        url = reverse("actions:open_data")
        bulk_fundings(bulk_actions(1, axis=axis, pilot=pilot))
        few = count_queries(url)
        bulk_fundings(bulk_actions(199, axis=axis, pilot=pilot))
        many = count_queries(url)
        assert_no_n_plus_one(few, many)
        assert "Les 200 fiches actions publiques et leurs 200 lignes" in many.text


class TestActionsCsv:
    def test_one_row_per_public_action_in_code_order(self, client, data):
        response = client.get(reverse("actions:data_actions_csv"))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert 'filename="actions-grand-est-touraine.csv"' in response["Content-Disposition"]
        rows = read_csv(response)
        assert [row["code"] for row in rows] == ["2.1", "2.10"]
        assert list(rows[0]) == [column.name for column in ACTION_COLUMNS]

    def test_values_are_plain_and_iso(self, client, data):
        row = read_csv(client.get(reverse("actions:data_actions_csv")))[0]
        assert row["slug"] == "diagnostic-industrie-du-futur"
        assert row["intitule"] == "Diagnostic « industrie du futur », robotique"
        assert row["statut"] == "in_progress" and row["statut_libelle"] == "En cours"
        assert row["pilote_slug"] == "region"
        assert row["partenaires"] == "Bpifrance"
        assert row["communautes_de_communes_siren"] == "200043065"
        assert row["date_debut"] == "2024-01-15"
        assert row["budget_prevu_total"] == "1234580390.62"
        assert row["budget_realise_total"] == "12000.25"
        assert datetime.datetime.fromisoformat(row["modifiee_le"]).tzinfo is not None
        assert row["url"] == site_url("/actions/diagnostic-industrie-du-futur/")

    def test_text_is_never_a_spreadsheet_formula(self, client, data):
        row = read_csv(client.get(reverse("actions:data_actions_csv")))[0]
        assert row["resume"] == '\'=HYPERLINK("http://example.org") ; texte, avec "guillemets"'

    def test_never_contains_a_hidden_action(self, client, data):
        assert_no_secret(body(client.get(reverse("actions:data_actions_csv"))))

    def test_empty_dataset_has_the_header(self, client):
        response = client.get(reverse("actions:data_actions_csv"))
        assert body(response).decode().startswith('"code","slug","phase",')
        assert read_csv(response) == []


class TestFundingsCsv:
    def test_one_row_per_funding_line_of_public_actions(self, client, data):
        rows = read_csv(client.get(reverse("actions:data_fundings_csv")))
        assert list(rows[0]) == [column.name for column in FUNDING_COLUMNS]
        assert [(r["action_slug"], r["annee"], r["financeur_slug"]) for r in rows] == [
            ("diagnostic-industrie-du-futur", "2024", "region"),
            ("diagnostic-industrie-du-futur", "2025", "bpifrance"),
        ]
        assert rows[0]["montant_prevu"] == "12500.50"
        assert rows[0]["montant_realise"] == "12000.25"
        assert rows[1]["montant_realise"] == ""
        assert rows[1]["nature"] == "investment" and rows[1]["nature_libelle"] == "Investissement"


class TestActionsXlsx:
    def test_sheets_parse_back_with_typed_cells(self, client, data):
        response = client.get(reverse("actions:data_actions_xlsx"))
        assert response.status_code == 200
        assert 'filename="actions-grand-est-touraine.xlsx"' in response["Content-Disposition"]
        sheets = read_xlsx(response)
        assert set(sheets) == {"Actions", "Financements", "Colonnes"}
        actions = sheets["Actions"]
        assert [row["code"] for row in actions] == ["2.1", "2.10"]
        assert actions[0]["date_debut"] == datetime.datetime(2024, 1, 15)
        assert Decimal(str(actions[0]["budget_prevu_total"])) == Decimal("1234580390.62")
        assert actions[0]["resume"].startswith("=HYPERLINK")  # kept as text…
        fundings = sheets["Financements"]
        assert [row["annee"] for row in fundings] == [2024, 2025]
        assert {row.get("Colonne") for row in sheets["Colonnes"]} >= {
            c.name for c in ACTION_COLUMNS
        }
        assert_no_secret(str(sheets))

    def test_formula_like_text_is_stored_as_a_string(self, client, data):
        workbook = load_workbook(io.BytesIO(body(client.get(reverse("actions:data_actions_xlsx")))))
        cell = workbook["Actions"]["G2"]
        assert cell.value.startswith("=HYPERLINK")
        assert cell.data_type == "s"  # …and not as a formula


class TestActionsJson:
    def test_one_object_per_action_with_its_fundings(self, client, data):
        response = client.get(reverse("actions:data_actions_json"))
        assert response["Content-Type"] == "application/json"
        document = json.loads(body(response), parse_float=Decimal)
        assert document["licence"].startswith("Licence Ouverte")
        actions = document["actions"]
        assert [a["slug"] for a in actions] == [data["public"].slug, data["other"].slug]
        first = actions[0]
        assert set(first) == {c.name for c in ACTION_COLUMNS} | {"financements", "jalons"}
        assert first["partenaires"] == ["Bpifrance"]
        assert first["date_debut"] == "2024-01-15"
        assert first["date_fin"] == "2026-12-31"
        assert first["financements"][1]["montant_prevu"] == Decimal("1234567890.12")
        assert first["financements"][0]["montant_realise"] == Decimal("12000.25")
        assert first["financements"][1]["montant_realise"] is None
        assert actions[1]["financements"] == []
        assert_no_secret(body(response))


class TestCopilCalendar:
    @pytest.fixture
    def meetings(self):
        held = CopilMeetingFactory(
            date=datetime.date(2024, 1, 25),
            start_time=datetime.time(14, 30),
            place="Amboise, salle du conseil; 1er étage",
            title="Comité de pilotage",
        )
        held.agenda_items.create(order=1, title="Validation du plan d'actions 2024, budget")
        planned = CopilMeetingFactory(
            date=datetime.date(2024, 10, 3), status="planned", title="COPIL d'automne"
        )
        CopilMeetingFactory(title="Réunion interne", is_public=False)
        return held, planned

    def test_public_meetings_as_rfc5545_events(self, client, meetings):
        held, planned = meetings
        response = client.get(reverse("actions:data_copil_ics"))
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert 'filename="copil-grand-est-touraine.ics"' in response["Content-Disposition"]
        lines, events = parse_ics(response.content)
        assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
        assert any(line.startswith("PRODID:") for line in lines)
        assert len(events) == 2
        first = events[0]
        assert first["UID"] == f"copil-{held.pk}@{urlsplit(settings.SITE_URL).hostname}"
        assert first["DTSTART"] == "20240125T133000Z"  # 14:30 in Paris, winter time
        assert first["DTSTAMP"].endswith("Z")
        assert first["LOCATION"] == "Amboise\\, salle du conseil\\; 1er étage"
        assert "Validation du plan d'actions 2024\\, budget" in first["DESCRIPTION"]
        assert events[1]["DTSTART;VALUE=DATE"] == "20241003"
        assert events[1]["SUMMARY"] == "COPIL d'automne"
        assert "Réunion interne" not in response.content.decode()

    def test_uid_is_stable(self, client, meetings):
        first = parse_ics(client.get(reverse("actions:data_copil_ics")).content)[1]
        second = parse_ics(client.get(reverse("actions:data_copil_ics")).content)[1]
        assert [e["UID"] for e in first] == [e["UID"] for e in second]

    def test_long_lines_are_folded_at_75_octets(self, client):
        CopilMeetingFactory(title="COPIL " + "é" * 100)
        raw = client.get(reverse("actions:data_copil_ics")).content
        for line in raw.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")  # no character is split across two lines
        assert parse_ics(raw)[1][0]["SUMMARY"] == "COPIL " + "é" * 100

    def test_same_queries_with_2_and_200_meetings(self, client, count_queries, meetings):
        url = reverse("actions:data_copil_ics")
        few = count_queries(url)
        added = bulk(CopilMeetingFactory, 198, phase=meetings[0].phase)
        AgendaItem.objects.bulk_create(AgendaItem(meeting=m, title="Point") for m in added)
        many = count_queries(url)
        assert_no_n_plus_one(few, many, budget=3)
        assert many.text.count("BEGIN:VEVENT") == 200


class TestRssFeed:
    def test_progress_updates_of_public_actions(self, client, data):
        response = client.get(reverse("actions:feed"))
        assert response.status_code == 200
        channel = ET.fromstring(response.content).find("channel")
        assert channel.findtext("language") == "fr"
        items = channel.findall("item")
        assert len(items) == 1
        assert items[0].findtext("title") == "2.1 — Diagnostic « industrie du futur », robotique"
        assert "Statut : À venir → En cours." in items[0].findtext("description")
        assert (
            items[0]
            .findtext("link")
            .startswith(site_url("/actions/diagnostic-industrie-du-futur/#suivi-"))
        )
        assert_no_secret(response.content)

    def test_latest_fifty(self, client, count_queries):
        action = ActionFactory()
        ProgressUpdateFactory.create_batch(60, action=action)
        feed = count_queries(reverse("actions:feed"))
        assert feed.count <= 2
        assert len(ET.fromstring(feed.content).find("channel").findall("item")) == 50

    def test_same_queries_with_1_and_200_actions(self, client, count_queries):
        url = reverse("actions:feed")
        ProgressUpdateFactory(action=ActionFactory())
        few = count_queries(url)
        actions = bulk_actions(199)
        bulk(ProgressUpdateFactory, 199, action=factory.Iterator(actions))
        many = count_queries(url)
        assert_no_n_plus_one(few, many, budget=2)
        assert len(ET.fromstring(many.content).find("channel").findall("item")) == 50


class TestSitemapAndRobots:
    def test_sitemap_lists_public_pages_only(self, client, data):
        NewsItemFactory(slug="territoire-relabellise")
        NewsItemFactory(slug="brouillon", is_published=False)
        CopilMeetingFactory(is_public=False)
        public_meeting = CopilMeetingFactory()
        response = client.get("/sitemap.xml")
        assert response.status_code == 200
        namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        locations = [
            loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", namespace)
        ]
        base = site_url("")
        assert f"{base}/" in locations
        assert f"{base}/actions/" in locations
        assert f"{base}/donnees/" in locations
        assert f"{base}/actions/{data['public'].slug}/" in locations
        assert f"{base}/actions/{data['hidden'].slug}/" not in locations
        assert f"{base}/actions/{data['archived'].slug}/" not in locations
        assert f"{base}/actualites/territoire-relabellise/" in locations
        assert f"{base}/actualites/brouillon/" not in locations
        assert f"{base}/axes/2-innovation/" in locations
        assert f"{base}/territoire/val/" in locations
        assert f"{base}/partenaires/bpifrance/" in locations
        assert f"{base}{public_meeting.get_absolute_url()}" in locations
        meetings = [loc for loc in locations if re.fullmatch(rf"{base}/copil/\d+/", loc)]
        assert meetings == [f"{base}{public_meeting.get_absolute_url()}"]
        assert f"{base}/copil/decisions/" in locations  # the register, of public meetings only

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_sitemap_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        visit_as(client, visitor)
        ActionFactory()  # with its axis and organisation
        NewsItemFactory()
        IntercommunalityFactory()
        CopilMeetingFactory()
        few = count_queries("/sitemap.xml")
        phase = PhaseFactory()
        bulk_actions(  # with their own axes and organisations
            199,
            axis=factory.Iterator(bulk(AxisFactory, 199, phase=phase)),
            pilot=factory.Iterator(bulk(OrganisationFactory, 199)),
        )
        many = count_queries("/sitemap.xml")
        assert_no_n_plus_one(few, many)
        assert many.content.count(b"<url>") >= 200 + 4

    def test_robots_points_to_the_sitemap(self, client):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        content = response.content.decode()
        assert f"Sitemap: {site_url('/sitemap.xml')}" in content
        assert "Disallow: /admin/" in content


class TestFilteredExports:
    def test_csv_contains_exactly_the_filtered_public_actions(self, client, data):
        response = client.get(reverse("actions:export_csv"), {"statut": "planned"})
        assert response.status_code == 200
        assert "plan-actions-grand-est-touraine-" in response["Content-Disposition"]
        assert [row["code"] for row in read_csv(response)] == ["2.10"]

    def test_csv_follows_the_sort_and_ignores_pagination(self, client, data):
        response = client.get(reverse("actions:export_csv"), {"tri": "-code", "page": "2"})
        assert [row["code"] for row in read_csv(response)] == ["2.10", "2.1"]

    def test_csv_with_every_action_of_every_page(self, client):
        axis = AxisFactory()
        ActionFactory.create_batch(45, axis=axis)
        rows = read_csv(client.get(reverse("actions:export_csv")))
        assert len(rows) == 45

    def test_xlsx_contains_exactly_the_filtered_public_actions(self, client, data):
        response = client.get(reverse("actions:export_xlsx"), {"annee": "2025"})
        sheets = read_xlsx(response)
        assert [row["code"] for row in sheets["Actions"]] == ["2.1"]
        assert len(sheets["Financements"]) == 2
        assert_no_secret(str(sheets))

    def test_filter_that_would_match_hidden_actions(self, client, data):
        rows = read_csv(client.get(reverse("actions:export_csv"), {"q": "secrète"}))
        assert rows == []

    @pytest.mark.parametrize("query", ["statut=xxx", "annee=abc", "tri=foo", "q=" + "x" * 5000])
    def test_bad_values_are_ignored(self, client, data, query):
        response = client.get(f"{reverse('actions:export_csv')}?{query}")
        assert response.status_code == 200
        assert [row["code"] for row in read_csv(response)] == ["2.1", "2.10"]


class TestExportQueryBudget:
    @staticmethod
    def add_actions(count, axis, pilot, partner, place):
        actions = bulk_actions(
            count, axis=axis, pilot=pilot, partners=[partner], intercommunalities=[place]
        )
        bulk_fundings(actions, year=2024, funder=pilot)
        bulk_fundings(actions, year=2025, funder=pilot)

    @pytest.mark.parametrize("visitor", VISITORS)
    @pytest.mark.parametrize(
        "name",
        [
            "data_actions_csv",
            "data_fundings_csv",
            "data_actions_xlsx",
            "data_actions_json",
            "export_csv",
            "export_xlsx",
        ],
    )
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor, name):
        shared = AxisFactory(), OrganisationFactory(), OrganisationFactory()
        place = IntercommunalityFactory()
        visit_as(client, visitor)
        url = reverse(f"actions:{name}")
        self.add_actions(1, *shared, place)
        few = count_queries(url)
        self.add_actions(199, *shared, place)
        many = count_queries(url)
        assert_no_n_plus_one(few, many)
        assert len(many.content) > len(few.content)


class TestDemonstrationColumn:
    """Every open-data file says which rows are demonstration data."""

    @pytest.fixture
    def rows(self):
        axis = AxisFactory(number=2, name="Innovation", slug="2-innovation")
        real = ActionFactory(axis=axis, code="2.1", slug="fiche-reelle", is_public=True)
        demo = ActionFactory(
            axis=axis, code="2.4", slug="fiche-de-demonstration", is_public=True, is_demo=True
        )
        FundingFactory(action=real, year=2024, planned_amount=Decimal("7000"))
        FundingFactory(action=demo, year=2024, planned_amount=Decimal("5000"))
        return real, demo

    def test_actions_csv_and_json_flag_demonstration_rows(self, client, rows):
        real, demo = rows
        csv_rows = read_csv(client.get(reverse("actions:data_actions_csv")))
        flags = {row["slug"]: row["demonstration"] for row in csv_rows}
        assert flags == {real.slug: "non", demo.slug: "oui"}
        document = json.loads(body(client.get(reverse("actions:data_actions_json"))))
        assert {a["slug"]: a["demonstration"] for a in document["actions"]} == flags

    def test_fundings_csv_flags_lines_of_demonstration_actions(self, client, rows):
        real, demo = rows
        csv_rows = read_csv(client.get(reverse("actions:data_fundings_csv")))
        flags = {row["action_slug"]: row["demonstration"] for row in csv_rows}
        assert flags == {real.slug: "non", demo.slug: "oui"}

    def test_the_column_is_documented_on_the_open_data_page(self, client, rows):
        page = client.get(reverse("actions:open_data")).content.decode()
        assert "demonstration" in page
        assert "donnée de démonstration" in page

    def test_the_feed_titles_a_demonstration_note_as_such(self, client, rows):
        real, demo = rows
        ProgressUpdateFactory(action=real, text="Note réelle")
        ProgressUpdateFactory(action=demo, text="Note fictive")
        feed = ET.fromstring(body(client.get(reverse("actions:feed"))))
        titles = {item.findtext("guid"): item.findtext("title") for item in feed.iter("item")}
        assert sorted(titles.values()) == [
            f"2.1 — {real.title}",
            f"[Démonstration] 2.4 — {demo.title}",
        ]

    def test_the_calendar_titles_a_demonstration_meeting_as_such(self, client, db):
        CopilMeetingFactory(title="COPIL réel")
        CopilMeetingFactory(title="COPIL fictif", is_demo=True)
        _lines, events = parse_ics(client.get(reverse("actions:data_copil_ics")).content)
        summaries = sorted(event["SUMMARY"] for event in events)
        assert summaries == ["COPIL réel", "[Démonstration] COPIL fictif"]
