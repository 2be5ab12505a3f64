"""Resume codes on both backends: a learner's own code opens their work and nothing else; codes
are random, typed forgivingly, stored only as hashes, replaced, counted when wrong (at once too),
and given to roster learners once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dropout_lab.store import Store
from dropout_lab.store.access import (
    ALPHABET,
    NameTaken,
    code_hash,
    format_code,
    new_secret,
    parse_code,
)
from dropout_lab.store.limits import LIMIT


def _everything(store: Store, learner_id: int) -> tuple:
    return (
        store.progress(learner_id),
        store.quiz_answers(learner_id),
        [(s["lab"], s["code"], s["summary"]) for s in store.submissions(learner_id)],
        store.reflections(learner_id),
    )


def test_the_own_code_opens_everything_and_name_and_class_open_nothing(store: Store) -> None:
    ada = store.enrol("Ada", "SOC-101")
    assert ada.created and ada.learner.name == "Ada"
    _fill_work(store, ada.learner.id)
    before = _everything(store, ada.learner.id)
    assert before[0] and before[1] and before[2] and before[3]

    got = store.resume(ada.code, "ip:10.0.0.1")  # a new day, another computer
    assert got.ok and got.wait == 0
    assert got.value.learner == ada.learner and got.value.code == ada.code
    assert _everything(store, got.value.learner.id) == before

    for name, code in (("Ada", "SOC-101"), ("ada ", "soc-101")):  # a classmate
        with pytest.raises(NameTaken):
            store.enrol(name, code)
        with pytest.raises(NameTaken):
            store.enrol(name, code, claim_unlinked=True)  # Ada has a code: no claiming it
    bob = store.enrol("Bob", "SOC-101")
    assert bob.learner.id != ada.learner.id
    assert _everything(store, bob.learner.id) == ({}, {}, [], {})
    ada_id, _ = parse_code(ada.code)
    wrong = [
        bob.code.replace(f"{bob.learner.id}-", f"{ada_id}-", 1),  # Bob's secret, Ada's id
        ada.code.replace(f"{ada_id}-", f"{bob.learner.id}-", 1),  # Ada's secret, Bob's id
        ada.code[:-1] + ("0" if ada.code[-1] != "0" else "1"),  # one symbol off
        f"{ada_id}-" + "0" * 20,
        "Ada",
        "",
        "?learner=Ada&class=SOC-101",
    ]
    for code in wrong:
        assert not store.resume(code, "ip:10.0.0.2").ok, code
    assert _everything(store, ada.learner.id) == before


def _fill_work(store: Store, learner_id: int) -> None:
    store.record(learner_id, "explore", "rate")
    store.save_quiz_answer(learner_id, "q1", 2, True)
    store.save_submission(learner_id, "overfit", "model = 1", {"l": 1}, {"run_key": "k1"})
    store.save_reflection(learner_id, "why", "mine")


def test_codes_are_typed_forgivingly_and_are_random() -> None:
    code = format_code(12, "ABCDEFGHJKMNPQRSTVWX")
    assert code == "12-ABCD-EFGH-JKMN-PQRS-TVWX"
    for typed in (code, code.lower(), " 12 abcd efgh jkmn pqrs tvwx ", "12-ABCDEFGHJKMNPQRSTVWX",
                  f"https://lab.example.org/reflect?resume={code}&step=read"):  # fmt: skip
        assert parse_code(typed) == (12, "ABCDEFGHJKMNPQRSTVWX"), typed
    assert parse_code("12-0O1IL" + "A" * 15) == (12, "00111" + "A" * 15)  # O, I, L read as 0, 1
    for bad in ("", "12", "12-ABC", "ABCD-" * 5, "12-" + "U" * 20, "x" * 5000, None, 12):
        assert parse_code(bad) is None, bad
    secrets_ = {new_secret() for _ in range(2000)}
    assert len(secrets_) == 2000  # 100 bits each: never the same twice
    assert all(len(s) == 20 and set(s) <= set(ALPHABET) for s in secrets_)
    assert len(ALPHABET) ** 20 >= 2**100


def test_codes_are_stored_only_as_hashes(store: Store) -> None:
    ada = store.enrol("Ada", "C1")
    _fill_work(store, ada.learner.id)
    _, secret = parse_code(ada.code)
    import sqlalchemy as sa

    dump = []
    with store._engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            dump += [repr(tuple(r)) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    text = "\n".join(dump)
    assert secret not in text and ada.code not in text
    assert code_hash(ada.learner.id, secret) in text  # the hash only
    shown = repr(store.class_progress("C1")) + repr(store.class_learners("C1"))
    assert secret not in shown and code_hash(ada.learner.id, secret) not in shown
    assert store.class_progress("C1")[0]["has_link"] is True


def test_a_new_code_works_and_the_old_one_does_not(store: Store) -> None:
    ada = store.enrol("Ada", "C1")
    _fill_work(store, ada.learner.id)
    before = _everything(store, ada.learner.id)
    new = store.issue_code(ada.learner.id)
    assert new != ada.code
    assert not store.resume(ada.code, "ip:1").ok and not store.code_ok(ada.learner.id, ada.code)
    got = store.resume(new, "ip:1")
    assert got.ok and got.value.learner == ada.learner and store.code_ok(ada.learner.id, new)
    assert _everything(store, ada.learner.id) == before  # the work stays
    third = store.issue_code(ada.learner.id)
    assert not store.resume(new, "ip:1").ok and store.resume(third, "ip:1").ok
    with pytest.raises(ValueError, match="no learner with id 4242"):
        store.issue_code(4242)


def test_many_wrong_codes_at_once_are_counted_one_by_one(store_url: str) -> None:
    store = Store(store_url)
    ada = store.enrol("Ada", "C1")
    wrong = f"{ada.learner.id}-" + "1" * 20
    barrier = threading.Barrier(20)
    checked: list[bool] = []

    def guess() -> None:
        barrier.wait()
        checked.append(store.resume(wrong, "ip:9.9.9.9").wait == 0)

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(checked) == 20
    assert sum(checked) == LIMIT.per_window - 1  # the tenth already waits; the rest refused
    store.close()


def test_enrolling_one_name_at_once_gives_it_to_one_learner(store_url: str) -> None:
    store = Store(store_url)
    barrier = threading.Barrier(10)
    got: list[object] = []

    def enrol() -> None:
        barrier.wait()
        try:
            got.append(store.enrol("Same", "Crowd").code)
        except NameTaken:
            got.append(None)

    threads = [threading.Thread(target=enrol) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    codes = [c for c in got if c]
    assert len(got) == 10 and len(codes) == 1
    assert store.resume(codes[0], "ip:1").ok
    store.close()


def test_learners_without_a_code_get_one_when_issued_or_claimed(store: Store) -> None:
    old = store.join("Ada", "C1")  # as before resume codes: no code
    _fill_work(store, old.id)
    before = _everything(store, old.id)
    assert store.class_progress("C1")[0]["has_link"] is False
    with pytest.raises(NameTaken):
        store.enrol("Ada", "C1")  # the class does not allow claiming
    claimed = store.enrol("ada", "c1", claim_unlinked=True)  # it does now
    assert claimed.learner == old and not claimed.created
    assert _everything(store, old.id) == before
    with pytest.raises(NameTaken):
        store.enrol("Ada", "C1", claim_unlinked=True)  # claimed once, by whoever came first
    other = store.join("Bob", "C1")
    code = store.issue_code(other.id)  # the instructor's way
    assert store.resume(code, "ip:1").value.learner == other


def test_the_roster_creates_learners_with_codes_once(store: Store) -> None:
    store.join("Old Timer", "SOC-101")  # there before resume codes
    with_code = store.enrol("Linked", "SOC-101")
    names = ["Ada Lovelace", "Old Timer", "Linked"]
    lines = store.roster("SOC-101", names)
    assert [line.name for line in lines] == names
    assert [line.created for line in lines] == [True, False, False]
    assert lines[0].code and lines[1].code and lines[2].code is None  # Linked keeps theirs
    for line in lines[:2]:
        assert store.resume(line.code, "ip:1").value.learner == line.learner
    assert store.resume(with_code.code, "ip:1").ok
    again = store.roster("SOC-101", names)  # printed again: nobody's link is replaced
    assert [line.code for line in again] == [None, None, None]
    assert store.resume(lines[0].code, "ip:1").ok
    fresh = store.roster("SOC-101", ["Ada Lovelace"], reissue=True)
    assert fresh[0].code and not store.resume(lines[0].code, "ip:1").ok
    assert [p.name for p in store.class_learners("SOC-101")] == [
        "Ada Lovelace", "Linked", "Old Timer"]  # fmt: skip


def test_the_roster_command_prints_each_learners_link(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from dropout_lab import cli

    lesson = tmp_path / "soc-101.toml"
    lesson.write_text('[class]\ncode = "SOC-101"\nroster = ["Ada Lovelace", "Bob"]\n')
    monkeypatch.setenv("DROPOUT_LAB_DATABASE_URL", store_url)

    def roster(*extra: str) -> dict[str, str]:
        args = ["roster", "--lesson", str(lesson), "--base-url", "https://lab.example.org/"]
        assert cli.main([*args, *extra]) == 0
        out = capsys.readouterr().out
        return dict(line.split("\t") for line in out.splitlines() if "\t" in line)

    first = roster()
    assert set(first) == {"Ada Lovelace", "Bob"}
    store = Store(store_url)
    for name, link in first.items():
        assert link.startswith("https://lab.example.org/?resume=")
        assert store.resume(link, "ip:1").value.learner.name == name  # a pasted link works
    assert roster() == {"Ada Lovelace": "has a link already", "Bob": "has a link already"}
    again = roster("--reissue")
    assert not store.resume(first["Bob"], "ip:1").ok and store.resume(again["Bob"], "ip:1").ok
    store.close()
    lesson.write_text('[class]\ncode = "SOC-101"\n')
    assert cli.main(["roster", "--lesson", str(lesson)]) == 2
    assert "no [class] roster" in capsys.readouterr().err
