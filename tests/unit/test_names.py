"""Learners' names: NFKC, no invisible or filler characters, no lookalike of a classmate's name
(each test is an attack that used to pass: a Cyrillic Аda beside Ada, a name of U+3164)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dropout_lab.lesson import names
from dropout_lab.store import Store
from dropout_lab.store.access import NameTaken

INVISIBLE = ["\u3164", "\u115f", "\u1160", "\uffa0", "\u200b", "\u200d", "\u2060", "\ufeff",
             "\u00ad", "\u180e", "\u034f", "\ufe0f", "\u2800", "\u202e", "\x00", "\x85", "\t",
             "\u2028", "\U000e0041"]  # fmt: skip


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_and_filler_characters_are_refused(char: str) -> None:
    for name in (char, f"Ada{char}", f"{char}Ada", f"A{char}da"):
        with pytest.raises(ValueError, match="invisible or blank character"):
            names.clean(name, "Name")


def test_the_refusal_names_the_character_typed() -> None:
    with pytest.raises(ValueError, match=r"\(U\+3164\)"):
        names.clean("Ada\u3164", "Name")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("ＡＤＡ", "ADA"), ("\u00a0Ada\u3000Lovelace ", "Ada Lovelace"), ("ﬁona", "fiona"),
     ("Jose\u0301", "José"), ("Ｃ１０１", "C101")],
)  # fmt: skip
def test_names_are_nfkc_and_any_space_is_one_space(typed: str, kept: str) -> None:
    assert names.clean(typed, "Name") == kept


def test_blank_names_and_other_symbols_are_refused_as_before() -> None:
    for blank in ("", "   ", "\u3000\u2003"):
        with pytest.raises(ValueError, match="Please enter a name"):
            names.clean(blank, "Name")
    with pytest.raises(ValueError, match=r"only letters, digits, spaces and - _ \. \(not '\*'\)"):
        names.clean("**Ada**", "Name")
    with pytest.raises(ValueError, match="at most 40 characters"):
        names.clean("ﷺ" * 3, "Name")  # 3 characters typed, 54 once normalised


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ada", "Аda"), ("Ada", "АDА"), ("ada", "Аda"), ("Ada", "Ꭺda"), ("Bob", "Βob"),
     ("Al", "AI"), ("Mary", "rnary"), ("Ada", "ａｄａ"), ("Poppy", "Рoрру")],
)  # fmt: skip
def test_lookalikes_share_a_skeleton(a: str, b: str) -> None:
    assert names.looks_like(names.clean(a, "Name"), names.clean(b, "Name"))
    assert names.lookalike(b, ["Zed", a]) == a


@pytest.mark.parametrize(("a", "b"), [("Ada", "Eda"), ("Ana", "Anna"), ("José", "Jose"),
                                      ("Zoë", "Zoe"), ("Li", "Lu"), ("Noor", "Nora")])  # fmt: skip
def test_different_names_do_not(a: str, b: str) -> None:
    assert not names.looks_like(a, b)
    assert names.lookalike(b, [a]) is None


@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=40))
def test_a_name_always_looks_like_itself_in_any_case(name: str) -> None:
    try:
        kept = names.clean(name, "Name")
    except ValueError:
        return
    assert names.looks_like(kept, kept.upper()) and names.looks_like(kept, kept.lower())
    assert names.lookalike(kept, [kept]) is None  # the same name is "taken", not a lookalike
    assert not any(names.invisible(c) for c in kept)


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'names.db'}")
    yield s
    s.close()


def test_a_lookalike_of_a_classmate_cannot_join(store: Store) -> None:
    ada = store.enrol("Ada", "C1").learner
    with pytest.raises(names.NameLookalike) as info:
        store.enrol("Аda", "C1")  # a Cyrillic А
    assert "looks too much like Ada" in str(info.value)
    with pytest.raises(ValueError, match="looks too much like Ada"):
        store.join("ＡＤА", "c1")  # fullwidth, and a Cyrillic А: the class matched in any case
    assert store.enrol("Аda", "C2").learner.name == "Аda"  # another class: fine
    with pytest.raises(NameTaken):
        store.enrol("ada", "C1")  # the same name: taken, as before
    assert [p.name for p in store.class_learners("C1")] == [ada.name]


def test_an_invisible_name_cannot_join(store: Store) -> None:
    with pytest.raises(ValueError, match="invisible"):
        store.enrol("\u3164", "C1")
    with pytest.raises(ValueError, match="invisible"):
        store.enrol("Ada\u200b", "C1")
    assert store.class_learners("C1") == []
