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
