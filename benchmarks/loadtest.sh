#!/usr/bin/env bash
# The whole locust load test: fresh PostgreSQL database, migrations, accounts, uvicorn with 2 workers,
# locust headless with CSV output, uvicorn stopped, summary printed. Exits 1 if any request failed.
#
#   benchmarks/loadtest.sh
#
# Settings (environment, defaults in brackets):
#   VENV [/work/venv]  virtualenv with tpmprep installed (pip install -e .) and locust (pip install locust)
#   DB_URL [postgresql+psycopg://postgres@127.0.0.1:5432/tpmprep_load]  dropped and created anew
#   USERS [50] SPAWN_RATE [10] DURATION [60s] WORKERS [2] PORT [8765]
#   CANDIDATES [20] REVIEWERS [5]  accounts created and used by benchmarks/locustfile.py
#   OUT [/tmp/tpmprep-loadtest]  locust CSV files, uvicorn log, summary
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-/work/venv}"
PY="$VENV/bin/python"
DB_URL="${DB_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/tpmprep_load}"
USERS="${USERS:-50}"
SPAWN_RATE="${SPAWN_RATE:-10}"
DURATION="${DURATION:-60s}"
WORKERS="${WORKERS:-2}"
PORT="${PORT:-8765}"
OUT="${OUT:-/tmp/tpmprep-loadtest}"
export LOAD_CANDIDATES="${CANDIDATES:-20}"
export LOAD_REVIEWERS="${REVIEWERS:-5}"
export LOAD_PASSWORD="load test password"
mkdir -p "$OUT"
rm -f "$OUT"/locust_*.csv

echo "== machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== database $DB_URL (fresh)"
"$PY" -c "import sys; sys.path.insert(0, '.'); from benchmarks.seed import prepare_database; prepare_database('$DB_URL', fresh=True)"
TPMPREP_DATABASE_URL="$DB_URL" "$VENV/bin/tpmprep" db upgrade

echo "== accounts: $LOAD_CANDIDATES candidates, $LOAD_REVIEWERS reviewers"
# One process for all accounts (web.services.users.create_user, as `tpmprep users create` does).
TPMPREP_DATABASE_URL="$DB_URL" "$PY" - <<'EOF'
import os
from web.db import make_engine, make_sessionmaker
from web.services.users import create_user
from web.settings import get_settings

settings = get_settings()
factory = make_sessionmaker(make_engine(settings.database_url), write=True)
password = os.environ["LOAD_PASSWORD"]
with factory.begin() as db:
    for i in range(int(os.environ["LOAD_CANDIDATES"])):
        create_user(db=db, email=f"cand{i:02d}@load.example", password=password, settings=settings)
    for i in range(int(os.environ["LOAD_REVIEWERS"])):
        create_user(db=db, email=f"rev{i:02d}@load.example", password=password, role="reviewer", settings=settings)
print("accounts created")
EOF

echo "== uvicorn --factory web.app:create_app --workers $WORKERS on 127.0.0.1:$PORT (TPMPREP_RUN_WORKER=true)"
TPMPREP_DATABASE_URL="$DB_URL" TPMPREP_RUN_WORKER=true \
  "$PY" -m uvicorn --factory web.app:create_app --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" \
  --log-level warning --no-access-log >"$OUT/uvicorn.log" 2>&1 &
SERVER_PID=$!
stop_server() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop_server EXIT
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" || { echo "uvicorn did not start; see $OUT/uvicorn.log" >&2; exit 1; }

echo "== locust: $USERS users (spawn rate $SPAWN_RATE/s) for $DURATION"
"$VENV/bin/locust" -f benchmarks/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 10 >"$OUT/locust.log" 2>&1 || true
echo "   load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
stop_server
trap - EXIT

echo "== summary (from $OUT/locust_stats.csv; times in ms)"
TPMPREP_DATABASE_URL="$DB_URL" "$PY" - "$OUT" <<'EOF' | tee "$OUT/summary.txt"
import csv, sys
from pathlib import Path
from sqlalchemy import func, select
from web.db import make_engine
from web.models import Answer, Review, ReviewRequest, ScoreCardRecord, ScoringJob
from web.settings import get_settings

out = Path(sys.argv[1])
rows = list(csv.DictReader(open(out / "locust_stats.csv")))
failures = 0
print(f"{'type':<5}{'name':<58}{'reqs':>7}{'fails':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}")
for r in rows:
    name = r["Name"] if r["Type"] else "ALL"
    print(f"{r['Type']:<5}{name:<58}{int(r['Request Count']):>7}{int(r['Failure Count']):>6}{float(r['Requests/s']):>8.1f}"
          f"{r['50%']:>7}{r['95%']:>7}{r['99%']:>7}{float(r['Max Response Time']):>8.0f}")
    if r["Name"] == "Aggregated":
        failures = int(r["Failure Count"])
fail_file = out / "locust_failures.csv"
for r in csv.DictReader(open(fail_file)) if fail_file.exists() else []:
    print(f"  failure: {r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}")
engine = make_engine(get_settings().database_url)
with engine.connect() as conn:
    answers = conn.scalar(select(func.count()).select_from(Answer))
    carded = conn.scalar(select(func.count(func.distinct(ScoreCardRecord.answer_id))).where(ScoreCardRecord.scorer == "offline"))
    jobs = dict(conn.execute(select(ScoringJob.status, func.count()).group_by(ScoringJob.status)).all())
    requests = dict(conn.execute(select(ReviewRequest.status, func.count()).group_by(ReviewRequest.status)).all())
    reviews = conn.scalar(select(func.count()).select_from(Review))
print(f"database after the run: {answers} answers, {carded} with an offline card, jobs {jobs}; "
      f"review requests {requests}; {reviews} reviews")
print(f"FAILED REQUESTS: {failures}")
sys.exit(1 if failures or carded != answers else 0)
EOF
