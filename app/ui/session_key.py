"""What a session-state key is: the string itself, plus what it holds, which widget owns it,
whose it is (its `Scope`) and its default; a `Family` is a set of keys with one prefix and an id.
The table of every key the app uses is `ui/session.py`. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any


class Scope(Enum):
    SESSION = "session"
    LEARNER = "learner"
    RESUMED = "resumed"


SESSION, LEARNER, RESUMED = Scope.SESSION, Scope.LEARNER, Scope.RESUMED


class Key(str):
    """A session-state key: the string itself, plus what it holds and whose it is."""

    type: Any
    widget: str
    scope: Scope
    doc: str
    default: Callable[[], Any] | None

    def __new__(cls, name: str, type_: Any, widget: str, scope: Scope, doc: str,
                default: Callable[[], Any] | None = None) -> Key:  # fmt: skip
        self = super().__new__(cls, name)
        self.type, self.widget, self.scope, self.doc = type_, widget, scope, doc
        self.default = default
        return self

    def __reduce__(self) -> tuple:
        return (str, (str(self),))  # pickled and copied as the plain string

    @property
    def name(self) -> str:
        return str(self)

    @property
    def learner(self) -> bool:
        """One learner's: cleared when they leave."""
        return self.scope is not SESSION

    @property
    def resume(self) -> bool:
        """Filled from the database when the learner comes back."""
        return self.scope is RESUMED

    def fresh(self) -> Any:
        """A new default value (None when the key has none)."""
        return None if self.default is None else self.default()


class Family:
    """Keys made of one prefix and an id, e.g. `read.quiz.<item id>`: `READ_QUIZ.of(item.id)`."""

    def __init__(self, prefix: str, what: str, type_: Any, widget: str, scope: Scope,
                 doc: str) -> None:  # fmt: skip
        self.prefix, self.what, self.type, self.widget = prefix, what, type_, widget
        self.scope, self.doc, self.default = scope, doc, None

    name = property(lambda self: f"{self.prefix}<{self.what}>")
    learner = Key.learner
    resume = Key.resume

    def of(self, ident: object) -> str:
        return f"{self.prefix}{ident}"

    def owns(self, key: str) -> bool:
        return key.startswith(self.prefix) and len(key) > len(self.prefix)
