"""Benchmark of the portal against plain Django (`make bench`, results in docs/performance.md).

1. creates a PostgreSQL database, migrates, loads the reference data and scale actions;
2. serves the ceiling (bench/ceiling: plain Django, startproject's middleware, a two-byte view)
   and the portal with the same gunicorn settings, production settings, on 127.0.0.1;
3. drives each page with wrk (8 connections, 2 threads) twice: rendered afresh
   (PUBLIC_PAGE_CACHE=0) and from the shared cache (Redis); the logged-in pages (partner
   dashboard, fiche and edit form, /pilotage/, the admin's action list) with a session cookie;
4. profiles one request of each page inside Django: server, SQL and template time, queries;
5. measures `/` and `/actions/` with 100, 2,000 and 10,000 actions, fresh and cached;
6. prints the tables and the goals of issue 17 each page misses, and writes docs/performance.md.

Everything runs on this machine; only 127.0.0.1 is ever contacted.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

from server import PG, PYTHON, ROOT, manage, production_env, recreate_database, start_gunicorn, stop

PORT = int(os.environ.get("BENCH_PORT", "8765"))
CEILING_PORT = PORT + 1
DB_NAME = "teritoire_bench"


def bench_env():
    # Several gunicorn workers share one cache, as several servers would in production.
    return production_env(
        DB_NAME,
        PORT,
        GUNICORN_WORKERS=os.environ.get("BENCH_WORKERS", "4"),
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/3"),
    )


def fresh_database(env):
    import redis

    if env["CACHE_URL"].startswith("redis://"):
        redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    recreate_database(DB_NAME)


def parse_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(port, path, seconds, cookie=None):
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = parse_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def in_django(args, env):
    """bench/measure_pages.py with the benchmark's settings, pages rendered afresh."""
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "measure_pages.py"), *args], cwd=ROOT,
        env={**env, "PUBLIC_PAGE_CACHE": "0"}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def ceiling(env, seconds):
    """Plain Django's two-byte view under the same gunicorn settings (bench/ceiling)."""
    folder = ROOT / "bench" / "ceiling"
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile",
         "/dev/null", "ceiling:application"],
        cwd=folder, start_new_session=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "ceiling",
             "GUNICORN_BIND": f"127.0.0.1:{CEILING_PORT}"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{CEILING_PORT}/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("le plafond (bench/ceiling) n'a pas démarré") from None
                time.sleep(0.2)
        wrk(CEILING_PORT, "/", 2)
        result = wrk(CEILING_PORT, "/", seconds)
        print(f"plain Django: {result['rps']:.0f} req/s, p99 {result['p99']:.1f} ms", flush=True)
        return result
    finally:
        stop(process)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--big", type=int, default=10000)
    parser.add_argument("--no-write", action="store_true", help="ne pas écrire docs/performance.md")
    return parser.parse_args()


def prepare(env):
    """A fresh database (and cache) with the migrations, static files and reference data."""
    fresh_database(env)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    manage("load_territory", env=env)


def add_actions(count, env):
    """Synthetic actions, then the planner's statistics brought up to date, as PostgreSQL's
    autovacuum does within a minute of such a load: plans chosen for a table it believes
    empty are not the ones production gets."""
    import psycopg

    manage("generate_scale_data", "--actions", str(count), "--yes", env=env)
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as connection:
        connection.execute("ANALYZE")


def share(part, whole):
    """part / whole; not a number when a run answered nothing (shown as nan)."""
    return part / whole if whole else float("nan")


def served(env, cached):
    return {**env, "PUBLIC_PAGE_CACHE": "1" if cached else "0"}


def wait_until_idle(port, workers, limit=120):
    """Until every worker answers /sante/ at once: a slow export that wrk gave up on is still
    being written by its worker, which must not hold the next page's measure (seen: the
    calendar measured at 0 req/s after the spreadsheet export)."""
    from concurrent.futures import ThreadPoolExecutor

    def answered_at_once(_):
        start = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=limit) as answer:
            answer.read()
        return time.monotonic() - start < 0.1

    deadline = time.monotonic() + limit
    with ThreadPoolExecutor(workers * 2) as pool:
        while time.monotonic() < deadline:
            if all(pool.map(answered_at_once, range(workers * 2))):
                return
            time.sleep(0.5)


def drive(env, paths, seconds, cookies=None):
    """Each path under wrk after a 2 s warm-up, on one gunicorn started for the pass."""
    cookies = cookies or {}
    results = {}
    process = start_gunicorn(env, PORT)
    try:
        for path in paths:
            wait_until_idle(PORT, int(env["GUNICORN_WORKERS"]))
            wrk(PORT, path, 2, cookies.get(path))
            results[path] = wrk(PORT, path, seconds, cookies.get(path))
            print(f"{path}: {results[path]['rps']:.0f} req/s, p99 {results[path]['p99']:.1f} ms",
                  flush=True)  # fmt: skip
    finally:
        stop(process)
    return results


def public_pages(sample):
    """The health check (the portal's own stack), the public pages, exports and CSS."""
    return [
        "/sante/",
        "/",
        "/territoire/",
        "/actions/",
        f"/actions/?axe={sample['axis']}&statut=in_progress",
        "/actions/?page=50",
        sample["action"],
        "/copil/",
        "/donnees/",
        *sample["exports"],
        sample["css"],
    ]


def growth(env, seconds):
    """`/` and `/actions/`, fresh and cached, at the database's current size."""
    fresh = drive(served(env, False), ["/", "/actions/"], seconds)
    cached = drive(served(env, True), ["/", "/actions/"], seconds)
    return {path: {"fresh": fresh[path], "cached": cached[path]} for path in fresh}


GOALS = (
    "Goals (issue 17): fresh ≥ 0.1× the ceiling and p99 < 50 ms, server time ≤ 5 ms; cached ≥ 0.5× "
    "and p99 < 20 ms; logged-in pages ≤ 15 ms of server time; `/` and `/actions/` at the big size "
    "≤ 1.5× their p50 at 100 actions."
)


def missed_goals(rows, scale, big):
    missed = []
    for row in rows:
        fresh, cached, profile = row["fresh"], row.get("cached"), row["profile"]
        if row["kind"] == "logged-in":
            if profile["server_ms"] > 15:
                missed.append(f"{row['path']}: {profile['server_ms']} ms of server time > 15")
            continue
        if row["kind"] != "page":
            continue
        if not (fresh["ratio"] >= 0.1 and 0 < fresh["p99"] < 50):
            missed.append(f"{row['path']} fresh: {fresh['ratio']:.2f}×, p99 {fresh['p99']:.1f} ms")
        if profile["server_ms"] > 5:
            missed.append(f"{row['path']}: {profile['server_ms']} ms of server time > 5")
        if not (cached["ratio"] >= 0.5 and 0 < cached["p99"] < 20):
            missed.append(
                f"{row['path']} cached: {cached['ratio']:.2f}×, p99 {cached['p99']:.1f} ms"
            )
    for path, sizes in scale[big].items():
        for mode in ("fresh", "cached"):
            ratio = share(sizes[mode]["p50"], scale[100][path][mode]["p50"])
            if not ratio <= 1.5:
                missed.append(f"{path} {mode} at {big} actions: {ratio:.2f}× its p50 at 100")
    return missed


def cell(run, ceiling_rps, health_rps):
    if not run:
        return "| | | | "
    return (
        f"| {run['rps']:.0f} | {run['p99']:.1f} | {share(run['rps'], ceiling_rps):.2f} "
        f"| {share(run['rps'], health_rps):.2f} "
    )


def format_report(rows, scale, top, args, env, memory):
    ceiling_rps, health_rps = top["ceiling"]["rps"], top["health"]["rps"]
    lines = [
        "| page | fresh req/s | p99 ms | × ceiling | × /sante/ | cached req/s | p99 ms "
        "| × ceiling | × /sante/ | server ms | SQL ms (queries) | template ms | HTML KB "
        "| weight KB | non-2xx |",
        "| --- " + "| ---: " * 15 + "|",
        f"| plain Django (ceiling) {cell(top['ceiling'], ceiling_rps, health_rps)}"
        + "| | | | " * 2
        + "| | | | |",
    ]
    for row in rows:
        profile = row["profile"]
        errors = row["fresh"]["non2xx"] + (row.get("cached") or {}).get("non2xx", 0)
        lines.append(
            f"| `{row['path']}`{' (connecté)' if row['kind'] == 'logged-in' else ''} "
            f"{cell(row['fresh'], ceiling_rps, health_rps)}"
            f"{cell(row.get('cached'), ceiling_rps, health_rps)}"
            f"| {profile['server_ms']} | {profile['sql_ms']} ({profile['queries']}) "
            f"| {profile['template_ms']} | {profile['html_kb']} | {profile['weight_kb']} "
            f"| {errors} |"
        )
    growth_lines = [
        "| actions | page | fresh req/s | fresh p50 ms | fresh p99 ms | cached req/s "
        "| cached p50 ms | cached p99 ms | fresh p50 / at 100 | cached p50 / at 100 |",
        "| ---: | --- " + "| ---: " * 8 + "|",
    ]
    for size in sorted(scale):
        for path, runs in scale[size].items():
            fresh, cached = runs["fresh"], runs["cached"]
            base = scale[min(scale)][path]
            growth_lines.append(
                f"| {size} | `{path}` | {fresh['rps']:.0f} | {fresh['p50']:.1f} "
                f"| {fresh['p99']:.1f} | {cached['rps']:.0f} | {cached['p50']:.1f} "
                f"| {cached['p99']:.1f} | {share(fresh['p50'], base['fresh']['p50']):.2f} "
                f"| {share(cached['p50'], base['cached']['p50']):.2f} |"
            )
    missed = missed_goals(rows, scale, args.big)
    return (
        f"## Results ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"gunicorn {env['GUNICORN_WORKERS']} workers, PostgreSQL, {args.actions} actions, "
        f"wrk 8 connections {args.seconds} s)\n\n"
        "Fresh: rendered for each request (`PUBLIC_PAGE_CACHE=0`); cached: the shared Redis "
        "cache on. Server, SQL and template time: median of 15 requests rendered afresh inside "
        "Django (`bench/measure_pages.py`).\n\n"
        + "\n".join(lines)
        + "\n\n### `/` and `/actions/` as the plan grows\n\n"
        + "\n".join(growth_lines)
        + f"\n\n### Goals\n\n{GOALS}\n\n"
        + ("\n".join(f"- missed: {m}" for m in missed) or "Every goal is met.")
        + f"\n\n### Exports\n\nPeak memory (max RSS) of a process that downloads every export "
        f"of {args.actions} actions {3 + 15} times: {memory.get('max_rss_mb', '?')} MB.\n"
    )


def write_report(report):
    """Replace the results section of docs/performance.md (up to the next `## ` heading),
    keeping the text above and the sections below it."""
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else "# Performance\n\n"
    head, _, rest = text.partition("## Results")
    tail = rest[rest.index("\n## ") :] if "\n## " in rest else ""
    doc.write_text(head.rstrip() + "\n\n" + report.rstrip() + "\n" + tail)


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk est introuvable : apt-get install wrk")
    env = bench_env()
    prepare(env)

    scale = {}
    add_actions(100, env)
    scale[100] = growth(env, args.seconds)

    add_actions(args.actions - 100, env)
    sample = in_django(["__sample__"], env)
    cookies = sample["logged_in"]
    pages = public_pages(sample)
    profiles = in_django(["__profile__", json.dumps(cookies), *pages, *cookies], env)
    top = {"ceiling": ceiling(env, args.seconds)}
    fresh = drive(served(env, False), [*pages, *cookies], args.seconds, cookies)
    cached = drive(served(env, True), pages, args.seconds)
    top["health"] = fresh["/sante/"]
    rows = [
        {
            "path": path,
            "kind": "logged-in" if path in cookies else "page" if "." not in path[-6:] else "file",
            "fresh": fresh[path],
            "cached": cached.get(path),
            "profile": profiles[path],
        }
        for path in [*pages, *cookies]
    ]
    for row in rows:
        for mode in ("fresh", "cached"):
            if row.get(mode):
                row[mode]["ratio"] = share(row[mode]["rps"], top["ceiling"]["rps"])
    scale[args.actions] = growth(env, args.seconds)

    add_actions(args.big - args.actions, env)
    scale[args.big] = growth(env, args.seconds)

    report = format_report(rows, scale, top, args, env, profiles.get("__memory__", {}))
    print("\n" + report)
    if not args.no_write:
        write_report(report)
    bad = [r["path"] for r in rows if r["fresh"]["non2xx"] or (r["cached"] or {}).get("non2xx")]
    bad += [r["path"] for r in rows if r["fresh"]["socket_errors"]]
    if bad:
        print("ERREURS :", bad)
        sys.exit(1)


if __name__ == "__main__":
    main()
