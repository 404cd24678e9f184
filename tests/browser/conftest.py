"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Skipped, with a clear message, when /usr/bin/chromium is missing, except in CI (CI=true) where a
missing browser is a failure: .ci/run installs it.

The screenshots of docs/screenshots/ are taken by test_screenshots.py, which only runs when asked
(`make screenshots`, i.e. SCREENSHOTS=1).
"""

import functools
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS_MODULE = "test_screenshots.py"
WIDTHS = {"desktop": (1280, 900), "mobile": (375, 800)}
# WCAG 1.4.10 (reflow): a page zoomed to 400 % of 1280 px, or 200 % of 640 px, is 320 CSS px wide.
REFLOW_WIDTH = 320

DEMO_PASSWORD = "demo-Touraine-2024"
STAFF_EMAIL = "chef.projet@demo.grand-est-touraine.fr"
PARTNER_EMAIL = "partenaire.ccvalamboise@demo.grand-est-touraine.fr"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# themselves (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def viewport(name):
    """The viewport of WIDTHS[name] ("desktop", "mobile"), as Playwright takes it."""
    width, height = WIDTHS[name]
    return {"width": width, "height": height}


def chromium_executable():
    """CHROMIUM_PATH (by default Debian's /usr/bin/chromium), else a chromium on the PATH."""
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)

    # The screenshots are regenerated on demand only (make screenshots).
    if not os.environ.get("SCREENSHOTS"):
        pictures = [item for item in browser_items if item.fspath.basename == SCREENSHOTS_MODULE]
        if pictures:
            config.hook.pytest_deselected(items=pictures)
            items[:] = [item for item in items if item not in pictures]
            browser_items = [item for item in browser_items if item not in pictures]

    if browser_items and not chromium_executable():
        if os.environ.get("CI") or os.environ.get("SCREENSHOTS"):
            raise pytest.UsageError(
                f"Chromium introuvable ({CHROMIUM}) : CI et make screenshots ne sautent pas "
                "les tests navigateur (apt-get install chromium)."
            )
        skip = pytest.mark.skip(reason=f"navigateur absent ({CHROMIUM}) : tests navigateur sautés")
        for item in browser_items:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "tests/browser/" in str(r.nodeid)
    ]
    if skipped:
        terminalreporter.write_line(
            f"ATTENTION : {len(skipped)} tests navigateur sautés, Chromium absent "
            f"(apt-get install chromium).",
            yellow=True,
        )


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def new_context(browser, width=1280, height=900):
    return browser.new_context(
        viewport={"width": width, "height": height},
        locale="fr-FR",
        timezone_id="Europe/Paris",
        accept_downloads=True,
    )


# One browser tab per test module, its cookies cleared and its size reset before each test (each
# test opens its page and logs in itself): a fresh context per test costs Chromium a new renderer
# process and a cold start, a fifth of a second, often more than the checks of a page.
@pytest.fixture(scope="module")
def shared_context(browser):
    context = new_context(browser)
    context.new_page().set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def context(shared_context):
    shared_context.clear_cookies()
    return shared_context


@pytest.fixture
def page(context):
    page = context.pages[0]
    page.set_viewport_size(viewport("desktop"))
    return page


@pytest.fixture
def third_party_requests(page, live_server):
    """Every request the page makes to a host other than the live server, during the test."""
    seen = []

    def listener(request):
        if not request.url.startswith((live_server.url, "data:", "about:", "blob:")):
            seen.append(request.url)

    page.on("request", listener)
    yield seen
    page.remove_listener("request", listener)


def _csp_listener(seen):
    def listener(message):
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    return listener


def watch_csp(page):
    """The console messages of `page` that report a Content Security Policy violation."""
    seen = []
    page.on("console", _csp_listener(seen))
    return seen


@pytest.fixture
def csp_violations(page):
    """The Content Security Policy violations the page reports during the test."""
    seen = []
    listener = _csp_listener(seen)
    page.on("console", listener)
    yield seen
    page.remove_listener("console", listener)


def axe_violations(page, tags=AXE_TAGS):
    """Run axe-core (bundled by axe-playwright-python) in the page; return its violations."""
    # Injected once per loaded document: a page checked again after a resize keeps it.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(_axe_source())
    # Only the violations come back to Python, and axe details only them (resultTypes): the
    # passes of a page as big as the map weigh megabytes, longer to build than the checks.
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations",
        list(tags),
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]


@functools.cache
def _axe_source():
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def horizontal_overflow(page):
    """How many CSS px the page scrolls sideways (0 when it reflows)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def problems_at_widths(page, url=None, status=200, reflow=True):
    """Everything wrong with a page at 1280 and 375 px (axe-core, sideways scrolling) and at
    320 CSS px (sideways scrolling), from one load: the site has no script, so the layout at each
    width is the CSS's alone and a resize is the page loaded at that width. `url` None checks the
    page as it is (a form shown with its errors, say); the viewport ends back at 1280 px."""
    problems = {}
    if url is not None:
        page.set_viewport_size(viewport("desktop"))
        response = page.goto(url)
        assert response.status == status, f"{url} : HTTP {response.status}"
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        if violations := axe_violations(page):
            problems[f"axe à {width} px"] = violations
        if overflow := horizontal_overflow(page):
            problems[f"défilement horizontal à {width} px"] = f"{overflow} px de trop"
    if reflow:
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        if overflow := horizontal_overflow(page):
            problems[f"défilement horizontal à {REFLOW_WIDTH} px"] = f"{overflow} px de trop"
    page.set_viewport_size(viewport("desktop"))
    return problems


def focus_indicator(page):
    """How the focused element shows its focus: its outline, or for SVG shapes their stroke."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                name: el.getAttribute('aria-label') || el.name || el.id || el.textContent.trim(),
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
                strokeWidth: parseFloat(style.strokeWidth),
            };
        }"""
    )


def assert_focus_visible(page):
    focus = focus_indicator(page)
    assert focus is not None, "le focus clavier est perdu (sur <body>)"
    visible_outline = focus["outlineStyle"] != "none" and focus["outlineWidth"] > 0
    assert visible_outline, f"focus invisible sur {focus}"
    return focus


# --------------------------------------------------------------------------- data and accounts


# What the demo data fixture does not copy: rows that migrations and logins create themselves.
DUMP_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


@pytest.fixture(scope="session")
def demo_dump(tmp_path_factory):
    """Where the first test saves the loaded data, for the next ones to load it faster: a JSON
    dump, or on SQLite's in-memory test database a copy of the whole database."""
    return SimpleNamespace(json=tmp_path_factory.mktemp("demo") / "demo.json", sqlite=None)


def _in_memory_sqlite(connection):
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.fixture
def demo(live_server, demo_dump):
    """The reference territory and the demonstration data, as `make run` loads them.

    The live server needs transactional tests, whose database is emptied after each test: the
    first test runs `load_territory` and `load_demo` and saves the result, the next ones restore
    it. On SQLite (make test) the saved copy is the database itself, restored page by page with
    SQLite's backup API in milliseconds; on PostgreSQL it is a dump, loaded in a third of the time
    of the commands.
    """
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from partners.models import User

    connection.ensure_connection()
    if demo_dump.sqlite is not None:
        demo_dump.sqlite.backup(connection.connection)
        ContentType.objects.clear_cache()  # the copy's ids, not those the flush recreated
    elif demo_dump.json.exists():
        call_command("loaddata", str(demo_dump.json), verbosity=0)
    else:
        call_command("load_territory", verbosity=0)
        call_command("load_demo", verbosity=0)
        if _in_memory_sqlite(connection):
            demo_dump.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(demo_dump.sqlite)
        else:
            excluded = [arg for app in DUMP_EXCLUDE for arg in ("--exclude", app)]
            call_command("dumpdata", *excluded, output=str(demo_dump.json), verbosity=0)
    return SimpleNamespace(
        url=live_server.url,
        staff=User.objects.get(email=STAFF_EMAIL),
        partner=User.objects.get(email=PARTNER_EMAIL),
    )


def log_in(page, base_url, email, password=DEMO_PASSWORD):
    """Log in to the partner space through its form, like a partner does."""
    page.goto(base_url + "/espace-partenaire/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/espace-partenaire/$"))


def force_login(context, base_url, user):
    """Give the browser context a logged-in session without going through the form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )
