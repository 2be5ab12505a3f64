#!/usr/bin/env bash
# Set up everything the tests need (the venv with the test extra; Debian's Chromium, bubblewrap and
# PostgreSQL), then run the linters and every test, spread over pytest-xdist workers.
#
#   bash scripts/test.sh            the full suite (what CI runs): ruff, then every test
#   bash scripts/test.sh --quick    the loop while you work: unit and page tests, no slow ones
#   bash scripts/test.sh --record-durations   the full suite, and rewrite
#                                   tests/data/test_durations.json (the scheduler's guide)
#
# Other arguments go to pytest (e.g. a path or -k). DROPOUT_LAB_TEST_WORKERS sets the number of
# workers: the full suite defaults to 2 (with 3, three browser journeys with their servers and
# training workers on two cores slowed a page's first run past five minutes and CI failed on
# timeouts: two clean-clone runs, 2026-12-06/07); the quick loop, unit and page tests that mostly
# compute in the test process, to 3 (178 s, against ~240 s with 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

if { ! command -v chromium-headless-shell >/dev/null 2>&1 && [ -z "${CHROMIUM:-}" ]; } || ! command -v bwrap >/dev/null 2>&1 ||
  ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "==> installing Debian packages: chromium-headless-shell (browser tests), bubblewrap (the NumPy lab sandbox), postgresql (store tests)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium-headless-shell fonts-noto-color-emoji bubblewrap postgresql >/dev/null
fi


if [ "${1:-}" = "--quick" ]; then
  shift
  echo "==> pytest, quick loop (unit and page tests, not marked slow)"
  # The lesson's trained runs are kept between quick loops, under a hash of what they depend on
  # (tests/support/lesson_runs.py): training them is most of a first loop's time.
  export DROPOUT_LAB_TEST_RUNS_DIR="${DROPOUT_LAB_TEST_RUNS_DIR:-$PWD/.cache/lesson-runs}"
  exec .venv/bin/python -m pytest -n "${DROPOUT_LAB_TEST_WORKERS:-3}" -m "not slow" tests/unit tests/app "$@"
fi

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> pytest"
exec .venv/bin/python -m pytest -n "${DROPOUT_LAB_TEST_WORKERS:-2}" "$@"
