"""Statistics over seeds: means with 95% intervals, paired differences, effect sizes, rankings.

Every comparison in the reports goes through here, so "A beats B" is never
said from one seed.

>>> from actstudy import stats
>>> interval = stats.mean_ci([0.97, 0.98, 0.975])
>>> round(interval.mean, 3), interval.n
(0.975, 3)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 10_000


@dataclass(frozen=True)
class Interval:
    """A mean (or mean difference) with its confidence interval over n samples."""

    mean: float
    low: float
    high: float
    n: int
    method: str

    def __str__(self) -> str:
        if not math.isfinite(self.low):
            return f"{self.mean:.4g} (n={self.n})"
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}]"


def _clean(values) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel()
    return values[np.isfinite(values)]


def mean_ci(values, confidence: float = CONFIDENCE, method: str = "t", seed: int = 0) -> Interval:
    """Mean and confidence interval: Student's t, or a percentile bootstrap.

    The bootstrap suits skewed quantities (ratios, times); the t-interval the
    roughly normal ones (accuracies, losses over seeds). Non-finite values are
    dropped; with fewer than two values the interval is unbounded.
    """
    if method not in ("t", "bootstrap"):
        raise ValueError(f"method={method!r} is not allowed: choose 't' or 'bootstrap'")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is not allowed: must be in (0, 1)")
    values = _clean(values)
    n = len(values)
    if n == 0:
        return Interval(math.nan, -math.inf, math.inf, 0, method)
    mean = float(values.mean())
    if n < 2:
        return Interval(mean, -math.inf, math.inf, n, method)
    if method == "t":
        spread = float(values.std(ddof=1))
        if spread == 0:
            return Interval(mean, mean, mean, n, method)
        half = scipy_stats.t.ppf(0.5 + confidence / 2, n - 1) * spread / math.sqrt(n)
        return Interval(mean, mean - half, mean + half, n, method)
    result = scipy_stats.bootstrap(
        (values,), np.mean, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile", rng=np.random.default_rng(seed),
    )
    return Interval(mean, float(result.confidence_interval.low),
                    float(result.confidence_interval.high), n, method)


def paired_difference(a, b, confidence: float = CONFIDENCE, method: str = "t") -> Interval:
    """Mean of a - b over pairs (e.g. two activations on the same seeds)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples need equal lengths, got {a.shape} and {b.shape}")
    return mean_ci(a - b, confidence=confidence, method=method)


def paired(frame: pd.DataFrame, value: str, a: str, b: str, by: str = "activation",
           transform=None, method: str = "t") -> Interval:
    """Mean of value[a] - value[b] over seeds both have (transform applied to each first)."""
    table = frame.pivot_table(index="seed", columns=by, values=value, aggfunc="mean")
    if a not in table or b not in table:
        return Interval(math.nan, -math.inf, math.inf, 0, method)
    both = table[[a, b]].dropna()
    left, right = both[a].to_numpy(float), both[b].to_numpy(float)
    if transform is not None:
        left, right = transform(left), transform(right)
    return paired_difference(left, right, method=method)


def summarise(frame: pd.DataFrame, by, value: str, method: str = "t") -> pd.DataFrame:
    """Mean, 95% CI and n of ``value`` per group: one row per group."""
    rows = []
    for group, part in frame.groupby(by, sort=False):
        interval = mean_ci(part[value], method=method)
        group = group if isinstance(group, tuple) else (group,)
        rows.append({**dict(zip([by] if isinstance(by, str) else by, group, strict=True)),
                     "mean": interval.mean, "ci_low": interval.low, "ci_high": interval.high,
                     "n": interval.n})
    return pd.DataFrame(rows)


RANK_RESAMPLES = 4000


def seed_table(frame: pd.DataFrame, value: str, by: str = "activation") -> pd.DataFrame:
    """``value`` as one row per seed and one column per ``by`` entry (in the frame's order).

    Several rows of one entry and seed are averaged; non-finite values become NaN.
    """
    for name, column in (("by", by), ("value", value)):
        if column not in frame.columns:
            raise ValueError(f"{name}={column!r} is not allowed: the frame has no such column; "
                             f"it has {', '.join(map(str, frame.columns))}")
    if "seed" not in frame.columns:
        raise ValueError("frame has no 'seed' column: ranks are bootstrapped over seeds")
    if frame.empty:
        raise ValueError("frame is empty: there is nothing to rank")
    numbers = pd.to_numeric(frame[value], errors="coerce").astype(float)
    values = frame.assign(**{value: numbers.where(np.isfinite(numbers))})
    table = values.pivot_table(index="seed", columns=by, values=value, aggfunc="mean",
                               dropna=False)
    return table.reindex(columns=list(dict.fromkeys(frame[by])))


def resampled_ranks(table: pd.DataFrame, higher_is_better: bool,
                    resamples: int = RANK_RESAMPLES, seed: int = 0, method: str = "min"
                    ) -> np.ndarray:
    """Ranks of a :func:`seed_table`'s columns under a paired, t-calibrated bootstrap over seeds.

    Runs with one seed share their data order and initial draw, so the columns
    are paired by seed (row), and every resample reweights the seeds jointly:
    a Gaussian multiplier ("wild") bootstrap, in which column a's mean becomes
    ``mean_a + c_a * sum_i g_i (x_ia - mean_a)`` with one standard-normal
    weight ``g_i`` per seed, the same for every column, and
    ``c_a = sqrt(n_a / (n_a - 1)) / n_a * sqrt(df / chi2_df)`` with one
    chi-square draw per resample (``df`` = seeds - 1). Each column's mean, and
    the difference of any two over the seeds both have, is then spread as
    their Student-t intervals say, so the ranks agree with the paired t-tests
    of :func:`rank_intervals`' tiers. Resampling seeds with replacement instead
    has only C(2n - 1, n) outcomes (10 for 3 seeds) and never leaves the range
    of the seeds' values: far too narrow for a handful of seeds.

    Returns an array (resamples, columns) of ranks, 1 = best (ties by scipy's
    ``method``; only identical columns tie). A column with fewer than two
    values can rank anywhere: it gets the best rank in half the resamples and
    the worst in the other half.
    """
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 100:
        raise ValueError(f"resamples={resamples!r} is not allowed: must be an integer >= 100")
    scores = (1.0 if higher_is_better else -1.0) * table.to_numpy(dtype=float)
    count = np.sum(np.isfinite(scores), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column without values
        means = np.nanmean(scores, axis=0)
    deviations = np.nan_to_num(scores - means)
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((resamples, len(table)))
    df = max(len(table) - 1, 1)
    spread = np.sqrt(df / rng.chisquare(df, size=(resamples, 1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(count >= 2, np.sqrt(count / (count - 1)) / count, 0.0)
    draws = means + weights @ deviations * scale * spread
    unknown = count < 2
    coin = rng.random((resamples, 1)) < 0.5
    draws[:, unknown] = np.where(coin, np.inf, -np.inf)  # anywhere from first to last
    return scipy_stats.rankdata(-draws, method=method, axis=1)


def rank_intervals(frame: pd.DataFrame, value: str, higher_is_better: bool,
                   by: str = "activation", confidence: float = CONFIDENCE,
                   resamples: int = RANK_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Each entry's mean over seeds, its rank, an interval for the rank, and tiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per run at least: the columns ``by``, ``"seed"`` and ``value``.
        Several rows of one entry and seed (datasets, say) are averaged first.
        Non-finite values (diverged runs) count as missing.
    value : str
        The column to rank by.
    higher_is_better : bool
        True for accuracies, False for losses and errors.
    by : str
        The column that names what is ranked.
    confidence : float
        Of the mean's interval, the rank interval and the paired comparisons behind
        the tiers.
    resamples : int
        Bootstrap resamples (at least 100).
    seed : int
        Of the bootstrap's NumPy generator, so a table is the same at every render.

    Returns
    -------
    pandas.DataFrame
        One row per entry, best first: ``by``; ``mean`` over its seeds with
        ``ci_low`` and ``ci_high``, a Student-t interval; ``seeds`` (finite
        values); ``rank`` (1 = best; equal means share the better rank);
        ``rank_low`` and ``rank_high``, the rank interval; ``tier``. An entry
        without any finite value comes last, without rank or tier.

    Notes
    -----
    Rank interval: the central ``confidence`` share of each entry's ranks in
    ``resamples`` paired, t-calibrated bootstrap resamples of the seeds
    (:func:`resampled_ranks`). An entry with fewer than two finite values can
    rank anywhere.

    Tiers: entries in order of their means; the first starts tier 1, and each
    next entry joins the current tier when the ``confidence`` t-interval of
    its paired difference from that tier's first (best) entry, over the
    seeds both have, contains 0, and starts the next tier otherwise. So every
    member of a tier is indistinguishable from the tier's best (unadjusted
    for the number of comparisons, which makes a new tier easier to start),
    and with fewer than two shared seeds nothing is told apart.

    Examples
    --------
    >>> frame = pd.DataFrame({"activation": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
    ...                       "seed": [0, 1, 2] * 3,
    ...                       "accuracy": [0.9, 0.92, 0.91, 0.5, 0.52, 0.49, 0.5, 0.52, 0.49]})
    >>> table = rank_intervals(frame, "accuracy", higher_is_better=True)
    >>> table[["activation", "rank", "rank_low", "rank_high", "tier"]].values.tolist()
    [['a', 1, 1, 1, 1], ['b', 2, 2, 2, 2], ['c', 2, 2, 2, 2]]
    """
    if not isinstance(higher_is_better, bool | np.bool_):
        raise ValueError(f"higher_is_better={higher_is_better!r} is not allowed: give True or "
                         "False")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is not allowed: must be in (0, 1)")
    table = seed_table(frame, value, by)
    ranked = (table.notna().sum() > 0).to_numpy()
    ranks = resampled_ranks(table.loc[:, ranked], higher_is_better, resamples, seed)
    tail = (1 - confidence) / 2

    intervals = [mean_ci(table[name], confidence) for name in table.columns]
    result = pd.DataFrame({by: table.columns, "mean": [i.mean for i in intervals],
                           "ci_low": [i.low for i in intervals],
                           "ci_high": [i.high for i in intervals],
                           "seeds": [i.n for i in intervals],
                           "rank": np.nan, "rank_low": np.nan, "rank_high": np.nan,
                           "tier": np.nan})
    sign = 1.0 if higher_is_better else -1.0
    result.loc[ranked, "rank"] = scipy_stats.rankdata(-sign * result["mean"][ranked],
                                                      method="min")
    result.loc[ranked, "rank_low"] = np.quantile(ranks, tail, axis=0, method="lower")
    result.loc[ranked, "rank_high"] = np.quantile(ranks, 1 - tail, axis=0, method="higher")
    result = result.sort_values("rank", kind="stable", na_position="last")
    leader, tier = None, 0
    for index in result.index[ranked[result.index]]:
        name = result.at[index, by]
        if leader is not None:
            both = table[[leader, name]].dropna()
            difference = paired_difference(both[leader], both[name], confidence=confidence)
        if leader is None or difference.low > 0 or difference.high < 0:
            leader, tier = name, tier + 1  # told apart from the tier's best: a new tier
        result.at[index, "tier"] = tier
    for column in ("rank", "rank_low", "rank_high", "tier"):
        result[column] = result[column].astype("Int64")
    return result.reset_index(drop=True)
