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

from actstudy import analysis, plots

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
    assert [ax.get_ylabel() for ax in panels] == ["inactive", "dead"]
    assert sum(ax.get_legend() is not None for ax in panels) == 1
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
