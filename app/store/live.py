"""The live class (issue 27): a class's live sessions, the rounds of each question asked (vote 1,
vote 2) and the learners' votes, kept so that a vote means what it says.

A session walks one question through the stages of `STAGES` (declared once, below): asked, vote
1 open, closed, its distribution shown, discussion, vote 2 open, closed, both shown, the answer.
The instructor moves it on with `advance`, a compare-and-set: two instructor tabs never skip a
stage. A round is open, closed or revealed (its distribution shown to the room).

`vote` is one write transaction that reads its round under a lock (PostgreSQL: `FOR SHARE`,
which waits for a close in flight; SQLite: `BEGIN IMMEDIATE`, one writer at a time) and inserts
at most one vote per learner and round (the primary key): a vote the close has overtaken, a
second vote, or a vote of another class's learner is refused by the database, not by the page.
`live_view` gives the projector the counts of every round but the distribution of a revealed
round only; it never says who voted what. The projector and the learners' pages read the
database, so any number of app processes share one live session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dropout_lab.lesson.names import NAME_MAX
from dropout_lab.store.base import Database, dialect_insert
from dropout_lab.store.schema import KEY_MAX, learners, metadata
from dropout_lab.store.values import check_id, check_key, clean_name

OPEN, CLOSED, REVEALED = "open", "closed", "revealed"


@dataclass(frozen=True)
class Stage:
    """One stage of a question: `name`, the stages the instructor may move on to, and what
    moving here does to a round: (round number, its new state), or None."""

    name: str
    after: tuple[str, ...]
    round_change: tuple[int, str] | None = None


STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("asked", ("vote1",)),
    Stage("vote1", ("closed1",), (1, OPEN)),
    Stage("closed1", ("shown1",), (1, CLOSED)),
    Stage("shown1", ("discuss", "answer"), (1, REVEALED)),
    Stage("discuss", ("vote2",)),
    Stage("vote2", ("closed2",), (2, OPEN)),
    Stage("closed2", ("shown2",), (2, CLOSED)),
    Stage("shown2", ("answer",), (2, REVEALED)),
    Stage("answer", ()),
)}  # fmt: skip
STAGE_MAX = 16

# What `vote` answers: counted, or why not.
COUNTED, NOT_OPEN, AGAIN, NOT_IN_CLASS = "counted", "not_open", "again", "not_in_class"

live_sessions = sa.Table(  # revision 0010
    "live_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_key", sa.String(NAME_MAX), nullable=False, index=True),
    sa.Column("question_id", sa.String(KEY_MAX), nullable=True),
    sa.Column("stage", sa.String(STAGE_MAX), nullable=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("ended_at", sa.Float, nullable=True),
)

live_rounds = sa.Table(  # revision 0010
    "live_rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "session_id",
        sa.Integer,
        sa.ForeignKey("live_sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("question_id", sa.String(KEY_MAX), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("state", sa.String(STAGE_MAX), nullable=False),
    sa.Column("opened_at", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float, nullable=True),
    sa.UniqueConstraint("session_id", "question_id", "round", name="uq_live_rounds_question"),
)

live_votes = sa.Table(  # revision 0010
    "live_votes",
    metadata,
    sa.Column(
        "round_id",
        sa.Integer,
        sa.ForeignKey("live_rounds.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "learner_id",
        sa.Integer,
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("choice", sa.String(KEY_MAX), nullable=False),
    sa.Column("voted_at", sa.Float, nullable=False),
)

S, RD, V = live_sessions.c, live_rounds.c, live_votes.c


@dataclass(frozen=True)
class OpenRound:
    """What a learner's page needs: the open round of their class, and whether they voted."""

    round_id: int
    session_id: int
    question_id: str
    number: int
    voted: str | None  # their choice in this round, or None


@dataclass(frozen=True)
class RoundView:
    number: int
    state: str
    answered: int
    counts: dict[str, int] | None  # choice -> votes; None until the round is revealed


@dataclass(frozen=True)
class LiveView:
    """What the projector shows of a class's live session: never who voted what."""

    session_id: int
    question_id: str | None
    stage: str | None
    rounds: tuple[RoundView, ...]


def _class_key(class_code: str) -> str:
    return clean_name(class_code, "Class code").casefold()


class LiveQueries(Database):
    """The live class's sessions, rounds and votes."""

    def start_live(self, class_code: str) -> int:
        """The class's running live session (one is started when none runs): its id."""
        key = _class_key(class_code)
        with self._write() as conn:
            running = self._running(conn, key)
            if running is not None:
                return running
            row = {"class_key": key, "started_at": time.time()}
            return int(conn.execute(live_sessions.insert().values(row)).inserted_primary_key[0])

    def end_live(self, session_id: int) -> None:
        """End the session: every open round closes with it."""
        now = time.time()
        with self._write() as conn:
            conn.execute(
                sa.update(live_rounds)
                .where(RD.session_id == session_id, RD.state == OPEN)
                .values(state=CLOSED, closed_at=now)
            )
            conn.execute(
                sa.update(live_sessions)
                .where(S.id == session_id, S.ended_at.is_(None))
                .values(ended_at=now)
            )

    def running_live(self, class_code: str) -> int | None:
        """The id of the class's running live session, or None."""
        with self._read() as conn:
            return self._running(conn, _class_key(class_code))

    @staticmethod
    def _running(conn: Connection, key: str) -> int | None:
        return conn.execute(
            sa.select(S.id).where(S.class_key == key, S.ended_at.is_(None)).order_by(S.id.desc())
        ).scalar()

    def ask(self, session_id: int, question_id: str) -> bool:
        """Put `question_id` to the class (stage "asked"); a question asked before in this
        session keeps its rounds and is refused (False), as is an ended session."""
        qid = check_key(question_id, "a live question id")
        with self._write() as conn:
            asked = conn.execute(
                sa.select(RD.id).where(RD.session_id == session_id, RD.question_id == qid)
            ).first()
            if asked is not None:
                return False
            conn.execute(
                sa.update(live_rounds)
                .where(RD.session_id == session_id, RD.state == OPEN)
                .values(state=CLOSED, closed_at=time.time())
            )
            done = conn.execute(
                sa.update(live_sessions)
                .where(S.id == session_id, S.ended_at.is_(None))
                .values(question_id=qid, stage="asked")
            )
            return done.rowcount == 1

    def advance(self, session_id: int, expected: str, to: str) -> bool:
        """Move the session's question from stage `expected` to `to` (one of its `after`), and
        its round with it, in one transaction; False (nothing done) when the session is not at
        `expected` any more (another tab moved it on) or has ended."""
        if to not in STAGES.get(expected, Stage("", ())).after:
            raise ValueError(f"a live question moves from {expected!r} to {STAGES[expected].after}")
        now = time.time()
        with self._write() as conn:
            moved = conn.execute(
                sa.update(live_sessions)
                .where(S.id == session_id, S.stage == expected, S.ended_at.is_(None))
                .values(stage=to)
                .returning(S.question_id)
            ).first()
            if moved is None:
                return False
            change = STAGES[to].round_change
            if change is not None:
                self._change_round(conn, session_id, moved.question_id, *change, now)
        return True

    @staticmethod
    def _change_round(conn: Connection, sid: int, qid: str, number: int, state: str,
                      now: float) -> None:  # fmt: skip
        if state == OPEN:
            conn.execute(
                live_rounds.insert().values(
                    session_id=sid, question_id=qid, round=number, state=OPEN, opened_at=now
                )
            )
            return
        where = (RD.session_id == sid, RD.question_id == qid, RD.round == number)
        values = {"state": state, **({"closed_at": now} if state == CLOSED else {})}
        conn.execute(sa.update(live_rounds).where(*where).values(values))

    def vote(self, learner_id: int, round_id: int, choice: str) -> str:
        """Count the learner's `choice` in round `round_id`: COUNTED, or NOT_OPEN (closed
        first, or never open), AGAIN (they voted in this round already, the first vote stays),
        NOT_IN_CLASS (the round is another class's)."""
        values = {
            "round_id": int(round_id),
            "learner_id": check_id(learner_id),
            "choice": check_key(choice, "a vote's choice"),
            "voted_at": time.time(),
        }
        with self._write() as conn:
            got = conn.execute(
                sa.select(RD.state, S.class_key)
                .join(live_sessions, S.id == RD.session_id)
                .where(RD.id == values["round_id"])
                .with_for_update(read=True, of=live_rounds)
            ).first()
            if got is None or got.state != OPEN:
                return NOT_OPEN
            mine = conn.execute(sa.select(learners.c.class_key).where(
                learners.c.id == values["learner_id"])).scalar()  # fmt: skip
            if mine != got.class_key:
                return NOT_IN_CLASS
            stmt = dialect_insert(conn, live_votes).values(values).on_conflict_do_nothing(
                index_elements=["round_id", "learner_id"]).returning(V.round_id)  # fmt: skip
            if conn.execute(stmt).first() is None:  # the key: one vote a round
                return AGAIN
        return COUNTED

    def open_round(self, learner_id: int) -> OpenRound | None:
        """The open round of the learner's class (their page polls this: one small query), or
        None; with their vote in it, if any."""
        mine = (
            sa.select(V.choice)
            .where(V.round_id == RD.id, V.learner_id == learner_id)
            .scalar_subquery()
        )
        with self._read() as conn:
            row = conn.execute(
                sa.select(RD.id, RD.session_id, RD.question_id, RD.round, mine)
                .join(live_sessions, S.id == RD.session_id)
                .join(learners, learners.c.class_key == S.class_key)
                .where(learners.c.id == check_id(learner_id), S.ended_at.is_(None),
                       RD.state == OPEN)
                .order_by(RD.id.desc())
            ).first()  # fmt: skip
        return None if row is None else OpenRound(*row)

    def live_view(self, session_id: int) -> LiveView | None:
        """The session's current question as the projector shows it."""
        with self._read() as conn:
            sess = conn.execute(sa.select(S.question_id, S.stage).where(S.id == session_id)).first()
            if sess is None:
                return None
            rounds = conn.execute(
                sa.select(RD.id, RD.round, RD.state)
                .where(RD.session_id == session_id, RD.question_id == sess.question_id)
                .order_by(RD.round)
            ).all()
            counts = dict(conn.execute(
                sa.select(V.round_id, sa.func.count())
                .where(V.round_id.in_([r.id for r in rounds])).group_by(V.round_id)
            ).all())  # fmt: skip
            views = tuple(
                RoundView(r.round, r.state, int(counts.get(r.id, 0)),
                          self._counts(conn, r.id) if r.state == REVEALED else None)
                for r in rounds
            )  # fmt: skip
        return LiveView(session_id, sess.question_id, sess.stage, views)

    @staticmethod
    def _counts(conn: Connection, round_id: int) -> dict[str, int]:
        rows = conn.execute(
            sa.select(V.choice, sa.func.count()).where(V.round_id == round_id).group_by(V.choice)
        ).all()
        return {choice: int(n) for choice, n in rows}

    def class_live_votes(self, class_code: str) -> list[dict]:
        """Every vote of the class's live sessions, for the dashboard and its CSV: session_id,
        started_at, question_id, round, learner_id, name, choice; oldest session first."""
        key = _class_key(class_code)
        L = learners.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(S.id.label("session_id"), S.started_at, RD.question_id, RD.round,
                          L.id.label("learner_id"), L.name, V.choice)
                .join(live_rounds, RD.session_id == S.id)
                .join(live_votes, V.round_id == RD.id)
                .join(learners, L.id == V.learner_id)
                .where(S.class_key == key)
                .order_by(S.id, RD.question_id, L.name_key, L.id, RD.round)
            ).all()  # fmt: skip
        return [dict(r._mapping) for r in rows]
