"""Rankings with their uncertainty, identical functions, and the learning-rate analysis,
on hand-made frames whose answers are known."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from actstudy import analysis, stats
from actstudy.analysis import properties
from actstudy.present import plots, tables
from actstudy.run import activations

matplotlib.use("Agg")


def _per_seed(values: dict[str, list[float]], column: str = "accuracy") -> pd.DataFrame:
    return pd.DataFrame([{"activation": name, "seed": seed, column: value}
                         for name, seeds in values.items() for seed, value in enumerate(seeds)])


# -- rank_intervals ------------------------------------------------------------------------------


def test_a_clear_winner_has_rank_interval_one_to_one_and_a_tier_of_its_own():
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 0.01, size=5)  # shared by seed: runs are paired
    table = stats.rank_intervals(_per_seed({
        "b": list(0.80 + noise + rng.normal(0, 0.003, 5)),
        "a": list(0.95 + noise + rng.normal(0, 0.003, 5)),
        "c": list(0.80 + noise + rng.normal(0, 0.003, 5))}), "accuracy", True)
    first = table.iloc[0]
    assert first["activation"] == "a" and first["rank"] == 1
    assert (first["rank_low"], first["rank_high"], first["tier"]) == (1, 1, 1)
    assert set(table["tier"].iloc[1:]) == {2}  # b and c: one tier, neither told apart
    assert (table["rank_low"].iloc[1:] == 2).all() and (table["rank_high"].iloc[1:] == 3).all()
    assert table["mean"].iloc[0] == pytest.approx(np.mean(0.95 + noise), abs=0.003)


def test_two_identical_columns_share_their_rank_and_tier():
    same = [0.91, 0.93, 0.92, 0.94]
    table = stats.rank_intervals(_per_seed({"elu": same, "celu": same,
                                            "sigmoid": [0.80, 0.82, 0.79, 0.81]}),
                                 "accuracy", True).set_index("activation")
    assert table.loc["elu", "rank"] == table.loc["celu", "rank"] == 1
    assert table.loc["elu", "tier"] == table.loc["celu", "tier"] == 1
    assert (table.loc["elu", "rank_low"], table.loc["elu", "rank_high"]) == (1, 1)
    assert table.loc["sigmoid", "rank"] == 3 and table.loc["sigmoid", "tier"] == 2


def test_lower_is_better_reverses_the_order():
    table = stats.rank_intervals(_per_seed({"relu": [0.01, 0.012, 0.011],
                                            "identity": [0.3, 0.31, 0.29]}, "test_loss"),
                                 "test_loss", False)
    assert list(table["activation"]) == ["relu", "identity"]
    assert list(table["tier"]) == [1, 2]


def test_activations_the_seeds_cannot_separate_are_one_tier_with_wide_rank_intervals():
    rng = np.random.default_rng(0)
    values = {name: list(0.9 + rng.normal(0, 0.01, 3)) for name in "abcd"}
    table = stats.rank_intervals(_per_seed(values), "accuracy", True)
    assert set(table["tier"]) == {1}
    assert (table["rank_high"] - table["rank_low"] >= 2).all()


def test_a_tier_holds_what_cannot_be_told_from_its_best_not_a_chain():
    # b is within noise of a, and c of b, but c is clearly below a: c starts tier 2.
    base = 0.9 + np.array([0.0, 0.01, -0.01, 0.005, -0.005, 0.0])
    below_a_b = np.array([-0.003, 0.007, 0.002, -0.002, 0.006, 0.002])  # mean 0.002, noisy
    below_a_c = np.array([0.004, 0.006, 0.004, 0.005, 0.006, 0.005])  # mean 0.005, steady
    frame = _per_seed({"a": list(base), "b": list(base - below_a_b), "c": list(base - below_a_c)})
    b_minus_c = stats.paired_difference(below_a_c, below_a_b)
    assert b_minus_c.low < 0 < b_minus_c.high  # a chain through b would keep c in tier 1
    table = stats.rank_intervals(frame, "accuracy", True).set_index("activation")
    assert table.loc["a", "tier"] == table.loc["b", "tier"] == 1
    assert table.loc["c", "tier"] == 2


def test_diverged_runs_are_missing_and_an_activation_without_values_comes_last():
    table = stats.rank_intervals(_per_seed({
        "relu": [0.95, np.nan, 0.96], "tanh": [0.90, 0.91, 0.89],
        "binary_step": [np.nan, np.nan, np.nan]}), "accuracy", True)
    assert list(table["activation"]) == ["relu", "tanh", "binary_step"]
    assert table.loc[0, "seeds"] == 2 and table.loc[2, "seeds"] == 0
    assert pd.isna(table.loc[2, "rank"]) and pd.isna(table.loc[2, "tier"])


def test_the_same_seed_gives_the_same_table():
    rng = np.random.default_rng(3)
    frame = _per_seed({name: list(0.9 + rng.normal(0, 0.01, 3)) for name in "abcde"})
    first = stats.rank_intervals(frame, "accuracy", True, seed=7)
    pd.testing.assert_frame_equal(first, stats.rank_intervals(frame, "accuracy", True, seed=7))


def test_rank_intervals_follow_the_paired_t_test_not_the_handful_of_seed_resamples():
    # Three seeds, b always 0.001 to 0.003 below a: resampling seeds with replacement would
    # put a first in every resample; the paired t-interval of a - b holds 0, so should the ranks.
    table = stats.rank_intervals(_per_seed({"a": [0.910, 0.920, 0.930],
                                            "b": [0.909, 0.917, 0.929]}), "accuracy", True)
    assert list(table["tier"]) == [1, 1]
    assert list(table["rank_high"]) == [2, 2]


@pytest.mark.parametrize("arguments, message", [
    ({"value": "acc"}, "value='acc' is not allowed: the frame has no such column"),
    ({"by": "name"}, "by='name' is not allowed: the frame has no such column"),
    ({"higher_is_better": "yes"}, "higher_is_better='yes' is not allowed: give True or False"),
    ({"confidence": 95}, r"confidence=95 is not allowed: must be in \(0, 1\)"),
    ({"resamples": 10}, "resamples=10 is not allowed: must be an integer >= 100"),
])
def test_bad_ranking_arguments_are_named(arguments, message):
    frame = _per_seed({"a": [0.9, 0.91], "b": [0.8, 0.81]})
    given = {"value": "accuracy", "higher_is_better": True, **arguments}
    with pytest.raises(ValueError, match=message):
        stats.rank_intervals(frame, **given)


def test_a_frame_without_seeds_or_rows_is_refused():
    with pytest.raises(ValueError, match="no 'seed' column"):
        stats.rank_intervals(pd.DataFrame({"activation": ["a"], "accuracy": [0.9]}),
                             "accuracy", True)
    with pytest.raises(ValueError, match="frame is empty"):
        stats.rank_intervals(_per_seed({}).reindex(columns=["activation", "seed", "accuracy"]),
                             "accuracy", True)


# -- identical and near-identical functions --------------------------------------------------------


def test_celu_with_alpha_one_is_elu_and_gelus_tanh_form_is_near_gelu():
    pairs = properties.equivalent_pairs(["relu", "elu", "celu", "gelu", "gelu_tanh", "swish"])
    found = {(row.first, row.second): row for row in pairs.itertuples()}
    assert set(found) == {("elu", "celu"), ("gelu", "gelu_tanh")}
    assert found[("elu", "celu")].relation == "identical"
    assert found[("elu", "celu")].max_difference <= 1e-6
    near = found[("gelu", "gelu_tanh")]
    assert near.relation == "near" and 1e-4 < near.max_difference < 5e-4


def test_a_tighter_tolerance_drops_the_near_pair_but_keeps_the_identical_one():
    pairs = properties.equivalent_pairs(["elu", "celu", "gelu", "gelu_tanh"], tolerance=1e-4)
    assert pairs[["first", "second"]].values.tolist() == [["elu", "celu"]]


def test_learnable_activations_are_not_compared():
    # swish_beta starts as swish, but it is a function of its trained beta.
    assert properties.equivalent_pairs(["swish", "swish_beta", "relu"]).empty


def test_notes_name_the_twin_both_ways():
    notes = properties.equivalence_notes(["elu", "celu", "gelu", "gelu_tanh", "relu"])
    assert notes == {"elu": "same function as celu", "celu": "same function as elu",
                     "gelu": "within 0.0005 of gelu_tanh everywhere",
                     "gelu_tanh": "within 0.0005 of gelu everywhere"}


@pytest.mark.parametrize("names, tolerance, message", [
    ("elu", 5e-4, "names='elu' is not allowed: give a list"),
    (["elu", "celu"], 0, "tolerance=0 is not allowed: must be a finite number > 0"),
    (["elu", "celu"], float("nan"), "tolerance=nan is not allowed"),
    (["elu", "celo"], 5e-4, "unknown activation 'celo'"),
])
def test_bad_equivalence_arguments_are_named(names, tolerance, message):
    with pytest.raises(ValueError, match=message):
        properties.equivalent_pairs(names, tolerance)


def test_rank_table_marks_ties_and_identical_functions():
    table = tables.rank_table(_per_seed({"gelu": [0.95, 0.96, 0.955],
                                           "gelu_tanh": [0.949, 0.961, 0.953],
                                           "tanh": [0.90, 0.91, 0.89]}, "test_accuracy"),
                                "test_accuracy", True, percent=True)
    assert list(table["activation"]) == ["gelu", "gelu_tanh", "tanh"]
    assert list(table["note"]) == ["within 0.0005 of gelu_tanh everywhere",
                                   "within 0.0005 of gelu everywhere", ""]
    assert table.columns[2] == "test_accuracy (%) [95% CI]"
    assert table.iloc[2, 2] == "90 [88, 92]"  # a half-width of 2.5 points justifies no decimals


def test_cross_experiment_ranking_has_an_interval_around_its_mean_scaled_rank():
    rng = np.random.default_rng(0)
    experiments = {}
    for name, offset in (("one", 0.0), ("two", 0.001)):
        frame = _per_seed({a: list(base + offset + rng.normal(0, 0.002, 4))
                           for a, base in (("relu", 0.95), ("tanh", 0.93), ("sigmoid", 0.90))},
                          "test_accuracy")
        experiments[name] = (frame, "test_accuracy", True)
    numbers = analysis.ranking(experiments)
    assert list(numbers.index) == ["relu", "tanh", "sigmoid"]
    assert (numbers["mean scaled rank low"] <= numbers["mean scaled rank"]).all()
    assert (numbers["mean scaled rank"] <= numbers["mean scaled rank high"]).all()
    table = tables.ranking_table(experiments)
    assert table.loc[0, "mean scaled rank [95% CI]"] == "0.00 [0.00, 0.00]"
    assert table.loc[2, "one: rank [95% CI]"] == "3 [3, 3]"


# -- learning-rate sensitivity --------------------------------------------------------------------


def _rate_summary() -> pd.DataFrame:
    """relu peaks at 1e-3 on validation but at 1e-2 on test; tanh peaks at 1e-2 and one of
    its seeds diverges at 1e-1; sigmoid is best at the grid's top rate."""
    validation = {"relu": {1e-3: 0.95, 1e-2: 0.94, 1e-1: 0.80},
                  "tanh": {1e-3: 0.90, 1e-2: 0.93, 1e-1: 0.97},
                  "sigmoid": {1e-3: 0.80, 1e-2: 0.85, 1e-1: 0.89}}
    test = {"relu": {1e-3: 0.94, 1e-2: 0.96, 1e-1: 0.80}}
    rows = []
    for name, rates in validation.items():
        for rate, accuracy in rates.items():
            for seed in range(3):
                diverged = name == "tanh" and rate == 1e-1 and seed == 0
                noise = 0.002 * (seed - 1)
                rows.append({"dataset": "mnist", "optimizer": "adam", "activation": name,
                             "learning_rate": rate, "seed": seed, "diverged": diverged,
                             "final_val_accuracy": np.nan if diverged else accuracy + noise,
                             "test_accuracy": np.nan if diverged else
                             test.get(name, rates)[rate] + noise})
    return pd.DataFrame(rows)


def test_curves_count_finished_and_diverged_seeds():
    curves = analysis.learning_rate_curves(_rate_summary()).set_index(
        ["activation", "learning_rate"])
    assert curves.loc[("tanh", 1e-1), "seeds"] == 2 and curves.loc[("tanh", 1e-1), "diverged"] == 1
    assert curves.loc[("relu", 1e-3), "mean"] == pytest.approx(0.95)


def test_the_best_rate_is_chosen_on_validation_and_avoids_rates_where_seeds_diverged():
    best = analysis.best_learning_rates(_rate_summary()).set_index("activation")
    assert best.loc["relu", "best_rate"] == 1e-3  # the test set would have picked 1e-2
    assert best.loc["relu", "mean"] == pytest.approx(0.94)
    assert best.loc["tanh", "best_rate"] == 1e-2  # 1e-1 scores higher, but a seed diverged
    assert best.loc["sigmoid", "edge"] == "highest" and best.loc["relu", "edge"] == "lowest"


def test_rankings_at_the_reference_and_at_the_best_rates_and_their_flips():
    rankings = analysis.learning_rate_rankings(_rate_summary(), "adam", 1e-2)
    assert list(dict.fromkeys(rankings["setting"])) == ["adam at 0.01", "adam at its best rate"]
    at_reference = rankings[rankings["setting"] == "adam at 0.01"]
    assert list(at_reference["activation"]) == ["relu", "tanh", "sigmoid"]
    at_best = rankings[rankings["setting"] == "adam at its best rate"].set_index("activation")
    assert at_best.loc["relu", "learning_rate"] == 1e-3 and at_best.loc["relu", "rank"] == 1
    flips = analysis.flip_counts(rankings)
    assert flips[["pairs", "changed"]].values.tolist() == [[3, 0]]
    table = tables.learning_rate_table(rankings, "mnist")
    assert table.loc["sigmoid", ("adam at its best rate", "rate")] == "0.1 (highest tried)"
    assert table.loc["relu", ("adam at 0.01", "rank [95% CI], tier")] == "1 [1, 1], tier 1"


def test_rank_flips_names_the_pairs_that_change_order():
    ranks = pd.DataFrame({"dataset": "d", "setting": ["x"] * 3 + ["y"] * 3,
                          "activation": ["a", "b", "c", "c", "b", "a"],
                          "rank": [1, 2, 3, 1, 2, 3], "tier": [1, 2, 3, 1, 1, 2]})
    flips = analysis.rank_flips(ranks, "x", "y")
    assert sorted(map(tuple, flips[["ahead_at_first", "ahead_at_second"]].values)) == [
        ("a", "b"), ("a", "c"), ("b", "c")]
    assert flips.set_index(["ahead_at_first", "ahead_at_second"])["told_apart"].to_dict() == {
        ("a", "b"): True, ("a", "c"): True, ("b", "c"): False}
    with pytest.raises(ValueError, match="second='z' is not allowed: the rankings hold settings x, y"):
        analysis.rank_flips(ranks, "x", "z")


def test_a_reference_rate_the_runs_lack_is_named():
    with pytest.raises(ValueError, match="reference_learning_rate=0.003 is not allowed: the "
                                         "summary has no such runs; it has adam at 0.001"):
        analysis.learning_rate_rankings(_rate_summary(), "adam", 3e-3)


def test_learning_rate_figure_has_a_row_per_setting_and_a_column_per_family():
    summary = pd.concat([_rate_summary(), _rate_summary().assign(optimizer="momentum")])
    fig = plots.learning_rate_curves(analysis.learning_rate_curves(summary),
                                     reference=("adam", 1e-3))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 2 * 2  # (mnist, adam), (mnist, momentum) x rectifier, sigmoidal
    assert [ax.get_title() for ax in shown[:2]] == ["rectifier", "sigmoidal"]
    assert shown[0].get_xscale() == "log" and len(fig.legends) == 1
    # Activations are named at their line ends; the one legend holds the marks alone.
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["adam at 0.001",
                                                                  "some seeds diverged"]
    names = set(summary["activation"])
    assert all({t.get_text() for t in ax.texts} <= names and ax.texts for ax in shown)
    matplotlib.pyplot.close(fig)


def test_learning_rate_figure_refuses_more_than_eight_hues_in_a_panel(monkeypatch):
    names = [f"act{i}" for i in range(9)]
    curves = pd.DataFrame([{"dataset": "mnist", "optimizer": "adam", "activation": name,
                            "learning_rate": rate, "mean": 0.9, "ci_low": 0.89, "ci_high": 0.91,
                            "seeds": 3, "diverged": 0} for name in names for rate in (1e-3, 1e-2)])
    family = type("Spec", (), {"family": "rectifier"})
    monkeypatch.setattr(activations, "spec", lambda name: family)
    fig = plots.learning_rate_curves(curves[curves["activation"] != "act8"])
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="family 'rectifier' has 9 activations; a panel shows at "
                                         "most 8"):
        plots.learning_rate_curves(curves)
