"""The lesson's training: the one place the lesson file becomes a training configuration and a
compute budget.

The lab's own training configuration (labs/overfit/lab.toml's [train]) with the lesson file's
[build] applied: its data seed, its default epochs (under its cap), its locked training seed, its
compute budget. Build (`ui/settings`), the catalogue of the lesson's runs and so precompute,
the training service, `dropout-lab train` and `check`, and `dropout-lab doctor` all ask
`train_settings`, so a locked seed means the same run everywhere: a learner's starter run with
the default settings *is* the lesson's precomputed no-dropout run. Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dropout_lab.lesson import lesson_config
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import TrainConfig

LAB = "overfit"  # the Keras lab whose training the lesson's runs share


@dataclass(frozen=True)
class TrainSettings:
    """What a run starts from, what a learner may change, and what it may cost."""

    config: TrainConfig  # the default run: the lab's with the lesson file's data seed, epochs, seed
    max_epochs: int  # the cap on epochs ([build] max_epochs)
    locked_seed: int | None  # [build] seed: every run trains with it (None: the learner chooses)
    budget_seconds: float  # the longest run allowed, estimated (lesson/budget.py)

    def choose(self, epochs: int | None = None, seed: int | None = None) -> TrainConfig:
        """The default run with a learner's `epochs` (kept within 1..max_epochs) and `seed`
        (None: the default's; the locked seed whatever is asked, when the file locks one)."""
        epochs = self.config.epochs if epochs is None else max(1, min(int(epochs), self.max_epochs))
        seed = self.config.seed if seed is None or self.locked_seed is not None else int(seed)
        return replace(self.config, epochs=epochs, seed=seed)


def train_settings(lesson: lesson_config.LessonConfig | None = None) -> TrainSettings:
    """The training settings of `lesson` (default: $DROPOUT_LAB_LESSON's file, read now; raises
    LessonConfigError when it is not valid)."""
    cfg = lesson if lesson is not None else lesson_config.load()
    config = load_lab(LAB).config
    if cfg.data_seed is not None:
        config = replace(config, data_seed=cfg.data_seed)
    if cfg.seed is not None:
        config = replace(config, seed=cfg.seed)
    config = replace(config, epochs=min(cfg.epochs or config.epochs, cfg.max_epochs))
    return TrainSettings(config, cfg.max_epochs, cfg.seed, cfg.budget_seconds)
