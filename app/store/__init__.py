"""Learners, their progress and their work, kept in a real database (SQLAlchemy 2 + Alembic).

By default the store is an SQLite file created on first start in the data directory
(`$DROPOUT_LAB_DATA_DIR/dropout-lab.sqlite3`, else `~/.local/share/dropout-lab/...`), so a
single user needs no setup. `$DROPOUT_LAB_DATABASE_URL` (or `Store(url)`) selects any other
SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/dropout_lab` for a class server.

One room per concern:
- `schema`: the tables, the engine, the Alembic migrations (`migrations/`) and where the
  database is by default;
- `values`: the checks on what callers hand in;
- `base`: the shared connection, its transactions and upserts;
- `access`: who a learner is and how they prove it (resume codes, stored as hashes; the roster);
- `limits`: wrong resume codes and instructor tokens, counted per target and client together (a
  right secret is always accepted, whoever guessed before), and new learners per client;
- `learners`: one learner's rows (join, progress, quiz, submissions, reflections);
- `classes`: a class's rows, for the instructor dashboard only;
- `predictions`: each learner's predictions before a reveal (a value or an explicit skip);
- `work`: each learner's work as they go (a lab's code as typed, a NumPy lab's last grade);
- `insights`: a class's answers (quiz, predictions, reflections), for the dashboard only;
- `live`: the live class's sessions, rounds and votes (one vote per learner and round; its own
  repository, `LiveQueries`, on the same engine);
- `runblobs`: finished training runs shared by every app process using the database (its own
  repository, `RunBlobs`, on the same engine);
- `runqueue`: the training queue's writes (requests, claims, progress, recovery), its tables
  in `queue_tables` and its reads and the workers' heartbeats in `queue_reads` (its own
  repository, `RunQueue`, on the same engine);
- `classroom`: the dashboard's tables, figure and CSV, as plain data;
- `lti`: launches from an LMS: its users and courses as learners and classes, one-time codes;
- `lti_grades`: LTI Advantage: grade links, the scores outbox, the course's roster.

The store never imports Streamlit or TensorFlow; a `Store` is thread-safe.
"""

from dropout_lab.store.classes import ClassQueries
from dropout_lab.store.concepts import ConceptQueries
from dropout_lab.store.insights import InsightQueries
from dropout_lab.store.learners import Learner, LearnerQueries
from dropout_lab.store.lti import LtiQueries
from dropout_lab.store.lti_grades import LtiGradeQueries
from dropout_lab.store.predictions import PredictionQueries
from dropout_lab.store.schema import default_data_dir, default_url
from dropout_lab.store.work import WorkQueries


class Store(
    LearnerQueries,
    PredictionQueries,
    WorkQueries,
    ClassQueries,
    InsightQueries,
    LtiQueries,
    LtiGradeQueries,
    ConceptQueries,
):
    """Learners, progress, quiz answers, submissions, reflections and work, in the
    database at `url` (default: `default_url()`), upgraded to the newest schema on opening.

    A learner only ever sees their own data: every per-learner method takes the learner's id.
    The class-level methods (`class_learners`, `class_progress`, `class_sweep`,
    `class_answers`) are for the instructor dashboard only. Thread-safe."""


__all__ = ["Learner", "Store", "default_data_dir", "default_url"]
