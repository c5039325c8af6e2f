"""Seaborn figures the notebooks call: each takes tidy frames and returns a Figure.

The notebooks hold narrative and these calls; nothing here trains or prints
prose for a report.

Conventions every figure here follows (``../shared/DESIGN.md``):

- one message per figure; the notebook says it in a one-sentence caption
  above the figure ("Look at ...");
- many activations are drawn as small multiples by family, the families taken
  from the registry (:func:`actstudy.activations.families`): each panel
  colours its few members, labels them at the line ends, and draws the other
  activations in light grey behind them (:func:`learning_curves`);
- at most :data:`MAX_HUES` hues in a panel and one legend per figure, with at
  most :data:`MAX_HUES` entries (tests check the rendered reports for it);
- axes are labelled with their units, and a log scale says so in its label;
- figures are sized for a laptop screen: at most about 13 inches wide at the
  notebook's resolution, text no smaller than 7 points.
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

from actstudy import activations, stats

sns.set_theme(context="notebook", style="whitegrid")

# The most hues (and legend entries) a panel may show before lines stop being told apart.
MAX_HUES = 8
# Verdict colours, shared by the forest plot and any figure that marks verdicts.
VERDICT_COLOURS = {"supported": "#1b7837", "contradicted": "#b2182b", "undecided": "0.45"}


def _grid(n: int, columns: int, size=(2.4, 2.0), sharey: bool = False):
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size[0] * columns, size[1] * rows),
                             squeeze=False, constrained_layout=True, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def activation_gallery(names=None, low: float = -5.0, high: float = 5.0, columns: int = 6):
    """Every activation (solid) and its autodiff derivative (dashed) on one common grid."""
    names = list(names or activations.names())
    x = np.linspace(low, high, 801, dtype=np.float32)
    fig, axes = _grid(len(names), columns)
    for ax, name in zip(axes, names, strict=False):
        ax.plot(x, np.asarray(activations.function(name)(x)), label="f(x)", lw=1.8)
        ax.plot(x, activations.derivative(name, x), label="f'(x)", lw=1.2, ls="--")
        ax.axhline(0, color="0.6", lw=0.6)
        ax.axvline(0, color="0.6", lw=0.6)
        ax.set_ylim(-2.2, 3.2)
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Activations and their derivatives on [{low:g}, {high:g}]")
    return fig


def activation_cost(relative: pd.DataFrame):
    """Each activation's time as a ×-ratio to ReLU's, one marker per measurement, 95% intervals.

    ``relative`` is :meth:`actstudy.timing.Costs.relative`'s frame; rows are
    activations sorted by their forward+backward ratio, the x axis is
    logarithmic, and ReLU (the reference, 1 by construction) sits on the line.
    """
    measurements = list(dict.fromkeys(relative["measurement"]))
    backward = relative[relative["measurement"] == measurements[min(1, len(measurements) - 1)]]
    order = list(backward.sort_values("ratio", kind="stable")["activation"])
    order += [name for name in dict.fromkeys(relative["activation"]) if name not in order]
    rows = {name: i for i, name in enumerate(order)}
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(order) + 1.4), constrained_layout=True)
    step = 0.8 / len(measurements)
    for k, measurement in enumerate(measurements):
        part = relative[relative["measurement"] == measurement]
        y = part["activation"].map(rows).to_numpy() + (k - (len(measurements) - 1) / 2) * step
        ratio = part["ratio"].to_numpy()
        spread = np.nan_to_num([ratio - part["ci_low"].to_numpy(), part["ci_high"].to_numpy() - ratio])
        ax.errorbar(ratio, y, xerr=spread, fmt="o", ms=4, capsize=2, color=f"C{k}",
                    label=measurement)
    ax.axvline(1.0, color="0.3", lw=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _: f"{v:g}×" if round(v / 10 ** math.floor(math.log10(v))) in (2, 5) else ""))
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel("time relative to ReLU in the same round (×, log scale; 1× = as fast as ReLU)")
    fig.legend(loc="outside upper center", ncols=len(measurements), frameon=False)
    return fig


def fitted_curves(curves: pd.DataFrame, columns: int = 6,
                  training_range: tuple[float, float] | None = (-2 * math.pi, 2 * math.pi)):
    """Predictions over the truth: one panel per activation (columns x, truth, prediction).

    Outside ``training_range`` (shaded) the network saw no data.
    """
    names = list(dict.fromkeys(curves["activation"]))
    fig, axes = _grid(len(names), columns, size=(2.5, 2.0))
    for ax, name in zip(axes, names, strict=False):
        part = curves[curves["activation"] == name].sort_values("x")
        if training_range is not None:
            for low, high in ((part["x"].min(), training_range[0]),
                              (training_range[1], part["x"].max())):
                if low < high:
                    ax.axvspan(low, high, color="0.9", lw=0)
        ax.plot(part["x"], part["truth"], color="0.5", lw=2.5, alpha=0.5)
        ax.plot(part["x"], part["prediction"], lw=1.4)
        ax.set_title(name, fontsize=10)
        ax.set_ylim(-1.6, 1.6)
        ax.tick_params(labelsize=7)
    fig.suptitle("Fitted curves (seed 0) over sin(x), grey; shaded: outside the training range")
    return fig


def t_interval(values) -> tuple[float, float]:
    """The 95% Student's t-interval of the mean, as seaborn's ``errorbar`` callable takes it."""
    interval = stats.mean_ci(values)
    return interval.low, interval.high


def metric_by_activation(summary: pd.DataFrame, metric: str, log: bool = False,
                         label: str | None = None, by: str = "activation"):
    """Per-activation (or per ``by``) points for each seed with the mean and its 95%
    t-interval over seeds.

    With ``log`` the mean is geometric and the interval is taken on log10 (for a
    positive, skewed quantity such as an MSE).
    """
    def interval(values):
        values = np.log10(values) if log else values
        found = stats.mean_ci(values)
        bounds = (found.low, found.high) if found.n >= 2 else (np.nan, np.nan)
        return tuple(10.0 ** b for b in bounds) if log else bounds

    def centre(values):
        return 10.0 ** np.mean(np.log10(values)) if log else np.mean(values)

    order = summary.groupby(by)[metric].agg(centre).sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(order) + 1.2), constrained_layout=True)
    sns.pointplot(summary, y=by, x=metric, order=order, estimator=centre,
                  errorbar=interval, linestyle="none", color="C3", ax=ax)
    sns.stripplot(summary, y=by, x=metric, order=order, color="0.4", size=3,
                  alpha=0.6, ax=ax)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(label or metric)
    ax.set_ylabel("")
    return fig


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


def learning_curves(history: pd.DataFrame, metric: str = "val_loss", row: str | None = None,
                    log: bool = False, label: str | None = None):
    """A metric per epoch: one panel per family of activations, one row per value of ``row``.

    In each panel the family's activations are coloured and named at their
    line ends (mean over seeds with a 95% t-band); every other activation of
    the figure is a thin grey line behind them, so a panel reads against the
    rest. Rows (e.g. datasets) share the y axis within the row.
    """
    names = list(dict.fromkeys(history["activation"]))
    panels = family_panels(names)
    rows = [None] if row is None else list(dict.fromkeys(history[row]))
    keys = ([row] if row else []) + ["activation", "epoch"]
    curves = history.groupby(keys, sort=False)[metric].agg(
        mean="mean", interval=lambda v: stats.mean_ci(v.to_numpy(float))).reset_index()
    curves["low"] = [i.low for i in curves["interval"]]
    curves["high"] = [i.high for i in curves["interval"]]
    fig, axes = plt.subplots(len(rows), len(panels), squeeze=False, sharex=True, sharey="row",
                             constrained_layout=True,
                             figsize=(2.55 * len(panels) + 0.8, 2.3 * len(rows) + 0.7))
    for i, value in enumerate(rows):
        part = curves if row is None else curves[curves[row] == value]
        means = part["mean"].to_numpy(float)
        means = means[np.isfinite(means) & ((means > 0) if log else True)]
        for j, (title, members) in enumerate(panels):
            ax = axes[i, j]
            for name in names:
                if name in members:
                    continue
                line = part[part["activation"] == name]
                ax.plot(line["epoch"], line["mean"], color="0.82", lw=0.7, zorder=1)
            ends = []
            for k, name in enumerate(members):
                line = part[part["activation"] == name]
                colour = f"C{k}"
                ax.plot(line["epoch"], line["mean"], color=colour, lw=1.6, zorder=3)
                shown = np.isfinite(line["low"]) & np.isfinite(line["high"])
                ax.fill_between(line["epoch"][shown], line["low"][shown], line["high"][shown],
                                color=colour, alpha=0.15, lw=0, zorder=2)
                if len(line):
                    ends.append((name, line["epoch"].iloc[-1], line["mean"].iloc[-1], colour))
            if log:
                ax.set_yscale("log")
            if len(means):  # the means set the limits: a band towards 0 would squash the rest
                low, high = means.min(), means.max()
                pad = (high / low) ** 0.05 if log and low > 0 else None
                ax.set_ylim(*((low / pad, high * pad) if pad else
                              (low - 0.05 * (high - low or 1), high + 0.05 * (high - low or 1))))
            if log:
                _plain_log_labels(ax)
            ax.tick_params(labelsize=8)
            if i == 0:
                ax.set_title(title, fontsize=10)
            if j == 0 and value is not None:
                ax.set_ylabel(str(value), fontsize=10)
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=5))
            _label_ends(ax, ends)
    what = label or _METRIC_LABELS.get(metric, metric)
    fig.supxlabel("epoch", fontsize=10)
    fig.supylabel(what + (" (log scale)" if log else ""), fontsize=10)
    fig.suptitle(f"{what}: mean over seeds with a 95% band; grey: the other activations",
                 fontsize=10)
    return fig


def decision_boundaries(boundaries: pd.DataFrame, points: pd.DataFrame,
                        labels: dict | None = None):
    """Probability of class 1 over the plane: rows are datasets, columns activations.

    ``labels`` names the rows (a dataset's name where it gives none).
    """
    labels = labels or {}
    datasets = list(dict.fromkeys(boundaries["dataset"]))
    names = list(dict.fromkeys(boundaries["activation"]))
    fig, axes = plt.subplots(len(datasets), len(names), squeeze=False, constrained_layout=True,
                             figsize=(1.7 * len(names), 1.7 * len(datasets)))
    for i, dataset in enumerate(datasets):
        data = points[points["dataset"] == dataset]
        for j, name in enumerate(names):
            ax = axes[i, j]
            part = boundaries[(boundaries["dataset"] == dataset) & (boundaries["activation"] == name)]
            side = int(np.sqrt(len(part)))
            ax.contourf(part["x0"].to_numpy().reshape(side, side),
                        part["x1"].to_numpy().reshape(side, side),
                        part["p"].to_numpy().reshape(side, side), levels=np.linspace(0, 1, 11),
                        cmap="RdBu_r", alpha=0.8)
            ax.scatter(data["x0"], data["x1"], c=data["y"], cmap="RdBu_r", s=2, edgecolors="none")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(name, fontsize=9)
            if j == 0:
                ax.set_ylabel(labels.get(dataset, dataset), fontsize=9)
    fig.supxlabel("input x₀ (no unit)", fontsize=10)
    fig.supylabel("input x₁ (no unit)", fontsize=10)
    return fig


def gradient_heatmaps(gradients: pd.DataFrame, value: str = "bias_gradient_norm",
                      label: str = "log10 ||dC/db||", columns: int = 4):
    """log10 of a gradient norm per hidden layer (rows, input at top) and step, a panel per run.

    The colour scale spans the 1st to 99th percentile of every panel together,
    so panels compare with each other. The head (shaped differently) is left out.
    """
    if "layer" in gradients:
        gradients = gradients[gradients["layer"] != "head"]
    keys = list(dict.fromkeys(gradients["panel"]))
    fig, axes = _grid(len(keys), columns, size=(3.2, 2.4))
    with np.errstate(divide="ignore"):
        logs = np.log10(gradients[value].to_numpy(dtype=float))
    finite = logs[np.isfinite(logs)]
    low, high = (np.floor(np.percentile(finite, [1, 99])) + [0, 1]) if finite.size else (-6, 1)
    for ax, key in zip(axes, keys, strict=False):
        part = gradients[gradients["panel"] == key]
        table = part.pivot_table(index="layer_index", columns="step", values=value)
        with np.errstate(divide="ignore"):
            image = ax.imshow(np.log10(table.to_numpy()), aspect="auto", cmap="viridis",
                              vmin=low, vmax=high, interpolation="nearest")
        ax.grid(False)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("training step", fontsize=8)
        ax.set_ylabel("hidden layer (input at top)", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.colorbar(image, ax=axes[: len(keys)], shrink=0.6, label=label)
    return fig


def ratio_by_depth(ratios: pd.DataFrame):
    """First-layer / last-hidden-layer bias-gradient norm against depth (log scale)."""
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    sns.lineplot(ratios, x="depth", y="ratio", hue="activation", marker="o", errorbar=("ci", 95),
                 ax=ax)
    ax.set_yscale("log")
    ax.axhline(1.0, color="0.3", lw=1)
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("||dC/db first|| / ||dC/db last hidden|| (log scale)")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def growth_by_depth(growth: pd.DataFrame, hue: str = "activation"):
    """The gradient-growth slope per layer against depth; 0 = every layer learns alike."""
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    sns.lineplot(growth, x="depth", y="slope", hue=hue, marker="o", errorbar=("ci", 95), ax=ax)
    ax.axhline(0.0, color="0.3", lw=1)
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("change of log10 ||dC/db|| per layer,\nback from the output (< 0: vanishing)")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def unit_fraction(stats: pd.DataFrame, value: str, label: str, style: str = "depth"):
    """A per-epoch fraction of units (dead or saturated), mean over layers and seeds."""
    return unit_measures(stats, {value: label}, style=style)


def unit_measures(stats: pd.DataFrame, measures: dict[str, str], style: str | None = "depth",
                  hue: str = "activation"):
    """Per-epoch fractions side by side (e.g. inactive and dead units), one legend.

    Each column of panels is one column of ``measures`` (name -> axis label),
    averaged over layers, with a 95% interval over seeds; epoch 0 is the
    initialisation. Each value of ``style`` (e.g. the depth) gets its own row
    of panels, so the one legend names the ``hue`` values alone.
    """
    levels = list(dict.fromkeys(stats[style])) if style else [None]
    fig, axes = plt.subplots(len(levels), len(measures), squeeze=False, sharex=True,
                             figsize=(4.2 * len(measures) + 1.6, 2.7 * len(levels) + 0.6),
                             constrained_layout=True)
    per_run = stats.groupby(["key", "epoch", hue] + ([style] if style else []),
                            as_index=False)[list(measures)].mean()
    hues = list(dict.fromkeys(stats[hue]))  # in the order given, as the study lists them
    if len(hues) > MAX_HUES:
        raise ValueError(f"{hue} has {len(hues)} values; a panel shows at most {MAX_HUES}: "
                         "select some first")
    for row, level in enumerate(levels):
        part = per_run if style is None else per_run[per_run[style] == level]
        for column, (value, label) in enumerate(measures.items()):
            ax = axes[row, column]
            last = row == 0 and column == len(measures) - 1
            sns.lineplot(part, x="epoch", y=value, hue=hue, hue_order=hues,
                         errorbar=("ci", 95), marker="o", ax=ax, legend=last)
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
            ax.set_xlabel("epoch (0 = initialisation)" if row == len(levels) - 1 else "")
            ax.set_ylabel(label if level is None else f"{style.replace('_', ' ')} {level:g}\n"
                          f"{label}" if isinstance(level, int | float) else f"{level}\n{label}")
            if last:
                sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def activation_distributions(stats: pd.DataFrame, epochs=(0,), column: str = "quantiles",
                             label: str = "activation"):
    """Quantile bands (5-95% and 25-75%) and median per layer, e.g. of activations.

    ``column`` holds each row's quantiles (``quantiles``: the activations;
    ``derivative_quantiles``: the relative derivative |f'(z)| / max|f'|).
    """
    names = list(dict.fromkeys(stats["activation"]))
    fig, axes = _grid(len(names), 4, size=(3.0, 2.4))
    for ax, name in zip(axes, names, strict=False):
        for epoch, colour in zip(epochs, ("C0", "C1"), strict=False):
            part = stats[(stats["activation"] == name) & (stats["epoch"] == epoch)]
            part = part.groupby("layer_index")[column].apply(
                lambda q: np.mean(np.stack(q.to_list()), axis=0))
            q = np.stack(part.to_list())
            layers = part.index.to_numpy()
            ax.fill_between(layers, q[:, 1], q[:, 19], color=colour, alpha=0.2)
            ax.fill_between(layers, q[:, 5], q[:, 15], color=colour, alpha=0.35)
            ax.plot(layers, q[:, 10], color=colour, lw=1.4,
                    label="initialisation" if epoch == 0 else f"epoch {epoch}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("hidden layer (input = 0)", fontsize=8)
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return fig


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


def prelu_slopes(units: pd.DataFrame):
    """PReLU's slopes across units over epochs, per layer: median with 25-75% and 5-95% bands.

    ``units`` is :func:`actstudy.analysis.unit_parameters` of the slopes (units
    of every seed pooled). Rows are dataset and depth, columns the first,
    middle and last hidden layer; one colour per PReLU variant (its initial
    slope), whose start is the dotted line.
    """
    labels = list(dict.fromkeys(units["activation_label"]))
    if len(labels) > MAX_HUES:
        raise ValueError(f"units has {len(labels)} PReLU variants; at most {MAX_HUES} are "
                         "told apart in one figure")
    colours = dict(zip(labels, sns.color_palette(n_colors=len(labels)), strict=True))
    datasets = list(dict.fromkeys(units["dataset"]))
    rows = sorted(set(zip(units["dataset"], units["depth"], strict=True)),
                  key=lambda row: (datasets.index(row[0]), row[1]))
    positions = ("first", "middle", "last")
    fig, axes = plt.subplots(len(rows), len(positions), squeeze=False, constrained_layout=True,
                             sharey=True, figsize=(3.4 * len(positions), 2.4 * len(rows)))
    starts = {}
    for (dataset, depth), row in zip(rows, axes, strict=True):
        part = units[(units["dataset"] == dataset) & (units["depth"] == depth)]
        chosen = _first_middle_last(sorted(set(part["layer_index"])))
        for ax, position in zip(row, positions, strict=True):
            if position not in chosen:
                ax.set_visible(False)
                continue
            layer = part[part["layer_index"] == chosen[position]]
            for label in labels:
                values = layer[layer["activation_label"] == label]
                if values.empty:
                    continue
                q = values.groupby("epoch")["value"].quantile(
                    [0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
                for low, high, alpha in _BANDS:
                    ax.fill_between(q.index, q[low], q[high], color=colours[label], alpha=alpha,
                                    lw=0)
                ax.plot(q.index, q[0.5], color=colours[label], lw=1.6)
                starts.setdefault(label, float(q[0.5].iloc[0]))
                ax.axhline(q[0.5].iloc[0], color=colours[label], lw=0.9, ls=":")
            ax.set_title(f"{dataset}, depth {depth}: layer {chosen[position] + 1} ({position})",
                         fontsize=9)
            ax.set_xlabel("epoch (0 = initialisation)", fontsize=8)
            if position == "first":  # the panels share their y-axis
                ax.set_ylabel("slope for x < 0", fontsize=8)
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
            ax.tick_params(labelsize=7)
    handles = [matplotlib.lines.Line2D([], [], color=colours[label], lw=1.6,
                                       label=f"{label}: starts at {starts[label]:.3g}")
               for label in labels if label in starts]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               frameon=False)
    fig.suptitle("PReLU slopes across units (all seeds): median, 25-75% and 5-95% of units; "
                 "dotted: the start", fontsize=10)
    return fig


def parameter_trajectories(learned: pd.DataFrame, parameter: str = "beta"):
    """A per-layer learned parameter over epochs (Swish's beta): mean over seeds, 95% t-interval.

    One panel per dataset (rows) and depth (columns), one colour per layer
    (1 = next to the input). With more than eight layers in all, only each
    network's first, middle and last layer are drawn, coloured by that position.
    """
    part = learned[learned["parameter"] == parameter] if len(learned) else learned
    if part.empty:
        raise ValueError(f"parameter={parameter!r} is not allowed: the learned frame has no such "
                         "parameter")
    _one_activation(part, f"parameter {parameter!r}")
    trajectories = stats.summarise(part, ["dataset", "depth", "layer_index", "epoch"], "mean")
    layers = sorted(set(trajectories["layer_index"]))
    if len(layers) <= MAX_HUES:
        hues = [f"layer {index + 1}" for index in layers]
        title = "hidden layer (1 = input side)"
        trajectories["hue"] = trajectories["layer_index"].map(lambda index: f"layer {index + 1}")
    else:
        hues, title, shown = ["first layer", "middle layer", "last layer"], "hidden layer", []
        for _, panel in trajectories.groupby(["dataset", "depth"], sort=False):
            chosen = _first_middle_last(sorted(set(panel["layer_index"])))
            named = {index: f"{position} layer" for position, index in chosen.items()}
            shown.append(panel.assign(hue=panel["layer_index"].map(named)).dropna(subset="hue"))
        trajectories = pd.concat(shown)
    colours = dict(zip(hues, plt.get_cmap("viridis")(np.linspace(0, 0.85, len(hues))),
                       strict=True))
    fig, panels = _dataset_depth_axes(trajectories)
    start = float(trajectories.loc[trajectories["epoch"] == trajectories["epoch"].min(),
                                   "mean"].mean())
    for ax, panel in panels.values():
        for hue in hues:
            line = panel[panel["hue"] == hue].sort_values("epoch")
            if line.empty:
                continue
            finite = np.isfinite(line["ci_low"]) & np.isfinite(line["ci_high"])
            ax.fill_between(line["epoch"][finite], line["ci_low"][finite],
                            line["ci_high"][finite], color=colours[hue], alpha=0.2, lw=0)
            ax.plot(line["epoch"], line["mean"], color=colours[hue], lw=1.6, label=hue)
        ax.axhline(start, color="0.4", lw=0.9, ls=":")
        ax.set_xlabel("epoch (0 = initialisation)", fontsize=8)
        ax.set_ylabel(f"{parameter}, mean over seeds", fontsize=8)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(labelsize=7)
    handles = [matplotlib.lines.Line2D([], [], color=colours[hue], lw=1.6, label=hue)
               for hue in hues]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               frameon=False, title=title, title_fontsize=8)
    label = part["activation_label"].iloc[0]
    fig.suptitle(f"{label}: learned {parameter} per layer, mean over seeds with 95% t-interval; "
                 "dotted: the start", fontsize=10)
    return fig


def mixture_weights(weights: pd.DataFrame):
    """Which base each layer's mixture weights: stacked softmax weights per layer.

    ``weights`` is :func:`actstudy.analysis.mixture_weights` (one epoch; the
    last by default). One panel per depth (rows) and dataset (columns), layer 1
    (next to the input) at the top, one colour per base. The dotted lines mark
    the equal shares the mixture starts from.
    """
    _one_activation(weights, "weights")
    epochs = sorted(set(weights["epoch"]))
    bases = list(dict.fromkeys(weights["base"]))
    if len(bases) > MAX_HUES:
        raise ValueError(f"the mixture has {len(bases)} bases; at most {MAX_HUES} are told "
                         "apart in one figure")
    colours = dict(zip(bases, sns.color_palette("colorblind", n_colors=len(bases)), strict=True))
    fig, panels = _dataset_depth_axes(weights, size=(4.5, 0.3), layer_rows=True)
    for ax, panel in panels.values():
        # a run that diverged stops early: each layer shows its latest epoch
        panel = panel[panel["epoch"] == panel.groupby("layer_index")["epoch"].transform("max")]
        table = panel.pivot_table(index="layer_index", columns="base", values="weight",
                                  aggfunc="mean").reindex(columns=bases).fillna(0.0)
        left = np.zeros(len(table))
        for base in bases:
            ax.barh(table.index + 1, table[base], left=left, color=colours[base], height=0.8,
                    label=base)
            left += table[base].to_numpy()
        for share in np.arange(1, len(bases)) / len(bases):
            ax.axvline(share, color="0.5", lw=0.8, ls=":")
        ax.set_xlim(0, 1)
        ax.set_yticks(table.index + 1)
        ax.invert_yaxis()
        ax.set_xlabel("softmax weight (share of the layer's mixture)", fontsize=8)
        ax.set_ylabel("hidden layer\n(1 = input side)", fontsize=8)
        ax.grid(False)
        ax.tick_params(labelsize=7)
    handles = [matplotlib.patches.Patch(color=colours[base], label=base) for base in bases]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(bases), fontsize=8,
               frameon=False)
    when = (f"after epoch {epochs[-1]}" if epochs[-1] > 0 else "at initialisation")
    fig.suptitle(f"Mixture weights per layer {when}, mean over seeds; dotted: the equal start",
                 fontsize=10)
    return fig


def _one_setting(frame: pd.DataFrame, what: str) -> str:
    """'mnist, depth 10': the one dataset and depth a figure shows; several is an error."""
    settings = frame[["dataset", "depth"]].drop_duplicates()
    if len(settings) != 1:
        shown = ", ".join(f"{d} depth {n}" for d, n in settings.itertuples(index=False))
        raise ValueError(f"{what} draws one dataset and depth; the frame holds {shown}: "
                         "select one first")
    dataset, depth = settings.iloc[0]
    return f"{dataset}, depth {depth}"


def initializer_heatmap(table: pd.DataFrame, value: str = "accuracy",
                        label: str = "mean test accuracy", centre: float | None = None,
                        fmt: str = ".3f"):
    """One cell per activation (rows) and initializer (columns), annotated with its value.

    ``table`` is :func:`actstudy.analysis.initializer_table`'s. ``centre``
    (0 for growth slopes) draws a diverging colormap centred there; without it
    the colormap is sequential. A cell with runs that diverged says how many.
    """
    setting = _one_setting(table, "initializer_heatmap")
    rows = list(dict.fromkeys(table["activation"]))
    columns = list(dict.fromkeys(table["initializer"]))
    values = table.pivot(index="activation", columns="initializer", values=value)
    values = values.loc[rows, columns]
    diverged = (table.pivot(index="activation", columns="initializer", values="diverged")
                .loc[rows, columns] if "diverged" in table else values * 0)
    text = np.empty(values.shape, dtype=object)
    for (i, j), number in np.ndenumerate(values.to_numpy(dtype=float)):
        count = int(np.nan_to_num(diverged.iloc[i, j]))
        shown = format(number, fmt) if np.isfinite(number) else "no value"
        text[i, j] = shown + (f"\n({count} diverged)" if count else "")
    # At least 3.2 inches tall: the colour bar's label runs along the figure's height.
    fig, ax = plt.subplots(figsize=(1.5 * len(columns) + 2.6, max(3.2, 0.5 * len(rows) + 1.4)),
                           constrained_layout=True)
    if centre is None:
        colours = {"cmap": "viridis"}
    else:
        finite = values.to_numpy(dtype=float)
        reach = np.nanmax(np.abs(finite - centre)) if np.isfinite(finite).any() else 1.0
        # Limits symmetric about the centre put it at the colormap's white middle.
        colours = {"cmap": "RdBu_r", "vmin": centre - reach, "vmax": centre + reach}
    sns.heatmap(values, annot=text, fmt="", linewidths=0.5, cbar_kws={"label": label}, ax=ax,
                annot_kws={"fontsize": 9}, **colours)
    for i, j in zip(*np.nonzero(values.isna().to_numpy()), strict=True):  # seaborn leaves them blank
        ax.text(j + 0.5, i + 0.5, text[i, j], ha="center", va="center", fontsize=9, color="0.3")
    ax.set_xlabel("initializer")
    ax.set_ylabel("activation")
    ax.tick_params(axis="x", rotation=0)
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(setting, fontsize=10)
    return fig


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


def signal_through_depth(frame: pd.DataFrame, value: str = "act_std", hue: str = "initializer",
                         label: str | None = None, log: bool = False, columns: int = 4):
    """A probe statistic against the hidden layer, one panel per activation.

    ``frame`` is :func:`actstudy.analysis.signal_propagation`'s; one line per
    ``hue`` level (``"initializer"``, or ``"epoch"`` for initialisation against
    after training), the mean over seeds with its 95% t-interval as a band.
    """
    levels = list(dict.fromkeys(frame[hue]))
    if len(levels) > MAX_HUES:
        raise ValueError(f"hue={hue!r} has {len(levels)} values; a panel shows at most "
                         f"{MAX_HUES}: select some first")
    setting = _one_setting(frame, "signal_through_depth")
    names = list(dict.fromkeys(frame["activation"]))
    summary = stats.summarise(frame, ["activation", hue, "layer_index"], value)
    palette = dict(zip(levels, sns.color_palette(n_colors=len(levels)), strict=True))
    fig, axes = _grid(len(names), min(columns, len(names)), size=(3.1, 2.8), sharey=True)
    for ax, name in zip(axes, names, strict=False):
        for level in levels:
            part = summary[(summary["activation"] == name) & (summary[hue] == level)]
            layers = part["layer_index"] + 1
            ax.plot(layers, part["mean"], color=palette[level], lw=1.6, marker="o", ms=2.5,
                    label=_hue_label(hue, level))
            low, high = part["ci_low"], part["ci_high"]
            shown = np.isfinite(low) & np.isfinite(high)
            ax.fill_between(layers[shown], low[shown], high[shown], color=palette[level],
                            alpha=0.2, lw=0)
        ax.set_title(name, fontsize=10)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        if log:
            ax.set_yscale("log")
    if log:
        _plain_log_labels(axes[0])  # the axes share y
    ylabel = label or STAT_LABELS.get(value, value)
    fig.supxlabel("hidden layer (1 = input side)", fontsize=10)
    fig.supylabel(ylabel + (" (log scale)" if log else ""), fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, title=hue, loc="outside right center", frameon=False)
    fig.suptitle(f"{setting}; mean over seeds, 95% interval", fontsize=10)
    return fig


def _plain_log_labels(ax) -> None:
    """Plain numbers (0.2, 0.5, 1, 1e-05) on a log axis; 2 and 5 between powers of ten too
    where the axis spans less than two of them."""
    low, high = ax.get_ylim()
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))

    def between(v, _):
        leading = round(v / 10 ** math.floor(math.log10(v)))
        return f"{v:g}" if leading in (2, 5) else ""

    short = 0 < low < high and math.log10(high / low) < 2
    ax.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(between) if short
                                 else matplotlib.ticker.NullFormatter())


def _layer_label(index: int, depth: int) -> str:
    side = " (input side)" if index == 0 else " (output side)" if index == depth - 1 else ""
    return f"layer {index + 1}{side}"


def step_trajectories(steps: pd.DataFrame, value: str, label: str | None = None,
                      columns: int = 4):
    """A probe statistic against the training step, one line per hidden layer, per activation.

    ``steps`` is a GridResult's ``step_activations`` (probed every
    ``probe_every`` steps); each line is the mean over seeds. Deeper networks
    show at most eight layers, evenly spaced from the first to the last.
    """
    if steps.empty:
        raise ValueError("steps is empty: these runs hold no step records (a study records "
                         "them with probe_every > 0)")
    setting = _one_setting(steps, "step_trajectories")
    depth = int(steps["depth"].iloc[0])
    shown = sorted({round(i) for i in np.linspace(0, depth - 1, min(depth, MAX_HUES))})
    names = list(dict.fromkeys(steps["activation"]))
    means = (steps[steps["layer_index"].isin(shown)]
             .groupby(["activation", "layer_index", "step"], as_index=False)[value].mean())
    palette = dict(zip(shown, sns.color_palette("viridis", n_colors=len(shown)), strict=True))
    fig, axes = _grid(len(names), min(columns, len(names)), size=(3.4, 2.8), sharey=True)
    for ax, name in zip(axes, names, strict=False):
        for layer in shown:
            part = means[(means["activation"] == name) & (means["layer_index"] == layer)]
            ax.plot(part["step"], part[value], color=palette[layer], lw=1.4,
                    label=_layer_label(layer, depth))
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8)
    ylabel = label or STAT_LABELS.get(value, value)
    fig.supxlabel("training step (mini-batches)", fontsize=10)
    fig.supylabel(ylabel, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    title = "hidden layer" + (f" ({len(shown)} of {depth})" if len(shown) < depth else "")
    fig.legend(handles, labels, title=title, loc="outside right center", frameon=False)
    fig.suptitle(f"{setting}; mean over seeds", fontsize=10)
    return fig


def intervals_against(table: pd.DataFrame, x: str, hue: str, xlabel: str, ylabel: str,
                      panel: str | None = None, log_y: bool = False,
                      references: dict[float, str] | None = None, title: str = ""):
    """Means with their 95% intervals against ``x``, a line per ``hue``, a panel per ``panel``.

    ``table`` has the columns of :func:`actstudy.stats.summarise` (``mean``,
    ``ci_low``, ``ci_high``, ``n``): the intervals are the ones the findings
    use (t over seeds), drawn as they are rather than re-estimated by seaborn.
    ``references`` draws labelled horizontal lines (e.g. a claim's margin).
    """
    panels = list(dict.fromkeys(table[panel])) if panel else [None]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels) + 1.8, 3.6),
                             squeeze=False, sharey=True, constrained_layout=True)
    levels = list(dict.fromkeys(table[hue]))
    colours = dict(zip(levels, sns.color_palette("colorblind", len(levels)), strict=True))
    for ax, name in zip(axes[0], panels, strict=True):
        part = table if name is None else table[table[panel] == name]
        for level, line in part.groupby(hue, sort=False):
            line = line.sort_values(x)
            low = (line["mean"] - line["ci_low"]).clip(lower=0)
            high = (line["ci_high"] - line["mean"]).clip(lower=0)
            ax.errorbar(line[x], line["mean"], yerr=[low, high], marker="o", ms=4, capsize=3,
                        lw=1.4, color=colours[level], label=str(level))
        for value, label in (references or {}).items():
            ax.axhline(value, color="0.3", lw=1, ls="--")
            ax.annotate(label, (1.0, value), xycoords=("axes fraction", "data"), ha="right",
                        va="bottom", fontsize=8, color="0.3")
        if log_y:
            ax.set_yscale("log")
            _plain_log_labels(ax)
        if name is not None:
            ax.set_title(str(name), fontsize=10)
        ax.set_xlabel(xlabel)
    axes[0][0].set_ylabel(ylabel + (" (log scale)" if log_y else ""))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, title=hue.replace("_", " "), loc="outside right center",
               frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def learning_rate_curves(curves: pd.DataFrame, label: str = "final validation accuracy",
                         reference: tuple[str, float] | None = None):
    """Error against learning rate: rows of panels per dataset and optimizer, columns per family.

    ``curves`` is :func:`actstudy.analysis.learning_rate_curves`'s (an accuracy
    per rate with its 95% t-interval over seeds). The error, 100 minus the
    accuracy in percent, is drawn on a log scale, so the differences near the
    best rate and the collapse at the ends both show. Activations are grouped
    into columns by family (at most eight in one), each named at its line's end
    rather than in a legend; a rate at which some seeds
    diverged is marked with a cross (the others' mean), and ``reference``,
    ``(optimizer, rate)``, is drawn as a dotted line in that optimizer's rows.
    """
    rows = list(dict.fromkeys(zip(curves["dataset"], curves["optimizer"], strict=True)))
    names = list(dict.fromkeys(curves["activation"]))
    family = {name: activations.spec(name).family for name in names}
    families = list(dict.fromkeys(family[name] for name in names))
    for one in families:
        members = [name for name in names if family[name] == one]
        if len(members) > MAX_HUES:
            raise ValueError(f"family {one!r} has {len(members)} activations; a panel shows at "
                             f"most {MAX_HUES}: select some first")
    colours = sns.color_palette("tab10" if len(names) <= 10 else "husl", n_colors=len(names))
    palette = dict(zip(names, colours, strict=True))
    fig, axes = plt.subplots(len(rows), len(families), squeeze=False, sharex=True, sharey="row",
                             constrained_layout=True,
                             figsize=(2.9 * len(families) + 1.8, 2.3 * len(rows) + 0.6))
    panel_ends = []
    for i, (dataset, optimizer) in enumerate(rows):
        setting = curves[(curves["dataset"] == dataset) & (curves["optimizer"] == optimizer)]
        for j, one in enumerate(families):
            ax = axes[i, j]
            ends = []
            for name in (n for n in names if family[n] == one):
                part = setting[setting["activation"] == name].sort_values("learning_rate")
                rate = part["learning_rate"].to_numpy()
                error = 100 * (1 - part["mean"].to_numpy(dtype=float))
                low = 100 * (1 - part["ci_high"].to_numpy(dtype=float))
                high = 100 * (1 - part["ci_low"].to_numpy(dtype=float))
                ax.plot(rate, error, color=palette[name], lw=1.5, marker="o", ms=3, label=name)
                shown = np.isfinite(low) & np.isfinite(high)
                ax.fill_between(rate[shown], low[shown], high[shown], color=palette[name],
                                alpha=0.15, lw=0)
                crosses = part["diverged"].to_numpy() > 0
                ax.plot(rate[crosses], error[crosses], ls="none", marker="x", ms=7,
                        color=palette[name])
                if len(rate):
                    ends.append((name, rate[-1], error[-1], palette[name]))
            panel_ends.append((ax, ends))
            if reference is not None and optimizer == reference[0]:
                ax.axvline(reference[1], color="0.4", ls=":", lw=1.2)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.tick_params(labelsize=8)
            if i == 0:
                ax.set_title(one, fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{dataset}\n{optimizer}", fontsize=10)
        # The means decide the limits: a band reaching towards 0 error would squash the rest.
        errors = 100 * (1 - setting["mean"].to_numpy(dtype=float))
        errors = errors[np.isfinite(errors) & (errors > 0)]
        if len(errors):
            axes[i, 0].set_ylim(errors.min() / 1.3, min(100.0, errors.max() * 1.3))
        _plain_log_labels(axes[i, 0])
    for ax, ends in panel_ends:  # the limits are final now
        _label_ends(ax, ends, gap=0.09)
    # On the bottom row's axes, not fig.supxlabel: constrained layout puts a figure-level
    # x label and an "outside lower" legend at the same height, one over the other.
    for ax in axes[-1]:
        ax.set_xlabel("learning rate (log scale)", fontsize=9)
    fig.supylabel(f"100 − {label} (%, log scale)", fontsize=10)
    handles = []
    if reference is not None:
        handles.append(matplotlib.lines.Line2D([], [], color="0.4", ls=":", lw=1.2,
                                               label=f"{reference[0]} at {reference[1]:g}"))
    if curves["diverged"].gt(0).any():
        handles.append(matplotlib.lines.Line2D([], [], color="0.3", ls="none", marker="x",
                                               ms=7, label="some seeds diverged"))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                   frameon=False, fontsize=9)
    fig.suptitle("mean over seeds, 95% interval; each activation named at its line's end",
                 fontsize=10)
    return fig


# -- what learns (04: the binary step, PReLU against leaky ReLU) --------------------------------


def hidden_and_output_gradients(gradients: pd.DataFrame, col: str = "network"):
    """Gradient norms per step: the largest over the hidden layers against the output layer's.

    Rows are the kernel- and bias-gradient norm, columns the values of ``col``
    (e.g. the binary_step study's networks); each line is the median over
    seeds with its 25-75% band. The y-axis is symmetric-log, linear near 0, so
    an exactly zero norm sits on its own at 0, below any small positive one.
    """
    frame = gradients.assign(part=np.where(gradients["layer"] == "head", "output layer",
                                           "hidden layers (largest)"))
    per_step = (frame.groupby(["key", col, "part", "step"], sort=False)
                [["gradient_norm", "bias_gradient_norm"]].max().reset_index()
                .melt(id_vars=["key", col, "part", "step"], var_name="norm",
                      value_name="value"))
    norms = {"gradient_norm": "kernel-gradient norm ||dC/dW||",
             "bias_gradient_norm": "bias-gradient norm ||dC/db||"}
    per_step["norm"] = per_step["norm"].map(norms)
    grid = sns.relplot(per_step, x="step", y="value", hue="part", row="norm", col=col,
                       kind="line", estimator="median", errorbar=("pi", 50), height=2.6,
                       aspect=1.3, facet_kws={"sharey": "row"})
    positive = per_step.loc[per_step["value"] > 0, "value"]
    threshold = 10 ** np.floor(np.log10(positive.min())) if len(positive) else 1e-8
    for (norm, column), ax in grid.axes_dict.items():
        ax.set_yscale("symlog", linthresh=threshold)
        ax.set_ylim(bottom=-0.3 * threshold)  # norms are >= 0; room to see a line at 0
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_title(column if norm == per_step["norm"].iloc[0] else "", fontsize=9)
        ax.set_xlabel("training step (mini-batches)", fontsize=9)
        ax.set_ylabel(f"{norm}\n(symmetric log scale)", fontsize=9)
    grid.legend.set_title("")
    return grid.figure


def train_and_validation(history: pd.DataFrame, hue: str = "activation_label"):
    """Training and validation accuracy per epoch, mean over seeds with 95% t-intervals.

    The training accuracy is each epoch's running mean over its mini-batches;
    colour is ``hue``, the line style the split.
    """
    frame = history.melt(id_vars=["key", "epoch", hue],
                         value_vars=["train_accuracy", "val_accuracy"], var_name="split",
                         value_name="accuracy")
    frame["accuracy"] *= 100
    frame["split"] = frame["split"].map({"train_accuracy": "training (running mean)",
                                         "val_accuracy": "validation"})
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    sns.lineplot(frame.rename(columns={hue: "activation"}), x="epoch", y="accuracy",
                 hue="activation", style="split", errorbar=t_interval, ax=ax)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


# -- depth with tuned learning rates; convergence in a paper's setting ----------------------------


def accuracy_by_depth(runs: pd.DataFrame, columns: int = 4):
    """Test accuracy against depth, a panel per activation, each depth at its chosen learning rate.

    ``runs`` is :func:`actstudy.analysis.tune_learning_rate`'s first frame: one
    row per seed at the rate chosen for its activation and depth. Each panel
    shows the mean over seeds with its 95% t-interval and every seed as a dot;
    the chosen rate is written under each point. Panels keep their own y range,
    so a small change with depth stays visible next to a large one elsewhere.
    """
    names = list(dict.fromkeys(runs["activation"]))
    fig, axes = _grid(len(names), min(columns, len(names)), size=(3.1, 2.9))
    for ax, name in zip(axes, names, strict=False):
        part = runs[runs["activation"] == name].assign(
            accuracy=lambda frame: 100 * frame["test_accuracy"])
        summary = stats.summarise(part, "depth", "accuracy").sort_values("depth")
        ax.scatter(part["depth"], part["accuracy"], s=6, color="0.55", alpha=0.6, lw=0,
                   label="one seed")
        low = (summary["mean"] - summary["ci_low"]).to_numpy()
        high = (summary["ci_high"] - summary["mean"]).to_numpy()
        ax.errorbar(summary["depth"], summary["mean"], yerr=[low, high], color="C3", lw=1.6,
                    marker="o", ms=4, capsize=3, label="mean, 95% interval")
        rates = part.groupby("depth")["learning_rate"].first()
        for depth, rate in rates.items():
            ax.annotate(f"lr {rate:g}", (depth, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7,
                        color="0.35")
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted(set(part["depth"])))
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.margins(y=0.15)
        low, high = ax.get_ylim()  # an interval over few seeds can reach past 0% or 100%
        ax.set_ylim(max(low, 0), min(high, 100))
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8)
    fig.supxlabel("hidden layers (log scale)", fontsize=10)
    fig.supylabel("test accuracy (%)", fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", frameon=False)
    return fig


def loss_curves(curves: pd.DataFrame, label: str = "training loss (cross-entropy)"):
    """A loss per epoch on a log axis: one line per activation with its 95% band over seeds.

    ``curves`` is :func:`actstudy.analysis.training_loss_area`'s second frame
    (geometric means over seeds, intervals taken on log10).
    """
    names = list(dict.fromkeys(curves["activation_label"]))
    if len(names) > MAX_HUES:
        raise ValueError(f"curves has {len(names)} activations; a panel shows at most "
                         f"{MAX_HUES}: select some first")
    fig, ax = plt.subplots(figsize=(6.4, 3.8), constrained_layout=True)
    for colour, name in zip(sns.color_palette(n_colors=len(names)), names, strict=True):
        part = curves[curves["activation_label"] == name]
        ax.plot(part["epoch"], part["train_loss"], color=colour, lw=1.6, marker="o", ms=3,
                label=name)
        shown = np.isfinite(part["train_loss_low"]) & np.isfinite(part["train_loss_high"])
        ax.fill_between(part["epoch"][shown], part["train_loss_low"][shown],
                        part["train_loss_high"][shown], color=colour, alpha=0.2, lw=0)
    ax.set_yscale("log")
    _plain_log_labels(ax)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{label} (log scale)")
    ax.legend(title="activation", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    seeds = int(curves["seeds"].max())
    ax.set_title(f"geometric mean over {seeds} seeds, 95% interval", fontsize=10)
    return fig


# -- findings (06) --------------------------------------------------------------------------------


def _short(text: str, width: int = 58) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def verdict_forest(verdicts: pd.DataFrame):
    """Each claim's deciding effect with its 95% interval against its margin, coloured by verdict.

    ``verdicts`` is :func:`actstudy.claims.evaluate`'s table. Ratios (×) and
    additive statistics (percentage points, epochs) are drawn in their own
    panels, ratios on a log axis. A triangle marks the margin and points the
    way the claim predicts; an equivalence claim's band is shaded.
    """
    ratio = verdicts["unit"] == "x"
    groups = [(title, part) for title, part in (
        ("ratios (×, log scale)", verdicts[ratio]),
        ("differences (pp, epochs)", verdicts[~ratio])) if len(part)]
    heights = [len(part) for _, part in groups]
    fig, axes = plt.subplots(len(groups), 1, squeeze=False, constrained_layout=True,
                             figsize=(11, 0.36 * sum(heights) + 0.9 * len(groups) + 0.8),
                             gridspec_kw={"height_ratios": heights})
    for ax, (title, part) in zip(axes[:, 0], groups, strict=True):
        part = part.sort_values("id")
        y = np.arange(len(part))
        for k, row in enumerate(part.itertuples()):
            colour = VERDICT_COLOURS.get(row.verdict, "0.45")
            low, high = row.ci_low, row.ci_high
            if np.isfinite(low) and np.isfinite(high):
                ax.plot([low, high], [k, k], color=colour, lw=2.2, solid_capstyle="butt")
            ax.plot(row.mean, k, "o", color=colour, ms=6)
            if row.kind == "equivalence":
                band = (1 / row.margin, row.margin) if row.unit == "x" else (-row.margin,
                                                                               row.margin)
                ax.fill_betweenx([k - 0.38, k + 0.38], *band, color="0.85", lw=0, zorder=0)
            else:
                ax.plot(row.margin, k, ">" if row.kind == "above" else "<", color="0.15",
                        ms=7, zorder=4)
        ax.set_yticks(y, [f"{row.id}. {_short(row.claim)}" for row in part.itertuples()],
                      fontsize=8)
        ax.set_ylim(len(part) - 0.5, -0.5)
        if title.startswith("ratios"):
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="y", visible=False)
    handles = [matplotlib.lines.Line2D([], [], color=colour, marker="o", lw=2.2, label=verdict)
               for verdict, colour in VERDICT_COLOURS.items()]
    handles += [
        matplotlib.lines.Line2D([], [], color="0.15", marker=">", ls="none",
                                label="margin; the claim predicts above it"),
        matplotlib.lines.Line2D([], [], color="0.15", marker="<", ls="none",
                                label="margin; the claim predicts below it"),
        matplotlib.patches.Patch(color="0.85", label="the band an equivalence claim predicts"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    fig.suptitle("each claim's primary test: effect with its 95% interval over seeds", fontsize=10)
    return fig


# Scores below this are drawn at it: an exact fit's 0 has no place on a log axis.
SCORE_FLOOR = 1e-6


def arithmetic_scores(errors: pd.DataFrame, columns: int = 3):
    """Interpolation and extrapolation scores per model, a panel per arithmetic task.

    ``errors`` is :func:`actstudy.analysis.arithmetic_errors`'s frame. Each dot
    is one seed; the larger markers are the geometric mean with its 95%
    t-interval on log10. Log scale; 100 (the line) is the model at
    initialisation, below it the model learned something.
    """
    splits = {"interpolation": "C0", "extrapolation": "C3"}
    long = errors.melt(id_vars=["task", "model", "seed"],
                       value_vars=[f"{s}_score" for s in splits], var_name="split",
                       value_name="score")
    long["split"] = long["split"].str.removesuffix("_score")
    long["score"] = long["score"].clip(lower=SCORE_FLOOR)
    tasks = list(dict.fromkeys(errors["task"]))
    order = (long[long["split"] == "extrapolation"].groupby("model")["score"]
             .agg(lambda v: np.mean(np.log10(v))).sort_values().index)
    fig, axes = _grid(len(tasks), min(columns, len(tasks)), size=(3.6, 0.28 * len(order) + 1.2),
                      sharey=True)
    for ax, task in zip(axes, tasks, strict=False):
        part = long[long["task"] == task]
        for k, (split, colour) in enumerate(splits.items()):
            rows = part[part["split"] == split]
            offset = (k - 0.5) * 0.3
            y = rows["model"].map({m: i for i, m in enumerate(order)}) + offset
            ax.scatter(rows["score"], y, s=8, color=colour, alpha=0.45, lw=0)
            for i, model in enumerate(order):
                logs = np.log10(rows.loc[rows["model"] == model, "score"].to_numpy(float))
                if not len(logs):
                    continue
                found = stats.mean_ci(logs)
                low, high = (found.low, found.high) if found.n >= 2 else (found.mean, found.mean)
                ax.errorbar(10 ** found.mean, i + offset, capsize=2, fmt="o", ms=4, color=colour,
                            xerr=[[10 ** found.mean - 10 ** low], [10 ** high - 10 ** found.mean]],
                            label=split if i == 0 else None)
        ax.axvline(100, color="0.3", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_yticks(range(len(order)), order)
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set_title(task, fontsize=10)
        ax.tick_params(labelsize=8)
    fig.supxlabel("error as % of the model at initialisation (log scale; 100 = no better "
                  "than random)", fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncols=2, frameon=False)
    return fig


def nalu_gates(gates: pd.DataFrame):
    """The NALU's learned gates per task and layer: 1 takes the adding path, 0 the multiplying.

    ``gates`` is :func:`actstudy.analysis.nalu_gates`'s frame: a dot per seed
    (its units' mean gate on the probe batch), the mean with its 95% t-interval.
    """
    fig, ax = plt.subplots(figsize=(7.5, 3.4), constrained_layout=True)
    layers = sorted(gates["layer"].unique())
    tasks = list(dict.fromkeys(gates["task"]))
    for k, layer in enumerate(layers):
        part = gates[gates["layer"] == layer]
        offset = (k - (len(layers) - 1) / 2) * 0.25
        x = part["task"].map({t: i for i, t in enumerate(tasks)}) + offset
        ax.scatter(x, part["gate"], s=12, color=f"C{k}", alpha=0.5, lw=0)
        for i, task in enumerate(tasks):
            values = part.loc[part["task"] == task, "gate"]
            if not len(values):
                continue
            found = stats.mean_ci(values)
            low, high = (found.low, found.high) if found.n >= 2 else (found.mean, found.mean)
            ax.errorbar(i + offset, found.mean, yerr=[[found.mean - max(low, 0)],
                                                      [min(high, 1) - found.mean]],
                        fmt="o", ms=5, capsize=3, color=f"C{k}",
                        label=f"hidden layer {layer}" if i == 0 else None)
    ax.set_xticks(range(len(tasks)), tasks)
    ax.set_xlim(-0.5, len(tasks) - 0.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("gate (1 = add, 0 = multiply)")
    ax.set_xlabel("task")
    fig.legend(loc="outside right center", frameon=False)
    return fig
