"""An LMS for the tests: `lti1p3platform` (an LTI 1.3 platform implementation from PyPI, written
by others) on a small Starlette server in a thread, with its own RSA key.

- `/course?user=..&role=..&step=..` is a course page's link: the platform starts the OIDC login
  at the tool (`OIDCLoginAbstract.initiate_login`);
- `/auth` is the platform's authorization endpoint: lti1p3platform checks the tool's preflight
  (client id, state, nonce, redirect URI), builds and signs the id_token, and the page posts it
  to the tool's launch URL;
- `/jwks` is the platform's public key set;
- the LTI Advantage services, lti1p3platform's own (tests/support/lti_services.py): `/token`
  (client_credentials service tokens), `/lineitems/1/scores` (AGS), `/memberships` (NRPS) and
  `/deep_link_return` (a deep linking response, checked against the tool's JWKS).

`/course?...&deep=1` starts a deep linking request (LtiDeepLinkingRequest) instead of a launch;
`custom=target` sets the custom parameter a deep link chose. `down` makes the services answer
503 (an LMS that is down); `scores`, `picked` and `members` are what they received or serve.

`mischief` bends the next launches for the refused cases: another signing key, issuer, audience
or deployment, an expired token, a claim left out, a nonce used before. `last_form` is the last
launch form (state and id_token) the platform sent, to post it again."""

from __future__ import annotations

import contextlib
import html
import json
import socket
import threading
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support import lti_services, wait

CLIENT_ID, DEPLOYMENT_ID = "dropout-lab-tool", "deployment-1"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Mischief:
    """How the next launches are bent (all off: a proper launch)."""

    other_key: bool = False
    issuer: str | None = None
    audience: str | None = None
    deployment: str | None = None
    expired: bool = False
    drop: tuple[str, ...] = ()  # claims left out of the id_token
    nonce: str | None = None  # sign this nonce instead of the tool's


@dataclass
class Platform:
    url: str
    private_pem: str
    public_pem: str
    tool_url: str = ""
    mischief: Mischief = field(default_factory=Mischief)
    nonces: list[str] = field(default_factory=list)  # the tool's nonces, in order
    last_form: dict[str, str] = field(default_factory=dict)
    context: tuple[str, str] = ("course-1", "CS101")
    down: bool = False  # the services answer 503
    scores: list[dict] = field(default_factory=list)  # the AGS scores received, in order
    picked: list[list[dict]] = field(default_factory=list)  # deep linking content items
    members: list[dict] = field(default_factory=list)  # what NRPS serves
    service_calls: int = 0  # calls to the services (token, scores, memberships), down or not

    def tool_config(self) -> dict:
        """The JSON the tool's DROPOUT_LAB_LTI_CONFIG names, for this platform."""
        return {
            "platforms": [
                {
                    "issuer": self.url,
                    "client_id": CLIENT_ID,
                    "deployment_ids": [DEPLOYMENT_ID],
                    "auth_login_url": f"{self.url}/auth",
                    "auth_token_url": f"{self.url}/token",
                    "key_set_url": f"{self.url}/jwks",
                }
            ]
        }

    def registration(self) -> Registration:
        reg = Registration()
        reg.set_iss(self.url).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT_ID)
        reg.set_oidc_login_url(f"{self.tool_url}/lti/login")
        reg.set_launch_url(f"{self.tool_url}/lti/launch")
        reg.set_tool_key_set_url(f"{self.tool_url}/lti/jwks")
        reg.set_deeplink_launch_url(f"{self.tool_url}/lti/launch")
        reg.set_platform_public_key(self.public_pem).set_platform_private_key(self.private_pem)
        return reg

    def course_link(self, user: str, role: str = LEARNER, step: str = "", name: str = "",
                    deep: bool = False, target: str = "") -> str:  # fmt: skip
        q = f"user={user}&role={role.rsplit('#', 1)[-1]}&step={step}&name={name}"
        q += ("&deep=1" if deep else "") + (f"&target={target}" if target else "")
        return f"{self.url}/course?{q}"

    @property
    def lineitem(self) -> str:
        return f"{self.url}/lineitems/1"


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.platform: Platform = kwargs["platform"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self.platform.registration()


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)

    def get_redirect(self, url: str) -> Response:
        return RedirectResponse(url, status_code=302)


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, params: dict, conf: _Conf) -> None:
        super().__init__(t.cast(t.Any, params), conf)
        self._params = params

    def get_preflight_response(self) -> dict[str, t.Any]:
        return self._params

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> Response:
        platform: Platform = kwargs["platform"]
        platform.last_form = {"state": launch_data["state"], "id_token": launch_data["id_token"]}
        fields = "".join(
            f"<input type='hidden' name='{k}' value='{html.escape(v)}'>"
            for k, v in platform.last_form.items()
        )
        page = (
            f"<!doctype html><html><body><form id='f' method='post' "
            f"action='{html.escape(launch_data['launch_url'])}'>{fields}</form>"
            f"<script>document.getElementById('f').submit()</script></body></html>"
        )
        return HTMLResponse(page)


def _launch(platform: Platform, params: dict[str, str]) -> Response:
    conf = _Conf(platform=platform)
    hint = json.loads(params.get("lti_message_hint") or "{}")
    launch = _Launch(params, conf)
    bent = platform.mischief
    platform.nonces.append(params.get("nonce", ""))
    launch.set_user_data(
        params.get("login_hint", ""),
        [INSTRUCTOR if hint.get("role") == "Instructor" else LEARNER],
        full_name=hint.get("name") or None,
    )
    launch.set_resource_link_claim("link-1", title="Dropout Lab")
    context_id, label = platform.context
    launch.set_launch_context_claim(context_id, context_label=label, context_title=label)
    custom = {k: hint[k] for k in ("step", "target") if hint.get(k)}
    if custom:
        launch.set_custom_parameters_claim(custom)
    launch.set_extra_claims({"email": f"{params.get('login_hint', '')}@example.edu"})
    if hint.get("deep"):
        launch.set_dl(f"{platform.url}/deep_link_return", title="Dropout Lab")
    else:
        launch.set_ags(f"{platform.url}/lineitems", platform.lineitem)
    launch.set_nrps(f"{platform.url}/memberships")
    if bent.expired:
        launch.set_id_token_expiration(-120)
    if bent.nonce:
        params["nonce"] = bent.nonce
    launch.prepare_launch = lambda _preflight: _bend(launch, bent, platform)  # type: ignore
    return launch.lti_launch(platform=platform)


def _bend(launch: _Launch, bent: Mischief, platform: Platform) -> None:
    original = launch.get_launch_message

    def message(include_extra_claims: bool = True) -> dict[str, t.Any]:
        body = original(include_extra_claims)
        if bent.issuer:
            body["iss"] = bent.issuer
        if bent.audience:
            body["aud"] = body["azp"] = bent.audience
        if bent.deployment:
            body[CLAIM + "deployment_id"] = bent.deployment
        for claim in bent.drop:
            body.pop(claim, None)
        return body

    launch.get_launch_message = message  # type: ignore[method-assign]
    if bent.other_key:
        launch._registration = t.cast(Registration, launch._registration)
        launch._registration.set_platform_private_key(rsa_pair()[0])


def _app(platform: Platform) -> Starlette:
    async def course(request: Request) -> Response:
        q = request.query_params
        login = _Login(request, _Conf(platform=platform))
        login.set_lti_message_hint(role=q.get("role"), step=q.get("step"), name=q.get("name"),
                                   deep=q.get("deep"), target=q.get("target"))  # fmt: skip
        return login.initiate_login(q["user"])

    async def auth(request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.form()).items()})
        return _launch(platform, params)

    async def jwks(_request: Request) -> Response:
        return JSONResponse({"keys": [Registration.get_jwk(platform.public_pem)]})

    return Starlette(
        routes=[
            Route("/course", course),
            Route("/auth", auth, methods=["GET", "POST"]),
            Route("/jwks", jwks),
            *lti_services.routes(platform, lambda: _Conf(platform=platform)),
        ]
    )


@contextlib.contextmanager
def running_platform() -> Iterator[Platform]:
    """The platform on a free loopback port (its socket bound before anyone is told the port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    private, public = rsa_pair()
    platform = Platform(f"http://127.0.0.1:{sock.getsockname()[1]}", private, public)
    server = uvicorn.Server(uvicorn.Config(_app(platform), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait.until(lambda: server.started, timeout=30, what="the LTI platform's start")
        yield platform
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
