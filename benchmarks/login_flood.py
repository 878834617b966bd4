"""A login and sign-up flood on SQLite while candidates submit answers: no 500, and submits stay fast.

Usage:
  python benchmarks/login_flood.py [--logins 100] [--signups 100] [--submitters 8] [--database-url URL]

Default database: a fresh SQLite file. Steps: migrate; create --logins accounts (real argon2
hashing, as in production) and --submitters candidates with API tokens; start uvicorn on
127.0.0.1 (one worker process, the app's defaults); the submitters post answers to the API back
to back; then --logins browsers log in with the right password and --signups browsers create
accounts, all released at the same moment, from a process of their own. Sign-ups are limited
per address, and every client here is 127.0.0.1, so the limit is raised for the run
(TPMPREP_SIGNUPS_PER_HOUR).

Prints the status codes of the flood and the submitters' latency while it lasted (p50, p99).
Target: no 500 anywhere, submitters' p99 under 2 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks.pages_100k import free_port, percentile, start_server, stop_server  # noqa: E402
from benchmarks.seed import prepare_database  # noqa: E402
from benchmarks.submit import PASSWORD, Client, cli, texts_by_question  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_accounts(url: str, emails: list[str]) -> None:
    """Accounts with production-strength password hashes, made directly through the service."""
    from web.db import make_engine, make_sessionmaker
    from web.services.users import create_user
    from web.settings import Settings

    settings = Settings(database_url=url)
    engine = make_engine(url)
    with make_sessionmaker(engine, write=True).begin() as db:
        for email in emails:
            create_user(db=db, email=email, password=PASSWORD, settings=settings)
    engine.dispose()


def flood_one(base: str, kind: str, email: str, barrier: threading.Barrier, results: list) -> None:
    """One browser: load the form (for its CSRF cookie), wait for the others, then post it."""
    # Plain HTTP to 127.0.0.1: no TLS, so no certificate store to load (21 ms of CPU per client).
    with httpx.Client(base_url=base, timeout=120, verify=False) as browser:
        page = browser.get(f"/{kind}")
        token = CSRF_RE.search(page.text).group(1)
        barrier.wait()
        start = time.perf_counter()
        try:
            r = browser.post(f"/{kind}", data={"email": email, "password": PASSWORD, "csrf_token": token})
            results.append((kind, r.status_code, (time.perf_counter() - start) * 1000))
        except httpx.HTTPError as exc:
            results.append((kind, type(exc).__name__, (time.perf_counter() - start) * 1000))


def flood(base: str, login_emails: list[str], signup_emails: list[str], out) -> None:
    """The whole flood, run in a process of its own (attackers do not share the candidates' Python)."""
    results: list = []
    barrier = threading.Barrier(len(login_emails) + len(signup_emails))
    threads = [threading.Thread(target=flood_one, args=(base, "login", e, barrier, results)) for e in login_emails]
    threads += [threading.Thread(target=flood_one, args=(base, "signup", e, barrier, results)) for e in signup_emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=100)
    parser.add_argument("--signups", type=int, default=100)
    parser.add_argument("--submitters", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='tpmprep-flood-')) / 'flood.db'}"
    print(f"command: python benchmarks/login_flood.py --logins {args.logins} --signups {args.signups} "
          f"--submitters {args.submitters}{' --database-url ' + url if args.database_url else ''}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    prepare_database(url, fresh=True)
    from web.infra import migrations

    migrations.upgrade(url)
    env = os.environ.copy() | {"TPMPREP_DATABASE_URL": url}
    submitters = [f"submit{i:02d}@bench.example" for i in range(args.submitters)]
    tokens = []
    for email in submitters:
        cli(["users", "create", "--email", email], env, stdin=PASSWORD + "\n")
        out = cli(["tokens", "create", "--email", email, "--name", "bench"], env)
        tokens.append(next(line.strip() for line in out.splitlines() if line.strip().startswith("tpm_")))
    login_emails = [f"login{i:03d}@bench.example" for i in range(args.logins)]
    create_accounts(url, login_emails)
    texts = texts_by_question()

    port = free_port()
    server = start_server(url, port, workers=1, extra_env={"TPMPREP_SIGNUPS_PER_HOUR": str(10 * (args.signups + 1))})
    base = f"http://127.0.0.1:{port}"
    try:
        ready = threading.Barrier(args.submitters + 1)
        clients = [Client(i, base, "api", submitters[i], tokens[i], texts, time.perf_counter() + 3600, ready)
                   for i in range(args.submitters)]
        for c in clients:
            c.start()
        ready.wait()
        time.sleep(2)  # the submitters' pace before the flood
        marks = [len(c.latencies) for c in clients]
        # The flood runs in another process: 200 client threads in this one would compete with the
        # submitting clients for its interpreter lock and be measured as the server's slowness.
        spawn = multiprocessing.get_context("spawn")
        out = spawn.Queue()
        flooder = spawn.Process(target=flood, args=(base, login_emails, [f"new{i:03d}@bench.example" for i in range(args.signups)], out))
        started = time.perf_counter()
        flooder.start()
        results = out.get(timeout=600)
        flooder.join()
        lasted = time.perf_counter() - started
        ends = [len(c.latencies) for c in clients]
        # Submits that finished while the flood lasted (the one in flight when it ended included).
        during = [ms for c, a, b in zip(clients, marks, ends) for ms in c.latencies[a:b + 1]]
        for c in clients:
            c.stop_at = 0
        for c in clients:
            c.join(30)
    finally:
        stop_server(server)

    statuses = Counter((kind, status) for kind, status, _ in results)
    print(f"flood: {len(results)} requests in {lasted:.1f} s")
    for (kind, status), n in sorted(statuses.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {kind:<7} {status}: {n}")
    flood_ms = sorted(ms for _, _, ms in results)
    print(f"  flood latency p50 {percentile(flood_ms, 0.5):.0f} ms, p99 {percentile(flood_ms, 0.99):.0f} ms")
    errors = [e for c in clients for e in c.errors]
    answers = sum(len(c.answer_ids) for c in clients)
    print(f"submitters: {answers} answers stored, {len(errors)} errors; while the flood lasted: {len(during)} submits, "
          f"p50 {percentile(sorted(during), 0.5):.0f} ms, p99 {percentile(sorted(during), 0.99):.0f} ms")
    # A 503 with Retry-After is the flood being turned away on purpose (the hashing queue is
    # full); any other 5xx is a failure. A submitter must see no error at all.
    shed = sum(n for (kind, status), n in statuses.items() if status == 503)
    failures = sum(n for (kind, status), n in statuses.items() if not isinstance(status, int) or (status >= 500 and status != 503))
    p99 = percentile(sorted(during), 0.99) if during else float("inf")
    print(f"flood turned away with 503 and Retry-After: {shed}; flood failures (other 5xx, no response): {failures}")
    ok = failures == 0 and not errors and p99 < 2000
    print("target met: no 500, no submitter error, submitters' p99 < 2 s" if ok else "target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
