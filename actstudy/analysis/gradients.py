"""Gradient flow and what learnable activations learn: per-layer learning speed, its growth with depth, signal propagation, unit costs, learned parameters.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.run import activations
from actstudy.run.recording import PROBE_STATS

__all__ = ["gradient_ratio", "gradient_growth", "signal_propagation", "exact_zeros", "dead_units",
           "unit_parameters", "mixture_weights", "mixture_against_bases"]


# Config fields copied onto the per-run rows of the gradient analyses.
_RUN_TAGS = ["dataset", "activation", "initializer", "depth", "init_scale", "seed"]


def _learning_speed(gradients: pd.DataFrame, epoch_steps: int | None):
    """Hidden layers' bias-gradient norms per (run, step), over the first ``epoch_steps`` steps.

    The norm of dC/db_l is the back-propagated error of layer l summed over the
    batch, one number per unit: how fast the layer learns, whatever its fan-in
    (a kernel-gradient norm grows with the layer's input dimension). The head
    is left out: its shape differs from the hidden layers'.
    """
    if gradients["bias_gradient_norm"].isna().all():
        raise ValueError("these runs have no bias-gradient norms (records written before they "
                         "were kept): train them again")
    part = gradients if epoch_steps is None else gradients[gradients["step"] < epoch_steps]
    return part[part["layer"] != "head"]


def gradient_ratio(gradients: pd.DataFrame, epoch_steps: int | None = None) -> pd.DataFrame:
    """Per run: median ||dC/db_first|| / ||dC/db_last hidden|| over the first steps.

    Far below 1 means the error signal vanishes on its way back to the first
    layer, far above 1 that it explodes. ``epoch_steps`` limits it to the first
    steps (training start, where the activation and initializer alone decide);
    None uses every step.
    """
    rows = []
    for key, part in _learning_speed(gradients, epoch_steps).groupby("key", sort=False):
        last = part["layer_index"].max()
        first = part[part["layer_index"] == 0].set_index("step")["bias_gradient_norm"]
        final = part[part["layer_index"] == last].set_index("step")["bias_gradient_norm"]
        ratio = (first / final).replace([np.inf, -np.inf], np.nan).median()
        rows.append({"key": key, **part.iloc[0][_RUN_TAGS], "ratio": ratio})
    return pd.DataFrame(rows)


def gradient_growth(gradients: pd.DataFrame, epoch_steps: int | None = None) -> pd.DataFrame:
    """Per run: how log10 ||dC/db_l|| changes per layer on the way back (median over steps).

    The slope of log10 ||dC/db_l|| against the hidden layer's distance from the
    output, as back-propagation travels: positive, the error signal grows on its
    way back to the first layer (exploding); negative, it shrinks (vanishing);
    0, every layer learns at the same speed. A slope per layer compares across
    depths, where a first/last ratio compounds with depth. ``growth`` is
    10**slope, the factor the signal is multiplied by per layer (below 1: vanishing).

    >>> frame = pd.DataFrame({"key": "a", "dataset": "d", "activation": "relu",
    ...     "initializer": "he_normal", "depth": 3, "init_scale": 1.0, "seed": 0, "step": 0,
    ...     "layer": ["linear_0", "linear_1", "linear_2", "head"], "layer_index": [0, 1, 2, 3],
    ...     "bias_gradient_norm": [0.01, 0.1, 1.0, 5.0]})
    >>> gradient_growth(frame)[["slope", "growth"]].round(3).values.tolist()
    [[-1.0, 0.1]]
    """
    rows = []
    for key, part in _learning_speed(gradients, epoch_steps).groupby("key", sort=False):
        table = part.pivot_table(index="step", columns="layer_index", values="bias_gradient_norm")
        layers = table.columns.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(table.to_numpy())
        usable = np.isfinite(logs).all(axis=1)
        # Fitted against the layer index (input = 0), so the backward slope is its negative.
        slope = (-np.polyfit(layers, logs[usable].T, 1)[0] if usable.any() and len(layers) > 1
                 else np.array([np.nan]))
        median = float(np.median(slope))
        rows.append({"key": key, **part.iloc[0][_RUN_TAGS], "slope": median,
                     "growth": 10.0 ** median})
    return pd.DataFrame(rows)


def signal_propagation(activations: pd.DataFrame, epoch: int | Sequence[int] | None = 0,
                       values: Sequence[str] = ("act_mean", "act_std")) -> pd.DataFrame:
    """Per run, epoch and hidden layer: the mean and spread of the layer's activations.

    How the forward signal travels through depth: a spread that shrinks layer
    by layer is a signal dying out, one that grows is exploding; SELU's claim
    is that mean 0 and spread 1 hold at every depth. ``activations`` is a
    GridResult's per-epoch probe frame; ``epoch`` one epoch (0, the default,
    is the initialisation), several, or None for every recorded one. ``values``
    names the probe statistics kept (any of the frame's, e.g. ``inactive_fraction``).

    >>> frame = pd.DataFrame({"key": "a", "activation": "selu", "seed": 0, "epoch": [0, 0, 1],
    ...                       "layer_index": [0, 1, 0], "act_mean": 0.0, "act_std": [1.0, 0.9, 1.1]})
    >>> signal_propagation(frame)["act_std"].tolist()
    [1.0, 0.9]
    """
    recorded = sorted(set(activations["epoch"]))
    if epoch is None:
        epochs = recorded
    elif isinstance(epoch, numbers.Integral):
        epochs = [epoch]
    else:
        epochs = list(epoch)
    missing = [e for e in epochs if e not in recorded]
    if missing or not epochs:
        raise ValueError(f"epoch={epoch!r} is not allowed: these runs recorded epochs "
                         f"{', '.join(map(str, recorded))}")
    part = activations[activations["epoch"].isin(epochs)]
    tags = [name for name in _RUN_TAGS if name in part.columns]
    unknown = [name for name in values if name not in part.columns]
    if unknown or isinstance(values, str) or not values:
        raise ValueError(f"values={values!r} is not allowed: give a non-empty list of the "
                         f"probe's statistics ({', '.join(PROBE_STATS)})")
    columns = ["key", *tags, "epoch", "layer_index", *values]
    # Runs stay in the order given (the study's), so figures keep its activations' order.
    run = part["key"].map({key: i for i, key in enumerate(dict.fromkeys(part["key"]))})
    order = np.lexsort((part["layer_index"], part["epoch"], run))
    return part[columns].iloc[order].reset_index(drop=True)


# -- learned parameters (GridResult.learned: one row per run, epoch, layer and parameter) --------


def exact_zeros(activations: pd.DataFrame, activation: str = "relu") -> pd.DataFrame:
    """The share of an activation's outputs that are exactly zero on the probe batch.

    One row per run and stage, ``init`` (epoch 0) and ``trained`` (its last
    epoch): ``zero_pp``, the percentage averaged over the run's hidden layers.
    05's figure and claim 12 both read it.
    """
    rows = activations[activations.activation == activation]
    last = rows.groupby("key")["epoch"].transform("max")
    ends = rows[(rows.epoch == 0) | (rows.epoch == last)]
    ends = ends.assign(stage=np.where(ends.epoch == 0, "init", "trained"))
    per_run = ends.groupby(["key", "stage", "depth", "seed"], as_index=False)["zero_fraction"].mean()
    per_run["zero_pp"] = 100 * per_run["zero_fraction"]
    return per_run


def dead_units(activations: pd.DataFrame) -> pd.DataFrame:
    """Per run: the share of its hidden units that are dead, in percent (``dead_pp``).

    A unit is dead when its pre-activation is negative on every probe input
    from some recorded epoch to the end of training, and for at least the last
    two of them (so through at least one epoch of training): the recorder's
    ``dead_from_fraction`` at the run's second-to-last recorded epoch, averaged
    over its hidden layers. Defined for every activation, unlike an output of
    exactly 0, which leaky ReLU, PReLU and ELU never give.

    >>> activations = pd.DataFrame({"key": "k", "activation": "relu", "seed": 0,
    ...     "epoch": [0, 0, 1, 1, 2, 2], "layer_index": [0, 1] * 3,
    ...     "dead_from_fraction": [0.0, 0.0, 0.25, 0.5, 0.5, 0.5]})
    >>> dead_units(activations)["dead_pp"].tolist()
    [37.5]
    """
    if "dead_from_fraction" not in activations or activations["dead_from_fraction"].isna().all():
        raise ValueError("these runs have no per-unit dead record (written before it was kept): "
                         "train them again")
    epochs = activations.groupby("key")["epoch"].transform(lambda e: sorted(set(e))[-2]
                                                           if e.nunique() > 1 else e.max())
    at = activations[activations["epoch"] == epochs]
    tags = [c for c in ("activation", "activation_label", "learning_rate", "depth", "seed")
            if c in at]
    per_run = at.groupby(["key", *tags], as_index=False)["dead_from_fraction"].mean()
    return per_run.assign(dead_pp=100 * per_run["dead_from_fraction"])


def unit_parameters(learned: pd.DataFrame, parameter: str = "slope") -> pd.DataFrame:
    """One row per run, epoch, layer and unit: the unit's value of a per-unit parameter.

    For PReLU's slopes (``parameter="slope"``), one per unit: their spread
    across units is what :func:`actstudy.present.plots.prelu_slopes` draws.

    >>> learned = pd.DataFrame({"key": ["k"], "epoch": [0], "layer": ["activation_0"],
    ...                         "layer_index": [0], "parameter": ["slope"],
    ...                         "values": [[0.25, 0.25, 0.25]], "mean": [0.25]})
    >>> units = unit_parameters(learned)
    >>> units["unit"].tolist(), units["value"].tolist()
    ([0, 1, 2], [0.25, 0.25, 0.25])
    """
    part = learned[learned["parameter"] == parameter] if len(learned) else learned
    if part.empty:
        present = ", ".join(sorted(set(learned.get("parameter", [])))) or "none"
        raise ValueError(f"parameter={parameter!r} is not allowed: the learned frame has no "
                         f"such parameter; present: {present}")
    counts = part["values"].map(len).to_numpy()
    units = part.drop(columns=["values", "mean"]).loc[part.index.repeat(counts)]
    units["unit"] = np.concatenate([np.arange(n) for n in counts])
    units["value"] = np.concatenate(part["values"].map(np.asarray).to_list()).astype(float)
    return units.reset_index(drop=True)


def mixture_weights(learned: pd.DataFrame, epoch: int | None = None) -> pd.DataFrame:
    """The mixture's softmax weight of each base, mean over seeds, per dataset, depth and layer.

    ``epoch`` picks the epoch (0 = initialisation, equal weights); None takes
    each run's last recorded epoch, its final weights. One row per dataset,
    depth, layer, epoch and base, with ``weight`` (the weights of a layer sum
    to 1) and ``seeds``, the runs averaged.
    """
    part = learned[learned["activation"] == "mixture"] if len(learned) else learned
    if part.empty:
        raise ValueError("learned has no runs of the 'mixture' activation")
    if epoch is None:
        part = part[part["epoch"] == part.groupby("key")["epoch"].transform("max")]
    elif epoch in set(part["epoch"]):
        part = part[part["epoch"] == epoch]
    else:
        raise ValueError(f"epoch={epoch!r} is not allowed: the mixture runs recorded epochs "
                         f"0 to {part['epoch'].max()}")
    part = part.assign(base=part["parameter"].str.removeprefix("weight_"))
    keys = ["dataset", "depth", "activation_label", "layer_index", "layer", "epoch", "base"]
    return (part.groupby(keys, sort=False)
            .agg(weight=("mean", "mean"), seeds=("seed", "nunique")).reset_index())


def mixture_against_bases(summary: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and depth: the mixture's test accuracy against its best single base.

    The mixture with its default bases (relu, tanh, sigmoid, identity); its
    best base is the one with the highest mean test accuracy among those the
    summary has. ``difference_pp`` is mixture minus that base in percentage
    points, with a 95% t-interval over the seeds both ran (paired by seed).
    Choosing the best base on the same runs favours the base, so a positive
    difference is a conservative finding. Rows are sorted by the difference,
    largest first.
    """
    bases = dict(activations.spec("mixture").options)["bases"]
    rows = []
    for (dataset, depth), part in summary.groupby(["dataset", "depth"], sort=False):
        means = part.groupby("activation_label")["test_accuracy"].mean()
        candidates = means.reindex(bases).dropna()  # a base whose runs all diverged cannot win
        if pd.isna(means.get("mixture")) or candidates.empty:
            continue
        best = candidates.idxmax()
        difference = stats.paired(part.assign(test_accuracy=100 * part["test_accuracy"]),
                                  "test_accuracy", "mixture", best, by="activation_label")
        rows.append({"dataset": dataset, "depth": depth, "mixture_accuracy": means["mixture"],
                     "best_base": best, "best_base_accuracy": means[best],
                     "difference_pp": difference.mean, "ci_low_pp": difference.low,
                     "ci_high_pp": difference.high, "seeds": difference.n})
    if not rows:
        raise ValueError(f"summary has no runs of 'mixture' beside one of its bases "
                         f"({', '.join(bases)}) on the same dataset and depth")
    return (pd.DataFrame(rows).sort_values("difference_pp", ascending=False)
            .reset_index(drop=True))
