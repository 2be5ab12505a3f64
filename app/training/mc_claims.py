"""What the Reflect step may say about Monte Carlo dropout on the model it uses: one packet's
passes, the whole validation set (is the spread where the errors are?) and the weight-scaling
rule measured. Each sentence with the condition it needs (words in lessons/claims.toml).

Pure NumPy on `training/mc_stats.py` and `training/scaling.py` results; no Streamlit, no
TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

from dropout_lab.lesson import fmt
from dropout_lab.lesson.claims import Claim, Said, Verdict, say
from dropout_lab.training.mc_stats import PacketStats, SetStats, rejection_curve
from dropout_lab.training.scaling import Exact, Scaling

WIDE = 0.05  # a packet's spread is "wide" from this standard deviation of P(malicious)
NONE = 1e-9  # below this the passes are identical (float rounding aside)
CLOSE = 0.05  # a packet's MC mean is "close to" the dropout-off prediction within this
AREA_SAME = 0.005  # two rejection curves rank "about as well" within this mean accuracy
KEEP = 0.8  # the share of connections kept in the headline rejection number
NOISE = 2.0  # a gap is beyond sampling noise when it is more than twice the noise's size
SMALL = 0.01  # the weight-scaling rule is "close" when MC mean and dropout off differ less
EXACT = 1e-9  # an exact average equals the full network's output within float rounding

CONSTANTS = {
    "wide": fmt.prob(WIDE),
    "close": fmt.prob(CLOSE),
    "area_same": fmt.acc(AREA_SAME),
    "keep": fmt.share(KEEP),
    "noise_factor": fmt.times(NOISE),
    "small": fmt.prob(SMALL),
    "exact": fmt.tiny(EXACT),
}


# --------------------------------------------------------------------------- one packet


@dataclass(frozen=True)
class PacketFacts:
    stats: PacketStats  # the model used (dropout on)
    plain: PacketStats  # the contrast without dropout


def _packet_spread(f: PacketFacts) -> Verdict:
    s = f.stats
    outcome = "none" if s.std < NONE else "wide" if s.std >= WIDE else "narrow"
    return Verdict(
        outcome,
        {
            "low": fmt.prob(float(s.probs.min())),
            "high": fmt.prob(float(s.probs.max())),
            "std": fmt.prob(s.std),
        },
    )


def _packet_flips(f: PacketFacts) -> Verdict | None:
    if f.stats.std < NONE:
        return None  # nothing random: "the same answer every time" says it all
    flips = f.stats.flip_rate
    return Verdict("some" if flips > 0 else "none", {"flips": fmt.share(flips)})


def _packet_mean(f: PacketFacts) -> Verdict:
    s = f.stats
    delta = abs(s.mean - s.deterministic)
    return Verdict(
        "close" if delta <= CLOSE else "far",
        {
            "mean": fmt.prob(s.mean),
            "det": fmt.prob(s.deterministic),
            "diff": fmt.prob(delta),
            "passes": fmt.count(s.passes),
        },
    )


def _packet_contrast(f: PacketFacts) -> Verdict:
    return Verdict("identical" if f.plain.std < NONE else "varies", {"std": fmt.prob(f.plain.std)})


PACKET_CLAIMS = (
    Claim("packet.spread", ("wide", "narrow", "none"), _packet_spread),
    Claim("packet.flips", ("some", "none"), _packet_flips),
    Claim("packet.contrast", ("identical", "varies"), _packet_contrast),
    Claim("packet.mean", ("close", "far"), _packet_mean),
)


def packet(stats: PacketStats, plain: PacketStats) -> list[Said]:
    """The sentences under one packet's passes."""
    return say(PACKET_CLAIMS, PacketFacts(stats, plain), CONSTANTS)


# --------------------------------------------------------------------------- the whole set


@dataclass(frozen=True)
class SetFacts:
    stats: SetStats  # the model used (dropout on)
    plain: SetStats  # the contrast without dropout


def _spread_where_errors(f: SetFacts) -> Verdict | None:
    s = f.stats
    wrong, right = s.std[~s.mc_correct], s.std[s.mc_correct]
    if not wrong.size or not right.size:
        return None
    w, r = float(wrong.mean()), float(right.mean())
    values = {"wrong": fmt.prob(w), "right": fmt.prob(r), "ratio": fmt.times(w / r) if r else "—"}
    return Verdict("holds" if w > r else "fails", values)


def _rejection_raises(f: SetFacts) -> Verdict:
    s = f.stats
    overall = float(s.mc_correct.mean())
    kept = float(rejection_curve(s.std, s.mc_correct, [KEEP])[0])
    return Verdict(
        "holds" if kept > overall else "fails",
        {"all": fmt.acc(overall), "kept": fmt.acc(kept), "rejected": fmt.share(1 - KEEP)},
    )


def _spread_vs_confidence(f: SetFacts) -> Verdict:
    """The rejection curves' mean accuracy (over every kept share): MC spread against the
    dropout-off prediction's distance from 0.5 (a higher distance is more certain)."""
    s = f.stats
    by_spread = float(rejection_curve(s.std, s.mc_correct).mean())
    by_confidence = float(rejection_curve(-s.det_confidence, s.det_correct).mean())
    delta = by_spread - by_confidence
    outcome = "same" if abs(delta) <= AREA_SAME else "better" if delta > 0 else "worse"
    return Verdict(outcome, {"spread": fmt.acc(by_spread), "confidence": fmt.acc(by_confidence)})


def _contrast_no_spread(f: SetFacts) -> Verdict:
    largest = float(f.plain.std.max())
    return Verdict(
        "none" if largest < NONE else "some",
        {
            "max_std": fmt.prob(largest),
            "passes": fmt.count(f.plain.passes),
            "n": fmt.count(f.plain.n),
        },
    )


HOLDS = ("holds", "fails")
SET_CLAIMS = (
    Claim("mc.spread_where_errors", HOLDS, _spread_where_errors),
    Claim("mc.rejection_raises", HOLDS, _rejection_raises),
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


def _scaling_gap(f: ScalingFacts) -> Verdict:
    most = f.scaling.most
    items = tuple(
        {"passes": fmt.count(g.passes), "mad": fmt.prob(g.mad), "noise": fmt.prob(g.noise)}
        for g in f.scaling.gaps
    )
    beyond = most.mad > NOISE * most.noise
    return Verdict(
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


def _scaling_size(f: ScalingFacts) -> Verdict:
    most = f.scaling.most
    return Verdict(
        "close" if most.mad < SMALL else "not_close",
        {"mad": fmt.prob(most.mad), "passes": fmt.count(most.passes)},
    )


def _scaling_decisions(f: ScalingFacts) -> Verdict:
    most = f.scaling.most
    changed = round(most.decisions * f.scaling.n)
    return Verdict(
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


def _linear(f: ExactFacts) -> Verdict:
    return Verdict("exact" if f.linear.difference < EXACT else "inexact", _exact_values(f.linear))


def _relu(f: ExactFacts) -> Verdict:
    return Verdict("differs" if f.relu.difference >= EXACT else "equal", _exact_values(f.relu))


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
