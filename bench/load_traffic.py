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

from load_http import TIMEOUT, Session, Target
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


UNAVAILABLE_PAGE = "<h1>Service momentanément indisponible</h1>".encode()  # templates/503.html


class Stats:
    """What the clients saw. `events`: one row per request, [seconds since the start, kind,
    status (None: no answer), expected or not, milliseconds, the French 503 page or not], which
    load_report.py cuts by phase of the fault schedule."""

    def __init__(self, started):
        self.started = started  # time.time() of the start, shared with the fault schedule
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.server_errors = defaultdict(int)
        self.conflicts = 0
        # the tokens of the writes by type and outcome, checked against the database
        self.writes = defaultdict(lambda: defaultdict(list))
        self.write_events = []  # [seconds, type, outcome]
        self.events = []
        self.samples = []  # the first few unexpected answers, for the report
        self.count = 0

    def record(self, kind, seconds, status, ok, path, detail="", unavailable=False):
        at = round(time.time() - seconds - self.started, 3)
        with self.lock:
            self.count += 1
            self.latencies[kind].append(seconds * 1000)
            self.events.append([at, kind, status, ok, round(seconds * 1000, 1), unavailable])
            if status == 409 and kind == "write":
                self.conflicts += 1
            elif not ok:
                self.errors[kind] += 1
                if status is not None and status >= 500:
                    self.server_errors[kind] += 1
                if len(self.samples) < 20 and not unavailable:
                    self.samples.append(f"{kind} {path} -> {status} {detail}".strip())

    def wrote(self, what, token, outcome):
        with self.lock:
            self.writes[what][outcome].append(token)
            self.write_events.append([round(time.time() - self.started, 3), what, outcome])


class Stop(Exception):
    pass


class Worker(PartnerSteps, threading.Thread):
    def __init__(self, number, target, plan, stats, done, budget, write_share):
        super().__init__(daemon=True)
        self.number = number
        self.written = 0
        self.random = random.Random(number)
        self.target = target
        self.plan = plan
        self.stats = stats
        self.done = done  # threading.Event: time is up
        self.budget = budget
        self.write_share = write_share
        self.account = PARTNERS[number % len(PARTNERS)]
        self.session = None
        self.editable = []
        self.contributable = []

    # one timed request, recorded
    def timed(self, kind, method, path, expected, fields=None, referer=None, redirect=None,
              answer=False):  # fmt: skip
        """One request, timed and recorded: (status if expected else None, content), or with
        `answer` (status if expected else None, status); `redirect`: where a 302 must lead (a
        write that lands on the login page did not happen)."""
        if self.done.is_set() or self.stats.count >= self.budget:
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
        unavailable = status == 503 and UNAVAILABLE_PAGE in content
        seconds = time.perf_counter() - start
        self.stats.record(kind, seconds, status, ok, path, location, unavailable)
        return (status if ok else None), (status if answer else content)

    def run(self):
        self.anonymous = Session(self.target)
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


def discover(target):
    """The URLs to read: fixed pages plus what the sitemap and the list page link to."""
    session = Session(target)
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


def watch_the_clock(start_at, seconds, stop_file):
    """An Event set once `seconds` have passed since `start_at` and, when a `stop_file` is
    named, once it exists too (the fault schedule may last longer); three times `seconds` at
    most."""
    done = threading.Event()

    def watch():
        while not done.is_set():
            now = time.time()
            over = now >= start_at + seconds and (stop_file is None or stop_file.exists())
            if over or now >= start_at + 3 * seconds:
                done.set()
            time.sleep(0.1)

    threading.Thread(target=watch, daemon=True).start()
    return done


def drive(port, seconds, workers, budget, write_share, start_at=None, stop_file=None):
    """Through nginx on `port`: discover the URLs, wait for `start_at` (time.time()), run the
    worker threads for `seconds` or until `stop_file` exists (at most `budget` requests); the
    result as a dict, its times in seconds from `start_at`."""
    target = Target(port)
    plan, detail_count = discover(target)
    start_at = start_at or time.time()
    time.sleep(max(0.0, start_at - time.time()))
    stats = Stats(start_at)
    done = watch_the_clock(start_at, seconds, stop_file)
    threads = [Worker(n, target, plan, stats, done, budget, write_share) for n in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * seconds + 2 * TIMEOUT)
    elapsed = time.monotonic() - started
    return {
        "rows": summary_rows(stats, elapsed),
        "elapsed": elapsed,
        "conflicts": stats.conflicts,
        "samples": stats.samples,
        "writes": {what: dict(outcomes) for what, outcomes in stats.writes.items()},
        "write_events": stats.write_events,
        "events": stats.events,
        "urls": len({path for _, path in plan}),
        "details": detail_count,
        "alive": sum(thread.is_alive() for thread in threads),
    }
