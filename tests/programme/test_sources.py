"""Sources (issue 12, part 7): each fact of the territory and home pages that is not in the
labellisation article links to its source, listed in programme/data/SOURCES.md; a fact without
a source is not shown."""

import datetime
import html
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from programme.models import Territory
from programme.reference_files import DATA_DIR
from tests.programme.factories import PhaseFactory

SOURCES_MD = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
LISTED = set(re.findall(r"https://[^\s)|;]+", SOURCES_MD))
ARTICLE = "https://www.touraineestvallees.fr/actualites/territoire-dindustrie-grand-est-touraine/"
FRANCE_BLEU = (
    "https://www.francebleu.fr/infos/economie-social/la-ministre-jacqueline-gourault-a-amboise-"
    "pour-signer-l-accord-sur-le-territoire-industrie-du-grand-1556024822"
)
CONTRACT = (
    "https://www.daniel-labaronne.fr/2021/03/30/"
    "le-contrat-grand-est-touraine-territoire-dindustrie-signe-avec-letat/"
)
RUBIXCO = "https://lepicentre.online/a-montlouis-sur-loire-le-rubixco-fete-son-1er-anniversaire"
MARKDOWN_LINK = re.compile(r"\[[^\]]+\]\(([^)]+)\)")


def programme():
    return json.loads((DATA_DIR / "programme.json").read_text(encoding="utf-8"))


def achievements():
    return json.loads((DATA_DIR / "achievements.json").read_text(encoding="utf-8"))


def text(response):
    return html.unescape(response.content.decode())


def sourced(page, fact, url):
    """`fact` is followed, before the next fact's sentence ends, by a link to `url`."""
    start = page.index(fact)
    link = page.find(f'href="{url}"', start)
    return link != -1 and "." not in re.sub(r"<[^>]+>", "", page[start:link]).replace("(", "")


class TestReferenceData:
    """What the reference files say, read as they are shipped."""

    def test_every_milestone_has_a_listed_source(self):
        milestones = programme()["territory"]["milestones"]
        assert milestones
        for milestone in milestones:
            assert milestone.get("source") in LISTED, milestone
            assert milestone.get("source_name"), milestone

    def test_every_link_of_the_texts_is_a_listed_source(self):
        texts = [programme()["territory"]["description"]]
        texts += [phase["description"] for phase in programme()["phases"]]
        texts += [item["description"] for item in achievements()["achievements"]]
        texts.append((DATA_DIR / "labellisation-news.md").read_text(encoding="utf-8"))
        links = [url for body in texts for url in MARKDOWN_LINK.findall(body)]
        assert len(links) >= 8
        assert set(links) <= LISTED, set(links) - LISTED

    def test_the_issue_s_facts_carry_their_source(self):
        territory = programme()["territory"]
        by_date = {m["date"]: m["source"] for m in territory["milestones"]}
        assert by_date["2019-03"] == by_date["2019-04-23"] == FRANCE_BLEU
        assert by_date["2021-03-29"] == CONTRACT
        description = territory["description"]
        assert f"23 avril 2019 à Amboise ([source]({FRANCE_BLEU}))" in description
        assert f"29 mars 2021 ([source]({CONTRACT}))" in description
        phase_1 = programme()["phases"][0]["description"]
        assert f"15 juin 2020 ([source]({RUBIXCO}))" in phase_1
        rubixco = achievements()["achievements"][0]
        assert "Ouvert le 15 juin 2020" in rubixco["description"]
        assert f"[Le Picentre]({RUBIXCO})" in rubixco["description"]

    def test_card_summaries_state_no_dated_fact(self):
        """Cards (home page) carry no link, so their summary states no fact needing one."""
        for item in achievements()["achievements"]:
            assert not re.search(r"\b(19|20)\d\d\b", item["summary"]), item["summary"]

    def test_the_unsourced_milestone_is_gone(self):
        """No source for the first COPIL of phase 2 in SOURCES.md: not in the timeline."""
        dates = [m["date"] for m in programme()["territory"]["milestones"]]
        assert "2024-01-25" not in dates


@pytest.fixture
def loaded(db):
    call_command("load_territory", stdout=io.StringIO())


class TestPages:
    def test_home_timeline_links_each_step_to_its_source(self, client, loaded):
        page = text(client.get(reverse("home")))
        assert sourced(page, "Signature du protocole d'engagement à Amboise", FRANCE_BLEU)
        assert sourced(page, "Signature du contrat de Territoire d'industrie", CONTRACT)
        assert sourced(page, "Labellisation renouvelée pour la phase 2", ARTICLE)
        assert page.count(">Source<") == len(programme()["territory"]["milestones"])
        assert "Source\u00a0: France Bleu Touraine, 23 avril 2019" in re.sub(r"<[^>]+>", "", page)

    def test_territory_text_links_its_facts_on_both_pages(self, client, loaded):
        for url in (reverse("home"), reverse("programme:territory")):
            page = text(client.get(url))
            assert sourced(page, "23 avril 2019 à Amboise", FRANCE_BLEU), url
            assert sourced(page, "29 mars 2021", CONTRACT), url

    def test_rubixco_opening_only_with_its_source(self, client, loaded):
        home = text(client.get(reverse("home")))
        assert "Tiers-lieu Le Rubixco" in home  # the card is there…
        assert "juin 2020" not in home  # …without the date it cannot source
        fiche = Action.objects.get(slug="tiers-lieu-le-rubixco")
        page = text(client.get(fiche.get_absolute_url()))
        assert "Ouvert le 15 juin 2020" in page and f'href="{RUBIXCO}"' in page

    def test_a_milestone_without_source_is_not_shown(self, client, db):
        phase = PhaseFactory(start_date=datetime.date(2023, 1, 1))
        Territory.objects.filter(pk=phase.territory.pk).update(
            milestones=[
                {"date": "2023-11-09", "text": "Étape sourcée", "source": ARTICLE},
                {"date": "2024-01-25", "text": "Étape sans source"},
            ]
        )
        page = text(client.get(reverse("home")))
        assert "Étape sourcée" in page
        assert "Étape sans source" not in page
