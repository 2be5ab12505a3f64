"""The learner store on both backends: behaviour, validation, isolation and concurrency (resume
codes: test_resume_codes.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from dropout_lab.store import Learner, Store
from dropout_lab.store.runblobs import RunBlobs


def test_join_is_idempotent_trimmed_and_case_insensitive(store: Store) -> None:
    ada = store.join("  Ada   Lovelace ", " CS-101 ")
    assert ada == Learner(ada.id, "Ada Lovelace", "CS-101")
    assert store.join("Ada Lovelace", "CS-101") == ada
    assert store.join("ada lovelace", "cs-101") == ada  # shown as first typed
    bob = store.join("Bob", "CS-101")
    other = store.join("Ada Lovelace", "Night_class.2")
    assert len({ada.id, bob.id, other.id}) == 3
    assert store.learner(ada.id) == ada
    assert store.learner(10_000) is None
    assert store.join("José Ñúñez", "Élève").name == "José Ñúñez"  # letters of any script


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("", "C1", "Please enter a name."),
        ("   ", "C1", "Please enter a name."),
        ("Ada", "", "Please enter a class code."),
        ("x" * 41, "C1", "Name must be at most 40 characters long (41 given)."),
        ("Ada", "c" * 41, "Class code must be at most 40 characters long (41 given)."),
        ("Ada<script>", "C1", "Name may contain only letters, digits, spaces and - _ ."),
        ("Ada", "C1; DROP TABLE learners", "Class code may contain only letters, digits"),
        ("Ada", "a/b", "(not '/')"),
        (None, "C1", "Name must be text."),
    ],
)
def test_join_validates_with_clear_messages(store: Store, name, code, message) -> None:
    with pytest.raises(ValueError) as info:
        store.join(name, code)
    assert message in str(info.value)
    assert store.class_learners("C1") == []


def test_forty_characters_are_fine(store: Store) -> None:
    assert store.join("x" * 40, "c" * 40).name == "x" * 40


def test_progress(store: Store) -> None:
    me = store.join("Ada", "C1").id
    assert store.progress(me) == {}
    store.record(me, "explore", "moved_rate")
    store.record(me, "explore", "moved_rate")  # twice: still one
    store.record(me, "explore", "saw_mask")
    store.record(me, "build", "trained")
    store.record(me, "build", "trained", done=False)  # undone
    assert store.progress(me) == {"explore": {"moved_rate", "saw_mask"}}
    store.record(me, "build", "trained", True)
    assert store.progress(me)["build"] == {"trained"}
    with pytest.raises(ValueError, match="no learner with id 999"):
        store.record(999, "explore", "x")
    with pytest.raises(ValueError, match="step must be"):
        store.record(me, "", "x")
    with pytest.raises(ValueError, match="criterion must be"):
        store.record(me, "explore", "no spaces please")
    with pytest.raises(ValueError, match="learner id"):
        store.record("1", "explore", "x")  # type: ignore[arg-type]


def test_first_quiz_answer_counts(store: Store) -> None:
    me = store.join("Ada", "C1").id
    store.save_quiz_answer(me, "q1", 2, False)
    store.save_quiz_answer(me, "q1", 1, True)  # a later answer is ignored
    store.save_quiz_answer(me, "q2", 0, True)
    assert store.quiz_answers(me) == {"q1": (2, False), "q2": (0, True)}
    with pytest.raises(ValueError, match="no learner"):
        store.save_quiz_answer(12345, "q1", 0, True)
    with pytest.raises(ValueError, match="choice"):
        store.save_quiz_answer(me, "q3", "b", True)  # type: ignore[arg-type]


def test_submissions(store: Store) -> None:
    me = store.join("Ada", "C1").id
    assert store.submissions(me) == []
    store.save_submission(me, "keras", "model = ...  # broken", None, None)
    summary = {
        "run_key": "abc123",
        "rates": [np.float32(0.5), 0.25],  # NumPy values are stored as plain numbers
        "val_accuracy": np.float64(0.875),
        "val_loss": 0.31,
        "epochs": np.int64(20),
    }
    store.save_submission(me, "keras", "x = 1\n" * 3, {"layers": [1, 2]}, summary)
    subs = store.submissions(me)
    assert [s["lab"] for s in subs] == ["keras", "keras"]
    assert subs[0]["spec"] is None and subs[0]["summary"] is None and subs[0]["run_key"] is None
    assert subs[1]["code"] == "x = 1\n" * 3
    assert subs[1]["spec"] == {"layers": [1, 2]}
    assert subs[1]["summary"] == {
        "run_key": "abc123",
        "rates": [0.5, 0.25],
        "val_accuracy": 0.875,
        "val_loss": 0.31,
        "epochs": 20,
    }
    assert subs[1]["run_key"] == "abc123"
    assert subs[0]["id"] < subs[1]["id"] and subs[0]["created_at"] <= subs[1]["created_at"]
    with pytest.raises(ValueError, match="too long"):
        store.save_submission(me, "keras", "x" * 300_000, None, None)
    with pytest.raises(ValueError, match="summary must be JSON"):
        store.save_submission(me, "keras", "", None, {"f": object()})
    assert len(store.submissions(me)) == 2


def test_reflections_upsert(store: Store) -> None:
    me = store.join("Ada", "C1").id
    store.save_reflection(me, "why", "first thoughts")
    store.save_reflection(me, "why", "better thoughts ✓ — with unicode")
    store.save_reflection(me, "when", "")
    assert store.reflections(me) == {"why": "better thoughts ✓ — with unicode", "when": ""}


def _fill(store: Store, name: str, code: str, acc: float) -> int:
    me = store.join(name, code).id
    store.record(me, "explore", f"{name}-criterion")
    store.save_quiz_answer(me, f"{name}-q", 1, True)
    store.save_quiz_answer(me, "shared", 0, False)
    store.save_submission(
        me,
        "keras",
        f"# {name}",
        {"who": name},
        {"run_key": f"k{name}", "rates": [0.2, 0.4], "val_accuracy": acc, "val_loss": 1 - acc},
    )
    store.save_submission(me, "keras", "# no summary", None, None)
    store.save_reflection(me, "why", f"{name} thinks")
    return me


def test_learners_and_classes_are_isolated(store: Store) -> None:
    ada = _fill(store, "Ada", "Morning", 0.9)
    bob = _fill(store, "Bob", "Evening", 0.7)
    cy = store.join("Cy", "Morning").id

    assert store.progress(ada) == {"explore": {"Ada-criterion"}}
    assert store.progress(bob) == {"explore": {"Bob-criterion"}}
    assert store.progress(cy) == {}
    assert set(store.quiz_answers(ada)) == {"Ada-q", "shared"}
    assert [s["code"] for s in store.submissions(bob)] == ["# Bob", "# no summary"]
    assert store.reflections(ada) == {"why": "Ada thinks"}
    assert store.reflections(cy) == store.quiz_answers(cy) == {} and store.submissions(cy) == []

    assert [p.name for p in store.class_learners("morning")] == ["Ada", "Cy"]
    assert [p.name for p in store.class_learners("Evening")] == ["Bob"]
    assert store.class_learners("Nobody") == []

    rows = store.class_progress("Morning")
    assert rows == [
        {
            "learner_id": ada,
            "name": "Ada",
            "progress": {"explore": {"Ada-criterion"}},
            "quiz_correct": 1,
            "quiz_answered": 2,
            "submissions": 2,
            "reflections": 1,
            "has_link": False,
            "link_issued_at": None,
            "last_seen_at": None,
        },
        {
            "learner_id": cy,
            "name": "Cy",
            "progress": {},
            "quiz_correct": 0,
            "quiz_answered": 0,
            "submissions": 0,
            "reflections": 0,
            "has_link": False,
            "link_issued_at": None,
            "last_seen_at": None,
        },
    ]
    assert "Bob" not in repr(rows)

    sweep = store.class_sweep("Morning")
    assert len(sweep) == 1  # the submission without a summary is not in the sweep
    (row,) = sweep
    assert row["learner_id"] == ada and row["name"] == "Ada" and row["lab"] == "keras"
    assert row["run_key"] == "kAda" and row["rates"] == [0.2, 0.4]
    assert row["mean_rate"] == pytest.approx(0.3)
    assert row["val_accuracy"] == 0.9 and row["val_loss"] == pytest.approx(0.1)
    assert [r["name"] for r in store.class_sweep("Evening")] == ["Bob"]
    assert store.class_sweep("Nobody") == [] and store.class_progress("Nobody") == []


def test_sweep_of_a_model_without_dropout(store: Store) -> None:
    me = store.join("Ada", "C1").id
    store.save_submission(me, "keras", "", None, {"rates": [], "val_accuracy": 0.5})
    (row,) = store.class_sweep("C1")
    assert row["rates"] == [] and row["mean_rate"] == 0.0 and row["val_loss"] is None


def test_thirty_learners_writing_at_once_lose_nothing(store_url: str) -> None:
    store = Store(store_url)
    barrier = threading.Barrier(30)
    errors: list[BaseException] = []

    def learner(i: int) -> None:
        try:
            barrier.wait()
            me = store.join(f"Learner {i}", "Crowd").id
            for j in range(20):
                store.record(me, "explore", f"c{j}")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    rows = store.class_progress("Crowd")
    assert len(rows) == 30
    assert sum(len(r["progress"]["explore"]) for r in rows) == 600
    store.close()


def test_everyone_joining_the_same_name_at_once_gets_one_learner(store_url: str) -> None:
    store = Store(store_url)
    barrier = threading.Barrier(10)
    got: list[int] = []

    def join() -> None:
        barrier.wait()
        got.append(store.join("Same", "Crowd").id)

    threads = [threading.Thread(target=join) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(got) == 10 and len(set(got)) == 1
    store.close()


def test_default_url_is_an_sqlite_file_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DROPOUT_LAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(tmp_path / "data"))
    store = Store()
    assert store.url == f"sqlite:///{tmp_path / 'data' / 'dropout-lab.sqlite3'}"
    store.join("Ada", "C1")
    store.close()
    assert (tmp_path / "data" / "dropout-lab.sqlite3").is_file()
    assert [p.name for p in Store().class_learners("C1")] == ["Ada"]  # kept across restarts


def test_database_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("DROPOUT_LAB_DATABASE_URL", url)
    assert Store().url == url
    assert (tmp_path / "elsewhere.db").is_file()


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_finished_runs_are_shared_through_the_store(store_url: str) -> None:
    one, two = RunBlobs(store_url), RunBlobs(store_url)  # e.g. two app processes
    assert one.run_keys() == [] and one.run_meta("k1") is None and one.run_weights("k1") is None
    blob = bytes(range(256)) * 1000
    one.put_run("k1", {"history": {"val_accuracy": [np.float32(0.5), 0.75]}, "epochs": 2}, blob)
    assert two.has_run("k1") and not two.has_run("k2")
    assert two.run_meta("k1") == {"history": {"val_accuracy": [0.5, 0.75]}, "epochs": 2}
    assert two.run_weights("k1") == blob
    two.put_run("k1", {"epochs": 3}, b"new")  # a rewrite replaces the whole run
    assert one.run_meta("k1") == {"epochs": 3} and one.run_weights("k1") == b"new"
    one.put_run("k0", {}, b"")
    assert one.run_keys() == ["k0", "k1"]
    with pytest.raises(ValueError, match="run key"):
        one.put_run("../etc", {}, b"")
    with pytest.raises(ValueError, match="weights must be bytes"):
        one.put_run("k2", {}, "text")  # type: ignore[arg-type]
    one.close()
    two.close()


CROWD = """
import sys, threading
from dropout_lab.store import Store
store = Store(sys.argv[1])
first = int(sys.argv[2])
def learner(i):
    me = store.join(f"Learner {i}", "Crowd").id
    for j in range(20):
        store.record(me, "explore", f"c{j}")
threads = [threading.Thread(target=learner, args=(first + k,)) for k in range(5)]
for t in threads: t.start()
for t in threads: t.join()
print("ok")
"""


def test_thirty_learners_in_six_processes_lose_nothing(store_url: str) -> None:
    Store(store_url).close()
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CROWD, store_url, str(5 * p)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(6)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "ok", err[-2000:]
    rows = Store(store_url).class_progress("Crowd")
    assert len(rows) == 30
    assert sum(len(r["progress"]["explore"]) for r in rows) == 600
