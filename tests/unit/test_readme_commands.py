"""The README's command table lists every `dropout-lab` subcommand, and only those."""

from __future__ import annotations

import argparse
import re

from dropout_lab.cli import build_parser
from tests.helpers import ROOT


def cli_commands() -> set[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def readme_commands() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `dropout-lab ([a-z-]+)", table, flags=re.M))


def test_the_readme_lists_every_command() -> None:
    assert readme_commands() == cli_commands()


def test_serve_takes_verbose() -> None:
    assert build_parser().parse_args(["serve", "--verbose"]).verbose
