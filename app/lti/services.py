"""Calls to an LMS's LTI Advantage services, through PyLTI1p3: a score to the Assignment and Grade
Services (AGS) and the course's members from Names and Role Provisioning (NRPS).

Each call first gets a service token: PyLTI1p3's ServiceConnector signs a client_credentials JWT
with the tool's key and posts it to the platform's auth_token_url. Every request has a timeout
(`TIMEOUT`): a slow LMS fails a call, which the outbox retries later, and never hangs a sender."""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from dropout_lab.lesson.score import Score
from dropout_lab.store.lti_grades import GradeLink, Member

TIMEOUT = (5.0, 15.0)  # seconds to connect, to read
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER_ROLES = ("#Learner", "/Learner", "Learner")
MEMBERS_MAX = 5000


class _Session(requests.Session):
    """requests with a timeout on every call (a Session has none of its own)."""

    def request(self, method: str | bytes, url: str | bytes, *args: t.Any, **kwargs: t.Any
                ) -> requests.Response:  # fmt: skip
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def connector(tool_conf: t.Any, platform: str, client_id: str) -> ServiceConnector:
    """A connector for one registration (its service tokens are reused while it lives)."""
    registration = tool_conf.find_registration_by_params(platform, client_id)
    if registration is None:
        raise LookupError("the platform is no longer in the LTI configuration")
    session = _Session()
    session.headers["User-Agent"] = "dropout-lab"
    return ServiceConnector(registration, session)


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def put_score(conn: ServiceConnector, link: GradeLink, score: Score, at: float, label: str
              ) -> None:  # fmt: skip
    """Post `score` for the link's user to the link's line item (found or made by its tag when
    the LMS gave only the line items container)."""
    data: dict = {"scope": list(link.scopes)}
    if link.lineitem:
        data["lineitem"] = link.lineitem
    if link.lineitems:
        data["lineitems"] = link.lineitems
    ags = AssignmentsGradesService(conn, t.cast(t.Any, data))
    grade = (Grade().set_score_given(score.given).set_score_maximum(score.maximum)
             .set_activity_progress(score.activity).set_grading_progress(score.grading)
             .set_timestamp(iso(at)).set_user_id(link.sub))  # fmt: skip
    item = None
    if not link.lineitem:
        item = (LineItem().set_tag(f"dropout-lab:{link.target}").set_label(label)
                .set_score_maximum(score.maximum).set_resource_link_id(link.link_id))  # fmt: skip
    ags.put_grade(grade, item)


def members(conn: ServiceConnector, url: str) -> list[Member]:
    """The course's members (every page), as the LMS names them."""
    nrps = NamesRolesProvisioningService(conn, {"context_memberships_url": url})
    out = []
    for m in nrps.get_members()[:MEMBERS_MAX]:
        roles = [str(r) for r in m.get("roles") or []]
        name = m.get("name") or " ".join(str(m.get(k) or "") for k in ("given_name", "family_name"))
        out.append(Member(str(m.get("user_id") or ""), str(name).strip(), m.get("email"),
                          m.get("lis_person_sourcedid"),
                          any(r.endswith(LEARNER_ROLES) for r in roles),
                          str(m.get("status") or "Active")))  # fmt: skip
    return [m for m in out if m.sub]
