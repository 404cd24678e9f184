"""Load test of the portal (`make load`): public reading and partner updates at the same time.

1. creates a fresh PostgreSQL database, migrates, collects the static files, loads the reference
   and demonstration data (the loaders run with development settings: `load_demo` refuses
   production ones);
2. starts gunicorn with the production settings (`-c gunicorn.conf.py`) on 127.0.0.1;
3. from a second process (this script run with `--drive`), a bounded pool of threads reads the
   public pages, data files and exports, while partners log in through the real login form
   (CSRF included) and post progress notes, measurements and edits of their fiches (with the
   version field, so a concurrent save answers the 409 conflict page) — for a fixed duration and
   at most a fixed number of requests;
4. prints requests, errors, 5xx and latency percentiles per kind, scans the server log for
   errors, writes docs/load.md, stops gunicorn and drops the database.

Only 127.0.0.1 is ever contacted. Exit status 1 if there was any error or 5xx.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

from server import PG, PYTHON, ROOT, manage, production_env, recreate_database, start_gunicorn, stop

HOST = "127.0.0.1"
DB_NAME = os.environ.get("LOAD_DB", "teritoire_load")
DEMO_PASSWORD = "demo-Touraine-2024"  # published by load_demo (actions/demo.py)
PARTNERS = [  # the demo accounts that may write (editors of their organisation)
    "partenaire.ccvalamboise@demo.grand-est-touraine.fr",
    "partenaire.aicr@demo.grand-est-touraine.fr",
]
READER = "lecteur.region@demo.grand-est-touraine.fr"
TIMEOUT = 15  # seconds, per request
KINDS = {
    "page": "pages publiques (HTML)",
    "data": "exports et données ouvertes",
    "partner": "espace partenaire (lecture)",
    "login": "connexion (formulaire réel)",
    "write": "écritures partenaires (POST)",
}


# --------------------------------------------------------------------------- orchestration


def load_env():
    """Loaders: development settings (load_demo refuses production), same database."""
    env = os.environ.copy()
    for name in ("DJANGO_ENV", "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"{PG}/{DB_NAME}",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="load-test-only-secret-key-" + "x" * 40,
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
    )
    return env


def serve_env(port):
    workers = os.environ.get("LOAD_GUNICORN_WORKERS")
    return production_env(DB_NAME, port, **({"GUNICORN_WORKERS": workers} if workers else {}))


def written_rows():
    """What the load's writes leave in the database, to check against the accepted answers."""
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        return {
            "note": conn.execute(
                "SELECT count(*) FROM actions_progressupdate WHERE text LIKE %s",
                ["%(test de charge).%"],
            ).fetchone()[0],
            "measure": conn.execute(
                "SELECT count(*) FROM actions_measurement WHERE comment = %s",
                ["Relevé (test de charge)"],
            ).fetchone()[0],
            "edit": conn.execute("SELECT sum(version) FROM actions_action").fetchone()[0],
        }


def server_errors(log_path):
    """Lines of the server log that report an error (JSON logging in production)."""
    errors = []
    for line in Path(log_path).read_text(errors="replace").splitlines():
        if '"ERROR"' in line or '"CRITICAL"' in line or "Traceback" in line or "[ERROR]" in line:
            errors.append(line[:300])
    return errors


# --------------------------------------------------------------------------- HTTP


def request(port, method, path, body=None, headers=None):
    """One request on a new connection (gunicorn's sync workers close it after each response)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response, content
    finally:
        connection.close()


class FormParser(HTMLParser):
    """The fields of the first form with a CSRF token: inputs, selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self.options = defaultdict(list)
        self._select = None
        self._textarea = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "file"):
                self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self.options[self._select].append(value)
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def parse_form(content):
    parser = FormParser()
    parser.feed(content.decode("utf-8"))
    return parser


class Session:
    """A browser-like visitor: cookies (the Secure flag ignored: the TLS proxy is left out),
    CSRF token, Origin and Referer headers."""

    def __init__(self, port):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.cookies = {}

    def _headers(self, extra=None):
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "teritoire-load/1.0"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path):
        status, response, content = request(self.port, "GET", path, headers=self._headers())
        self._keep_cookies(response)
        return status, response, content

    def post(self, path, fields, referer):
        body = urllib.parse.urlencode(fields, doseq=True).encode("utf-8")
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
            }
        )
        status, response, content = request(self.port, "POST", path, body=body, headers=headers)
        self._keep_cookies(response)
        return status, response, content


# --------------------------------------------------------------------------- the driver


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.server_errors = defaultdict(int)
        self.conflicts = 0
        self.writes = defaultdict(int)  # accepted writes by type, checked against the database
        self.samples = []  # the first few unexpected answers, for the report
        self.count = 0

    def record(self, kind, seconds, status, ok, path, detail=""):
        with self.lock:
            self.count += 1
            self.latencies[kind].append(seconds * 1000)
            if status == 409 and kind == "write":
                self.conflicts += 1
            elif not ok:
                self.errors[kind] += 1
                if status is not None and status >= 500:
                    self.server_errors[kind] += 1
                if len(self.samples) < 20:
                    self.samples.append(f"{kind} {path} -> {status} {detail}".strip())

    def wrote(self, what):
        with self.lock:
            self.writes[what] += 1


class Stop(Exception):
    pass


class Worker(threading.Thread):
    def __init__(self, number, port, plan, stats, deadline, budget, write_share):
        super().__init__(daemon=True)
        self.random = random.Random(number)
        self.port = port
        self.plan = plan
        self.stats = stats
        self.deadline = deadline
        self.budget = budget
        self.write_share = write_share
        self.account = PARTNERS[number % len(PARTNERS)]
        self.session = None
        self.editable = []
        self.contributable = []

    # one timed request, recorded
    def timed(self, kind, method, path, expected, fields=None, referer=None, redirect=None):
        """One request, timed and recorded; `redirect`: where a 302 must lead (a write that
        lands on the login page did not happen)."""
        if time.monotonic() >= self.deadline or self.stats.count >= self.budget:
            raise Stop
        session = self.session if kind != "page" and kind != "data" else self.anonymous
        start = time.perf_counter()
        status, content, location = None, b"", ""
        try:
            if method == "GET":
                status, response, content = session.get(path)
            else:
                status, response, content = session.post(path, fields, referer)
            location = response.getheader("Location", "")
        except (OSError, http.client.HTTPException) as error:
            location = repr(error)
        ok = status in expected
        if ok and status == 302 and redirect and not location.startswith(redirect):
            ok = False
        self.stats.record(kind, time.perf_counter() - start, status, ok, path, location)
        return (status if ok else None), content

    def run(self):
        self.anonymous = Session(self.port)
        while True:
            try:
                if self.random.random() < self.write_share:
                    self.partner_step()
                else:
                    kind, path = self.random.choice(self.plan)
                    self.timed(kind, "GET", path, {200})
            except Stop:
                return
            except Exception as error:  # a page the client cannot read: count it, go on
                self.stats.record("partner", 0.0, None, False, "client", repr(error))
                self.session = None

    # partner space -------------------------------------------------------------------------

    def login(self):
        self.session = Session(self.port)
        path = "/espace-partenaire/connexion/"
        status, content = self.timed("login", "GET", path, {200})
        if status != 200:
            return False
        form = parse_form(content)
        fields = {
            "csrfmiddlewaretoken": form.fields.get("csrfmiddlewaretoken", ""),
            "username": self.account,
            "password": DEMO_PASSWORD,
            "next": "",
        }
        status, _ = self.timed(
            "login", "POST", path, {302}, fields, referer=path, redirect="/espace-partenaire/"
        )
        if status != 302:
            return False
        status, content = self.timed("partner", "GET", "/espace-partenaire/", {200})
        text = content.decode("utf-8", "replace")
        self.editable = sorted(set(re.findall(r"/espace-partenaire/actions/(\d+)/modifier/", text)))
        self.contributable = sorted(set(re.findall(r"/espace-partenaire/actions/(\d+)/", text)))
        return bool(self.contributable)

    def partner_step(self):
        if self.session is None and not self.login():
            self.session = None
            return
        step = self.random.choices(["note", "edit", "measure", "read"], [3, 3, 2, 2])[0]
        if step == "edit" and self.editable:
            self.edit(self.random.choice(self.editable))
        elif step == "measure":
            self.measure(self.random.choice(self.contributable))
        elif step == "note":
            self.note(self.random.choice(self.contributable))
        else:
            pk = self.random.choice(self.contributable)
            self.timed("partner", "GET", f"/espace-partenaire/actions/{pk}/", {200})

    def _form(self, path):
        status, content = self.timed("partner", "GET", path, {200})
        return parse_form(content) if status == 200 else None

    def note(self, pk):
        path = f"/espace-partenaire/actions/{pk}/notes/ajouter/"
        form = self._form(path)
        if form is None:
            return
        fields = {
            "csrfmiddlewaretoken": form.fields["csrfmiddlewaretoken"],
            "date": datetime.date.today().isoformat(),
            "text": f"Point d'étape n° {self.random.randrange(10**6)} (test de charge).",
        }
        self.post_write("note", pk, path, fields)

    def measure(self, pk):
        path = f"/espace-partenaire/actions/{pk}/mesures/ajouter/"
        form = self._form(path)
        indicators = [value for value in form.options.get("indicator", []) if value] if form else []
        if not indicators:
            return
        fields = {
            "csrfmiddlewaretoken": form.fields["csrfmiddlewaretoken"],
            "indicator": self.random.choice(indicators),
            "date": datetime.date.today().isoformat(),
            "value": str(self.random.randrange(0, 500)),
            "comment": "Relevé (test de charge)",
        }
        self.post_write("measure", pk, path, fields)

    def edit(self, pk):
        path = f"/espace-partenaire/actions/{pk}/modifier/"
        form = self._form(path)
        if form is None:
            return
        fields = dict(form.fields)  # the current values, the CSRF token and the version
        fields["progress"] = str(self.random.randrange(0, 101))
        self.post_write("edit", pk, path, fields)

    def post_write(self, what, pk, path, fields):
        """POST a form; success is the redirect to the action's page of the partner space."""
        status, _ = self.timed(
            "write", "POST", path, {302}, fields, referer=path,
            redirect=f"/espace-partenaire/actions/{pk}/",
        )  # fmt: skip
        if status == 302:
            self.stats.wrote(what)


def discover(port):
    """The URLs to read: fixed pages plus what the sitemap and the list page link to."""
    session = Session(port)
    _, _, sitemap = session.get("/sitemap.xml")
    urls = re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", sitemap.decode())
    details = [u for u in urls if u.startswith("/actions/") and u != "/actions/"]
    others = [u for u in urls if not u.startswith("/actions/")]
    _, _, listing = session.get("/actions/")
    text = listing.decode()
    axes = sorted(set(re.findall(r'<option value="([a-z0-9-]+)"[^>]*>Axe', text)))
    pilots = sorted(set(re.findall(r'name="pilote".*?</select>', text, re.S)))
    pilot_slugs = re.findall(r'value="([a-z0-9-]+)"', pilots[0]) if pilots else []
    filtered = [
        "/actions/?statut=in_progress",
        "/actions/?tri=-budget&annee=2024",
        "/actions/?q=entreprises",
        "/actions/?page=2",
        "/actions/?tri=-avancement",
    ]
    filtered += [f"/actions/?axe={axis}" for axis in axes]
    filtered += [f"/actions/?pilote={slug}&tri=titre" for slug in pilot_slugs[:4]]
    pages = ["/", "/territoire/", "/actions/", "/copil/", "/actualites/", "/partenaires/",
             "/donnees/", *filtered, *details, *others]  # fmt: skip
    data = [
        "/donnees/actions.csv",
        "/donnees/financements.csv",
        "/donnees/actions.json",
        "/donnees/actions.xlsx",
        "/donnees/copil.ics",
        "/donnees/suivi.rss",
        "/actions/export.csv?statut=in_progress",
        "/actions/export.xlsx?tri=-budget",
    ]
    plan = [("page", p) for p in dict.fromkeys(pages)] + [("data", p) for p in data]
    return plan, len(details)


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def drive(port, seconds, workers, budget, write_share):
    plan, detail_count = discover(port)
    stats = Stats()
    deadline = time.monotonic() + seconds
    threads = [Worker(n, port, plan, stats, deadline, budget, write_share) for n in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 2 * TIMEOUT)
    elapsed = time.monotonic() - started
    rows = []
    for kind in KINDS:
        values = stats.latencies.get(kind, [])
        rows.append(
            {
                "kind": kind,
                "requests": len(values),
                "errors": stats.errors.get(kind, 0),
                "5xx": stats.server_errors.get(kind, 0),
                "rps": len(values) / elapsed,
                "p50": percentile(values, 0.50),
                "p90": percentile(values, 0.90),
                "p99": percentile(values, 0.99),
                "max": max(values, default=0.0),
                "mean": statistics.fmean(values) if values else 0.0,
            }
        )
    return {
        "rows": rows,
        "elapsed": elapsed,
        "conflicts": stats.conflicts,
        "samples": stats.samples,
        "writes": dict(stats.writes),
        "urls": len({path for _, path in plan}),
        "details": detail_count,
        "alive": sum(thread.is_alive() for thread in threads),
    }


# --------------------------------------------------------------------------- report


def table(result):
    lines = [
        "| type de requête | requêtes | req/s | erreurs | 5xx | p50 (ms) | p90 (ms) | p99 (ms) "
        "| max (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = {"requests": 0, "errors": 0, "5xx": 0}
    for row in result["rows"]:
        for key in total:
            total[key] += row[key]
        lines.append(
            f"| {KINDS[row['kind']]} (`{row['kind']}`) | {row['requests']} | {row['rps']:.1f} "
            f"| {row['errors']} | {row['5xx']} | {row['p50']:.0f} | {row['p90']:.0f} "
            f"| {row['p99']:.0f} | {row['max']:.0f} |"
        )
    lines.append(
        f"| **total** | **{total['requests']}** | "
        f"**{total['requests'] / result['elapsed']:.1f}** | **{total['errors']}** "
        f"| **{total['5xx']}** | | | | |"
    )
    return "\n".join(lines), total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=8, help="threads of the driver")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--write-share", type=float, default=0.25,
                        help="share of the steps that are partner steps")  # fmt: skip
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8766")))
    parser.add_argument("--no-write", action="store_true", help="ne pas écrire docs/load.md")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.drive:  # the second process: drive, print the result as JSON
        result = drive(args.port, args.seconds, args.workers, args.max_requests, args.write_share)
        print(json.dumps(result))
        return

    print(
        f"Base PostgreSQL neuve « {DB_NAME} », migrations et données de démonstration…", flush=True
    )
    recreate_database(DB_NAME)
    log_dir = Path(tempfile.mkdtemp(prefix="teritoire-load-"))
    log_path = log_dir / "gunicorn.log"
    process = None
    try:
        loaders = load_env()
        manage("migrate", "--noinput", "-v0", env=loaders, quiet=True)
        manage("load_territory", env=loaders, quiet=True)
        manage("load_demo", env=loaders, quiet=True)
        server = serve_env(args.port)
        manage("collectstatic", "--noinput", "-v0", env=server, quiet=True)
        with open(log_path, "wb") as log:
            process = start_gunicorn(server, args.port, log)
            before = written_rows()
            print(f"gunicorn (réglages de production) sur http://{HOST}:{args.port}/ ; "
                  f"{args.workers} clients pendant {args.seconds} s…", flush=True)  # fmt: skip
            driver = subprocess.run(
                [PYTHON, __file__, "--drive", "--port", str(args.port),
                 "--seconds", str(args.seconds), "--workers", str(args.workers),
                 "--max-requests", str(args.max_requests),
                 "--write-share", str(args.write_share)],
                cwd=ROOT, capture_output=True, text=True,
                timeout=args.seconds + 120,
            )  # fmt: skip
            if driver.returncode != 0:
                print(driver.stderr, file=sys.stderr)
                raise SystemExit("le client de charge a échoué")
            result = json.loads(driver.stdout.strip().splitlines()[-1])
            stop(process)
            after = written_rows()
            stored = {what: after[what] - before[what] for what in after}
            gunicorn_workers = server.get("GUNICORN_WORKERS", str(os.cpu_count() * 2 + 1))
    finally:
        if process is not None:
            stop(process)
        recreate_database(DB_NAME, create=False)
    errors_in_log = server_errors(log_path)
    accepted = {what: result["writes"].get(what, 0) for what in stored}
    lost = {
        what: (accepted[what], stored[what]) for what in stored if accepted[what] != stored[what]
    }

    rows, total = table(result)
    today = datetime.date.today().isoformat()
    report = (
        f"## Résultats du {today}\n\n"
        f"{os.cpu_count()} cœurs ; PostgreSQL local ; gunicorn avec `gunicorn.conf.py` "
        f"({gunicorn_workers} processus, réglages de production) ; données de démonstration "
        f"({result['details']} fiches publiques) ; {args.workers} clients simultanés pendant "
        f"{result['elapsed']:.0f} s, sur {result['urls']} adresses publiques ; "
        f"{args.write_share:.0%} des étapes sont des étapes de partenaire (connexion, formulaire, "
        f"envoi).\n\n{rows}\n\n"
        f"- Conflits de version (page 409 « La fiche a été modifiée pendant votre saisie », "
        f"réponse attendue quand deux partenaires enregistrent la même fiche) : "
        f"{result['conflicts']}.\n"
        f"- Erreurs dans le journal du serveur : {len(errors_in_log)}.\n"
        f"- Écritures acceptées (redirection vers la fiche) et retrouvées dans la base : "
        f"{accepted['note']} notes de suivi, {accepted['measure']} mesures, "
        f"{accepted['edit']} modifications de fiche (version + 1 chacune) ; "
        + ("aucune perdue ni doublée.\n" if not lost else f"**écarts : {lost}**.\n")
    )
    if result["samples"]:
        report += "- Réponses inattendues (extrait) : " + "; ".join(result["samples"]) + "\n"
    print("\n" + report)
    for line in errors_in_log[:20]:
        print("journal :", line)
    if not args.no_write:
        doc = ROOT / "docs" / "load.md"
        head = doc.read_text().split("## Résultats")[0] if doc.exists() else "# Test de charge\n\n"
        doc.write_text(head.rstrip() + "\n\n" + report)
    if total["errors"] or total["5xx"] or errors_in_log or result["alive"] or lost:
        print(f"Journal du serveur conservé : {log_path}")
        sys.exit(1)
    shutil.rmtree(log_dir)


if __name__ == "__main__":
    main()
