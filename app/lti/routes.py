"""The LTI endpoints on the app's own server (Starlette routes, handed to `st.App`):

- `/lti/login` (GET or POST): the LMS starts the OIDC third-party login; the browser is sent to
  the LMS's authorization URL with a state and nonce kept in the database;
- `/lti/launch` (POST): the LMS posts the signed id_token; once checked (`tool.Tool.check`) the
  user becomes a learner of the course's class, or its instructor, and the browser is sent to the
  lesson with a one-time code (`?lti=`) that the page exchanges for the session;
- `/lti/jwks` (GET): the tool's public keys;
- `/lti/deep_link` (POST): an instructor's choice on the deep linking page (`deep_link`),
  answered with the signed response the browser posts back to the LMS.

A launch also keeps what it says of the LMS's services: the link's grade service (AGS: the
scores outbox's sender posts there, `outbox`), the course's roster address (NRPS) and the
member themselves (name, email, SIS id: the gradebook CSVs' identifiers).

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
from dropout_lab.lesson.score import TARGETS, Target
from dropout_lab.lti import deep_link, keys
from dropout_lab.lti.config import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, LtiConfig
from dropout_lab.lti.tool import LaunchRefused, Person, Tool
from dropout_lab.store.lti import Handoff
from dropout_lab.store.lti_grades import GradeLink, Member

log = logging.getLogger(__name__)
PARAM_MAX = 20_000  # characters of one form field (an id_token is a few KB)
DASHBOARD = "dashboard"


def make_routes(config: LtiConfig, store: t.Callable[[], t.Any], steps: t.Collection[str],
                points: float = 100.0) -> list[Route]:  # fmt: skip
    """The routes, for the platforms in `config`, over the Store `store()` returns; `points`
    is a gradebook line item's maximum (the lesson file's [grading] points)."""

    def tool() -> Tool:
        return Tool(config, keys.ensure(), store())

    async def login(request: Request) -> Response:
        params = await _params(request)
        try:
            url = await run_in_threadpool(tool().login, params, _secure(request), _base(request))
        except LaunchRefused as e:
            return refused(e)
        return RedirectResponse(url, status_code=302)

    async def launch(request: Request) -> Response:
        params = await _params(request)
        try:
            person = await run_in_threadpool(tool().check, params, _secure(request), steps)
            if person.deep_linking:
                page = await run_in_threadpool(deep_link.picker, person, store(), points)
                return HTMLResponse(page)
            code, target = await run_in_threadpool(_enter, store(), person)
        except LaunchRefused as e:
            return refused(e)
        except Exception as e:  # the database: nothing half-made is shown as a success
            log.error("LTI launch could not be recorded: %s", type(e).__name__)
            return refused(LaunchRefused("store"))
        log.info("LTI launch: %s of %s", "instructor" if person.instructor else "learner",
                 person.context_id[:80])  # fmt: skip
        path = target.split(":")[0]
        path = "" if path in ("", "overview") else path
        return RedirectResponse(f"{_base(request)}/{path}?lti={code}", status_code=303)

    async def picked(request: Request) -> Response:
        params = await _params(request)
        try:
            page = await run_in_threadpool(deep_link.answer, params, store(),
                                           tool().tool_conf, _base(request), points)  # fmt: skip
        except LaunchRefused as e:
            return refused(e)
        return HTMLResponse(page)

    def _base(request: Request) -> str:
        return config.base_url or str(request.base_url).rstrip("/")

    async def jwks(_request: Request) -> Response:
        found = await run_in_threadpool(keys.ensure)
        return JSONResponse(keys.jwks(found), headers={"Cache-Control": "max-age=300"})

    return [
        Route(LOGIN_PATH, login, methods=["GET", "POST"]),
        Route(LAUNCH_PATH, launch, methods=["POST"]),
        Route(JWKS_PATH, jwks, methods=["GET"]),
        Route(deep_link.PATH, picked, methods=["POST"]),
    ]


def _enter(store: t.Any, person: Person) -> tuple[str, str]:
    """The learner or instructor a checked launch makes, and their one-time code."""
    class_code = store.lti_class(person.platform, person.context_id, person.context_label)
    _services(store, person)
    if person.instructor:
        return store.lti_handoff(Handoff("instructor", class_code, None, DASHBOARD)), DASHBOARD
    learner = store.lti_learner(person.platform, person.context_id, person.sub, person.name,
                                class_code)  # fmt: skip
    target = TARGETS.get(person.target)
    if person.ags and person.link_id:
        store.lti_grade_link(learner.id, _grades(person, target))
    where = _landing(target) if target else person.step
    return store.lti_handoff(Handoff("learner", class_code, learner.id, where)), where


def _landing(target: Target) -> str:
    """The handoff's target: the page, and Build's lab after a colon ("build:numpy")."""
    return f"{target.page}:{target.choice}" if target.choice else target.page


def _grades(person: Person, target: Target | None) -> GradeLink:
    ags = person.ags or {}
    scopes = tuple(s for s in ags.get("scope") or [] if isinstance(s, str))
    return GradeLink(person.link_id, person.platform, person.client_id, person.sub,
                     target.id if target else (person.step or "lesson"),
                     _text(ags.get("lineitem")), _text(ags.get("lineitems")), scopes)  # fmt: skip


def _services(store: t.Any, person: Person) -> None:
    """Keep the member as the LMS named them, and the course's roster address."""
    me = Member(person.sub, person.name, person.email or None, person.sourcedid or None,
                not person.instructor)  # fmt: skip
    store.lti_remember(person.platform, person.context_id, [me])
    if person.nrps_url:
        store.lti_course_service(person.platform, person.context_id, person.client_id,
                                 person.nrps_url)  # fmt: skip


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


async def _params(request: Request) -> dict[str, str]:
    found = dict(request.query_params)
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=50)
        found.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {k: v for k, v in found.items() if len(v) <= PARAM_MAX}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def refused(e: LaunchRefused) -> HTMLResponse:
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
