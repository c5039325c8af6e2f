"""Claims 18 and 19, the practical advice: every activation at its own validation-chosen
learning rate, per dataset (MNIST and Fashion-MNIST from the learning-rate study, the harder
synthetic tasks from 03), and the nested variance decomposition claim 19 reads.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.analysis import adequacy
from actstudy.claims.measures import FULL, _per_seed
from actstudy.claims.verdicts import Measurement, Test
from actstudy.stats import Interval

__all__ = ["TIER_MARGIN", "CHOICE_MARGIN", "MODERN", "CHOICE_BOOTSTRAP", "relu_first",
           "choice_matters", "variance_components", "choice_ratio", "relu_first_adequacy",
           "choice_adequacy"]


# Claim 18 (ours): an alternative that makes at least 10% fewer test errors than ReLU, both at
# their validation-chosen rates, is worth moving to; within that, ReLU is in the top tier.
TIER_MARGIN = 1.10
# Claim 19's "modern" activations: the rectifiers and smooth rectifiers (no sigmoidal, no
# identity), those a user chooses among today.
MODERN = ("relu", "leaky_relu", "elu", "selu", "gelu", "swish", "mish")
# Claim 19 (ours): the activation choice matters when the spread between activations' best-tuned
# accuracy is larger than what the rate choice and the seed move one run by.
CHOICE_MARGIN = 1.0
# Bootstrap replicates of claim 19's variance ratio (resampled seeds).
CHOICE_BOOTSTRAP = 2000


def _tuned(ctx) -> dict[str, pd.DataFrame]:
    """Per dataset, every run of each activation with its validation-chosen rate: MNIST and
    Fashion-MNIST from the learning-rate study (Adam), the harder synthetic tasks from 03's
    comparison. Columns dataset, activation, seed, learning_rate, chosen (the rate is the one
    chosen), test_accuracy, final_val_accuracy, key, diverged; the frame's ``attrs['rates']``
    holds the choice (:func:`actstudy.studies.base.choose_rates`'s frame)."""
    from actstudy.studies.base import choose_rates

    out = {}
    study = ctx.study("learning_rate")
    summary = ctx.runs("learning_rate", optimizer=["adam"]).summary
    hard = ctx.study("classification_hard")
    compared = hard.summary(ctx.runs("classification_hard"))
    at_levels, _ = hard._at_levels(compared)
    names = hard.task_names(hard.chosen(compared))
    for label, frame in ([(d, summary[summary["dataset"] == d]) for d in study.datasets]
                         + [(names[d], at_levels[at_levels["dataset"] == d]) for d in names]):
        rates = choose_rates(frame, ["activation"], "final_val_accuracy")
        chosen = dict(zip(rates["activation"], rates["learning_rate"], strict=True))
        frame = frame.assign(chosen=frame["learning_rate"] == frame["activation"].map(chosen))
        frame.attrs["rates"] = rates
        out[label] = frame
    return out


def _best_alternative(at: pd.DataFrame) -> str | None:
    """The activation other than ReLU with the highest mean validation accuracy among runs at
    their chosen rates (never chosen on the test set); None where there is none."""
    others = at[at["activation"] != "relu"]
    if others.empty:
        return None
    return others.groupby("activation")["final_val_accuracy"].mean().idxmax()


def _relu_against_best(frame: pd.DataFrame) -> Interval:
    """Per seed, log10 of ReLU's test error over the best alternative's
    (:func:`_best_alternative`), both at their chosen rates."""
    at = frame[frame["chosen"]]
    best = _best_alternative(at)
    if best is None or "relu" not in set(at["activation"]):
        return stats.mean_ci([])
    error = _per_seed(at.assign(error=1 - at["test_accuracy"].astype(float)), "error")
    return stats.mean_ci(stats.log10(error["relu"]) - stats.log10(error[best]))


def relu_first(ctx):
    """Claim 18: on each dataset, ReLU's test error within :data:`TIER_MARGIN` of the best
    alternative's, every activation at its validation-chosen rate."""
    tuned = _tuned(ctx)
    primary = {label: _relu_against_best(frame) for label, frame in tuned.items()}
    tests = []
    for label, frame in tuned.items():
        at = frame[frame["chosen"]]
        best = _best_alternative(at)
        accuracy = _per_seed(at.assign(pp=100 * at["test_accuracy"].astype(float)), "pp")
        tests.append(Measurement(Test(f"{label}: test accuracy, {best} (best on validation) - "
                                      "relu (pp)", "pp", "below", 0.5),
                                 stats.mean_ci(accuracy[best] - accuracy["relu"])))
    return primary, tests


def variance_components(frame: pd.DataFrame, value: str = "test_accuracy") -> dict[str, float]:
    """The nested random-effects decomposition of ``value`` over activation, rate within
    activation, and seed, from a balanced frame (every activation at the same number of rates,
    every cell at the same seeds): ANOVA's expected mean squares, negative components set to 0.

    For a balanced nested design these equal the REML estimates wherever those are positive;
    they are written out, vectorised over the replicates, because claim 19's bootstrap refits
    them thousands of times, which a statsmodels MixedLM fit per replicate (about 0.2 s each)
    would make minutes.

    >>> frame = pd.DataFrame({"activation": np.repeat(["a", "b"], 4),
    ...     "learning_rate": np.tile(np.repeat([1, 2], 2), 2), "seed": np.tile([0, 1], 4),
    ...     "test_accuracy": [1.0, 1.2, 1.0, 1.2, 3.0, 3.2, 3.0, 3.2]})
    >>> {k: round(v, 3) for k, v in variance_components(frame).items()}
    {'activation': 2.0, 'rate': 0.0, 'seed': 0.02}
    """
    return {k: float(v) for k, v in _components(_cube(frame, value)).items()}


def _cube(frame: pd.DataFrame, value: str = "test_accuracy") -> np.ndarray:
    """A balanced frame's ``value`` as an (activation, rate rank within it, seed) array."""
    frame = frame.assign(rank=frame.groupby("activation")["learning_rate"].rank(method="dense"))
    table = frame.pivot_table(index=["activation", "rank"], columns="seed", values=value,
                              aggfunc="mean")
    a = frame["activation"].nunique()
    return table.to_numpy(float).reshape(a, -1, table.shape[1])


def _components(cube: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`variance_components` of arrays (..., activation, rate, seed), vectorised over the
    leading axes (the bootstrap's replicates)."""
    a, b, n = cube.shape[-3:]
    cell = cube.mean(axis=-1, keepdims=True)
    act = cell.mean(axis=-2, keepdims=True)
    grand = act.mean(axis=-3, keepdims=True)
    ms_seed = ((cube - cell) ** 2).sum(axis=(-3, -2, -1)) / (a * b * (n - 1))
    ms_rate = n * ((cell - act) ** 2).sum(axis=(-3, -2, -1)) / (a * (b - 1))
    ms_act = b * n * ((act - grand) ** 2).sum(axis=(-3, -2, -1)) / (a - 1)
    return {"activation": np.clip((ms_act - ms_rate) / (b * n), 0.0, None),
            "rate": np.clip((ms_rate - ms_seed) / n, 0.0, None), "seed": ms_seed}


def _near_best(frame: pd.DataFrame, names) -> pd.DataFrame:
    """Each named activation at its chosen rate and the grid's two nearest others (the two
    neighbours, or the next two inward at an edge): the rates a tuner lands among. Balanced:
    only the seeds every one of these runs has."""
    frame = frame.copy()
    frame.attrs = {}  # the choice's frame rides in attrs, which pandas cannot compare in concat
    parts = []
    for _, part in frame[frame["activation"].isin(names)].groupby("activation"):
        grid = sorted(part["learning_rate"].unique())
        if len(grid) < 3 or not part["chosen"].any():
            continue
        k = grid.index(part.loc[part["chosen"], "learning_rate"].iloc[0])
        start = min(max(k - 1, 0), len(grid) - 3)
        parts.append(part[part["learning_rate"].isin(grid[start:start + 3])])
    if not parts:
        return frame.iloc[:0]
    near = pd.concat(parts)
    near = near[np.isfinite(near["test_accuracy"].astype(float))]
    cells = near.groupby(["activation", "learning_rate"])["seed"].agg(set)
    common = set.intersection(*cells) if len(cells) else set()
    return near[near["seed"].isin(common)]


def choice_ratio(frame: pd.DataFrame, names=MODERN, replicates: int = CHOICE_BOOTSTRAP,
                 seed: int = 0) -> Interval:
    """Claim 19's statistic on one dataset: the SD between activations (their accuracy near
    their best rates) over the SD a single run's accuracy has from the rate (among the three
    near the best) and the seed together, with a 95% parametric-bootstrap interval: data
    drawn again from the fitted components, new activation, rate and seed effects each time
    (:func:`_simulated`), so the few activations' own sampling spread is in the interval, and
    the ratio's percentiles over the draws. A plain ratio, not its log: the SD between
    activations may be estimated as 0."""
    near = _near_best(frame, names)
    seeds = sorted(set(near["seed"]))
    if near["activation"].nunique() < 2 or len(seeds) < 2:
        return stats.mean_ci([])
    cube = _cube(near)
    point = float(_ratio(cube))
    draws = _ratio(_simulated(_components(cube), cube.shape, replicates, seed))
    draws = draws[np.isfinite(draws)]
    low, high = np.quantile(draws, [(1 - stats.CONFIDENCE) / 2, (1 + stats.CONFIDENCE) / 2])
    return Interval(point, float(low), float(high), len(seeds), "bootstrap",
                    spread=float(np.std(draws)) * math.sqrt(len(seeds)))


def _ratio(cube: np.ndarray) -> np.ndarray:
    """SD between activations over the SD of one run from rate and seed, per leading index."""
    c = _components(cube)
    noise = c["rate"] + c["seed"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(noise > 0, np.sqrt(c["activation"] / noise), np.inf)


def _simulated(components: dict, shape: tuple, replicates: int, seed: int = 0) -> np.ndarray:
    """``replicates`` arrays of ``shape`` (activation, rate, seed) drawn from the nested model
    with the given variance components: (replicates, activation, rate, seed)."""
    a, b, n = shape
    rng = np.random.default_rng(seed)
    sd = {k: math.sqrt(float(v)) for k, v in components.items()}
    return (rng.normal(0, sd["activation"], (replicates, a, 1, 1))
            + rng.normal(0, sd["rate"], (replicates, a, b, 1))
            + rng.normal(0, sd["seed"], (replicates, a, b, n)))


def choice_matters(ctx):
    """Claim 19: on each dataset, the modern activations' spread against what the rate choice
    and the seed move (:func:`choice_ratio`)."""
    tuned = _tuned(ctx)
    return {label: choice_ratio(frame) for label, frame in tuned.items()}, []


def tuned_adequacy(ctx, names=None):
    """Per dataset of claims 18 and 19: the compared activations' chosen rates inside their
    grids, their runs there trained and none diverged."""
    out = {}
    for label, frame in _tuned(ctx).items():
        if names is not None:
            frame = frame[frame["activation"].isin(names)]
        rates = frame.attrs["rates"]
        at = frame[frame["chosen"]]
        history = ctx.runs("learning_rate" if label in ctx.study("learning_rate").datasets
                           else "classification_hard").history
        out[label] = [
            adequacy.rates_inside(rates[rates["activation"].isin(set(frame["activation"]))],
                                  by=["activation"],
                                  remedy="a wider learning-rate grid is where it is decided"),
            adequacy.converged(history[history["key"].isin(at["key"])], remedy=FULL),
            adequacy.not_diverged(at)]
    return out


def relu_first_adequacy(ctx):
    return tuned_adequacy(ctx)


def choice_adequacy(ctx):
    return tuned_adequacy(ctx, MODERN)
