"""The LTI endpoints on the app's own server (Starlette routes, handed to `st.App`):

- `/lti/login` (GET or POST): the LMS starts the OIDC third-party login; the browser is sent to
  the LMS's authorization URL with a state and nonce kept in the database;
- `/lti/launch` (POST): the LMS posts the signed id_token; once checked (`tool.Tool.check`) the
  user becomes a learner of the course's class, or its instructor, and the browser is sent to the
  lesson with a one-time code (`?lti=`) that the page exchanges for the session;
- `/lti/jwks` (GET): the tool's public keys.

A refused launch gets a plain page saying what failed and what the admin can check, status 403,
and one log line without the token. The store and the tool are asked for on each request, so a
rotated key is served at once."""

from __future__ import annotations

import html
import logging
import typing as t

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dropout_lab.lesson.content import step_text
from dropout_lab.lti import keys
from dropout_lab.lti.config import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, LtiConfig
from dropout_lab.lti.tool import Person, Refusal, Tool
from dropout_lab.store.lti import Handoff

log = logging.getLogger(__name__)
PARAM_MAX = 20_000  # characters of one form field (an id_token is a few KB)
DASHBOARD = "dashboard"


def make_routes(config: LtiConfig, store: t.Callable[[], t.Any], steps: t.Collection[str]
                ) -> list[Route]:  # fmt: skip
    """The three routes, for the platforms in `config`, over the Store `store()` returns."""

    def tool() -> Tool:
        return Tool(config, keys.ensure(), store())

    async def login(request: Request) -> Response:
        params = await _params(request)
        try:
            url = await run_in_threadpool(tool().login, params, _secure(request), _base(request))
        except Refusal as e:
            return refused(e)
        return RedirectResponse(url, status_code=302)

    async def launch(request: Request) -> Response:
        params = await _params(request)
        try:
            person = await run_in_threadpool(tool().check, params, _secure(request), steps)
            code, target = await run_in_threadpool(_enter, store(), person)
        except Refusal as e:
            return refused(e)
        except Exception as e:  # the database: nothing half-made is shown as a success
            log.error("LTI launch could not be recorded: %s", type(e).__name__)
            return refused(Refusal("store"))
        log.info("LTI launch: %s of %s", "instructor" if person.instructor else "learner",
                 person.context_id[:80])  # fmt: skip
        path = "" if target in ("", "overview") else target
        return RedirectResponse(f"{_base(request)}/{path}?lti={code}", status_code=303)

    def _base(request: Request) -> str:
        return config.base_url or str(request.base_url).rstrip("/")

    async def jwks(_request: Request) -> Response:
        found = await run_in_threadpool(keys.ensure)
        return JSONResponse(keys.jwks(found), headers={"Cache-Control": "max-age=300"})

    return [
        Route(LOGIN_PATH, login, methods=["GET", "POST"]),
        Route(LAUNCH_PATH, launch, methods=["POST"]),
        Route(JWKS_PATH, jwks, methods=["GET"]),
    ]


def _enter(store: t.Any, person: Person) -> tuple[str, str]:
    """The learner or instructor a checked launch makes, and their one-time code."""
    class_code = store.lti_class(person.platform, person.context_id, person.context_label)
    if person.instructor:
        return store.lti_handoff(Handoff("instructor", class_code, None, DASHBOARD)), DASHBOARD
    learner = store.lti_learner(person.platform, person.context_id, person.sub, person.name,
                                class_code)  # fmt: skip
    return store.lti_handoff(Handoff("learner", class_code, learner.id, person.step)), person.step


async def _params(request: Request) -> dict[str, str]:
    found = dict(request.query_params)
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=50)
        found.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {k: v for k, v in found.items() if len(v) <= PARAM_MAX}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def refused(e: Refusal) -> HTMLResponse:
    """The plain page of a refused launch (status 403), and its one log line."""
    log.warning("LTI launch refused: %s%s", e.reason, f" ({e.detail})" if e.detail else "")
    words = step_text("lti")
    row = words["refusals"].get(e.reason, words["refusals"]["claim"])
    page = words["page"]
    body = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(page['title'])}</title></head>"
        f"<body style='font-family: sans-serif; max-width: 40rem; margin: 2rem auto; "
        f"padding: 0 1rem; line-height: 1.5'>"
        f"<h1>{html.escape(page['title'])}</h1>"
        f"<p id='what' data-reason='{html.escape(e.reason)}'>{html.escape(row['what'])}</p>"
        f"<p><strong>{html.escape(page['check'])}</strong> {html.escape(row['check'])}</p>"
        f"<p>{html.escape(page['told'])}</p><p>{html.escape(page['again'])}</p></body></html>"
    )
    return HTMLResponse(body, status_code=403)
