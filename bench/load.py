"""Load test of the portal with faults (`make load`): two app servers behind nginx, public reading
and partner writing at the same time, while services fail one after the other.

1. starts the services, each the test's own, on 127.0.0.1: a PostgreSQL cluster (created on
   first use with pg_createcluster, port 5440) with a fresh database, a Redis (port 6390, nothing
   saved), an SMTP sink; migrates, loads the reference and demonstration data (the loaders run
   with development settings: `load_demo` refuses production ones), collects the static files;
2. starts two gunicorn instances (`-c gunicorn.conf.py`, production settings: SITE_URL,
   DJANGO_ALLOWED_HOSTS, CACHE_URL on Redis database 5, AXES_PROXY_COUNT=1, one MEDIA_ROOT) and
   nginx in front of them with deploy/nginx.conf (TLS, static files, failover);
3. from a second process (this script run with `--drive`), a bounded pool of threads reads the
   public pages, data files and exports, while partners log in through the real login form
   (CSRF included) and post progress notes, measurements and edits of their fiches, each with a
   token of its own — for a fixed duration and at most a fixed number of requests;
4. meanwhile (load_faults.py): one gunicorn killed and restarted, Redis stopped and restarted,
   PostgreSQL stopped and restarted, the SMTP server stopped and restarted;
5. checks that every write the portal accepted is in the database once, that sessions and cache
   are shared by both instances and that the login throttling sees the real address behind
   nginx; prints the results per phase and per kind of request, the goals met or missed, the
   errors of the server logs, writes docs/load.md; stops everything and drops the database.

Only 127.0.0.1 (and 127.0.0.2, the attacker of the throttling check) is ever contacted. Exit
status 1 if a goal is missed.

The pieces: load_http.py (requests, sessions, forms), load_traffic.py (the traffic mix and its
threads), load_partner.py (partner steps, check of the writes), load_services.py (the services),
load_faults.py (the schedule), load_checks.py (after the load), load_report.py (the report).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from load_checks import check_login_throttling, check_shared_state
from load_faults import FaultLog, inject_faults
from load_partner import check_writes, stored_tokens, writes_ok
from load_report import (
    format_report,
    french_spaces,
    goals,
    log_errors,
    nginx_summary,
    phase_rows,
    write_report,
    writes_summary,
)
from load_services import Gunicorn, Nginx, PostgresCluster, RedisServer, SmtpSink
from load_traffic import drive
from server import PYTHON, ROOT, manage, production_env, recreate_database

DB_NAME = os.environ.get("LOAD_DB", "teritoire_load")
WARM_UP = 8  # seconds for the driver to discover the URLs before the clock starts


@dataclass
class Services:
    postgres: PostgresCluster
    redis: RedisServer
    smtp: SmtpSink
    apps: list
    nginx: Nginx


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=8, help="threads of the driver")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--write-share", type=float, default=0.25,
                        help="share of the steps that are partner steps")  # fmt: skip
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8766")),
                        help="nginx (HTTPS); the app servers on the next two ports")  # fmt: skip
    parser.add_argument("--no-faults", action="store_true", help="sans panne")
    parser.add_argument("--no-write", action="store_true", help="ne pas écrire docs/load.md")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def load_env(pg_url):
    """Loaders: development settings (load_demo refuses production), same database."""
    env = os.environ.copy()
    for name in ("DJANGO_ENV", "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_SSL_REDIRECT", "CACHE_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"{pg_url}/{DB_NAME}",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="load-test-only-secret-key-" + "x" * 40,
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
    )
    return env


def serve_env(args, services, media_root):
    """The production settings both app servers share."""
    workers = os.environ.get("LOAD_GUNICORN_WORKERS", "3")
    return production_env(
        DB_NAME, args.port, pg=services.postgres.url,
        SITE_URL=f"https://127.0.0.1:{args.port}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="1",
        CACHE_URL=f"redis://127.0.0.1:{services.redis.port}/5",
        AXES_PROXY_COUNT="1",
        MEDIA_ROOT=str(media_root),
        EMAIL_URL=f"smtp://127.0.0.1:{services.smtp.port}",
        GUNICORN_WORKERS=workers,
    )  # fmt: skip


def start_services(args, services, workdir):
    """Everything up, data loaded; the caller stops what started (stop_services)."""
    services.postgres.ensure()
    recreate_database(DB_NAME, pg=services.postgres.url)
    services.redis.start()
    services.smtp.start()
    loaders = load_env(services.postgres.url)
    manage("migrate", "--noinput", "-v0", env=loaders, quiet=True)
    manage("load_territory", env=loaders, quiet=True)
    manage("load_demo", env=loaders, quiet=True)
    env = serve_env(args, services, workdir / "media")
    manage("collectstatic", "--noinput", "-v0", env=env, quiet=True)
    for number, port in enumerate(services.nginx.upstream_ports, start=1):
        services.apps.append(Gunicorn(env, port, workdir / f"gunicorn-{number}.log"))
        services.apps[-1].start()
    services.nginx.configure(ROOT / "staticfiles")
    services.nginx.start()
    return env


def stop_services(services):
    for stop in [services.nginx.stop, *(app.stop for app in services.apps),
                 services.redis.stop, services.smtp.stop]:  # fmt: skip
        stop()
    try:
        services.postgres.start()  # in case a fault left it down
        recreate_database(DB_NAME, create=False, pg=services.postgres.url)
    finally:
        services.postgres.stop()


def run_load(args, services, workdir):
    """The driver in a second process, the faults in this one; (driver's result, FaultLog)."""
    started = time.time() + WARM_UP
    out, stop_file = workdir / "driver.json", workdir / "stop"
    driver = subprocess.Popen(
        [PYTHON, __file__, "--drive", "--port", str(args.port),
         "--seconds", str(args.seconds), "--workers", str(args.workers),
         "--max-requests", str(args.max_requests), "--write-share", str(args.write_share),
         "--start-at", str(started), "--out", str(out), "--stop-file", str(stop_file)],
        cwd=ROOT,
    )  # fmt: skip
    try:
        if args.no_faults:
            faults = FaultLog(started)
            faults.begin("normal")
        else:
            faults = inject_faults(services, started, args.seconds)
        stop_file.touch()  # the clients stop once `seconds` have passed, the faults over
        status = driver.wait(timeout=3 * args.seconds + WARM_UP + 120)
    finally:
        if driver.poll() is None:
            driver.kill()
    if status != 0:
        raise SystemExit("le client de charge a échoué")
    return json.loads(out.read_text()), faults


def main():
    args = parse_args()
    if args.drive:  # the second process: drive, write the result as JSON
        result = drive(args.port, args.seconds, args.workers, args.max_requests,
                       args.write_share, args.start_at, args.stop_file)  # fmt: skip
        Path(args.out).write_text(json.dumps(result))
        return
    workdir = Path(tempfile.mkdtemp(prefix="teritoire-load-"))
    print(f"Services du test (PostgreSQL, Redis, SMTP, 2 × gunicorn, nginx), journaux dans "
          f"{workdir}…", flush=True)  # fmt: skip
    nginx = Nginx(args.port, [args.port + 1, args.port + 2], workdir / "nginx")
    services = Services(PostgresCluster(), RedisServer(), SmtpSink(), [], nginx)
    try:
        env = start_services(args, services, workdir)
        how = "" if args.no_faults else ", avec pannes"
        print(french_spaces(f"nginx sur https://127.0.0.1:{args.port}/ ; {args.workers} clients "
                            f"pendant {args.seconds} s{how}…"), flush=True)  # fmt: skip
        result, faults = run_load(args, services, workdir)
        written = check_writes(
            result["writes"], stored_tokens(f"{services.postgres.url}/{DB_NAME}")
        )
        checks = {
            "Sessions et cache partagés par les deux instances": run_check(
                check_shared_state, [app.port for app in services.apps], args.port),
            "Blocage des connexions derrière nginx : l'adresse réelle, pas celle annoncée":
                run_check(check_login_throttling, args.port),
        }  # fmt: skip
    finally:
        stop_services(services)
    report_and_exit(args, env, result, faults, written, checks, services, workdir)


def run_check(check, *args):
    """(passed, what was seen); a check that cannot run has failed."""
    try:
        return check(*args)
    except Exception as error:  # a page not as expected: say what went wrong
        return False, f"contrôle impossible : {error!r}"


def report_and_exit(args, env, result, faults, written, checks, services, workdir):
    spans = faults.spans(result["elapsed"])
    rows = phase_rows(result, spans)
    found = goals(rows, result, writes_ok(written), checks)
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
    run = {
        "nginx": nginx_version.strip().split("/")[-1],
        "clients": args.workers,
        "write_share": args.write_share,
        "gunicorn_workers": env["GUNICORN_WORKERS"],
    }
    logs = log_errors([app.log_path for app in services.apps], faults.started, spans)
    report = format_report(
        result, run, rows, found, events=faults.events, writes=writes_summary(written),
        logs=logs, nginx=nginx_summary(services.nginx.access_log),
    )  # fmt: skip
    print("\n" + report)
    print(french_spaces(f"Courriels reçus par le serveur SMTP du test : {services.smtp.received}."))
    if not args.no_write:
        write_report(report)
    if not all(met for _, met, _ in found):
        print(french_spaces(f"Objectif manqué ; journaux conservés : {workdir}"))
        sys.exit(1)
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
