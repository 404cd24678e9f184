"""Hostile GET parameters and path segments on the public pages, lists, exports and feeds.

The answer is the page (a bad filter is ignored with a French notice, a bad page number shows the
nearest page) or a French 404; never a 500, never a non-public action, and nothing written.
"""

from urllib.parse import quote

import pytest
from hypothesis import assume, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from actions.models import Action, Document

from .conftest import (
    HOSTILE,
    WRITE_MODELS,
    assert_french_page,
    body,
    hostile_bytes_param,
    hostile_text,
    query_pairs,
    query_string,
    snapshot,
)

FILTERS = ["q", "axe", "statut", "pilote", "intercommunalite", "annee", "priorite", "tri", "page"]
HIDDEN_TITLES = ("Friche privée", "Fiche archivée")


def filter_values(world):
    """Valid values of every filter, so that hypothesis also mixes good and bad ones."""
    skills, land = world["axes"]
    return [
        skills.slug,
        str(land.pk),
        "in_progress",
        "done",
        "high",
        "low",
        world["pilot"].slug,
        str(world["pilot"].pk),
        world["other"].slug,  # pilots only a private action: not a choice
        world["cc"].slug,
        "2024",
        "2025",
        "-budget",
        "avancement",
        "titre",
        "1",
        "2",
        "RH",
    ]


@pytest.fixture
def anonymous(client, world):
    before = snapshot(*WRITE_MODELS)
    yield client
    assert snapshot(*WRITE_MODELS) == before, "a GET changed the database"


def test_action_list_survives_any_filter_sort_and_page(anonymous, world):
    client = anonymous

    @hsettings(HOSTILE, max_examples=120)
    @given(pairs=query_pairs(FILTERS, filter_values(world)))
    @example(pairs=[("page", "²"), ("annee", "²"), ("tri", "-")])
    @example(pairs=[("axe", "1"), ("axe", "3-foncier"), ("q", "a\x00b")])
    @example(pairs=[("page", "9" * 5000), ("q", "x" * 20_000)])
    @example(pairs=[("q", "<script>alert('xss')</script>"), ("page", "-1")])
    def run(pairs):
        response = client.get("/actions/?" + query_string(pairs))
        assert response.status_code == 200
        text = assert_french_page(response)
        assert "Plan d'actions" in text
        for title in HIDDEN_TITLES:
            assert title not in text

    run()


def test_a_bad_filter_is_ignored_with_a_french_notice(client, world):
    """The property above could pass by ignoring everything: show one notice for real."""
    response = client.get("/actions/?statut=%00&annee=1789&page=0&q=RH")
    text = assert_french_page(response)
    assert "Le filtre « statut » a été ignoré" in text
    assert "Le filtre « année » a été ignoré : valeur inconnue." in text
    assert "Le numéro de page demandé n'est pas valide : voici la page 1." in text
    assert "Plateforme RH" in text


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_of_the_filtered_list_survive_any_filter(anonymous, world, extension):
    client = anonymous

    @hsettings(HOSTILE, max_examples=40)
    @given(pairs=query_pairs(FILTERS, filter_values(world)))
    @example(pairs=[("q", "=cmd|' /C calc'!A0"), ("tri", "budget"), ("annee", "2024")])
    def run(pairs):
        response = client.get(f"/actions/export.{extension}?" + query_string(pairs))
        assert response.status_code == 200
        content = body(response)  # the file is written while it is sent
        if extension == "csv":
            text = content.decode("utf-8")
            assert text.startswith('"code",')
            for title in HIDDEN_TITLES:
                assert title not in text
        else:
            assert content.startswith(b"PK\x03\x04")

    run()


# Pages that take no parameter, or only `page`: whatever is added must change nothing.
PLAIN_PAGES = [
    "/",
    "/territoire/",
    "/copil/",
    "/actualites/",
    "/partenaires/",
    "/donnees/",
    "/plans/2024/",
    "/espace-partenaire/connexion/",
    "/espace-partenaire/mot-de-passe-oublie/",
]
DATA_FILES = [
    ("/donnees/actions.csv", b'"code",'),
    ("/donnees/financements.csv", b'"action_code",'),
    ("/donnees/actions.json", b"{"),
    ("/donnees/actions.xlsx", b"PK\x03\x04"),
    ("/donnees/copil.ics", b"BEGIN:VCALENDAR"),
    ("/donnees/suivi.rss", b"<?xml"),
    ("/sitemap.xml", b"<?xml"),
    ("/robots.txt", b"User-agent"),
]


@pytest.mark.parametrize("path", PLAIN_PAGES)
def test_html_pages_ignore_or_refuse_any_parameter(anonymous, world, path):
    client = anonymous
    names = ["page", "version", "next", "q", "axe"]

    @hsettings(HOSTILE, max_examples=15)
    @given(pairs=query_pairs(names, ["1", "2", "0", "-1", str(world["plan"].pk)]))
    @example(pairs=[("page", "\x00"), ("version", "٣")])
    def run(pairs):
        response = client.get(f"{path}?{query_string(pairs)}")
        assert response.status_code == 200
        assert_french_page(response)

    run()


@pytest.mark.parametrize(("path", "start"), DATA_FILES)
def test_data_files_ignore_any_parameter(anonymous, world, path, start):
    client = anonymous

    @hsettings(HOSTILE, max_examples=8)
    @given(pairs=query_pairs(["page", "format", "q"], ["1", "csv"]))
    def run(pairs):
        response = client.get(f"{path}?{query_string(pairs)}")
        assert response.status_code == 200
        assert body(response).lstrip(b"\xef\xbb\xbf").startswith(start)

    run()


def test_plan_version_superscript_digit(client, world):
    response = client.get("/plans/2024/?version=%C2%B2")
    assert response.status_code in (200, 404)
    assert_french_page(response)


# --------------------------------------------------------------------------- path segments

SEGMENT = st.one_of(
    hostile_text(80).filter(lambda s: s not in ("", ".", "..")).map(lambda s: quote(s, safe="")),
    hostile_bytes_param().filter(lambda s: s not in ("", ".", "..")),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
DETAIL_ROUTES = [
    "/actions/{}/",
    "/territoire/{}/",
    "/partenaires/{}/",
    "/axes/{}/",
    "/actualites/{}/",
    "/copil/{}/",
    "/plans/{}/",
    "/espace-partenaire/mot-de-passe-oublie/{}/x/",
    "/espace-partenaire/mot-de-passe-oublie/MQ/{}/",
    "/espace-partenaire/invitation/{}/{}/",
    "/espace-partenaire/documents/{}/telecharger/",
]


@pytest.mark.parametrize("route", DETAIL_ROUTES)
def test_detail_pages_answer_404_in_french_to_any_identifier(anonymous, world, route):
    client = anonymous

    @hsettings(HOSTILE, max_examples=25)
    @given(segment=SEGMENT)
    @example(segment="%00")
    @example(segment="..%2F..%2Fetc%2Fpasswd")
    @example(segment="9" * 30)
    @example(segment=str(world["private"].pk))
    def run(segment):
        response = client.get(route.format(segment, segment))
        assert response.status_code in (200, 404), response.status_code
        text = assert_french_page(response)
        if response.status_code == 200:
            # Only the reset/invitation pages answer 200 to a made-up link: "no longer valid".
            assert "Ce lien n'est plus valable" in text or "plus valable" in text
        for title in ("Friche privée",):
            assert title not in text

    run()


def test_partner_space_refuses_any_identifier_with_404(client, world):
    """Logged in, another organisation's objects and made-up ids all answer 404."""
    client.force_login(world["editor"])
    before = snapshot(*WRITE_MODELS)
    pk = str(world["private"].pk)
    document = str(world["private_document"].pk)
    # A made-up number may be the id of one of the editor's own actions or documents.
    own_actions = Action.objects.of_user(world["editor"])
    own_documents = {
        str(pk)
        for pk in Document.objects.filter(action__in=own_actions).values_list("pk", flat=True)
    }
    own_actions = {str(pk) for pk in own_actions.values_list("pk", flat=True)}

    @hsettings(HOSTILE, max_examples=30)
    @given(
        segment=st.one_of(st.just(pk), st.integers(-(2**70), 2**70).map(str), SEGMENT),
        route=st.sampled_from(
            [
                "/espace-partenaire/actions/{}/",
                "/espace-partenaire/actions/{}/modifier/",
                "/espace-partenaire/actions/{}/archiver/",
                "/espace-partenaire/actions/{}/notes/ajouter/",
                "/espace-partenaire/actions/{}/mesures/ajouter/",
                "/espace-partenaire/actions/{}/documents/ajouter/",
                "/espace-partenaire/documents/{}/retirer/",
                "/espace-partenaire/documents/{}/telecharger/",
            ]
        ),
    )
    @example(segment=document, route="/espace-partenaire/documents/{}/telecharger/")
    @example(segment=document, route="/espace-partenaire/documents/{}/retirer/")
    def run(segment, route):
        own = own_documents if route.startswith("/espace-partenaire/documents/") else own_actions
        assume(segment not in own)
        response = client.get(route.format(segment))
        assert response.status_code == 404
        assert_french_page(response)

    run()
    assert snapshot(*WRITE_MODELS) == before


def test_too_many_parameters_are_refused_with_400(client, world):
    """1,001 parameters: Django refuses the request (400) before any view runs."""
    response = client.get("/actions/?" + "&".join(f"p{i}=1" for i in range(1001)))
    assert response.status_code == 400


def test_400_page_is_french(client, world):
    response = client.get("/actions/?" + "&".join(f"p{i}=1" for i in range(1001)))
    assert_french_page(response)
