"""What every study shares: its seeds, the initializer comparison it makes, its grid, and the parameter checks.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

from actstudy import sources
from actstudy.run import activations as registry
from actstudy.run.config import INITIALIZERS, Config

__all__ = ["activation_names", "Study"]


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
