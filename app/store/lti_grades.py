"""Scores for an LMS's gradebook, and its course roster (LTI Advantage, issue 26).

- `lti_grade_links`: what a learner's launch from one LMS link said about grades: the AGS line
  item (or the line items container), the scopes, the target the link reports (lesson/score.py);
- `lti_scores_outbox`: the latest score of each (learner, link), stored before it is sent. A
  sender claims a due row for a while (`claimed_until`), posts it, and marks it sent only if no
  newer score replaced it meanwhile; a failure sets the next try (`next_at`, back-off). An LMS
  that is down loses nothing, and a learner never waits for it;
- `lti_members`: the course's members as the LMS said (each launch, and NRPS pulls);
- `lti_course_services`: a course's NRPS address, from its launches."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from dropout_lab.lesson.score import Score
from dropout_lab.store.base import Database, upsert
from dropout_lab.store.lti import ID_MAX, lti_contexts, lti_users
from dropout_lab.store.schema import learners, metadata, progress, quiz_answers
from dropout_lab.store.values import check_id, clean_name
from dropout_lab.store.work import work

URL_MAX = 2000
LINK_KEYS = ("learner_id", "link_id")

lti_grade_links = sa.Table(  # revision 0013
    "lti_grade_links",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("link_id", sa.String(ID_MAX), primary_key=True),
    sa.Column("platform", sa.String(ID_MAX), nullable=False),
    sa.Column("client_id", sa.String(ID_MAX), nullable=False),
    sa.Column("sub", sa.String(ID_MAX), nullable=False),
    sa.Column("target", sa.String(32), nullable=False),
    sa.Column("lineitem", sa.String(URL_MAX), nullable=True),
    sa.Column("lineitems", sa.String(URL_MAX), nullable=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
lti_scores_outbox = sa.Table(  # revision 0013
    "lti_scores_outbox",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("link_id", sa.String(ID_MAX), primary_key=True),
    sa.Column("score_given", sa.Float, nullable=False),
    sa.Column("score_maximum", sa.Float, nullable=False),
    sa.Column("activity", sa.String(16), nullable=False),
    sa.Column("grading", sa.String(16), nullable=False),
    sa.Column("scored_at", sa.Float, nullable=False),
    sa.Column("sent", sa.Boolean, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at", sa.Float, nullable=False, index=True),
    sa.Column("claimed_until", sa.Float, nullable=False),
    sa.Column("last_error", sa.String(200), nullable=True),
)
lti_members = sa.Table(  # revision 0013
    "lti_members",
    metadata,
    sa.Column("platform", sa.String(ID_MAX), primary_key=True),
    sa.Column("context_id", sa.String(ID_MAX), primary_key=True),
    sa.Column("sub", sa.String(ID_MAX), primary_key=True),
    sa.Column("name", sa.String(ID_MAX), nullable=False),
    sa.Column("email", sa.String(ID_MAX), nullable=True),
    sa.Column("sourcedid", sa.String(ID_MAX), nullable=True),
    sa.Column("learner", sa.Boolean, nullable=False),  # a learner's role (not an instructor's)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
lti_course_services = sa.Table(  # revision 0013
    "lti_course_services",
    metadata,
    sa.Column("platform", sa.String(ID_MAX), primary_key=True),
    sa.Column("context_id", sa.String(ID_MAX), primary_key=True),
    sa.Column("client_id", sa.String(ID_MAX), nullable=False),
    sa.Column("memberships_url", sa.String(URL_MAX), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class GradeLink:
    """One LMS link's grade service, as a learner's launch from it said."""

    link_id: str
    platform: str
    client_id: str
    sub: str
    target: str
    lineitem: str | None
    lineitems: str | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Member:
    sub: str
    name: str
    email: str | None = None
    sourcedid: str | None = None
    learner: bool = True
    status: str = "Active"


@dataclass(frozen=True)
class DueScore:
    learner_id: int
    link: GradeLink
    score: Score
    scored_at: float
    attempts: int


def _cut(value: object, n: int = ID_MAX) -> str | None:
    return str(value)[:n] if value not in (None, "") else None


class LtiGradeQueries(Database):
    """Grade links, the scores outbox, the course roster."""

    def lti_grade_link(self, learner_id: int, link: GradeLink) -> None:
        values = {"learner_id": check_id(learner_id), "link_id": link.link_id[:ID_MAX],
                  "platform": link.platform, "client_id": link.client_id, "sub": link.sub,
                  "target": link.target[:32], "lineitem": _cut(link.lineitem, 2000),
                  "lineitems": _cut(link.lineitems, 2000), "scopes": list(link.scopes),
                  "updated_at": time.time()}  # fmt: skip
        update = ("platform", "client_id", "sub", "target", "lineitem", "lineitems", "scopes")
        with self._learner_write(learner_id) as conn:
            upsert(conn, lti_grade_links, values, LINK_KEYS, update)

    def lti_grade_links(self, since: float | None = None) -> dict[int, list[GradeLink]]:
        """learner id -> their links, for learners whose progress, quiz or work changed at or
        after `since` (None: every linked learner)."""
        g = lti_grade_links.c
        query = sa.select(lti_grade_links)
        if since is not None:
            changed = sa.union(
                sa.select(progress.c.learner_id).where(progress.c.updated_at >= since),
                sa.select(quiz_answers.c.learner_id).where(quiz_answers.c.answered_at >= since),
                sa.select(work.c.learner_id).where(work.c.updated_at >= since),
                sa.select(g.learner_id).where(g.updated_at >= since),
            )
            query = query.where(g.learner_id.in_(sa.select(changed.subquery().c[0])))
        with self._read() as conn:
            rows = conn.execute(query).all()
        out: dict[int, list[GradeLink]] = {}
        for r in rows:
            out.setdefault(r.learner_id, []).append(_link(r))
        return out

    def lti_queue_score(self, learner_id: int, link_id: str, score: Score) -> bool:
        """Store `score` to be sent, unless it is what is stored already; True if stored."""
        o = lti_scores_outbox.c
        key = (o.learner_id == check_id(learner_id)) & (o.link_id == link_id)
        said = {"score_given": score.given, "score_maximum": score.maximum,
                "activity": score.activity, "grading": score.grading}  # fmt: skip
        now = time.time()
        with self._learner_write(learner_id) as conn:
            row = conn.execute(sa.select(lti_scores_outbox).where(key)).first()
            if row is not None and all(getattr(row, k) == v for k, v in said.items()):
                return False
            fresh = dict(said, scored_at=max(now, (row.scored_at + 1e-3) if row else now),
                         sent=False, attempts=0, next_at=now, last_error=None)  # fmt: skip
            if row is None:
                conn.execute(lti_scores_outbox.insert(), dict(
                    fresh, learner_id=learner_id, link_id=link_id, claimed_until=0.0))  # fmt: skip
            else:
                conn.execute(lti_scores_outbox.update().where(key).values(fresh))
        return True

    def lti_claim_scores(self, lease: float, limit: int = 50) -> list[DueScore]:
        """Due scores, each claimed for `lease` seconds (another sender skips them meanwhile)."""
        o, g, now = lti_scores_outbox.c, lti_grade_links.c, time.time()
        query = (sa.select(lti_scores_outbox, lti_grade_links)
                 .join(lti_grade_links, (g.learner_id == o.learner_id) & (g.link_id == o.link_id))
                 .where(o.sent.is_(False), o.next_at <= now, o.claimed_until <= now)
                 .order_by(o.next_at).limit(limit))  # fmt: skip
        out = []
        with self._write() as conn:
            for r in conn.execute(query).all():
                key = (o.learner_id == r.learner_id) & (o.link_id == r.link_id)
                took = conn.execute(lti_scores_outbox.update()
                                    .where(key, o.claimed_until <= now, o.sent.is_(False))
                                    .values(claimed_until=now + lease)).rowcount  # fmt: skip
                if took:
                    score = Score(r.score_given, r.score_maximum, r.activity, r.grading)
                    out.append(DueScore(r.learner_id, _link(r), score, r.scored_at, r.attempts))
        return out

    def lti_score_sent(self, due: DueScore) -> None:
        """Mark `due` sent, unless a newer score replaced it meanwhile (that one stays due)."""
        o = lti_scores_outbox.c
        key = (o.learner_id == due.learner_id) & (o.link_id == due.link.link_id)
        with self._write() as conn:
            conn.execute(lti_scores_outbox.update().where(key, o.scored_at == due.scored_at)
                         .values(sent=True, claimed_until=0.0, last_error=None))  # fmt: skip

    def lti_score_failed(self, due: DueScore, error: str, retry_in: float) -> None:
        o = lti_scores_outbox.c
        key = (o.learner_id == due.learner_id) & (o.link_id == due.link.link_id)
        with self._write() as conn:
            conn.execute(lti_scores_outbox.update().where(key, o.scored_at == due.scored_at)
                         .values(attempts=due.attempts + 1, next_at=time.time() + retry_in,
                                 claimed_until=0.0, last_error=error[:200]))  # fmt: skip

    def lti_outbox_counts(self) -> dict[str, int]:
        """{"sent", "due", "failing"}: failing are due scores tried at least once."""
        o = lti_scores_outbox.c
        with self._read() as conn:
            rows = conn.execute(sa.select(o.sent, o.attempts)).all()
        return {"sent": sum(1 for s, _ in rows if s), "due": sum(1 for s, _ in rows if not s),
                "failing": sum(1 for s, a in rows if not s and a)}  # fmt: skip

    def lti_scores(self, class_code: str) -> dict[int, Score]:
        """learner id -> the latest score stored for them (any link; the lesson's first)."""
        key = clean_name(class_code, "Class code").casefold()
        o = lti_scores_outbox.c
        in_class = sa.select(learners.c.id).where(learners.c.class_key == key)
        with self._read() as conn:
            rows = conn.execute(sa.select(lti_scores_outbox).where(o.learner_id.in_(in_class))
                                .order_by(o.scored_at)).all()  # fmt: skip
        return {r.learner_id: Score(r.score_given, r.score_maximum, r.activity, r.grading)
                for r in rows}  # fmt: skip

    # ---- the roster (Names and Role Provisioning)

    def lti_course_service(self, platform: str, context_id: str, client_id: str, url: str) -> None:
        values = {"platform": platform, "context_id": context_id, "client_id": client_id,
                  "memberships_url": url[:URL_MAX], "updated_at": time.time()}  # fmt: skip
        with self._write() as conn:
            upsert(conn, lti_course_services, values, ("platform", "context_id"),
                   ("client_id", "memberships_url"))  # fmt: skip

    def lti_course(self, class_code: str) -> dict | None:
        """The course a class is (platform, context_id, client_id, memberships_url or None)."""
        c, s = lti_contexts.c, lti_course_services.c
        query = (sa.select(c.platform, c.context_id, s.client_id, s.memberships_url)
                 .outerjoin(lti_course_services, (s.platform == c.platform)
                            & (s.context_id == c.context_id))
                 .where(c.class_code == class_code))  # fmt: skip
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def lti_remember(self, platform: str, context_id: str, members: list[Member]) -> None:
        """Keep what the LMS said of these members of the course (a launch's one, or NRPS's)."""
        now = time.time()
        with self._write() as conn:
            for m in members:
                values = {"platform": platform, "context_id": context_id, "sub": m.sub[:ID_MAX],
                          "name": (m.name or "")[:ID_MAX], "email": _cut(m.email),
                          "sourcedid": _cut(m.sourcedid), "learner": m.learner,
                          "status": m.status[:16], "updated_at": now}  # fmt: skip
                upsert(conn, lti_members, values, ("platform", "context_id", "sub"),
                       ("name", "email", "sourcedid", "learner", "status"))  # fmt: skip

    def lti_roster(self, platform: str, context_id: str) -> list[dict]:
        """The course's members: sub, name, email, sourcedid, learner, status, learner_id (the
        learner they are here, None before their first launch), by name."""
        m, u = lti_members.c, lti_users.c
        query = (sa.select(m.sub, m.name, m.email, m.sourcedid, m.learner, m.status,
                           u.learner_id)
                 .outerjoin(lti_users, (u.platform == m.platform)
                            & (u.context_id == m.context_id) & (u.sub == m.sub))
                 .where(m.platform == platform, m.context_id == context_id)
                 .order_by(m.name))  # fmt: skip
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(query).all()]


def _link(r: sa.Row) -> GradeLink:
    scopes = tuple(s for s in (r.scopes or []) if isinstance(s, str))
    return GradeLink(r.link_id, r.platform, r.client_id, r.sub, r.target, r.lineitem,
                     r.lineitems, scopes)  # fmt: skip
