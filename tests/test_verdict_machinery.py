"""The verdict machinery: its known bugs, each with a test that failed before its fix, and the
verdicts of claims about several things (one per component, and the intersection-union)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from actstudy import stats
from actstudy.claims import Measurement
from actstudy.claims import Test as ClaimTest  # not a test class for pytest to collect
from actstudy.claims.measures import _mean_loss_ratio, _per_seed


def test_p_value_and_detectable_effect_count_a_counted_quantitys_resolution():
    # Whole epochs: the interval is widened by half an epoch each side, so a p-value and a
    # minimum detectable effect must be too, or a test reads supported while its interval
    # crosses the margin.
    counts = [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0]  # a mean of 1.125 epochs above 0
    widened = stats.mean_ci(counts, resolution=1.0)
    plain = stats.mean_ci(counts)
    assert widened.low < 0.6 and plain.low > 0.8
    test = ClaimTest("epochs to target: a - b", "epochs", "above", 0.8)
    assert Measurement(test, widened).verdict == "undecided"  # the interval crosses 0.8
    assert stats.p_value(widened, 0.8, "above") > 0.025  # so its p-value may not decide it
    assert stats.p_value(plain, 0.8, "above") < 0.025
    assert math.isclose(stats.minimum_detectable(widened),
                        stats.minimum_detectable(plain) + 0.5)


def test_an_equivalence_tests_detectable_effect_uses_two_one_sided_tests():
    interval = stats.mean_ci(np.random.default_rng(0).normal(0, 1, 10))
    se = interval.spread / math.sqrt(10)
    expected = (scipy_stats.t.ppf(0.975, 9) + scipy_stats.t.ppf(0.90, 9)) * se
    assert math.isclose(stats.minimum_detectable(interval, kind="equivalence"), expected)
    one_sided = stats.minimum_detectable(interval)  # a one-sided test's: smaller
    assert one_sided < expected


def test_a_seed_missing_for_one_activation_does_not_drop_the_other_pairs():
    frame = pd.DataFrame({"activation": ["relu", "tanh", "gelu"] * 3,
                          "seed": [0, 0, 0, 1, 1, 1, 2, 2, 2],
                          "value": [1.0, 2.0, 3.0, 1.0, np.nan, 3.0, 1.0, 2.0, 3.0]})
    table = _per_seed(frame, "value")
    assert stats.mean_ci(table["gelu"] - table["relu"]).n == 3  # tanh's NaN leaves gelu's pairs
    assert stats.mean_ci(table["tanh"] - table["relu"]).n == 2


def test_a_diverged_runs_mean_loss_is_not_the_mean_of_its_finite_epochs():
    history = pd.DataFrame({"activation": ["relu"] * 3 + ["elu"] * 3 + ["relu"] * 3 + ["elu"] * 3,
                            "seed": [0] * 6 + [1] * 6, "epoch": [1, 2, 3] * 4,
                            "train_loss": [1.0, 0.5, 0.4, 2.0, 1.0, 0.8,
                                           1.0, np.nan, np.nan, 2.0, 1.0, 0.8]})
    interval = _mean_loss_ratio(history, "relu", "elu", "train_loss")
    # seed 1's relu diverged after epoch 1: its "mean" of 1.0 over one epoch is no mean over
    # the run, so that pair is left out, not compared as if it were
    assert interval.n == 1


def _component_claim(components, checks=()):
    from actstudy import claims

    test = ClaimTest("made-up gain over ReLU (pp)", "pp", "above", 1.0)
    return claims.Claim(98, "Two made-up things both beat ReLU.", "nowhere",
                        "04_mnist_convergence#x", test, "images", 5,
                        lambda ctx: (components, []), adequacy=lambda ctx: list(checks))


def test_a_claim_about_several_things_gets_a_row_per_component_and_the_intersection_union():
    from actstudy import claims
    from actstudy.analysis.adequacy import Check

    clear = stats.mean_ci([5.0, 5.2, 4.9, 5.1, 5.0])
    null = stats.mean_ci([0.5, -0.4, 1.6, 0.9, 1.2])
    mirror = stats.mean_ci([-5.0, -5.2, -4.9, -5.1, -5.0])
    ctx = claims.Context("smoke", progress=False)

    def verdicts(components, checks=()):
        table = claims.evaluate(ctx, claims=[_component_claim(components, checks)])
        return dict(zip(table["row"], table["verdict"], strict=True))

    assert verdicts({"swish": clear, "gelu": clear}) == {
        "98": "supported", "98a": "supported", "98b": "supported"}
    assert verdicts({"swish": clear, "gelu": null}) == {
        "98": "undecided", "98a": "supported", "98b": "undecided"}
    assert verdicts({"swish": clear, "gelu": mirror}) == {
        "98": "contradicted", "98a": "supported", "98b": "contradicted"}
    failing = Check("trained", False, "7 of 10 swish runs still improving")
    table = claims.evaluate(ctx, claims=[_component_claim({"swish": clear, "gelu": clear},
                                                          [failing])])
    assert set(table["verdict"]) == {"undecided"}
    assert list(table["interval_verdict"]) == ["supported"] * 3
    assert list(table["component"]) == ["", "swish", "gelu"]


def test_no_claim_takes_a_minimum_or_maximum_over_contrasts():
    import inspect

    from actstudy.claims import measures, tuning

    source = inspect.getsource(measures) + inspect.getsource(tuning)
    for banned in ("_weakest", "np.minimum", "np.maximum", ".min(axis", ".max(axis"):
        assert banned not in source, banned


def test_a_component_whose_experiment_failed_is_undecided_alone():
    from actstudy import claims
    from actstudy.analysis.adequacy import Check

    mirror = stats.mean_ci([-5.0, -5.2, -4.9, -5.1, -5.0])
    clear = stats.mean_ci([5.0, 5.2, 4.9, 5.1, 5.0])
    ok = Check("trained", True, "0 of 10 runs still improving")
    bad = Check("trained", False, "8 of 10 sigmoid runs best at their last epoch")
    test = ClaimTest("made-up gain per doubling (pp)", "pp", "above", 1.0)
    ctx = claims.Context("smoke", progress=False)

    def table(components, checks):
        claim = claims.Claim(97, "More is better.", "nowhere", "04_mnist_convergence#x", test,
                             "images", 5, lambda c: (components, []), adequacy=lambda c: checks)
        return claims.evaluate(ctx, claims=[claim]).set_index("row")

    rows = table({"relu": mirror, "sigmoid": mirror}, {"relu": [ok], "sigmoid": [bad]})
    assert rows.loc["97a", "verdict"] == "contradicted"
    assert rows.loc["97b", "verdict"] == "undecided"
    assert rows.loc["97b", "inadequate"].startswith("inadequate: 8 of 10 sigmoid")
    assert rows.loc["97", "verdict"] == "contradicted" and rows.loc["97", "inadequate"] == ""
    rows = table({"relu": clear, "sigmoid": clear}, {"relu": [ok], "sigmoid": [bad]})
    assert rows.loc["97", "verdict"] == "undecided" and rows.loc["97", "inadequate"]
    with pytest.raises(ValueError, match="its adequacy checks name the components"):
        table({"relu": clear}, {"gelu": [ok]})


def test_a_components_contradiction_is_holm_adjusted_across_the_claims_components():
    from actstudy.claims import component_verdicts

    test = ClaimTest("made-up gain (pp)", "pp", "above", 0.0)

    def interval(mean, n=10, spread=1.0):
        half = scipy_stats.t.ppf(0.975, n - 1) * spread / math.sqrt(n)
        return stats.Interval(mean, mean - half, mean + half, n, "t", spread)

    # 0.9 below the margin at n = 10, spread 1: one-sided p = 0.0096 for the other side, so
    # its interval alone contradicts; Holm over four components multiplies it by 4 (0.038)
    barely = Measurement(test, interval(-0.9))
    assert barely.verdict == "contradicted"
    assert math.isclose(barely.p_values()[1], scipy_stats.t.sf(0.9 * math.sqrt(10), 9))
    nulls = [Measurement(test, interval(0.1))] * 3
    assert component_verdicts([barely, *nulls]) == ["undecided"] * 4
    assert component_verdicts([barely]) == ["contradicted"]  # one component: no adjustment
    clearly = Measurement(test, interval(-3.0))  # p about 1e-6: survives the adjustment
    assert component_verdicts([clearly, *nulls])[0] == "contradicted"
    supported = Measurement(test, interval(3.0))  # the claim's side is never adjusted
    assert component_verdicts([supported, *nulls])[0] == "supported"


def test_the_equivalence_detectable_effect_has_its_power_by_simulation():
    # Two one-sided tests, 95% interval within ±margin, when the true value is at the centre
    # and the margin is the stated detectable distance: about 80% decide "within".
    rng = np.random.default_rng(0)
    n, sims = 10, 20000
    samples = rng.normal(0.0, 1.0, (sims, n))
    interval = stats.mean_ci(samples[0])
    margin = stats.minimum_detectable(stats.Interval(0.0, -1, 1, n, "t", spread=1.0),
                                      kind="equivalence")
    means, sds = samples.mean(axis=1), samples.std(axis=1, ddof=1)
    half = scipy_stats.t.ppf(0.975, n - 1) * sds / np.sqrt(n)
    power = np.mean((means - half > -margin) & (means + half < margin))
    assert 0.76 < power < 0.84, power
    assert interval.n == n
