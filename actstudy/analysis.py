"""Derived measurements over runs, as tidy frames the notebooks plot and the claims test.

>>> from actstudy import analysis
>>> analysis.time_to_target(results.history, 0.95)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from actstudy import activations, stats
from actstudy.config import Config


def surfaces(runs, kind: str) -> pd.DataFrame:
    """The stored learned functions (``kind`` "curve" or "boundary") as one long frame."""
    frames = []
    for run in runs:
        surface = run.surface
        if not surface or surface["kind"] != kind:
            continue
        frame = pd.DataFrame({k: v for k, v in surface.items() if k != "kind"})
        for name in ("dataset", "activation", "seed", "depth"):
            frame[name] = run.config[name]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def sine_curves(runs, seed: int = 0) -> pd.DataFrame:
    curves = surfaces([r for r in runs if r.config["seed"] == seed], "curve")
    curves["truth"] = np.sin(curves["x"])
    return curves


def training_points(dataset_names, n: int = 400) -> pd.DataFrame:
    """A sample of each 2-D dataset's training points, for drawing under boundaries."""
    frames = []
    for name in dataset_names:
        data = Config(dataset=name, batch_size=1).load_dataset()
        frames.append(pd.DataFrame({"dataset": name, "x0": data.x_train[:n, 0],
                                    "x1": data.x_train[:n, 1], "y": data.y_train[:n]}))
    return pd.concat(frames, ignore_index=True)


def linear_baseline(config: Config) -> float:
    """Test MSE of ordinary least squares on the config's dataset: the best linear fit."""
    data = config.load_dataset()
    model = LinearRegression().fit(data.x_train, data.y_train)
    return float(np.mean((model.predict(data.x_test) - data.y_test) ** 2))


def time_to_target(history: pd.DataFrame, target: float,
                   metric: str = "val_accuracy") -> pd.DataFrame:
    """Per run: the first epoch at which ``metric`` reaches ``target`` and the seconds until then.

    Runs that never reach it get NaN (and ``reached`` False).
    """
    rows = []
    for key, part in history.sort_values("epoch").groupby("key", sort=False):
        hit = part[part[metric] >= target]
        first = hit["epoch"].iloc[0] if len(hit) else np.nan
        seconds = part.loc[part["epoch"] <= first, "seconds"].sum() if len(hit) else np.nan
        rows.append({"key": key, **part.iloc[0][["dataset", "activation", "depth", "seed"]],
                     "reached": bool(len(hit)), "epochs_to_target": first,
                     "seconds_to_target": seconds})
    return pd.DataFrame(rows)


def gradient_ratio(gradients: pd.DataFrame, epoch_steps: int | None = None) -> pd.DataFrame:
    """Per run: median ||grad W_first|| / ||grad W_last hidden|| over the first steps.

    The first layer against the last hidden layer (not the head, whose shape
    differs): far below 1 means gradients vanish on the way back, far above 1
    that they explode. ``epoch_steps`` limits it to the first steps (training
    start, where the activation alone decides); None uses every step.
    """
    rows = []
    for key, part in gradients.groupby("key", sort=False):
        if epoch_steps is not None:
            part = part[part["step"] < epoch_steps]
        hidden = part[part["layer"] != "head"]
        last = hidden["layer_index"].max()
        first = hidden[hidden["layer_index"] == 0].set_index("step")["gradient_norm"]
        final = hidden[hidden["layer_index"] == last].set_index("step")["gradient_norm"]
        ratio = (first / final).replace([np.inf, -np.inf], np.nan).median()
        rows.append({"key": key, **part.iloc[0][["dataset", "activation", "depth", "seed"]],
                     "ratio": ratio})
    return pd.DataFrame(rows)


def last_epoch(stats: pd.DataFrame) -> pd.DataFrame:
    """Activation statistics of each run's last recorded epoch, averaged over layers."""
    last = stats.groupby("key")["epoch"].transform("max")
    final = stats[stats["epoch"] == last]
    columns = ["dead_fraction", "saturated_fraction", "zero_fraction", "act_std"]
    keys = ["key", "dataset", "activation", "depth", "seed"]
    extra = [c for c in ("learning_rate",) if c in final.columns]
    return final.groupby(keys + extra, as_index=False)[columns].mean()


def ranking(results: dict[str, tuple[pd.DataFrame, str, bool]]) -> pd.DataFrame:
    """Rank activations within each experiment by their mean over seeds, then average.

    ``results`` maps an experiment's name to (summary frame, metric, higher is better).
    Activations missing from an experiment are left out of its column. Experiments
    may run different numbers of activations, so the average is over scaled ranks,
    (rank - 1) / (n - 1): 0 is best and 1 is worst in every experiment alike.

    >>> frame = pd.DataFrame({"activation": ["a", "b", "c"], "accuracy": [0.9, 0.8, 0.7]})
    >>> ranking({"x": (frame, "accuracy", True)})["mean scaled rank"].tolist()
    [0.0, 0.5, 1.0]
    """
    columns, scaled = {}, {}
    for name, (summary, metric, higher) in results.items():
        means = summary.groupby("activation")[metric].mean()
        columns[name] = means.rank(ascending=not higher)
        scaled[name] = (columns[name] - 1) / max(len(means) - 1, 1)
    table = pd.DataFrame(columns)
    table["mean scaled rank"] = pd.DataFrame(scaled).mean(axis=1)
    table["experiments"] = table[list(columns)].notna().sum(axis=1)
    return table.sort_values("mean scaled rank")


# -- learned parameters (GridResult.learned: one row per run, epoch, layer and parameter) --------


def unit_parameters(learned: pd.DataFrame, parameter: str = "slope") -> pd.DataFrame:
    """One row per run, epoch, layer and unit: the unit's value of a per-unit parameter.

    For PReLU's slopes (``parameter="slope"``), one per unit: their spread
    across units is what :func:`actstudy.plots.prelu_slopes` draws.

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
