"""What every study shares: its seeds, the initializer comparison it makes, its grid, and the parameter checks.
"""

from __future__ import annotations

import dataclasses
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


@dataclass(frozen=True)
class Study:
    """What every study shares: its seeds, and the initializer comparison it makes."""

    name: ClassVar[str] = ""
    seeds: int | list[int] = 3
    initializer: str | None = None  # None: each activation with its literature initializer

    def __post_init__(self):
        seeds = self.seeds
        if isinstance(seeds, bool) or not (isinstance(seeds, int) and seeds >= 1 or (
                isinstance(seeds, list | tuple) and seeds
                and all(isinstance(s, int) and s >= 0 for s in seeds))):
            raise ValueError(f"seeds={seeds!r} is not allowed for study {self.name!r}: give a "
                             "count >= 1 or a non-empty list of integers >= 0")
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
