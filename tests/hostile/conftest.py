"""Shared data, strategies and checks of the hostile-input tests.

Each module builds its data once (the `world` fixture, fresh instances for every test) and
hypothesis then throws many requests at it inside the same test transaction. What every answer
must be: a page in French (an error, an "ignored filter" notice, a 404) or the normal answer to a
valid input; never a 500, and nothing written when a write is refused.
"""

import datetime
import html
import os
import re
import shutil
import string
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from actions.models import Action, Document, Funding, Measurement, ProgressUpdate, Status
from actions.services import validate_annual_plan
from partners.models import Membership
from tests.actions.factories import (
    ActionFactory,
    DocumentFactory,
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgressUpdateFactory,
)
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import (
    AxisFactory,
    CopilMeetingFactory,
    DecisionFactory,
    IntercommunalityFactory,
    NewsItemFactory,
    PhaseFactory,
)
from tests.shared import shared_rows

PASSWORD = "mot-de-passe-solide-2024"  # the factories' password

# database=None: no .hypothesis folder in the working tree; the failing example is printed.
# Random examples on every developer run; in CI, the same examples every time, so that a run
# is reproducible (a new failure found locally is added as an @example).
HOSTILE = settings(
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --------------------------------------------------------------------------- values

# Classic payloads: SQL, HTML/JS, templates, traversal, header injection, odd numbers and digits
# that Python's str.isdigit() accepts but int() refuses.
PAYLOADS = [
    "",
    " ",
    "\t\n",
    "'",
    '"',
    "\\",
    "%",
    "%00",
    "\x00",
    "a\x00b",
    "' OR '1'='1",
    "1; DROP TABLE actions_action; --",
    "1 UNION SELECT password FROM partners_user --",
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% debug %}",
    "${jndi:ldap://127.0.0.1/a}",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "/etc/passwd\x00.pdf",
    "\r\nSet-Cookie: pris=1",
    "-1",
    "0",
    "-0",
    "1.5",
    "1,5",
    "1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "2147483648",
    "-9223372036854775809",
    "9" * 400,
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: int() accepts them
    "²",  # isdigit() but not int()
    "①",
    "\u202e\u0644\u0627",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🏭",
    "Ω" * 3000,
    "x" * 20_000,
]
SCRIPT_MARKER = "alert('xss')"


def hostile_text(max_size=300):
    """Random unicode (no lone surrogate: browsers cannot send one), payloads, big numbers."""
    return st.one_of(
        st.sampled_from(PAYLOADS),
        st.text(max_size=max_size),
        st.text(alphabet=string.printable, max_size=max_size),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(1, 5000)),
    )


def hostile_bytes_param():
    """Arbitrary bytes, percent-encoded: invalid UTF-8 and lone surrogates included."""
    return st.binary(max_size=60).map(lambda b: quote_from_bytes(b, safe=""))


def query_string(pairs):
    """`pairs` of (name, value); a value that is already percent-encoded is kept as such."""
    parts = []
    for name, value in pairs:
        if isinstance(value, tuple):  # ("raw", already encoded)
            parts.append(f"{quote(name, safe='')}={value[1]}")
        else:
            parts.append(f"{quote(name, safe='')}={quote(value, safe='')}")
    return "&".join(parts)


def query_pairs(names, valid_values):
    """Lists of (name, value): known names with valid or hostile values, repeated or unknown."""
    name = st.one_of(st.sampled_from(names), st.sampled_from(names), hostile_text(40))
    value = st.one_of(
        hostile_text(),
        st.sampled_from(valid_values) if valid_values else st.nothing(),
        hostile_bytes_param().map(lambda v: ("raw", v)),
    )
    return st.lists(st.tuples(name, value), max_size=8)


# --------------------------------------------------------------------------- checks

ENGLISH = re.compile(
    r"This field|Enter a valid|Ensure this|Select a valid|is required|Bad Request|Forbidden"
    r"|Not Found|Server Error|Please |must be|\binvalid\b|Traceback",
)
TAG = re.compile(r"<[^>]*>")
ERROR_SUMMARY = re.compile(r'<div class="error-summary" role="alert">(.*?)</div>', re.S)


def body(response):
    """The whole body, streaming or not: errors in a generator show up here."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def page_text(response):
    return body(response).decode("utf-8")


def assert_french_page(response):
    """An HTML page of the portal, in French, with nothing in English nor a raw payload."""
    assert response.status_code != 500
    assert response["Content-Type"].startswith("text/html")
    text = page_text(response)
    assert '<html lang="fr">' in text, text[:300]
    visible = TAG.sub(" ", text.split("<main", 1)[-1])
    assert not ENGLISH.search(visible), ENGLISH.search(visible)
    assert SCRIPT_MARKER not in text  # escaped as alert(&#x27;xss&#x27;) when echoed
    return html.unescape(text)


def assert_french_form_error(response):
    """A refused form: 200, the French error summary at the top of the form."""
    assert response.status_code == 200, response.status_code
    text = assert_french_page(response)
    summary = ERROR_SUMMARY.search(text)
    assert summary, "no error summary on a refused form"
    assert not ENGLISH.search(TAG.sub(" ", summary.group(1))), summary.group(1)
    return text


class _LiveScriptFinder(HTMLParser):
    """Markup that a browser would run: event attributes, javascript:/data: URLs, frames,
    inline scripts calling alert()."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            url = (value or "").strip().lower()
            if name in self.URL_ATTRIBUTES and url.startswith(("javascript:", "data:text")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")


def live_script(text):
    """What in an HTML page would run script (empty list when nothing would)."""
    finder = _LiveScriptFinder()
    finder.feed(text)
    finder.close()
    return finder.found


def snapshot(*models):
    """Every row of the given models (and of their history tables), in primary-key order."""
    rows = {}
    for model in models:
        tables = [model]
        if hasattr(model, "history"):
            tables.append(model.history.model)
        for table in tables:
            rows[table._meta.label] = list(table.objects.order_by("pk").values())
    return rows


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


WRITE_MODELS = (Action, Funding, ProgressUpdate, Measurement, Document)


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module, its files in a media folder of its own."""
    media = tmp_path_factory.mktemp("hostile-media")
    with shared_rows(django_db_blocker):
        with override_settings(MEDIA_ROOT=media):
            built = build_world()
        yield built, media


@pytest.fixture
def world(db, settings, shared_world):
    """The shared world as fresh instances, its files copied into this test's media folder: what
    a test changes (rows rolled back after it, instances thrown away) no other test sees."""
    built, media = shared_world
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)

    def fresh(value):
        if isinstance(value, list):
            return [fresh(item) for item in value]
        return type(value).objects.get(pk=value.pk)

    return {name: fresh(value) for name, value in built.items()}


def build_world():
    """A small programme: one public action piloted by the editor's organisation, a private one
    of another organisation, an archived one, fundings, indicators, notes, documents, a COPIL with
    a validated 2024 plan, news; users of every role."""
    phase = PhaseFactory()
    skills = AxisFactory(phase=phase, number=1, name="Compétences", slug="1-competences")
    land = AxisFactory(phase=phase, number=3, name="Foncier", slug="3-foncier")
    pilot = OrganisationFactory(
        name="Association des industriels du Castelrenaudais", acronym="AICR"
    )
    partner = OrganisationFactory(name="Région Centre-Val de Loire")
    other = OrganisationFactory(name="GEIDA")
    cc = IntercommunalityFactory(name="CC du Castelrenaudais")
    action = ActionFactory(
        axis=skills,
        code="1.1",
        title="Plateforme RH",
        pilot=pilot,
        partners=[partner],
        intercommunalities=[cc],
        status=Status.IN_PROGRESS,
        progress=40,
    )
    private = ActionFactory(axis=land, code="3.1", title="Friche privée", pilot=other)
    private.is_public = False
    private.save()
    archived = ActionFactory(axis=land, code="3.2", title="Fiche archivée", pilot=pilot)
    archived.is_archived = True
    archived.save()
    FundingFactory(action=action, funder=partner, year=2024, planned_amount=Decimal("12500.50"))
    FundingFactory(action=action, funder=partner, year=2025, planned_amount=Decimal("8000"))
    FundingFactory(action=private, funder=other, year=2024)
    indicator = IndicatorFactory(action=action, name="Entreprises accompagnées")
    MeasurementFactory(indicator=indicator)
    foreign_indicator = IndicatorFactory(action=private, name="Hectares requalifiés")
    ProgressUpdateFactory(action=action, date=datetime.date(2024, 5, 2))
    document = DocumentFactory(action=action, visibility=Document.Visibility.PARTNERS)
    private_document = DocumentFactory(action=private, visibility=Document.Visibility.PARTNERS)
    meeting = CopilMeetingFactory(phase=phase, date=datetime.date(2024, 1, 25))
    DecisionFactory(meeting=meeting, text="Le plan d'actions 2024 est validé.")
    plan = validate_annual_plan(meeting, 2024)
    NewsItemFactory(title="Le territoire est labellisé pour la phase 2")

    editor = MembershipFactory(organisation=pilot, role=Membership.Role.EDITOR).user
    reader = MembershipFactory(organisation=pilot, role=Membership.Role.READER).user
    partner_editor = MembershipFactory(organisation=partner, role=Membership.Role.EDITOR).user
    outsider = MembershipFactory(organisation=other, role=Membership.Role.EDITOR).user
    return {
        "phase": phase,
        "axes": [skills, land],
        "pilot": pilot,
        "partner": partner,
        "other": other,
        "cc": cc,
        "action": action,
        "private": private,
        "archived": archived,
        "indicator": indicator,
        "foreign_indicator": foreign_indicator,
        "document": document,
        "private_document": private_document,
        "meeting": meeting,
        "plan": plan,
        "editor": editor,
        "reader": reader,
        "partner_editor": partner_editor,
        "outsider": outsider,
        "staff": StaffFactory(),
    }
