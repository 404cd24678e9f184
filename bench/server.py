"""What the benchmark and the load test share: a throw-away PostgreSQL database, production
settings, and a gunicorn started and stopped in its own process group on 127.0.0.1."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def production_env(database, port, pg=PG, **extra):
    """Production settings (DEBUG off, whitenoise, cached templates), HTTP on 127.0.0.1."""
    env = os.environ.copy()
    env.pop("DJANGO_DEBUG", None)
    env.update(
        DATABASE_URL=f"{pg}/{database}",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="throw-away-secret-key-for-measurements-" + "x" * 30,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    env.update(extra)
    return env


def manage(*args, env, quiet=False):
    output = subprocess.DEVNULL if quiet else None
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=output)


def recreate_database(name, create=True, pg=PG):
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {name}")


def start_gunicorn(env, port, log=None):
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
         "teritoire.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )  # fmt: skip
    # as nginx would ask: over HTTPS, so SECURE_SSL_REDIRECT does not answer a redirection
    probe = urllib.request.Request(
        f"http://127.0.0.1:{port}/sante/", headers={"X-Forwarded-Proto": "https"}
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(probe, timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn n'a pas démarré (voir le journal du serveur)")


def stop(process):
    """Stop the gunicorn started above (its own process group), and only it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
