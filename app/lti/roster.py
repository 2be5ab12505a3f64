"""The course's roster from the LMS (Names and Role Provisioning, NRPS): who is in the course,
and which of its learners have not started the lesson yet.

A launch keeps the course's NRPS address (`lti_course_services`); `pull` asks the LMS for every
member (PyLTI1p3's NamesRolesProvisioningService, a service token first) and keeps them
(`lti_members`), so the dashboard shows the roster without asking the LMS again."""

from __future__ import annotations

import typing as t

from dropout_lab.lti import services


def pull(store: t.Any, tool_conf: t.Any, class_code: str) -> list[dict] | None:
    """Ask the LMS for the course's members and keep them; the roster, or None when the class
    is no LMS course or the LMS offered no NRPS address."""
    course = store.lti_course(class_code)
    if not course or not course.get("memberships_url"):
        return None
    conn = services.connector(tool_conf, course["platform"], course["client_id"])
    store.lti_remember(course["platform"], course["context_id"],
                       services.members(conn, course["memberships_url"]))  # fmt: skip
    return store.lti_roster(course["platform"], course["context_id"])


def roster(store: t.Any, class_code: str) -> list[dict] | None:
    """The course's members as last kept (None: the class is no LMS course)."""
    course = store.lti_course(class_code)
    return None if course is None else store.lti_roster(course["platform"], course["context_id"])


def waiting(members: list[dict], started: t.Collection[int]) -> list[dict]:
    """The course's active learners who have not started: never launched the tool, or launched
    it and done nothing yet (`started`: the ids of learners with any progress or answer)."""
    return [m for m in members if m["learner"] and m["status"] == "Active"
            and (m["learner_id"] is None or m["learner_id"] not in started)]  # fmt: skip
