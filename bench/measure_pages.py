"""Helper of bench/run.py: queries, size and weight of pages, measured inside Django.

Prints one JSON line. With the single argument __sample__, prints URLs to benchmark instead.
"""

import json
import os
import re
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teritoire.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def sample():
    from actions.models import Action
    from programme.models import Axis

    client = Client()
    action = Action.objects.public().filter(axis__phase__number=2).order_by("pk").first()
    axis = Axis.objects.filter(phase__number=2).order_by("number").first()
    html = body_of(client.get("/donnees/")).decode()
    exports = sorted(set(re.findall(r'href="(/[^"]+\.(?:csv|xlsx|json|ics))"', html)))
    css = ASSET.findall(body_of(client.get("/")).decode())
    return {
        "action": action.get_absolute_url(),
        "axis": axis.slug,
        "exports": exports,
        "css": next((c for c in css if c.endswith(".css")), "/static/css/site.css"),
    }


def measure(paths):
    client = Client()
    results = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            body = body_of(response)
        # Counted now: the next request resets the connection's query log.
        query_count = len(queries)
        weight = len(body)
        if "html" in response.get("Content-Type", ""):
            for asset in set(ASSET.findall(body.decode())):
                weight += len(body_of(client.get(asset)))
        results[path] = {
            "status": response.status_code,
            "queries": query_count,
            "html_kb": round(len(body) / 1024, 1),
            "weight_kb": round(weight / 1024, 1),
        }
    results["__memory__"] = {
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    }
    return results


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(sample() if args == ["__sample__"] else measure(args)))
