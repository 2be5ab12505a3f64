"""Fingerprints of the seed documents, so a test can tell when lesson prose copies them.

The seeds (the texts Dropout Lab was written from) live outside the repository, so CI may not
have them. This module turns a text into its 10-word shingles (runs of ten consecutive words,
lower-cased, punctuation dropped) and hashes each one; the committed file
tests/data/seed_shingles.txt holds the hashes of every seed shingle, never the text.

With it, tests/data/seed_sample.txt holds one short run of seed words (a dozen), so CI can show
that a pasted seed phrase is caught. Regenerate both after the seeds change, or check that they
are current (`--check`, exit 1 when not):

    .venv/bin/python -m tests.support.seed_shingles /work/shared/seeds [--check]
"""

from __future__ import annotations

import hashlib
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

SHINGLE = 10  # words per shingle: long enough that a match is a copied phrase, not an idiom
FINGERPRINT = Path(__file__).resolve().parents[1] / "data" / "seed_shingles.txt"
SAMPLE = FINGERPRINT.with_name("seed_sample.txt")

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
# A marked quotation ("..." or “...” within one paragraph) may repeat a source's words.
_QUOTED = re.compile(r"\"[^\"\n]{1,400}\"|“[^”\n]{1,400}”")


def words(text: str) -> list[str]:
    """The text's words, lower-cased, with curly apostrophes made straight."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def shingle_hash(shingle: Iterable[str]) -> str:
    """A short, stable hash of one shingle (64 bits: collisions are out of reach here)."""
    return hashlib.sha256(" ".join(shingle).encode()).hexdigest()[:16]


def shingles(text: str, size: int = SHINGLE) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(hash, words) of every run of `size` consecutive words in `text`."""
    ws = words(text)
    for i in range(len(ws) - size + 1):
        run = tuple(ws[i : i + size])
        yield shingle_hash(run), run


def prose(text: str) -> str:
    """Markdown prose: code blocks and marked quotations removed (inline code is kept)."""
    return _QUOTED.sub(" ", _FENCE.sub(" ", text))


def toml_strings(value: object) -> Iterator[str]:
    """Every string inside a parsed TOML document, depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from toml_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from toml_strings(v)


def content_prose(path: Path) -> str:
    """The prose of one content file: a markdown file's text, or a TOML file's strings."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        text = "\n\n".join(toml_strings(tomllib.loads(text)))
    return prose(text)


def seed_hashes(seeds_dir: Path) -> set[str]:
    """The hash of every shingle of every seed text in `seeds_dir` (its README excluded)."""
    out: set[str] = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        out.update(h for h, _ in shingles(path.read_text(encoding="utf-8")))
    return out


def load_fingerprint(path: Path = FINGERPRINT) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def seed_sample(seeds_dir: Path) -> str:
    """Twelve consecutive words of the second seed text: three shingles, as a copy would have."""
    text = sorted(seeds_dir.glob("*.txt"))[1].read_text(encoding="utf-8")
    return " ".join(words(text)[40:52])


def write_fingerprint(seeds_dir: Path, path: Path = FINGERPRINT) -> int:
    hashes = sorted(seed_hashes(seeds_dir))
    if not hashes:
        raise SystemExit(f"no seed texts (*.txt) in {seeds_dir}")
    header = (
        f"# sha256[:16] of every {SHINGLE}-word shingle of the seed documents "
        "(tests/support/seed_shingles.py)\n"
    )
    path.write_text(header + "\n".join(hashes) + "\n", encoding="utf-8")
    SAMPLE.write_text(seed_sample(seeds_dir) + "\n", encoding="utf-8")
    return len(hashes)


def is_current(seeds_dir: Path) -> bool:
    """Whether the committed fingerprint and sample are those of `seeds_dir`."""
    sample = SAMPLE.read_text(encoding="utf-8").strip() if SAMPLE.exists() else ""
    return seed_hashes(seeds_dir) == load_fingerprint() and sample == seed_sample(seeds_dir)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--check"]
    where = Path(args[0] if args else "/work/shared/seeds")
    if "--check" in sys.argv:
        current = is_current(where)
        print(f"{FINGERPRINT.name} and {SAMPLE.name}: {'current' if current else 'out of date'}")
        sys.exit(0 if current else 1)
    print(f"{write_fingerprint(where)} shingle hashes written to {FINGERPRINT}")
