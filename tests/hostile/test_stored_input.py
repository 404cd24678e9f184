"""Hostile text that a partner may legitimately save must not break any page or file built from it.

A fiche summary, a description, a progress note and a measurement comment accepted from the
partner space are read back by the public fiche, the list, the home page, the partner dashboard,
the exports, the JSON and the RSS feed: all answer 200, with the text escaped or sanitised.
"""

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from actions.models import Action, ProgressUpdate
from teritoire.text import strip_control_characters
from tests.actions.factories import ProgressUpdateFactory

from .conftest import (
    HOSTILE,
    PAYLOADS,
    SCRIPT_MARKER,
    body,
    hostile_text,
    live_script,
)

READERS = [
    "/",
    "/actions/",
    "/actions/?q=RH",
    "/donnees/actions.csv",
    "/donnees/actions.json",
    "/donnees/actions.xlsx",
    "/actions/export.csv",
    "/actions/export.xlsx",
    "/donnees/suivi.rss",
    "/sitemap.xml",
    "/partenaires/association-des-industriels-du-castelrenaudais/",
    "/territoire/cc-du-castelrenaudais/",
]


def without_nul(text):
    """Control characters (NUL included) are refused by the forms with a French message, tested
    with the forms (tests/security/test_control_characters.py); everything else is accepted and
    stored."""
    return strip_control_characters(text)


def stored_text():
    return st.one_of(
        st.sampled_from(PAYLOADS[1:20]),
        hostile_text(400),
        st.sampled_from(
            [
                "[lien](javascript:alert(1))",
                "<img src=x onerror=alert(1)>",
                "**gras** <b onmouseover=alert(1)>survol</b>",
                "```\n<script>alert('xss')</script>\n```",
                '=HYPERLINK("http://evil.example","clic")',
                "]]></description><script>alert('xss')</script>",
            ]
        ),
    ).map(without_nul)


def test_saved_hostile_text_never_breaks_a_page_or_a_file(client, world):
    action = world["action"]
    editor = world["editor"]

    @hsettings(HOSTILE, max_examples=20)
    @given(summary=stored_text(), description=stored_text(), note=stored_text())
    @example(
        summary="=1+1",
        description="<script>alert('xss')</script>",
        note="]]></description><script>alert('xss')</script>",
    )
    def run(summary, description, note):
        client.force_login(editor)
        current = Action.objects.get(pk=action.pk)
        edit = client.post(
            reverse("space:action_edit", args=[action.pk]),
            {
                "status": "in_progress",
                "progress": "50",
                "summary": summary,
                "description": description,
                "start_date": "2024-01-01",
                "end_date": "",
                "version": str(current.version),
            },
        )
        assert edit.status_code == 302
        noted = client.post(
            reverse("space:update_create", args=[action.pk]),
            {"date": "2024-06-01", "text": note or "x"},
        )
        assert noted.status_code in (200, 302)  # a blank note is refused, that is all
        pages = [Action.objects.get(pk=action.pk).get_absolute_url(), *READERS]
        client.logout()
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            content = body(response)
            if response["Content-Type"].startswith("text/html"):
                text = content.decode()
                assert SCRIPT_MARKER not in text, url
                assert not live_script(text), (url, live_script(text))
        client.force_login(editor)
        assert client.get(reverse("space:dashboard")).status_code == 200
        assert client.get(reverse("space:action", args=[action.pk])).status_code == 200

    run()


def test_rss_feed_survives_a_control_character_in_a_note(client, world):
    """A note stored before the forms refused control characters still gives a valid feed."""
    ProgressUpdateFactory(
        action=world["action"], text="Colonne A\x0bcolonne B (copié d'un tableur)"
    )
    assert ProgressUpdate.objects.filter(text__contains="\x0b").exists()
    response = client.get("/donnees/suivi.rss")
    assert response.status_code == 200
    assert "Colonne Acolonne B" in response.content.decode()


@pytest.mark.parametrize(
    ("html", "dangerous"),
    [
        ('<p>ok</p><meta name="description" content="0 ONA=">', False),
        ("<p>&lt;img src=x onerror=alert(1)&gt;</p>", False),
        ('<a href="https://example.org" rel="noopener">x</a>', False),
        ("<img src=x onerror=alert(1)>", True),
        ('<a href=" JavaScript:alert(1)">x</a>', True),
        ("<script>alert('xss')</script>", True),
        ("<iframe src=//evil.example></iframe>", True),
    ],
)
def test_the_live_script_check_itself(html, dangerous):
    """The check the properties above rely on tells escaped text from running markup."""
    assert bool(live_script(html)) is dangerous
