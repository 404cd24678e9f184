"""Markdown from staff and partners is rendered, then sanitised by nh3."""

import pytest

from teritoire.templatetags.portal import render_markdown

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">clic</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    "<b onmouseover=alert(1)>survol</b>",
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=p></form>",
    '<p style="background:url(javascript:alert(1))">x</p>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_classic_payloads_lose_everything_that_runs(payload):
    html = render_markdown(payload).lower()
    for forbidden in ("<script", "onerror", "onload", "onmouseover", "javascript:", "data:",
                      "<iframe", "<style", "<form", "<input", "style="):  # fmt: skip
        assert forbidden not in html


def test_links_get_noopener_noreferrer():
    html = render_markdown("[Site de l'ANCT](https://agence-cohesion-territoires.gouv.fr)")
    assert 'href="https://agence-cohesion-territoires.gouv.fr"' in html
    assert 'rel="noopener noreferrer"' in html


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## Objectifs\n\n- **50** entreprises\n- *10* sites\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Objectifs</h2>" in html
    assert "<strong>50</strong>" in html
    assert "<em>10</em>" in html
    assert "<table>" in html
