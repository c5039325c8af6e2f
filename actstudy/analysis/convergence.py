"""How fast and how far runs learn: time to a target, loss areas, ratios to a reference, means with intervals per setting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from actstudy import stats

__all__ = ["time_to_target", "last_epoch", "training_loss_area", "ratio_to_reference"]


def time_to_target(history: pd.DataFrame, target: float,
                   metric: str = "val_accuracy") -> pd.DataFrame:
    """Per run: the first epoch at which ``metric`` reaches ``target`` and the seconds until then.

    Runs that never reach it get NaN (and ``reached`` False).
    """
    rows = []
    for key, part in history.sort_values("epoch").groupby("key", sort=False):
        hit = part[part[metric] >= target]
        first = hit["epoch"].iloc[0] if len(hit) else np.nan
        # NaN seconds (a program shared by several activations) stay NaN, never a sum of 0.
        seconds = (part.loc[part["epoch"] <= first, "seconds"].sum(skipna=False) if len(hit)
                   else np.nan)
        rows.append({"key": key, **part.iloc[0][["dataset", "activation", "depth", "seed"]],
                     "reached": bool(len(hit)), "epochs_to_target": first,
                     "seconds_to_target": seconds})
    return pd.DataFrame(rows)


def last_epoch(stats: pd.DataFrame) -> pd.DataFrame:
    """Activation statistics of each run's last recorded epoch, averaged over layers."""
    last = stats.groupby("key")["epoch"].transform("max")
    final = stats[stats["epoch"] == last]
    columns = ["dead_fraction", "inactive_fraction", "saturated_fraction", "zero_fraction",
               "near_bound_fraction", "act_std"]
    keys = ["key", "dataset", "activation", "depth", "seed"]
    extra = [c for c in ("learning_rate",) if c in final.columns]
    return final.groupby(keys + extra, as_index=False)[columns].mean()


def training_loss_area(history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How fast the training loss falls: per run its mean over epochs; per activation its curve.

    The mean of a run's per-epoch training loss over its epochs is the area
    under its training-loss curve divided by the number of epochs: lower means
    the loss fell sooner, further, or both. A run with fewer epochs than the
    longest (it diverged) gets NaN, as its area would cover fewer epochs.

    Returns
    -------
    runs : DataFrame
        One row per run: ``key``, ``activation``, ``activation_label``, ``seed``,
        ``mean_train_loss``, ``final_train_loss``, ``epochs``.
    curves : DataFrame
        One row per activation (label) and epoch: ``activation``,
        ``activation_label``, ``epoch``, ``train_loss`` (the geometric mean
        over seeds), ``train_loss_low`` and ``train_loss_high`` (its 95%
        t-interval, taken on log10: losses over seeds are skewed, and drawn on
        a log axis), ``seeds``.

    Examples
    --------
    >>> history = pd.DataFrame({"key": ["a", "a", "b", "b"], "activation": "elu",
    ...     "activation_label": "elu", "seed": [0, 0, 1, 1], "epoch": [1, 2, 1, 2],
    ...     "train_loss": [1.0, 0.5, 0.4, 0.1]})
    >>> runs, curves = training_loss_area(history)
    >>> runs["mean_train_loss"].tolist(), curves["train_loss"].round(3).tolist()
    ([0.75, 0.25], [0.632, 0.224])
    """
    tags = ["key", "activation", "activation_label", "seed"]
    ordered = history.sort_values("epoch", kind="stable")
    runs = ordered.groupby(tags, sort=False).agg(
        mean_train_loss=("train_loss", "mean"), final_train_loss=("train_loss", "last"),
        epochs=("epoch", "size")).reset_index()
    runs.loc[runs["epochs"] < runs["epochs"].max(), "mean_train_loss"] = np.nan
    rows = []
    for (activation, label, epoch), part in history.groupby(
            ["activation", "activation_label", "epoch"], sort=False):
        with np.errstate(divide="ignore", invalid="ignore"):
            interval = stats.mean_ci(np.log10(part["train_loss"].to_numpy(dtype=float)))
        rows.append({"activation": activation, "activation_label": label, "epoch": epoch,
                     "train_loss": 10 ** interval.mean, "train_loss_low": 10 ** interval.low,
                     "train_loss_high": 10 ** interval.high, "seeds": interval.n})
    # Groups come in the order of their first row: the runs' order, each run's epochs in turn.
    return runs, pd.DataFrame(rows)


def ratio_to_reference(frame: pd.DataFrame, value: str, reference: str,
                       by: str = "activation_label") -> pd.DataFrame:
    """Per level of ``by``: ``value`` as a multiple of the reference level's, seed by seed.

    The ratio to the reference's value on the same seed (the same initial
    weights where the initializer is shared), its geometric mean over seeds
    with a 95% t-interval taken on log10: ratios are skewed, their logs close
    to normal. One row per level other than the reference, in order of
    appearance: ``by``, ``ratio``, ``ratio_low``, ``ratio_high``, ``seeds``
    (the seeds both have, with a finite positive value).

    >>> frame = pd.DataFrame({"activation_label": ["relu"] * 3 + ["elu"] * 3,
    ...                       "seed": [0, 1, 2] * 2, "loss": [0.4, 0.5, 0.6, 0.2, 0.25, 0.3]})
    >>> ratio_to_reference(frame, "loss", "relu")[["activation_label", "ratio", "seeds"]].values.tolist()
    [['elu', 0.5, 3]]
    """
    table = frame.pivot_table(index="seed", columns=by, values=value, aggfunc="first")
    if reference not in table:
        raise ValueError(f"reference={reference!r} is not allowed: the frame's {by} has "
                         f"{', '.join(map(str, dict.fromkeys(frame[by])))}")
    rows = []
    for level in dict.fromkeys(frame[by]):
        if level == reference:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(table[level] / table[reference]).to_numpy(dtype=float)
        interval = stats.mean_ci(logs)
        rows.append({by: level, "ratio": 10 ** interval.mean, "ratio_low": 10 ** interval.low,
                     "ratio_high": 10 ** interval.high, "seeds": interval.n})
    return pd.DataFrame(rows)
