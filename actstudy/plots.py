"""Seaborn figures the notebooks call: each takes tidy frames and returns a Figure.

The notebooks hold narrative and these calls; nothing here trains or prints
prose for a report.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from actstudy import activations

sns.set_theme(context="notebook", style="whitegrid")


def _grid(n: int, columns: int, size=(2.4, 2.0)):
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size[0] * columns, size[1] * rows),
                             squeeze=False, constrained_layout=True)
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


def activation_cost(cost: pd.DataFrame):
    """Relative cost vs ReLU per activation, forward and forward+backward, with 95% CI."""
    order = (cost[cost["pass"] == "forward+backward"].groupby("activation")["relative_to_relu"]
             .median().sort_values().index)
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(order) + 1.2), constrained_layout=True)
    sns.barplot(cost, y="activation", x="relative_to_relu", hue="pass", order=order,
                errorbar=("ci", 95), ax=ax)
    ax.axvline(1.0, color="0.3", lw=1)
    ax.set_xlabel("time per element relative to ReLU (1 = as fast as ReLU)")
    ax.set_ylabel("")
    return fig


def fitted_curves(curves: pd.DataFrame, columns: int = 6):
    """Predictions over the truth: one panel per activation (columns x, truth, prediction)."""
    names = list(dict.fromkeys(curves["activation"]))
    fig, axes = _grid(len(names), columns, size=(2.5, 2.0))
    for ax, name in zip(axes, names, strict=False):
        part = curves[curves["activation"] == name].sort_values("x")
        ax.plot(part["x"], part["truth"], color="0.5", lw=2.5, alpha=0.5)
        ax.plot(part["x"], part["prediction"], lw=1.4)
        ax.set_title(name, fontsize=10)
        ax.set_ylim(-1.6, 1.6)
        ax.tick_params(labelsize=7)
    fig.suptitle("Fitted curves (seed 0) over sin(x), grey")
    return fig


def metric_by_activation(summary: pd.DataFrame, metric: str, log: bool = False,
                         label: str | None = None):
    """Per-activation points for each seed with mean and 95% CI."""
    order = summary.groupby("activation")[metric].mean().sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(order) + 1.2), constrained_layout=True)
    sns.pointplot(summary, y="activation", x=metric, order=order, errorbar=("ci", 95),
                  linestyle="none", color="C3", ax=ax)
    sns.stripplot(summary, y="activation", x=metric, order=order, color="0.4", size=3,
                  alpha=0.6, ax=ax)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(label or metric)
    ax.set_ylabel("")
    return fig


def learning_curves(history: pd.DataFrame, metric: str = "val_loss", hue: str = "activation",
                    col: str | None = None, log: bool = False):
    """Mean over seeds with a 95% confidence band, per epoch."""
    grid = sns.relplot(history, x="epoch", y=metric, hue=hue, col=col, kind="line",
                       errorbar=("ci", 95), height=3.2, aspect=1.2, facet_kws={"sharey": False})
    if log:
        grid.set(yscale="log")
    return grid.figure


def decision_boundaries(boundaries: pd.DataFrame, points: pd.DataFrame):
    """Probability of class 1 over the plane: rows are datasets, columns activations."""
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
                ax.set_ylabel(dataset, fontsize=9)
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

    Each panel is one column of ``measures`` (name -> axis label), averaged over
    layers, with a 95% interval over seeds; epoch 0 is the initialisation.
    """
    fig, axes = plt.subplots(1, len(measures), figsize=(4.6 * len(measures) + 1.6, 3.6),
                             squeeze=False, constrained_layout=True)
    per_run = stats.groupby(["key", "epoch", hue] + ([style] if style else []),
                            as_index=False)[list(measures)].mean()
    for i, (ax, (value, label)) in enumerate(zip(axes[0], measures.items(), strict=True)):
        sns.lineplot(per_run, x="epoch", y=value, hue=hue, style=style, errorbar=("ci", 95),
                     marker="o", ax=ax, legend=i == len(measures) - 1)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel("epoch (0 = initialisation)")
        ax.set_ylabel(label)
    sns.move_legend(axes[0][-1], "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
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
