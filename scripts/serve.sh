#!/usr/bin/env bash
# Install tpmprep into .venv (first run only), apply migrations and serve on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/tpmprep ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -c constraints.txt -e .  # exact versions: scripts/lock.sh
fi
exec .venv/bin/tpmprep serve --upgrade "$@"
