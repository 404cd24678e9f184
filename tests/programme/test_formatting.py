"""The shared `portal` filters write numbers, amounts, percentages and dates as Django's French
locale does, plus the French typography Django leaves out: « 1er », « de l'AICR »."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from teritoire.templatetags.portal import date_fr, de, euros, format_number, number, percent

NBSP = "\u00a0"  # Django's French thousands separator, and the space before € and %


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


class TestNumbers:
    def test_thousands_are_grouped_by_the_french_locale(self):
        assert format_number(1234567) == f"1{NBSP}234{NBSP}567"
        assert format_number("1234567.891", 2) == f"1{NBSP}234{NBSP}567,89"
        assert format_number(999) == "999"

    def test_rounded_not_cut(self):
        assert format_number(Decimal("0.6")) == "1"
        assert format_number(2.675, 2) == "2,68"  # the float as written, not its binary value
        assert format_number(-0.4) == "0"  # never « -0 »

    def test_what_is_not_a_number_prints_nothing(self):
        for value in (None, "", "abc", float("nan"), True):
            assert format_number(value) == ""
            assert euros(value) == ""
            assert percent(value) == ""
            assert number(value) == ""

    def test_euros(self):
        assert euros(12500) == f"12{NBSP}500{NBSP}€"
        assert euros(Decimal("12345.5")) == f"12{NBSP}346{NBSP}€"
        assert euros(Decimal("12.5"), 2) == f"12,50{NBSP}€"
        assert euros(0) == f"0{NBSP}€"

    def test_percent(self):
        assert percent(35) == f"35{NBSP}%"
        assert percent(Decimal("45.5")) == f"46{NBSP}%"
        assert percent(Decimal("12.345"), 1) == f"12,3{NBSP}%"

    def test_counts_have_no_decimals(self):
        assert number(18) == "18"
        assert number(Decimal("18.00"), 2) == "18"  # not « 18,00 »
        assert number(107690) == f"107{NBSP}690"
        assert number(Decimal("12.5"), 2) == "12,50"

    def test_filters_in_a_template(self):
        html = render(
            "{{ budget|euros }} · {{ rate|percent }} · {{ count|number }} · {{ value|number:2 }}",
            budget=Decimal("12500.00"),
            rate=35,
            count=18,
            value=Decimal("18.00"),
        )
        assert html == f"12{NBSP}500{NBSP}€ · 35{NBSP}% · 18 · 18"


class TestDates:
    def test_first_of_the_month_is_written_1er(self):
        assert date_fr(datetime.date(2024, 12, 1)) == "1er décembre 2024"
        assert date_fr(datetime.date(2024, 12, 2)) == "2 décembre 2024"
        assert date_fr(datetime.date(2024, 12, 21)) == "21 décembre 2024"

    def test_any_django_format(self):
        assert date_fr(datetime.date(2024, 12, 1), "l j F Y") == "dimanche 1er décembre 2024"
        assert date_fr(datetime.date(2024, 12, 1), "SHORT_DATE_FORMAT") == "01/12/2024"
        assert date_fr(datetime.date(2024, 12, 1), r"\j\o\u\r j") == "jour 1er"

    def test_empty_or_not_a_date(self):
        assert date_fr(None) == ""
        assert date_fr("") == ""
        assert date_fr("hier") == ""

    def test_the_template_filter_prints_local_time(self):
        # 29 February, 23:30 UTC is already 1 March in Paris.
        moment = datetime.datetime(2024, 2, 29, 23, 30, tzinfo=datetime.UTC)
        assert render('{{ moment|date_fr:"j F Y à H:i" }}', moment=moment) == (
            "1er mars 2024 à 00:30"
        )


class TestElision:
    @pytest.mark.parametrize(
        ("name", "article", "expected"),
        [
            ("AICR", "l'", "de l'AICR"),
            ("AICR", "la", "de l'AICR"),
            ("Région Centre-Val de Loire", "la", "de la Région Centre-Val de Loire"),
            ("Département", "le", "du Département"),
            ("Hauts-de-France", "les", "des Hauts-de-France"),
            ("Haute-Vienne", "la", "de la Haute-Vienne"),  # h aspiré: no elision
            ("hôtel de ville", "le", "de l'hôtel de ville"),  # h muet
            ("Amboise", "", "d'Amboise"),
            ("Indre-et-Loire", "", "d'Indre-et-Loire"),
            ("Tours", "", "de Tours"),
            ("France Travail", "", "de France Travail"),
            ("Le Mans", "", "du Mans"),
            ("Les Mureaux", "", "des Mureaux"),
            ("La Riche", "", "de La Riche"),
            ("", "la", ""),
        ],
    )
    def test_de(self, name, article, expected):
        assert de(name, article) == expected

    def test_filter_escapes_the_name(self):
        assert render('{{ name|de:"l\'" }}', name="AICR") == "de l&#x27;AICR"
        assert render("{{ name|de }}", name="Tours <b>") == "de Tours &lt;b&gt;"


class TestSharedPartials:
    def test_progress_bar_default_small_and_large(self):
        card = render_to_string("includes/_progress.html", {"value": Decimal("45.5")})
        assert f'<span class="progress-label">Avancement : 46{NBSP}%</span>' in card
        assert 'class="progress-fill" width="46"' in card
        small = render_to_string("includes/_progress.html", {"value": 80, "size": "small"})
        assert f'class="progress progress-small"><span class="progress-label">80{NBSP}%<' in small
        large = render_to_string("includes/_progress.html", {"value": 45, "size": "large"})
        assert f"Avancement : <strong>45{NBSP}%</strong>" in large
        assert 'class="progress progress-large"' in large

    def test_progress_bar_without_value_is_empty_not_broken(self):
        html = render_to_string("includes/_progress.html", {"value": None, "label": "Moyenne"})
        assert f"Moyenne : 0{NBSP}%" in html
        assert 'class="progress-fill" width="0"' in html

    def test_status_badge(self):
        html = render_to_string(
            "includes/_status_badge.html", {"status": "in_progress", "label": "En cours"}
        )
        assert html.strip().endswith('<span class="badge status-in_progress">En cours</span>')
