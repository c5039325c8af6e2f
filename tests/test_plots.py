"""The small-multiple figures, for any number of panels.

The smoke profile draws only a few panels per figure; the default and full
profiles draw full rows (8 activations in rows of 4), which once broke the
shared colour bar. Both shapes are drawn here from synthetic tidy frames.
"""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from actstudy import plots

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
