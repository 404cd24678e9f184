"""Traffic of the load test (bench/load.py --drive): the URLs to read, the pool of worker threads
that mixes public reading with partner steps, and the latencies and errors they record."""

import http.client
import math
import random
import re
import statistics
import threading
import time
from collections import defaultdict

from load_http import TIMEOUT, Session
from load_partner import PARTNERS, PartnerSteps

KINDS = {
    "page": "pages publiques (HTML)",
    "data": "exports et données ouvertes",
    "partner": "espace partenaire (lecture)",
    "login": "connexion (formulaire réel)",
    "write": "écritures partenaires (POST)",
}
FILTERED = [
    "/actions/?statut=in_progress",
    "/actions/?tri=-budget&annee=2024",
    "/actions/?q=entreprises",
    "/actions/?page=2",
    "/actions/?tri=-avancement",
]
FIXED_PAGES = ["/", "/territoire/", "/actions/", "/copil/", "/actualites/", "/partenaires/",
               "/donnees/"]  # fmt: skip
DATA = [
    "/donnees/actions.csv",
    "/donnees/financements.csv",
    "/donnees/actions.json",
    "/donnees/actions.xlsx",
    "/donnees/copil.ics",
    "/donnees/suivi.rss",
    "/actions/export.csv?statut=in_progress",
    "/actions/export.xlsx?tri=-budget",
]


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


class Worker(PartnerSteps, threading.Thread):
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


def listing_filters(listing):
    """Filtered views of /actions/: fixed ones, one per axis, one per pilot (at most four)."""
    text = listing.decode()
    axes = sorted(set(re.findall(r'<option value="([a-z0-9-]+)"[^>]*>Axe', text)))
    pilots = sorted(set(re.findall(r'name="pilote".*?</select>', text, re.S)))
    pilot_slugs = re.findall(r'value="([a-z0-9-]+)"', pilots[0]) if pilots else []
    filtered = list(FILTERED)
    filtered += [f"/actions/?axe={axis}" for axis in axes]
    filtered += [f"/actions/?pilote={slug}&tri=titre" for slug in pilot_slugs[:4]]
    return filtered


def discover(port):
    """The URLs to read: fixed pages plus what the sitemap and the list page link to."""
    session = Session(port)
    _, _, sitemap = session.get("/sitemap.xml")
    urls = re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", sitemap.decode())
    details = [u for u in urls if u.startswith("/actions/") and u != "/actions/"]
    others = [u for u in urls if not u.startswith("/actions/")]
    _, _, listing = session.get("/actions/")
    pages = [*FIXED_PAGES, *listing_filters(listing), *details, *others]
    plan = [("page", p) for p in dict.fromkeys(pages)] + [("data", p) for p in DATA]
    return plan, len(details)


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary_rows(stats, elapsed):
    """One row per kind of request: count, errors, 5xx, rate and latency percentiles (ms)."""
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
    return rows


def drive(port, seconds, workers, budget, write_share):
    """Run the worker threads for `seconds` (at most `budget` requests); the result as a dict."""
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
    return {
        "rows": summary_rows(stats, elapsed),
        "elapsed": elapsed,
        "conflicts": stats.conflicts,
        "samples": stats.samples,
        "writes": dict(stats.writes),
        "urls": len({path for _, path in plan}),
        "details": detail_count,
        "alive": sum(thread.is_alive() for thread in threads),
    }
