"""The LTI Advantage services of the tests' platform (tests/support/lti_platform.py), each done by
`lti1p3platform` itself (written by others), on Starlette routes:

- `POST /token`: the platform's `get_access_token` checks the tool's client_credentials JWT
  against the tool's JWKS (fetched from the tool's /lti/jwks) and signs a service token;
- `POST /lineitems/{id}/scores`: its `AssignmentsGradesService.handle_update_score` checks the
  bearer token and its scopes, then `update_score` keeps the score (`platform.scores`);
- `GET /memberships`: its `NamesRoleProvisioningService.handle_get_members` (the course's
  members from `platform.members`);
- `POST /deep_link_return`: its `validate_deeplinking_resp` checks the tool's signed
  LtiDeepLinkingResponse against the tool's JWKS; the content items go to `platform.picked`.

With `platform.down` every service answers 503 before doing anything (an LMS that is down)."""

from __future__ import annotations

import json
import typing as t

from lti1p3platform.membership import Context
from lti1p3platform.request import Request as PlatformRequest
from lti1p3platform.request import TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
    TPage,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

if t.TYPE_CHECKING:
    from tests.support.lti_platform import Platform


class _Request(PlatformRequest):
    def build_metadata(self, request: t.Any) -> TRequest:
        return t.cast(TRequest, request)


async def _wrap(request: Request) -> _Request:
    body = await request.body()
    return _Request({"method": request.method, "form_data": {},
                     "get_data": dict(request.query_params), "headers": request.headers,
                     "content_type": request.headers.get("content-type"),
                     "path": request.url.path,
                     "json": json.loads(body) if body else None})  # fmt: skip


class _Grades(AssignmentsGradesService):
    platform: Platform

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        self.platform.scores.append(dict(score, lineitem=line_item_id))
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *a: t.Any, **k: t.Any) -> TPage:
        return {"content": [], "has_next": False}

    def find_lineitem(self, line_item_id: str) -> t.Any:
        return {"id": f"{self.platform.url}/lineitems/{line_item_id}"}

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        return dict(creation_data, id=self.platform.lineitem)

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        return update_data

    def delete_lineitem(self, line_item_id: str) -> None:
        return None

    def get_results(self, *a: t.Any, **k: t.Any) -> TPage:
        return {"content": [], "has_next": False}


class _Members(NamesRoleProvisioningService):
    platform: Platform

    def get_member_data_page(self, *a: t.Any, **k: t.Any) -> TPage:
        return {"content": [dict(m) for m in self.platform.members], "has_next": False}

    def get_context_by_id(self) -> Context:
        context_id, label = self.platform.context
        return Context(id=context_id, label=label, title=label)


def _answer(got: t.Any) -> Response:
    return JSONResponse(got.result, status_code=got.code, media_type=got.media_type)


def routes(platform: Platform, conf: t.Callable[[], t.Any]) -> list[Route]:
    def ready() -> t.Any:
        c = conf()
        c.get_registration()
        return c

    def down() -> Response | None:
        platform.service_calls += 1
        return Response("down", status_code=503) if platform.down else None

    async def token(request: Request) -> Response:
        if (no := down()) is not None:
            return no
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            return JSONResponse(ready().get_access_token(form))
        except Exception as e:  # a tool's bad assertion: refused as an LMS would
            return JSONResponse({"error": type(e).__name__}, status_code=400)

    async def scores(request: Request) -> Response:
        if (no := down()) is not None:
            return no
        service = _Grades(await _wrap(request), ready(), f"{platform.url}/lineitems",
                          platform.lineitem)  # fmt: skip
        service.platform = platform
        return _answer(service.handle_resp(service.handle_update_score,
                                           line_item_id=request.path_params["item"]))  # fmt: skip

    async def memberships(request: Request) -> Response:
        if (no := down()) is not None:
            return no
        service = _Members(await _wrap(request), ready(), f"{platform.url}/memberships")
        service.platform = platform
        return _answer(service.handle_resp(service.handle_get_members))

    async def deep_link_return(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        platform.picked.append(ready().validate_deeplinking_resp(form))
        return HTMLResponse("<!doctype html><p id='added'>Added to the course.</p>")

    return [
        Route("/token", token, methods=["POST"]),
        Route("/lineitems/{item}/scores", scores, methods=["POST"]),
        Route("/memberships", memberships, methods=["GET"]),
        Route("/deep_link_return", deep_link_return, methods=["POST"]),
    ]
