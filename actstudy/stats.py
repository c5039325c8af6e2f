"""Statistics over seeds: means with 95% intervals, paired differences, effect sizes, rankings.

Every comparison in the reports goes through here, so "A beats B" is never
said from one seed.

>>> from actstudy import stats
>>> interval = stats.mean_ci([0.97, 0.98, 0.975])
>>> round(interval.mean, 3), interval.n
(0.975, 3)
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

# Positive quantities (ratios, errors) are compared on log10; a value below this floor, 0
# included, counts as the floor, so a log is always finite. Far below any ratio measured here
# (the smallest, sigmoid's first/last-layer ratio at depth 20, is about 7e-13), so it only
# ever stands in for 0.
LOG_FLOOR = 1e-30


def log10(values, floor: float = LOG_FLOOR):
    """log10 of positive values, each at least ``floor`` (a Series stays a Series).

    >>> log10([100.0, 0.0]).tolist()
    [2.0, -30.0]
    """
    if isinstance(values, list | tuple):
        values = np.asarray(values, dtype=float)
    return np.log10(np.maximum(values, floor))


CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 10_000
# A percentile bootstrap over a handful of values cannot reach beyond the smallest and
# largest of them, so its interval is too narrow; below this many it is refused.
BOOTSTRAP_MINIMUM = 20
POWER = 0.8  # the power at which a minimum detectable effect is stated


@dataclass(frozen=True)
class Interval:
    """A mean (or mean difference) with its confidence interval over n samples."""

    mean: float
    low: float
    high: float
    n: int
    method: str
    spread: float = math.nan  # the values' standard deviation (what power depends on)
    resolution: float = 0.0  # the step a counted quantity moves in (mean_ci), 0 if continuous
    # Where the estimate's standard error is not spread / sqrt(n) (between_builds): that
    # standard error and its degrees of freedom; NaN otherwise (then n - 1).
    standard_error: float = math.nan
    df: float = math.nan

    def __str__(self) -> str:
        if not math.isfinite(self.low):
            return f"{self.mean:.4g} (n={self.n})"
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}]"


def _standard_error(interval: Interval) -> float:
    if math.isfinite(interval.standard_error):
        return interval.standard_error
    return interval.spread / math.sqrt(interval.n)


def _df(interval: Interval) -> float:
    return interval.df if math.isfinite(interval.df) else interval.n - 1


def _clean(values) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel()
    return values[np.isfinite(values)]


def mean_ci(values, confidence: float = CONFIDENCE, method: str = "t", seed: int = 0,
            resolution: float = 0.0) -> Interval:
    """Mean and confidence interval: Student's t, or a percentile bootstrap.

    The t-interval suits roughly normal quantities (accuracies, losses over
    seeds; ratios on a log scale); the bootstrap needs at least
    ``BOOTSTRAP_MINIMUM`` values. Non-finite values are dropped; with fewer
    than two values the interval is unbounded.

    ``resolution`` is the step a quantity is counted in (1 for whole epochs):
    the true value behind a count lies anywhere within half a step of it, so
    the interval is widened by half a step on each side, and identical counts
    over seeds never give a zero-width, "certain" interval.
    """
    if method not in ("t", "bootstrap"):
        raise ValueError(f"method={method!r} is not allowed: choose 't' or 'bootstrap'")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is not allowed: must be in (0, 1)")
    if not (math.isfinite(resolution) and resolution >= 0):
        raise ValueError(f"resolution={resolution!r} is not allowed: must be a finite number >= 0")
    values = _clean(values)
    n = len(values)
    if n == 0:
        return Interval(math.nan, -math.inf, math.inf, 0, method)
    mean = float(values.mean())
    if n < 2:
        return Interval(mean, -math.inf, math.inf, n, method)
    spread = float(values.std(ddof=1))
    if method == "t":
        half = scipy_stats.t.ppf(0.5 + confidence / 2, n - 1) * spread / math.sqrt(n)
        half += resolution / 2
        return Interval(mean, mean - half, mean + half, n, method, spread, resolution)
    if n < BOOTSTRAP_MINIMUM:
        raise ValueError(f"method='bootstrap' is not allowed for {n} values: a percentile "
                         f"bootstrap needs at least {BOOTSTRAP_MINIMUM} (it cannot reach beyond "
                         "the extreme values); use the t-interval, on logs for a ratio")
    result = scipy_stats.bootstrap(
        (values,), np.mean, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile", rng=np.random.default_rng(seed),
    )
    return Interval(mean, float(result.confidence_interval.low) - resolution / 2,
                    float(result.confidence_interval.high) + resolution / 2, n, method, spread,
                    resolution)


# The method of a share's interval (:func:`share`): values in percent.
CLOPPER_PEARSON = "clopper-pearson"


def _builds(values, earlier, confidence: float, what: str):
    """This build's processes' and earlier builds' finite estimates, checked."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is not allowed: must be in (0, 1)")
    values, earlier = _clean(values), _clean(earlier)
    if len(earlier) < 2:
        raise ValueError(f"earlier has {len(earlier)} finite value(s): {what} needs at least 2")
    return values, earlier


def between_builds(values, earlier, confidence: float = CONFIDENCE) -> Interval:
    """One build's estimate, the median of ``values`` (its fresh processes' estimates), with
    the interval a build's estimate has on this machine: Student's t over ``earlier``, the
    same estimate (a median over processes) in earlier builds on the same kind of machine (at
    least two).

    Processes within one build run one after another in a minute or two, so the interval over
    them does not hold what moves from build to build (the machine's state over hours); the
    spread of earlier builds' estimates does, within-build noise included. It is an
    intermediate-precision standard deviation (a measurement's spread between occasions, from
    a precision study of repeated occasions), the standard error of one build's estimate: the
    interval is estimate ± t(builds - 1) × SD(earlier estimates). The median, because a
    process during which the machine was busy moves the mean over five processes (measured:
    one process at GELU 0.97x ReLU where the other four gave 1.08x to 1.11x). SciPy has the
    quantile but not this interval.

    >>> interval = between_builds([1.0, 1.1, 1.9], [0.0, 0.1, 0.2])
    >>> round(interval.mean, 2), round(interval.high - interval.mean, 3), interval.n
    (1.1, 0.43, 3)
    """
    values, earlier = _builds(values, earlier, confidence, "the spread between builds")
    if len(values) == 0:
        return Interval(math.nan, -math.inf, math.inf, 0, "t")
    estimate = float(np.median(values))
    error = float(earlier.std(ddof=1))
    df = len(earlier) - 1
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, df)) * error
    spread = float(values.std(ddof=1)) if len(values) > 1 else math.nan
    return Interval(estimate, estimate - half, estimate + half, len(values), "t", spread,
                    standard_error=error, df=float(df))


def over_builds(values, earlier, confidence: float = CONFIDENCE) -> Interval:
    """A ratio decided over a machine's builds: this build's estimate, the median of
    ``values`` (its fresh processes' estimates), joins ``earlier`` (earlier occasions'
    estimates on the same kind of machine, at least two) as one more occasion; the estimate is
    their mean and the interval Student's t over them, on n occasions with n - 1 degrees of
    freedom.

    It is the summary-statistic form of a random-effects model with the occasion as the random
    effect: each occasion's estimate holds its own processes' noise and the machine's state
    that day, so the t-interval over occasions holds both. One build's estimate with an
    interval as wide as builds move (:func:`between_builds`) cannot decide a ratio close to its
    margin: its verdict flips from build to build.

    >>> interval = over_builds([0.09, 0.10, 0.11], [0.0, 0.1, 0.2])
    >>> round(interval.mean, 3), interval.n
    (0.1, 4)
    """
    values, earlier = _builds(values, earlier, confidence, "pooling over builds")
    if len(values) == 0:
        return Interval(math.nan, -math.inf, math.inf, 0, "t")
    return mean_ci(np.append(earlier, np.median(values)), confidence)


def share(successes: int, n: int, confidence: float = CONFIDENCE) -> Interval:
    """The share of ``n`` trials that succeeded, in percent, with its exact (Clopper-Pearson)
    interval (SciPy's binomial test): for success rates over seeds, whose bounds stay inside
    0 to 100%.

    >>> interval = share(8, 10)
    >>> interval.mean, round(interval.low, 1), round(interval.high, 1)
    (80.0, 44.4, 97.5)
    """
    from scipy.stats import binomtest

    if n < 1:
        return Interval(math.nan, -math.inf, math.inf, 0, CLOPPER_PEARSON)
    bounds = binomtest(int(successes), int(n)).proportion_ci(confidence_level=confidence,
                                                              method="exact")
    return Interval(100 * successes / n, 100 * bounds.low, 100 * bounds.high, int(n),
                    CLOPPER_PEARSON)


def at_confidence(interval: Interval, confidence: float) -> Interval:
    """The same estimate's interval at another confidence level: Student's t from its spread
    (half a ``resolution`` step wider each side, as :func:`mean_ci`), Clopper-Pearson from its
    count; an exact value is its own interval. A percentile bootstrap keeps its own (its draws
    are not kept).

    >>> wide = at_confidence(Interval(1.0, 0.0, 2.0, 10, "t", spread=1.0), 0.99)
    >>> round(float(wide.high - wide.mean), 3)
    1.028
    """
    if interval.method == "t" and _df(interval) >= 1 and math.isfinite(
            _standard_error(interval)):
        half = (scipy_stats.t.ppf(0.5 + confidence / 2, _df(interval))
                * _standard_error(interval) + interval.resolution / 2)
        return dataclasses.replace(interval, low=interval.mean - half,
                                   high=interval.mean + half)
    if interval.method == CLOPPER_PEARSON and interval.n >= 1:
        return share(round(interval.mean * interval.n / 100), interval.n, confidence)
    return interval


def exact(value: float, n: int = 1) -> Interval:
    """A quantity with no sampling spread (a deterministic maximum, a count of zero)."""
    return Interval(float(value), float(value), float(value), n, "exact", 0.0)


def minimum_detectable(interval: Interval, confidence: float = CONFIDENCE,
                       power: float = POWER, kind: str = "side") -> float:
    """The smallest true distance from a margin that the design detects with ``power``.

    For a t-interval of n values with spread s: the distance d at which a
    two-sided t-test at 1 - ``confidence`` rejects with probability ``power``
    (statsmodels' power for a one-sample t-test), d = effect size × s. For an
    equivalence test (``kind="equivalence"``), two one-sided tests at
    (1 - ``confidence``) / 2 each, both of which must reject: the distance
    inside the band, (t(1 - alpha/2) + t(1 - (1 - power)/2)) × s / sqrt(n),
    at which they do with ``power`` when the true value is at the band's
    centre. A counted quantity's interval is half a step wider each side
    (its ``resolution``), and so is the distance. An effect closer to its
    margin than this is likely to come out "undecided". 0 for an exact
    quantity; infinite with fewer than two values.

    >>> round(minimum_detectable(Interval(0.0, -1.0, 1.0, 10, "t", spread=1.0)), 2)
    1.0
    """
    from statsmodels.stats.power import TTestPower

    if kind not in ("side", "equivalence"):
        raise ValueError(f"kind={kind!r} is not allowed: choose 'side' or 'equivalence'")
    if interval.method == "exact":
        return 0.0
    if interval.method == CLOPPER_PEARSON:
        # A share, in percent: the normal approximation at its widest (a true share of 50%),
        # (z(1 - alpha/2) + z(power)) x sqrt(0.25 / n); the exact test needs a little more.
        z = scipy_stats.norm.ppf
        return 100 * (z(1 - (1 - confidence) / 2) + z(power)) * math.sqrt(0.25 / interval.n) \
            if interval.n >= 1 else math.inf
    if _df(interval) < 1 or not math.isfinite(_standard_error(interval)):
        return math.inf
    if kind == "equivalence":
        df = _df(interval)
        factor = (scipy_stats.t.ppf(1 - (1 - confidence) / 2, df)
                  + scipy_stats.t.ppf(1 - (1 - power) / 2, df))
        return float(factor * _standard_error(interval) + interval.resolution / 2)
    if math.isfinite(interval.df):
        # A standard error of its own (between_builds): the usual approximation to the t-test's
        # power, (t(1 - alpha/2) + t(power)) x standard error, at its degrees of freedom.
        factor = (scipy_stats.t.ppf(1 - (1 - confidence) / 2, interval.df)
                  + scipy_stats.t.ppf(power, interval.df))
        return float(factor * interval.standard_error + interval.resolution / 2)
    size = TTestPower().solve_power(nobs=interval.n, alpha=1 - confidence, power=power,
                                    alternative="two-sided")
    return float(size * interval.spread + interval.resolution / 2)


def p_value(interval: Interval, margin: float, side: str) -> float:
    """One-sided p-value of "the true mean is beyond ``margin``" on ``side`` ("above"/"below").

    From the interval's t statistic (its spread and n); for an exact quantity,
    0 when it lies strictly on that side and 1 otherwise. A counted quantity's
    distance from the margin is shortened by half its ``resolution``, as its
    interval is widened, so the p-value decides only where the interval does.
    """
    if side not in ("above", "below"):
        raise ValueError(f"side={side!r} is not allowed: choose 'above' or 'below'")
    sign = 1.0 if side == "above" else -1.0
    if interval.method == CLOPPER_PEARSON:  # the exact binomial test of the share
        from scipy.stats import binomtest

        if interval.n < 1 or not 0 < margin < 100:
            return 1.0
        k = round(interval.mean * interval.n / 100)
        return float(binomtest(k, interval.n, margin / 100,
                               alternative="greater" if side == "above" else "less").pvalue)
    distance = sign * (interval.mean - margin) - interval.resolution / 2
    if interval.method == "exact" or _standard_error(interval) == 0:
        return 0.0 if distance > 0 else 1.0
    if _df(interval) < 1 or not math.isfinite(_standard_error(interval)):
        return 1.0
    t = distance / _standard_error(interval)
    return float(scipy_stats.t.sf(t, _df(interval)))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values, for several tests of one claim: the i-th smallest of m is
    multiplied by m - i (from 0), made non-decreasing in that order, and capped at 1.

    Written here rather than called from statsmodels' ``multipletests(method="holm")``, which
    gives the same numbers (a test checks it) but runs a full ``gc.collect()`` on every call:
    with a report's runs in memory that took 0.7 s a call, 17 s of the findings' 57 s.

    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p_values = np.asarray(p_values, dtype=float)
    if len(p_values) == 0:
        return p_values
    order = np.argsort(p_values, kind="stable")
    scaled = p_values[order] * np.arange(len(p_values), 0, -1)
    adjusted = np.empty_like(p_values)
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


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
