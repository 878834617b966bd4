#!/usr/bin/env bash
# Install tpmprep with its test dependencies into .venv and run the whole test suite.
# Browser tests use Debian's chromium and voice tests espeak-ng; they are installed here when missing (needs root or sudo).
# Extra arguments go to pytest. Set TPMPREP_TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -c constraints.txt -e '.[test]'  # exact versions: scripts/lock.sh
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/espeak-ng ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian's chromium (browser tests) and espeak-ng (speech with a known text, for the voice tests)..."
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium espeak-ng >/dev/null
fi
echo "Checking the boundaries between the parts (import-linter contracts in pyproject.toml)..."
.venv/bin/lint-imports --no-cache >/dev/null || { .venv/bin/lint-imports --no-cache; exit 1; }
exec .venv/bin/python -m pytest "$@"
