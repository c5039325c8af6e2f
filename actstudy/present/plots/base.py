"""What every figure shares: the conventions (at most eight hues, small multiples by family), labels, and the helpers the topic modules draw with.
"""

from __future__ import annotations

import math

import matplotlib.lines
import matplotlib.patches
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from actstudy import stats
from actstudy.run import activations

__all__ = ["MAX_HUES", "t_interval", "family_panels", "STAT_LABELS", "SCORE_FLOOR",
           "integer_ticks", "centre_and_interval"]


sns.set_theme(context="notebook", style="whitegrid")


# The most hues (and legend entries) a panel may show before lines stop being told apart.
MAX_HUES = 8




def _grid(n: int, columns: int, size=(2.4, 2.0), sharey: bool = False):
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size[0] * columns, size[1] * rows),
                             squeeze=False, constrained_layout=True, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def t_interval(values) -> tuple[float, float]:
    """The 95% Student's t-interval of the mean, as seaborn's ``errorbar`` callable takes it."""
    interval = stats.mean_ci(values)
    return interval.low, interval.high


def share_interval(values) -> tuple[float, float]:
    """:func:`t_interval` for a share, cut at 0 and 1 (the true share lies within them, so the
    cut interval holds it whenever the whole one does)."""
    low, high = t_interval(values)
    return max(low, 0.0), min(high, 1.0)


def centre_and_interval(values, log: bool = False) -> tuple[float, float, float]:
    """The mean over seeds and its 95% t-interval; with ``log``, the geometric mean and the
    t-interval of log10 of the values, taken back (for a positive, skewed quantity such as an
    MSE or a ratio of gradient norms: its interval never reaches 0). Fewer than two values
    give no interval (NaN).

    >>> [round(v, 3) for v in centre_and_interval([1.0, 10.0, 100.0], log=True)]
    [10.0, 0.033, 3048.862]
    """
    values = np.asarray(values, dtype=float)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.log10(values)
    found = stats.mean_ci(values)
    bounds = (found.low, found.high) if found.n >= 2 else (np.nan, np.nan)
    centre = (found.mean, *bounds)
    return tuple(float(10.0 ** v if log else v) for v in centre)


def integer_ticks(axis, values=None, most: int = 8) -> None:
    """Whole-number ticks on an axis that counts (hidden layers, depth, epochs, steps).

    With ``values`` (what the axis shows) of at most ``most`` distinct numbers,
    the ticks sit at those values (depths 5, 10, 20); otherwise matplotlib picks
    whole numbers. Either way they are written without decimals, never 2.5 or 7.5.
    """
    shown = sorted({int(round(v)) for v in np.asarray(values, dtype=float).ravel()
                    if np.isfinite(v)}) if values is not None else []
    if shown and len(shown) <= most:
        axis.set_major_locator(matplotlib.ticker.FixedLocator(shown))
        axis.set_minor_locator(matplotlib.ticker.NullLocator())
    else:
        axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins="auto",
                                                             steps=[1, 2, 5, 10]))
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}"))


def family_panels(names) -> list[tuple[str, list[str]]]:
    """Panels of activations by registry family: ``(title, members)``.

    Families of one member share a panel, so a lone identity or binary step
    does not take a whole column.

    >>> family_panels(["identity", "binary_step", "relu", "elu", "tanh", "sigmoid"])
    [('step and linear', ['binary_step', 'identity']), ('sigmoidal', ['tanh', 'sigmoid']), \
('rectifier', ['relu', 'elu'])]
    """
    grouped = activations.families(names)
    single = [family for family, members in grouped.items() if len(members) == 1]
    panels, merged = [], False
    for family, members in grouped.items():
        if family in single and len(single) > 1:
            if not merged:
                title = ", ".join(single[:-1]) + " and " + single[-1]
                panels.append((title, [grouped[f][0] for f in single]))
                merged = True
            continue
        if len(members) > MAX_HUES:
            raise ValueError(f"family {family!r} has {len(members)} activations; a panel shows "
                             f"at most {MAX_HUES}: select some first")
        panels.append((family, members))
    return panels


def _label_ends(ax, ends: list[tuple[str, float, float, object]], gap: float = 0.075) -> None:
    """Name each line at its right end, nudged apart so labels never overlap.

    ``ends`` holds ``(label, x, y, colour)`` in data coordinates; the axis limits
    must be final. Labels sit just right of the axes, spaced at least ``gap``
    of the axes' height apart.
    """
    if not ends:
        return
    to_axes = ax.transData + ax.transAxes.inverted()
    placed = sorted(((float(np.clip(to_axes.transform((x, y))[1], 0.0, 1.0)), label, colour)
                     for label, x, y, colour in ends if np.isfinite(y)), key=lambda e: e[0])
    heights = [e[0] for e in placed]
    for i in range(1, len(heights)):  # push up where too close to the one below
        heights[i] = max(heights[i], heights[i - 1] + gap)
    overflow = heights[-1] - 1.0 if heights else 0.0
    if overflow > 0:  # then shift the whole stack down, as far as the bottom allows
        heights = [h - min(overflow, heights[0]) for h in heights]
    for height, (_, label, colour) in zip(heights, placed, strict=True):
        ax.text(1.02, height, label, transform=ax.transAxes, color=colour, fontsize=8,
                va="center", ha="left", clip_on=False)


_METRIC_LABELS = {"train_loss": "training loss", "val_loss": "validation loss",
                  "val_accuracy": "validation accuracy", "train_accuracy": "training accuracy"}


# -- learned parameters ---------------------------------------------------------------------------

# Quantiles of a parameter across units drawn as bands: 5-95% (light) and 25-75% (dark).
_BANDS = ((0.05, 0.95, 0.15), (0.25, 0.75, 0.3))


def _dataset_depth_axes(frame: pd.DataFrame, size=(4.0, 2.6), layer_rows: bool = False):
    """One panel per dataset and depth; combinations without data hidden.

    Datasets in rows and depths in columns, each panel ``size``; or, with
    ``layer_rows``, depths in rows as tall as their layers (``size[1]`` inches
    a layer, plus room for labels) and datasets in columns.
    """
    datasets = list(dict.fromkeys(frame["dataset"]))
    depths = sorted(set(frame["depth"]))
    if layer_rows:
        shape, heights = (len(depths), len(datasets)), [depth * size[1] + 1.2 for depth in depths]
    else:
        shape, heights = (len(datasets), len(depths)), [size[1]] * len(datasets)
    fig, axes = plt.subplots(*shape, squeeze=False, constrained_layout=True,
                             gridspec_kw={"height_ratios": heights},
                             figsize=(max(size[0] * shape[1], 7.0), sum(heights)))
    panels = {}
    for i, dataset in enumerate(datasets):
        for j, depth in enumerate(depths):
            ax = axes[j, i] if layer_rows else axes[i, j]
            part = frame[(frame["dataset"] == dataset) & (frame["depth"] == depth)]
            if part.empty:
                ax.set_visible(False)
            else:
                panels[dataset, depth] = (ax, part)
                ax.set_title(f"{dataset}, depth {depth}", fontsize=10)
    return fig, panels


def _one_activation(frame: pd.DataFrame, what: str) -> None:
    labels = list(dict.fromkeys(frame["activation_label"]))
    if len(labels) > 1:
        raise ValueError(f"{what} comes from several activations ({', '.join(labels)}); "
                         "pass the rows of one activation_label")


def _first_middle_last(layers: list[int]) -> dict[str, int]:
    """The first, middle and last of the layers, each at most once (the middle only if distinct).

    >>> _first_middle_last([0, 1]), _first_middle_last([0, 1, 2, 3, 4, 5])
    ({'first': 0, 'last': 1}, {'first': 0, 'middle': 3, 'last': 5})
    """
    chosen = {"first": layers[0], "middle": layers[len(layers) // 2], "last": layers[-1]}
    if chosen["middle"] in (chosen["first"], chosen["last"]):
        del chosen["middle"]
    if chosen["last"] == chosen["first"]:
        del chosen["last"]
    return chosen


def _one_setting(frame: pd.DataFrame, what: str) -> str:
    """'mnist, depth 10': the one dataset and depth a figure shows; several is an error."""
    settings = frame[["dataset", "depth"]].drop_duplicates()
    if len(settings) != 1:
        shown = ", ".join(f"{d} depth {n}" for d, n in settings.itertuples(index=False))
        raise ValueError(f"{what} draws one dataset and depth; the frame holds {shown}: "
                         "select one first")
    dataset, depth = settings.iloc[0]
    return f"{dataset}, depth {depth}"


# Axis labels of the probe statistics the figures below draw.
STAT_LABELS = {
    "act_mean": "mean activation",
    "act_std": "std of activations",
    "pre_mean": "mean pre-activation",
    "pre_std": "std of pre-activations",
    "saturated_fraction": "fraction of saturated units",
    "dead_fraction": "fraction of dead units",
    "inactive_fraction": "fraction of inactive units",
    "near_bound_fraction": "fraction of outputs near a bound",
}


def _hue_label(hue: str, level) -> str:
    if hue == "epoch":
        return "initialisation" if level == 0 else f"after epoch {level}"
    return str(level)


def _plain_log_labels(ax, which: str = "y") -> None:
    """Plain numbers (0.2, 0.5, 1, 1e-05) on a log axis (``which``: "x" or "y"); 2 and 5
    between powers of ten too where the axis spans less than two of them."""
    low, high = ax.get_ylim() if which == "y" else ax.get_xlim()
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))

    def between(v, _):
        leading = round(v / 10 ** math.floor(math.log10(v)))
        return f"{v:g}" if leading in (2, 5) else ""

    short = 0 < low < high and math.log10(high / low) < 2
    axis.set_minor_formatter(matplotlib.ticker.FuncFormatter(between) if short
                             else matplotlib.ticker.NullFormatter())


def _layer_label(index: int, depth: int) -> str:
    side = " (input side)" if index == 0 else " (output side)" if index == depth - 1 else ""
    return f"layer {index + 1}{side}"


# Scores below this are drawn at it: an exact fit's 0 has no place on a log axis.
SCORE_FLOOR = 1e-6
