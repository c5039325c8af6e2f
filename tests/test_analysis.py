"""Derived measurements on small hand-made frames whose answers are known."""

import numpy as np
import pandas as pd
import pytest

from actstudy import analysis
from actstudy.present import tables, text
from actstudy.run.config import Config


def _summary(values: dict[str, float], metric: str = "accuracy") -> pd.DataFrame:
    return pd.DataFrame({"activation": list(values), metric: list(values.values())})


def test_ranking_scales_ranks_so_experiments_of_any_size_weigh_alike():
    big = _summary({"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.6, "e": 0.5})
    small = _summary({"e": 0.99, "a": 0.1})  # e first of two, a last of two
    table = analysis.ranking({"big": (big, "accuracy", True), "small": (small, "accuracy", True)})
    assert table.loc["a", "big"] == 1 and table.loc["e", "small"] == 1
    # a: (0 + 1) / 2; e: (1 + 0) / 2; b: 0.25 from one experiment only.
    assert table.loc["a", "mean scaled rank"] == pytest.approx(0.5)
    assert table.loc["e", "mean scaled rank"] == pytest.approx(0.5)
    assert table.loc["b", "mean scaled rank"] == pytest.approx(0.25)
    assert table.index[0] == "b" and table.loc["b", "experiments"] == 1
    assert np.isnan(table.loc["b", "small"])


def test_ranking_lower_is_better_for_errors():
    mse = _summary({"relu": 0.01, "identity": 0.3}, "test_loss")
    table = analysis.ranking({"sine": (mse, "test_loss", False)})
    assert list(table.index) == ["relu", "identity"]


def _history(accuracies, key="k", seconds=2.0):
    return pd.DataFrame({"key": key, "dataset": "mnist", "activation": "relu", "depth": 2,
                         "seed": 0, "epoch": range(1, len(accuracies) + 1),
                         "val_accuracy": accuracies, "seconds": seconds})


def test_time_to_target_first_epoch_reached_and_censored_runs():
    history = pd.concat([_history([0.5, 0.91, 0.95], "fast"), _history([0.5, 0.6, 0.7], "never")])
    reach = analysis.time_to_target(history, 0.9).set_index("key")
    assert reach.loc["fast", "epochs_to_target"] == 2
    assert reach.loc["fast", "seconds_to_target"] == pytest.approx(4.0)
    assert not reach.loc["never", "reached"] and np.isnan(reach.loc["never", "epochs_to_target"])


def _bias_rows(norms, steps=4, kernel=1.0):
    names = [f"linear_{i}" for i in range(len(norms) - 1)] + ["head"]
    return pd.DataFrame([
        {"key": "k", "dataset": "mnist", "activation": "sigmoid", "initializer": "glorot_uniform",
         "depth": len(norms) - 1, "init_scale": 1.0, "seed": 0, "step": step, "layer": name,
         "layer_index": index, "gradient_norm": kernel, "bias_gradient_norm": norm}
        for step in range(steps) for index, (name, norm) in enumerate(zip(names, norms, strict=True))])


def test_gradient_ratio_uses_bias_gradients_first_over_last_hidden_layer_ignoring_the_head():
    # Kernel norms all equal: the ratio must come from the bias (per-unit error) norms.
    ratio = analysis.gradient_ratio(_bias_rows([1e-4, 1e-2, 1.0, 50.0]), epoch_steps=2)
    assert ratio["ratio"].item() == pytest.approx(1e-4)


def test_gradient_growth_sign_says_vanishing_or_exploding():
    vanishing = analysis.gradient_growth(_bias_rows([1e-4, 1e-2, 1.0, 50.0]))
    exploding = analysis.gradient_growth(_bias_rows([8.0, 4.0, 2.0, 1.0, 0.1]))
    assert vanishing["slope"].item() == pytest.approx(-2.0)
    assert vanishing["growth"].item() == pytest.approx(0.01)
    assert exploding["slope"].item() == pytest.approx(np.log10(2.0))


def test_gradient_analyses_refuse_records_without_bias_norms():
    rows = _bias_rows([1.0, 1.0, 1.0])
    rows["bias_gradient_norm"] = np.nan
    with pytest.raises(ValueError, match="no bias-gradient norms"):
        analysis.gradient_ratio(rows)


def _learned_row(key, seed, epoch, layer_index, parameter, values, activation="prelu",
                 label=None, depth=2):
    return {"key": key, "dataset": "mnist", "depth": depth, "activation": activation,
            "activation_label": label or activation, "seed": seed, "epoch": epoch,
            "layer": f"activation_{layer_index}", "layer_index": layer_index,
            "parameter": parameter, "values": list(values), "mean": float(np.mean(values))}


def test_unit_parameters_one_row_per_unit_of_each_run_epoch_and_layer():
    rows = [_learned_row(f"k{seed}", seed, epoch, layer, "slope", [0.25 + epoch * u for u in
                                                                  range(4)])
            for seed in (0, 1) for epoch in (0, 1, 2) for layer in (0, 1)]
    rows.append(_learned_row("s", 0, 0, 0, "beta", [1.0], activation="swish_beta"))
    units = analysis.unit_parameters(pd.DataFrame(rows), "slope")
    assert len(units) == 2 * 3 * 2 * 4
    assert units.groupby(["key", "epoch", "layer"])["unit"].apply(list).map(
        lambda u: u == [0, 1, 2, 3]).all()
    last = units[(units.key == "k1") & (units.epoch == 2) & (units.layer_index == 1)]
    assert last["value"].tolist() == [0.25, 2.25, 4.25, 6.25]
    assert {"dataset", "depth", "activation_label", "seed"} <= set(units.columns)
    with pytest.raises(ValueError, match="parameter='slop' is not allowed.*present: beta, slope"):
        analysis.unit_parameters(pd.DataFrame(rows), "slop")


def _mixture(seed, epoch, layer, weights, depth=2):
    return [_learned_row(f"m{depth}-{seed}", seed, epoch, layer, f"weight_{base}", [w],
                         activation="mixture", depth=depth)
            for base, w in zip(("relu", "tanh", "sigmoid", "identity"), weights, strict=True)]


def test_mixture_weights_mean_over_seeds_at_the_last_epoch_by_default():
    rows = [*_mixture(0, 0, 0, [0.25] * 4), *_mixture(1, 0, 0, [0.25] * 4),
            *_mixture(0, 3, 0, [0.7, 0.1, 0.1, 0.1]), *_mixture(1, 3, 0, [0.5, 0.3, 0.1, 0.1]),
            _learned_row("p", 0, 3, 0, "slope", [0.2, 0.3])]
    weights = analysis.mixture_weights(pd.DataFrame(rows))
    assert weights["base"].tolist() == ["relu", "tanh", "sigmoid", "identity"]
    assert weights["weight"].tolist() == pytest.approx([0.6, 0.2, 0.1, 0.1])
    assert set(weights["epoch"]) == {3} and set(weights["seeds"]) == {2}
    assert weights["weight"].sum() == pytest.approx(1.0)
    start = analysis.mixture_weights(pd.DataFrame(rows), epoch=0)
    assert start["weight"].tolist() == pytest.approx([0.25] * 4)
    with pytest.raises(ValueError, match="epoch=9 is not allowed.*0 to 3"):
        analysis.mixture_weights(pd.DataFrame(rows), epoch=9)


def test_mixture_against_its_best_base_paired_by_seed_in_percentage_points():
    accuracy = {"mixture": [0.95, 0.96, 0.97], "relu": [0.94, 0.94, 0.96],
                "tanh": [0.90, 0.91, 0.92], "leaky_relu": [0.99, 0.99, 0.99],
                "prelu": [0.99, 0.99, 0.99]}
    rows = [{"dataset": dataset, "depth": depth, "activation": name, "activation_label": name,
             "seed": seed, "test_accuracy": value - (0.1 if depth == 6 else 0.0)}
            for dataset in ("mnist", "fashion_mnist") for depth in (2, 6)
            for name, values in accuracy.items() for seed, value in enumerate(values)]
    table = analysis.mixture_against_bases(pd.DataFrame(rows))
    assert len(table) == 4 and set(table["best_base"]) == {"relu"}  # leaky_relu is no base
    row = table.iloc[0]
    assert row["difference_pp"] == pytest.approx(4 / 3)  # differences 1, 2, 1 pp
    # t(0.975, 2) = 4.303; sd of (1, 2, 1) = 0.577: half-width 1.434 pp
    assert row["ci_high_pp"] - row["difference_pp"] == pytest.approx(1.434, abs=1e-3)
    assert row["seeds"] == 3 and row["mixture_accuracy"] == pytest.approx(0.96)
    with pytest.raises(ValueError, match="no runs of 'mixture' beside one of its bases"):
        analysis.mixture_against_bases(pd.DataFrame(rows).query("activation != 'relu' "
                                                                "and activation != 'tanh'"))


def _probe_rows(epochs=(0, 1, 2), layers=3, seeds=2):
    return pd.DataFrame([
        {"key": f"{activation}-{seed}", "dataset": "mnist", "activation": activation,
         "initializer": "lecun_normal", "depth": layers, "init_scale": 1.0, "seed": seed,
         "epoch": epoch, "layer": f"activation_{layer}", "layer_index": layer,
         "act_mean": 0.1 * epoch, "act_std": 0.5 ** layer, "dead_fraction": 0.0,
         "quantiles": [0.0] * 21}
        for activation in ("selu", "tanh") for seed in range(seeds) for epoch in epochs
        for layer in range(layers)])


def test_signal_propagation_per_run_and_layer_at_the_epochs_asked_for():
    rows = _probe_rows()
    start = analysis.signal_propagation(rows)
    assert len(start) == 2 * 2 * 3 and set(start["epoch"]) == {0}
    assert {"key", "activation", "initializer", "seed", "layer_index", "act_mean",
            "act_std"} <= set(start.columns)
    assert "quantiles" not in start.columns and "dead_fraction" not in start.columns
    run = start[start["key"] == "selu-0"]
    assert run["act_std"].tolist() == [1.0, 0.5, 0.25]  # ordered input to output
    # Runs keep the order they come in (a study's activation order), layers are sorted.
    tanh_first = analysis.signal_propagation(rows.iloc[::-1])
    assert list(dict.fromkeys(tanh_first["key"])) == ["tanh-1", "tanh-0", "selu-1", "selu-0"]
    assert tanh_first["layer_index"].tolist()[:3] == [0, 1, 2]
    both = analysis.signal_propagation(rows, epoch=[0, 2])
    assert set(both["epoch"]) == {0, 2} and len(both) == 2 * len(start)
    assert len(analysis.signal_propagation(rows, epoch=None)) == len(rows)
    assert set(analysis.signal_propagation(rows, epoch=np.int64(1))["epoch"]) == {1}
    with pytest.raises(ValueError, match="epoch=5 is not allowed: these runs recorded epochs "
                                         "0, 1, 2"):
        analysis.signal_propagation(rows, epoch=5)
    dead = analysis.signal_propagation(rows.assign(dead_fraction=rows.seed / 10),
                                       values=["dead_fraction"])
    assert dead.columns[-1] == "dead_fraction" and "act_std" not in dead.columns
    assert dead.groupby("key", sort=False)["dead_fraction"].first().tolist() == [0, 0.1, 0, 0.1]
    with pytest.raises(ValueError, match="values=\\['daed_fraction'\\] is not allowed: "
                                         ".*inactive_fraction"):
        analysis.signal_propagation(rows, values=["daed_fraction"])


def test_initializer_table_one_row_per_activation_and_initializer_with_t_intervals():
    from actstudy import stats

    rows = []
    for activation in ("relu", "tanh"):
        for initializer in ("he_normal", "glorot_uniform"):
            for seed, accuracy in enumerate((0.90, 0.92, 0.97)):
                rows.append({"key": f"{activation}-{initializer}-{seed}", "dataset": "mnist",
                             "depth": 10, "activation": activation, "initializer": initializer,
                             "init_scale": 1.0, "seed": seed, "test_accuracy": accuracy,
                             "diverged": False})
    summary = pd.DataFrame(rows)
    summary.loc[summary["key"] == "tanh-he_normal-2", ["test_accuracy", "diverged"]] = [np.nan, True]
    growth = summary[["key", "dataset", "depth", "activation", "initializer", "init_scale",
                      "seed"]].assign(slope=[0.0, 0.2, 1.0] * 4)
    table = tables.initializer_table(summary, growth)
    assert list(zip(table["activation"], table["initializer"], strict=True)) == [
        ("relu", "he_normal"), ("relu", "glorot_uniform"), ("tanh", "he_normal"),
        ("tanh", "glorot_uniform")]
    first = table.iloc[0]
    expected = stats.mean_ci([0.90, 0.92, 0.97])
    assert first["accuracy"] == pytest.approx(expected.mean)
    assert (first["accuracy_low"], first["accuracy_high"]) == pytest.approx(
        (expected.low, expected.high))
    assert first["seeds"] == 3 and first["diverged"] == 0
    assert first["slope"] == pytest.approx(0.2)  # the median over seeds
    diverged = table.iloc[2]
    assert diverged["seeds"] == 2 and diverged["diverged"] == 1
    assert diverged["accuracy"] == pytest.approx(0.91)


def _tuning_runs(val: dict, test: dict, best_epoch=None, epochs: int = 10) -> pd.DataFrame:
    """A summary of runs whose validation accuracy at their best epoch is given.

    ``val`` and ``test`` map (activation, depth, learning_rate) to one value per seed.
    """
    return pd.DataFrame([
        {"key": f"{activation}-{depth}-{rate}-{seed}", "activation": activation, "depth": depth,
         "seed": seed, "learning_rate": rate, "epochs_run": epochs,
         "best_epoch": (best_epoch or {}).get((activation, depth, rate, seed), 4),
         "best_val_accuracy": value, "test_accuracy": test[(activation, depth, rate)][seed],
         "diverged": False}
        for (activation, depth, rate), values in val.items()
        for seed, value in enumerate(values)])


def test_tune_learning_rate_chooses_on_validation_never_on_test():
    # At depth 1 the rate 0.01 validates best but 0.001 tests best: the choice must follow
    # validation. At depth 4 it is the other way round.
    val = {("relu", 1, 0.001): [0.90, 0.91], ("relu", 1, 0.01): [0.95, 0.94],
           ("relu", 4, 0.001): [0.97, 0.96], ("relu", 4, 0.01): [0.93, 0.92]}
    test = {("relu", 1, 0.001): [0.99, 0.99], ("relu", 1, 0.01): [0.80, 0.81],
            ("relu", 4, 0.001): [0.85, 0.86], ("relu", 4, 0.01): [0.99, 0.98]}
    runs, chosen = analysis.tune_learning_rate(_tuning_runs(val, test))
    assert chosen[["depth", "learning_rate", "edge", "seeds"]].values.tolist() == [
        [1, 0.01, "highest", 2], [4, 0.001, "lowest", 2]]
    assert chosen["best_val_accuracy"].tolist() == pytest.approx([0.945, 0.965])
    assert runs.groupby("depth")["test_accuracy"].apply(list).to_dict() == {
        1: [0.80, 0.81], 4: [0.85, 0.86]}
    assert runs["best_val_accuracy"].tolist() == pytest.approx([0.95, 0.94, 0.97, 0.96])


def test_tune_learning_rate_says_when_the_best_rate_is_inside_the_grid_and_budget_ends():
    val = {("tanh", 2, rate): [0.9 + (rate == 0.003) * 0.02] * 3 for rate in (0.001, 0.003, 0.01)}
    test = {key: [0.9, 0.9, 0.9] for key in val}
    best = {("tanh", 2, 0.003, 0): 10, ("tanh", 2, 0.003, 1): 3, ("tanh", 2, 0.003, 2): 10}
    runs, chosen = analysis.tune_learning_rate(_tuning_runs(val, test, best))
    assert chosen[["learning_rate", "edge"]].values.tolist() == [[0.003, ""]]
    assert runs["best_epoch"].tolist() == [10, 3, 10]
    assert chosen["at_budget_end"].item() == pytest.approx(2 / 3)


def test_tune_learning_rate_never_chooses_a_rate_where_a_seed_failed():
    val = {("gelu", 8, 0.001): [0.90, 0.90], ("gelu", 8, 0.01): [0.99, 0.99],
           ("sigmoid", 8, 0.01): [0.5, 0.5]}
    summary = _tuning_runs(val, {k: [0.5, 0.5] for k in val})
    # Seed 1 at 0.01 never had a finite epoch, and no sigmoid run had one.
    failed = (summary.learning_rate == 0.01) & (summary.seed == 1) | (
        summary.activation == "sigmoid")
    summary.loc[failed, ["best_epoch", "best_val_accuracy"]] = None
    runs, chosen = analysis.tune_learning_rate(summary)
    assert chosen.set_index("activation")["learning_rate"].to_dict() == pytest.approx(
        {"gelu": 0.001, "sigmoid": np.nan}, nan_ok=True)
    assert chosen.set_index("activation")["seeds"].to_dict() == {"gelu": 2, "sigmoid": 0}
    assert set(runs["activation"]) == {"gelu"}


def test_tune_learning_rate_refuses_runs_without_early_stopping():
    summary = _tuning_runs({("relu", 1, 0.01): [0.9]}, {("relu", 1, 0.01): [0.9]})
    with pytest.raises(ValueError, match="no best_epoch: .*restore_best=True"):
        analysis.tune_learning_rate(summary.assign(best_epoch=None))


def test_training_loss_area_means_over_epochs_and_geometric_bands_over_seeds():
    rows = []
    for label, losses in {"relu": [[1.0, 0.1], [1.0, 0.1], [1.0, 0.1]],
                          "elu": [[0.5, 0.01], [0.5, 0.04], [0.5, 0.01]]}.items():
        for seed, curve in enumerate(losses):
            for epoch, loss in enumerate(curve, start=1):
                rows.append({"key": f"{label}{seed}", "activation": label,
                             "activation_label": label, "seed": seed, "epoch": epoch,
                             "train_loss": loss})
    history = pd.DataFrame(rows)
    runs, curves = analysis.training_loss_area(history)
    assert runs["mean_train_loss"].tolist() == pytest.approx([0.55] * 3 + [0.255, 0.27, 0.255])
    assert runs["final_train_loss"].tolist() == pytest.approx([0.1] * 3 + [0.01, 0.04, 0.01])
    assert curves["activation_label"].tolist() == ["relu", "relu", "elu", "elu"]
    elu_end = curves.iloc[-1]
    assert elu_end["train_loss"] == pytest.approx((0.01 * 0.04 * 0.01) ** (1 / 3))
    assert elu_end["train_loss_low"] < elu_end["train_loss"] < elu_end["train_loss_high"]
    # Identical seeds: an interval of zero width is the data's, not a lack of seeds.
    assert curves.iloc[0][["train_loss_low", "train_loss_high"]].tolist() == pytest.approx([1, 1])
    # A run that stopped early (diverged) has no area comparable with the others'.
    short = history[~((history.key == "elu1") & (history.epoch == 2))]
    areas = analysis.training_loss_area(short)[0].set_index("key")["mean_train_loss"]
    assert np.isnan(areas["elu1"]) and areas.drop("elu1").notna().all()


def test_ratio_to_reference_pairs_by_seed_and_takes_the_interval_on_logs():
    frame = pd.DataFrame({"activation_label": ["relu"] * 4 + ["elu"] * 4 + ["tanh"] * 3,
                          "seed": [0, 1, 2, 3] * 2 + [0, 1, 2],
                          "loss": [1.0, 2.0, 4.0, 8.0, 0.5, 1.0, 2.0, 4.0, 1.0, 4.0, 4.0]})
    table = analysis.ratio_to_reference(frame, "loss", "relu").set_index("activation_label")
    # Seed by seed ELU's loss is half ReLU's, however much the seeds differ from each other.
    assert table.loc["elu", ["ratio", "ratio_low", "ratio_high"]].tolist() == pytest.approx(
        [0.5, 0.5, 0.5])
    assert table.loc["elu", "seeds"] == 4 and table.loc["tanh", "seeds"] == 3
    # tanh: ratios 1, 2, 1; the geometric mean, and an interval around it in ratio terms.
    assert table.loc["tanh", "ratio"] == pytest.approx(2 ** (1 / 3))
    assert table.loc["tanh", "ratio_low"] < 1 < table.loc["tanh", "ratio_high"]
    assert list(table.index) == ["elu", "tanh"]
    with pytest.raises(ValueError, match="reference='gelu' is not allowed: .*relu, elu, tanh"):
        analysis.ratio_to_reference(frame, "loss", "gelu")


def _gains(low_at_deepest, high_at_deepest):
    return pd.DataFrame({"depth": [10, 40], "mean": [0.1, (low_at_deepest + high_at_deepest) / 2],
                         "ci_low": [-0.2, low_at_deepest], "ci_high": [0.4, high_at_deepest],
                         "n": [5, 5]})


def test_the_swish_depth_sentence_follows_the_interval_at_the_deepest_depth():
    assert "agrees with the paper" in text.swish_depth_agreement(_gains(0.5, 2.0), 128, 3)
    assert "disagrees" in text.swish_depth_agreement(_gains(-2.0, -0.5), 128, 3)
    undecided = text.swish_depth_agreement(_gains(-0.5, 1.0), 128, 3)
    assert "cannot tell the two apart" in undecided and "40 hidden layers" in undecided


def test_paired_gain_pairs_seeds_per_depth_in_points():
    summary = pd.DataFrame({"activation": ["swish", "relu"] * 4, "depth": [10] * 4 + [40] * 4,
                            "seed": [0, 0, 1, 1] * 2,
                            "test_accuracy": [0.95, 0.94, 0.96, 0.94, 0.90, 0.80, 0.92, 0.81]})
    gains = tables.paired_gain(summary, "swish", "relu")
    assert gains["depth"].tolist() == [10, 40] and gains["n"].tolist() == [2, 2]
    assert gains["mean"].tolist() == pytest.approx([1.5, 10.5])


def test_task_table_sorts_by_result_marks_ties_and_never_shows_a_zero_width_interval():
    summary = pd.DataFrame({
        "dataset": ["easy"] * 9 + ["hard"] * 9,
        "activation": (["relu"] * 3 + ["celu"] * 3 + ["elu"] * 3) * 2,
        "seed": [0, 1, 2] * 6,
        "test_accuracy": [1.0, 1.0, 1.0] + [0.99, 0.98, 0.97] * 2
                         + [0.60, 0.62, 0.61] + [0.90, 0.93, 0.91] * 2,
    })
    table = tables.task_table(summary)
    assert table.index.tolist() == ["celu", "elu", "relu"]  # by the mean over both tasks
    assert table[("", "rank")].tolist() == ["1=", "1=", "3"]
    assert table[("", "note")].tolist()[:2] == ["same function as elu", "same function as celu"]
    assert table.loc["relu", ("easy", "test accuracy [95% CI]")] == "1.00 (same on every seed)"
    assert table.loc["celu", ("hard", "test accuracy [95% CI]")] == "0.91 [0.88, 0.95]"
    assert table[("hard", "tier")].tolist() == [1, 1, 2]
    assert list(table.columns.get_level_values(0).unique()) == ["", "easy", "hard"]


def test_training_points_take_a_configs_dataset_options():
    board = Config(dataset="checkerboard", dataset_options={"cells": 6})
    points = analysis.training_points([board, board.replace(seed=1), "moons"], n=50)
    assert points.groupby("dataset").size().to_dict() == {"checkerboard": 50, "moons": 50}
    expected = board.replace(batch_size=1).load_dataset().x_train[:50]
    np.testing.assert_allclose(points.loc[points["dataset"] == "checkerboard", ["x0", "x1"]],
                               expected)


def test_exact_zeros_compares_initialisation_with_the_last_epoch_per_run():
    # Known answer: ReLU rows only, epoch 0 against each run's own last epoch, mean over layers.
    rows = [
        {"key": "a", "activation": "relu", "depth": 5, "seed": 0, "epoch": e, "zero_fraction": z}
        for e, z in ((0, 0.4), (0, 0.6), (1, 0.9), (1, 0.9), (2, 0.6), (2, 0.65))
    ] + [{"key": "b", "activation": "tanh", "depth": 5, "seed": 0, "epoch": 0,
          "zero_fraction": 0.0}]
    per_run = analysis.exact_zeros(pd.DataFrame(rows)).set_index("stage")["zero_pp"]
    assert per_run.to_dict() == pytest.approx({"init": 50.0, "trained": 62.5})
