"""Derived measurements over runs, as tidy frames the notebooks plot and the claims test.

>>> from actstudy import analysis
>>> analysis.time_to_target(results.history, 0.95)  # doctest: +SKIP
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from actstudy import activations, data, stats, tables
from actstudy.config import ARITHMETIC_ARCHITECTURES, Config
from actstudy.training import PROBE_STATS


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


def sine_curves(runs, seed: int | None = 0) -> pd.DataFrame:
    """The sine networks' stored curves (one seed, or every seed with None) beside sin(x)."""
    curves = surfaces([r for r in runs if seed is None or r.config["seed"] == seed], "curve")
    curves["truth"] = np.sin(curves["x"])
    return curves


def extrapolation_error(runs, training_range: tuple[float, float] = (-2 * np.pi, 2 * np.pi)
                        ) -> pd.DataFrame:
    """Per sine run: the MSE against sin(x) inside the training range and outside it.

    From each run's stored curve, which spans twice the training range (512
    evenly spaced points), so "outside" is [-4pi, -2pi) and (2pi, 4pi] for the
    sine data. Evenly spaced points weigh every part of
    the range alike, where the test set follows the training distribution.
    """
    curves = sine_curves(runs, seed=None)
    low, high = training_range
    curves["region"] = np.where((curves["x"] >= low) & (curves["x"] <= high), "inside", "outside")
    curves["squared_error"] = (curves["prediction"] - curves["truth"]) ** 2
    table = curves.pivot_table(index=["activation", "seed"], columns="region",
                               values="squared_error", aggfunc="mean")
    return table.rename(columns={"inside": "inside_mse", "outside": "outside_mse"}
                        ).reset_index().rename_axis(columns=None)


def training_points(datasets, n: int = 400) -> pd.DataFrame:
    """A sample of each 2-D dataset's training points, for drawing under boundaries.

    ``datasets``: names (each set at its default options), or Configs (each
    config's set with its ``dataset_options``; one sample per set).
    """
    frames, seen = [], set()
    for item in datasets:
        config = item if isinstance(item, Config) else Config(dataset=item)
        if config.dataset in seen:
            continue
        seen.add(config.dataset)
        data = config.replace(batch_size=1).load_dataset()
        frames.append(pd.DataFrame({"dataset": config.dataset, "x0": data.x_train[:n, 0],
                                    "x1": data.x_train[:n, 1], "y": data.y_train[:n]}))
    return pd.concat(frames, ignore_index=True)


def linear_baseline(config: Config, split: str = "test") -> float:
    """MSE of ordinary least squares on the config's dataset, the best linear fit, on a split.

    On ``"train"`` it is the least any linear model can reach on the training
    data: the optimum that a linear network trained by backpropagation is
    measured against.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r} is not allowed: choose 'train' or 'test'")
    data = config.load_dataset()
    model = LinearRegression().fit(data.x_train, data.y_train)
    x, y = (data.x_train, data.y_train) if split == "train" else (data.x_test, data.y_test)
    return float(np.mean((model.predict(x) - y) ** 2))


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


def speed_table(history: pd.DataFrame, summary: pd.DataFrame, targets: dict[str, float]
                ) -> pd.DataFrame:
    """Epochs and seconds to each dataset's target validation accuracy, written for people.

    One row per dataset and activation: the target, how many seeds reached it,
    the epochs and seconds to it over the seeds that did (mean with a 95%
    t-interval; epochs are whole, so the interval is widened by half an epoch
    each side), and the median seconds per epoch. An activation that no seed
    brought to the target says so ("never in 6 epochs") instead of a blank.
    Rows are sorted by dataset, then by epochs to target (never reached last).
    """
    rows = []
    for dataset, part in history.groupby("dataset", sort=False):
        target = targets[dataset]
        reach = time_to_target(part, target)
        epochs = int(part["epoch"].max())
        for activation, runs in reach.groupby("activation", sort=False):
            reached = runs[runs["reached"]]
            epoch_interval = stats.mean_ci(reached["epochs_to_target"], resolution=1.0)
            second_interval = stats.mean_ci(reached["seconds_to_target"])
            never = f"never in {epochs} epochs"
            per_epoch = summary[(summary["dataset"] == dataset)
                                & (summary["activation"] == activation)]["seconds_per_epoch"]
            rows.append({
                "dataset": dataset, "activation": activation, "target": f"{target:.0%}",
                "seeds that reached it": f"{len(reached)} of {len(runs)}",
                "epochs to target [95% CI]": (tables.interval(
                    epoch_interval.mean, epoch_interval.low, epoch_interval.high,
                    n=epoch_interval.n, decimals=1) if len(reached) else never),
                "seconds to target [95% CI]": (tables.interval(
                    second_interval.mean, second_interval.low, second_interval.high,
                    n=second_interval.n) if len(reached) else never),
                "seconds per epoch": tables.number(float(per_epoch.median())),
                "_order": (epoch_interval.mean if len(reached) else np.inf,
                           -len(reached)),
            })
    table = pd.DataFrame(rows)
    order = {d: i for i, d in enumerate(dict.fromkeys(table["dataset"]))}
    table["_order"] = [(order[d], *o) for d, o in zip(table["dataset"], table["_order"],
                                                        strict=True)]
    return table.sort_values("_order", kind="stable").reset_index(drop=True)


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


def initializer_table(summary: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """Per activation and initializer: test accuracy over seeds and the gradient growth at the start.

    ``accuracy`` is the mean test accuracy with a 95% t-interval over seeds
    (``accuracy_low``, ``accuracy_high``; ``seeds`` runs with a finite
    accuracy, ``diverged`` runs without). ``slope`` is the median over seeds of
    :func:`gradient_growth`'s slope, from ``gradient_growth(gradients,
    epoch_steps=1)`` for the first step, where only the activation and the
    initializer decide it: log10 of the factor by which the error signal
    grows per layer on its way back (0: every layer learns alike). Rows keep
    the order in which the runs name activations and initializers.

    >>> summary = pd.DataFrame({"dataset": "mnist", "depth": 10, "activation": "relu",
    ...     "initializer": "he_normal", "seed": [0, 1], "test_accuracy": [0.95, 0.97],
    ...     "diverged": False})
    >>> growth = summary[["dataset", "depth", "activation", "initializer"]].assign(slope=[0.1, 0.3])
    >>> initializer_table(summary, growth)[["accuracy", "seeds", "slope"]].values.tolist()
    [[0.96, 2.0, 0.2]]
    """
    keys = ["dataset", "depth", "activation", "initializer"]
    table = stats.summarise(summary, keys, "test_accuracy").rename(columns={
        "mean": "accuracy", "ci_low": "accuracy_low", "ci_high": "accuracy_high", "n": "seeds"})
    diverged = summary.groupby(keys, sort=False)["diverged"].sum().rename("diverged")
    slopes = growth.groupby(keys, sort=False)["slope"].median()
    return (table.merge(diverged.astype(int).reset_index(), on=keys, how="left")
            .merge(slopes.reset_index(), on=keys, how="left"))


def last_epoch(stats: pd.DataFrame) -> pd.DataFrame:
    """Activation statistics of each run's last recorded epoch, averaged over layers."""
    last = stats.groupby("key")["epoch"].transform("max")
    final = stats[stats["epoch"] == last]
    columns = ["dead_fraction", "inactive_fraction", "saturated_fraction", "zero_fraction",
               "near_bound_fraction", "act_std"]
    keys = ["key", "dataset", "activation", "depth", "seed"]
    extra = [c for c in ("learning_rate",) if c in final.columns]
    return final.groupby(keys + extra, as_index=False)[columns].mean()


def ratio_table(frame: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Geometric mean of a positive ratio per group with a 95% t-interval on its log10.

    Ratios of gradient norms span orders of magnitude and are skewed: their
    logs are roughly normal over seeds, so the interval is Student's t on
    log10 and is shown back as ratios, "3.2e-04 [1.1e-04, 9.0e-04]".
    """
    rows = []
    for group, part in frame.groupby(by, sort=True):
        with np.errstate(divide="ignore", invalid="ignore"):
            interval = stats.mean_ci(np.log10(part[value].to_numpy(dtype=float)))
        group = group if isinstance(group, tuple) else (group,)
        text = tables.interval(*(10.0 ** v for v in (interval.mean, interval.low, interval.high)),
                               n=interval.n, scientific=True)
        rows.append({**dict(zip(by, group, strict=True)), value: text, "seeds": interval.n})
    return pd.DataFrame(rows)


def geometric_table(frame: pd.DataFrame, columns: dict[str, str], by: str = "activation",
                    reference: float | None = None, reference_label: str = "") -> pd.DataFrame:
    """Per activation: each positive, skewed quantity (an MSE) as a geometric mean over seeds
    with its 95% t-interval on log10, written for people and sorted by the first one.

    ``columns`` maps a column to its heading. With ``reference`` (e.g. the
    least-squares line's MSE), a column ``reference_label`` says how many times
    lower the first quantity is ("327×"). A note names identical and
    near-identical functions, which no seed count can separate.
    """
    rows = []
    for name, part in frame.groupby(by, sort=False):
        row = {by: name}
        for column, heading in columns.items():
            with np.errstate(divide="ignore", invalid="ignore"):
                interval = stats.mean_ci(np.log10(part[column].to_numpy(dtype=float)))
            row[heading] = tables.interval(*(10.0 ** v for v in (
                interval.mean, interval.low, interval.high)), n=interval.n, scientific=True)
            row.setdefault("_order", interval.mean)
        if reference is not None:
            row[reference_label] = tables.number(reference / 10.0 ** row["_order"], "x")
        row["seeds"] = part["seed"].nunique()
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("_order", kind="stable").reset_index(drop=True)
    table["note"] = _notes(table[by]) if by == "activation" else ""
    return table


def paired_gain(summary: pd.DataFrame, first: str, second: str, by: str = "depth",
                value: str = "test_accuracy") -> pd.DataFrame:
    """Per value of ``by``: ``first``'s ``value`` minus ``second``'s, paired by seed, in
    percentage points, with its 95% t-interval (``mean``, ``ci_low``, ``ci_high``, ``n``)
    and a text for people."""
    rows = []
    for level, part in summary.groupby(by, sort=True):
        interval = stats.paired(part.assign(**{value: 100 * part[value]}), value, first, second)
        rows.append({by: level, "mean": interval.mean, "ci_low": interval.low,
                     "ci_high": interval.high, "n": interval.n,
                     f"{first} − {second} (pp) [95% CI]": tables.interval(
                         interval.mean, interval.low, interval.high, "pp", n=interval.n)})
    return pd.DataFrame(rows)


def swish_depth_agreement(gains: pd.DataFrame, width: int, epochs: int) -> str:
    """A sentence on where the scaled-down Swish depth experiment agrees with the paper.

    ``gains`` is :func:`paired_gain`'s Swish − ReLU table. The paper found
    Swish ahead of ReLU in its deepest networks; the rule is the interval at
    the deepest depth here: wholly above 0 agrees, wholly below disagrees,
    across 0 tells the two apart no better than the seeds allow.
    """
    deepest = gains.sort_values("depth").iloc[-1]
    shallowest = gains.sort_values("depth").iloc[0]
    text = tables.interval(deepest["mean"], deepest["ci_low"], deepest["ci_high"], "pp",
                           n=int(deepest["n"]))
    opening = (f"At {int(deepest['depth'])} hidden layers of {width} units after {epochs} "
               f"epochs, Swish's test accuracy minus ReLU's is {text} (at "
               f"{int(shallowest['depth'])} layers: "
               f"{tables.number(shallowest['mean'], 'pp', decimals=2)}).")
    if deepest["ci_low"] > 0:
        return opening + (" This agrees with the paper: Swish is ahead of ReLU in the deepest "
                          "networks.")
    if deepest["ci_high"] < 0:
        return opening + (" This disagrees with the paper, which found Swish ahead in its "
                          "deepest networks: here ReLU is.")
    return opening + (" The seeds cannot tell the two apart at that depth, so this neither "
                      "confirms nor contradicts the paper; its networks were wider and trained "
                      "longer.")


def unit_cost(grid, by=("activation", "learning_rate")) -> pd.DataFrame:
    """Inactive and dead units after training beside the test accuracy they come with.

    Per group of ``by``: the last epoch's share of inactive units (pre-activation
    negative on at least 99% of probe samples; defined for every activation) and
    of dead units (output and derivative exactly 0 on every sample; only the
    hard-zero rectifiers can have them), averaged over layers, in percent, and
    the test accuracy in percent; each a mean with a 95% t-interval over seeds.
    """
    units = last_epoch(grid.activations)
    frame = units.merge(grid.summary[["key", "test_accuracy"]], on="key")
    frame[["inactive_fraction", "dead_fraction", "test_accuracy"]] *= 100
    rows = []
    for group, part in frame.groupby(list(by), sort=True):
        row = dict(zip(by, group, strict=True))
        for column, name in (("inactive_fraction", "inactive units %"),
                             ("dead_fraction", "dead units %"),
                             ("test_accuracy", "test accuracy %")):
            interval = stats.mean_ci(part[column])
            row[name] = tables.interval(interval.mean, interval.low, interval.high,
                                        n=interval.n)
        row["seeds"] = len(part)
        rows.append(row)
    return pd.DataFrame(rows)


def ranking(results: dict[str, tuple[pd.DataFrame, str, bool]], confidence: float = 0.95,
            resamples: int = stats.RANK_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Rank activations within each experiment by their mean over seeds, then average.

    ``results`` maps an experiment's name to (summary frame, metric, higher is better).
    Activations missing from an experiment are left out of its column. Experiments
    may run different numbers of activations, so the average is over scaled ranks,
    (rank - 1) / (n - 1): 0 is best and 1 is worst in every experiment alike
    (tied means share the average of their ranks).

    Where every summary has a ``seed`` column, ``mean scaled rank low`` and
    ``high`` are a ``confidence`` interval for it: each experiment's seeds are
    resampled jointly for its activations (they are paired; see
    :func:`actstudy.stats.resampled_ranks`), each experiment independently,
    and the mean scaled rank is recomputed from every resample.

    >>> frame = pd.DataFrame({"activation": ["a", "b", "c"], "accuracy": [0.9, 0.8, 0.7]})
    >>> ranking({"x": (frame, "accuracy", True)})["mean scaled rank"].tolist()
    [0.0, 0.5, 1.0]
    """
    columns, scaled, resampled = {}, {}, {}
    for name, (summary, metric, higher) in results.items():
        means = summary.groupby("activation", sort=False)[metric].mean()
        columns[name] = means.rank(ascending=not higher)
        scaled[name] = (columns[name] - 1) / max(len(means) - 1, 1)
        if "seed" in summary.columns:
            table = stats.seed_table(summary, metric)
            ranks = stats.resampled_ranks(table, higher, resamples, seed, method="average")
            resampled[name] = pd.DataFrame((ranks - 1) / max(table.shape[1] - 1, 1),
                                           columns=table.columns)
    table = pd.DataFrame(columns)
    table["mean scaled rank"] = pd.DataFrame(scaled).mean(axis=1)
    if len(resampled) == len(results):
        # Per resample, each activation's mean over the experiments that ran it.
        means = sum(r.reindex(columns=table.index).fillna(0) for r in resampled.values())
        present = sum(r.reindex(columns=table.index).notna() for r in resampled.values())
        means = means / present
        tail = (1 - confidence) / 2
        table["mean scaled rank low"] = means.quantile(tail)
        table["mean scaled rank high"] = means.quantile(1 - tail)
    table["experiments"] = table[list(columns)].notna().sum(axis=1)
    return table.sort_values("mean scaled rank")


def ranking_table(results: dict[str, tuple[pd.DataFrame, str, bool]], seed: int = 0
                  ) -> pd.DataFrame:
    """:func:`ranking` for people: one row per activation, best first.

    Columns: the mean scaled rank with its 95% interval
    ("0.12 [0.05, 0.20]", 0 = first in every experiment); each experiment's
    rank with its 95% rank interval ("2 [1, 4]", see
    :func:`actstudy.stats.rank_intervals`; "2=" where means tie); the number of
    experiments; and a note naming identical or near-identical functions
    (:func:`actstudy.activations.equivalence_notes`).
    """
    numbers = ranking(results, seed=seed)
    table = pd.DataFrame(index=numbers.index)
    table["mean scaled rank [95% CI]"] = [
        f"{row['mean scaled rank']:.2f} [{row['mean scaled rank low']:.2f}, "
        f"{row['mean scaled rank high']:.2f}]" for _, row in numbers.iterrows()]
    for name, (summary, metric, higher) in results.items():
        ranks = stats.rank_intervals(summary, metric, higher, seed=seed).set_index("activation")
        table[f"{name}: rank [95% CI]"] = pd.Series(_rank_texts(ranks)).reindex(table.index
                                                                               ).fillna("not run")
    table["experiments"] = numbers["experiments"]
    table["note"] = _notes(table.index)
    return table.rename_axis("activation").reset_index()


def _rank_texts(ranks: pd.DataFrame) -> dict:
    """"2 [1, 4]" per entry of a :func:`stats.rank_intervals` frame indexed by name; "2=" ties."""
    tied = ranks["rank"].duplicated(keep=False) & ranks["rank"].notna()
    texts = {}
    for name, row in ranks.iterrows():
        if pd.isna(row["rank"]):
            texts[name] = "no finite value"
            continue
        mark = "=" if tied[name] else ""
        texts[name] = f"{row['rank']}{mark} [{row['rank_low']}, {row['rank_high']}]"
    return texts


def _notes(names) -> list[str]:
    """Identical and near-identical functions among registered ``names``; others get no note."""
    known = []
    for name in names:
        try:
            activations.spec(name)
        except ValueError:  # a label with options, e.g. prelu(initial_slope=0.01)
            continue
        known.append(name)
    notes = activations.equivalence_notes(known)
    return [notes.get(name, "") for name in names]


def rank_table(frame: pd.DataFrame, value: str, higher_is_better: bool, label: str | None = None,
               percent: bool = False, seed: int = 0) -> pd.DataFrame:
    """Activations ranked by ``value`` with their uncertainty, formatted for people.

    One row per activation, best first: its rank ("2=" where means tie), the
    mean with a 95% t-interval over seeds (in percent with ``percent``, at the
    precision the intervals justify), the 95% rank interval and the
    tier (:func:`actstudy.stats.rank_intervals` states both rules), the seeds,
    and a note naming identical or near-identical functions.

    >>> frame = pd.DataFrame({"activation": ["elu"] * 3 + ["celu"] * 3 + ["sigmoid"] * 3,
    ...                       "seed": [0, 1, 2] * 3,
    ...                       "test_accuracy": [0.95, 0.96, 0.955] * 2 + [0.90, 0.91, 0.89]})
    >>> table = rank_table(frame, "test_accuracy", True, percent=True)
    >>> table[["rank", "activation", "tier", "note"]].values.tolist()
    [['1=', 'elu', 1, 'same function as celu'], ['1=', 'celu', 1, 'same function as elu'], ['3', 'sigmoid', 2, '']]
    """
    ranks = stats.rank_intervals(frame, value, higher_is_better, seed=seed)
    texts = _rank_texts(ranks.set_index("activation"))
    label = label or (f"{value} (%)" if percent else value)
    return pd.DataFrame({
        "rank": [texts[name].split(" ")[0] if pd.notna(rank) else "–"
                 for name, rank in zip(ranks["activation"], ranks["rank"], strict=True)],
        "activation": ranks["activation"],
        f"{label} [95% CI]": tables.intervals(ranks, scale=100.0 if percent else 1.0),
        "rank [95% CI]": ["[" + texts[name].split("[", 1)[1] if pd.notna(rank) else "–"
                          for name, rank in zip(ranks["activation"], ranks["rank"], strict=True)],
        "tier": ranks["tier"],
        "seeds": ranks["seeds"],
        "note": _notes(ranks["activation"]),
    })


# -- learning-rate sensitivity (studies.LearningRate) ------------------------------------------


def learning_rate_curves(summary: pd.DataFrame, metric: str = "final_val_accuracy"
                         ) -> pd.DataFrame:
    """Per dataset, optimizer, activation and learning rate: ``metric`` over seeds.

    ``mean`` with a 95% t-interval (``ci_low``, ``ci_high``) over the seeds
    whose run finished (``seeds``), and ``diverged``, the runs whose loss
    turned non-finite (they have no final accuracy, so they are not in the mean).
    """
    keys = ["dataset", "optimizer", "activation", "learning_rate"]
    missing = [c for c in [*keys, metric, "diverged"] if c not in summary.columns]
    if missing:
        raise ValueError(f"summary has no column {missing[0]!r}: give a GridResult's summary of "
                         "the learning_rate study")
    table = stats.summarise(summary, keys, metric).rename(columns={"n": "seeds"})
    diverged = summary.groupby(keys, sort=False)["diverged"].sum().astype(int)
    return table.merge(diverged.reset_index(), on=keys, how="left")


def best_learning_rates(summary: pd.DataFrame, choose_by: str = "final_val_accuracy",
                        report: str = "test_accuracy") -> pd.DataFrame:
    """Each activation's best rate per dataset and optimizer, chosen on validation accuracy.

    The best rate has the highest mean ``choose_by`` over seeds among the rates
    at which no seed diverged (among all rates if every one had a diverged
    seed); the test set plays no part in choosing it. One row per dataset,
    optimizer and activation: ``best_rate``, its mean validation accuracy,
    ``report`` there as a mean with a 95% t-interval (``mean``, ``ci_low``,
    ``ci_high``, ``seeds``), and ``edge``, "lowest" or "highest" where the
    best rate is an end of the grid, so the optimum may lie beyond it.
    """
    curves = learning_rate_curves(summary, choose_by)
    rows = []
    for (dataset, optimizer, activation), part in curves.groupby(
            ["dataset", "optimizer", "activation"], sort=False):
        stable = part[part["diverged"] == 0]
        candidates = (stable if stable["mean"].notna().any() else part).dropna(subset="mean")
        if candidates.empty:
            continue
        best = candidates.loc[candidates["mean"].idxmax()]
        rate = best["learning_rate"]
        rates = sorted(part["learning_rate"])
        at = summary[(summary["dataset"] == dataset) & (summary["optimizer"] == optimizer)
                     & (summary["activation"] == activation)
                     & (summary["learning_rate"] == rate)]
        interval = stats.mean_ci(at[report])
        rows.append({"dataset": dataset, "optimizer": optimizer, "activation": activation,
                     "best_rate": rate, "validation_accuracy": best["mean"],
                     "mean": interval.mean, "ci_low": interval.low, "ci_high": interval.high,
                     "seeds": interval.n,
                     "edge": "lowest" if rate == rates[0] else "highest" if rate == rates[-1]
                     else ""})
    return pd.DataFrame(rows)


def _setting(optimizer: str, rate: float | None) -> str:
    return f"{optimizer} at {rate:g}" if rate is not None else f"{optimizer} at its best rate"


def learning_rate_rankings(summary: pd.DataFrame, reference_optimizer: str = "adam",
                           reference_learning_rate: float = 1e-3, value: str = "test_accuracy",
                           seed: int = 0) -> pd.DataFrame:
    """Per dataset: the ranking at one reference rate against the ranking at each one's best rate.

    Settings, per dataset: ``reference_optimizer`` at ``reference_learning_rate``
    for every activation; then, per optimizer, each activation at its own best
    rate (:func:`best_learning_rates`, chosen on validation accuracy). Each
    setting ranks ``value`` over seeds with :func:`actstudy.stats.rank_intervals`.
    One row per dataset, setting and activation: ``setting`` ("adam at 0.001",
    "momentum at its best rate"), ``optimizer``, ``learning_rate``, ``edge``
    (see :func:`best_learning_rates`; "" at the reference) and the columns of
    ``rank_intervals``. The best rate is chosen on the same seeds
    it is ranked on (on validation, not test, data), which flatters each
    activation a little alike.
    """
    at_reference = summary[(summary["optimizer"] == reference_optimizer)
                           & np.isclose(summary["learning_rate"], reference_learning_rate)]
    if at_reference.empty:
        settings = summary[["optimizer", "learning_rate"]].drop_duplicates()
        raise ValueError(
            f"reference_optimizer={reference_optimizer!r} with reference_learning_rate="
            f"{reference_learning_rate!r} is not allowed: the summary has no such runs; it has "
            + ", ".join(f"{o} at {r:g}" for o, r in settings.itertuples(index=False)))
    best = best_learning_rates(summary)
    frames = []
    for dataset, part in summary.groupby("dataset", sort=False):
        chosen = [(reference_optimizer, _setting(reference_optimizer, reference_learning_rate),
                   at_reference[at_reference["dataset"] == dataset])]
        for optimizer in dict.fromkeys(part["optimizer"]):
            rates = best[(best["dataset"] == dataset) & (best["optimizer"] == optimizer)]
            keys = rates[["activation", "best_rate", "edge"]].rename(
                columns={"best_rate": "learning_rate"})
            chosen.append((optimizer, _setting(optimizer, None),
                           part[part["optimizer"] == optimizer].merge(keys)))
        for optimizer, setting, runs in chosen:
            ranks = stats.rank_intervals(runs, value, True, seed=seed)
            first = runs.assign(edge=runs.get("edge", "")).groupby("activation").first()
            frames.append(ranks.assign(
                dataset=dataset, setting=setting, optimizer=optimizer,
                learning_rate=ranks["activation"].map(first["learning_rate"]),
                edge=ranks["activation"].map(first["edge"])))
    columns = ["dataset", "setting", "optimizer", "activation", "learning_rate", "edge"]
    frame = pd.concat(frames, ignore_index=True)
    return frame[columns + [c for c in frame.columns if c not in columns]]


def rank_flips(rankings: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Pairs of activations whose order differs between two settings of :func:`learning_rate_rankings`.

    One row per dataset and pair: ``ahead_at_first`` ranks better than
    ``ahead_at_second`` at ``first`` and worse at ``second``; ``told_apart``
    is true when the two are in different tiers at both settings, so the
    flip is more than noise.

    >>> ranks = pd.DataFrame({"dataset": "d", "setting": ["x"] * 2 + ["y"] * 2,
    ...                       "activation": ["a", "b", "b", "a"], "rank": [1, 2, 1, 2],
    ...                       "tier": [1, 2, 1, 1]})
    >>> rank_flips(ranks, "x", "y")[["ahead_at_first", "ahead_at_second", "told_apart"]
    ...                             ].values.tolist()
    [['a', 'b', False]]
    """
    settings = set(rankings["setting"])
    for name, setting in (("first", first), ("second", second)):
        if setting not in settings:
            raise ValueError(f"{name}={setting!r} is not allowed: the rankings hold settings "
                             f"{', '.join(sorted(settings))}")
    rows = []
    for dataset, part in rankings.groupby("dataset", sort=False):
        a = part[part["setting"] == first].set_index("activation")
        b = part[part["setting"] == second].set_index("activation")
        names = [n for n in a.index if n in b.index and pd.notna(a.at[n, "rank"])
                 and pd.notna(b.at[n, "rank"])]
        for i, one in enumerate(names):
            for other in names[i + 1:]:
                before = np.sign(a.at[one, "rank"] - a.at[other, "rank"])
                after = np.sign(b.at[one, "rank"] - b.at[other, "rank"])
                if before * after >= 0:
                    continue  # same order, or tied at one of the settings
                ahead, behind = (one, other) if before < 0 else (other, one)
                apart = (a.at[one, "tier"] != a.at[other, "tier"]
                         and b.at[one, "tier"] != b.at[other, "tier"])
                rows.append({"dataset": dataset, "ahead_at_first": ahead,
                             "ahead_at_second": behind, "told_apart": bool(apart)})
    return pd.DataFrame(rows, columns=["dataset", "ahead_at_first", "ahead_at_second",
                                       "told_apart"])


def flip_counts(rankings: pd.DataFrame) -> pd.DataFrame:
    """How far each setting's ranking departs from the first (reference) setting's, per dataset.

    One row per dataset and later setting of :func:`learning_rate_rankings`:
    ``pairs`` of activations ranked at both, ``changed`` (pairs in the other
    order) and ``told_apart`` (of those, pairs in different tiers at both
    settings: flips the seeds can see), and ``told_apart_pairs``, those pairs
    as "a ahead of b, then behind".
    """
    settings = list(dict.fromkeys(rankings["setting"]))
    rows = []
    for dataset, part in rankings.groupby("dataset", sort=False):
        first = part[(part["setting"] == settings[0]) & part["rank"].notna()]
        for other in settings[1:]:
            ranked = part[(part["setting"] == other) & part["rank"].notna()]
            shared = len(set(first["activation"]) & set(ranked["activation"]))
            flips = rank_flips(part, settings[0], other)
            seen = flips.loc[flips["told_apart"].astype(bool)]
            rows.append({"dataset": dataset, "first": settings[0], "second": other,
                         "pairs": shared * (shared - 1) // 2, "changed": len(flips),
                         "told_apart": len(seen),
                         "told_apart_pairs": [f"{a} ahead of {b}, then behind" for a, b in
                                              zip(seen["ahead_at_first"],
                                                  seen["ahead_at_second"], strict=True)]})
    return pd.DataFrame(rows)


def learning_rate_table(rankings: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """One dataset's :func:`learning_rate_rankings` for people: a row per activation.

    Rows in the order of the reference setting (the first); per setting, the
    rate ("0.3 (highest tried)" at an end of the grid), the test accuracy in
    percent with its 95% t-interval, and the rank
    with its 95% rank interval and tier ("3 [2, 5], tier 2"); then a note
    naming identical or near-identical functions. Columns are (setting, what).
    """
    part = rankings[rankings["dataset"] == dataset]
    if part.empty:
        raise ValueError(f"dataset={dataset!r} is not allowed: the rankings hold "
                         f"{', '.join(dict.fromkeys(rankings['dataset']))}")
    settings = list(dict.fromkeys(part["setting"]))
    order = list(part[part["setting"] == settings[0]]["activation"])
    columns = {}
    for setting in settings:
        ranks = part[part["setting"] == setting].set_index("activation")
        texts = _rank_texts(ranks)
        means = dict(zip(ranks.index, tables.intervals(ranks, scale=100.0), strict=True))
        tiers = ranks["tier"]
        if setting != settings[0]:
            columns[(setting, "rate")] = {
                n: f"{ranks.at[n, 'learning_rate']:g}"
                + (f" ({ranks.at[n, 'edge']} tried)" if ranks.at[n, "edge"] else "")
                if n in ranks.index else "not run" for n in order}
        columns[(setting, "test accuracy % [95% CI]")] = {n: means.get(n, "not run")
                                                          for n in order}
        columns[(setting, "rank [95% CI], tier")] = {
            n: f"{texts[n]}, tier {tiers[n]}" if n in texts and pd.notna(tiers[n]) else
            texts.get(n, "not run") for n in order}
    table = pd.DataFrame(columns, index=order)
    table[("", "note")] = _notes(order)
    table.index.name = "activation"
    return table


# -- learning rates chosen on validation, convergence ---------------------------------------------


def tune_learning_rate(summary: pd.DataFrame, by: Sequence[str] = ("activation", "depth")
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per group of ``by``, the learning rate with the best mean validation accuracy, and its runs.

    For runs trained with early stopping (``Config(restore_best=True)``): a
    run's validation accuracy is that of its best epoch (``best_val_accuracy``),
    whose state its test accuracy comes from. In each group the rate whose mean
    over seeds is highest is chosen (the smaller rate on a tie), so the test set
    plays no part in the choice. A rate at which any seed had no finite trained
    epoch (no ``best_epoch``) has no mean and is never chosen; a group where no
    rate has one keeps a row with NaN.

    Parameters
    ----------
    summary : DataFrame
        A GridResult's ``summary``.
    by : sequence of str
        The summary's columns that make a group (a rate is chosen for each).

    Returns
    -------
    runs : DataFrame
        One row per run at its group's chosen rate: ``by``, ``seed``,
        ``learning_rate``, ``best_epoch``, ``epochs_run``, ``best_val_accuracy``,
        ``test_accuracy``, ``diverged``, ``key``.
    chosen : DataFrame
        One row per group: ``by``, ``learning_rate``, ``best_val_accuracy`` (the
        mean over seeds at that rate), ``edge`` ("lowest" or "highest" where the
        rate is an end of the grid, so the best may lie beyond it, else ""),
        ``seeds``, and ``at_budget_end``, the share of those runs whose best epoch
        was their last (validation accuracy still rising when the budget ran out).

    Examples
    --------
    >>> summary = pd.DataFrame({"key": list("abcd"), "activation": "relu", "depth": 2,
    ...     "seed": [0, 1, 0, 1], "learning_rate": [0.1, 0.1, 0.01, 0.01],
    ...     "best_epoch": [3, 2, 5, 5], "epochs_run": 5, "best_val_accuracy": [0.91, 0.93, 0.94, 0.96],
    ...     "test_accuracy": [0.90, 0.92, 0.95, 0.96], "diverged": False})
    >>> runs, chosen = tune_learning_rate(summary)
    >>> runs["test_accuracy"].tolist(), chosen[["learning_rate", "edge", "at_budget_end"]].values.tolist()
    ([0.95, 0.96], [[0.01, 'lowest', 1.0]])
    """
    by = list(by)
    if "best_epoch" not in summary or summary["best_epoch"].isna().all():
        raise ValueError("summary has no best_epoch: these runs were not trained with "
                         "restore_best=True (or none had a finite epoch)")
    columns = [*by, "seed", "learning_rate", "best_epoch", "epochs_run", "best_val_accuracy",
               "test_accuracy", "diverged", "key"]
    frame = summary[columns].astype({"best_val_accuracy": float})
    # skipna=False: a rate at which a seed failed gets no mean, so it cannot be chosen.
    means = (frame.groupby([*by, "learning_rate"], sort=False)["best_val_accuracy"]
             .agg(lambda v: v.mean(skipna=False)).reset_index()
             .sort_values("learning_rate", kind="stable"))
    best = means.dropna(subset=["best_val_accuracy"])
    best = best.loc[best.groupby(by, sort=False)["best_val_accuracy"].idxmax()]
    chosen = frame[by].drop_duplicates().merge(best, on=by, how="left")
    grid = frame.groupby(by, sort=False)["learning_rate"].agg(["min", "max"]).reset_index()
    chosen = chosen.merge(grid, on=by, how="left")
    chosen["edge"] = np.select([chosen["learning_rate"] == chosen["min"],
                                chosen["learning_rate"] == chosen["max"]], ["lowest", "highest"],
                               "")
    runs = frame.merge(chosen[[*by, "learning_rate"]], on=[*by, "learning_rate"])
    at_end = (runs["best_epoch"] == runs["epochs_run"]).astype(float)
    budget = (at_end.groupby([runs[name] for name in by], sort=False).mean()
              .rename("at_budget_end").reset_index())
    seeds = runs.groupby(by, sort=False)["seed"].nunique().rename("seeds").reset_index()
    chosen = chosen.drop(columns=["min", "max"]).merge(seeds, on=by, how="left").merge(
        budget, on=by, how="left")
    chosen["seeds"] = chosen["seeds"].fillna(0).astype(int)
    return runs[columns].reset_index(drop=True), chosen


def task_table(summary: pd.DataFrame, value: str = "test_accuracy", by: str = "dataset",
               label: str = "test accuracy") -> pd.DataFrame:
    """Activations against tasks, for people: rows best first, a mean, interval and tier per task.

    Per task (``by``): the mean of ``value`` over seeds with its 95% t-interval,
    at the precision that task's intervals justify ("0.951 [0.947, 0.955]"; "1.00
    (same on every seed)" where no seed differed, rather than an interval of
    width 0), and the activation's tier there (:func:`actstudy.stats.rank_intervals`: one
    tier cannot be told apart from its best by a paired t-test over seeds, so
    one tier for every activation means the task does not separate them).
    Rows are sorted by the mean over tasks, highest first; ``rank`` marks equal
    means with "=", and ``note`` names identical or near-identical functions.
    Columns are (task, what), as in :func:`learning_rate_table`.

    >>> summary = pd.DataFrame({"dataset": "d", "activation": ["a"] * 3 + ["b"] * 3,
    ...                         "seed": [0, 1, 2] * 2,
    ...                         "test_accuracy": [0.90, 0.91, 0.92, 0.97, 0.98, 0.99]})
    >>> table = task_table(summary)
    >>> table.index.tolist(), table[("d", "tier")].tolist()
    (['b', 'a'], [1, 2])
    >>> table.loc["b", ("d", "test accuracy [95% CI]")]
    '0.98 [0.96, 1.00]'
    """
    columns, means = {}, {}
    for task, part in summary.groupby(by, sort=False):
        ranks = stats.rank_intervals(part, value, True).set_index("activation")
        # Identical values on every seed read "(same on every seed)", not a zero-width interval.
        columns[(task, f"{label} [95% CI]")] = dict(zip(ranks.index, tables.intervals(ranks),
                                                        strict=True))
        columns[(task, "tier")] = ranks["tier"]
        means[task] = ranks["mean"]
    overall = pd.DataFrame(means).mean(axis=1).sort_values(ascending=False, kind="stable")
    table = pd.DataFrame(columns).reindex(overall.index)
    rank = overall.rank(ascending=False, method="min").astype(int)
    tied = overall.duplicated(keep=False)
    table.insert(0, ("", "rank"), [f"{r}=" if t else f"{r}" for r, t in zip(rank, tied,
                                                                            strict=True)])
    table.insert(1, ("", f"mean {label} over tasks"), overall.map(lambda m: f"{m:.3f}"))
    table[("", "note")] = _notes(table.index)
    table.index.name = "activation"
    return table


def rule_table(rule: pd.DataFrame, threshold: float, label: str = "validation accuracy"
               ) -> pd.DataFrame:
    """:func:`hardest_reaching`'s frame for people: a row per task and level, the choice marked.

    The reference's mean with its 95% interval at each level, whether it
    reaches ``threshold``, and "chosen" at the level the rule picked. A
    ``setting`` column, where the frame has one, names the level for people.
    Three decimals throughout, whatever the interval: the rule compares the
    mean itself with the threshold, and 0.899 must not read as 0.90.
    """
    texts = [f"{m:.3f} [{lo:.3f}, {hi:.3f}]" if np.isfinite(lo) else f"{m:.3f} ({n} seeds)"
             for m, lo, hi, n in zip(rule["mean"], rule["ci_low"], rule["ci_high"],
                                     rule["seeds"], strict=True)]
    return pd.DataFrame({
        "task": rule["dataset"],
        "level": rule["setting"] if "setting" in rule else rule["level"],
        f"{label} [95% CI]": texts,
        f"reaches {threshold:g}": np.where(rule["reaches"], "yes", "no"),
        "rule": np.where(rule["chosen"], "chosen", ""),
    })


def hardest_reaching(summary: pd.DataFrame, threshold: float, reference: str = "relu",
                     level: str = "level", by: str = "dataset",
                     value: str = "final_val_accuracy") -> pd.DataFrame:
    """Per ``by`` group, the hardest ``level`` at which ``reference`` still reaches ``threshold``.

    The rule of :class:`actstudy.studies.ClassificationHard` (a larger level is
    harder). Only the reference activation's runs are read, so the choice
    cannot depend on how any other activation did. Per group and level: the
    mean of ``value`` over seeds with a 95% t-interval; the level *reaches*
    when that mean is at least ``threshold`` and every seed has a finite value
    (a run that failed counts against its level); the largest level that
    reaches is *chosen*. Where no level reaches, the group keeps its rows and
    none is chosen: an outcome to report, not an error.

    Returns
    -------
    DataFrame
        One row per group and level, easier levels first: ``by``, ``level``,
        ``mean``, ``ci_low``, ``ci_high``, ``seeds``, ``reaches``, ``chosen``.

    Examples
    --------
    >>> summary = pd.DataFrame({"dataset": ["a"] * 6 + ["b"] * 2, "activation": "relu",
    ...     "seed": [0, 1] * 4, "level": [4, 4, 2, 2, 3, 3, 2, 2],
    ...     "final_val_accuracy": [0.70, 0.80, 0.97, 0.95, 0.94, 0.88, 0.6, 0.7]})
    >>> rule = hardest_reaching(summary, 0.9)
    >>> rule[["dataset", "level", "reaches", "chosen"]].values.tolist()
    [['a', 2, True, False], ['a', 3, True, True], ['a', 4, False, False], ['b', 2, False, False]]
    """
    if isinstance(threshold, bool) or not (isinstance(threshold, numbers.Real)
                                           and np.isfinite(threshold)):
        raise ValueError(f"threshold={threshold!r} is not allowed: must be a finite number")
    runs = summary[summary["activation"] == reference]
    if runs.empty:
        raise ValueError(f"reference={reference!r} is not allowed: the summary has no runs of it; "
                         f"it has {', '.join(map(str, dict.fromkeys(summary['activation'])))}")
    rows = []
    for group, part in runs.groupby(by, sort=False):
        for setting, at_level in part.groupby(level):  # easier levels first
            values = at_level[value].astype(float)
            interval = stats.mean_ci(values)
            rows.append({by: group, level: setting, "mean": interval.mean,
                         "ci_low": interval.low, "ci_high": interval.high, "seeds": interval.n,
                         "reaches": bool(np.isfinite(values).all()
                                         and interval.mean >= threshold)})
    rule = pd.DataFrame(rows)
    rule[level] = pd.Series([row[level] for row in rows], dtype=object)  # 4 stays 4, not 4.0
    hardest = rule[rule["reaches"]].groupby(by, sort=False).tail(1).index
    rule["chosen"] = rule.index.isin(hardest)
    return rule


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


# -- the binary step's mechanism and PReLU's overfitting (studies binary_step, prelu_overfitting) -


# The binary_step study's networks, by (activation, train_hidden).
BINARY_STEP_NETWORKS = {("binary_step", True): "binary step, every layer trained",
                        ("binary_step", False): "binary step, output layer only",
                        ("identity", True): "logistic regression"}


def binary_step_network(frame: pd.DataFrame) -> pd.Series:
    """Which of the binary_step study's networks each row's run is (BINARY_STEP_NETWORKS).

    >>> frame = pd.DataFrame({"activation": ["binary_step", "identity"],
    ...                       "train_hidden": [False, True]})
    >>> binary_step_network(frame).tolist()
    ['binary step, output layer only', 'logistic regression']
    """
    names = [BINARY_STEP_NETWORKS.get((activation, bool(whole))) for activation, whole
             in zip(frame["activation"], frame["train_hidden"], strict=True)]
    return pd.Series(names, index=frame.index, name="network")


def mean_intervals(frame: pd.DataFrame, by: str | list[str], columns: dict[str, str],
                   digits: int | None = None) -> pd.DataFrame:
    """Per group: each column's mean over seeds with its 95% t-interval, written for people.

    ``columns`` maps a column to its heading; each cell reads "0.951 [0.947, 0.955]"
    (:func:`actstudy.tables.interval`, at the precision the column's intervals justify, or
    at ``digits`` decimals), or "1.000 (same on every seed)" where every seed gave the same value (an interval of
    width 0 would claim a certainty that a handful of seeds cannot give);
    ``seeds`` counts the runs. Groups keep their order of appearance.

    >>> frame = pd.DataFrame({"network": "a", "accuracy": [0.90, 0.91, 0.92]})
    >>> mean_intervals(frame, "network", {"accuracy": "test accuracy"}).loc[0, "test accuracy"]
    '0.91 [0.89, 0.93]'
    """
    table = None
    for column, heading in columns.items():
        part = stats.summarise(frame, by, column)
        places = tables.precision((part["ci_high"] - part["ci_low"]) / 2) if digits is None \
            else digits
        part[heading] = [tables.interval(m, low, high, decimals=places, n=n)
                         for m, low, high, n in zip(part["mean"], part["ci_low"],
                                                    part["ci_high"], part["n"], strict=True)]
        part = part.drop(columns=["mean", "ci_low", "ci_high"]).rename(columns={"n": "seeds"})
        table = part if table is None else table.merge(part.drop(columns="seeds"), on=by)
    return table[[*([by] if isinstance(by, str) else by), *columns.values(), "seeds"]]


def _one_run_per_seed(part: pd.DataFrame, what: str) -> pd.Series:
    if part["seed"].duplicated().any():
        raise ValueError(f"summary has several {what} runs for one seed; pass one setting's runs "
                         "(one dataset, depth and width)")
    return part.set_index("seed")["test_accuracy"]


def binary_step_mechanism(summary: pd.DataFrame, gradients: pd.DataFrame) -> pd.DataFrame:
    """Per seed: what back-propagation reaches in the binary-step network, beside two baselines.

    From the ``binary_step`` study's runs: ``max_hidden_kernel_gradient_norm``
    and ``max_hidden_bias_gradient_norm`` are the largest kernel- and
    bias-gradient norms of any hidden layer of the trained binary-step network
    over all ``recorded_steps`` (exactly 0 when no error signal passes the
    step); ``trained_accuracy`` is that network's test accuracy,
    ``frozen_accuracy`` the same network's with only its output layer trained
    (hidden layers frozen at their random start), ``linear_accuracy``
    logistic regression's (the identity network of depth 1). A seed some
    network lacks, or a diverged run, gives NaN there.

    >>> summary = pd.DataFrame({"key": ["t", "f", "l"], "seed": 0,
    ...     "activation": ["binary_step", "binary_step", "identity"],
    ...     "train_hidden": [True, False, True], "test_accuracy": [0.8, 0.8, 0.9]})
    >>> gradients = pd.DataFrame({"key": "t", "seed": 0, "step": [0, 0, 1, 1],
    ...     "layer": ["linear_0", "head"] * 2, "gradient_norm": [0.0, 2.0, 0.0, 1.0],
    ...     "bias_gradient_norm": [0.0, 0.5, 0.0, 0.4]})
    >>> binary_step_mechanism(summary, gradients).iloc[0].tolist()
    [0.0, 0.0, 0.0, 2.0, 0.8, 0.8, 0.9]
    """
    step = summary["activation"] == "binary_step"
    whole = summary["train_hidden"].astype(bool)
    trained, frozen = summary[step & whole], summary[step & ~whole]
    linear = summary[summary["activation"] == "identity"]
    for part, what in ((trained, "trained binary-step"), (frozen, "frozen binary-step"),
                       (linear, "identity (logistic regression)")):
        if part.empty:
            raise ValueError(f"summary has no {what} runs: pass the binary_step study's runs")
    hidden = gradients[gradients["key"].isin(trained["key"]) & (gradients["layer"] != "head")]
    norms = hidden.groupby("seed").agg(
        max_hidden_kernel_gradient_norm=("gradient_norm", "max"),
        max_hidden_bias_gradient_norm=("bias_gradient_norm", "max"),
        recorded_steps=("step", "nunique"))
    accuracies = pd.DataFrame({
        "trained_accuracy": _one_run_per_seed(trained, "trained binary-step"),
        "frozen_accuracy": _one_run_per_seed(frozen, "frozen binary-step"),
        "linear_accuracy": _one_run_per_seed(linear, "identity")})
    table = norms.join(accuracies, how="outer")
    table.index.name = "seed"
    return table.reset_index().astype({"seed": int})


def overfitting_gap(summary: pd.DataFrame) -> pd.DataFrame:
    """Per activation and seed: the final model's accuracy on training, validation and test data.

    ``train_accuracy`` is the final model's on the whole training split (not
    the last epoch's running mean), ``val_accuracy`` and ``test_accuracy`` the
    same model's on the validation and test sets, and ``gap_pp`` is train
    minus validation accuracy in percentage points: how much better the
    network does on the samples it was fitted to. Rows keep the runs' order.

    >>> summary = pd.DataFrame({"activation": "prelu", "activation_label": "prelu", "seed": [0],
    ...     "final_train_accuracy_full": [1.0], "final_val_accuracy": [0.9],
    ...     "test_accuracy": [0.89]})
    >>> overfitting_gap(summary)["gap_pp"].round(6).tolist()
    [10.0]
    """
    if summary["final_train_accuracy_full"].isna().all():
        raise ValueError("these runs have no final training-split accuracy (records written "
                         "before it was kept): train them again")
    table = summary[["activation", "activation_label", "seed"]].copy()
    table["train_accuracy"] = summary["final_train_accuracy_full"].astype(float)
    table["val_accuracy"] = summary["final_val_accuracy"].astype(float)
    table["test_accuracy"] = summary["test_accuracy"].astype(float)
    table["gap_pp"] = 100 * (table["train_accuracy"] - table["val_accuracy"])
    return table.reset_index(drop=True)


def learned_slopes(learned: pd.DataFrame) -> pd.DataFrame:
    """PReLU's slopes after training: one row per run, hidden layer and unit.

    ``slope`` is the unit's slope at the run's last recorded epoch,
    ``initial`` its start (epoch 0) and ``change`` the difference; leaky ReLU
    runs have none (their slope is fixed).

    >>> learned = pd.DataFrame({"key": "k", "activation_label": "prelu", "seed": 0,
    ...     "epoch": [0, 3], "layer": "activation_0", "layer_index": 0, "parameter": "slope",
    ...     "values": [[0.01, 0.01], [0.05, -0.02]], "mean": [0.01, 0.015]})
    >>> learned_slopes(learned)[["unit", "slope", "change"]].round(3).values.tolist()
    [[0.0, 0.05, 0.04], [1.0, -0.02, -0.03]]
    """
    units = unit_parameters(learned, "slope")
    last = units["epoch"] == units.groupby("key")["epoch"].transform("max")
    start = units[units["epoch"] == 0].set_index(["key", "layer_index", "unit"])["value"]
    final = units[last].rename(columns={"value": "slope"})
    final["initial"] = start.reindex(
        pd.MultiIndex.from_frame(final[["key", "layer_index", "unit"]])).to_numpy()
    final["change"] = final["slope"] - final["initial"]
    return final.reset_index(drop=True)


# -- arithmetic and extrapolation ----------------------------------------------------------

# How tables and figures name the NAC and NALU networks; an MLP is named by its activation.
ARITHMETIC_MODEL_NAMES = {"nac": "NAC", "nalu": "NALU"}
# The paper's scale: an error as a percentage of the randomly initialised model's.
RANDOM_SCORE = 100.0


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
    """The 95% t-interval over seeds of log10 scores (a score below 1e-12 counts as 1e-12)."""
    with np.errstate(divide="ignore"):
        return stats.mean_ci(np.log10(np.maximum(np.asarray(scores, dtype=float), 1e-12)))


def _geometric_text(mean: float, low: float, high: float, n: int) -> str:
    """A geometric mean and its interval for people: "0.012 [0.004, 0.04]"."""
    return f"{mean:.2g} [{low:.2g}, {high:.2g}]" if n >= 2 else f"{mean:.2g}"


def arithmetic_table(errors: pd.DataFrame, split: str) -> pd.DataFrame:
    """A split's scores as a model x task table for people: the geometric mean over seeds
    with its 95% t-interval on log10, "0.012 [0.004, 0.04]", and "(k failed)" where k runs
    diverged or overflowed (scored 100). Rows sorted by the mean log score over tasks."""
    score = f"{split}_score"
    cells, order = {}, {}
    for (model, task), part in errors.groupby(["model", "task"], sort=False):
        interval = _log_interval(part[score])
        text = _geometric_text(10 ** interval.mean, 10 ** interval.low, 10 ** interval.high,
                               interval.n)
        failed = int(part[f"{split}_failed"].sum())
        cells.setdefault(model, {})[task] = text + (f" ({failed} failed)" if failed else "")
        order.setdefault(model, []).append(interval.mean)
    tasks = list(dict.fromkeys(errors["task"]))
    table = pd.DataFrame.from_dict(cells, orient="index")[tasks]
    table = table.loc[sorted(table.index, key=lambda m: np.mean(order[m]))]
    return table.rename_axis(f"{split} score (100 = the random model)").reset_index()


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
    """Per NALU run and layer: its gate after training, the mean over units of each unit's
    mean gate on the probe batch (1: the adding path, 0: the multiplying path).

    ``learned`` is a grid's ``learned`` frame; the last epoch recorded per run.
    """
    gates = learned[(learned["architecture"] == "nalu") & (learned["parameter"] == "gate")]
    last = gates[gates["epoch"] == gates.groupby("key")["epoch"].transform("max")]
    return pd.DataFrame({"task": last["dataset"].map(_task), "seed": last["seed"],
                         "layer": last["layer_index"] + 1, "gate": last["mean"]}
                        ).reset_index(drop=True)


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
    from actstudy import models

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
    return (errors.assign(**{f"{s}_log": np.log10(errors[f"{s}_score"].clip(lower=1e-12))
                             for s in ("interpolation", "extrapolation")})
            .groupby(["operation", "model"], sort=False)[["interpolation_log",
                                                          "extrapolation_log"]].mean())


def arithmetic_findings(errors: pd.DataFrame) -> str:
    """What the error table says, in sentences made from it by :data:`LEARNED_SCORE`'s rule: a
    model learns a split of a task when its geometric-mean score there is below it.

    >>> errors = pd.DataFrame({"operation": ["add", "add", "multiply", "multiply"],
    ...     "task": ["a + b", "a + b", "a × b", "a × b"], "model": ["relu", "NALU"] * 2,
    ...     "seed": 0, "interpolation_score": [0.1, 0.2, 0.3, 5.0],
    ...     "extrapolation_score": [0.5, 40.0, 60.0, 20.0]})
    >>> print(arithmetic_findings(errors))
    Inside the training range (score below 1: an error under 1% of the random model's), 1 of 2 models learn every task (relu); NALU misses a × b. Outside it: a + b is learnt by relu; no model learns a × b.
    """
    means = _mean_log_scores(errors) < np.log10(LEARNED_SCORE)
    models = list(dict.fromkeys(errors["model"]))
    tasks = dict(zip(errors["operation"], errors["task"], strict=True))
    inside = means["interpolation_log"].unstack("operation")
    every = [m for m in models if inside.loc[m].all()]
    missed = [f"{m} misses {', '.join(tasks[o] for o in inside.columns if not inside.loc[m, o])}"
              for m in models if m not in every]
    text = (f"Inside the training range (score below {LEARNED_SCORE:g}: an error under 1% of "
            f"the random model's), {len(every)} of {len(models)} models learn every task"
            + (f" ({', '.join(every)})" if every else "") + ("; " + "; ".join(missed) if missed
                                                             else "") + ".")
    outside = means["extrapolation_log"].unstack("model")
    learnt, nobody = [], []
    for operation, row in outside.iterrows():
        who = [m for m in models if m in row.index and row[m]]
        if who:
            learnt.append(f"{tasks[operation]} is learnt by {', '.join(who)}")
        else:
            nobody.append(tasks[operation])
    parts = learnt + ([f"no model learns {', '.join(nobody)}"] if nobody else [])
    return text + " Outside it: " + "; ".join(parts) + "."


# A NALU layer picks a path when its gate, averaged over units and seeds, is within this of
# 0 (the multiplying path) or 1 (the adding path); in between it mixes the two.
GATE_CHOICE = 0.1


def gate_findings(gates: pd.DataFrame) -> str:
    """Whether the NALU picks an operation, by :data:`GATE_CHOICE`'s rule, from
    :func:`nalu_gates`.

    >>> gates = pd.DataFrame({"task": ["a + b"] * 4, "seed": [0, 1, 0, 1],
    ...                       "layer": [1, 1, 2, 2], "gate": [0.97, 0.95, 0.4, 0.6]})
    >>> print(gate_findings(gates))
    The NALU's gates (per task and layer, the mean over units and seeds) lie between 0.50 and 0.96; 1 of 2 task layers pick a path (a + b layer 1: adding), the rest mix adding and multiplying.
    """
    means = gates.groupby(["task", "layer"], sort=False)["gate"].mean()
    picks = [f"{task} layer {layer}: {'adding' if gate > 0.5 else 'multiplying'}"
             for (task, layer), gate in means.items() if min(gate, 1 - gate) < GATE_CHOICE]
    return (f"The NALU's gates (per task and layer, the mean over units and seeds) lie between "
            f"{means.min():.2f} and {means.max():.2f}; {len(picks)} of {len(means)} task layers "
            f"pick a path" + (f" ({'; '.join(picks)})" if picks else "")
            + ", the rest mix adding and multiplying.")


def weight_findings(weights: pd.DataFrame) -> str:
    """How far the first layers' weights are from a found solution, from
    :func:`arithmetic_weights`: per task and model, the mean |W| on a's and b's inputs over
    the mean |W| on the others (a found solution has 1 on them and 0 elsewhere).

    >>> weights = pd.DataFrame({"task": "a + b", "model": ["NAC", "NALU"], "seed": 0,
    ...                         "on a and b": [0.9, 0.4], "on the others": [0.1, 0.2]})
    >>> print(weight_findings(weights))
    On a's and b's inputs the first layer's mean |W| is 2× to 9× its mean on the distractors (per task and model, means over seeds); a found solution puts |W| = 1 on them and 0 on the rest.
    """
    means = weights.groupby(["task", "model"])[["on a and b", "on the others"]].mean()
    ratio = means["on a and b"] / means["on the others"]
    return (f"On a's and b's inputs the first layer's mean |W| is {ratio.min():.2g}× to "
            f"{ratio.max():.2g}× its mean on the distractors (per task and model, means over "
            "seeds); a found solution puts |W| = 1 on them and 0 on the rest.")


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


# Marks our score where it falls on the other side of LEARNED_SCORE from the paper's.
DIFFERS = "†"


def paper_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`paper_comparison` laid out as the paper's table: a row per task, per model the
    paper's score and ours ("0.02 [0.0036, 0.11]"), ours marked † where it falls on the other
    side of 1 from the paper's.

    >>> comparison = pd.DataFrame({"task": "a × b", "model": ["ReLU6", "NALU"],
    ...     "paper": [10.1, 0.0], "mean": [0.4, 0.02], "low": [0.071, 0.0036],
    ...     "high": [2.2, 0.11], "n": 3, "same_side": [False, True]})
    >>> paper_table(comparison).values.tolist()
    [['a × b', '10.1', '0.4 [0.071, 2.2] †', '0', '0.02 [0.0036, 0.11]']]
    """
    table = {}
    for _, row in comparison.iterrows():
        ours = _geometric_text(row["mean"], row["low"], row["high"], row["n"])
        cells = table.setdefault(row["task"], {"task": row["task"]})
        cells[f"{row['model']}: paper"] = f"{row['paper']:g}"
        cells[f"{row['model']}: ours"] = ours + ("" if row["same_side"] else f" {DIFFERS}")
    return pd.DataFrame(list(table.values()))


def paper_agreement(errors: pd.DataFrame) -> pd.DataFrame:
    """Each of the paper's findings on the static tasks beside ours: per finding and task, the
    models' geometric-mean scores, and whether ours agree (a model "learns" a split of a task
    when its geometric-mean score is below :data:`LEARNED_SCORE`; for "MLPs", the finding
    holds when every MLP does, and "none extrapolates" when none does)."""
    means = _mean_log_scores(errors)
    rows = []
    for statement, who, operations, split, learned in PAPER_FINDINGS:
        for operation in operations:
            if operation not in means.index.get_level_values("operation"):
                continue
            scores = 10 ** means.loc[operation][f"{split}_log"]
            mlps = [m for m in scores.index
                    if m not in (*ARITHMETIC_MODEL_NAMES.values(), "identity")]
            chosen = scores[mlps] if who == "MLPs" else scores[[who]] if who in scores else None
            if chosen is None or chosen.empty:
                continue
            below = chosen < LEARNED_SCORE
            agrees = bool(below.all()) if learned else bool(not below.any())
            if len(chosen) == 1:
                ours = f"{chosen.iloc[0]:.2g}"
            else:
                best, worst = chosen.idxmin(), chosen.idxmax()
                ours = f"best {best} {chosen[best]:.2g}, worst {worst} {chosen[worst]:.2g}"
            rows.append({"the paper": statement, "task": data.ARITHMETIC[operation][0],
                         "our score": ours, "ours agree": "yes" if agrees else "no"})
    return pd.DataFrame(rows)
