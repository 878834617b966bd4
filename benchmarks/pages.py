"""Page throughput and latency: question bank and a guide page against a bare route serving the same bytes.

Usage: python benchmarks/pages.py [--seconds 10] [--connections 32]
Starts uvicorn (one process, SQLite in a temporary folder) on 127.0.0.1 and drives it with wrk
(Debian package `wrk`). Prints requests/s, p50 and p99 for each page as an anonymous visitor (served
from the anonymous page cache after the first hit), as a logged-in user with the app's defaults
(the session's page kept after its first view, the login read on every request), and as a
logged-in user from a second server started with TPMPREP_SIGNED_IN_PAGE_CACHE=false (rendered
every time), and the ratio to a bare route returning the same bytes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = {"question bank": "/questions", "guide page": "/guides/risk-management"}


BENCH_EMAIL, BENCH_PASSWORD = "bench@example.com", "benchmark password"


def build_app(database_url: str):
    """The real app plus /__bare/<n> routes returning the captured bytes of each page."""
    from fastapi.responses import Response
    from fastapi.testclient import TestClient

    from web.infra import migrations
    from web.app import create_app
    from web.settings import Settings

    from web.services.users import create_user

    migrations.upgrade(database_url)
    settings = Settings(database_url=database_url, run_worker=False, log_level="WARNING")  # no access log on the terminal
    app = create_app(settings)
    with app.state.write_db.begin() as db:
        create_user(db=db, email=BENCH_EMAIL, password=BENCH_PASSWORD, settings=settings)
    with TestClient(app) as client:
        bodies = [client.get(path).content for path in PAGES.values()]
    for index, body in enumerate(bodies):

        def bare(body: bytes = body) -> Response:
            return Response(body, media_type="text/html; charset=utf-8")

        app.add_api_route(f"/__bare/{index}", bare, methods=["GET"])
    return app


def serve(port: int, database_url: str) -> None:
    """Run the benchmark app in this process."""
    import uvicorn

    uvicorn.run(build_app(database_url), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login_cookie(base: str) -> str:
    """Log in through the form and return the session cookie header value."""
    import httpx

    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token})
        return f"tpmprep_session={client.cookies['tpmprep_session']}"


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> dict[str, float]:
    """Run wrk and parse requests/s, p50 and p99 (ms)."""
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.database_url)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    tmp = tempfile.mkdtemp()
    servers = []
    try:
        bases = []
        for kept in (True, False):
            port = free_port()
            env = os.environ.copy() | {"TPMPREP_SIGNED_IN_PAGE_CACHE": "true" if kept else "false"}
            url = f"sqlite:///{Path(tmp) / f'bench-{port}.db'}"
            servers.append(subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--database-url", url], env=env))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            _wait_for(base)
        print(f"command: python benchmarks/pages.py --seconds {args.seconds} --connections {args.connections}")
        print(f"uvicorn, 1 process, SQLite; wrk -t2 -c{args.connections} -d{args.seconds}s; {os.cpu_count()} cores")
        print(f"{'url':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
        kept_base, rendered_base = bases
        kept_cookie, rendered_cookie = login_cookie(kept_base), login_cookie(rendered_base)
        for index, (name, path) in enumerate(PAGES.items()):
            bare = wrk(f"{kept_base}/__bare/{index}", args.seconds, args.connections)
            anonymous = wrk(f"{kept_base}{path}", args.seconds, args.connections)
            logged_in = wrk(f"{kept_base}{path}", args.seconds, args.connections, kept_cookie)
            rendered = wrk(f"{rendered_base}{path}", args.seconds, args.connections, rendered_cookie)
            rows = ((f"{name}, visitor", anonymous), (f"{name}, logged in", logged_in),
                    (f"{name}, logged in, rendered every time", rendered), ("bare route, same bytes", bare))
            for label, result in rows:
                ratio = result["rps"] / bare["rps"]
                print(f"{label:<44}{result['rps']:>9.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}{ratio:>8.0%}" + ("  ERRORS" if result["errors"] else ""))
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_for(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    for _ in range(200):
        try:
            socket.create_connection((host, int(port)), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the benchmark server at {base} did not start")


if __name__ == "__main__":
    main()
