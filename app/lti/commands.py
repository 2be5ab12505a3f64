"""`dropout-lab lti keys` (make the tool's key, or `--rotate` it) and the doctor's LTI row."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from dropout_lab.lti import config, keys


def add(command: Callable[..., argparse.ArgumentParser]) -> None:
    """The `lti` command, on the `dropout-lab` parser (cli.py)."""
    lti = command("lti", cmd_lti, "LTI 1.3 (docs/lms.md): the tool's keys")
    lti.add_argument("what", choices=["keys"], help="keys: make the tool's key if there is none")
    lti.add_argument("--rotate", action="store_true",
                     help="a new key; the old one stays in the JWKS for a day")  # fmt: skip


def cmd_lti(args: argparse.Namespace) -> int:
    found = keys.rotate() if args.rotate else keys.ensure()
    gone = keys.prune()
    print(f"current key: {found.current} (in {keys.folder()}, readable by this user only)")
    print(f"the JWKS serves {len(found.served)} key(s) at <base_url>{config.JWKS_PATH}")
    if gone:
        print(f"deleted {len(gone)} key(s) retired more than a day ago")
    return 0


def health() -> tuple[bool, str, str]:
    """(ok, what was found, how to fix it) for `dropout-lab doctor`."""
    if not config.configured():
        return True, f"off ({config.ENV} not set)", ""
    try:
        found = config.load()
    except config.LtiConfigError as e:
        return False, str(e), f"fix the file {config.ENV} names (docs/lms.md)"
    assert found is not None
    try:
        key = keys.load()
    except (OSError, ValueError):
        return False, "on, but the tool has no key yet", "run `dropout-lab lti keys`"
    issuers = ", ".join(sorted({p.issuer for p in found.platforms}))[:200]
    where = found.base_url or "the address each request comes to"
    said = f"on for {issuers}; launch URL {where}{config.LAUNCH_PATH}; key {key.current[:12]}…"
    scores = _outbox()
    if scores.get("failing"):
        return (True, f"{said}; {scores['failing']} score(s) not reaching the LMS yet "
                      f"({scores['sent']} sent)",
                "the server's log names the failure; check auth_token_url and that the LMS "
                "is up (scores are kept and retried)")  # fmt: skip
    return True, said + (f"; {scores['sent']} score(s) sent" if scores else ""), ""


def _outbox() -> dict[str, int]:
    """The scores outbox's counts, or {} when the database cannot say (doctor says so above)."""
    try:
        from dropout_lab.store import Store

        store = Store()
        try:
            return store.lti_outbox_counts()
        finally:
            store.close()
    except Exception:
        return {}
