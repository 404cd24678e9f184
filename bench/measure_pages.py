"""Helper of bench/run.py, run inside Django with the benchmark's settings. Prints one JSON line.

- `__sample__`: the URLs to benchmark (an action, an axis, the exports, the stylesheet) and, for
  the logged-in pages, a partner editor of that action's pilot and a staff member with a session
  cookie each (users created once, marked `bench-…@example.org`).
- `__profile__ <cookie-json> <path>…`: per path, the median of 15 requests rendered afresh (after
  3 warm-up requests) of the server time (Django test client, middleware included), the SQL time and
  query count, the template time (outermost `Template.render`, which includes the queries a template
  runs itself), and the HTML size and page weight (HTML plus the CSS, JS and images it links).
"""

import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teritoire.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import base as template_base  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
RUNS, WARM_UP = 15, 3


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def session_cookie(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def logged_in_pages(action):
    """The partner's and the staff's pages, each with the cookie of a session that may see it."""
    from partners.models import Membership, User

    partner, _ = User.objects.get_or_create(email="bench-partner@example.org")
    Membership.objects.get_or_create(
        user=partner, organisation=action.pilot, defaults={"role": Membership.Role.EDITOR}
    )
    staff, _ = User.objects.get_or_create(
        email="bench-staff@example.org", defaults={"is_staff": True, "is_superuser": True}
    )
    partner_cookie, staff_cookie = session_cookie(partner), session_cookie(staff)
    return {
        "/espace-partenaire/": partner_cookie,
        f"/espace-partenaire/actions/{action.pk}/": partner_cookie,
        f"/espace-partenaire/actions/{action.pk}/modifier/": partner_cookie,
        "/pilotage/": staff_cookie,
        "/admin/actions/action/": staff_cookie,
    }


def sample():
    from actions.models import Action
    from programme.models import Axis

    client = Client()
    action = (
        Action.objects.public()
        .filter(axis__phase__number=2, pilot__isnull=False)
        .select_related("pilot")
        .order_by("pk")
        .first()
    )
    axis = Axis.objects.filter(phase__number=2).order_by("number").first()
    html = body_of(client.get("/donnees/")).decode()
    exports = sorted(set(re.findall(r'href="(/[^"]+\.(?:csv|xlsx|json|ics))"', html)))
    css = ASSET.findall(body_of(client.get("/")).decode())
    return {
        "action": action.get_absolute_url(),
        "axis": axis.slug,
        "exports": exports,
        "css": next((c for c in css if c.endswith(".css")), "/static/css/site.css"),
        "logged_in": logged_in_pages(action),
    }


class TemplateClock:
    """Time spent in the outermost Template.render of each request."""

    def __init__(self):
        self.depth, self.seconds = 0, 0.0
        render = template_base.Template.render
        clock = self

        def timed(template, context):
            if clock.depth:
                return render(template, context)
            clock.depth += 1
            start = time.perf_counter()
            try:
                return render(template, context)
            finally:
                clock.seconds += time.perf_counter() - start
                clock.depth -= 1

        template_base.Template.render = timed


def weight_of(client, response, body):
    weight = len(body)
    if "html" in response.get("Content-Type", ""):
        for asset in set(ASSET.findall(body.decode())):
            weight += len(body_of(client.get(asset)))
    return weight


def profile_one(path, cookie, clock):
    client = Client()
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    server, sql, templates = [], [], []
    for run in range(WARM_UP + RUNS):
        clock.seconds = 0.0
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            body = body_of(response)
            elapsed = time.perf_counter() - start
        if run >= WARM_UP:
            server.append(elapsed * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            templates.append(clock.seconds * 1000)
    return {
        "status": response.status_code,
        "queries": len(queries),
        "server_ms": round(statistics.median(server), 1),
        "sql_ms": round(statistics.median(sql), 1),
        "template_ms": round(statistics.median(templates), 1),
        "html_kb": round(len(body) / 1024, 1),
        "weight_kb": round(weight_of(client, response, body) / 1024, 1),
    }


def profile(cookies, paths):
    clock = TemplateClock()
    results = {path: profile_one(path, cookies.get(path), clock) for path in paths}
    results["__memory__"] = {
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    }
    return results


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["__sample__"]:
        print(json.dumps(sample()))
    else:
        print(json.dumps(profile(json.loads(args[1]), args[2:])))
