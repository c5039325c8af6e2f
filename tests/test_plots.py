"""The small-multiple figures, for any number of panels.

The smoke profile draws only a few panels per figure; the default and full
profiles draw full rows (8 activations in rows of 4), which once broke the
shared colour bar. Both shapes are drawn here from synthetic tidy frames, and
so are the learned-parameter figures (PReLU slopes, Swish's beta, mixture weights).
"""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from actstudy import analysis
from actstudy.present import plots, tables

matplotlib.use("Agg")


def _gradients(panels: int, layers: int = 3, steps: int = 5) -> pd.DataFrame:
    rows = [{"panel": f"act{p}", "layer_index": layer, "step": step,
             "bias_gradient_norm": 10.0 ** -(layer + p)}
            for p in range(panels) for layer in range(layers) for step in range(steps)]
    return pd.DataFrame(rows)


def _stats(panels: int, layers: int = 3) -> pd.DataFrame:
    quantiles = np.linspace(-1, 1, 21)
    rows = [{"activation": f"act{p}", "epoch": epoch, "layer_index": layer,
             "quantiles": (quantiles * (epoch + 1)).tolist()}
            for p in range(panels) for epoch in (0, 2) for layer in range(layers)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("panels", [1, 2, 4, 8, 9])
def test_gradient_heatmaps_one_panel_per_run_and_a_colour_bar(panels):
    fig = plots.gradient_heatmaps(_gradients(panels), columns=4)
    images = [ax for ax in fig.axes if ax.images and ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in images] == [f"act{p}" for p in range(panels)]
    assert any(ax.get_ylabel().startswith("log10 ||dC/db||") for ax in fig.axes)  # colour bar
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("panels", [3, 8])
def test_activation_distributions_draw_each_epoch(panels):
    fig = plots.activation_distributions(_stats(panels), epochs=(0, 2))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == panels
    assert [line.get_label() for line in shown[0].lines] == ["initialisation", "epoch 2"]
    matplotlib.pyplot.close(fig)


def test_unit_measures_one_panel_per_measure_and_one_legend():
    rows = [{"key": f"{a}{lr}{seed}", "activation": a, "learning_rate": lr, "seed": seed,
             "epoch": epoch, "layer_index": layer, "inactive_fraction": 0.1 * epoch,
             "dead_fraction": 0.05 * epoch}
            for a in ("relu", "elu") for lr in (1e-3, 1e-2) for seed in range(2)
            for epoch in range(3) for layer in range(2)]
    fig = plots.unit_measures(pd.DataFrame(rows), {"inactive_fraction": "inactive",
                                                   "dead_fraction": "dead"},
                              style="learning_rate")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    # A row per learning rate, a column per measure; the legend names the activations alone.
    assert [ax.get_ylabel() for ax in panels] == [
        "learning rate 0.001\ninactive", "learning rate 0.001\ndead",
        "learning rate 0.01\ninactive", "learning rate 0.01\ndead"]
    legends = [ax.get_legend() for ax in panels if ax.get_legend() is not None]
    assert len(legends) == 1
    assert [t.get_text() for t in legends[0].get_texts()] == ["relu", "elu"]
    matplotlib.pyplot.close(fig)


def test_growth_by_depth_marks_zero_and_labels_its_axes():
    growth = pd.DataFrame({"activation": ["relu", "relu", "tanh", "tanh"], "depth": [5, 10] * 2,
                           "slope": [0.0, 0.01, -0.2, -0.3]})
    fig = plots.growth_by_depth(growth)
    ax = fig.axes[0]
    assert "per layer" in ax.get_ylabel() and ax.get_xlabel() == "hidden layers"
    matplotlib.pyplot.close(fig)


BASES = ("relu", "tanh", "sigmoid", "identity")


def _learned(depths=(2, 6), seeds=2, epochs=3, width=5) -> pd.DataFrame:
    """PReLU from 0.25 and from 0.01, Swish-beta and the mixture, on two datasets."""
    rng = np.random.default_rng(0)
    rows = []

    def row(activation, label, dataset, depth, seed, epoch, layer, parameter, values):
        rows.append({"key": f"{label} {dataset} {depth} {seed}", "dataset": dataset,
                     "depth": depth, "seed": seed, "activation": activation,
                     "activation_label": label, "epoch": epoch, "layer": f"activation_{layer}",
                     "layer_index": layer, "parameter": parameter, "values": list(values),
                     "mean": float(np.mean(values))})

    for dataset in ("mnist", "fashion_mnist"):
        for depth in depths:
            for seed in range(seeds):
                for epoch in range(epochs + 1):
                    for layer in range(depth):
                        for label, start in (("prelu", 0.25), ("prelu(initial_slope=0.01)", 0.01)):
                            row("prelu", label, dataset, depth, seed, epoch, layer, "slope",
                                start + epoch * rng.normal(0, 0.05, width))
                        row("swish_beta", "swish_beta", dataset, depth, seed, epoch, layer, "beta",
                            [1 + 0.1 * epoch * rng.uniform()])
                        weights = rng.dirichlet(np.ones(4)) if epoch else np.full(4, 0.25)
                        for base, weight in zip(BASES, weights, strict=True):
                            row("mixture", "mixture", dataset, depth, seed, epoch, layer,
                                f"weight_{base}", [weight])
    return pd.DataFrame(rows)


def _legend_texts(fig) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    assert len(legends) == 1  # one legend per figure
    texts = [text.get_text() for text in legends[0].get_texts()]
    assert len(texts) <= 8  # at most about eight hues
    return texts


def _labelled(fig) -> list:
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert shown and all(ax.get_xlabel() for ax in shown)
    return shown


def test_prelu_slopes_tell_the_two_starts_apart_in_the_first_middle_and_last_layer():
    units = analysis.unit_parameters(_learned(), "slope")
    fig = plots.prelu_slopes(units)
    assert _legend_texts(fig) == ["prelu: starts at 0.25",
                                  "prelu(initial_slope=0.01): starts at 0.01"]
    shown = _labelled(fig)
    # depth 2: first and last layer; depth 6: first, middle and last; for each dataset
    assert len(shown) == 2 * (2 + 3)
    assert [ax.get_title() for ax in shown[:5]] == [
        "mnist, depth 2: layer 1 (first)", "mnist, depth 2: layer 2 (last)",
        "mnist, depth 6: layer 1 (first)", "mnist, depth 6: layer 4 (middle)",
        "mnist, depth 6: layer 6 (last)"]
    assert all(ax.get_ylabel() == "slope for x < 0" for ax in shown if "first" in ax.get_title())
    assert len(shown[0].lines) == 4  # per variant: the median and the dotted start
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("depths, legend, lines", [
    ((2, 6), [f"layer {k}" for k in range(1, 7)], [2, 6]),
    ((2, 12), ["first layer", "middle layer", "last layer"], [2, 3]),  # more than eight layers
])
def test_parameter_trajectories_one_colour_per_layer_at_most_eight(depths, legend, lines):
    fig = plots.parameter_trajectories(_learned(depths=depths), "beta")
    assert _legend_texts(fig) == legend
    shown = _labelled(fig)
    assert len(shown) == 4 and all(ax.get_ylabel() == "beta, mean over seeds" for ax in shown)
    assert [len(ax.get_lines()) - 1 for ax in shown[:2]] == lines  # and the dotted start
    matplotlib.pyplot.close(fig)


def test_parameter_trajectories_refuse_a_parameter_it_cannot_find_or_tell_apart():
    learned = _learned()
    with pytest.raises(ValueError, match="parameter='gamma' is not allowed"):
        plots.parameter_trajectories(learned, "gamma")
    two = learned.copy()
    two.loc[two["seed"] == 1, "activation_label"] = "swish_beta(initial_beta=2.0)"
    with pytest.raises(ValueError, match="several activations"):
        plots.parameter_trajectories(two, "beta")


def test_mixture_weights_stack_to_one_per_layer_one_colour_per_base():
    weights = analysis.mixture_weights(_learned())
    fig = plots.mixture_weights(weights)
    assert _legend_texts(fig) == list(BASES)
    shown = _labelled(fig)
    assert [ax.get_title() for ax in shown] == [  # depths in rows, as tall as their layers
        "mnist, depth 2", "fashion_mnist, depth 2", "mnist, depth 6", "fashion_mnist, depth 6"]
    for ax, depth in zip(shown, (2, 2, 6, 6), strict=True):
        bars = ax.patches
        assert len(bars) == 4 * depth
        ends = sorted({round(bar.get_x() + bar.get_width(), 6) for bar in bars[-depth:]})
        assert ends == [1.0]  # the last base's bar ends at 1 in every layer
        assert ax.get_ylabel() == "hidden layer\n(1 = input side)"
    assert fig.get_suptitle().startswith("Mixture weights per layer after epoch 3")
    matplotlib.pyplot.close(fig)


def _legend_entries(fig) -> list[str]:
    assert not any(ax.get_legend() for ax in fig.axes)  # one legend, the figure's
    (legend,) = fig.legends
    return [text.get_text() for text in legend.get_texts()]


def _initializer_table(activations=8, initializers=3) -> pd.DataFrame:
    rows = [{"dataset": "mnist", "depth": 10, "activation": f"act{a}", "initializer": f"init{i}",
             "accuracy": 0.9 + 0.01 * a - 0.02 * i, "seeds": 5, "diverged": int(a == 0 and i == 0),
             "slope": 0.1 * (a - 3) * (i - 1)}
            for a in range(activations) for i in range(initializers)]
    return pd.DataFrame(rows)


def test_initializer_heatmap_one_annotated_cell_per_activation_and_initializer():
    table = _initializer_table()
    table.loc[1, "accuracy"] = np.nan
    fig = plots.initializer_heatmap(table, "accuracy", "mean test accuracy")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"act{a}" for a in range(8)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["init0", "init1", "init2"]
    assert ax.get_xlabel() == "initializer" and ax.get_ylabel() == "activation"
    cells = {(t.get_position()[1] - 0.5, t.get_position()[0] - 0.5): t.get_text() for t in ax.texts}
    assert len(cells) == 24 and cells[0, 2] == f"{0.9 - 0.04:.3f}" and cells[7, 1] == "0.950"
    assert cells[0, 0] == "0.900\n(1 diverged)" and cells[0, 1] == "no value"
    assert fig.axes[1].get_ylabel() == "mean test accuracy"  # the colour bar
    matplotlib.pyplot.close(fig)


def test_initializer_heatmap_centres_a_diverging_colormap_for_slopes():
    fig = plots.initializer_heatmap(_initializer_table(), "slope", "growth slope", centre=0.0,
                                    fmt="+.2f")
    mesh = fig.axes[0].collections[0]
    low, high = mesh.get_clim()
    assert low == pytest.approx(-high) and mesh.get_cmap().name == "RdBu_r"
    assert fig.axes[0].texts[0].get_text() == "+0.30\n(1 diverged)"
    matplotlib.pyplot.close(fig)


def test_figures_refuse_frames_of_several_depths():
    table = pd.concat([_initializer_table(2, 2), _initializer_table(2, 2).assign(depth=20)])
    with pytest.raises(ValueError, match="mnist depth 10, mnist depth 20: select one first"):
        plots.initializer_heatmap(table)


def _signal(activations=8, initializers=3, seeds=3, layers=10, epochs=(0,)) -> pd.DataFrame:
    rows = [{"key": f"{a}-{i}-{s}", "dataset": "mnist", "depth": layers, "activation": f"act{a}",
             "initializer": f"init{i}", "seed": s, "epoch": e, "layer_index": layer,
             "act_mean": 0.01 * s, "act_std": (0.8 + 0.1 * i) ** layer * (1 + 0.05 * s)}
            for a in range(activations) for i in range(initializers) for s in range(seeds)
            for e in epochs for layer in range(layers)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("activations", [2, 8])
def test_signal_through_depth_one_panel_per_activation_one_legend(activations):
    fig = plots.signal_through_depth(_signal(activations), "act_std", log=True)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == [f"act{a}" for a in range(activations)]
    assert _legend_entries(fig) == ["init0", "init1", "init2"]
    assert fig.get_supylabel() == "std of activations (log scale)"
    assert fig.get_supxlabel() == "hidden layer (1 = input side)"
    assert shown[0].get_yscale() == "log"
    first = shown[0].lines[0]
    assert list(first.get_xdata()) == list(range(1, 11))
    assert first.get_ydata()[1] == pytest.approx(0.8 * 1.05)  # the mean over seeds
    assert len(shown[0].collections) == 3  # a 95% band per initializer
    matplotlib.pyplot.close(fig)


def test_signal_through_depth_by_epoch_names_initialisation_and_training():
    frame = _signal(2, initializers=1, epochs=(0, 2))
    fig = plots.signal_through_depth(frame, "act_mean", hue="epoch")
    assert _legend_entries(fig) == ["initialisation", "after epoch 2"]
    assert fig.get_supylabel() == "mean activation"
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="hue='seed' has 9 values; a panel shows at most 8"):
        plots.signal_through_depth(_signal(1, seeds=9), hue="seed")


def _steps(activations=2, layers=5, seeds=2, steps=(0, 50, 100, 150)) -> pd.DataFrame:
    rows = [{"key": f"{a}-{s}", "dataset": "mnist", "depth": layers, "activation": f"act{a}",
             "seed": s, "step": step, "epoch": 1 + step // 100, "layer": f"activation_{layer}",
             "layer_index": layer, "act_mean": 0.5 - 0.001 * step * layer + 0.01 * s}
            for a in range(activations) for s in range(seeds) for step in steps
            for layer in range(layers)]
    return pd.DataFrame(rows)


def test_step_trajectories_one_line_per_layer_named_by_side():
    fig = plots.step_trajectories(_steps(), "act_mean", "mean activation")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["act0", "act1"]
    assert _legend_entries(fig) == ["layer 1 (input side)", "layer 2", "layer 3", "layer 4",
                                    "layer 5 (output side)"]
    assert fig.get_supylabel() == "mean activation"
    assert fig.get_supxlabel() == "training step (mini-batches)"
    last = shown[0].lines[-1]
    assert list(last.get_xdata()) == [0, 50, 100, 150]
    assert last.get_ydata()[1] == pytest.approx(0.5 - 0.2 + 0.005)  # the mean over seeds
    matplotlib.pyplot.close(fig)


def test_step_trajectories_show_at_most_eight_layers_of_a_deep_network():
    fig = plots.step_trajectories(_steps(activations=1, layers=24), "act_mean")
    entries = _legend_entries(fig)
    assert len(entries) == 8 and entries[0] == "layer 1 (input side)"
    assert entries[-1] == "layer 24 (output side)"
    assert fig.legends[0].get_title().get_text() == "hidden layer (8 of 24)"
    matplotlib.pyplot.close(fig)


def test_step_trajectories_say_when_runs_hold_no_step_records():
    with pytest.raises(ValueError, match="no step records.*probe_every > 0"):
        plots.step_trajectories(pd.DataFrame(), "act_mean")


def _tuned(activations=("sigmoid", "relu"), depths=(1, 2, 4, 8), seeds=3) -> pd.DataFrame:
    return pd.DataFrame([{"activation": a, "depth": d, "seed": s, "learning_rate": 0.001 * d,
                          "test_accuracy": 0.9 + 0.001 * d + 0.002 * s}
                         for a in activations for d in depths for s in range(seeds)])


@pytest.mark.parametrize("activations", [1, 4, 8])
def test_accuracy_by_depth_one_panel_per_activation_with_the_chosen_rates(activations):
    names = [f"act{a}" for a in range(activations)]
    fig = plots.accuracy_by_depth(_tuned(names))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == names
    assert fig.get_supylabel() == "test accuracy (%)"
    assert fig.get_supxlabel() == "hidden layers (log scale)"
    assert shown[0].get_xscale() == "log"
    assert [t.get_text() for t in shown[0].get_xticklabels()] == ["1", "2", "4", "8"]
    assert [t.get_text() for t in shown[0].texts] == ["lr 0.001", "lr 0.002", "lr 0.004",
                                                      "lr 0.008"]
    mean_line = shown[0].lines[0]
    assert list(mean_line.get_ydata()) == pytest.approx([90.3, 90.4, 90.6, 91.0])
    assert _legend_entries(fig) == ["one seed", "mean, 95% interval"]
    matplotlib.pyplot.close(fig)


def test_loss_curves_log_axis_one_band_per_activation_and_at_most_eight():
    history = pd.DataFrame([{"key": f"{a}{s}", "activation": a, "activation_label": a,
                             "seed": s, "epoch": e, "train_loss": (1 + s) / e}
                            for a in ("relu", "elu") for s in range(3) for e in range(1, 6)])
    curves = analysis.training_loss_area(history)[1]
    fig = plots.loss_curves(curves)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylabel().endswith("(log scale)")
    assert [line.get_label() for line in ax.lines] == ["relu", "elu"]
    assert len(ax.collections) == 2
    assert "3 seeds" in ax.get_title()
    matplotlib.pyplot.close(fig)
    many = pd.concat([curves.assign(activation_label=f"a{i}") for i in range(9)])
    with pytest.raises(ValueError, match="curves has 9 activations; a panel shows at most 8"):
        plots.loss_curves(many)


# -- many activations: small multiples by family ----------------------------------------------


def _history(names, datasets=("mnist",), epochs=4, seeds=3):
    rng = np.random.default_rng(0)
    return pd.DataFrame([
        {"dataset": d, "activation": a, "seed": s, "epoch": e,
         "val_loss": (0.1 + i / 50) * (1 + 1 / e) + rng.normal(0, 0.002)}
        for d in datasets for i, a in enumerate(names) for s in range(seeds)
        for e in range(1, epochs + 1)])


def test_family_panels_come_from_the_registry_and_merge_lone_families():
    assert plots.family_panels(["identity", "binary_step", "relu", "elu", "tanh"]) == [
        ("step, linear and sigmoidal", ["binary_step", "identity", "tanh"]),
        ("rectifier", ["relu", "elu"])]
    assert plots.family_panels(["relu"]) == [("rectifier", ["relu"])]


def test_learning_curves_colour_a_family_per_panel_and_name_lines_at_their_ends():
    from actstudy.run import activations

    names = activations.names()
    fig = plots.learning_curves(_history(names, datasets=("mnist", "fashion_mnist")),
                                row="dataset", log=True)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 2 * len(plots.family_panels(names))
    assert not fig.legends and all(ax.get_legend() is None for ax in panels)
    for ax in panels:
        coloured = [line for line in ax.lines if line.get_color() != "0.82"]
        assert 1 <= len(coloured) <= plots.MAX_HUES
        labels = sorted(text.get_position()[1] for text in ax.texts)
        assert len(labels) == len(coloured)  # every coloured line is named
        assert all(np.diff(labels) >= 0.07)  # and no two overlap
        assert len(ax.lines) == len(names)  # the rest in grey behind
    assert "log scale" in fig.get_supylabel()


def test_verdict_forest_one_row_per_claim_coloured_by_verdict():
    frame = pd.DataFrame({
        "id": [1, 2, 3], "claim": ["a ratio claim", "a difference claim", "an equivalence"],
        "verdict": ["supported", "contradicted", "undecided"], "unit": ["x", "pp", "pp"],
        "mean": [20.0, -1.0, 0.1], "ci_low": [12.0, -1.5, -0.6], "ci_high": [30.0, -0.5, 0.8],
        "margin": [10.0, 0.0, 0.5], "kind": ["above", "above", "equivalence"]})
    fig = plots.verdict_forest(frame)
    ratio, difference = fig.axes
    assert ratio.get_xscale() == "log" and len(ratio.get_yticks()) == 1
    assert len(difference.get_yticks()) == 2
    colours = {matplotlib.colors.to_hex(line.get_color()) for ax in fig.axes for line in ax.lines}
    assert {matplotlib.colors.to_hex(c) for c in tables.VERDICT_COLOURS.values()} <= colours
    assert len(fig.legends[0].get_texts()) <= plots.MAX_HUES


def test_decision_boundaries_name_rows_by_task_and_label_the_input_axes():
    side = np.linspace(-1, 1, 5)
    x0, x1 = (a.ravel() for a in np.meshgrid(side, side))
    boundaries = pd.DataFrame([{"dataset": d, "activation": a, "x0": u, "x1": v, "p": 0.5}
                               for d in ("spirals", "checkerboard") for a in ("relu", "tanh")
                               for u, v in zip(x0, x1, strict=True)])
    points = pd.DataFrame({"dataset": ["spirals", "checkerboard"], "x0": 0.0, "x1": 0.0, "y": 1})
    fig = plots.decision_boundaries(boundaries, points, {"spirals": "spirals, 2.5 turns"})
    rows = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert rows == ["spirals, 2.5 turns", "checkerboard"]  # a row without a label keeps its name
    assert [ax.get_title() for ax in fig.axes[:2]] == ["relu", "tanh"]
    assert fig.get_supxlabel() == "input x₀ (no unit)"
    assert fig.get_supylabel() == "input x₁ (no unit)"
    matplotlib.pyplot.close(fig)


def test_nalu_gates_draw_a_dot_per_unit_and_seed_and_no_mean_between_two_clusters():
    gates = pd.DataFrame({"task": ["a × b"] * 4 + ["a + b"] * 4, "seed": [0, 0, 1, 1] * 2,
                          "layer": 1, "unit": [0, 1] * 4,
                          "gate": [0.01, 0.99, 0.02, 0.98, 0.97, 0.5, 0.99, 0.03]})
    fig = plots.nalu_gates(gates)
    ax = fig.axes[0]
    dots = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    assert sorted(dots[:, 1]) == sorted(gates["gate"])
    assert not ax.lines  # no mean markers or error bars: they would sit at about 0.5
    matplotlib.pyplot.close(fig)


# -- count axes, outliers, two-valued quantities, whole claim texts ---------------------------


def _tick_texts(fig, axis: str = "x") -> list[list[str]]:
    """The tick labels each visible panel shows on ``axis``, within its limits."""
    fig.canvas.draw()  # tick labels are written at drawing time
    shown = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        which = getattr(ax, f"{axis}axis")
        low, high = sorted(which.get_view_interval())
        index = 0 if axis == "x" else 1
        shown.append([t.get_text() for t in which.get_majorticklabels()
                      if t.get_text() and low <= t.get_position()[index] <= high])
    return shown


def _whole_numbers(texts: list[str]) -> bool:
    return bool(texts) and all(t.replace("−", "-").lstrip("-").isdigit() for t in texts)


@pytest.mark.parametrize("values, expected", [
    ([5, 10, 20], ["5", "10", "20"]),  # few values: a tick at each
    (list(range(0, 18)), None),  # many: whole numbers that matplotlib picks, never 2.5
])
def test_integer_ticks_give_a_count_axis_whole_numbers_only(values, expected):
    fig, ax = matplotlib.pyplot.subplots()
    ax.plot(values, np.linspace(0, 1, len(values)))
    plots.integer_ticks(ax.xaxis, values)
    [texts] = _tick_texts(fig)
    assert _whole_numbers(texts)
    if expected is not None:
        assert texts == expected
    matplotlib.pyplot.close(fig)


def _by_depth(names=("sigmoid", "tanh", "relu"), depths=(5, 10, 20), seeds=3) -> pd.DataFrame:
    return pd.DataFrame([{"activation": a, "depth": d, "seed": s,
                          "slope": (-0.6 if a == "sigmoid" else 0.05 * (i + 1)) + 0.001 * s,
                          "ratio": (1e-3 ** (d / 5) if a == "sigmoid" else 1.5 + i) * (1 + s / 10)}
                         for i, a in enumerate(names) for d in depths for s in range(seeds)])


@pytest.mark.parametrize("draw, log", [(plots.growth_by_depth, False),
                                       (plots.ratio_by_depth, True)])
def test_by_depth_draws_a_far_line_apart_so_the_rest_can_be_told_apart(draw, log):
    fig = draw(_by_depth(), apart=["sigmoid"])
    every, rest = fig.axes
    assert rest.get_title() == "without sigmoid, on its own scale"
    named = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert sorted(named[0]) == ["sigmoid", "the other 2"] and sorted(named[1]) == ["relu", "tanh"]
    assert _tick_texts(fig) == [["5", "10", "20"]] * 2  # the depths measured, whole numbers
    low, high = rest.get_ylim()
    assert low > (0 if log else -0.6)  # sigmoid's scale is not the rest's
    assert (rest.get_yscale() == "log") == log
    matplotlib.pyplot.close(fig)
    single = draw(_by_depth())
    assert len(single.axes) == 1 and len(single.axes[0].texts) == 3
    matplotlib.pyplot.close(single)


def test_metric_by_activation_best_first_with_an_outlier_off_the_axis():
    frame = pd.DataFrame({"activation": np.repeat(["relu", "tanh", "binary_step"], 3),
                          "accuracy": [95.0, 95.2, 95.1, 93.0, 93.1, 93.3, 59.0, 60.0, 61.0]})
    fig = plots.metric_by_activation(frame, "accuracy", high_first=True, off_axis=["binary_step"],
                                     references={94.0: "a reference"})
    [ax] = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["relu", "tanh", "binary_step"]
    low, high = ax.get_xlim()
    assert 90 < low < 93 and 95.2 < high < 96  # the others' spread fills the axis
    [note] = [t.get_text() for t in ax.texts if "off the axis" in t.get_text()]
    assert note.startswith("◀ 60")
    assert any(t.get_text() == "a reference" for t in ax.texts)
    matplotlib.pyplot.close(fig)


def test_metric_by_activation_on_a_log_axis_uses_the_geometric_mean_and_interval():
    frame = pd.DataFrame({"activation": ["a"] * 3, "mse": [0.001, 0.01, 0.1]})
    fig = plots.metric_by_activation(frame, "mse", log=True)
    [ax] = fig.axes
    bars = [line.get_xdata() for line in ax.lines if len(line.get_xdata()) == 2]
    centre, low, high = plots.centre_and_interval([0.001, 0.01, 0.1], log=True)
    assert centre == pytest.approx(0.01) and 0 < low < 0.001 and bars
    assert np.allclose(sorted(bars[0]), [low, high])
    matplotlib.pyplot.close(fig)


def test_learning_curves_on_a_log_axis_draw_bands_that_never_reach_zero():
    history = pd.DataFrame([{"activation": "relu", "seed": s, "epoch": e,
                             "val_loss": 10.0 ** -(s * 2) / e}
                            for s in range(3) for e in range(1, 4)])
    fig = plots.learning_curves(history, log=True)
    ax = next(ax for ax in fig.axes if ax.get_visible())
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert (band > 0).all()  # an arithmetic-mean interval would reach below 0 here
    line = next(line for line in ax.lines if line.get_color() != "0.82")
    assert line.get_ydata()[0] == pytest.approx(10.0 ** -2)  # the geometric mean
    matplotlib.pyplot.close(fig)


def test_two_valued_derivatives_are_drawn_as_the_share_at_the_higher_value():
    rows = []
    for name, low in (("relu", 0.0), ("tanh", None)):
        for seed in range(3):
            for layer in range(4):
                share = 0.4 + 0.05 * layer
                if low is None:
                    quantiles = np.linspace(0.2, 1.0, 21)
                else:  # a share of values at 1, the rest at low; one quantile interpolated
                    quantiles = np.where(np.linspace(0, 1, 21) < 1 - share, low, 1.0)
                    quantiles[int(np.argmax(quantiles == 1.0))] = 0.5
                rows.append({"activation": name, "epoch": 0, "layer_index": layer, "seed": seed,
                             "derivative_quantiles": quantiles.tolist(),
                             "relative_derivative_mean": (low or 0) + (1 - (low or 0)) * share})
    fig = plots.activation_distributions(pd.DataFrame(rows), column="derivative_quantiles")
    relu, tanh = (ax for ax in fig.axes if ax.get_visible())
    assert relu.get_title() == "relu: two values, 0 or 1"
    assert relu.get_ylabel() == "share of values at 1"
    assert list(relu.lines[0].get_ydata()) == pytest.approx([0.4, 0.45, 0.5, 0.55])
    assert tanh.get_title() == "tanh" and len(tanh.collections) == 2  # the quantile bands
    assert _whole_numbers(_tick_texts(fig)[0])  # hidden layers 1 to 4
    matplotlib.pyplot.close(fig)


def test_gradient_heatmaps_number_layers_from_one_in_whole_numbers():
    fig = plots.gradient_heatmaps(_gradients(1, layers=18, steps=40))
    ax = fig.axes[0]
    texts = _tick_texts(fig, "y")[0]
    assert _whole_numbers(texts) and "0" not in texts
    assert ax.get_ylabel() == "hidden layer (1 = input side)"
    matplotlib.pyplot.close(fig)


def test_intervals_against_a_count_get_ticks_at_the_measured_counts():
    table = pd.DataFrame({"depth": [5, 10, 20] * 2, "activation": ["relu"] * 3 + ["tanh"] * 3,
                          "mean": 90.0, "ci_low": 89.0, "ci_high": 91.0, "n": 3})
    fig = plots.intervals_against(table, x="depth", hue="activation", xlabel="hidden layers",
                                  ylabel="test accuracy (%)")
    assert _tick_texts(fig)[0] == ["5", "10", "20"]
    matplotlib.pyplot.close(fig)


def test_verdict_forest_keeps_the_whole_claim_text_wrapped():
    long = ("Experimenting with different activation functions for different problems achieves "
            "much better results: the choice among modern activations moves accuracy more than "
            "the learning-rate choice and the seed do.")
    frame = pd.DataFrame({
        "id": [19, 19, 19, 4], "row": ["19", "19a", "19b", "4"],
        "component": ["", "mnist", "fashion_mnist", ""], "claim": [long] * 3 + ["Short."],
        "verdict": ["undecided"] * 3 + ["supported"], "unit": ["", "", "", "x"],
        "mean": [np.nan, 0.5, 0.6, 2.0], "ci_low": [np.nan, 0.1, 0.2, 1.5],
        "ci_high": [np.nan, 0.9, 1.0, 2.5], "margin": 1.0, "kind": "above"})
    fig = plots.verdict_forest(frame)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any(long in label.replace("\n", " ") for label in labels)  # not cut short
    assert max(len(line) for label in labels for line in label.split("\n")) <= 80
    assert "19b. fashion_mnist" in labels  # a further component names only itself
    matplotlib.pyplot.close(fig)


def test_arithmetic_scores_mark_the_learned_line_at_one():
    errors = pd.DataFrame([{"task": "a + b", "model": m, "seed": s, "interpolation_score": 0.01,
                            "extrapolation_score": 5.0} for m in ("relu", "NALU") for s in range(3)])
    fig = plots.arithmetic_scores(errors)
    ax = next(ax for ax in fig.axes if ax.get_visible())
    vertical = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() in (":", "--"))
    assert vertical == [1.0, 100.0]
    matplotlib.pyplot.close(fig)


def test_unit_measure_bands_stay_within_a_share():
    # a share near 0 over three seeds: its t-interval reaches below 0, the band must not
    import matplotlib.pyplot

    rows = [{"key": f"k{seed}", "epoch": epoch, "activation": "tanh", "depth": 2,
             "saturated_fraction": 0.02 if seed == 0 and epoch else 0.0}
            for seed in range(3) for epoch in range(3)]
    fig = plots.unit_measures(pd.DataFrame(rows), {"saturated_fraction": "share saturated"})
    lows = [path.vertices[:, 1].min() for collection in fig.axes[0].collections
            for path in collection.get_paths() if len(path.vertices)]
    assert lows and min(lows) >= 0.0
    matplotlib.pyplot.close(fig)


def test_a_share_axis_of_zeros_starts_at_zero():
    import matplotlib.pyplot

    rows = [{"key": f"k{seed}", "epoch": epoch, "activation": "tanh", "depth": 2,
             "saturated_fraction": 0.0} for seed in range(3) for epoch in range(3)]
    fig = plots.unit_measures(pd.DataFrame(rows), {"saturated_fraction": "share saturated"})
    low, high = fig.axes[0].get_ylim()
    assert -0.05 * high <= low < 0 < high  # not down to -high, as matplotlib centres zeros
    matplotlib.pyplot.close(fig)
