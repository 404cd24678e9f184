"""Benchmark of the public pages against the stack's own ceiling (`make bench`).

1. creates a PostgreSQL database, migrates, loads the reference data and scale actions;
2. starts gunicorn with the production settings on 127.0.0.1;
3. drives each page with wrk (8 connections, 2 threads) and measures SQL queries and weight;
4. prints the table and writes it to docs/performance.md;
5. measures /actions/ with 100, 2,000 and 10,000 actions.

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

from server import PYTHON, ROOT, manage, production_env, recreate_database, start_gunicorn, stop

PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
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


def wrk(path, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency", BASE + path],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
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


def measure_in_django(paths, env):
    """SQL queries, HTML size and total page weight of each path, from a Django test client."""
    script = ROOT / "bench" / "measure_pages.py"
    # Queries of a page rendered afresh, not of its cached copy.
    out = subprocess.run(
        [PYTHON, str(script), *paths], cwd=ROOT, env={**env, "PUBLIC_PAGE_CACHE": "0"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def format_table(rows):
    lines = [
        "| page | req/s | p50 (ms) | p99 (ms) | ratio to ceiling | SQL queries | HTML (KB) "
        "| page weight (KB) | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| `{row['path']}` | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} "
            f"| {row['ratio']:.2f} | {row.get('queries', '')} | {row.get('html_kb', '')} "
            f"| {row.get('weight_kb', '')} | {row['non2xx']} |"
        )
    return "\n".join(lines)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
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
    manage("generate_scale_data", "--actions", str(count), "--yes", env=env)


def bench_listing(env, seconds):
    """/actions/ under wrk (after a 3 s warm-up), on a gunicorn started for it."""
    process = start_gunicorn(env, PORT)
    try:
        wrk("/actions/", 3)
        return wrk("/actions/", seconds)
    finally:
        stop(process)


def pages_to_bench(sample):
    """The health check first (the ceiling), then the public pages, exports and CSS."""
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


def bench_pages(env, paths, details, seconds):
    """Each path under wrk (after a 2 s warm-up), with its Django measures and its ratio to the
    first path's rate (the ceiling)."""
    rows = []
    process = start_gunicorn(env, PORT)
    try:
        for path in paths:
            wrk(path, 2)  # warm up
            result = wrk(path, seconds)
            result.update(details.get(path, {}), path=path)
            rows.append(result)
            print(f"{path}: {result['rps']:.0f} req/s, p99 {result['p99']:.1f} ms", flush=True)
    finally:
        stop(process)
    ceiling = rows[0]["rps"]
    for row in rows:
        row["ratio"] = row["rps"] / ceiling
    return rows


def format_report(rows, scale, details, env, args):
    """The "## Results (…)" section: pages, growth of /actions/, memory of the exports."""
    table = format_table(rows)
    growth = "\n".join(
        f"| {n} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
        f"{r['p50'] / scale[100]['p50']:.2f} |"
        for n, r in sorted(scale.items())
    )
    memory = details.get("__memory__", {})
    return (
        f"## Results ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"gunicorn {env['GUNICORN_WORKERS']} workers, PostgreSQL, {args.actions} actions, "
        f"wrk 8 connections {args.seconds} s)\n\n{table}\n\n"
        "### `/actions/` as the plan grows\n\n"
        "| actions | req/s | p50 (ms) | p99 (ms) | p50 / p50 at 100 |\n"
        "| ---: | ---: | ---: | ---: | ---: |\n"
        f"{growth}\n\n"
        f"### Exports\n\nPeak memory (max RSS) of a process that downloads every export of "
        f"{args.actions} actions: {memory.get('max_rss_mb', '?')} MB.\n"
    )


def write_report(report):
    """Replace the results section of docs/performance.md, keeping the text above it."""
    doc = ROOT / "docs" / "performance.md"
    head = doc.read_text().split("## Results")[0] if doc.exists() else "# Performance\n\n"
    doc.write_text(head.rstrip() + "\n\n" + report)


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk est introuvable : apt-get install wrk")
    env = bench_env()
    prepare(env)

    scale = {}
    add_actions(100, env)
    scale[100] = bench_listing(env, args.seconds)

    add_actions(args.actions - 100, env)
    sample = measure_in_django(["__sample__"], env)
    paths = pages_to_bench(sample)
    details = measure_in_django(paths, env)
    rows = bench_pages(env, paths, details, args.seconds)
    scale[args.actions] = next(r for r in rows if r["path"] == "/actions/")

    add_actions(args.big - args.actions, env)
    scale[args.big] = bench_listing(env, args.seconds)

    report = format_report(rows, scale, details, env, args)
    print("\n" + report)
    if not args.no_write:
        write_report(report)
    bad = [r for r in rows if r["non2xx"] or r["socket_errors"]]
    if bad:
        print("ERREURS :", [(r["path"], r["non2xx"], r["socket_errors"]) for r in bad])
        sys.exit(1)


if __name__ == "__main__":
    main()
