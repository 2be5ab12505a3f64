#!/usr/bin/env bash
# Set up everything the tests need (the venv with the test extra; Debian's Chromium, bubblewrap and
# PostgreSQL), then run the linters and every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

if { ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM:-}" ]; } || ! command -v bwrap >/dev/null 2>&1 ||
  ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "==> installing Debian packages: chromium (browser tests), bubblewrap (the NumPy lab sandbox), postgresql (store tests)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-color-emoji bubblewrap postgresql >/dev/null
fi

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
