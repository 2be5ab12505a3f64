"""What the Explore step shows for one setting of its controls: the numbers and the masks, no UI.
The dropout variants are declared in `lesson/variants.py`; Read's pictures of them are
`charts/explore.py`'s."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dropout_lab.lesson import masks
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.rng import CounterRNG

RATE_MIN, RATE_MAX, RATE_STEP, RATE_DEFAULT = 0.0, 0.9, 0.05, 0.3
N_UNITS = 64
LESSON_LAYERS = (10, 256, 256, 256, 1)
LESSON_LAYER_NAMES = ("input", "hidden 1", "hidden 2", "hidden 3", "output")
MASK_COUNTS = (10, 100, 500, 1000, 2000, 5000)  # the choices of K, masks averaged
BATCH_EXAMPLES, BATCH_UNITS, BATCH_CHANNELS = 8, 16, 4  # the batch view: 8 examples x 16 units
# One counter stream per picture: the browser (app/ui/explore_component) draws the same masks
# from the same (seed, stream), so these numbers are shared with its JavaScript.
STREAMS = {
    "layer": 0, "batch_example": 1, "batch_shared": 2, "batch_spatial": 3, "convergence": 4,
    "network": 5, "variants": 6, "unscaled": 7,
}  # fmt: skip
UNSCALED_MASKS = 1000  # masks averaged for "what if you do not divide by 1 - p?" (server only)


@dataclass(frozen=True)
class Settings:
    rate: float = RATE_DEFAULT
    seed: int = 0
    training: bool = True
    form: str = "inverted"  # or "original"


@dataclass(frozen=True)
class LayerView:
    activations: np.ndarray
    keep: np.ndarray
    output: np.ndarray
    scale: float  # what kept units are multiplied by in this mode and form
    dropped_fraction: float  # of units actually dropped by this mask (0 at inference)


@dataclass(frozen=True)
class Unscaled:
    """CS231n's question, "what if you do not divide by 1 - p?", on the page's own layer: the
    mean of what the next layer receives from the 64 example activations, in training without
    the 1/(1-p) scaling and with it (for the layer view's mask at this rate and seed, and
    averaged over `masks` masks), and at test time, when nothing is dropped."""

    rate: float
    seed: int
    masks: int
    test: float  # mean(x): test time, nothing dropped
    mask_plain: float  # mean(x * keep), the layer view's mask, kept units not scaled
    mask_scaled: float  # mean(x * keep / (1 - p)), the same mask, scaled (Keras)
    average_plain: float  # the mean of mask_plain over `masks` masks
    average_scaled: float  # the mean of mask_scaled over `masks` masks
    expected_plain: float  # (1 - p) * mean(x): what the unscaled training input averages
    expected_scaled: float  # mean(x): what the scaled one averages

    @property
    def ratio(self) -> float:
        """Test-time input over the unscaled training input's expectation: 1/(1 - p)."""
        return self.test / self.expected_plain

    @property
    def outcome(self) -> str:
        """What the test-time input is against the unscaled training input's expectation:
        "larger", "same" or "smaller" (the choices of the Explore prediction)."""
        if math.isclose(self.test, self.expected_plain, rel_tol=1e-9):
            return "same"
        return "larger" if self.test > self.expected_plain else "smaller"


def unscaled(rate: float, seed: int = 0, n_masks: int = UNSCALED_MASKS) -> Unscaled:
    """The numbers of `Unscaled` at `rate` on the example layer (its mean must be above 0)."""
    p = masks.check_rate(rate)
    if not 1 <= n_masks <= 100_000:
        raise ValueError(f"n_masks must be between 1 and 100000, got {n_masks}")
    x = example_layer()
    keep = layer_view(Settings(rate=p, seed=seed)).keep  # the mask the live view shows
    many = masks.keep_mask((n_masks, x.size), p, CounterRNG(seed, STREAMS["unscaled"]))
    plain = (many * x).mean(axis=1)  # one mean per mask
    test = float(x.mean())
    return Unscaled(
        rate=p, seed=seed, masks=n_masks, test=test,
        mask_plain=float((x * keep).mean()), mask_scaled=float((x * keep).mean() / (1 - p)),
        average_plain=float(plain.mean()), average_scaled=float(plain.mean() / (1 - p)),
        expected_plain=(1 - p) * test, expected_scaled=test,
    )  # fmt: skip


def parse_rate(raw: str | None) -> tuple[float, str | None]:
    """A rate from a deep link: (snapped rate, None) or (the default, a message saying why).
    The message never quotes what the link holds (anyone can write a link: `?rate=[x](url)`
    would be Markdown on the page); only a finite number, as this code formats it."""
    if raw is None or raw == "":
        return RATE_DEFAULT, None
    say = content()["link"]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        return RATE_DEFAULT, say["not_a_number"].format(default=RATE_DEFAULT)
    if not RATE_MIN <= value <= RATE_MAX:
        return RATE_DEFAULT, say["outside"].format(
            rate=f"{value:g}", lo=RATE_MIN, hi=RATE_MAX, default=RATE_DEFAULT
        )
    return round(round(value / RATE_STEP) * RATE_STEP, 2), None


def example_layer() -> np.ndarray:
    """The 64 example activations every layer view starts from."""
    return masks.example_activations(N_UNITS, seed=0)


def parse_seed(raw: str | None) -> int:
    """A mask seed from a deep link: a decimal number below 2**31, else 0."""
    if raw and raw.isascii() and raw.isdecimal() and len(raw) <= 10 and int(raw) < 2**31:
        return int(raw)
    return 0


def layer_view(s: Settings) -> LayerView:
    """One layer, one mask: activations, the sampled mask and the output in the chosen mode."""
    x = example_layer()
    keep = masks.keep_mask(x.shape, s.rate, CounterRNG(s.seed, STREAMS["layer"]))
    out = masks.apply_mask(x, keep, s.rate, form=s.form, training=s.training)
    if s.training:
        scale = 1.0 / (1.0 - s.rate) if s.form == "inverted" else 1.0
        dropped = float(1.0 - keep.mean())
    else:
        scale = 1.0 if s.form == "inverted" else 1.0 - s.rate
        dropped = 0.0
    shown_keep = keep if s.training else np.ones_like(keep)
    return LayerView(x, shown_keep, out, scale, dropped)


def layer_view_from_output(s: Settings, output: np.ndarray) -> LayerView:
    """The layer view for an output computed elsewhere (the learner's own dropout function).

    The mask is read off the output: a unit that was non-zero and came out zero was dropped.
    """
    x = example_layer()
    keep = ~((x != 0) & np.isclose(output, 0.0))
    kept = keep & (x != 0)
    scale = float(np.median(output[kept] / x[kept])) if kept.any() else 1.0
    dropped = float(1.0 - keep.mean()) if s.training else 0.0
    return LayerView(x, keep, output, scale, dropped)


def network_layout(layer_sizes: Sequence[int], shown: int) -> list[np.ndarray]:
    """Unit indices to draw per layer: all of a small layer, an even subsample of a big one."""
    return [
        np.arange(n) if n <= shown else np.linspace(0, n - 1, shown).round().astype(int)
        for n in layer_sizes
    ]


def network_picks(shown: int = 12) -> list[list[int]]:
    """The units the network view draws per layer (all of a small one, a spread of a big one)."""
    return [p.tolist() for p in network_layout(LESSON_LAYERS, shown)]


def batch_masks(s: Settings) -> dict[str, np.ndarray]:
    """Keep masks over a batch (examples x units) three ways, as Keras' `noise_shape` allows:
    one mask per example (Dropout's default), one shared by the whole batch
    (`noise_shape=(1, units)`), and whole feature maps per example (SpatialDropout1D on
    4 positions x 4 channels; shown with each channel's 4 positions side by side)."""
    n, u, c = BATCH_EXAMPLES, BATCH_UNITS, BATCH_CHANNELS
    if not s.training:
        return {name: np.ones((n, u), bool) for name in ("per_example", "shared", "spatial")}
    p = s.rate
    per_example = masks.noise_mask((n, u), (n, u), p, CounterRNG(s.seed, STREAMS["batch_example"]))
    shared = masks.noise_mask((n, u), (1, u), p, CounterRNG(s.seed, STREAMS["batch_shared"]))
    rng = CounterRNG(s.seed, STREAMS["batch_spatial"])
    steps = u // c
    spatial = masks.noise_mask((n, steps, c), (n, 1, c), p, rng)  # Keras: (batch, steps, channels)
    return {
        "per_example": per_example,
        "shared": shared,
        "spatial": spatial.transpose(0, 2, 1).reshape(n, u),  # channel-major for the picture
    }


def content() -> dict:
    """The Explore step's words (captions, explanations), kept as data in lessons/."""
    return step_text("explore")


def forms_table(rate: float) -> list[dict[str, str]]:
    """Inverted and original dropout side by side for one unit of value 1 at rate p."""
    p = masks.check_rate(rate)
    keep = 1.0 - p
    names = content()["forms"]["names"]
    return [
        {
            "form": names["inverted"],
            "training: kept unit becomes": f"{1 / keep:.4g}",
            "training: expected output": f"{keep * (1 / keep):.4g}",
            "inference: output": "1",
        },
        {
            "form": names["original"],
            "training: kept unit becomes": "1",
            "training: expected output": f"{keep:.4g}",
            "inference: output": f"{keep:.4g}",
        },
    ]
