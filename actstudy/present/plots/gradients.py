"""Figures of gradient flow and of what activations do inside a network: heatmaps, growth and ratios with depth, units, distributions, learned parameters.
"""

from __future__ import annotations

import matplotlib.lines
import matplotlib.patches
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from actstudy import stats
from actstudy.present.plots.base import (
    _BANDS,
    MAX_HUES,
    STAT_LABELS,
    _dataset_depth_axes,
    _first_middle_last,
    _grid,
    _hue_label,
    _label_ends,
    _layer_label,
    _one_activation,
    _one_setting,
    _plain_log_labels,
    centre_and_interval,
    integer_ticks,
    share_interval,
)

__all__ = ["gradient_heatmaps", "ratio_by_depth", "growth_by_depth", "unit_fraction",
           "unit_measures", "activation_distributions", "prelu_slopes", "parameter_trajectories",
           "mixture_weights", "initializer_heatmap", "signal_through_depth", "step_trajectories",
           "hidden_and_output_gradients"]


def gradient_heatmaps(gradients: pd.DataFrame, value: str = "bias_gradient_norm",
                      label: str = "log10 ||dC/db||", columns: int = 4):
    """log10 of a gradient norm per hidden layer (rows, layer 1 = input side at the top) and
    training step, a panel per run.

    The colour scale spans the 1st to 99th percentile of every panel together,
    so panels compare with each other. The head (shaped differently) is left out.
    Steps are taken as evenly spaced, as the runs record them.
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
        steps, layers = table.columns.to_numpy(float), table.index.to_numpy(float) + 1
        half = np.median(np.diff(steps)) / 2 if len(steps) > 1 else 0.5
        with np.errstate(divide="ignore"):
            image = ax.imshow(np.log10(table.to_numpy()), aspect="auto", cmap="viridis",
                              vmin=low, vmax=high, interpolation="nearest",
                              extent=(steps[0] - half, steps[-1] + half,
                                      layers[-1] + 0.5, layers[0] - 0.5))
        ax.grid(False)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("training step", fontsize=8)
        ax.set_ylabel("hidden layer (1 = input side)", fontsize=8)
        integer_ticks(ax.xaxis)
        integer_ticks(ax.yaxis, layers)
        ax.tick_params(labelsize=7)
    fig.colorbar(image, ax=axes[: len(keys)], shrink=0.6, label=label)
    return fig


def _against_depth(frame: pd.DataFrame, value: str, ylabel: str, reference: float,
                   log: bool, apart=(), hue: str = "activation"):
    """A value against depth, a line per ``hue`` named at its end, mean over seeds with its 95%
    t-interval (geometric, on log10, with ``log``).

    Lines named in ``apart`` that lie far from the rest would flatten them
    onto one another: then a second panel draws the rest alone, on their own
    scale, and the first shows every line with the rest in grey.
    """
    names = list(dict.fromkeys(frame[hue]))
    if len(names) > MAX_HUES:
        raise ValueError(f"{hue} has {len(names)} values; a panel shows at most {MAX_HUES}: "
                         "select some first")
    apart = [name for name in names if name in set(apart)]
    rest = [name for name in names if name not in apart]
    colours = dict(zip(names, sns.color_palette(n_colors=len(names)), strict=True))
    summary = pd.DataFrame(
        [(name, depth, *centre_and_interval(part[value], log))
         for (name, depth), part in frame.groupby([hue, "depth"], sort=False)],
        columns=[hue, "depth", "mean", "low", "high"])
    panels = [("every activation" if apart and rest else "", names)]
    if apart and rest:
        panels.append((f"without {' and '.join(apart)}, on its own scale", rest))
    fig, axes = plt.subplots(1, len(panels), squeeze=False, constrained_layout=True,
                             figsize=(5.4 * len(panels) + 0.6, 4.6))
    for k, (ax, (title, members)) in enumerate(zip(axes[0], panels, strict=True)):
        grey = len(panels) > 1 and k == 0  # the rest, drawn apart in the next panel
        ends, grey_ends = [], []
        for name in members:
            line = summary[summary[hue] == name].sort_values("depth")
            colour = "0.65" if grey and name not in apart else colours[name]
            errors = np.nan_to_num([line["mean"] - line["low"], line["high"] - line["mean"]])
            ax.errorbar(line["depth"], line["mean"], yerr=errors, color=colour, marker="o",
                        ms=4, capsize=3, lw=1.5)
            end = (name, line["depth"].iloc[-1], line["mean"].iloc[-1], colour)
            (grey_ends if colour == "0.65" else ends).append(end)
        if grey_ends:  # one name for the grey bundle, at its middle
            middle = float(np.median([end[2] for end in grey_ends]))
            ends.append((f"the other {len(grey_ends)}", grey_ends[0][1], middle, "0.45"))
        ax.axhline(reference, color="0.3", lw=1)
        if log:
            ax.set_yscale("log")
        low, high = ax.get_ylim()  # the reference line always in view
        if not low <= reference <= high:
            ax.set_ylim(min(low, reference), max(high, reference))
        if log:
            ax.margins(y=0.08)
            _plain_log_labels(ax)
        integer_ticks(ax.xaxis, summary["depth"])
        ax.set_xlabel("hidden layers")
        ax.set_ylabel(ylabel, fontsize=10)
        if title:
            ax.set_title(title, fontsize=10)
        _label_ends(ax, ends)
    what = "geometric mean over seeds, 95% t-interval on log10" if log else \
        "mean over seeds, 95% t-interval"
    fig.suptitle(what + "; each line named at its end", fontsize=10)
    return fig


def ratio_by_depth(ratios: pd.DataFrame, apart=()):
    """First-layer / last-hidden-layer bias-gradient norm against depth (log scale), the
    geometric mean over seeds with its 95% t-interval on log10, as :func:`tables.ratio_table`
    gives it; 1 (the line) = both layers learn alike.

    ``apart``: activations far from the rest (sigmoid, orders of magnitude below), drawn
    beside a second panel of the rest alone on their own scale.
    """
    return _against_depth(ratios, "ratio", "||dC/db first|| / ||dC/db last hidden||\n"
                          "(log scale; < 1: the first learns slower)", 1.0, True, apart)


def growth_by_depth(growth: pd.DataFrame, hue: str = "activation", apart=()):
    """The gradient-growth slope per layer against depth, mean over seeds with its 95%
    t-interval; 0 (the line) = every layer learns alike.

    ``apart``: activations far from the rest, drawn beside a second panel of the rest alone
    on their own scale.
    """
    return _against_depth(growth, "slope", "change of log10 ||dC/db|| per layer,\n"
                          "back from the output (< 0: vanishing)", 0.0, False, apart, hue)


def unit_fraction(stats: pd.DataFrame, value: str, label: str, style: str = "depth"):
    """A per-epoch fraction of units (dead or saturated), mean over layers and seeds."""
    return unit_measures(stats, {value: label}, style=style)


def unit_measures(stats: pd.DataFrame, measures: dict[str, str], style: str | None = "depth",
                  hue: str = "activation"):
    """Per-epoch fractions side by side (e.g. inactive and dead units), one legend.

    Each column of panels is one column of ``measures`` (name -> axis label),
    averaged over layers, with a 95% t-interval over seeds cut at 0 and 1, like the reports'
    other bands of a mean (seaborn's default bootstrap drew anew at every render); epoch 0 is the
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
                         errorbar=share_interval, marker="o", ax=ax, legend=last)
            # A share's axis starts at 0 (a panel of zeros would otherwise reach -0.04).
            low, high = ax.get_ylim()
            ax.set_ylim(max(low, -0.02 * (high - min(low, 0.0))), high)
            integer_ticks(ax.xaxis)
            ax.set_xlabel("epoch (0 = initialisation)" if row == len(levels) - 1 else "")
            ax.set_ylabel(label if level is None else f"{style.replace('_', ' ')} {level:g}\n"
                          f"{label}" if isinstance(level, int | float) else f"{level}\n{label}")
            if last:
                sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


# Where a quantity takes two values only, the mean of the same probe gives the share at each.
_MEANS = {"quantiles": "act_mean", "derivative_quantiles": "relative_derivative_mean"}


def _two_values(quantiles: np.ndarray) -> tuple[float, float] | None:
    """The two values a quantity takes (low, high), where each row of its quantiles holds only
    those two but for at most one quantile between them, interpolated across the jump; else
    None.

    >>> _two_values(np.array([[0.0, 0.0, 0.15, 1.0], [0.0, 1.0, 1.0, 1.0]]))
    (0.0, 1.0)
    >>> _two_values(np.array([[0.0, 0.4, 0.6, 1.0]])) is None
    True
    """
    finite = quantiles[np.isfinite(quantiles)]
    if not finite.size or np.isclose(finite.min(), finite.max()):
        return None
    low, high = float(finite.min()), float(finite.max())
    between = ~(np.isclose(quantiles, low, rtol=0, atol=1e-6)
                | np.isclose(quantiles, high, rtol=0, atol=1e-6))
    return (low, high) if (between.sum(axis=1) <= 1).all() else None


def activation_distributions(stats: pd.DataFrame, epochs=(0,), column: str = "quantiles",
                             label: str = "activation"):
    """Quantile bands (5-95% and 25-75%) and median per layer, e.g. of activations.

    ``column`` holds each row's quantiles (``quantiles``: the activations;
    ``derivative_quantiles``: the relative derivative |f'(z)| / max|f'|). Where
    every quantile of an activation is one of two values (ReLU's derivative, 0
    or 1; leaky ReLU's, 0.01 or 1), the bands would span the whole panel and
    the median would only say which value is the more common, so that panel
    draws the share of the probe's values at the higher one instead (from the
    mean of the same probe), mean over seeds with its 95% t-interval.
    """
    names = list(dict.fromkeys(stats["activation"]))
    fig, axes = _grid(len(names), 4, size=(3.0, 2.4))
    for ax, name in zip(axes, names, strict=False):
        mine = stats[stats["activation"] == name]
        two = _two_values(np.stack(mine[column].to_list())) if _MEANS.get(column) in mine \
            else None
        for epoch, colour in zip(epochs, ("C0", "C1"), strict=False):
            part = mine[mine["epoch"] == epoch]
            legend = "initialisation" if epoch == 0 else f"epoch {epoch}"
            if two is not None:
                low, high = two
                shares = (part[_MEANS[column]].astype(float) - low) / (high - low)
                found = np.array([centre_and_interval(v.to_numpy(float)) for _, v
                                  in shares.groupby(part["layer_index"])])
                layers = np.sort(part["layer_index"].unique()) + 1
                shown = np.isfinite(found[:, 1]) & np.isfinite(found[:, 2])
                ax.fill_between(layers[shown], found[shown, 1], found[shown, 2], color=colour,
                                alpha=0.25, lw=0)
                ax.plot(layers, found[:, 0], color=colour, lw=1.4, marker="o", ms=2.5,
                        label=legend)
                continue
            part = part.groupby("layer_index")[column].apply(
                lambda q: np.mean(np.stack(q.to_list()), axis=0))
            q = np.stack(part.to_list())
            layers = part.index.to_numpy() + 1
            ax.fill_between(layers, q[:, 1], q[:, 19], color=colour, alpha=0.2)
            ax.fill_between(layers, q[:, 5], q[:, 15], color=colour, alpha=0.35)
            ax.plot(layers, q[:, 10], color=colour, lw=1.4, label=legend)
        if two is not None:
            ax.set_ylim(-0.03, 1.03)
            ax.set_title(f"{name}: two values, {two[0]:g} or {two[1]:g}", fontsize=10)
            ax.set_ylabel(f"share of values at {two[1]:g}", fontsize=8)
        else:
            ax.set_title(name, fontsize=10)
            ax.set_ylabel(label, fontsize=8)
        ax.set_xlabel("hidden layer (1 = input side)", fontsize=8)
        integer_ticks(ax.xaxis)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return fig


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
            integer_ticks(ax.xaxis)
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
        integer_ticks(ax.xaxis)
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


def initializer_heatmap(table: pd.DataFrame, value: str = "accuracy",
                        label: str = "mean test accuracy", centre: float | None = None,
                        fmt: str = ".3f"):
    """One cell per activation (rows) and initializer (columns), annotated with its value.

    ``table`` is :func:`actstudy.present.tables.initializer_table`'s. ``centre``
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
        integer_ticks(ax.xaxis)
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
        integer_ticks(ax.xaxis)
        ax.tick_params(labelsize=8)
    ylabel = label or STAT_LABELS.get(value, value)
    fig.supxlabel("training step (mini-batches)", fontsize=10)
    fig.supylabel(ylabel, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    title = "hidden layer" + (f" ({len(shown)} of {depth})" if len(shown) < depth else "")
    fig.legend(handles, labels, title=title, loc="outside right center", frameon=False)
    fig.suptitle(f"{setting}; mean over seeds", fontsize=10)
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
        integer_ticks(ax.xaxis)
        ax.set_ylabel(f"{norm}\n(symmetric log scale)", fontsize=9)
    grid.legend.set_title("")
    return grid.figure
