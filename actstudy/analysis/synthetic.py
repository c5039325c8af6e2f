"""Numbers from the synthetic studies: fitted curves and surfaces, extrapolation, the linear baseline, the hardest task ReLU still learns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from actstudy.run.config import Config

__all__ = ["surfaces", "sine_curves", "extrapolation_error", "training_points", "linear_baseline"]


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
