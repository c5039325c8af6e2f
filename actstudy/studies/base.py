"""What every study shares: its seeds, the initializer comparison it makes, its grid, and the parameter checks.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from actstudy import sources
from actstudy.run import activations as registry
from actstudy.run.config import INITIALIZERS, Config

__all__ = ["activation_names", "Study", "choose_rates", "rates_beyond", "grown"]


def activation_names(names="all") -> list[str]:
    """``"all"`` (every hidden-layer activation) or a list, resolved to canonical names."""
    if names == "all":
        return registry.names()
    if isinstance(names, str) or not names:
        raise ValueError(f"activations={names!r} is not allowed: give 'all' or a non-empty list "
                         "of activation names")
    specs = [registry.spec(name) for name in names]
    return [spec.source or spec.name for spec in specs]  # a user's activation by its import path


# More seeds than this in one study is a typing mistake, not a design: the full profile uses
# 20, and a million would take a machine's memory before its first run.
MAX_SEEDS = 1000
# The network and training fields of a study, each declared once: its type and the default a
# study gets unless its class statement gives another (``class Sine(Study, network={...})``).
# A study takes only the fields it names, so a profile cannot set one it would ignore.
NETWORK_FIELDS = {
    "dataset": (str, "mnist"),
    "depth": (int, 2),
    "width": (int, 64),
    "epochs": (int, 3),
    "learning_rate": (float, 1e-3),
    "batch_size": (int, 128),
    "n_train": (int | None, 10000),  # training samples; None: the whole training split
    "gradient_every": (int, 1),  # record gradient norms every k-th step
    "probe_every": (int, 0),  # probe activation statistics every k-th step too (0: per epoch)
}


@dataclass(frozen=True)
class Study:
    """What every study shares: its seeds, and the initializer comparison it makes.

    A study of networks names the :data:`NETWORK_FIELDS` it takes, with its
    defaults, in its class statement; :meth:`network` builds their Config.

    >>> @dataclass(frozen=True)
    ... class Tiny(Study, network={"dataset": "xor", "depth": 1, "n_train": None}):
    ...     name: ClassVar[str] = "tiny"
    >>> Tiny(depth=2).network(epochs=1).depth, list(Tiny.parameters())[2:]
    (2, ['dataset', 'depth', 'n_train'])
    """

    name: ClassVar[str] = ""
    seeds: int | list[int] = 3
    initializer: str | None = None  # None: each activation with its literature initializer

    def __post_init__(self):
        seeds = self.seeds
        if isinstance(seeds, bool) or not (isinstance(seeds, int) and 1 <= seeds <= MAX_SEEDS or (
                isinstance(seeds, list | tuple) and 0 < len(seeds) <= MAX_SEEDS
                and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                        for s in seeds))):
            raise ValueError(f"seeds={seeds!r} is not allowed for study {self.name!r}: give a "
                             f"count from 1 to {MAX_SEEDS} or a list of at most {MAX_SEEDS} "
                             "integers >= 0")
        if self.initializer is not None and self.initializer not in INITIALIZERS:
            raise ValueError(f"initializer={self.initializer!r} is not allowed for study "
                             f"{self.name!r}: choose one of {', '.join(INITIALIZERS)}, or null for "
                             "each activation's literature initializer")
        if hasattr(self, "activations"):
            activation_names(self.activations)

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)

    @property
    def comparison(self) -> str:
        if self.initializer is None:
            return "each activation with its literature initializer"
        return f"all activations with one initializer ({self.initializer})"

    def configs(self) -> list[Config]:
        raise NotImplementedError  # each study defines its grid

    def run(self, progress: bool = True, **run_options):
        """The study's results: cached runs loaded, missing ones trained (see ``run_grid``)."""
        from actstudy.runner import run_grid

        return run_grid(self.configs(), progress=progress, **run_options)

    def replace(self, **changes) -> Study:
        """A copy with some parameters changed; an unknown one is an error that names it."""
        _check_names(type(self), changes)
        return dataclasses.replace(self, **changes)

    @classmethod
    def parameters(cls) -> dict:
        """The study's parameters and their defaults."""
        return {f.name: f.default for f in dataclasses.fields(cls)}

    def __init_subclass__(cls, network: dict | None = None, **kwargs):
        # Adds the named network fields, with the study's defaults, ahead of its own fields,
        # before @dataclass reads the class (it runs on the finished class statement).
        super().__init_subclass__(**kwargs)
        if network is None:
            return
        unknown = [name for name in network if name not in NETWORK_FIELDS]
        if unknown:
            raise TypeError(f"{cls.__name__}: network field {unknown[0]!r} is not one of "
                            f"{', '.join(NETWORK_FIELDS)}")
        own = dict(cls.__dict__.get("__annotations__", {}))
        cls.__annotations__ = {**{name: NETWORK_FIELDS[name][0] for name in network}, **own}
        for name, default in network.items():
            setattr(cls, name, NETWORK_FIELDS[name][1] if default is ... else default)

    def network(self, **fields) -> Config:
        """The Config of the study's network: its network fields, ``fields`` on top.

        ``n_train`` becomes the dataset option (absent for the whole split).
        """
        given = {name: getattr(self, name) for name in NETWORK_FIELDS if hasattr(self, name)}
        given.update(fields)
        n_train = given.pop("n_train", None)
        options = {**_subset(n_train), **given.pop("dataset_options", {})}
        return Config(**given, dataset_options=options)

    def _grid(self, base: Config, **axes) -> list[Config]:
        from actstudy.runner import grid

        if self.initializer is not None:
            base = base.replace(initializer=self.initializer)
        return grid(base, **axes, seed=self.seed_list)


def _subset(n_train: int | None) -> dict:
    """The dataset option for a training subset of ``n_train`` samples (None: the whole split)."""
    return {"n_train": n_train} if n_train else {}


def _check_n_train(study: Study) -> None:
    n_train = study.n_train
    if n_train is None:
        return
    if isinstance(n_train, bool) or not isinstance(n_train, int) or n_train < 1:
        raise ValueError(f"n_train={n_train!r} is not allowed for study {study.name!r}: give an "
                         "integer >= 1, or null for the whole training split")
    if isinstance(study.batch_size, int) and study.batch_size > n_train:
        raise ValueError(f"batch_size={study.batch_size!r} is not allowed for study "
                         f"{study.name!r}: larger than n_train={n_train}")


def _check_image_set(study: Study) -> None:
    if study.dataset not in sources.IMAGE_SETS:
        raise ValueError(f"dataset={study.dataset!r} is not allowed for study {study.name!r}: "
                         f"choose one of {', '.join(sources.IMAGE_SETS)}")


def _check_slope(study: Study, name: str, what: str) -> None:
    """A slope parameter: a finite number >= 0, or None for no such runs."""
    slope = getattr(study, name)
    if slope is not None and (isinstance(slope, bool) or not isinstance(slope, int | float)
                              or not (math.isfinite(slope) and slope >= 0)):
        raise ValueError(f"{name}={slope!r} is not allowed for study {study.name!r}: give a "
                         f"finite number >= 0 ({what}), or null for none")


def _check_rate_grid(study: Study) -> None:
    """A study whose rate grid grows past an edge: its ``learning_rates`` and ``extensions``."""
    _check_list(study, "learning_rates",
                lambda r: isinstance(r, int | float) and math.isfinite(r) and r > 0,
                "finite numbers > 0")
    extensions = study.extensions
    if isinstance(extensions, bool) or not isinstance(extensions, int) or not (
            0 <= extensions <= 10):
        raise ValueError(f"extensions={extensions!r} is not allowed for study {study.name!r}: "
                         "give an integer from 0 to 10 (steps the rate grid may grow by)")


def _check_names(cls, given: dict) -> None:
    allowed = [f.name for f in dataclasses.fields(cls)]
    unknown = [name for name in given if name not in allowed]
    if unknown:
        raise ValueError(f"study {cls.name!r} takes no parameter {unknown[0]!r}; "
                         f"allowed: {', '.join(allowed)}")


def _check_list(study: Study, name: str, valid, allowed: str) -> None:
    """A non-empty list whose every value passes ``valid``; else a ValueError naming it."""
    values = getattr(study, name)
    if isinstance(values, str) or not isinstance(values, list | tuple) or not values or not all(
            not isinstance(v, bool) and valid(v) for v in values):
        raise ValueError(f"{name}={values!r} is not allowed for study {study.name!r}: give a "
                         f"non-empty list of {allowed}")


# -- learning rates chosen on validation, and the grid that grows past an edge ---------------


def choose_rates(summary, by, metric: str = "best_val_accuracy"):
    """Per group of ``by``, the learning rate with the best mean ``metric`` over seeds.

    The smaller rate wins a tie. A rate at which any seed has no finite value
    (a run that failed) has no mean and is never chosen; a group where no rate
    has one keeps a row with NaN. The test set plays no part: ``metric`` is a
    validation number. One row per group: ``by``, ``learning_rate``,
    ``metric`` (the mean there), ``rates`` (how many were tried), ``edge``
    ("lowest" or "highest" where the chosen rate is an end of the rates the
    group trained at, so the best may lie beyond it, else "").

    >>> import pandas as pd
    >>> summary = pd.DataFrame({"activation": "relu", "seed": [0, 1, 0, 1],
    ...     "learning_rate": [0.1, 0.1, 0.01, 0.01], "best_val_accuracy": [0.91, 0.93, 0.94, 0.96]})
    >>> choose_rates(summary, ["activation"])[["learning_rate", "edge"]].values.tolist()
    [[0.01, 'lowest']]
    """
    by = list(by)
    frame = summary[[*by, "learning_rate", metric]].astype({metric: float})
    means = (frame.groupby([*by, "learning_rate"], sort=False)[metric]
             .agg(lambda v: v.mean(skipna=False)).reset_index()  # skipna=False: see above
             .sort_values("learning_rate", kind="stable"))
    best = means.dropna(subset=[metric])
    best = best.loc[best.groupby(by, sort=False)[metric].idxmax()]
    chosen = frame[by].drop_duplicates().merge(best, on=by, how="left")
    grid = frame.groupby(by, sort=False)["learning_rate"].agg(["min", "max", "nunique"])
    chosen = chosen.merge(grid.reset_index(), on=by, how="left")
    chosen["edge"] = np.select([chosen["learning_rate"] == chosen["min"],
                                chosen["learning_rate"] == chosen["max"]], ["lowest", "highest"],
                               "")
    return chosen.rename(columns={"nunique": "rates"}).drop(columns=["min", "max"])


def rates_beyond(summary, by, metric: str = "best_val_accuracy") -> list[tuple[tuple, float]]:
    """The grid's growth rule: each group of ``by`` whose chosen rate is an end of its rates,
    and the rate one step beyond that end.

    The step is the ratio of the two rates nearest that end (a half-decade grid
    grows by half a decade). A group tried at one rate only has no step and
    does not grow. Returns ``[(group values, new rate)]``, the rate rounded to
    three significant digits.

    >>> import pandas as pd
    >>> summary = pd.DataFrame({"activation": ["relu"] * 2 + ["tanh"] * 2, "seed": 0,
    ...     "learning_rate": [0.003, 0.01] * 2, "best_val_accuracy": [0.9, 0.8, 0.8, 0.9]})
    >>> rates_beyond(summary, ["activation"])
    [(('relu',), 0.0009), (('tanh',), 0.0333)]
    """
    by = list(by)
    out = []
    for _, row in choose_rates(summary, by, metric).iterrows():
        if not row["edge"]:
            continue
        group = tuple(row[by])
        mask = np.ones(len(summary), dtype=bool)
        for field, value in zip(by, group, strict=True):
            mask &= (summary[field] == value).to_numpy()
        rates = sorted(set(summary.loc[mask, "learning_rate"]))
        if len(rates) < 2:
            continue
        step = rates[1] / rates[0] if row["edge"] == "lowest" else rates[-1] / rates[-2]
        rate = rates[0] / step if row["edge"] == "lowest" else rates[-1] * step
        out.append((group, float(f"{rate:.3g}")))
    return out


def grown(study: Study, results, new_configs, extensions: int, progress: bool, **run_options):
    """``results`` with up to ``extensions`` rounds of the grid's growth: each round trains
    ``new_configs(results)`` (the configs one step beyond each edge, :func:`rates_beyond`)
    until none is left. Every round's runs are cached like any others, so a build that
    repeats the rule finds them."""
    import pandas as pd

    from actstudy.runner import GridResult, run_grid

    for _ in range(extensions):
        configs = new_configs(results)
        if not configs:
            break
        more = run_grid(configs, progress=progress, **run_options)
        runs = {run.key: run for run in [*results.runs, *more.runs]}
        results = GridResult(runs=list(runs.values()), failures=pd.concat(
            [results.failures, more.failures], ignore_index=True))
    return results
