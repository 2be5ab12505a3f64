"""One database engine per process (issue 24): every store on the same database in a process
shares one engine and its pool, on SQLite and PostgreSQL; closing one leaves the others working;
a forked child makes its own (pooled connections must not cross a fork)."""

from __future__ import annotations

import multiprocessing
import os

from dropout_lab.store import Store, schema


def test_stores_on_one_database_share_one_engine(store_url: str, tmp_path) -> None:
    learners, queue = Store(store_url), Store(store_url)
    assert learners._engine is queue._engine
    elsewhere = Store(f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    assert elsewhere._engine is not learners._engine


def test_closing_one_store_leaves_the_others_working(store_url: str) -> None:
    learners, queue = Store(store_url), Store(store_url)
    ada = learners.join("Ada", "ENG1")
    queue.close()
    assert learners.learner(ada.id).name == "Ada"
    assert queue.learner(ada.id).name == "Ada"


def _own_engine(url: str, parent_engine_id: int) -> None:
    os._exit(0 if id(schema.shared_engine(url)) != parent_engine_id else 1)


def test_a_forked_child_makes_its_own_engine(store_url: str) -> None:
    parent = schema.shared_engine(store_url)
    child = multiprocessing.get_context("fork").Process(
        target=_own_engine, args=(store_url, id(parent))
    )
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0
