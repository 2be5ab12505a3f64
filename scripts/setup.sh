#!/usr/bin/env bash
# Create .venv with Python 3.11 and install Dropout Lab into it (with the test extra: --test).
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed. Never prompts.
set -euo pipefail
cd "$(dirname "$0")/.."

extra=""
[ "${1:-}" = "--test" ] && extra="[test]"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Dropout Lab needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(find_python)
  echo "==> creating .venv with $py"
  "$py" -m venv .venv
fi

stamp=".venv/.dropout-lab-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)$extra"
have="$(cat "$stamp" 2>/dev/null || true)"
# An install with the test extra also satisfies a plain one.
if [ "$have" != "$want" ] && [ "$have" != "${want}[test]" ]; then
  echo "==> installing dropout-lab$extra into .venv (the first time takes a few minutes: TensorFlow)"
  .venv/bin/python -m pip install --quiet --no-input --disable-pip-version-check -e ".$extra"
  echo "$want" >"$stamp"
fi
