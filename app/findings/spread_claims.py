"""What the Reflect step may say about the two scales of Monte Carlo spread on the model it
uses: why the spread of P(malicious) and the spread of the logits differ (words in
lessons/claims_mc.toml [spread.*]). Pure NumPy on `findings/mc_spread.py`."""

from __future__ import annotations

import numpy as np

from dropout_lab.findings.claims import Claim, Judgement, Said, say
from dropout_lab.findings.mc_spread import CONFIDENT, Spread, rank_correlation
from dropout_lab.lesson import fmt

CONSTANTS = {"edge": fmt.prob(CONFIDENT), "edge_hi": fmt.prob(1 - CONFIDENT)}


def _squeeze(s: Spread) -> Judgement:
    count = int(s.squeezed().sum())
    return Judgement(
        "some" if count else "none",
        {
            "n": fmt.count(s.mean.size),
            "confident": fmt.count(int(s.confident.sum())),
            "count": fmt.count(count),
            "p_median": fmt.prob(float(np.median(s.prob_std))),
            "z_median": f"{float(np.median(s.logit_std)):.2f}",
            "rho": f"{rank_correlation(s.prob_std, s.logit_std):.2f}",
        },
    )


SPREAD_CLAIMS = (Claim("spread.squeeze", ("some", "none"), _squeeze),)
ALL_CLAIMS = SPREAD_CLAIMS


def squeeze(stats: Spread) -> list[Said]:
    """The sentence on why the two spreads differ on this model."""
    return say(SPREAD_CLAIMS, stats, CONSTANTS)
