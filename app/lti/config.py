"""Which LMS platforms the server trusts: the JSON file DROPOUT_LAB_LTI_CONFIG names. Without
it LTI is off (no route, no key). The file, for one platform (docs/lms.md has each LMS's values):

    {"base_url": "https://lab.example.edu",
     "platforms": [{"issuer": "https://canvas.instructure.com", "client_id": "10000000000001",
                    "deployment_ids": ["1:abc"],
                    "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
                    "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
                    "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks"}]}

`base_url` is where learners reach this server (the LMS sends them to its /lti/launch); without
it, the address each request came to (fine on one address; set it behind a proxy). Every
problem is one LtiConfigError line naming the file and the key."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ENV = "DROPOUT_LAB_LTI_CONFIG"
FILE_MAX = 256 * 1024
PLATFORM_KEYS = ("issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url",
                 "key_set_url")  # fmt: skip
URL_KEYS = ("auth_login_url", "auth_token_url", "key_set_url")
LOGIN_PATH, LAUNCH_PATH, JWKS_PATH = "/lti/login", "/lti/launch", "/lti/jwks"


class LtiConfigError(ValueError):
    """The LTI configuration file cannot be used: one line saying where and why."""


@dataclass(frozen=True)
class Platform:
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


@dataclass(frozen=True)
class LtiConfig:
    base_url: str  # "": the address each request came to
    platforms: tuple[Platform, ...]

    def pylti(self) -> dict:
        """The platforms as PyLTI1p3's ToolConfDict wants them (issuer -> [registrations])."""
        out: dict[str, list[dict]] = {}
        for p in self.platforms:
            out.setdefault(p.issuer, []).append({
                "client_id": p.client_id, "auth_login_url": p.auth_login_url,
                "auth_token_url": p.auth_token_url, "key_set_url": p.key_set_url,
                "deployment_ids": list(p.deployment_ids), "default": len(out[p.issuer]) == 0,
            })  # fmt: skip
        return out


def configured() -> bool:
    return bool(os.environ.get(ENV, "").strip())


def load(path: str | Path | None = None) -> LtiConfig | None:
    """The configuration in `path` (default: $DROPOUT_LAB_LTI_CONFIG); None when LTI is off."""
    where = Path(path) if path else (Path(os.environ[ENV]) if configured() else None)
    if where is None:
        return None
    try:
        if where.stat().st_size > FILE_MAX:
            raise LtiConfigError(f"{where.name}: larger than {FILE_MAX // 1024} KiB")
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, json.JSONDecodeError) as e:
        raise LtiConfigError(f"{where.name}: cannot be read as JSON ({type(e).__name__})") from e
    return parse(data, where.name)


def parse(data: object, name: str = "LTI configuration") -> LtiConfig:
    if not isinstance(data, dict):
        raise LtiConfigError(f"{name}: must be a JSON object")
    base = data.get("base_url") or ""
    base = _url(base, f"{name}: base_url").rstrip("/") if base else ""
    items = data.get("platforms")
    if not isinstance(items, list) or not items:
        raise LtiConfigError(f"{name}: platforms must be a list of at least one platform")
    platforms = tuple(_platform(item, f"{name}: platforms[{i}]") for i, item in enumerate(items))
    seen = [(p.issuer, p.client_id) for p in platforms]
    if len(set(seen)) != len(seen):
        raise LtiConfigError(f"{name}: an issuer and client_id appear twice")
    return LtiConfig(base, platforms)


def _platform(item: object, where: str) -> Platform:
    if not isinstance(item, dict):
        raise LtiConfigError(f"{where}: must be an object")
    missing = [k for k in PLATFORM_KEYS if k not in item]
    if missing:
        raise LtiConfigError(f"{where}: {', '.join(missing)} missing")
    ids = item["deployment_ids"]
    if not isinstance(ids, list) or not ids or not all(_text(i) for i in ids):
        raise LtiConfigError(f"{where}: deployment_ids must be a list of texts")
    for key in ("issuer", "client_id"):
        if not _text(item[key]):
            raise LtiConfigError(f"{where}: {key} must be a text")
    urls = {k: _url(item[k], f"{where}: {k}") for k in URL_KEYS}
    return Platform(item["issuer"], item["client_id"], tuple(ids), **urls)


def _text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= 255


def _url(value: object, where: str) -> str:
    parts = urlsplit(value) if isinstance(value, str) and len(value) <= 2000 else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise LtiConfigError(f"{where}: must be an http(s) address, got {str(value)[:80]!r}")
    return value
