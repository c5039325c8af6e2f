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

from actstudy import activations, stats

sns.set_theme(context="notebook", style="whitegrid")


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


def gradient_heatmaps(gradients: pd.DataFrame, columns: int = 4):
    """log10 gradient norm per layer (rows, input at top) and step, one panel per run."""
    keys = list(dict.fromkeys(gradients["panel"]))
    fig, axes = _grid(len(keys), columns, size=(3.2, 2.4))
    for ax, key in zip(axes, keys, strict=False):
        part = gradients[gradients["panel"] == key]
        table = part.pivot_table(index="layer_index", columns="step", values="gradient_norm")
        image = ax.imshow(np.log10(table.to_numpy() + 1e-30), aspect="auto", cmap="viridis",
                          vmin=-6, vmax=1, interpolation="nearest")
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.set_ylabel("layer", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.colorbar(image, ax=axes[: len(keys)], shrink=0.6, label="log10 ||grad W||")
    return fig


def ratio_by_depth(ratios: pd.DataFrame):
    """First-layer / last-layer gradient norm against depth, per activation (log scale)."""
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    sns.lineplot(ratios, x="depth", y="ratio", hue="activation", marker="o", errorbar=("ci", 95),
                 ax=ax)
    ax.set_yscale("log")
    ax.axhline(1.0, color="0.3", lw=1)
    ax.set_ylabel("||grad W_first|| / ||grad W_last||")
    return fig


def unit_fraction(stats: pd.DataFrame, value: str, label: str, style: str = "depth"):
    """A per-epoch fraction of units (dead or saturated), mean over layers and seeds."""
    fig, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
    sns.lineplot(stats, x="epoch", y=value, hue="activation", style=style, errorbar=("ci", 95),
                 ax=ax)
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel(label)
    return fig


def activation_distributions(stats: pd.DataFrame, epochs=(0,)):
    """Quantile bands (5-95% and 25-75%) and median of activations per layer."""
    names = list(dict.fromkeys(stats["activation"]))
    fig, axes = _grid(len(names), 4, size=(3.0, 2.4))
    for ax, name in zip(axes, names, strict=False):
        for epoch, colour in zip(epochs, ("C0", "C1"), strict=False):
            part = stats[(stats["activation"] == name) & (stats["epoch"] == epoch)]
            part = part.groupby("layer_index")["quantiles"].apply(
                lambda q: np.mean(np.stack(q.to_list()), axis=0))
            q = np.stack(part.to_list())
            layers = part.index.to_numpy()
            ax.fill_between(layers, q[:, 1], q[:, 19], color=colour, alpha=0.2)
            ax.fill_between(layers, q[:, 5], q[:, 15], color=colour, alpha=0.35)
            ax.plot(layers, q[:, 10], color=colour, lw=1.4,
                    label="initialisation" if epoch == 0 else f"epoch {epoch}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("layer", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
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
    "near_bound_fraction": "fraction of outputs near a bound",
}
MAX_HUES = 8


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
