"""Figures of mean-field theory beside measurement: predicted against measured gradient growth,
and the edge-of-chaos map."""

from __future__ import annotations

import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from actstudy import stats
from actstudy.present.plots.base import MAX_HUES, _grid

__all__ = ["theory_against_measurement", "edge_of_chaos_map"]

# The edge-of-chaos map's colours run from chi1 = 1/8 to 8 (log2 -3 to 3) and saturate beyond.
COLOUR_REACH = 3.0


def theory_against_measurement(frame: pd.DataFrame, margin: float, panel: str = "panel",
                               columns: int = 4):
    """Measured per-layer growth (mean over seeds, 95% interval) against the prediction, one
    point per activation, one panel per ``panel`` value; log scales.

    ``frame`` is :func:`actstudy.analysis.theory.beside_measurement`'s with a
    ``panel`` column. The dashed diagonal is exact agreement, the grey band
    agreement within ``margin`` either way.
    """
    names = list(dict.fromkeys(frame["activation"]))
    if len(names) > MAX_HUES:
        raise ValueError(f"frame has {len(names)} activations; a figure shows at most "
                         f"{MAX_HUES}: select some first")
    palette = dict(zip(names, sns.color_palette(n_colors=len(names)), strict=True))
    panels = list(dict.fromkeys(frame[panel]))
    fig, axes = _grid(len(panels), min(columns, len(panels)), size=(3.1, 3.0))
    reach = [frame["predicted"].min(), frame["predicted"].max(), frame["measured"].min(),
             frame["measured"].max()]
    low, high = min(reach) / 1.3, max(reach) * 1.3
    line = np.geomspace(low, high, 50)
    for ax, name in zip(axes, panels, strict=False):
        ax.fill_between(line, line / margin, line * margin, color="0.88", lw=0)
        ax.plot(line, line, ls="--", color="0.4", lw=1)
        part = frame[frame[panel] == name]
        for activation, rows in part.groupby("activation", sort=False):
            interval = stats.mean_ci(np.log10(rows["measured"]))
            mean, bottom, top = (10.0 ** v for v in (interval.mean, interval.low, interval.high))
            x = rows["predicted"].iloc[0]
            ax.errorbar([x], [mean], yerr=[[mean - bottom], [top - mean]]
                        if np.isfinite(bottom) and np.isfinite(top) else None,
                        fmt="o", ms=5, color=palette[activation], label=activation, capsize=2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        for axis in (ax.xaxis, ax.yaxis):
            # 1, 2, 5 in every decade, written plainly (0.2, 0.5, 1, 2): a log axis spanning
            # less than two decades has no other labels.
            axis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_locator(matplotlib.ticker.LogLocator(subs=(3.0, 4.0, 6.0, 7.0, 8.0,
                                                                      9.0)))
            axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(str(name), fontsize=10)
        ax.tick_params(labelsize=8)
    fig.supxlabel("predicted growth per layer (mean-field, x; log scale)", fontsize=10)
    fig.supylabel("measured growth per layer at the first step (x; log scale)", fontsize=10)
    seen: dict[str, object] = {}  # one legend: every panel's entries, each once
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        for label, handle in zip(labels, handles, strict=True):
            seen.setdefault(label, handle)
    fig.legend(list(seen.values()), list(seen), loc="outside right center", frameon=False)
    fig.suptitle(f"mean over seeds, 95% interval; dashed: theory = measurement, grey: within "
                 f"{margin:g}x either way", fontsize=10)
    return fig


def edge_of_chaos_map(phases: pd.DataFrame, marks: pd.DataFrame | None = None, columns: int = 4):
    """log2 chi1 at q* over (sigma_w2, sigma_b2), one panel per activation, with the edge of
    chaos (chi1 = 1) drawn and the studied settings marked.

    ``phases`` is :func:`actstudy.analysis.theory.phase_map`'s; ``marks`` has
    columns activation, sigma_w2, sigma_b2 and label.
    """
    names = list(dict.fromkeys(phases["activation"]))
    fig, axes = _grid(len(names), min(columns, len(names)), size=(3.1, 2.7))
    # Colours saturate at 8x either way: the edge and its neighbourhood are the message.
    reach = COLOUR_REACH
    image = None
    for ax, name in zip(axes, names, strict=False):
        part = phases[phases["activation"] == name]
        table = part.assign(v=np.log2(part["chi1"].clip(lower=1e-6, upper=1e6))).pivot(
            index="sigma_b2", columns="sigma_w2", values="v")
        x, y = table.columns.to_numpy(float), table.index.to_numpy(float)
        image = ax.pcolormesh(x, y, table.to_numpy(float), cmap="RdBu_r", vmin=-reach,
                              vmax=reach, shading="nearest")
        if np.nanmin(table.to_numpy()) < 0 < np.nanmax(table.to_numpy()):
            ax.contour(x, y, table.to_numpy(float), levels=[0.0], colors="black",
                       linewidths=1.2)
        if marks is not None:
            for k, row in enumerate(marks[marks["activation"] == name].itertuples(index=False)):
                ax.plot(row.sigma_w2, row.sigma_b2, marker="o", ms=5, color="black",
                        markerfacecolor="white", clip_on=False)
                # Labels alternate above and higher above their marks, so neighbours never
                # overlap on the log axis.
                ax.annotate(row.label, (row.sigma_w2, row.sigma_b2), textcoords="offset points",
                            xytext=(0, 7 + 11 * (k % 2)), ha="center", fontsize=7,
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                  "alpha": 0.8})
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8)
    fig.supxlabel("sigma_w^2 (weight variance x fan-in; log scale)", fontsize=10)
    fig.supylabel("sigma_b^2 (bias variance)", fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=list(axes), label="log2 chi1 (0: edge of chaos, black line; "
                     "beyond ±3 saturated)", shrink=0.9)
    fig.suptitle("chi1 at the fixed point q*: the growth of the error's squared norm per layer; "
                 "blue vanishes, red explodes", fontsize=10)
    return fig
