"""Deep linking (LTI 1.3): an instructor adding the tool to a course picks what the link opens
and the score it reports.

The LMS's LtiDeepLinkingRequest launch (checked like any launch) gets a plain page listing the
targets (lesson/score.py TARGETS, words in lessons/lti.toml [targets]). What the request said
(its platform, client, deployment and settings) is kept in the database under a one-time key
for ten minutes; the page's form posts the key and the choice to `/lti/deep_link`, which answers
with PyLTI1p3's signed LtiDeepLinkingResponse, auto-posted to the LMS's deep_link_return_url:
one ltiResourceLink to this server's launch URL with the custom parameter `target` and a line
item (label, points, tag) for the gradebook."""

from __future__ import annotations

import html
import secrets
import typing as t

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.score import TARGETS
from dropout_lab.lti.config import LAUNCH_PATH
from dropout_lab.lti.tool import LaunchRefused, Person

PATH = "/lti/deep_link"
PICK_SECONDS = 600.0
STYLE = ("font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; "
         "line-height: 1.5")  # fmt: skip


def _key(code: str) -> str:
    return f"lti-deep-link-{code}"


def picker(person: Person, kept: t.Any, points: float) -> str:
    """The page that lists the targets; what the request said is kept for the answer."""
    if not person.instructor:
        raise LaunchRefused("deep_link")
    code = secrets.token_urlsafe(24)
    kept.lti_put(_key(code), {"platform": person.platform, "client_id": person.client_id,
                              "deployment_id": person.deployment_id,
                              "settings": person.deep_link or {}}, PICK_SECONDS)  # fmt: skip
    words, targets = step_text("lti")["deep_link"], step_text("lti")["targets"]
    e = html.escape
    choices = "".join(
        f"<p><label><input type='radio' name='target' value='{e(tid)}'"
        f"{' checked' if tid == 'lesson' else ''}> <strong>{e(targets[tid]['label'])}</strong>"
        f"</label><br><small>{e(targets[tid]['score'])}</small></p>"
        for tid in TARGETS
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(words['title'])}</title></head><body style='{STYLE}'>"
        f"<h1>{e(words['title'])}</h1><p>{e(words['intro'])}</p>"
        f"<form method='post' action='{PATH}'><input type='hidden' name='pick' value='{code}'>"
        f"<fieldset style='border: 0; padding: 0'>{choices}</fieldset>"
        f"<p>{e(words['points'].format(points=points))}</p>"
        f"<button type='submit'>{e(words['button'])}</button></form></body></html>"
    )


def answer(params: dict[str, str], kept: t.Any, tool_conf: t.Any, base: str, points: float
           ) -> str:  # fmt: skip
    """The auto-posting page that returns the signed LtiDeepLinkingResponse to the LMS."""
    got = kept.lti_take(_key(str(params.get("pick") or "")[:64]))
    target = params.get("target") or ""
    if not isinstance(got, dict) or target not in TARGETS:
        raise LaunchRefused("picked")
    registration = tool_conf.find_registration_by_params(got["platform"], got["client_id"])
    settings = got["settings"]
    return_url = settings.get("deep_link_return_url")
    if registration is None or not isinstance(return_url, str):
        raise LaunchRefused("picked", "no registration or return URL")
    label = step_text("lti")["targets"][target]["label"]
    item = (LineItem().set_label(label).set_score_maximum(points)
            .set_tag(f"dropout-lab:{target}"))  # fmt: skip
    resource = (DeepLinkResource().set_url(base + LAUNCH_PATH).set_title(label)
                .set_custom_params({"target": target}).set_lineitem(item))  # fmt: skip
    token = DeepLink(registration, got["deployment_id"], settings).get_response_jwt([resource])
    e = html.escape
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(label)}</title>"
        f"</head><body><form id='f' method='post' action='{e(return_url)}'>"
        f"<input type='hidden' name='JWT' value='{e(token)}'></form>"
        f"<script>document.getElementById('f').submit()</script></body></html>"
    )
