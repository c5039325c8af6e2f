"""The binary_step and prelu_overfitting studies: their grids, their analyses on hand-made
frames with known answers, their figures, and the smoke studies trained end to end."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from actstudy import analysis, stats, studies
from actstudy.present import plots, tables
from actstudy.run.grouping import groups

matplotlib.use("Agg")


# -- the grids ------------------------------------------------------------------------------


def test_binary_step_runs_four_networks_per_seed_on_the_same_data():
    study = studies.BinaryStep(seeds=3, depth=3, width=32, epochs=2, n_train=2000)
    configs = study.configs()
    networks = [(c.activation, dict(c.activation_options), c.depth, c.train_hidden)
                for c in configs]
    assert networks == ([("binary_step", {}, 3, True)] * 3 + [("binary_step", {}, 3, False)] * 3
                        + [("binary_step", {"straight_through": True}, 3, True)] * 3
                        + [("identity", {}, 1, True)] * 3)
    assert [c.seed for c in configs] == [0, 1, 2] * 4
    assert {(c.dataset, c.width, c.epochs, c.gradient_every, c.dataset_options)
            for c in configs} == {("mnist", 32, 2, 1, (("n_train", 2000),))}
    # Frozen and trained are different programs; the step and its straight-through twin differ
    # only in their activation and share one; the seeds of each train together.
    assert [len(group) for group in groups(configs)] == [6, 3, 3]


def test_binary_step_shares_its_trained_runs_with_the_images_study_in_every_profile():
    for profile in studies.profiles():
        images = {c.key() for c in studies.get("images", profile).configs()}
        binary = studies.get("binary_step", profile)
        trained = [c for c in binary.configs()
                   if c.activation == "binary_step" and c.train_hidden]
        shared = [c for c in trained if c.key() in images]
        images_seeds = len(studies.get("images", profile).seed_list)
        assert len(shared) == min(images_seeds, len(binary.seed_list)), profile


def test_prelu_overfitting_starts_both_from_the_same_slope():
    study = studies.PreluOverfitting(seeds=2, initial_slope=0.25)
    configs = study.configs()
    assert [(c.activation, dict(c.activation_options), c.seed) for c in configs] == [
        ("prelu", {"initial_slope": 0.25}, 0), ("prelu", {"initial_slope": 0.25}, 1),
        ("leaky_relu", {"negative_slope": 0.25}, 0), ("leaky_relu", {"negative_slope": 0.25}, 1)]
    # Both rectifiers get He's initializer: the slope is the only difference.
    assert {c.weight_initializer for c in configs} == {"he_normal"}
    assert {c.dataset_options for c in configs} == {(("n_train", 1000),)}
    default = studies.get("prelu_overfitting", "default")
    assert default.initial_slope == 0.01 and len(default.seed_list) == 10
    assert len(studies.get("binary_step", "default").seed_list) == 10


@pytest.mark.parametrize("study, changes, named", [
    (studies.BinaryStep, {"dataset": "moons"}, "dataset='moons' is not allowed for study "
                                               "'binary_step'"),
    (studies.BinaryStep, {"n_train": 0}, "n_train=0 is not allowed for study 'binary_step'"),
    (studies.BinaryStep, {"depth": 0}, "depth=0 is not allowed"),
    (studies.BinaryStep, {"batch_size": 500, "n_train": 100}, "batch_size=500"),
    (studies.PreluOverfitting, {"initial_slope": -0.1},
     r"initial_slope=-0.1 is not allowed for study 'prelu_overfitting': give a finite number"),
    (studies.PreluOverfitting, {"initial_slope": float("nan")}, "initial_slope=nan"),
    (studies.PreluOverfitting, {"initial_slope": True}, "initial_slope=True"),
    (studies.PreluOverfitting, {"epochs": 0}, "epochs=0 is not allowed"),
    (studies.PreluOverfitting, {"dataset": "xor"}, "dataset='xor' is not allowed"),
])
def test_bad_parameters_are_named(study, changes, named):
    with pytest.raises(ValueError, match=named):
        study(**changes)


# -- the analyses on frames with known answers ----------------------------------------------------


def _binary_frames(seeds=(0, 1, 2), hidden_norm=0.0):
    rows, gradients = [], []
    for seed in seeds:
        for activation, whole, accuracy in (("binary_step", True, 0.80 + seed / 100),
                                            ("binary_step", False, 0.80 + seed / 100),
                                            ("identity", True, 0.90)):
            key = f"{activation}-{whole}-{seed}"
            rows.append({"key": key, "activation": activation, "train_hidden": whole,
                         "seed": seed, "test_accuracy": accuracy})
            for step in range(4):
                for layer in ("linear_0", "linear_1", "head"):
                    hidden = layer != "head" and activation == "binary_step"
                    norm = hidden_norm * (step == 2) if hidden else 1.0 + step
                    gradients.append({"key": key, "activation": activation,
                                      "train_hidden": whole, "seed": seed, "step": step,
                                      "layer": layer, "gradient_norm": norm,
                                      "bias_gradient_norm": norm / 2})
    return pd.DataFrame(rows), pd.DataFrame(gradients)


def test_binary_step_mechanism_per_seed():
    summary, gradients = _binary_frames()
    table = analysis.binary_step_mechanism(summary, gradients)
    assert table.columns.tolist() == [
        "seed", "max_hidden_kernel_gradient_norm", "max_hidden_bias_gradient_norm",
        "recorded_steps", "trained_accuracy", "frozen_accuracy", "linear_accuracy",
        "straight_through_accuracy", "initial_val_loss", "val_loss"]
    assert table["straight_through_accuracy"].isna().all()  # these frames have none
    assert table["seed"].tolist() == [0, 1, 2]
    assert (table[["max_hidden_kernel_gradient_norm", "max_hidden_bias_gradient_norm"]] == 0
            ).all().all()
    assert table["recorded_steps"].tolist() == [4, 4, 4]
    assert table["trained_accuracy"].tolist() == pytest.approx([0.80, 0.81, 0.82])
    assert table["linear_accuracy"].tolist() == pytest.approx([0.9] * 3)
    # A gradient at one step of one hidden layer is found, and the head's never counts.
    leaky = analysis.binary_step_mechanism(*_binary_frames(hidden_norm=1e-9))
    assert leaky["max_hidden_kernel_gradient_norm"].tolist() == [1e-9] * 3
    assert leaky["max_hidden_bias_gradient_norm"].tolist() == [5e-10] * 3


def test_binary_step_mechanism_a_missing_seed_is_nan_and_a_missing_network_an_error():
    summary, gradients = _binary_frames()
    dropped = summary[~((summary["activation"] == "identity") & (summary["seed"] == 2))]
    table = analysis.binary_step_mechanism(dropped, gradients)
    assert math.isnan(table.loc[2, "linear_accuracy"]) and table.loc[2, "frozen_accuracy"] > 0
    with pytest.raises(ValueError, match="no frozen binary-step runs"):
        analysis.binary_step_mechanism(summary[summary["train_hidden"]], gradients)
    twice = pd.concat([summary, summary.assign(key=summary["key"] + "-deeper")])
    with pytest.raises(ValueError, match="several trained binary-step runs for one seed"):
        analysis.binary_step_mechanism(twice, gradients)


def test_the_networks_are_named_by_activation_and_what_trains():
    summary, _ = _binary_frames(seeds=(0,))
    assert analysis.binary_step_network(summary).tolist() == [
        "binary step, every layer trained", "binary step, output layer only",
        "logistic regression"]


def test_overfitting_gap_uses_the_final_models_whole_training_split():
    summary = pd.DataFrame({
        "activation": ["prelu", "prelu", "leaky_relu", "leaky_relu"],
        "activation_label": ["prelu(initial_slope=0.01)"] * 2
        + ["leaky_relu(negative_slope=0.01)"] * 2,
        "seed": [0, 1, 0, 1],
        "final_train_accuracy": [0.5, 0.5, 0.5, 0.5],  # running means: not what counts
        "final_train_accuracy_full": [1.0, 0.99, 1.0, 0.98],
        "final_val_accuracy": [0.90, 0.91, 0.89, 0.90], "test_accuracy": [0.9, 0.9, 0.9, 0.9]})
    gaps = analysis.overfitting_gap(summary)
    assert gaps["gap_pp"].tolist() == pytest.approx([10.0, 8.0, 11.0, 8.0])
    assert gaps["train_accuracy"].tolist() == [1.0, 0.99, 1.0, 0.98]
    difference = stats.paired(gaps, "gap_pp", "prelu", "leaky_relu")
    assert difference.mean == pytest.approx(-0.5) and difference.n == 2
    with pytest.raises(ValueError, match="no final training-split accuracy"):
        analysis.overfitting_gap(summary.assign(final_train_accuracy_full=np.nan))


def test_learned_slopes_after_training_beside_their_start():
    learned = pd.DataFrame({
        "key": ["a", "a", "a", "a"], "activation_label": "prelu", "seed": 0,
        "epoch": [0, 0, 5, 5], "layer": ["activation_0", "activation_1"] * 2,
        "layer_index": [0, 1, 0, 1], "parameter": "slope",
        "values": [[0.01, 0.01], [0.01, 0.01], [0.2, 0.01], [-0.1, 0.05]],
        "mean": [0.01, 0.01, 0.105, -0.025]})
    slopes = analysis.learned_slopes(learned)
    assert slopes[["layer_index", "unit", "epoch"]].values.tolist() == [
        [0, 0, 5], [0, 1, 5], [1, 0, 5], [1, 1, 5]]
    assert slopes["slope"].tolist() == pytest.approx([0.2, 0.01, -0.1, 0.05])
    assert slopes["change"].tolist() == pytest.approx([0.19, 0.0, -0.11, 0.04])


def test_mean_intervals_are_t_intervals_written_for_people():
    frame = pd.DataFrame({"network": ["a"] * 3 + ["b"] * 3,
                          "accuracy": [90.0, 91.0, 92.0, 80.0, 80.0, 80.0]})
    table = tables.mean_intervals(frame, "network", {"accuracy": "accuracy (%)"}, digits=1)
    interval = stats.mean_ci([90.0, 91.0, 92.0])
    assert table.values.tolist() == [
        ["a", f"91.0 [{interval.low:.1f}, {interval.high:.1f}]", 3],
        ["b", "80.0 (same on every seed)", 3]]


# -- the figures ------------------------------------------------------------------------------


def test_hidden_and_output_gradients_show_an_exact_zero_apart():
    summary, gradients = _binary_frames()
    gradients["network"] = analysis.binary_step_network(gradients)
    fig = plots.hidden_and_output_gradients(gradients)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(panels) == 2 * 3  # kernel and bias norms, three networks
    assert [ax.get_title() for ax in panels[:3]] == [  # the networks the frames have
        name for name in analysis.BINARY_STEP_NETWORKS.values() if "straight-through" not in name]
    assert all(ax.get_yscale() == "symlog" and ax.get_ylim()[0] < 0 < ax.get_ylim()[1]
               for ax in panels)
    assert len(fig.legends) == 1
    matplotlib.pyplot.close(fig)


def test_train_and_validation_one_legend_two_styles():
    history = pd.DataFrame([
        {"key": f"{a}{s}", "activation_label": a, "seed": s, "epoch": e,
         "train_accuracy": 0.5 + e / 10, "val_accuracy": 0.5 + e / 20}
        for a in ("prelu", "leaky_relu") for s in range(3) for e in range(1, 4)])
    fig = plots.train_and_validation(history)
    [ax] = fig.axes
    assert ax.get_ylabel() == "accuracy (%)" and ax.get_legend() is not None
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert {"prelu", "leaky_relu", "training (running mean)", "validation"} <= set(labels)
    assert max(max(line.get_ydata(), default=0) for line in ax.lines) == pytest.approx(80.0)
    matplotlib.pyplot.close(fig)


def test_metric_by_a_column_with_t_intervals():
    frame = pd.DataFrame({"network": ["a"] * 3 + ["b"] * 3,
                          "accuracy": [90.0, 91.0, 95.0, 80.0, 81.0, 82.0]})
    fig = plots.metric_by_activation(frame, "accuracy", by="network")
    [ax] = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]  # sorted by the mean
    interval = stats.mean_ci([90.0, 91.0, 95.0])
    bars = [line.get_xdata() for line in ax.lines if len(line.get_xdata()) == 2]
    assert any(np.allclose(sorted(x), [interval.low, interval.high]) for x in bars)
    matplotlib.pyplot.close(fig)


# -- the smoke studies, trained ---------------------------------------------------------------------


@pytest.mark.slow
def test_the_smoke_binary_step_study_no_gradient_reaches_the_hidden_layers():
    results = studies.get("binary_step", "smoke").run(progress=False)
    assert results.failures.empty
    table = analysis.binary_step_mechanism(results.summary, results.gradients)
    assert len(table) == len(studies.get("binary_step", "smoke").seed_list)
    assert (table["max_hidden_kernel_gradient_norm"] == 0).all()
    assert (table["max_hidden_bias_gradient_norm"] == 0).all()
    # No update reaches the hidden layers either way, so training them changes nothing.
    assert table["trained_accuracy"].tolist() == table["frozen_accuracy"].tolist()
    # The output layer does learn: the linear model's hidden layer gets gradients too.
    heads = results.gradients[results.gradients["layer"] == "head"]
    assert (heads["gradient_norm"] > 0).all()
    identity = results.gradients[(results.gradients["activation"] == "identity")
                                 & (results.gradients["layer"] != "head")]
    assert (identity["gradient_norm"] > 0).all()


@pytest.mark.slow
def test_the_smoke_prelu_overfitting_study_from_runs_to_slopes():
    study = studies.get("prelu_overfitting", "smoke")
    results = study.run(progress=False)
    gaps = analysis.overfitting_gap(results.summary)
    assert sorted(gaps["activation"].unique()) == ["leaky_relu", "prelu"]
    assert len(gaps) == 2 * len(study.seed_list)
    assert gaps[["train_accuracy", "val_accuracy", "test_accuracy"]].apply(
        lambda column: column.between(0, 1)).all().all()
    slopes = analysis.learned_slopes(results.learned)
    assert set(slopes["activation"]) == {"prelu"}  # leaky ReLU learns nothing
    assert len(slopes) == len(study.seed_list) * study.depth * study.width
    assert slopes["initial"].tolist() == pytest.approx([study.initial_slope] * len(slopes))
    assert (slopes["change"] != 0).any()
