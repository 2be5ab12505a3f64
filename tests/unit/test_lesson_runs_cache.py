"""The quick loop's kept lesson runs (tests/support/lesson_runs.py) are used only while nothing
they depend on has changed: the folder is named by a hash of the training and lesson code, the
lesson files and the libraries' versions."""

from __future__ import annotations

from pathlib import Path

from tests.support import lesson_runs


def fake_checkout(root: Path) -> None:
    for top in lesson_runs.SOURCES:
        (root / top).mkdir(parents=True)
    (root / "app/training/trainer.py").write_text("EPOCHS = 50\n")
    (root / "lessons/lesson.toml").write_text("[build]\nseed = 0\n")


def test_a_change_to_what_the_runs_depend_on_names_another_folder(tmp_path, monkeypatch) -> None:
    fake_checkout(tmp_path)
    monkeypatch.setattr(lesson_runs, "ROOT", tmp_path)
    monkeypatch.setenv(lesson_runs.KEEP, str(tmp_path / "kept"))
    first = lesson_runs._root()
    assert first.parent == tmp_path / "kept" and first == lesson_runs._root()

    (tmp_path / "app/training/trainer.py").write_text("EPOCHS = 51\n")
    assert lesson_runs._root() != first
    (tmp_path / "app/training/trainer.py").write_text("EPOCHS = 50\n")
    assert lesson_runs._root() == first
    (tmp_path / "lessons/lesson.toml").write_text("[build]\nseed = 1\n")
    assert lesson_runs._root() != first


def test_the_libraries_versions_are_part_of_the_key(tmp_path, monkeypatch) -> None:
    fake_checkout(tmp_path)
    monkeypatch.setattr(lesson_runs, "ROOT", tmp_path)
    before = lesson_runs.source_key()
    monkeypatch.setattr(lesson_runs.metadata, "version", lambda dist: "0.0-other")
    assert lesson_runs.source_key() != before
