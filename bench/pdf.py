"""Time of the PDF of a validated annual plan with many actions (issue 14, item 6).

1. creates a PostgreSQL database (or SQLite with --sqlite), migrates, loads the reference data
   and synthetic actions (generate_scale_data: demonstration actions, two funders a year);
2. validates the plan of 2025 at a demonstration COPIL, then changes the status of one action
   in ten, so that the document lists changes too;
3. asks /plans/2025/plan.pdf as a visitor would (page cache off: each request generates the
   document) and prints the seconds (wall clock and CPU), the pages, the size and the queries;
   the same for the fiche PDF of one action, the dossier de séance of the next COPIL (public
   and staff versions) and the relevé de décisions. With --profile, the 25 costliest functions.

Goal: under 20 s for 2,000 actions. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/pdf.py [--actions 2000] [--sqlite] [--profile] [--reuse]
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from server import PG, ROOT, manage, recreate_database

DB_NAME = os.environ.get("BENCH_PDF_DB", "teritoire_bench_pdf")
YEAR = 2025


def bench_env(media_root, sqlite):
    env = os.environ.copy()
    for name in ("DJANGO_DEBUG", "CACHE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    database = f"sqlite:///{media_root}/bench.sqlite3" if sqlite else f"{PG}/{DB_NAME}"
    env.update(
        DATABASE_URL=database,
        DJANGO_SECRET_KEY="throw-away-secret-key-for-measurements-" + "x" * 30,
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
        MEDIA_ROOT=str(media_root),
        PUBLIC_PAGE_CACHE="0",
    )
    return env


def prepare_database(env, actions, sqlite):
    if not sqlite:
        recreate_database(DB_NAME)
    manage("migrate", "--noinput", env=env, quiet=True)
    manage("load_territory", env=env, quiet=True)
    manage("generate_scale_data", f"--actions={actions}", "--yes", env=env, quiet=True)


def validate_plan():
    """The plan of YEAR frozen at a demonstration COPIL, then one action in ten changed."""
    from actions.models import Action, AnnualPlan, Status
    from actions.services import validate_annual_plan
    from programme.models import CopilMeeting, Phase

    if AnnualPlan.objects.filter(year=YEAR).exists():
        return
    phase = Phase.objects.get(number=2)
    meeting = CopilMeeting.objects.create(
        phase=phase,
        date=datetime.date(YEAR, 1, 30),
        place="Amboise",
        status=CopilMeeting.Status.HELD,
        is_demo=True,
    )
    validate_annual_plan(meeting, YEAR)
    changed = list(Action.objects.filter(phase=phase).order_by("pk").values_list("pk", flat=True))
    Action.objects.filter(pk__in=changed[::10]).update(status=Status.BLOCKED)


def timed_get(client, url, profiler):
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        response = client.get(url)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, (url, response.status_code)
    return response.content, seconds, cpu, len(queries)


def report(label, content, seconds, cpu, queries):
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(content)).pages)
    print(
        f"{label}: {seconds:.2f} s ({cpu:.2f} s of CPU), {pages} pages, "
        f"{len(content) / 1024:.0f} KB, {queries} SQL queries"
    )


def measure(profile):
    import django

    django.setup()
    from django.test import Client

    from actions.models import Action, AnnualPlan

    validate_plan()
    plan = AnnualPlan.objects.filter(year=YEAR).latest()
    print(f"plan {YEAR}: {plan.action_count} actions frozen")
    client = Client()
    profiler = cProfile.Profile() if profile else None
    for attempt in ("first", "second"):
        traced = profiler if attempt == "first" else None
        content, seconds, cpu, queries = timed_get(client, f"/plans/{YEAR}/plan.pdf", traced)
        report(f"plan PDF ({attempt})", content, seconds, cpu, queries)
    action = Action.objects.public().order_by("pk").first()
    content, seconds, cpu, queries = timed_get(client, f"/actions/{action.slug}/fiche.pdf", None)
    report("fiche PDF", content, seconds, cpu, queries)
    measure_copil_documents(client)
    if profiler:
        profiler.dump_stats(Path(tempfile.gettempdir()) / "pdf_plan.prof")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def dossier_meeting():
    """The next demonstration COPIL of the phase (30 June of YEAR), with an agenda and an open
    decision of the one that validated the plan: what its dossier de séance summarises."""
    from programme.models import CopilMeeting, Decision

    held = CopilMeeting.objects.get(date=datetime.date(YEAR, 1, 30), is_demo=True)
    meeting, created = CopilMeeting.objects.get_or_create(
        phase=held.phase,
        date=datetime.date(YEAR, 6, 30),
        defaults={"place": "Amboise", "is_demo": True},
    )
    if created:
        meeting.agenda_items.create(order=1, title="Avancement du plan d'actions")
        Decision.objects.create(
            meeting=held, text="Relancer les fiches sans note de suivi", is_demo=True
        )
    return meeting


def measure_copil_documents(client):
    """The dossier de séance (public and staff versions) and the relevé de décisions."""
    from partners.models import User

    meeting = dossier_meeting()
    held = meeting.phase.copil_meetings.get(date=datetime.date(YEAR, 1, 30), is_demo=True)
    for label, url in (
        ("dossier PDF (public)", f"/copil/{meeting.pk}/dossier-de-seance.pdf"),
        ("relevé PDF (public)", f"/copil/{held.pk}/releve-de-decisions.pdf"),
    ):
        report(label, *timed_get(client, url, None))
    staff, _ = User.objects.get_or_create(
        email="bench.pdf@example.org", defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(staff)
    url = f"/pilotage/copil/{meeting.pk}/dossier-de-seance.pdf"
    report("dossier PDF (staff)", *timed_get(client, url, None))
    client.logout()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=2000, help="synthetic actions (2000)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite rather than PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 25")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a past run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as media_root:
        env = bench_env(Path(media_root), args.sqlite)
        if not args.reuse or args.sqlite:
            prepare_database(env, args.actions, args.sqlite)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teritoire.settings")
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        measure(args.profile)


if __name__ == "__main__":
    main()
