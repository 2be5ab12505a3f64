#!/usr/bin/env bash
# Set up (first time only) and start Dropout Lab. Extra arguments go to `dropout-lab serve`,
# e.g. --host 0.0.0.0 --port 8080 to host a class.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The NumPy lab grades learners' code inside bubblewrap. Install it where apt is available; on
# other systems grading explains how to run it (DROPOUT_LAB_UNSANDBOXED=1 for a single user).
if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "==> installing bubblewrap (the sandbox for the NumPy lab)"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq bubblewrap >/dev/null; } ||
    echo "    (could not install bubblewrap: the NumPy lab will explain how to grade without it)"
fi
exec .venv/bin/dropout-lab serve "$@"
