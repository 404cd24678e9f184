"""Issue 16, item 10: the RSS feed carries a partner's note as plain text, never as HTML.

A feed reader shows an item's description (and often its title) as HTML. A note written in
Markdown used to go out raw, so an `<img onerror>` typed by a partner reached every subscriber;
it now goes out as the words of the rendered Markdown, HTML-escaped once.
"""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.actions.factories import ActionFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

NOTE = (
    "Visite <img src=x onerror=alert(1)> de l'atelier **R&D**, voir `<img onerror=alert(2)>`"
    " et &lt;img src=y onerror=alert(3)&gt;.\n\n<script>alert(4)</script>\n\n- [le compte rendu]"
    "(javascript:alert(5))\n- <b onmouseover=alert(6)>survol</b>"
)


class ReaderView(HTMLParser):
    """What a feed reader that renders HTML builds from a description: tags and text."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def item(client):
    action = ActionFactory(code="3.2", title="Atelier <b onmouseover=alert(7)>R&D</b>")
    ProgressUpdateFactory(action=action, text=NOTE, status_before="planned", status_after="done")
    response = client.get(reverse("actions:feed"))
    assert response.status_code == 200
    return ET.fromstring(response.content).find("channel/item")


def test_no_tag_survives_in_the_parsed_description(item):
    description = item.findtext("description")
    assert "<img" not in description
    assert "<" not in description
    assert ReaderView(description).tags == []
    assert "R&amp;D" in description and "&amp;amp;" not in description  # escaped once


def test_a_reader_shows_the_words_of_the_note(item):
    shown = "".join(ReaderView(item.findtext("description")).text)
    assert "Statut : À venir → Réalisée." in shown
    assert "de l'atelier R&D, voir <img onerror=alert(2)> et <img src=y onerror=alert(3)>." in shown
    assert "le compte rendu" in shown and "survol" in shown
    assert "**" not in shown and "javascript:" not in shown and "alert(4)" not in shown


def test_the_title_is_text_too(item):
    title = item.findtext("title")
    assert ReaderView(title).tags == []
    assert "".join(ReaderView(title).text) == "3.2 — Atelier <b onmouseover=alert(7)>R&D</b>"
