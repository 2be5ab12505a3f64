"""LTI's configuration file, the tool's keys and the doctor's LTI row (issue 26)."""

from __future__ import annotations

import json
import time

import pytest

from dropout_lab.lti import commands, config, keys

PLATFORM = {"issuer": "https://lms.example", "client_id": "c1", "deployment_ids": ["d1"],
            "auth_login_url": "https://lms.example/auth", "key_set_url": "https://lms.example/jwks",
            "auth_token_url": "https://lms.example/token"}  # fmt: skip


def test_a_good_file_and_what_pylti1p3_gets() -> None:
    got = config.parse({"base_url": "https://lab.example/", "platforms": [PLATFORM]})
    assert got.base_url == "https://lab.example"
    assert got.pylti()["https://lms.example"][0]["deployment_ids"] == ["d1"]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ([], "must be a JSON object"),
        ({"platforms": []}, "platforms must be a list"),
        ({"platforms": [{**PLATFORM, "deployment_ids": "d1"}]}, "deployment_ids"),
        ({"platforms": [{k: v for k, v in PLATFORM.items() if k != "client_id"}]}, "client_id"),
        ({"platforms": [{**PLATFORM, "key_set_url": "file:///etc/passwd"}]}, "key_set_url"),
        ({"base_url": "lab.example", "platforms": [PLATFORM]}, "base_url"),
        ({"platforms": [PLATFORM, PLATFORM]}, "appear twice"),
    ],
)
def test_a_broken_file_is_one_line(data: object, said: str) -> None:
    with pytest.raises(config.LtiConfigError, match=said) as e:
        config.parse(data, "lti.json")
    assert "\n" not in str(e.value) and str(e.value).startswith("lti.json")


def test_keys_are_private_and_rotation_keeps_the_old_one_a_day(tmp_path) -> None:
    first = keys.ensure(tmp_path)
    assert keys.ensure(tmp_path).current == first.current  # made once
    assert (keys.folder(tmp_path) / f"{first.current}.pem").stat().st_mode & 0o777 == 0o600
    assert keys.folder(tmp_path).stat().st_mode & 0o777 == 0o700
    second = keys.rotate(tmp_path)
    kids = [k["kid"] for k in keys.jwks(second)["keys"]]
    assert kids == [second.current, first.current]
    later = time.time() + keys.GRACE_SECONDS + 60
    assert keys.prune(tmp_path, now=later) == [first.current]
    assert [k["kid"] for k in keys.jwks(keys.load(tmp_path))["keys"]] == [second.current]


def test_the_doctor_row(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(config.ENV, raising=False)
    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(tmp_path))
    assert commands.health()[0] and "off" in commands.health()[1]
    path = tmp_path / "lti.json"
    path.write_text(json.dumps({"platforms": [PLATFORM]}))
    monkeypatch.setenv(config.ENV, str(path))
    ok, _, fix = commands.health()
    assert not ok and "lti keys" in fix
    keys.ensure()
    ok, detail, _ = commands.health()
    assert ok and "https://lms.example" in detail and "0 score(s) sent" in detail
    path.write_text("{")
    ok, detail, _ = commands.health()
    assert not ok and detail.startswith("lti.json")


def test_the_doctor_row_counts_scores_not_reaching_the_lms(tmp_path, monkeypatch) -> None:
    from dropout_lab.lesson.score import Score
    from dropout_lab.store import Store
    from dropout_lab.store.lti_grades import GradeLink

    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DROPOUT_LAB_DATABASE_URL", raising=False)
    path = tmp_path / "lti.json"
    path.write_text(json.dumps({"platforms": [PLATFORM]}))
    monkeypatch.setenv(config.ENV, str(path))
    keys.ensure()
    store = Store()
    ada = store.join("Ada", "C1").id
    store.lti_grade_link(ada, GradeLink("l1", "https://lms.example", "c1", "u", "lesson",
                                        "https://lms.example/li/1", None, ("score",)))  # fmt: skip
    store.lti_queue_score(ada, "l1", Score(10.0, 100.0, "InProgress", "FullyGraded"))
    (due,) = store.lti_claim_scores(lease=60)
    store.lti_score_failed(due, "ConnectionError", retry_in=60)
    store.close()
    ok, detail, fix = commands.health()
    assert ok and "1 score(s) not reaching the LMS yet" in detail and "retried" in fix
