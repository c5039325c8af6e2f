"""Numbers from the synthetic studies: fitted curves and surfaces, extrapolation, the linear baseline, the hardest task ReLU still learns.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from actstudy.analysis import stats
from actstudy.run.config import Config

__all__ = ["surfaces", "sine_curves", "extrapolation_error", "training_points", "linear_baseline",
           "hardest_reaching"]


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
