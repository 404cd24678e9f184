"""Another territory, loaded from its own folder: every public page names it and no other.

The folder `data/fictional/` describes « Territoire d'industrie Val de Brume » (two communautés de
communes, three communes with square outlines, no achievements file). Loaded into an empty
database with `load_territory --data-dir`, it must give a portal where nothing from the shipped
territory (its name, department, region, communes) appears: the territory's identity comes from
the data, never from templates or code.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action
from partners.invitations import send_invitation
from partners.models import Organisation
from programme.models import Axis, CopilMeeting, Intercommunality, NewsItem, Territory
from tests.actions.factories import ActionFactory, ProgressUpdateFactory
from tests.partners.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA_DIR = Path(__file__).resolve().parent / "data" / "fictional"
NAME = "Val de Brume"
FULL_NAME = "Territoire d'industrie Val de Brume"
FORBIDDEN = (
    "Grand Est Touraine",
    "Touraine",
    "Indre-et-Loire",
    "Centre-Val de Loire",
    "Amboise",
    "Montlouis",
)


def load():
    out = io.StringIO()
    call_command("load_territory", data_dir=DATA_DIR, stdout=out)
    return out.getvalue()


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def assert_only_the_fictional_territory(text, name=NAME):
    for word in FORBIDDEN:
        assert word not in text, word
    assert name in text


@pytest.fixture
def territory():
    load()
    return Territory.objects.get()


@pytest.fixture
def action(territory):
    """The folder has no achievements: one action, to render a fiche and the feed."""
    axis = Axis.objects.get(slug="brume-foncier")
    action = ActionFactory(
        axis=axis,
        code="2.1",
        title="Inventaire des friches",
        slug="inventaire-des-friches",
        pilot=Organisation.objects.get(slug="club-des-industriels-de-la-brume"),
        intercommunalities=list(Intercommunality.objects.all()),
    )
    ProgressUpdateFactory(action=action, text="Premier inventaire réalisé.")
    return action


class TestLoading:
    def test_loads_the_folder_and_nothing_else(self):
        output = load()

        assert f"Territoire « {NAME} »" in output
        assert "2 communautés de communes, 3 communes" in output
        territory = Territory.objects.get()
        assert (territory.slug, territory.full_name) == ("val-de-brume", FULL_NAME)
        assert (territory.department, territory.region) == ("Brume (99)", "Hautes-Terres")
        assert territory.publisher_name == "Syndicat mixte du Val de Brume"
        assert "4\u00a0700 habitants" in territory.description
        assert [when for _, when, _ in territory.timeline] == ["novembre 2023", "14 mars 2024"]
        assert territory.labelled_since == 2023
        assert list(territory.phases.values_list("number", flat=True)) == [2]
        assert CopilMeeting.objects.get().date.isoformat() == "2024-03-14"
        assert NewsItem.objects.get().slug == "val-de-brume-labellise"
        assert Organisation.objects.count() == 5  # three in the file, two communautés de communes
        assert not Action.objects.exists()  # no achievements.json in the folder

    def test_second_run_changes_nothing(self):
        load()
        output = load()
        assert "0 créations, 0 mises à jour" in output

    def test_names_come_from_the_manifest(self):
        load()
        manifest = json.loads((DATA_DIR / "programme.json").read_text(encoding="utf-8"))
        for siren, known in manifest["intercommunalities"].items():
            intercommunality = Intercommunality.objects.get(siren=siren)
            assert (intercommunality.slug, intercommunality.colour) == (
                known["slug"],
                known["colour"],
            )
            assert FULL_NAME in intercommunality.organisation.description


class TestPublicPages:
    def test_every_page_names_the_fictional_territory_only(self, client, territory, action):
        meeting = CopilMeeting.objects.get()
        urls = [
            reverse("home"),
            reverse("programme:territory"),
            reverse("programme:intercommunality", args=["cc-du-val-gris"]),
            reverse("directory:list"),
            reverse("directory:detail", args=["club-des-industriels-de-la-brume"]),
            reverse("programme:axis", args=["brume-foncier"]),
            reverse("actions:list"),
            action.get_absolute_url(),
            reverse("programme:copil_list"),
            meeting.get_absolute_url(),
            reverse("programme:news_list"),
            NewsItem.objects.get().get_absolute_url(),
            reverse("actions:open_data"),
            reverse("legal"),
            reverse("accessibility"),
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = body(response)
            assert f"· {FULL_NAME}</title>".replace("'", "&#x27;") in html, url
            assert_only_the_fictional_territory(html)

    def test_home_tells_the_territory_s_own_story(self, client, territory):
        html = body(client.get(reverse("home")))
        assert '<h1 id="titre-page">Territoire d&#x27;industrie Val de Brume</h1>' in html
        assert "Deux communautés de communes fictives" in html
        assert "Un territoire labellisé depuis 2023" in html
        assert '<time datetime="2023-11">novembre 2023</time>' in html
        assert "phase 2023-2027" in html
        assert "Brume (99) · Hautes-Terres" in html

    def test_legal_notice_names_its_publisher(self, client, territory):
        html = body(client.get(reverse("legal")))
        assert "Ce portail est édité par le syndicat mixte du Val de Brume" in html

    def test_open_data_files(self, client, territory, action):
        for name, extension in (
            ("data_actions_csv", "csv"),
            ("data_fundings_csv", "csv"),
            ("data_actions_json", "json"),
            ("data_copil_ics", "ics"),
            ("export_csv", "csv"),
        ):
            response = client.get(reverse(f"actions:{name}"))
            assert response.status_code == 200, name
            assert "val-de-brume" in response["Content-Disposition"], name
            assert extension in response["Content-Disposition"]
            for word in FORBIDDEN:
                assert word not in body(response), (name, word)

        data = json.loads(body(client.get(reverse("actions:data_actions_json"))))
        assert data["producteur"] == "Syndicat mixte du Val de Brume"
        assert [a["code"] for a in data["actions"]] == ["2.1"]
        ics = body(client.get(reverse("actions:data_copil_ics")))
        assert "PRODID:-//Syndicat mixte du Val de Brume//Portail//FR" in ics

        response = client.get(reverse("actions:data_actions_xlsx"))
        assert response.status_code == 200
        assert "actions-val-de-brume.xlsx" in response["Content-Disposition"]
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        assert "Syndicat mixte du Val de Brume" in cells
        assert_only_the_fictional_territory(" ".join(cells))

    def test_feed_sitemap_and_robots(self, client, territory, action):
        feed = body(client.get(reverse("actions:feed")))
        assert f"<title>Suivi des actions — {FULL_NAME}</title>" in feed
        assert_only_the_fictional_territory(feed)

        sitemap = client.get("/sitemap.xml")
        assert sitemap.status_code == 200
        assert_only_the_fictional_territory(body(sitemap), name="val-de-brume")
        robots = client.get("/robots.txt")
        assert robots.status_code == 200
        for word in FORBIDDEN:
            assert word not in body(robots)

    def test_admin_header(self, admin_client, territory):
        html = body(admin_client.get(reverse("admin:index")))
        assert f"{FULL_NAME} — administration".replace("'", "&#x27;") in html
        assert_only_the_fictional_territory(html)

    def test_server_error_page_uses_what_the_request_already_read(self, rf, territory):
        from teritoire import identity
        from teritoire.views import server_error

        request = rf.get("/")
        identity._open()
        try:
            identity.current_territory()
            response = server_error(request)
        finally:
            identity._close()
        assert response.status_code == 500
        html = response.content.decode()
        assert f"Erreur du serveur · {FULL_NAME}".replace("'", "&#x27;") in html
        assert_only_the_fictional_territory(html)


class TestEmails:
    def test_invitation_and_password_reset_name_the_territory(self, client, territory, mailoutbox):
        user = UserFactory(email="camille@brume.test")
        MembershipFactory(
            user=user, organisation=Organisation.objects.get(slug="region-hautes-terres")
        )

        send_invitation(user)
        client.post(reverse("partners:password_reset"), {"email": user.email})

        invitation, reset = mailoutbox
        assert invitation.subject == f"Votre accès à l'espace partenaire du {FULL_NAME}"
        assert reset.subject == f"Choisir un nouveau mot de passe — espace partenaire {NAME}"
        for message in (invitation, reset):
            assert_only_the_fictional_territory(message.subject + message.body)
