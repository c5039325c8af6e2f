"""Statistics over seeds: means with 95% intervals, paired differences, effect sizes.

Every comparison in the reports goes through here, so "A beats B" is never
said from one seed.

>>> from actstudy import stats
>>> interval = stats.mean_ci([0.97, 0.98, 0.975])
>>> round(interval.mean, 3), interval.n
(0.975, 3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

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

    def __str__(self) -> str:
        if not math.isfinite(self.low):
            return f"{self.mean:.4g} (n={self.n})"
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}]"


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
        return Interval(mean, mean - half, mean + half, n, method, spread)
    if n < BOOTSTRAP_MINIMUM:
        raise ValueError(f"method='bootstrap' is not allowed for {n} values: a percentile "
                         f"bootstrap needs at least {BOOTSTRAP_MINIMUM} (it cannot reach beyond "
                         "the extreme values); use the t-interval, on logs for a ratio")
    result = scipy_stats.bootstrap(
        (values,), np.mean, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile", rng=np.random.default_rng(seed),
    )
    return Interval(mean, float(result.confidence_interval.low) - resolution / 2,
                    float(result.confidence_interval.high) + resolution / 2, n, method, spread)


def exact(value: float, n: int = 1) -> Interval:
    """A quantity with no sampling spread (a deterministic maximum, a count of zero)."""
    return Interval(float(value), float(value), float(value), n, "exact", 0.0)


def minimum_detectable(interval: Interval, confidence: float = CONFIDENCE,
                       power: float = POWER) -> float:
    """The smallest true distance from a margin that the design detects with ``power``.

    For a t-interval of n values with spread s: the distance d at which a
    two-sided t-test at 1 - ``confidence`` rejects with probability ``power``
    (statsmodels' power for a one-sample t-test), d = effect size × s. An
    effect closer to its margin than this is likely to come out "undecided".
    0 for an exact quantity; infinite with fewer than two values.

    >>> round(minimum_detectable(Interval(0.0, -1.0, 1.0, 10, "t", spread=1.0)), 2)
    1.0
    """
    from statsmodels.stats.power import TTestPower

    if interval.method == "exact":
        return 0.0
    if interval.n < 2 or not math.isfinite(interval.spread):
        return math.inf
    size = TTestPower().solve_power(nobs=interval.n, alpha=1 - confidence, power=power,
                                    alternative="two-sided")
    return float(size * interval.spread)


def p_value(interval: Interval, margin: float, side: str) -> float:
    """One-sided p-value of "the true mean is beyond ``margin``" on ``side`` ("above"/"below").

    From the interval's t statistic (its spread and n); for an exact quantity,
    0 when it lies strictly on that side and 1 otherwise.
    """
    if side not in ("above", "below"):
        raise ValueError(f"side={side!r} is not allowed: choose 'above' or 'below'")
    sign = 1.0 if side == "above" else -1.0
    if interval.method == "exact" or interval.spread == 0:
        return 0.0 if sign * (interval.mean - margin) > 0 else 1.0
    if interval.n < 2 or not math.isfinite(interval.spread):
        return 1.0
    t = sign * (interval.mean - margin) / (interval.spread / math.sqrt(interval.n))
    return float(scipy_stats.t.sf(t, interval.n - 1))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels), for several tests of one claim."""
    from statsmodels.stats.multitest import multipletests

    p_values = np.asarray(p_values, dtype=float)
    if len(p_values) == 0:
        return p_values
    return multipletests(p_values, method="holm")[1]


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
