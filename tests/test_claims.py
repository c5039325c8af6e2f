import math

import numpy as np
import pandas as pd
import pytest

from actstudy import claims, stats
from actstudy.claims import Measurement, combine, verdict
from actstudy.stats import Interval


def _interval(values):
    return stats.mean_ci(values)


RNG = np.random.default_rng(0)
CLEAR = RNG.normal(1.0, 0.1, 5)  # a clear positive effect over 5 seeds
NOISE = RNG.normal(0.0, 1.0, 5)  # no effect, lots of spread


def test_clear_effect_is_supported_and_its_mirror_contradicted():
    assert verdict(_interval(CLEAR)) == "supported"
    assert verdict(_interval(-CLEAR)) == "contradicted"


def test_noise_is_inconclusive():
    interval = _interval(NOISE)
    assert interval.low < 0 < interval.high
    assert verdict(interval) == "inconclusive"


def test_margin_and_too_few_seeds():
    assert verdict(_interval(CLEAR), margin=2.0) == "contradicted"  # 10x claimed, ~e^1 seen
    assert verdict(_interval(CLEAR[:1])) == "inconclusive"  # one seed decides nothing
    assert verdict(Interval(math.nan, -math.inf, math.inf, 0, "t")) == "inconclusive"


def test_equivalence_rule():
    tiny = RNG.normal(0.0, 0.001, 6)
    assert verdict(_interval(tiny), "equivalence", 0.05) == "supported"
    assert verdict(_interval(CLEAR), "equivalence", 0.05) == "contradicted"
    assert verdict(_interval(NOISE), "equivalence", 0.05) == "inconclusive"
    with pytest.raises(ValueError, match="kind='both'"):
        verdict(_interval(CLEAR), "both")


def test_combining_tests():
    assert combine(["supported", "supported"]) == "supported"
    assert combine(["supported", "contradicted"]) == "contradicted"
    assert combine(["supported", "inconclusive"]) == "inconclusive"
    assert Measurement("x", _interval(CLEAR)).verdict == "supported"


def test_mean_ci_matches_t_interval_and_bootstrap_brackets_mean():
    values = [1.0, 2.0, 3.0, 4.0]
    interval = stats.mean_ci(values)
    # mean 2.5, sd 1.291, t(0.975, 3) = 3.182: half-width 2.054
    assert interval.mean == 2.5 and interval.high - 2.5 == pytest.approx(2.054, abs=1e-3)
    boot = stats.mean_ci(values, method="bootstrap")
    assert boot.low < 2.5 < boot.high and boot.n == 4
    assert stats.mean_ci([1.0, float("nan"), 3.0]).n == 2


def test_paired_difference():
    a = np.array([0.90, 0.91, 0.92])
    b = a - 0.05
    difference = stats.paired_difference(a, b)
    assert difference.mean == pytest.approx(0.05) and difference.low == pytest.approx(0.05)
    with pytest.raises(ValueError, match="equal lengths"):
        stats.paired_difference([1, 2], [1])


def test_paired_helper_matches_seeds():
    frame = pd.DataFrame({"activation": ["a", "a", "b", "b", "b"], "seed": [0, 1, 0, 1, 2],
                          "value": [3.0, 4.0, 1.0, 1.5, 9.0]})
    interval = stats.paired(frame, "value", "a", "b")
    assert interval.n == 2 and interval.mean == pytest.approx(2.25)
    assert stats.paired(frame, "value", "a", "zzz").n == 0


def test_there_are_fifteen_claims_with_evidence_links():
    assert [c.id for c in claims.CLAIMS] == list(range(1, 16))
    for claim in claims.CLAIMS:
        report, anchor = claim.evidence.split("#")
        assert report[:2] in {"01", "02", "03", "04", "05"} and anchor
