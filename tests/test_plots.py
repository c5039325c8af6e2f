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
             "gradient_norm": 10.0 ** -(layer + p)}
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
    assert any(ax.get_ylabel() == "log10 ||grad W||" for ax in fig.axes)  # the colour bar
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("panels", [3, 8])
def test_activation_distributions_draw_each_epoch(panels):
    fig = plots.activation_distributions(_stats(panels), epochs=(0, 2))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == panels
    assert [line.get_label() for line in shown[0].lines] == ["initialisation", "epoch 2"]
    matplotlib.pyplot.close(fig)
