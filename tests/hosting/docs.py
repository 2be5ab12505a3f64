"""The commands of docs/hosting.md that the tests carry out: each is the fenced block right after
a `<!-- tested: NAME -->` marker, so the documentation and the tests cannot drift apart."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

HOSTING = Path(__file__).resolve().parents[2] / "docs" / "hosting.md"
INSTALL_DIR = "/opt/dropout-lab"
DATA_DIR = "/var/lib/dropout-lab"
BACKUP_DIR = "/var/backups/dropout-lab"
PG_URL = "postgresql://dropout_lab@db.internal:5432/dropout_lab"
PORT = "8501"
# Lines a test cannot carry out on a shared test machine (there is no such service or user).
SKIPPED = ("systemctl ", "chown ")


def tested_block(name: str) -> str:
    """The text of the fenced block after `<!-- tested: name -->`."""
    text = HOSTING.read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- tested: {re.escape(name)} -->\s*\n```[\w-]*\n(.*?)\n```", text, flags=re.S
    )
    assert found, f"docs/hosting.md has no tested block {name!r}"
    return found.group(1)


def unit(name: str = "systemd-unit") -> dict[str, list[tuple[str, str]]]:
    """A systemd unit as {section: [(key, value), ...]} (keys may repeat, as in systemd)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in tested_block(name).splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"not a unit line: {raw!r}"
        current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def exec_start(name: str = "systemd-unit") -> list[str]:
    """The one ExecStart= line of a unit (or of a unit fragment) as an argument list."""
    (line,) = [x for x in tested_block(name).splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.partition("=")[2])


def shell_steps(name: str, replace: dict[str, str]) -> str:
    """A block's shell commands with the documented paths replaced, SKIPPED lines left out."""
    kept = [x for x in tested_block(name).splitlines() if not x.strip().startswith(SKIPPED)]
    text = "\n".join(kept)
    for old, new in sorted(replace.items(), key=lambda kv: -len(kv[0])):  # longest first
        text = text.replace(old, new)
    return text
