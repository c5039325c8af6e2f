"""Rankings across experiments and learning rates: rank intervals, the best rate per activation, rank flips, rates tuned on validation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.studies.base import choose_rates

__all__ = ["ranking", "learning_rate_curves", "best_learning_rates", "learning_rate_rankings",
           "rank_flips", "flip_counts", "tune_learning_rate"]


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
    chosen = choose_rates(frame, by).drop(columns="rates")
    runs = frame.merge(chosen[[*by, "learning_rate"]], on=[*by, "learning_rate"])
    at_end = (runs["best_epoch"] == runs["epochs_run"]).astype(float)
    budget = (at_end.groupby([runs[name] for name in by], sort=False).mean()
              .rename("at_budget_end").reset_index())
    seeds = runs.groupby(by, sort=False)["seed"].nunique().rename("seeds").reset_index()
    chosen = chosen.merge(seeds, on=by, how="left").merge(
        budget, on=by, how="left")
    chosen["seeds"] = chosen["seeds"].fillna(0).astype(int)
    return runs[columns].reset_index(drop=True), chosen
