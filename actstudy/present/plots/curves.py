"""Figures of learning and accuracy: curves per family, fitted functions, decision boundaries, accuracy against the learning rate and depth.
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
from actstudy.present import tables
from actstudy.present.plots.base import (
    _METRIC_LABELS,
    MAX_HUES,
    _grid,
    _label_ends,
    _plain_log_labels,
    centre_and_interval,
    family_panels,
    integer_ticks,
    t_interval,
)
from actstudy.run import activations

__all__ = ["activation_gallery", "activation_cost", "fitted_curves", "metric_by_activation",
           "learning_curves", "decision_boundaries", "intervals_against", "learning_rate_curves",
           "train_and_validation", "accuracy_by_depth", "loss_curves"]


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

    ``relative`` is :meth:`actstudy.runner.timing.Costs.relative`'s frame; rows are
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


def metric_by_activation(summary: pd.DataFrame, metric: str, log: bool = False,
                         label: str | None = None, by: str = "activation",
                         high_first: bool = False, references: dict[float, str] | None = None,
                         off_axis=()):
    """Per-activation (or per ``by``) points for each seed with the mean and its 95%
    t-interval over seeds, a row each, sorted by the mean: lowest at the top, or with
    ``high_first`` highest at the top (best first, for an accuracy).

    With ``log`` the mean is geometric and the interval is taken on log10 (for a
    positive, skewed quantity such as an MSE). ``references`` draws labelled
    vertical lines (value: label), e.g. a baseline's error. Rows named in
    ``off_axis`` (e.g. the binary step, far below every other activation) are
    left off the axis, which then spans the other rows alone; each is written at
    the edge of the axis with its mean and interval, so the spread among the
    others shows.
    """
    groups = {name: part[metric].to_numpy(float)
              for name, part in summary.groupby(by, sort=False)}
    found = {name: centre_and_interval(values, log) for name, values in groups.items()}
    order = sorted(found, key=lambda name: found[name][0], reverse=high_first)
    apart = [name for name in order if name in set(off_axis)]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(order) + 1.2), constrained_layout=True)
    jitter = np.random.default_rng(0)  # fixed: the same figure on every build
    for row, name in enumerate(order):
        values = groups[name]
        ax.scatter(values, row + jitter.uniform(-0.15, 0.15, len(values)), s=9, color="0.4",
                   alpha=0.6, lw=0, zorder=2)
        centre, low, high = found[name]
        if np.isfinite(low) and np.isfinite(high):
            ax.plot([low, high], [row, row], color="C3", lw=2.6, zorder=3,
                    solid_capstyle="butt")
        ax.plot(centre, row, "o", color="C3", ms=7, zorder=4)
    if log:
        ax.set_xscale("log")
    for value, text in (references or {}).items():  # named above the axes, clear of the rows
        ax.axvline(value, color="0.2", ls="--", lw=1, zorder=1)
        ax.annotate(text, (value, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8,
                    color="0.2")
    # The axis spans the seeds, intervals and reference lines of every row it shows.
    shown = np.asarray([v for name in order if name not in apart
                        for v in (*groups[name], *found[name][1:])] + list(references or {}),
                       dtype=float)
    shown = shown[np.isfinite(shown) & ((shown > 0) if log else True)]
    if len(shown):
        scaled = np.log10(shown) if log else shown
        pad = 0.05 * (scaled.max() - scaled.min() or 1.0)
        limits = (scaled.min() - pad, scaled.max() + pad)
        ax.set_xlim(*((10 ** v for v in limits) if log else limits))
    if log:
        _plain_log_labels(ax, "x")
    for name in apart:
        centre, low, high = found[name]
        left = centre < ax.get_xlim()[0]
        written = tables.interval(centre, low, high) if np.isfinite(low) else f"{centre:.3g}"
        ax.annotate(f"◀ {written}, off the axis" if left else f"{written}, off the axis ▶",
                    (0.0 if left else 1.0, order.index(name)),
                    xycoords=("axes fraction", "data"), xytext=(4 if left else -4, 0),
                    textcoords="offset points", ha="left" if left else "right", va="center",
                    fontsize=9, color="C3")
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(label or metric)
    ax.set_ylabel("")
    return fig


def learning_curves(history: pd.DataFrame, metric: str = "val_loss", row: str | None = None,
                    log: bool = False, label: str | None = None):
    """A metric per epoch: one panel per family of activations, one row per value of ``row``.

    In each panel the family's activations are coloured and named at their
    line ends (mean over seeds with a 95% t-band); every other activation of
    the figure is a thin grey line behind them, so a panel reads against the
    rest. Rows (e.g. datasets) share the y axis within the row. With ``log``
    the lines are geometric means and the bands t-intervals of log10 taken
    back, as for any positive, skewed quantity drawn on a log axis: a band
    never reaches 0.
    """
    names = list(dict.fromkeys(history["activation"]))
    panels = family_panels(names)
    rows = [None] if row is None else list(dict.fromkeys(history[row]))
    keys = ([row] if row else []) + ["activation", "epoch"]
    curves = pd.DataFrame(
        [(*key, *centre_and_interval(values.to_numpy(float), log))
         for key, values in history.groupby(keys, sort=False)[metric]],
        columns=[*keys, "mean", "low", "high"])
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
            integer_ticks(ax.xaxis)
            _label_ends(ax, ends)
    what = label or _METRIC_LABELS.get(metric, metric)
    fig.supxlabel("epoch", fontsize=10)
    fig.supylabel(what + (" (log scale)" if log else ""), fontsize=10)
    fig.suptitle(f"{what}: {'geometric ' if log else ''}mean over seeds with a 95% band; "
                 "grey: the other activations", fontsize=10)
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
        if pd.api.types.is_integer_dtype(table[x]):  # a count: hidden layers, epochs
            integer_ticks(ax.xaxis, table[x])
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
    integer_ticks(ax.xaxis)
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
        integer_ticks(ax.xaxis, part["depth"])
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
    integer_ticks(ax.xaxis)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{label} (log scale)")
    ax.legend(title="activation", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    seeds = int(curves["seeds"].max())
    ax.set_title(f"geometric mean over {seeds} seeds, 95% interval", fontsize=10)
    return fig
