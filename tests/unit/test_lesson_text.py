"""The lesson's words: corrections that must not be undone (issue 12), and the lesson's own
wording (no run of 10 words copied from the seed documents)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dropout_lab.lesson import lessons
from dropout_lab.lesson.locate import LABS_DIR, LESSONS_DIR
from tests.support import seed_shingles

SECTIONS = {s.slug: s for s in lessons.load_sections()}
QUIZ = lessons.load_quiz(sections=SECTIONS)


def content_files() -> list[Path]:
    files = [*LESSONS_DIR.rglob("*.md"), *LESSONS_DIR.rglob("*.toml")]
    files += [*LABS_DIR.rglob("*.md"), *LABS_DIR.rglob("*.toml")]
    return sorted(files)


def quiz_claims() -> str:
    """What the quiz asserts: prompts, keyed answers and explanations (not the distractors,
    which state misconceptions on purpose)."""
    return "\n\n".join(f"{q.prompt}\n{q.choices[q.answer]}\n{q.explanation}" for q in QUIZ)


def claims() -> dict[str, str]:
    """The prose of every lesson file, as the lesson asserts it."""
    out = {}
    for path in content_files():
        name = str(path.relative_to(path.parents[1]))
        out[name] = quiz_claims() if path.name == "quiz.toml" else seed_shingles.content_prose(path)
    return out


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n\s*[-|]", text) if s.strip()]


# 1. Masks are per example --------------------------------------------------------------------

BATCH_MASK = re.compile(
    r"\b(per[- ]batch|(every|each|next|per) batch|batch-level)\b(?! ?norm)(?!'s statistics)", re.I
)
MASK_WORDS = re.compile(r"\b(mask|subset|silent|silenced|dropped|zeroed|frozen|units?)\b", re.I)
PER_EXAMPLE = re.compile(
    r"\b(examples?|connections?|rows?)\b|noise_shape|\bshared (by|along|across)|broadcast", re.I
)
# "Each step trains a thinned network": one mask per step is the same mistake in other words.
ONE_MASK_PER_STEP = re.compile(
    r"\b(each|every) (training )?step (samples|draws|trains|updates|uses) (a|one)\b"
    r"|(silenced|dropped|vanish)[^.;]{0,20}\b(per|every|each) step\b",
    re.I,
)


def test_no_lesson_text_says_masks_are_drawn_per_batch() -> None:
    wrong = []
    for name, text in claims().items():
        for sentence in sentences(text):
            per_batch = BATCH_MASK.search(sentence) and MASK_WORDS.search(sentence)
            per_step = ONE_MASK_PER_STEP.search(sentence)
            if (per_batch or per_step) and not PER_EXAMPLE.search(sentence):
                wrong.append(f"{name}: {sentence.strip()[:160]}")
    assert wrong == [], "masks are drawn per example, not per batch:\n" + "\n".join(wrong)


def test_the_old_per_batch_sentences_are_caught() -> None:
    for old in (
        "about 30% of the units go silent in every batch",
        "Each output is set to zero with probability rate, a fresh random subset every batch",
        "Dropout zeroes a random fraction of outputs, a different subset each batch",
    ):
        assert BATCH_MASK.search(old) and MASK_WORDS.search(old) and not PER_EXAMPLE.search(old)
    for old in (
        "Each training step samples a new mask, so each step trains a different sub-network",
        "each training step updates one of them",
        "Dropout active? Yes: a random 30% of hidden units silenced per step",
    ):
        assert ONE_MASK_PER_STEP.search(old) and not PER_EXAMPLE.search(old), old


def test_the_readings_teach_per_example_masks_and_the_real_gradient_story() -> None:
    what = SECTIONS["01-what-dropout-does"].body
    assert "every unit of every example" in " ".join(what.replace("*", "").split())
    frozen = " ".join(what[what.index('Not "frozen"') :].replace(">", " ").split())
    assert "one example" in frozen and "section 5.1" in frozen and "32" in frozen
    assert "frozen for the rest" not in what
    maths = SECTIONS["03-the-maths"].body
    assert "for every\nexample" in maths or "for every example" in maths
    takeaways = " ".join(SECTIONS["12-key-takeaways"].body.split())
    assert "own coin for every unit of every example" in takeaways


# 3. No claim without evidence ----------------------------------------------------------------

EVASION_CLAIMS = re.compile(
    r"cheapest kind of evasion|targets? a single feature|attacking a single feature"
    r"|robust to (adversarial )?evasion|redundant detectors resist",
    re.I,
)


def test_the_single_feature_evasion_claim_is_gone() -> None:
    found = [name for name, text in claims().items() if EVASION_CLAIMS.search(text)]
    assert found == []


def test_the_security_story_teaches_the_honest_version() -> None:
    story = SECTIONS["10-the-security-story"].body
    assert "hidden units, not on the inputs" in story
    assert "Goodfellow, Shlens and Szegedy" in story and "2015" in story
    assert "adversarial training" in story


# 5. Accuracy elsewhere -----------------------------------------------------------------------


def test_dropout_is_dated_to_hinton_2012() -> None:
    for name, text in claims().items():
        assert not re.search(r"original[^.]{0,40}2014|2014 (method|formulation)", text), name
    assert "Hinton" in SECTIONS["03-the-maths"].body and "2012" in SECTIONS["03-the-maths"].body


def test_the_transformer_list_follows_the_paper() -> None:
    where = SECTIONS["11-beyond-the-core"].body
    part = " ".join(where[where.index("## Transformers") : where.index("## The weight-")].split())
    assert "Vaswani et al. 2017, section 5.4" in part
    assert "before that output is added" in part
    assert "embeddings and the positional encodings" in part
    assert "implementations rather than the paper" in part
    assert "After the feed-forward block" not in part  # the double count


def test_max_norm_is_what_makes_large_learning_rates_safe() -> None:
    text = " ".join(SECTIONS["07-dropout-among-the-regularisers"].body.split())
    assert "noise lets you use a high learning rate" not in text
    assert re.search(r"\*\*max-norm\*\* that makes the large learning rate safe", text)


def test_mc_dropout_states_its_assumption() -> None:
    mc = SECTIONS["09-monte-carlo-dropout"].body
    assert "before every weight layer" in mc and "no dropout before its first" in mc
    assert "approximation of the average" in mc
    assert "1/\\sqrt{T}" in mc


def test_one_list_of_takeaways() -> None:
    assert not list((LESSONS_DIR / "read").glob("*takeaways*"))
    last = list(SECTIONS.values())[-1]
    assert last.slug == "12-key-takeaways"
    assert last.body == lessons.load_takeaways().body


# 6. The optional section: recurrent networks, Transformers, theory -----------------------------


def test_the_theory_section_covers_its_results() -> None:
    theory = SECTIONS["11-beyond-the-core"].body
    for needle in (
        "weight-scaling inference rule",
        "Wager, Wang and Liang (2013)",
        "n/(1-p)",
        "recurrent_dropout=0",
        "cuDNN",
    ):
        assert needle in theory, needle
    variants = SECTIONS["06-variants"].body
    assert "GaussianDropout(rate)" in variants and "noise_shape=" in variants


# Own words: no 10-word run from the seeds ---------------------------------------------------

FINGERPRINT = seed_shingles.load_fingerprint()


def test_the_fingerprint_is_there() -> None:
    assert len(FINGERPRINT) > 4000
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in FINGERPRINT)


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.name)
def test_no_content_file_copies_ten_words_of_a_seed(path: Path) -> None:
    copied = [
        " ".join(words)
        for digest, words in seed_shingles.shingles(seed_shingles.content_prose(path))
        if digest in FINGERPRINT
    ]
    assert copied == [], f"{path.name} repeats the seeds' words: write your own:\n" + "\n".join(
        copied
    )


def test_prose_leaves_out_code_and_marked_quotations() -> None:
    text = 'Own words.\n\n```python\nx = 1\n```\n\nThe notes say "a quoted phrase here".'
    got = seed_shingles.prose(text)
    assert "x = 1" not in got and "quoted phrase" not in got and "Own words" in got
    data = tomllib.loads('a = "one"\n[b]\nc = ["two", "three"]\n')
    assert list(seed_shingles.toml_strings(data)) == ["one", "two", "three"]


def test_the_fingerprint_catches_a_pasted_seed_phrase() -> None:
    """A dozen seed words, kept in tests/data (the seeds live outside the repository; the
    fingerprint and this sample are checked against them by `seed_shingles --check`)."""
    sample = seed_shingles.SAMPLE.read_text(encoding="utf-8").strip()
    assert len(sample.split()) == 12
    assert all(h in FINGERPRINT for h, _ in seed_shingles.shingles(sample))
    pasted = f"Our own sentence, and then {sample} and more."
    assert any(h in FINGERPRINT for h, _ in seed_shingles.shingles(pasted))
    own = "Our own sentence about dropout, written here and nowhere else, with words of its own."
    assert not any(h in FINGERPRINT for h, _ in seed_shingles.shingles(own))
