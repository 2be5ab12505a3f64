"""What the Reflect step may say about Monte Carlo dropout on the model it uses: one packet's
passes, the whole validation set (is the spread where the errors are?) and the weight-scaling
rule measured. Each sentence with the condition it needs (words in lessons/claims.toml).

Pure NumPy on `findings/mc_stats.py` and `findings/scaling.py` results; no Streamlit, no
TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dropout_lab.findings.claims import Claim, Judgement, Said, say
from dropout_lab.findings.mc_spread import DRAWS, LEVEL, bootstrap, side
from dropout_lab.findings.mc_stats import PacketStats, SetStats, rejection_curve
from dropout_lab.findings.scaling import Exact, Scaling
from dropout_lab.lesson import fmt

WIDE_SHARE = 0.9  # a packet's spread is "wide" above that of this share of the validation set
NONE = 1e-9  # below this the passes are identical (float rounding aside)
CLOSE = 0.05  # a packet's MC mean is "close to" the dropout-off prediction within this
KEEP = 0.8  # the share of connections kept in the headline rejection number
NOISE = 2.0  # a gap is beyond sampling noise when it is more than twice the noise's size
SMALL = 0.01  # the weight-scaling rule is "close" when MC mean and dropout off differ less
EXACT = 1e-9  # an exact average equals the full network's output within float rounding

CONSTANTS = {
    "wide_share": fmt.share(WIDE_SHARE),
    "close": fmt.prob(CLOSE),
    "keep": fmt.share(KEEP),
    "level": fmt.share(LEVEL),
    "draws": fmt.count(DRAWS),
    "noise_factor": fmt.times(NOISE),
    "small": fmt.prob(SMALL),
    "exact": fmt.tiny(EXACT),
}


# --------------------------------------------------------------------------- one packet


@dataclass(frozen=True)
class PacketFacts:
    stats: PacketStats  # the model used (dropout on)
    plain: PacketStats  # the contrast without dropout
    set_std: np.ndarray  # the spread of every validation connection (same model): the scale


def _packet_spread(f: PacketFacts) -> Judgement:
    """ "wide" when the spread exceeds that of WIDE_SHARE of the validation connections by more
    than twice its own sampling error (a standard deviation of T passes is known to about
    std / sqrt(2 (T - 1)))."""
    s = f.stats
    typical = float(np.quantile(f.set_std, WIDE_SHARE))
    noise = s.std / math.sqrt(2 * (s.passes - 1)) if s.passes > 1 else math.inf
    outcome = "none" if s.std < NONE else "wide" if s.std - 2 * noise > typical else "typical"
    return Judgement(
        outcome,
        {
            "low": fmt.prob(float(s.probs.min())),
            "high": fmt.prob(float(s.probs.max())),
            "std": fmt.prob(s.std),
            "typical": fmt.prob(typical),
        },
    )


def _packet_flips(f: PacketFacts) -> Judgement | None:
    if f.stats.std < NONE:
        return None  # nothing random: "the same answer every time" says it all
    flips = f.stats.flip_rate
    values = {"flips": fmt.share(flips), "std": fmt.prob(f.stats.std)}
    return Judgement("some" if flips > 0 else "none", values)


def _packet_mean(f: PacketFacts) -> Judgement:
    s = f.stats
    delta = abs(s.mean - s.deterministic)
    return Judgement(
        "close" if delta <= CLOSE else "far",
        {
            "mean": fmt.prob(s.mean),
            "det": fmt.prob(s.deterministic),
            "diff": fmt.prob(delta),
            "passes": fmt.count(s.passes),
        },
    )


def _packet_contrast(f: PacketFacts) -> Judgement:
    return Judgement(
        "identical" if f.plain.std < NONE else "varies", {"std": fmt.prob(f.plain.std)}
    )


PACKET_CLAIMS = (
    Claim("packet.spread", ("wide", "typical", "none"), _packet_spread),
    Claim("packet.flips", ("some", "none"), _packet_flips),
    Claim("packet.contrast", ("identical", "varies"), _packet_contrast),
    Claim("packet.mean", ("close", "far"), _packet_mean),
)


def packet(stats: PacketStats, plain: PacketStats, set_std: np.ndarray) -> list[Said]:
    """The sentences under one packet's passes (`set_std`: the spreads of the whole set)."""
    return say(PACKET_CLAIMS, PacketFacts(stats, plain, np.asarray(set_std)), CONSTANTS)


# --------------------------------------------------------------------------- the whole set


@dataclass(frozen=True)
class SetFacts:
    stats: SetStats  # the model used (dropout on)
    plain: SetStats  # the contrast without dropout


def _interval(values: dict[str, str], interval: tuple[float, float], show=fmt.prob) -> dict:
    return {**values, "lo": show(interval[0]), "hi": show(interval[1])}


def _spread_where_errors(f: SetFacts) -> Judgement | None:
    """Mean spread on the errors minus on the rest, with its bootstrap interval."""
    s = f.stats
    wrong = ~s.mc_correct
    if wrong.all() or not wrong.any():
        return None

    def diff(idx: np.ndarray) -> float:
        w, r = s.std[idx][wrong[idx]], s.std[idx][~wrong[idx]]
        return float(w.mean() - r.mean()) if w.size and r.size else math.nan

    w, r = float(s.std[wrong].mean()), float(s.std[~wrong].mean())
    values = {"wrong": fmt.prob(w), "right": fmt.prob(r), "ratio": fmt.times(w / r) if r else "—"}
    interval = bootstrap(diff, s.n)
    outcome = {"above": "holds", "across": "unclear", "below": "fails"}[side(interval)]
    return Judgement(outcome, _interval(values, interval))


def _rejection_raises(f: SetFacts) -> Judgement:
    s = f.stats

    def gain(idx: np.ndarray) -> float:
        correct = s.mc_correct[idx]
        return float(rejection_curve(s.std[idx], correct, [KEEP])[0] - correct.mean())

    overall = float(s.mc_correct.mean())
    kept = float(rejection_curve(s.std, s.mc_correct, [KEEP])[0])
    interval = bootstrap(gain, s.n)
    outcome = {"above": "holds", "across": "unclear", "below": "fails"}[side(interval)]
    values = {"all": fmt.acc(overall), "kept": fmt.acc(kept), "rejected": fmt.share(1 - KEEP)}
    return Judgement(outcome, _interval(values, interval, fmt.diff))


def _areas(s: SetStats, idx: np.ndarray) -> tuple[float, float]:
    """The rejection curves' mean accuracy on the connections `idx`: by the MC spread, and by
    the dropout-off prediction's distance from 0.5 (a higher distance is more certain)."""
    by_spread = rejection_curve(s.std[idx], s.mc_correct[idx]).mean()
    by_confidence = rejection_curve(-s.det_confidence[idx], s.det_correct[idx]).mean()
    return float(by_spread), float(by_confidence)


def _spread_vs_confidence(f: SetFacts) -> Judgement:
    """Better or worse only when the bootstrap interval of the difference clears zero."""
    s = f.stats
    everything = np.arange(s.n)
    by_spread, by_confidence = _areas(s, everything)
    interval = bootstrap(lambda idx: float(np.subtract(*_areas(s, idx))), s.n)
    outcome = {"above": "better", "across": "same", "below": "worse"}[side(interval)]
    at_keep = (
        rejection_curve(s.std, s.mc_correct, [KEEP])[0],
        rejection_curve(-s.det_confidence, s.det_correct, [KEEP])[0],
    )
    values = {
        "spread": fmt.acc(by_spread),
        "confidence": fmt.acc(by_confidence),
        "spread_kept": fmt.acc(float(at_keep[0])),
        "confidence_kept": fmt.acc(float(at_keep[1])),
    }
    return Judgement(outcome, _interval(values, interval, fmt.diff))


def _contrast_no_spread(f: SetFacts) -> Judgement:
    largest = float(f.plain.std.max())
    return Judgement(
        "none" if largest < NONE else "some",
        {
            "max_std": fmt.prob(largest),
            "passes": fmt.count(f.plain.passes),
            "n": fmt.count(f.plain.n),
        },
    )


SET_CLAIMS = (
    Claim("mc.spread_where_errors", ("holds", "unclear", "fails"), _spread_where_errors),
    Claim("mc.rejection_raises", ("holds", "unclear", "fails"), _rejection_raises),
    Claim("mc.spread_vs_confidence", ("better", "same", "worse"), _spread_vs_confidence),
)
CONTRAST_CLAIMS = (Claim("mc.contrast_no_spread", ("none", "some"), _contrast_no_spread),)


def whole_set(stats: SetStats, plain: SetStats) -> list[Said]:
    """The sentences under the whole-set figure."""
    return say(SET_CLAIMS, SetFacts(stats, plain), CONSTANTS)


def contrast(stats: SetStats, plain: SetStats) -> list[Said]:
    """The sentence about the model without dropout."""
    return say(CONTRAST_CLAIMS, SetFacts(stats, plain), CONSTANTS)


# --------------------------------------------------------------------------- weight scaling


@dataclass(frozen=True)
class ScalingFacts:
    scaling: Scaling  # the model used: MC mean against dropout off
    model: str  # which model, in words (a label of the page)


@dataclass(frozen=True)
class ExactFacts:
    linear: Exact
    relu: Exact


def _scaling_gap(f: ScalingFacts) -> Judgement:
    most = f.scaling.most
    items = tuple(
        {"passes": fmt.count(g.passes), "mad": fmt.prob(g.mad), "noise": fmt.prob(g.noise)}
        for g in f.scaling.gaps
    )
    beyond = most.mad > NOISE * most.noise
    return Judgement(
        "beyond" if beyond else "within",
        {
            "model": f.model,
            "passes": fmt.count(most.passes),
            "n": fmt.count(f.scaling.n),
            "mad": fmt.prob(most.mad),
            "max": fmt.prob(most.max),
            "worst": str(most.worst),
            "noise": fmt.prob(most.noise),
            "rms": fmt.prob(f.scaling.rms_gap),
        },
        items,
    )


def _scaling_size(f: ScalingFacts) -> Judgement:
    most = f.scaling.most
    return Judgement(
        "close" if most.mad < SMALL else "not_close",
        {"mad": fmt.prob(most.mad), "passes": fmt.count(most.passes)},
    )


def _scaling_decisions(f: ScalingFacts) -> Judgement:
    most = f.scaling.most
    changed = round(most.decisions * f.scaling.n)
    return Judgement(
        "some" if changed else "none",
        {
            "share": fmt.share(most.decisions),
            "count": fmt.count(changed),
            "n": fmt.count(f.scaling.n),
            "passes": fmt.count(most.passes),
        },
    )


def _exact_values(e: Exact) -> dict[str, str]:
    return {
        "units": fmt.count(e.units),
        "masks": fmt.count(e.masks),
        "rate": fmt.rate(e.rate),
        "full": f"{e.full:.6f}",
        "average": f"{e.average:.6f}",
        "difference": fmt.tiny(e.difference) if e.difference < 1e-3 else fmt.prob(e.difference),
    }


def _linear(f: ExactFacts) -> Judgement:
    return Judgement("exact" if f.linear.difference < EXACT else "inexact", _exact_values(f.linear))


def _relu(f: ExactFacts) -> Judgement:
    return Judgement("differs" if f.relu.difference >= EXACT else "equal", _exact_values(f.relu))


SCALING_CLAIMS = (
    Claim("scaling.gap", ("beyond", "within"), _scaling_gap),
    Claim("scaling.size", ("close", "not_close"), _scaling_size),
    Claim("scaling.decisions", ("some", "none"), _scaling_decisions),
)
EXACT_CLAIMS = (
    Claim("scaling.linear", ("exact", "inexact"), _linear),
    Claim("scaling.relu", ("differs", "equal"), _relu),
)
ALL_CLAIMS = PACKET_CLAIMS + SET_CLAIMS + CONTRAST_CLAIMS + SCALING_CLAIMS + EXACT_CLAIMS


def scaling(facts: ScalingFacts) -> list[Said]:
    """The sentences about the MC mean against dropout off on the model used."""
    return say(SCALING_CLAIMS, facts, CONSTANTS)


def exact(linear: Exact, relu: Exact) -> list[Said]:
    """The sentences about the two small networks computed exactly."""
    return say(EXACT_CLAIMS, ExactFacts(linear, relu), CONSTANTS)
