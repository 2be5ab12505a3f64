"""The tool's RSA keys: made by `dropout-lab lti keys` (or at the first start with LTI on), kept in
the data directory (`lti-keys/`, a folder 0700, each private key 0600), never in the repository.

The JWKS endpoint serves the public half of the current key and of every key retired less than
`GRACE_SECONDS` ago: a rotation makes a new current key at once, and what an LMS had signed
or cached with the old one keeps checking until the grace ends; `prune` then deletes it.
A key's id (kid) is its JWK thumbprint, as PyLTI1p3 names it."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from dropout_lab.store.schema import default_data_dir

FOLDER = "lti-keys"
INDEX = "keys.json"
GRACE_SECONDS = 24 * 3600.0
BITS = 2048


@dataclass(frozen=True)
class ToolKeys:
    current: str  # kid
    private_pem: str
    public_pem: str
    served: tuple[str, ...]  # the public PEMs the JWKS holds, current first


def folder(data_dir: Path | None = None) -> Path:
    return (data_dir or default_data_dir()) / FOLDER


def _index(where: Path) -> dict:
    try:
        return json.loads((where / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"current": None, "retired": {}}


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _new_key(where: Path) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=BITS)
    pem, spki = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    private = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(pem, spki).decode()
    kid = jwk(public)["kid"]
    _write_private(where / f"{kid}.pem", private)
    (where / f"{kid}.pub").write_text(public, encoding="utf-8")
    return kid


def jwk(public_pem: str) -> dict:
    from pylti1p3.registration import Registration

    return dict(Registration.get_jwk(public_pem))


def _save(where: Path, index: dict) -> None:
    tmp = where / f"{INDEX}.tmp"
    tmp.write_text(json.dumps(index, indent=1), encoding="utf-8")
    tmp.replace(where / INDEX)


def ensure(data_dir: Path | None = None) -> ToolKeys:
    """The tool's keys, a first key made if there is none."""
    where = folder(data_dir)
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    index = _index(where)
    if not index.get("current") or not (where / f"{index['current']}.pem").exists():
        index["current"] = _new_key(where)
        _save(where, index)
    return load(data_dir)


def rotate(data_dir: Path | None = None, now: float | None = None) -> ToolKeys:
    """A new current key; the old one is served until its grace ends."""
    ensure(data_dir)
    where = folder(data_dir)
    index = _index(where)
    index.setdefault("retired", {})[index["current"]] = now or time.time()
    index["current"] = _new_key(where)
    _save(where, index)
    return load(data_dir)


def prune(data_dir: Path | None = None, now: float | None = None) -> list[str]:
    """Delete the retired keys whose grace has ended; returns their kids."""
    where = folder(data_dir)
    index = _index(where)
    now = now or time.time()
    gone = [k for k, at in index.get("retired", {}).items() if now - at > GRACE_SECONDS]
    for kid in gone:
        del index["retired"][kid]
        for suffix in (".pem", ".pub"):
            (where / f"{kid}{suffix}").unlink(missing_ok=True)
    if gone:
        _save(where, index)
    return gone


def load(data_dir: Path | None = None, now: float | None = None) -> ToolKeys:
    """The keys as they are on disk (FileNotFoundError when none was made)."""
    where = folder(data_dir)
    index = _index(where)
    kid = index.get("current")
    if not kid:
        raise FileNotFoundError(f"no LTI key in {where}: run `dropout-lab lti keys`")
    now = now or time.time()
    live = [k for k, at in index.get("retired", {}).items() if now - at <= GRACE_SECONDS]
    served = [(where / f"{k}.pub").read_text(encoding="utf-8") for k in [kid, *live]
              if (where / f"{k}.pub").exists()]  # fmt: skip
    return ToolKeys(kid, (where / f"{kid}.pem").read_text(encoding="utf-8"), served[0],
                    tuple(served))  # fmt: skip


def jwks(keys: ToolKeys) -> dict:
    return {"keys": [jwk(pem) for pem in keys.served]}
