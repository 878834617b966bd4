"""Logged-in page latency on a seeded database (benchmarks/seed.py): history, progress, chart, review queue.

Usage:
  python benchmarks/pages_100k.py [--database-url URL] [--requests 200] [--warmup 20]
                                  [--breakdown] [--plans-out FILE] [--wrk-seconds 0]

Starts `uvicorn --factory web.app:create_app` (one process, no scoring worker) on 127.0.0.1 against
the seeded database, logs in through the login form with httpx (CSRF cookie + hidden field) as the
heavy candidate and as the reviewer, then sends --requests sequential GETs per page on one
keep-alive connection and prints p50/p90/p99 (client-side wall time per request, body read).
None of these pages is cached: logged-in pages are rendered every time.

--breakdown also times each service function in-process (median of 15 calls) and writes the SQL it
runs with its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL) to
--plans-out. --wrk-seconds N adds a wrk run (-t1 -c4, N seconds) per page for throughput.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks.seed import DEFAULT_URL, HEAVY_EMAIL, PASSWORD, REVIEWER_EMAIL  # noqa: E402

TARGET_P50_MS = 50.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int, workers: int = 1, log_path: str | None = None, extra_env: dict | None = None,
                 app: str = "web.app:create_app") -> subprocess.Popen:
    """uvicorn with the app factory; its output (the access log) goes to log_path, not the terminal."""
    env = os.environ.copy()
    env.update({"TPMPREP_DATABASE_URL": database_url, "TPMPREP_RUN_WORKER": "false", **(extra_env or {})})
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log", "--workers", str(workers)]
    log_path = log_path or os.path.join(tempfile.gettempdir(), f"tpmprep-bench-uvicorn-{port}.log")
    out = open(log_path, "ab")
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("uvicorn did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()


def login(base: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A client logged in through the form (the session cookie is kept in the client)."""
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"})
    if response.status_code != 303 or "tpmprep_session" not in client.cookies:
        raise SystemExit(f"login as {email} failed: HTTP {response.status_code}")
    return client


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure(client: httpx.Client, path: str, requests: int, warmup: int, max_seconds: float) -> dict:
    for _ in range(warmup):
        client.get(path)
    times, size = [], 0
    deadline = time.perf_counter() + max_seconds
    for _ in range(requests):
        if time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        response = client.get(path)
        body = response.content
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status_code}")
        size = len(body)
    return {"p50": percentile(times, 0.5), "p90": percentile(times, 0.9), "p99": percentile(times, 0.99),
            "mean": statistics.fmean(times), "bytes": size, "n": len(times)}


def wrk(url: str, seconds: int, cookie: str) -> dict:
    command = ["wrk", "-t", "1", "-c", "4", "-d", f"{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": int(errors.group(1)) if errors else 0}


# ------------------------------------------------------------------ in-process breakdown


def _touch(board):
    """Read every figure of a dashboard (it computes each on first use)."""
    for name in ("total_answers", "averages", "strongest", "weakest", "by_day", "by_category", "calendar", "streak"):
        getattr(board, name)
    return board


def breakdown(database_url: str, plans_out: Path | None) -> None:
    """Time each service function the pages call and record the SQL and plan of each statement."""
    from sqlalchemy import event, select

    from web.ui import charts
    from web.content import load_catalog
    from web.db import make_engine, make_sessionmaker
    from web.models import User
    from web.services import answers, progress, reviews
    from web.settings import Settings

    settings = Settings(database_url=database_url)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    catalog = load_catalog(settings.content_dir)
    captured: list[tuple[str, object]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("EXPLAIN", "BEGIN", "PRAGMA")):
            captured.append((statement, parameters))

    with factory() as db:
        candidate = db.scalar(select(User).where(User.email == HEAVY_EMAIL))
        reviewer = db.scalar(select(User).where(User.email == REVIEWER_EMAIL))
    calls = {
        "answers.list_answers (page 1)": lambda db: answers.list_answers(db=db, user=candidate, page=1),
        "answers.list_answers (last page)": lambda db: answers.list_answers(db=db, user=candidate, page=10_000),
        "progress.dimension_averages": lambda db: progress.dimension_averages(db=db, user_id=candidate.id),
        "progress.day_totals": lambda db: progress.day_totals(db=db, user_id=candidate.id),
        "progress.attempts_by_category": lambda db: progress.attempts_by_category(db=db, user_id=candidate.id, catalog=catalog),
        "progress.dashboard (all of the above)": lambda db: _touch(progress.dashboard(db=db, user_id=candidate.id, catalog=catalog)),
        # The SVGs are cached by their data; a miss (the first view after a new answer) redraws with pygal.
        "charts.scores_over_time, cache miss": lambda db: (charts._scores_svg.cache_clear(), charts.scores_over_time(progress.dashboard(db=db, user_id=candidate.id, catalog=catalog))),
        "charts.scores_over_time, cache hit": lambda db: charts.scores_over_time(progress.dashboard(db=db, user_id=candidate.id, catalog=catalog)),
        "reviews.queue (reviewer)": lambda db: reviews.queue(db=db, reviewer=reviewer),
        "reviews.unread_count (every page)": lambda db: reviews.unread_count(db=db, user_id=candidate.id),
    }
    print(f"\nin-process service timings ({engine.dialect.name}; median of 15 calls after 2 warm-up calls)")
    print(f"{'function':<42}{'median ms':>10}{'min ms':>9}")
    plans: list[str] = []
    for name, call in calls.items():
        times = []
        for i in range(17):
            with factory() as db:
                captured.clear()
                start = time.perf_counter()
                call(db)
                elapsed = (time.perf_counter() - start) * 1000
                statements = list(captured)
            if i >= 2:
                times.append(elapsed)
        print(f"{name:<42}{statistics.median(times):>10.1f}{min(times):>9.1f}")
        if "all of the above" in name or name.startswith("charts."):
            continue
        for statement, params in statements:
            plans.append(f"### {name}\n{statement}\n-- params: {params!r}")
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
            with engine.connect() as conn:
                rows = conn.exec_driver_sql(prefix + statement, params).all()
            if engine.dialect.name == "postgresql":
                plans.append("\n".join(r[0] for r in rows))
            else:
                plans.append("\n".join(f"{'  ' * _depth(rows, r)}{r[-1]}" for r in rows))
            plans.append("")
    engine.dispose()
    if plans_out:
        plans_out.write_text("\n".join(plans), encoding="utf-8")
        print(f"SQL and plans written to {plans_out}")


def _depth(rows, row) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--page-seconds", type=float, default=60, help="stop a page early after this long (slow pages get fewer samples)")
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--plans-out", type=Path)
    parser.add_argument("--wrk-seconds", type=int, default=0)
    args = parser.parse_args()
    from sqlalchemy.engine import make_url

    shown = make_url(args.database_url).render_as_string(hide_password=True)
    print(f"command: python benchmarks/pages_100k.py --database-url {shown} --requests {args.requests} --warmup {args.warmup} --page-seconds {args.page_seconds:g}"
          + (" --breakdown" if args.breakdown else "") + (f" --wrk-seconds {args.wrk_seconds}" if args.wrk_seconds else ""))
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; {os.cpu_count()} cores")
    port = free_port()
    server = start_server(args.database_url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        candidate = login(base, HEAVY_EMAIL)
        reviewer = login(base, REVIEWER_EMAIL)
        pages = [
            ("history /answers", candidate, "/answers"),
            ("history, last page", candidate, "/answers?page=250"),
            ("progress /progress", candidate, "/progress"),
            ("chart scores.svg", candidate, "/progress/charts/scores.svg"),
            ("chart categories.svg", candidate, "/progress/charts/categories.svg"),
            ("review queue /review", reviewer, "/review"),
        ]
        print(f"uvicorn 1 process on 127.0.0.1, {shown}; up to {args.requests} sequential requests per page (at most {args.page_seconds:g} s) after {args.warmup} warm-up, one keep-alive connection")
        print(f"{'page':<24}{'n':>5}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'mean':>8}{'KB':>7}  target p50 < {TARGET_P50_MS:.0f} ms")
        for label, client, path in pages:
            r = measure(client, path, args.requests, args.warmup, args.page_seconds)
            verdict = "ok" if r["p50"] < TARGET_P50_MS else "MISSED"
            print(f"{label:<24}{r['n']:>5}{r['p50']:>8.1f}{r['p90']:>8.1f}{r['p99']:>8.1f}{r['mean']:>8.1f}{r['bytes'] / 1024:>7.0f}  {verdict}")
        if args.wrk_seconds and shutil.which("wrk"):
            print(f"\nwrk -t1 -c4 -d{args.wrk_seconds}s (4 concurrent connections, 1 uvicorn process)")
            print(f"{'page':<24}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
            for label, client, path in pages:
                cookie = f"tpmprep_session={client.cookies['tpmprep_session']}"
                r = wrk(base + path, args.wrk_seconds, cookie)
                print(f"{label:<24}{r['rps']:>8.1f}{r['p50']:>8.1f}{r['p99']:>8.1f}" + (f"  {r['errors']} ERRORS" if r["errors"] else ""))
        candidate.close()
        reviewer.close()
    finally:
        stop_server(server)
    if args.breakdown:
        breakdown(args.database_url, args.plans_out)
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
