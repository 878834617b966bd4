"""Answer submission throughput with inline offline scoring, through the real HTTP API or form.

Usage:
  python benchmarks/submit.py [--database-url URL] [--clients 8] [--seconds 20] [--mode api|form]
                              [--workers 1] [--no-run-worker]

Default database: a fresh SQLite file in a temporary folder. With a PostgreSQL URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/tpmprep_submit) the database is dropped and created
anew. Steps: migrate (web.infra.migrations.upgrade); create one candidate per client with
`tpmprep users create` (password on stdin); start `uvicorn --factory web.app:create_app` on
127.0.0.1 with the app's defaults (the scoring worker thread on, TPMPREP_RUN_WORKER=true);
then --clients threads each submit answers back to back for --seconds:

  api:  POST /api/v1/answers (JSON) with `Authorization: Bearer <token from tpmprep tokens create>`;
        201 comes back with the offline score card, scored inside the request;
  form: log in through the form, then per answer GET /questions/<id>, read the csrf_token input,
        POST /questions/<id>/answers; 303 to /answers/<id> (the answer is scored before the redirect).

Answer texts are the catalog's example answers cut to 25-100 % of their sentences (the scorer's
cost depends on length). Afterwards every accepted answer is checked in the database: it exists,
belongs to the client's user and has an offline score card; scoring jobs left pending, running or
failed are counted. Latency is client-side wall time of the POST.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks.pages_100k import free_port, percentile, start_server, stop_server  # noqa: E402
from benchmarks.seed import prepare_database, sentences  # noqa: E402

PASSWORD = "benchmark password"
TPMPREP = str(Path(sys.executable).parent / "tpmprep")


def cli(args: list[str], env: dict, stdin: str | None = None) -> str:
    result = subprocess.run([TPMPREP, *args], input=stdin, capture_output=True, text=True, env=env, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"tpmprep {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def texts_by_question() -> dict[str, list[str]]:
    from web.content import load_catalog
    from web.settings import REPO_ROOT

    catalog = load_catalog(REPO_ROOT / "content")
    out = {}
    for q in catalog.questions.values():
        parts = sentences(q.example_text) or [q.title]
        out[q.id] = [" ".join(parts[: max(2, int(len(parts) * share))]) for share in (1.0, 0.7, 0.45, 0.25)]
    return out


class Client(threading.Thread):
    def __init__(self, index: int, base: str, mode: str, email: str, token: str | None, texts, stop_at: float, barrier):
        super().__init__(name=f"client-{index}", daemon=True)
        self.base, self.mode, self.email, self.token, self.texts = base, mode, email, token, texts
        self.stop_at, self.barrier = stop_at, barrier
        self.rng = random.Random(index)
        self.latencies: list[float] = []
        self.get_latencies: list[float] = []
        self.answer_ids: list[int] = []
        self.errors: list[str] = []
        self.without_card = 0

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with httpx.Client(base_url=self.base, timeout=120, headers=headers) as client:
            if self.mode == "form":
                page = client.get("/login").text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
                r = client.post("/login", data={"email": self.email, "password": PASSWORD, "csrf_token": csrf, "next": "/"})
                if r.status_code != 303:
                    self.errors.append(f"login HTTP {r.status_code}")
                    return
            self.barrier.wait()
            while time.perf_counter() < self.stop_at:
                qid = self.rng.choice(list(self.texts))
                text = self.rng.choice(self.texts[qid])
                try:
                    if self.mode == "api":
                        start = time.perf_counter()
                        r = client.post("/api/v1/answers", json={"question_id": qid, "text": text})
                        self.latencies.append((time.perf_counter() - start) * 1000)
                        if r.status_code == 201 and r.json()["score_cards"]:
                            self.answer_ids.append(r.json()["id"])
                        elif r.status_code == 201:
                            # The worker thread claimed the job before the request could; it scores it instead.
                            self.answer_ids.append(r.json()["id"])
                            self.without_card += 1
                        else:
                            self.errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                    else:
                        start = time.perf_counter()
                        page = client.get(f"/questions/{qid}")
                        self.get_latencies.append((time.perf_counter() - start) * 1000)
                        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
                        start = time.perf_counter()
                        r = client.post(f"/questions/{qid}/answers", data={"csrf_token": csrf, "text": text, "started_at": ""})
                        self.latencies.append((time.perf_counter() - start) * 1000)
                        match = re.fullmatch(r"/answers/(\d+)", r.headers.get("location", ""))
                        if r.status_code == 303 and match:
                            self.answer_ids.append(int(match.group(1)))
                        else:
                            self.errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")


def verify(database_url: str, emails: list[str], answer_ids: list[int], wait_seconds: int = 180) -> dict:
    """Check every accepted answer is stored, owned and scored; wait for the worker to drain jobs."""
    from sqlalchemy import func, select

    from web.db import make_engine
    from web.models import Answer, ScoreCardRecord, ScoringJob, User

    engine = make_engine(database_url)
    deadline = time.time() + wait_seconds
    with engine.connect() as conn:
        while True:
            open_jobs = conn.scalar(select(func.count()).select_from(ScoringJob).where(ScoringJob.status.in_(("pending", "running"))))
            if not open_jobs or time.time() > deadline:
                break
            time.sleep(1)
            conn.rollback()
        user_ids = list(conn.scalars(select(User.id).where(User.email.in_(emails))))
        stored = set(conn.scalars(select(Answer.id).where(Answer.user_id.in_(user_ids))))
        scored = set(conn.scalars(select(ScoreCardRecord.answer_id).where(ScoreCardRecord.scorer == "offline").distinct()))
        jobs = dict(conn.execute(select(ScoringJob.status, func.count()).group_by(ScoringJob.status)).all())
    engine.dispose()
    returned = set(answer_ids)
    return {
        "returned": len(returned),
        "stored": len(stored),
        "returned_missing": len(returned - stored),
        "stored_not_returned": len(stored - returned),
        "stored_without_card": len(stored - scored),
        "jobs": jobs,
        "open_jobs_waited_for": open_jobs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--mode", choices=("api", "form"), default="api")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--no-run-worker", action="store_true", help="TPMPREP_RUN_WORKER=false (no background scoring thread)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tpmprep-submit-")
    url = args.database_url or f"sqlite:///{Path(tmp) / 'submit.db'}"
    from sqlalchemy.engine import make_url

    shown = make_url(url).render_as_string(hide_password=True)
    print(f"command: python benchmarks/submit.py{' --database-url ' + shown if args.database_url else ''} --clients {args.clients} "
          f"--seconds {args.seconds} --mode {args.mode} --workers {args.workers}{' --no-run-worker' if args.no_run_worker else ''}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    prepare_database(url, fresh=True)
    from web.infra import migrations

    migrations.upgrade(url)
    env = os.environ.copy()
    env["TPMPREP_DATABASE_URL"] = url
    emails = [f"submit{i:02d}@bench.example" for i in range(args.clients)]
    tokens: list[str | None] = []
    for email in emails:
        cli(["users", "create", "--email", email], env, stdin=PASSWORD + "\n")
        if args.mode == "api":
            out = cli(["tokens", "create", "--email", email, "--name", "bench"], env)
            tokens.append(next(line.strip() for line in out.splitlines() if line.strip().startswith("tpm_")))
        else:
            tokens.append(None)
    texts = texts_by_question()

    port = free_port()
    server = start_server(url, port, workers=args.workers, extra_env={"TPMPREP_RUN_WORKER": "false" if args.no_run_worker else "true"})
    base = f"http://127.0.0.1:{port}"
    try:
        barrier = threading.Barrier(args.clients + 1)
        # Clients log in (form mode), wait at the barrier, then run until stop_at, set once all are ready.
        clients = [Client(i, base, args.mode, emails[i], tokens[i], texts, time.perf_counter() + 3600, barrier) for i in range(args.clients)]
        for c in clients:
            c.start()
        barrier.wait()
        start = time.perf_counter()
        for c in clients:
            c.stop_at = start + args.seconds
        for c in clients:
            c.join()
        elapsed = time.perf_counter() - start
        answer_ids = [i for c in clients for i in c.answer_ids]
        # The server keeps running so its worker thread can finish any job left to it.
        result = verify(url, emails, answer_ids)
    finally:
        stop_server(server)
    latencies = [x for c in clients for x in c.latencies]
    gets = [x for c in clients for x in c.get_latencies]
    errors = [e for c in clients for e in c.errors]
    print(f"uvicorn --workers {args.workers} on 127.0.0.1, {shown}, worker thread {'off' if args.no_run_worker else 'on'}; "
          f"{args.clients} clients for {elapsed:.1f} s, mode {args.mode}")
    print(f"answers accepted: {len(answer_ids)}  ({len(answer_ids) / elapsed:.1f} answers/s)   errors: {len(errors)}")
    if args.mode == "api":
        print(f"201 responses without the card (job taken by the worker thread, card written moments later): {sum(c.without_card for c in clients)}")
    if latencies:
        print(f"POST latency ms: p50 {percentile(latencies, 0.5):.1f}  p90 {percentile(latencies, 0.9):.1f}  "
              f"p99 {percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}")
    if gets:
        print(f"GET question page ms: p50 {percentile(gets, 0.5):.1f}  p99 {percentile(gets, 0.99):.1f}")
    for e in sorted(set(errors))[:5]:
        print(f"  error: {e}")
    print(f"verify: {result['stored']} answers stored for the benchmark users, {result['returned']} acknowledged to clients; "
          f"acknowledged but missing: {result['returned_missing']}; stored without an offline card: {result['stored_without_card']}; "
          f"jobs by status: {result['jobs']}")
    ok = result["returned_missing"] == 0 and result["stored_without_card"] == 0 and not errors
    print("VERIFIED: every submitted answer is stored with a score card" if ok else "NOT VERIFIED: see above")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.database_url:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
