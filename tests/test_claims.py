import math
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from actstudy import claims, settings, stats, studies
from actstudy.claims import Measurement, format_interval, secondary_verdicts, verdict
from actstudy.claims import Test as ClaimTest  # not a test class for pytest to collect
from actstudy.stats import Interval

RNG = np.random.default_rng(0)
CLEAR = RNG.normal(1.0, 0.1, 5)  # a clear positive effect over 5 seeds
NOISE = RNG.normal(0.0, 1.0, 5)  # no effect, lots of spread
ABOVE = ClaimTest("a difference", "pp", "above", 0.0)


def test_clear_effect_is_supported_and_its_mirror_contradicted():
    assert verdict(stats.mean_ci(CLEAR), ABOVE) == "supported"
    assert verdict(stats.mean_ci(-CLEAR), ABOVE) == "contradicted"
    below = ClaimTest("a difference", "pp", "below", 0.0)
    assert verdict(stats.mean_ci(-CLEAR), below) == "supported"
    assert verdict(stats.mean_ci(CLEAR), below) == "contradicted"


def test_noise_and_too_few_seeds_are_undecided():
    interval = stats.mean_ci(NOISE)
    assert interval.low < 0 < interval.high
    assert verdict(interval, ABOVE) == "undecided"
    assert verdict(stats.mean_ci(CLEAR[:1]), ABOVE) == "undecided"  # one seed decides nothing
    assert verdict(Interval(math.nan, -math.inf, math.inf, 0, "t"), ABOVE) == "undecided"


def test_a_ratio_margin_is_tested_on_log10():
    tenfold = ClaimTest("a ratio", "x", "above", 10.0)
    # log10 values around 1.3 (20x): clear of 10x; around 0.5 (3x): clearly short of it.
    assert verdict(stats.mean_ci(1.3 + CLEAR / 100), tenfold) == "supported"
    assert verdict(stats.mean_ci(0.5 + CLEAR / 100), tenfold) == "contradicted"
    within = ClaimTest("a ratio", "x", "equivalence", 1.05)
    assert verdict(stats.mean_ci(RNG.normal(0.0, 0.001, 6)), within) == "supported"
    assert verdict(stats.mean_ci(0.1 + CLEAR / 100), within) == "contradicted"  # 1.26x


def test_equivalence_rule():
    band = ClaimTest("a difference", "pp", "equivalence", 0.05)
    assert verdict(stats.mean_ci(RNG.normal(0.0, 0.001, 6)), band) == "supported"
    assert verdict(stats.mean_ci(CLEAR), band) == "contradicted"
    assert verdict(stats.mean_ci(NOISE), band) == "undecided"


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "both"}, "kind='both'"),
    ({"unit": "seconds"}, "unit='seconds'"),
    ({"unit": "x", "margin": 0.0}, "margin=0.0"),
    ({"kind": "equivalence", "margin": -1.0}, "margin=-1.0"),
    ({"unit": "x", "kind": "equivalence", "margin": 0.9}, "margin=0.9"),
])
def test_a_test_refuses_bad_definitions(changes, message):
    fields = {"statistic": "s", "unit": "pp", "kind": "above", "margin": 1.0} | changes
    with pytest.raises(ValueError, match=message):
        ClaimTest(**fields)


def test_intervals_are_written_in_the_tests_unit_at_the_precision_they_justify():
    ratio = ClaimTest("r", "x", "above", 10.0)
    assert format_interval(Interval(2.0, 1.5, 2.5, 5, "t"), ratio) == "100× [31.6×, 316×]"
    points = ClaimTest("d", "pp", "above", 0.0)
    assert format_interval(Interval(0.4, 0.03, 0.77, 5, "t"), points) == "+0.4 [+0.0, +0.8] pp"
    assert format_interval(Interval(0.41, 0.38, 0.44, 5, "t"), points) == "+0.41 [+0.38, +0.44] pp"
    assert "no interval" in format_interval(stats.mean_ci([1.0]), points)
    assert ratio.prediction == "above 10×"
    assert ClaimTest("r", "x", "equivalence", 1.05).prediction == "within 0.952× to 1.05×"


def test_counted_quantities_never_give_a_zero_width_interval():
    same = stats.mean_ci([2.0, 2.0, 2.0, 2.0], resolution=1.0)
    assert (same.low, same.high) == (1.5, 2.5)
    assert verdict(same, ClaimTest("epochs", "epochs", "above", 1.8)) == "undecided"
    with pytest.raises(ValueError, match="resolution=-1"):
        stats.mean_ci([1.0, 2.0], resolution=-1)


def test_mean_ci_matches_the_t_interval_and_refuses_a_bootstrap_over_few_values():
    interval = stats.mean_ci([1.0, 2.0, 3.0, 4.0])
    # mean 2.5, sd 1.291, t(0.975, 3) = 3.182: half-width 2.054
    assert interval.mean == 2.5 and interval.high - 2.5 == pytest.approx(2.054, abs=1e-3)
    assert interval.spread == pytest.approx(1.291, abs=1e-3)
    with pytest.raises(ValueError, match="at least 20"):
        stats.mean_ci([1.0, 2.0, 3.0], method="bootstrap")
    many = stats.mean_ci(RNG.normal(0, 1, 40), method="bootstrap")
    assert many.low < many.mean < many.high
    assert stats.mean_ci([1.0, float("nan"), 3.0]).n == 2


def test_minimum_detectable_effect_shrinks_with_seeds_and_is_zero_for_exact_values():
    few, many = (stats.mean_ci(RNG.normal(0, 1, n)) for n in (3, 30))
    assert stats.minimum_detectable(few) / few.spread > 2 * stats.minimum_detectable(many) / many.spread
    # The normal approximation (1.96 + 0.84) / sqrt(n), which the t-test's exceeds a little.
    assert stats.minimum_detectable(many) / many.spread == pytest.approx(2.80 / math.sqrt(30),
                                                                        rel=0.05)
    assert stats.minimum_detectable(stats.exact(0.3)) == 0.0
    assert math.isinf(stats.minimum_detectable(stats.mean_ci([1.0])))
    measured = Measurement(ClaimTest("d", "pp", "above", 0.5), Interval(0.0, -1, 1, 10, "t", 1.0))
    assert measured.detectable_effect() == f"≥ +{0.5 + measured.detectable:.3g} pp"


def test_p_values_and_holm():
    interval = stats.mean_ci(CLEAR)
    assert stats.p_value(interval, 0.0, "above") < 1e-3 < 0.999 < stats.p_value(interval, 0.0,
                                                                                 "below")
    assert stats.p_value(stats.exact(0.0), 1e-12, "below") == 0.0
    assert stats.holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    with pytest.raises(ValueError, match="side='left'"):
        stats.p_value(interval, 0.0, "left")


def test_holm_agrees_with_statsmodels_on_made_up_p_values():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    for size in (1, 2, 5, 13):
        for p_values in (rng.uniform(0, 0.2, size), rng.uniform(0, 1, size),
                         np.repeat(rng.uniform(0, 0.1), size)):
            assert stats.holm(p_values) == pytest.approx(
                multipletests(p_values, method="holm")[1], abs=1e-15)


def test_secondary_tests_are_bonferroni_adjusted_and_labelled_by_the_interval_shown():
    clear = Measurement(ABOVE, stats.mean_ci(CLEAR))
    noise = Measurement(ABOVE, stats.mean_ci(NOISE))
    against = Measurement(ABOVE, stats.mean_ci(-CLEAR))
    checked = secondary_verdicts([clear, noise, against])
    assert [v for _, v, _ in checked] == ["supported", "undecided", "contradicted"]
    alone = clear.p_values()[0]
    assert checked[0][0] == pytest.approx(min(1.0, 3 * alone))  # three tests: x3
    # each shown interval is at 1 - 0.05/3 and wider than the 95% one
    shown = checked[1][2]
    assert shown.high - shown.low > noise.interval.high - noise.interval.low
    assert (shown.high - shown.mean) == pytest.approx(
        scipy_stats.t.ppf(1 - 0.05 / 6, len(NOISE) - 1) * noise.interval.spread
        / math.sqrt(len(NOISE)))


def test_a_secondary_label_never_contradicts_the_interval_beside_it():
    # Four tests; one whose 95% interval lies just below the margin: under Holm's step-down it
    # read undecided next to an interval wholly on the other side. Now its interval is shown at
    # 1 - 0.05/4, and its label is that interval's.
    rng = np.random.default_rng(3)
    near = Measurement(ABOVE, stats.mean_ci(-0.9 + rng.normal(0, 1.0, 10)))
    others = [Measurement(ABOVE, stats.mean_ci(rng.normal(0, 1.0, 10))) for _ in range(3)]
    for (_, label, shown), m in zip(secondary_verdicts([near, *others]), [near, *others],
                                    strict=True):
        assert label == verdict(shown, m.test)
def test_paired_helper_matches_seeds():
    frame = pd.DataFrame({"activation": ["a", "a", "b", "b", "b"], "seed": [0, 1, 0, 1, 2],
                          "value": [3.0, 4.0, 1.0, 1.5, 9.0]})
    interval = stats.paired(frame, "value", "a", "b")
    assert interval.n == 2 and interval.mean == pytest.approx(2.25)
    assert stats.paired(frame, "value", "a", "zzz").n == 0
    with pytest.raises(ValueError, match="equal lengths"):
        stats.paired_difference([1, 2], [1])


def _anchors(report: str) -> set[str]:
    notebook = nbformat.read(settings.ROOT / "notebooks" / f"{report}.ipynb", as_version=4)
    headings = [line.lstrip("#").strip() for cell in notebook.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("#")]
    return {heading.replace(" ", "-") for heading in headings}


def test_every_claim_states_its_test_and_links_a_heading_that_exists():
    assert [c.id for c in claims.CLAIMS] == list(range(1, 20))
    for claim in claims.CLAIMS:
        assert isinstance(claim.primary, ClaimTest) and claim.primary.reason, claim.id
        report, anchor = claim.evidence.split("#")
        assert anchor in _anchors(report), f"claim {claim.id}: no heading {anchor!r} in {report}"


def test_each_claim_has_the_seeds_its_definition_states_in_the_default_profile():
    for claim in claims.CLAIMS:
        study = studies.get(claim.study, "default")
        seeds = (len(study.seed_list) if claim.study != "activation_cost"
                 else study.processes)  # a timing's replicates are its fresh processes
        assert seeds == claim.seeds, f"claim {claim.id}: {claim.study} has {seeds} seeds"


def test_an_underpowered_design_is_undecided_and_says_what_it_could_have_detected():
    # A true effect just beyond the margin (+0.6 pp against +0.5 pp), three noisy seeds.
    test = ClaimTest("a difference", "pp", "above", 0.5)
    underpowered = Measurement(test, stats.mean_ci(0.6 + NOISE[:3]))
    assert underpowered.verdict == "undecided"
    # It could only have detected an effect well beyond the one it met.
    assert underpowered.detectable > 1.0
    assert underpowered.detectable_effect() == f"≥ +{0.5 + underpowered.detectable:.3g} pp"
    # The same effect over many quiet seeds is decided.
    powered = Measurement(test, stats.mean_ci(0.6 + RNG.normal(0.0, 0.05, 30)))
    assert powered.verdict == "supported" and powered.detectable < 0.1


def test_each_claim_quotes_its_source_verbatim_and_labels_the_margins_it_does_not_give():
    folder = settings.ROOT.parent / "shared" / "sources"
    if not folder.is_dir():
        pytest.skip("the source articles (../shared/sources) are not beside this checkout")
    for claim in claims.CLAIMS:
        text = " ".join((folder / claim.quote_file).read_text(encoding="utf-8").split())
        pieces = [" ".join(piece.split()) for piece in claim.quote.split("…")]
        assert all(piece.strip() in text for piece in pieces), claim.id
        # A margin not labelled as ours cites a number the quoted sentence gives.
        reason = claim.primary.reason
        if not reason.startswith("ours"):
            assert any(number in claim.quote for number in re.findall(r"\d+(?:\.\d+)?", reason)
                       ), f"claim {claim.id}: its margin is not the source's; label it ours"
    assert [c.id for c in claims.CLAIMS if c.quote_is_closest] == [13, 17]
