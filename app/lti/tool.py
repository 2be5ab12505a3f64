"""PyLTI1p3 on this server: the launch's checks in a fixed order, each failure named.

PyLTI1p3 (maintained, used by Open edX and others) does the LTI work: the OIDC login redirect,
the id_token's decoding against the platform's JWKS, the registration, deployment and message
checks. Its Django and Flask adapters are replaced here by framework-free classes over a dict of
request parameters; what it keeps in cookies and a session lives in the database instead (an
LMS iframe may block third-party cookies, and the app may run as several processes):

- the OIDC state is written at the login and taken (deleted) at the launch: one use, 5 minutes;
- the nonce likewise, taken only once the signature has been checked, so a forged token cannot
  use up a real login's nonce; a replayed launch finds neither.

`check` runs the steps in order and raises `LaunchRefused(reason)`, `reason` a key of
lessons/lti.toml [refusals] (what failed, what the admin can check). Nothing is created before
all have passed, and no token is ever put in a message or a log line."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import jwt
from pylti1p3.cookie import CookieService
from pylti1p3.exception import LtiException
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfDict

from dropout_lab.lti.config import LAUNCH_PATH, LtiConfig
from dropout_lab.lti.keys import ToolKeys

STATE_SECONDS = 300.0  # from the LMS's login redirect to its launch POST
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DEEP_LINKING = "LtiDeepLinkingRequest"


class LaunchRefused(Exception):
    """A launch refused; `reason` names the row of lessons/lti.toml [refusals]."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class Kept(t.Protocol):
    """Where state and nonces live (the Store's lti_put / lti_get / lti_take)."""

    def lti_put(self, key: str, value: t.Any, seconds: float) -> None: ...
    def lti_get(self, key: str) -> t.Any: ...
    def lti_take(self, key: str) -> t.Any: ...


@dataclass(frozen=True)
class Person:
    """Who a checked launch says the user is, and where it sends them."""

    platform: str
    sub: str
    name: str
    instructor: bool
    context_id: str
    context_label: str
    step: str
    client_id: str = ""
    deployment_id: str = ""
    message: str = "LtiResourceLinkRequest"
    link_id: str = ""  # the LMS link (resource link) launched
    target: str = ""  # what the link opens and scores (custom `target`, lesson/score.py)
    email: str = ""
    sourcedid: str = ""  # the student information system's id (lis claim)
    ags: dict | None = None  # the grade service's endpoint claim
    nrps_url: str = ""  # the course's roster (NRPS) address
    deep_link: dict | None = None  # a deep linking request's settings

    @property
    def deep_linking(self) -> bool:
        return self.message == DEEP_LINKING


# --------------------------------------------------------------------------- PyLTI1p3's classes


class Params(Request):
    def __init__(self, params: dict[str, str], secure: bool) -> None:
        super().__init__()
        self._params, self._secure = params, secure

    @property
    def session(self) -> dict:
        return {}

    def is_secure(self) -> bool:
        return self._secure

    def get_param(self, key: str) -> t.Any:
        return self._params.get(key)


class KeptData(LaunchDataStorage):
    """PyLTI1p3's launch data storage over the database; a nonce is taken when checked."""

    def __init__(self, kept: Kept) -> None:
        super().__init__()
        self._kept = kept

    def get_session_cookie_name(self) -> None:
        return None  # no cookie: the browser need not keep anything

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> t.Any:
        return self._kept.lti_get(self._prepare_key(key))

    def set_value(self, key: str, value: t.Any, exp: int | None = None) -> None:
        self._kept.lti_put(self._prepare_key(key), value, float(exp or STATE_SECONDS))

    def check_value(self, key: str) -> bool:
        return self._kept.lti_take(self._prepare_key(key)) is not None


class KeptSession(SessionService):
    """No launch is restored later: nothing of a launch is kept but the learner it made."""

    def __init__(self, request: Request, kept: Kept) -> None:
        super().__init__(request)
        self.set_data_storage(KeptData(kept))
        self._launch_data_lifetime = int(STATE_SECONDS)

    def save_launch_data(self, key: str, jwt_body: t.Any) -> None:
        return None

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        return None

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False


class KeptCookies(CookieService):
    """The OIDC state, written at the login and taken at the launch, in the database."""

    def __init__(self, kept: Kept) -> None:
        self._kept = kept

    def get_cookie(self, name: str) -> str | None:
        return self._kept.lti_take(f"lti1p3-cookie-{name}")

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self._kept.lti_put(f"lti1p3-cookie-{name}", value, float(exp or STATE_SECONDS))


class Location(Redirect):
    def __init__(self, location: str) -> None:
        super().__init__()
        self._location = location

    def do_redirect(self) -> str:
        return self._location

    def do_js_redirect(self) -> str:
        return self._location

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class Login(OIDCLogin):
    def _get_request_param(self, key: str) -> t.Any:
        return self._request.get_param(key)

    def get_redirect(self, url: str) -> Location:
        return Location(url)


class Launch(MessageLaunch):
    def _get_request_param(self, key: str) -> t.Any:
        return self._request.get_param(key)


# --------------------------------------------------------------------------- the tool


class Tool:
    """The configured platforms and this tool's key, ready to log in and check launches."""

    def __init__(self, config: LtiConfig, keys: ToolKeys, kept: Kept) -> None:
        self.config, self.kept = config, kept
        self.tool_conf = ToolConfDict(config.pylti())
        for p in config.platforms:
            self.tool_conf.set_private_key(p.issuer, keys.private_pem, client_id=p.client_id)
            self.tool_conf.set_public_key(p.issuer, keys.public_pem, client_id=p.client_id)

    def _services(self, params: dict[str, str], secure: bool) -> tuple:
        request = Params(params, secure)
        return request, KeptSession(request, self.kept), KeptCookies(self.kept)

    def login(self, params: dict[str, str], secure: bool, base: str) -> str:
        """The platform's authorization URL to send the browser to (OIDC third-party login);
        `base` is this server's address (config's base_url, else the request's)."""
        request, session, cookies = self._services(params, secure)
        login = Login(request, self.tool_conf, session_service=session, cookie_service=cookies)
        target = params.get("target_link_uri") or base + LAUNCH_PATH
        try:
            login.validate_oidc_login()
            if not _same_site(target, base):
                raise LaunchRefused("target")
            return login.redirect(base + LAUNCH_PATH)
        except LaunchRefused:
            raise
        except Exception as e:  # PyLTI1p3 says an unknown issuer with a bare Exception
            raise LaunchRefused("login", f"{type(e).__name__}: {str(e)[:200]}") from None

    def check(self, params: dict[str, str], secure: bool, steps: t.Collection[str]) -> Person:
        """The person a launch POST stands for, after every check; LaunchRefused otherwise."""
        request, session, cookies = self._services(params, secure)
        launch = Launch(request, self.tool_conf, session_service=session, cookie_service=cookies)
        launch.set_auto_validation(enable=False)
        if not params.get("id_token"):
            raise LaunchRefused("format")
        _step("state", launch.validate_state)
        _step("format", launch.validate_jwt_format)
        body = launch._jwt.get("body", {})
        self._known(body)
        _signature(launch)
        _step("nonce", launch.validate_nonce)
        _step("deployment", launch.validate_deployment)
        _step("claim", launch.validate_message)
        launch._validated = True
        return _person(body, launch.check_teacher_access(), steps)

    def _known(self, body: dict) -> None:
        iss = body.get("iss")
        mine = [p for p in self.config.platforms if p.issuer == iss]
        if not mine:
            raise LaunchRefused("issuer", str(iss)[:200])
        aud = body.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        clients = {p.client_id for p in mine}
        if not any(a in clients for a in auds):
            raise LaunchRefused("audience", ", ".join(str(a)[:80] for a in auds))
        if len(auds) > 1 and body.get("azp") not in clients:
            raise LaunchRefused("audience", "azp")
        if auds[0] not in clients:  # PyLTI1p3 takes the first audience as the client id
            raise LaunchRefused("audience", str(auds[0])[:80])


def _step(reason: str, check: t.Callable[[], t.Any]) -> None:
    try:
        check()
    except LtiException as e:
        raise LaunchRefused(reason, str(e)[:200]) from None


def _signature(launch: Launch) -> None:
    try:
        launch.validate_registration()
        launch.validate_jwt_signature()
    except LtiException as e:
        cause = e.__cause__
        if isinstance(cause, jwt.ExpiredSignatureError):
            raise LaunchRefused("expired") from None
        if "fetch" in str(e).lower() or "key set" in str(e).lower():
            raise LaunchRefused("key_set", str(e)[:200]) from None
        raise LaunchRefused("signature", str(e)[:200]) from None


def _same_site(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _person(body: dict, instructor: bool, steps: t.Collection[str]) -> Person:
    context = body.get(CLAIM + "context") or {}
    if not isinstance(context, dict) or not context.get("id"):
        raise LaunchRefused("claim", "context")
    name = body.get("name") or " ".join(
        str(body.get(k) or "") for k in ("given_name", "family_name")
    )
    custom = body.get(CLAIM + "custom") or {}
    custom = custom if isinstance(custom, dict) else {}
    step = custom.get("step")
    if not step:
        found = parse_qs(urlsplit(str(body.get(CLAIM + "target_link_uri") or "")).query)
        step = (found.get("step") or [""])[-1]
    aud = body.get("aud")
    return Person(
        platform=str(body["iss"]), sub=str(body["sub"]), name=str(name).strip() or "Learner",
        instructor=instructor, context_id=str(context["id"]),
        context_label=str(context.get("label") or context.get("title") or ""),
        step=step if step in steps else "",
        client_id=str(aud[0] if isinstance(aud, list) else aud),
        deployment_id=str(body.get(CLAIM + "deployment_id") or ""),
        message=str(body.get(CLAIM + "message_type") or ""),
        link_id=str(_dict(body.get(CLAIM + "resource_link")).get("id") or "")[:255],
        target=str(custom.get("target") or "")[:32], email=str(body.get("email") or "")[:255],
        sourcedid=str(_dict(body.get(CLAIM + "lis")).get("person_sourcedid") or "")[:255],
        ags=_dict(body.get(AGS_CLAIM)) or None,
        nrps_url=str(_dict(body.get(NRPS_CLAIM)).get("context_memberships_url") or ""),
        deep_link=_dict(body.get(DL_CLAIM)) or None,
    )  # fmt: skip


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}
