#!/usr/bin/env bash
# Set up (first time only) and start Dropout Lab. Extra arguments go to `dropout-lab serve`,
# e.g. --host 0.0.0.0 --port 8080 to host a class. Nothing here prompts (no terminal is needed:
# systemd, nohup, cron and containers run it as is); the address to open is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The NumPy lab grades learners' code inside bubblewrap. Install it where apt is available; on
# other systems grading explains how to run it (DROPOUT_LAB_UNSANDBOXED=1 for a single user).
if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n" # -n: fail rather than ask for a password
  echo "==> installing bubblewrap (the sandbox for the NumPy lab)"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } </dev/null ||
    echo "    (could not install bubblewrap: the NumPy lab will explain how to grade without it)"
fi
exec .venv/bin/dropout-lab serve "$@"
