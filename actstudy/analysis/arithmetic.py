"""Arithmetic extrapolation (Trask et al. 2018): errors scored against the model at initialisation, the NALU's gates and weights, and the paper's Table 1 beside ours.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.analysis.synthetic import sine_curves
from actstudy.run import data
from actstudy.run.config import ARITHMETIC_ARCHITECTURES, Config

__all__ = ["ARITHMETIC_MODEL_NAMES", "RANDOM_SCORE", "SCORE_RESOLUTION", "arithmetic_errors",
           "arithmetic_tasks", "nalu_gates", "arithmetic_weights", "outside_slopes", "model_sizes",
           "LEARNED_SCORE", "PAPER_FINDINGS", "GATE_CHOICE", "PAPER_TABLE_1", "PAPER_MODEL_NAMES",
           "paper_comparison", "success_rates"]


# -- arithmetic and extrapolation ----------------------------------------------------------

# How tables and figures name the NAC and NALU networks; an MLP is named by its activation.
ARITHMETIC_MODEL_NAMES = {"nac": "NAC", "nalu": "NALU"}


# The paper's scale: an error as a percentage of the randomly initialised model's.
RANDOM_SCORE = 100.0
# Scores below this count as it on the log scale: differences among near-exact fits (the
# identity MLP's a - b reaches 4e-13) say nothing about extrapolation.
SCORE_RESOLUTION = 1e-12


def _task(dataset: str) -> str:
    return data.ARITHMETIC[dataset.removeprefix("arithmetic_")][0]


def arithmetic_errors(summary: pd.DataFrame) -> pd.DataFrame:
    """Per arithmetic run: its errors inside and outside the training range, raw and as the
    paper scores them.

    Trask et al. (2018) scale each error to a randomly initialised model's:
    0 is perfect, 100 no better than random. The random model here is the same
    network at initialisation, the same seed (its initial weights), on the
    same split: ``*_score = 100 * mse / initial mse``. A run that diverged, or
    whose error on a split is not finite (an overflowing product), counts there
    as no better than its initialisation (``failed``, score 100).

    Columns: ``operation``, ``task`` ("a × b"), ``model`` (the activation, or
    NAC / NALU), ``seed``, then ``interpolation_mse``, ``extrapolation_mse``,
    their scores, and ``interpolation_failed``, ``extrapolation_failed``.

    >>> summary = pd.DataFrame({"dataset": "arithmetic_add", "architecture": ["mlp", "nalu"],
    ...     "activation": ["relu", "identity"], "seed": 0, "test_loss": [0.5, 0.01],
    ...     "initial_test_loss": 10.0, "final_extrapolation_loss": [40.0, float("inf")],
    ...     "initial_extrapolation_loss": 80.0, "diverged": False})
    >>> arithmetic_errors(summary)[["model", "interpolation_score", "extrapolation_score"]
    ...                            ].values.tolist()
    [['relu', 5.0, 50.0], ['NALU', 0.1, 100.0]]
    """
    frame = summary[summary["dataset"].isin(data.ARITHMETIC_SETS)]
    rows = pd.DataFrame({
        "operation": frame["dataset"].str.removeprefix("arithmetic_"),
        "task": frame["dataset"].map(_task),
        "model": np.where(frame["architecture"].isin(ARITHMETIC_ARCHITECTURES),
                          frame["architecture"].map(ARITHMETIC_MODEL_NAMES), frame["activation"]),
        "seed": frame["seed"]})
    diverged = frame["diverged"].astype(bool).to_numpy()
    for split, final, initial in (("interpolation", "test_loss", "initial_test_loss"),
                                  ("extrapolation", "final_extrapolation_loss",
                                   "initial_extrapolation_loss")):
        mse = frame[final].to_numpy(float)
        start = frame[initial].to_numpy(float)
        failed = diverged | ~np.isfinite(mse)
        mse = np.where(failed, start, mse)
        rows[f"{split}_mse"] = mse
        rows[f"{split}_score"] = RANDOM_SCORE * mse / start
        rows[f"{split}_failed"] = failed
    return rows.reset_index(drop=True)


def _log_interval(scores) -> stats.Interval:
    """The 95% t-interval over seeds of log10 scores (a score below :data:`SCORE_RESOLUTION`
    counts as it)."""
    with np.errstate(divide="ignore"):
        return stats.mean_ci(stats.log10(scores, floor=SCORE_RESOLUTION))


def arithmetic_tasks(datasets: list[dict]) -> pd.DataFrame:
    """The arithmetic tasks the runs used: the target, the inputs a and b sum over, the ranges
    and the split sizes, from each dataset's provenance."""
    rows = []
    for provenance in datasets:
        if provenance["name"] not in data.ARITHMETIC_SETS:
            continue
        sizes = provenance["sizes"]
        rows.append({"task": _task(provenance["name"]),
                     "a sums inputs": ", ".join(map(str, provenance["subsets"]["a"])),
                     "b sums inputs": ", ".join(map(str, provenance["subsets"]["b"])),
                     "inputs": provenance["options"].get("n_inputs", data.ARITHMETIC_INPUTS),
                     "training range": "[{:g}, {:g}]".format(*data.ARITHMETIC_TRAINING_RANGE),
                     "extrapolation range": "[{:g}, {:g}]".format(
                         *data.ARITHMETIC_EXTRAPOLATION_RANGE),
                     "train / val / test / extrapolation": " / ".join(
                         str(sizes[k]) for k in ("train", "val", "test", "extrapolation"))})
    return pd.DataFrame(rows)


def nalu_gates(learned: pd.DataFrame) -> pd.DataFrame:
    """Per NALU run, layer and unit: the unit's gate after training, its mean on the probe batch
    (1: the adding path, 0: the multiplying path).

    Per unit, not the layer's mean: two units of a layer may each pick a path, one adding and
    one multiplying, and their mean (about 0.5) would read as neither. ``learned`` is a grid's
    ``learned`` frame; the last epoch recorded per run.

    >>> learned = pd.DataFrame({"key": "k", "architecture": "nalu", "parameter": "gate",
    ...     "dataset": "arithmetic_multiply", "seed": 0, "epoch": [0, 9], "layer_index": 0,
    ...     "values": [[0.5, 0.5], [0.01, 0.97]], "mean": [0.5, 0.49]})
    >>> nalu_gates(learned)[["task", "layer", "unit", "gate"]].values.tolist()
    [['a × b', 1, 0, 0.01], ['a × b', 1, 1, 0.97]]
    """
    gates = learned[(learned["architecture"] == "nalu") & (learned["parameter"] == "gate")]
    last = gates[gates["epoch"] == gates.groupby("key")["epoch"].transform("max")]
    counts = last["values"].map(len).to_numpy()
    units = last.loc[last.index.repeat(counts)]
    return pd.DataFrame({
        "task": units["dataset"].map(_task).to_numpy(), "seed": units["seed"].to_numpy(),
        "layer": units["layer_index"].to_numpy() + 1,
        "unit": np.concatenate([np.arange(n) for n in counts]) if len(counts) else [],
        "gate": np.concatenate(last["values"].map(np.asarray).to_list()).astype(float)
        if len(counts) else []})


def arithmetic_weights(learned: pd.DataFrame, datasets: list[dict]) -> pd.DataFrame:
    """Per NAC and NALU run: where its first layer's effective weights W went, the mean |W| on
    the inputs a and b sum over against the mean |W| on the other inputs (the distractors).

    A network that found the task weighs a's and b's inputs and ignores the rest.
    """
    subsets = {p["name"]: p["subsets"] for p in datasets if p["name"] in data.ARITHMETIC_SETS}
    weights = learned[learned["architecture"].isin(ARITHMETIC_ARCHITECTURES)
                      & (learned["parameter"] == "weight") & (learned["layer_index"] == 0)]
    weights = weights[weights["epoch"] == weights.groupby("key")["epoch"].transform("max")]
    rows = []
    for row in weights.itertuples():
        width = row.width
        w = np.abs(np.asarray(row.values, dtype=float)).reshape(-1, width)
        used = sorted(set(subsets[row.dataset]["a"]) | set(subsets[row.dataset]["b"]))
        others = [i for i in range(len(w)) if i not in used]
        rows.append({"task": _task(row.dataset), "model": ARITHMETIC_MODEL_NAMES[row.architecture],
                     "seed": row.seed, "on a and b": w[used].mean(),
                     "on the others": w[others].mean() if others else np.nan})
    return pd.DataFrame(rows)


def outside_slopes(runs, training_range: tuple[float, float] = (-2 * np.pi, 2 * np.pi)
                   ) -> pd.DataFrame:
    """Per sine run: what its fitted curve does beyond the training range, on each side.

    From the stored curve (twice the training range): a straight line fitted
    to the predictions outside the range, on each side; ``slope`` is its mean
    absolute slope over the two sides (0: the curve levels off), ``bend`` the
    root-mean-square distance of the predictions from those lines (0: the curve
    goes on straight). ReLU networks are piecewise linear, so beyond the data
    they go on in straight lines; tanh and sigmoid networks saturate and level off.
    """
    curves = sine_curves(runs, seed=None)
    low, high = training_range
    rows = []
    for (activation, seed), part in curves.groupby(["activation", "seed"], sort=False):
        slopes, residuals = [], []
        for side in (part[part["x"] < low], part[part["x"] > high]):
            fit = np.polyfit(side["x"], side["prediction"], 1)
            slopes.append(abs(fit[0]))
            residuals.append(side["prediction"] - np.polyval(fit, side["x"]))
        rows.append({"activation": activation, "seed": seed, "slope": float(np.mean(slopes)),
                     "bend": float(np.sqrt(np.mean(np.square(np.concatenate(residuals)))))})
    return pd.DataFrame(rows)


def model_sizes(configs: Sequence[Config], input_shape: tuple[int, ...], n_outputs: int = 1
                ) -> pd.DataFrame:
    """Trainable parameters of each distinct network among ``configs`` (one row per model)."""
    from actstudy.run import models

    rows = {}
    for config in configs:
        name = ARITHMETIC_MODEL_NAMES.get(config.architecture, config.activation)
        if name not in rows:
            model = models.build(config, input_shape=input_shape, n_outputs=n_outputs)
            rows[name] = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    return pd.DataFrame({"model": list(rows), "parameters": list(rows.values())})


# A model "extrapolates" (or "interpolates") a task when its geometric-mean score there is
# below this: an error under 1% of the random model's, what the paper's near-zero scores mean.
LEARNED_SCORE = 1.0


# What Trask et al. (2018, section 4.1) report of the static tasks, as (statement, models,
# operations, split, whether the models get below LEARNED_SCORE). "MLPs" are the MLPs with a
# non-linear activation (every model but NAC, NALU and the identity, a linear network).
PAPER_FINDINGS = (
    ("MLPs with non-linear activations learn the tasks inside the training range", "MLPs",
     tuple(data.ARITHMETIC), "interpolation", True),
    ("none of them extrapolates", "MLPs", tuple(data.ARITHMETIC), "extrapolation", False),
    ("the NAC extrapolates addition and subtraction", "NAC", ("add", "subtract"),
     "extrapolation", True),
    ("the NALU extrapolates the multiplicative functions", "NALU",
     ("multiply", "divide", "square", "sqrt"), "extrapolation", True),
)


def _mean_log_scores(errors: pd.DataFrame) -> pd.DataFrame:
    """Per (operation, model): the mean over seeds of log10 score, per split."""
    return (errors.assign(**{f"{s}_log": stats.log10(errors[f"{s}_score"], floor=SCORE_RESOLUTION)
                             for s in ("interpolation", "extrapolation")})
            .groupby(["operation", "model"], sort=False)[["interpolation_log",
                                                          "extrapolation_log"]].mean())


# A NALU unit picks a path when its gate is within this of 0 (the multiplying path) or 1 (the
# adding path); in between it mixes the two.
GATE_CHOICE = 0.1


# Table 1 of Trask et al. (2018, arXiv:1808.00508v1), its static-task columns: each model's
# error as a percentage of a randomly initialised model's (0 perfect, 100 random), per split
# and operation. Numbers as printed; the paper's networks had 100 inputs and their own
# training schedule, so ours are comparable in scale, not in setting.
PAPER_TABLE_1 = {
    "interpolation": {
        "relu6": {"add": 0.2, "subtract": 0.0, "multiply": 3.2, "divide": 4.2, "square": 0.7,
                  "sqrt": 0.5},
        "identity": {"add": 0.0, "subtract": 0.0, "multiply": 20.9, "divide": 35.0,
                     "square": 4.3, "sqrt": 2.2},
        "NAC": {"add": 0.0, "subtract": 0.0, "multiply": 21.4, "divide": 37.1, "square": 22.4,
                "sqrt": 3.6},
        "NALU": {"add": 0.0, "subtract": 0.0, "multiply": 0.0, "divide": 5.3, "square": 0.0,
                 "sqrt": 0.0},
    },
    "extrapolation": {
        "relu6": {"add": 42.6, "subtract": 29.0, "multiply": 10.1, "divide": 37.2,
                  "square": 47.0, "sqrt": 10.3},
        "identity": {"add": 0.0, "subtract": 0.0, "multiply": 29.5, "divide": 52.3,
                     "square": 25.1, "sqrt": 20.0},
        "NAC": {"add": 0.0, "subtract": 0.0, "multiply": 33.3, "divide": 61.3, "square": 53.3,
                "sqrt": 16.4},
        "NALU": {"add": 0.0, "subtract": 0.0, "multiply": 0.0, "divide": 0.7, "square": 0.0,
                 "sqrt": 0.0},
    },
}


# How the paper names its static-task columns.
PAPER_MODEL_NAMES = {"relu6": "ReLU6", "identity": "None", "NAC": "NAC", "NALU": "NALU"}


def paper_comparison(errors: pd.DataFrame, split: str) -> pd.DataFrame:
    """Table 1 of the paper beside our scores, for the models both have, one split, in the
    paper's order (tasks as in :data:`data.ARITHMETIC`, models ReLU6, None, NAC, NALU).

    Per task and model: the paper's score (``paper``), ours as the geometric mean over seeds
    with its 95% t-interval on log10 (``mean``, ``low``, ``high``, as
    :func:`arithmetic_table`), and ``same_side``: whether the two agree by
    :data:`LEARNED_SCORE`'s rule, both below it (learnt) or both at or above it.

    >>> errors = pd.DataFrame({"operation": "multiply", "task": "a × b",
    ...     "model": ["NALU"] * 3 + ["relu6"] * 3, "seed": [0, 1, 2] * 2,
    ...     "extrapolation_score": [0.01, 0.02, 0.04, 0.2, 0.4, 0.8]})
    >>> paper_comparison(errors, "extrapolation")[["model", "paper", "mean", "same_side"]
    ...                                           ].values.tolist()
    [['ReLU6', 10.1, 0.4, False], ['NALU', 0.0, 0.02, True]]
    """
    if split not in PAPER_TABLE_1:
        raise ValueError(f"split={split!r} is not allowed: must be one of {sorted(PAPER_TABLE_1)}")
    rows = []
    for operation, (task, _) in data.ARITHMETIC.items():
        for model, name in PAPER_MODEL_NAMES.items():
            part = errors[(errors["operation"] == operation) & (errors["model"] == model)]
            if part.empty:
                continue
            interval = _log_interval(part[f"{split}_score"])
            mean = round(10 ** interval.mean, 12)
            paper = PAPER_TABLE_1[split][model][operation]
            rows.append({"operation": operation, "task": task, "model": name, "paper": paper,
                         "mean": mean, "low": 10 ** interval.low, "high": 10 ** interval.high,
                         "n": interval.n,
                         "same_side": bool((paper < LEARNED_SCORE) == (mean < LEARNED_SCORE))})
    return pd.DataFrame(rows, columns=["operation", "task", "model", "paper", "mean", "low",
                                       "high", "n", "same_side"])


def success_rates(errors: pd.DataFrame, split: str = "extrapolation",
                  threshold: float = LEARNED_SCORE) -> pd.DataFrame:
    """Per task and model, the share of seeds whose ``split`` score is below ``threshold``
    (:data:`LEARNED_SCORE`: under 1% of the untrained model's error), with its exact
    (Clopper-Pearson) 95% binomial interval, as Madsen & Johansen (2020) report success over
    seeds rather than a mean a few failures dominate.

    >>> errors = pd.DataFrame({"operation": "multiply", "task": "a × b", "model": "NALU",
    ...     "seed": range(4), "extrapolation_score": [0.01, 0.2, 50.0, 0.5]})
    >>> success_rates(errors)[["model", "successes", "seeds", "share"]].values.tolist()
    [['NALU', 3, 4, 0.75]]
    """
    from scipy.stats import binomtest

    rows = []
    for (operation, task, model), part in errors.groupby(["operation", "task", "model"],
                                                         sort=False):
        scores = part[f"{split}_score"].astype(float)
        k, n = int((scores < threshold).sum()), len(scores)
        interval = binomtest(k, n).proportion_ci(confidence_level=stats.CONFIDENCE,
                                                 method="exact")
        rows.append({"operation": operation, "task": task, "model": model, "successes": k,
                     "seeds": n, "share": k / n, "ci_low": interval.low,
                     "ci_high": interval.high})
    return pd.DataFrame(rows)
