"""Time of the admin's import preview of a large spreadsheet (issue 16, item 13).

1. creates a PostgreSQL database (SQLite with --sqlite), migrates, loads the reference data and
   synthetic actions (four funding lines each: 750 actions give a 3,000-row sheet);
2. exports the whole plan as the staff would (admin export, XLSX); with --change, the summary of
   every action is then edited in the file, so that every action is updated;
3. previews the import of that file through the admin (the request a staff member sends) and
   prints the rows, the seconds (wall clock, and CPU of this process) and the SQL queries; with
   --profile, the 25 costliest functions (the whole profile in the temporary folder);
4. with --confirm, confirms that preview as the staff would (the second POST, which writes through
   `actions.writes`) and prints its time too, then checks what it wrote.

Every row names an existing action: each row reads its action, checks its version and looks up
its funding line. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/import_preview.py [--rows 3000] [--change] [--confirm] [--sqlite]
                                             [--profile] [--reuse]
"""

import argparse
import collections
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from server import PG, ROOT, manage, recreate_database

DB_NAME = os.environ.get("BENCH_IMPORT_DB", "teritoire_bench_import")
SQLITE_PATH = Path(tempfile.gettempdir()) / f"{DB_NAME}.sqlite3"
FUNDINGS_PER_ACTION = 4  # generate_scale_data: two funders, 2024 and 2025
XLSX = "0"  # the admin's index of the XLSX format


def bench_env(media_root, sqlite):
    env = os.environ.copy()
    env.pop("DJANGO_DEBUG", None)
    env.pop("CACHE_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{SQLITE_PATH}" if sqlite else f"{PG}/{DB_NAME}",
        DJANGO_SECRET_KEY="throw-away-secret-key-for-measurements-" + "x" * 30,
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
        MEDIA_ROOT=str(media_root),
        PUBLIC_PAGE_CACHE="0",
    )
    return env


def prepare_database(env, rows, sqlite):
    if sqlite:
        SQLITE_PATH.unlink(missing_ok=True)
    else:
        recreate_database(DB_NAME)
    manage("migrate", "--noinput", env=env, quiet=True)
    manage("load_territory", env=env, quiet=True)
    actions = -(-rows // FUNDINGS_PER_ACTION)
    manage("generate_scale_data", f"--actions={actions}", "--yes", env=env, quiet=True)


def staff_client():
    from django.test import Client

    from partners.models import User

    user, _ = User.objects.get_or_create(
        email="bench-import@example.org", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def exported_plan(client, change):
    """The admin's XLSX export of the whole plan; with `change`, every summary edited."""
    import openpyxl
    from django.urls import reverse

    export = client.post(reverse("admin:actions_action_export"), {"format": XLSX, "resource": "0"})
    assert export.status_code == 200, export.status_code
    if not change:
        return export.content
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    sheet = book.active
    column = [cell.value for cell in sheet[1]].index("Résumé") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.value = f"{cell.value or ''} (modifié)"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed_post(client, url, data, profiler):
    """POST `data` to `url`; (response, wall seconds, CPU seconds, queries)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        response = client.post(url, data)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return response, seconds, cpu, queries


def preview(client, content, profiler):
    """POST the file to the admin's import, as the staff's first step."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile("plan.xlsx", content)
    data = {"resource": "0", "format": XLSX, "import_file": upload}
    return timed_post(client, reverse("admin:actions_action_import"), data, profiler)


def confirm(client, response, profiler):
    """POST the preview's confirmation form, as the staff's second step."""
    from django.urls import reverse

    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return timed_post(client, reverse("admin:actions_action_process_import"), data, profiler)


def report(step, seconds, cpu, queries):
    savepoints = sum(sql.startswith(("SAVEPOINT", "RELEASE")) for sql in queries)
    print(f"{step}: {seconds:.2f} s ({cpu:.2f} s of CPU in this process)")
    print(f"  SQL: {len(queries)} statements, {savepoints} of them savepoints")


def print_profile(profiler, name):
    profiler.dump_stats(Path(tempfile.gettempdir()) / name)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def measure(change, profile, confirmation):
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the response keeps its template context
    client = staff_client()
    content = exported_plan(client, change)
    profiler = cProfile.Profile() if profile else None
    response, seconds, cpu, queries = preview(client, content, profiler)
    result = response.context["result"] if response.context else None
    assert result is not None and "confirm_form" in response.context, response.status_code
    assert not result.has_errors() and not result.has_validation_errors(), "preview refused"
    kinds = collections.Counter(row.import_type for row in result.rows)
    print(f"rows: {len(result.rows)} ({dict(kinds)}), file of {len(content) / 1024:.0f} KB")
    report("preview", seconds, cpu, queries)
    if profiler:
        print_profile(profiler, "import_preview.prof")
    if not confirmation:
        return
    profiler = cProfile.Profile() if profile else None
    response, seconds, cpu, queries = confirm(client, response, profiler)
    assert response.status_code == 302, response.status_code  # to the list, with its message
    report("confirmation", seconds, cpu, queries)
    if profiler:
        print_profile(profiler, "import_confirm.prof")
    from actions.models import Action

    edited = Action.objects.filter(summary__endswith="(modifié)").count()
    print(f"  actions whose summary the file edited, after the confirmation: {edited}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3000, help="rows of the sheet (3000)")
    parser.add_argument("--change", action="store_true", help="every action's summary edited")
    parser.add_argument("--confirm", action="store_true", help="confirm the preview and time it")
    parser.add_argument("--sqlite", action="store_true", help="SQLite rather than PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 25")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a past run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as media_root:
        env = bench_env(Path(media_root), args.sqlite)
        if not args.reuse:
            prepare_database(env, args.rows, args.sqlite)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teritoire.settings")
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        measure(args.change, args.profile, args.confirm)


if __name__ == "__main__":
    main()
