#!/usr/bin/env bash
# Set up (first time only) and start Dropout Lab. Extra arguments go to `dropout-lab serve`,
# e.g. --host 0.0.0.0 --port 8080 to host a class.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/dropout-lab serve "$@"
