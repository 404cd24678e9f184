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

The pieces: load_http.py (requests, browser-like session, forms), load_traffic.py (the traffic
mix and its threads), load_partner.py (partner steps and the check of their writes in the
database), load_report.py (table, server log, docs/load.md).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from load_http import HOST
from load_partner import check_writes, written_rows
from load_report import format_report, server_errors, table, write_report
from load_traffic import drive
from server import PG, PYTHON, ROOT, manage, production_env, recreate_database, start_gunicorn, stop

DB_NAME = os.environ.get("LOAD_DB", "teritoire_load")


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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=8, help="threads of the driver")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--write-share", type=float, default=0.25,
                        help="share of the steps that are partner steps")  # fmt: skip
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8766")))
    parser.add_argument("--no-write", action="store_true", help="ne pas écrire docs/load.md")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def load_data():
    """Migrations, reference and demonstration data, with the loaders' settings."""
    loaders = load_env()
    manage("migrate", "--noinput", "-v0", env=loaders, quiet=True)
    manage("load_territory", env=loaders, quiet=True)
    manage("load_demo", env=loaders, quiet=True)


def run_driver(args):
    """This script with `--drive`, in a second process; its result (the last line, JSON)."""
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
    return json.loads(driver.stdout.strip().splitlines()[-1])


def serve_and_drive(args, log_path):
    """Load the data, serve it with gunicorn (log in `log_path`) and drive the load; then stop
    gunicorn and drop the database. Returns the driver's result, the rows the writes added to
    the database (by type) and the number of gunicorn workers."""
    process = None
    try:
        load_data()
        server = serve_env(args.port)
        manage("collectstatic", "--noinput", "-v0", env=server, quiet=True)
        with open(log_path, "wb") as log:
            process = start_gunicorn(server, args.port, log)
            before = written_rows(DB_NAME)
            print(f"gunicorn (réglages de production) sur http://{HOST}:{args.port}/ ; "
                  f"{args.workers} clients pendant {args.seconds} s…", flush=True)  # fmt: skip
            result = run_driver(args)
            stop(process)
            after = written_rows(DB_NAME)
            stored = {what: after[what] - before[what] for what in after}
            gunicorn_workers = server.get("GUNICORN_WORKERS", str(os.cpu_count() * 2 + 1))
    finally:
        if process is not None:
            stop(process)
        recreate_database(DB_NAME, create=False)
    return result, stored, gunicorn_workers


def main():
    args = parse_args()
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
    result, stored, gunicorn_workers = serve_and_drive(args, log_path)
    errors_in_log = server_errors(log_path)
    accepted, lost = check_writes(result["writes"], stored)

    rows, total = table(result)
    report = format_report(
        result, rows, clients=args.workers, write_share=args.write_share,
        gunicorn_workers=gunicorn_workers, log_errors=errors_in_log, checked=(accepted, lost),
    )  # fmt: skip
    print("\n" + report)
    for line in errors_in_log[:20]:
        print("journal :", line)
    if not args.no_write:
        write_report(report)
    if total["errors"] or total["5xx"] or errors_in_log or result["alive"] or lost:
        print(f"Journal du serveur conservé : {log_path}")
        sys.exit(1)
    shutil.rmtree(log_dir)


if __name__ == "__main__":
    main()
