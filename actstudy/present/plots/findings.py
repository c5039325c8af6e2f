"""Figures of the findings: the verdict forest, and the arithmetic scores and NALU gates of 07.
"""

from __future__ import annotations

import textwrap

import matplotlib.lines
import matplotlib.patches
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.present.plots.base import SCORE_FLOOR, _grid
from actstudy.present.tables import VERDICT_COLOURS

__all__ = ["verdict_forest", "arithmetic_scores", "nalu_gates"]


# Claim texts wrap at this many characters; each further line makes its row this much taller.
_WRAP = 72
_EXTRA_LINE = 0.45


def _forest_labels(part: pd.DataFrame, overall: dict) -> list[str]:
    """The forest's row labels: the whole claim text, wrapped, on a claim's first row in a
    panel; its further components ("17b. elu, he_normal") name only themselves.

    >>> part = pd.DataFrame({"id": [3, 3], "row": ["3a", "3b"], "component": ["sigmoid", "tanh"],
    ...                      "claim": ["Sigmoid and tanh gradients vanish."] * 2})
    >>> _forest_labels(part, {3: "supported"})
    ['3a. sigmoid (claim 3 supported): Sigmoid and tanh gradients vanish.', '3b. tanh']
    """
    labels, seen = [], set()
    for row in part.itertuples():
        flag = " (inadequate)" if getattr(row, "inadequate", "") else ""
        if row.component and row.id in seen:
            labels.append(f"{row.row}. {row.component}{flag}")
            continue
        seen.add(row.id)
        head = (f"{row.row}. {row.component} (claim {row.id} {overall.get(row.id, '')}): "
                if row.component else f"{row.row}. ")
        labels.append(textwrap.fill(head + row.claim + flag, _WRAP, break_long_words=False,
                                    break_on_hyphens=False))
    return labels


# Ratio margins within this factor of 1 (1.1×, 1.05×) get a panel of their own, on a range
# where an effect of 1.07× can be told from a margin of 1.1×.
NEAR_ONE = 1.5


_NEAR_TICKS = (0.5, 0.75, 1, 1.1, 1.25, 1.5, 2)
_FAR_TICKS = (0.01, 0.1, 1, 10, 100, 1000)


def _ratio_view(part: pd.DataFrame) -> tuple[float, float]:
    """A ratio panel's range: its margins with room around them (a factor of 2.3 either side
    near 1, 20 far from it); an effect beyond it is written at its edge."""
    margins = part["margin"].astype(float)
    margins = pd.concat([margins, 1 / margins[part["kind"] == "equivalence"], pd.Series([1.0])])
    room = 2.3 if margins.between(1 / NEAR_ONE, NEAR_ONE).all() else 20.0
    return float(margins.min() / room), float(margins.max() * room)


def _off_view(ax, row, k: float, view: tuple[float, float], colour) -> None:
    """A ratio beyond the panel's range: an arrow at the edge it lies past, with its numbers."""
    from actstudy.present.tables import interval

    right = row.mean > view[1]
    edge = view[1] if right else view[0]
    ax.plot(edge, k, ">" if right else "<", color=colour, ms=9, clip_on=False, zorder=5)
    ax.annotate(f"{interval(row.mean, row.ci_low, row.ci_high, 'x')}, off the axis",
                (edge, k), xytext=(-8 if right else 8, 5), textcoords="offset points",
                ha="right" if right else "left", va="bottom", fontsize=8, color=colour)
    ax.plot(row.margin, k, ">" if row.kind == "above" else "<", color="0.15", ms=7, zorder=4)


def verdict_forest(verdicts: pd.DataFrame):
    """Each claim's deciding effect with its 95% interval against its margin, coloured by verdict.

    ``verdicts`` is :func:`actstudy.claims.evaluate`'s table. Ratios (×),
    differences (percentage points, epochs), shares (%) and plain values are
    drawn in panels of their own, ratios on a log axis. A triangle marks the margin and points the
    way the claim predicts; an equivalence claim's band is shaded. The ratio axis spans the
    margins with room around them; a ratio far beyond (sigmoid's 2,000×) is an arrow at the
    edge with its numbers written beside it.
    """
    # A claim about several things is drawn as its components, one row each ("3a. sigmoid"),
    # labelled with the claim's own verdict; its own row has no single interval.
    if "component" not in verdicts:
        verdicts = verdicts.assign(component="", row=verdicts["id"].astype(str))
    overall = dict(zip(verdicts.loc[verdicts["component"] == "", "id"],
                       verdicts.loc[verdicts["component"] == "", "verdict"], strict=True))
    verdicts = verdicts[np.isfinite(verdicts["mean"].astype(float))]
    unit = verdicts["unit"]
    near = verdicts["margin"].astype(float).between(1 / NEAR_ONE, NEAR_ONE)
    groups = [(title, part) for title, part in (
        ("ratios with margins near 1 (×, log scale)", verdicts[(unit == "x") & near]),
        ("ratios with margins far from 1 (×, log scale)", verdicts[(unit == "x") & ~near]),
        ("differences (pp, epochs)", verdicts[unit.isin(["pp", "epochs", "steps"])]),
        ("shares (% of units, outputs or seeds)", verdicts[unit == "%"]),
        ("plain values (no unit)", verdicts[unit == ""])) if len(part)]
    # Each row as tall as its wrapped label: the whole claim text, once per claim and panel.
    labelled = [(title, part.sort_values(["id", "row"]), _forest_labels(
        part.sort_values(["id", "row"]), overall)) for title, part in groups]
    heights = [[1 + _EXTRA_LINE * label.count("\n") for label in labels]
               for _, _, labels in labelled]
    fig, axes = plt.subplots(len(groups), 1, squeeze=False, constrained_layout=True,
                             figsize=(11, 0.36 * sum(map(sum, heights)) + 0.9 * len(groups)
                                      + 0.8),
                             gridspec_kw={"height_ratios": [sum(h) for h in heights]})
    for ax, (title, part, labels), rows in zip(axes[:, 0], labelled, heights, strict=True):
        y = np.cumsum(rows) - np.asarray(rows) / 2
        view = _ratio_view(part) if title.startswith("ratios") else None
        for k, row in zip(y, part.itertuples(), strict=True):
            colour = VERDICT_COLOURS.get(row.verdict, VERDICT_COLOURS["undecided"])
            if view is not None and not view[0] <= row.mean <= view[1]:
                _off_view(ax, row, k, view, colour)
                continue
            low, high = row.ci_low, row.ci_high
            if np.isfinite(low) and np.isfinite(high):
                ax.plot([low, high], [k, k], color=colour, lw=2.2, solid_capstyle="butt",
                        zorder=5)
            # Hollow: the deciding experiment failed an adequacy check, so the interval
            # decides nothing and the verdict is undecided whatever it shows.
            hollow = bool(getattr(row, "inadequate", ""))
            # drawn over the margin's triangle, so an effect at its margin stays visible
            ax.plot(row.mean, k, "o", color=colour, ms=6, mfc="white" if hollow else colour,
                    zorder=6)
            if row.kind == "equivalence":
                band = (1 / row.margin, row.margin) if row.unit == "x" else (-row.margin,
                                                                               row.margin)
                ax.fill_betweenx([k - 0.38, k + 0.38], *band, color="0.85", lw=0, zorder=0)
            else:
                ax.plot(row.margin, k, ">" if row.kind == "above" else "<", color="0.15",
                        ms=7, zorder=4)
        ax.set_yticks(y, labels, fontsize=8)
        for label in ax.get_yticklabels():  # a wrapped claim reads as a paragraph
            label.set_multialignment("left")
        ax.set_ylim(sum(rows), 0)
        if view is not None:
            ax.set_xscale("log")
            ax.set_xlim(*view)
            near = title.startswith("ratios with margins near")
            ax.set_xticks([t for t in (_NEAR_TICKS if near else _FAR_TICKS)
                           if view[0] <= t <= view[1]])
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="y", visible=False)
    handles = [matplotlib.lines.Line2D([], [], color=colour, marker="o", lw=2.2, label=verdict)
               for verdict, colour in VERDICT_COLOURS.items()]
    handles += [
        matplotlib.lines.Line2D([], [], color=VERDICT_COLOURS["undecided"], marker="o", lw=2.2,
                                mfc="white", label="undecided: its experiment failed a check"),
        matplotlib.lines.Line2D([], [], color="0.15", marker=">", ls="none",
                                label="margin; the claim predicts above it"),
        matplotlib.lines.Line2D([], [], color="0.15", marker="<", ls="none",
                                label="margin; the claim predicts below it"),
        matplotlib.patches.Patch(color="0.85", label="the band an equivalence claim predicts"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    fig.suptitle("each claim's primary test (per component, for a claim about several things): "
                 "effect with its 95% interval over seeds (timing claims: over the machine's "
                 "builds)", fontsize=10)
    return fig


def arithmetic_scores(errors: pd.DataFrame, columns: int = 3):
    """Interpolation and extrapolation scores per model, a panel per arithmetic task.

    ``errors`` is :func:`actstudy.analysis.arithmetic_errors`'s frame. Each dot
    is one seed; the larger markers are the geometric mean with its 95%
    t-interval on log10. Log scale; 100 (dashed) is the model at
    initialisation, below it the model learned something; a model learns a
    split of a task when the whole interval lies below 1 (dotted,
    :data:`actstudy.analysis.arithmetic.LEARNED_SCORE`).
    """
    from actstudy.analysis.arithmetic import LEARNED_SCORE

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
        ax.axvline(LEARNED_SCORE, color="0.15", lw=1.2, ls=":")
        ax.set_xscale("log")
        ax.set_yticks(range(len(order)), order)
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set_title(task, fontsize=10)
        ax.tick_params(labelsize=8)
    fig.supxlabel("error as % of the model at initialisation (log scale; 100 = no better "
                  "than random)", fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [matplotlib.lines.Line2D([], [], color="0.15", lw=1.2, ls=":"),
                matplotlib.lines.Line2D([], [], color="0.3", lw=1, ls="--")]
    labels += [f"{LEARNED_SCORE:g}: learned where the whole interval lies below it",
               "100: no better than the model at initialisation"]
    fig.legend(handles, labels, loc="outside upper center", ncols=2, frameon=False)
    return fig


def nalu_gates(gates: pd.DataFrame):
    """The NALU's learned gates per task and layer: 1 takes the adding path, 0 the multiplying.

    ``gates`` is :func:`actstudy.analysis.nalu_gates`'s frame: a dot per unit
    and seed (its mean gate on the probe batch), spread sideways so that dots
    at the same gate stay visible. No mean is drawn: the gates of one task are
    often two clusters, near 0 and near 1, whose mean (about 0.5) would read as
    a mix that no unit makes. The shaded band is where a unit mixes the paths
    (:data:`actstudy.analysis.GATE_CHOICE` from either end).
    """
    from actstudy.analysis.arithmetic import GATE_CHOICE

    fig, ax = plt.subplots(figsize=(7.5, 3.4), constrained_layout=True)
    layers = sorted(gates["layer"].unique())
    tasks = list(dict.fromkeys(gates["task"]))
    ax.axhspan(GATE_CHOICE, 1 - GATE_CHOICE, color="0.93", lw=0, zorder=0)
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(gates))  # fixed: same figure
    width = 0.7 / len(layers)
    for k, layer in enumerate(layers):
        mask = (gates["layer"] == layer).to_numpy()
        part = gates[mask]
        offset = (k - (len(layers) - 1) / 2) * width
        x = part["task"].map({t: i for i, t in enumerate(tasks)}) + offset
        ax.scatter(x + jitter[mask] * width / 0.35, part["gate"], s=14, color=f"C{k}",
                   alpha=0.6, lw=0, label=f"hidden layer {layer}")
    ax.set_xticks(range(len(tasks)), tasks)
    ax.set_xlim(-0.5, len(tasks) - 0.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("gate (1 = add, 0 = multiply)")
    ax.set_xlabel("task (a dot per unit and seed; shaded: mixing)")
    fig.legend(loc="outside right center", frameon=False)
    return fig
