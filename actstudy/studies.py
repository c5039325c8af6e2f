"""Every experiment behind the reports, each defined once, with its parameters and their defaults.

A study is a frozen dataclass: its fields are its parameters, validated on
construction; :meth:`Study.configs` is its grid of Configs; :meth:`Study.run`
trains what the cache lacks. A profile (``notebooks/params/<name>.yaml``) sets
study parameters by study name, so a notebook and a claim that use the same
experiment build the same study from the same profile section and share its
runs by construction:

.. code-block:: yaml

    common:            # applied to every study that takes the parameter
      seeds: 3
    studies:
      sine: {activations: all, epochs: 80}
      images: {datasets: [mnist], epochs: 6}

Each study says which comparison it makes (:attr:`Study.comparison`): each
activation with its literature initializer (``initializer: null``, the
default), or all activations with one initializer (``initializer: he_normal``).

>>> from actstudy import studies
>>> sine = studies.Sine(activations=["identity", "relu"], seeds=2, epochs=10)
>>> len(sine.configs()), sine.comparison
(4, 'each activation with its literature initializer')
>>> studies.get("sine", "smoke", overrides={"sine": {"epochs": 5}}).epochs
5
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import yaml

from actstudy import activations as registry
from actstudy import data, settings
from actstudy.config import ARITHMETIC_ARCHITECTURES, INITIALIZERS, OPTIMIZERS, Config


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
        from actstudy.experiments import run_grid

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
        from actstudy.experiments import grid

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
    if study.dataset not in data.IMAGE_SETS:
        raise ValueError(f"dataset={study.dataset!r} is not allowed for study {study.name!r}: "
                         f"choose one of {', '.join(data.IMAGE_SETS)}")


def _check_names(cls, given: dict) -> None:
    allowed = [f.name for f in dataclasses.fields(cls)]
    unknown = [name for name in given if name not in allowed]
    if unknown:
        raise ValueError(f"study {cls.name!r} takes no parameter {unknown[0]!r}; "
                         f"allowed: {', '.join(allowed)}")


@dataclass(frozen=True)
class Sine(Study):
    """y = sin(x) on [-2pi, 2pi]: the same MLP with each activation (identity = none)."""

    name: ClassVar[str] = "sine"
    activations: str | list[str] = "all"
    depth: int = 3
    width: int = 32
    epochs: int = 80
    learning_rate: float = 0.01
    batch_size: int = 32
    n_train: int = 512

    def configs(self) -> list[Config]:
        base = Config(dataset="sine", depth=self.depth, width=self.width, epochs=self.epochs,
                      learning_rate=self.learning_rate, batch_size=self.batch_size,
                      dataset_options={"n_train": self.n_train})
        return self._grid(base, activation=activation_names(self.activations))


@dataclass(frozen=True)
class Classification(Study):
    """Two-dimensional toy problems: decision boundaries per activation."""

    name: ClassVar[str] = "classification"
    datasets: list[str] = ("moons", "circles", "spirals", "xor")
    activations: str | list[str] = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                    "selu", "gelu", "swish", "mish")
    depth: int = 3
    width: int = 32
    epochs: int = 30
    learning_rate: float = 0.01
    batch_size: int = 32

    def configs(self) -> list[Config]:
        base = Config(dataset=self.datasets[0], depth=self.depth, width=self.width,
                      epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size)
        return self._grid(base, dataset=list(self.datasets),
                          activation=activation_names(self.activations))


def _tasks(study: Study) -> dict[str, dict]:
    """``tasks`` as ``{dataset: {option: value}}``, the difficulty option a list of levels.

    Each dataset must have a difficulty option (:data:`actstudy.data.SHAPE_OPTIONS`:
    spirals' ``turns``, checkerboard's ``cells``), given as a non-empty list of
    distinct levels (a larger level is harder); its other options (``noise``, ``n_train``)
    are single values. Every level is checked by generating its set, so a bad
    value is a ValueError that names it.
    """
    given = study.tasks
    sets = ", ".join(f"{name} ({spec[0]})" for name, spec in data.SHAPE_OPTIONS.items())
    allowed = (f"a mapping from a dataset with a difficulty option ({sets}) to its options, "
               "the difficulty option a list of levels")
    try:
        tasks = {name: dict(options or {}) for name, options in dict(given).items()}
    except (TypeError, ValueError):
        tasks = None
    if not tasks or isinstance(given, str):
        raise ValueError(f"tasks={given!r} is not allowed for study {study.name!r}: give {allowed}")
    for name, options in tasks.items():
        if name not in data.SHAPE_OPTIONS:
            raise ValueError(f"tasks names dataset {name!r}, which is not allowed for study "
                             f"{study.name!r}: give {allowed}")
        option = data.SHAPE_OPTIONS[name][0]
        taken = [option, "noise", "n_train"]
        unknown = [o for o in options if o not in taken]
        if unknown:
            raise ValueError(f"tasks[{name!r}] has option {unknown[0]!r}, which is not allowed "
                             f"for study {study.name!r}: {name} takes {', '.join(taken)}")
        levels = options.get(option)
        if isinstance(levels, str) or not isinstance(levels, list | tuple) or not levels or len(
                set(levels)) < len(levels):
            raise ValueError(f"tasks[{name!r}][{option!r}]={levels!r} is not allowed for study "
                             f"{study.name!r}: give a non-empty list of distinct levels (a larger "
                             "level is harder)")
        options[option] = list(levels)
        for level in levels:
            try:  # synthetic: generated, no I/O
                data.load(name, n_val=1, n_test=1, **{**options, option: level})
            except ValueError as error:
                raise ValueError(f"tasks[{name!r}]: {error} (study {study.name!r})") from None
    return tasks


@dataclass(frozen=True)
class ClassificationHard(Study):
    """Harder 2-D tasks in the easy tasks' network, each as hard as a stated rule allows.

    The easy tasks (:class:`Classification`) sit at the ceiling: every
    activation but identity scores 0.95 to 1.00, so nothing separates them.
    Here each task is a family of sets, from easier to harder along its
    difficulty option (``tasks``: spirals with 2 to 3 turns, checkerboards of
    4 x 4 to 6 x 6 cells), and the level compared is chosen by this rule,
    fixed with the study before any of its default-profile runs and not to be
    changed after:

    1. The ``reference`` activation (ReLU) alone trains at every level of every
       task, in the same MLP as the easy tasks (depth 3, width 32, the same
       epochs, optimiser, batch size and seeds).
    2. The chosen level is the hardest at which its mean validation accuracy
       over the seeds (last epoch) reaches ``threshold`` (0.90), every seed
       with a finite value (:func:`actstudy.analysis.hardest_reaching`).
    3. Every activation trains at that level; they are compared on the test
       set. Where no level reaches the threshold, the task is reported as
       such and nothing is compared on it.

    The rule reads only ReLU's runs, so it cannot pick a setting that suits
    another activation; ReLU as the reference is a choice (the usual default
    hidden activation), and it puts each task at the edge of what ReLU
    manages: an activation that fits intricate boundaries less readily than
    ReLU falls behind there, one that fits them more readily comes out ahead.
    0.90 is well above chance (0.50) and below every level's noise ceiling,
    the accuracy of the true boundary on noisy points (spirals at noise 0.05:
    0.999 at 2 and at 3 turns, 0.955 at 5; checkerboard at its noise 0.005:
    0.988 at 4 x 4, 0.980 at 6 x 6, 0.965 at 10 x 10), so the threshold
    measures what the network learnt, not the noise. Validation chooses; the test set only compares.

    The levels were refined once, after the first default-profile run of the
    sweep and before any other activation's result was looked at: ReLU's mean
    validation accuracy fell from 0.999 at 2 turns to 0.670 at 3 (4 and 5:
    0.592, 0.546), and from 0.931 on the 4 x 4 board to 0.702 on 6 x 6 (8 x 8,
    10 x 10: 0.574, 0.551); so spirals got steps of a quarter turn between 2 and
    3, the board a 5 x 5 level, and the levels far below the threshold went.
    The rule and the threshold did not change.

    Why the task and not the width: a network of another width is another
    compiled program (measured here: about 17 CPU seconds to compile each, 2
    for one compiled already), and the default build holds about a minute for
    this study; in the easy tasks' network every run reuses their programs,
    and only the task changes between the easy and the hard comparison.

    :meth:`configs` is step 1 (the sweep); :meth:`run` takes all three steps.
    """

    name: ClassVar[str] = "classification_hard"
    tasks: dict = (("spirals", (("turns", (2, 2.25, 2.5, 2.75, 3)), ("noise", 0.05))),
                   ("checkerboard", (("cells", (4, 5, 6)),)))
    activations: str | list[str] = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                    "selu", "gelu", "swish", "mish")
    reference: str = "relu"
    threshold: float = 0.90
    depth: int = 3
    width: int = 32
    epochs: int = 30
    learning_rate: float = 0.01
    batch_size: int = 32

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "tasks", _tasks(self))  # one spelling: {dataset: {option: value}}
        threshold = self.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not (
                0 < threshold <= 1):
            raise ValueError(f"threshold={threshold!r} is not allowed for study {self.name!r}: "
                             "give a validation accuracy in (0, 1]")
        try:
            activation_names([self.reference])
        except ValueError as error:
            raise ValueError(f"reference={self.reference!r} is not allowed for study "
                             f"{self.name!r}: {error}") from None
        self.configs()  # the Config checks the rest, naming the parameter

    def _base(self, dataset: str, level) -> Config:
        option = data.SHAPE_OPTIONS[dataset][0]
        return Config(dataset=dataset, dataset_options={**self.tasks[dataset], option: level},
                      depth=self.depth, width=self.width, epochs=self.epochs,
                      learning_rate=self.learning_rate, batch_size=self.batch_size)

    def _levels(self, dataset: str) -> list:
        return self.tasks[dataset][data.SHAPE_OPTIONS[dataset][0]]

    def configs(self) -> list[Config]:
        """Step 1, the sweep: the reference activation at every level of every task."""
        reference = activation_names([self.reference])
        return [config for dataset in self.tasks for level in self._levels(dataset)
                for config in self._grid(self._base(dataset, level), activation=reference)]

    @staticmethod
    def summary(results):
        """``results.summary`` with each run's task ``level`` (its turns or cells)."""
        import pandas as pd

        summary = results.summary
        levels = [dict(run.config["dataset_options"]).get(
            data.SHAPE_OPTIONS.get(run.config["dataset"], (None,))[0]) for run in results.runs]
        summary["level"] = pd.Series(levels, index=summary.index, dtype=object)  # 4 stays 4
        return summary

    def rule(self, summary):
        """Step 2 on a :meth:`summary`: :func:`actstudy.analysis.hardest_reaching`'s frame."""
        from actstudy import analysis

        reference = activation_names([self.reference])[0]
        rule = analysis.hardest_reaching(summary, self.threshold, reference)
        rule["setting"] = [self.level_label(dataset, level)
                           for dataset, level in zip(rule["dataset"], rule["level"], strict=True)]
        return rule

    def chosen(self, summary) -> dict:
        """Each task's chosen level, or None where no level reached the threshold."""
        rule = self.rule(summary)
        picked = dict(zip(rule.loc[rule["chosen"], "dataset"], rule.loc[rule["chosen"], "level"],
                          strict=True))
        # The level as the study spells it (a frame may hold 4 as 4.0 or numpy's int64).
        return {dataset: next((level for level in self._levels(dataset)
                               if dataset in picked and level == picked[dataset]), None)
                for dataset in self.tasks}

    def comparison_configs(self, chosen: dict) -> list[Config]:
        """Step 3: every activation at each task's chosen level (none where it is None)."""
        names = activation_names(self.activations)
        return [config for dataset, level in chosen.items() if level is not None
                for config in self._grid(self._base(dataset, level), activation=names)]

    def run(self, progress: bool = True, **run_options):
        """The sweep, the rule, and the comparison: one GridResult holding every run.

        The reference's runs at a chosen level are the sweep's own, so they
        train once; :meth:`compared` picks the comparison's runs from the summary.
        """
        import pandas as pd

        from actstudy.experiments import GridResult, run_grid

        sweep = run_grid(self.configs(), progress=progress, **run_options)
        configs = self.comparison_configs(self.chosen(self.summary(sweep)))
        if not configs:
            return sweep
        comparison = run_grid(configs, progress=progress, **run_options)
        # The comparison's runs first, in the order of `activations` (as figures show them).
        runs = {run.key: run for run in [*comparison.runs, *sweep.runs]}
        return GridResult(runs=list(runs.values()),
                          failures=pd.concat([sweep.failures, comparison.failures],
                                             ignore_index=True))

    def compared(self, summary):
        """The rows of a :meth:`summary` in the comparison: each task at its chosen level.

        A ``task`` column names it for people ("spirals, 2.5 turns"; :meth:`task_names`).
        """
        chosen = self.chosen(summary)
        names = activation_names(self.activations)
        keep = [chosen.get(dataset) == level and activation in names for dataset, level, activation
                in zip(summary["dataset"], summary["level"], summary["activation"], strict=True)]
        compared = summary[keep].copy()
        compared["task"] = compared["dataset"].map(self.task_names(chosen))
        return compared

    def task_names(self, chosen: dict) -> dict[str, str]:
        """Each compared task's name for people, ``{dataset: "spirals, 2.5 turns"}``."""
        return {dataset: f"{dataset}, {self.level_label(dataset, level)}"
                for dataset, level in chosen.items() if level is not None}

    @staticmethod
    def level_label(dataset: str, level) -> str:
        """A task's level for people: "3 turns", "6 x 6 cells"."""
        if dataset == "checkerboard":
            return f"{level:g} x {level:g} cells"
        return f"{level:g} {data.SHAPE_OPTIONS[dataset][0]}"


@dataclass(frozen=True)
class Images(Study):
    """MNIST and Fashion-MNIST convergence per activation (and architecture)."""

    name: ClassVar[str] = "images"
    datasets: list[str] = ("mnist", "fashion_mnist")
    activations: str | list[str] = "all"
    architectures: list[str] = ("mlp",)
    depth: int = 2
    width: int = 128
    epochs: int = 6
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int | None = 10000  # None: the whole training split
    # The validation accuracy the speed comparison counts epochs to: one number for every
    # dataset, or one per dataset ({mnist: 0.93, fashion_mnist: 0.83}), since a target one
    # dataset reaches in an epoch may be out of reach on another.
    target_accuracy: float | dict[str, float] = 0.93

    def __post_init__(self):
        super().__post_init__()
        targets = self.target_accuracy
        values = targets.values() if isinstance(targets, dict) else [targets]
        if isinstance(targets, dict):
            absent = [d for d in self.datasets if d not in targets]
            extra = [d for d in targets if d not in self.datasets]
            if absent or extra:
                raise ValueError(
                    f"target_accuracy={targets!r} is not allowed for study 'images': give one "
                    f"number, or one per dataset of {list(self.datasets)} "
                    f"({'missing ' + repr(absent[0]) if absent else 'no dataset ' + repr(extra[0])})")
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"target_accuracy={targets!r} is not allowed for study 'images': "
                                 "each target must be a number in (0, 1]")

    def target_for(self, dataset: str) -> float:
        """The target validation accuracy for one dataset."""
        targets = self.target_accuracy
        return float(targets[dataset] if isinstance(targets, dict) else targets)

    def configs(self) -> list[Config]:
        options = _subset(self.n_train)
        configs = []
        for dataset in self.datasets:
            base = Config(dataset=dataset, depth=self.depth, width=self.width,
                          epochs=self.epochs, learning_rate=self.learning_rate,
                          batch_size=self.batch_size, dataset_options=options)
            for architecture in self.architectures:
                arch = base.replace(architecture=architecture,
                                    depth=2 if architecture == "cnn" else self.depth)
                configs += self._grid(arch, activation=activation_names(self.activations))
        return configs


@dataclass(frozen=True)
class DepthSweep(Study):
    """Deep MLPs per activation: gradient flow, dead and saturated units against depth."""

    name: ClassVar[str] = "depth_sweep"
    activations: str | list[str] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                    "gelu", "swish")
    depths: list[int] = (5, 10, 20)
    dataset: str = "mnist"
    width: int = 64
    epochs: int = 3
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int = 10000
    gradient_every: int = 1

    def configs(self) -> list[Config]:
        base = Config(dataset=self.dataset, depth=self.depths[0], width=self.width,
                      epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, gradient_every=self.gradient_every,
                      dataset_options={"n_train": self.n_train})
        return self._grid(base, activation=activation_names(self.activations),
                          depth=list(self.depths))


@dataclass(frozen=True)
class Dying(Study):
    """The rectifier family at a normal and a high learning rate (which provokes dying)."""

    name: ClassVar[str] = "dying"
    activations: str | list[str] = ("relu", "leaky_relu", "prelu", "elu")
    dataset: str = "mnist"
    depth: int = 5
    width: int = 64
    epochs: int = 3
    learning_rates: list[float] = (1e-3, 1e-2)
    n_train: int = 10000

    def configs(self) -> list[Config]:
        base = Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, dataset_options={"n_train": self.n_train})
        return self._grid(base, activation=activation_names(self.activations),
                          learning_rate=list(self.learning_rates))


@dataclass(frozen=True)
class LargeInit(Study):
    """Bounded against unbounded activations at the usual and at larger initial weights."""

    name: ClassVar[str] = "large_init"
    activations: str | list[str] = ("sigmoid", "tanh", "relu")
    dataset: str = "mnist"
    depth: int = 20
    width: int = 64
    epochs: int = 3
    init_scales: list[float] = (1.0, 3.0)
    n_train: int = 10000

    def configs(self) -> list[Config]:
        base = Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, dataset_options={"n_train": self.n_train})
        return self._grid(base, activation=activation_names(self.activations),
                          init_scale=list(self.init_scales))


@dataclass(frozen=True)
class Learned(Study):
    """Learnable activations (PReLU, Swish-beta, a mixture) beside the fixed ones they extend.

    MLPs on MNIST and Fashion-MNIST at each depth, every layer's learned
    parameters recorded per epoch. With ``prelu_initial_slope`` set, PReLU also
    runs from that slope (leaky ReLU's 0.01 by default), beside PReLU from its
    usual 0.25, so it can be compared with leaky ReLU from the same start;
    None leaves those runs out.
    """

    name: ClassVar[str] = "learned"
    datasets: list[str] = ("mnist", "fashion_mnist")
    depths: list[int] = (2, 6)
    activations: str | list[str] = ("prelu", "swish_beta", "mixture", "relu", "tanh", "sigmoid",
                                    "identity", "leaky_relu")
    prelu_initial_slope: float | None = 0.01
    width: int = 64
    epochs: int = 6
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int | None = 10000  # None: the whole training split

    def __post_init__(self):
        super().__post_init__()
        slope = self.prelu_initial_slope
        if slope is not None and (isinstance(slope, bool) or not isinstance(slope, int | float)
                                  or not (math.isfinite(slope) and slope >= 0)):
            raise ValueError(f"prelu_initial_slope={slope!r} is not allowed for study "
                             f"{self.name!r}: give a finite number >= 0 (the initial slope of the "
                             "extra PReLU runs), or null for none")

    def configs(self) -> list[Config]:
        options = _subset(self.n_train)
        base = Config(width=self.width, epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, dataset_options=options)
        axes = {"dataset": list(self.datasets), "depth": list(self.depths)}
        configs = self._grid(base, **axes, activation=activation_names(self.activations))
        if self.prelu_initial_slope is not None:
            slope = {"initial_slope": self.prelu_initial_slope}
            configs += self._grid(base.replace(activation="prelu", activation_options=slope),
                                  **axes)
        return configs


@dataclass(frozen=True)
class InitializerActivation(Study):
    """Deep MLPs with every activation under every initializer: which of the two decides.

    The grid crosses activations with initializers, so an activation's result
    is never confounded with the initializer its literature pairs it with.
    """

    name: ClassVar[str] = "initializer_activation"
    # No `initializer` parameter here: other studies use one initializer for every
    # activation, or each activation's own; this one crosses all of `initializers`.
    initializer: ClassVar[None] = None
    activations: str | list[str] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                    "gelu", "swish")
    initializers: list[str] = ("he_normal", "lecun_normal", "glorot_uniform")
    dataset: str = "mnist"
    depth: int = 10
    width: int = 64
    epochs: int = 3
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int | None = 10000  # None: the whole training split
    gradient_every: int = 1

    def __post_init__(self):
        super().__post_init__()
        chosen = self.initializers
        if isinstance(chosen, str) or not chosen or any(i not in INITIALIZERS for i in chosen):
            raise ValueError(f"initializers={chosen!r} is not allowed for study {self.name!r}: "
                             f"give a non-empty list from {', '.join(INITIALIZERS)}")
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    @property
    def comparison(self) -> str:
        return f"every activation under each initializer ({', '.join(self.initializers)})"

    def _base(self) -> Config:
        return Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, gradient_every=self.gradient_every,
                      dataset_options=_subset(self.n_train))

    def configs(self) -> list[Config]:
        # The initializer is a group field: an activation's initializers and seeds train
        # as one program.
        return self._grid(self._base(), activation=activation_names(self.activations),
                          initializer=list(self.initializers))


# Glorot & Bengio's "standard" initialisation, W ~ U[-1/sqrt(n), 1/sqrt(n)] for fan-in n:
# lecun_uniform draws from U[-sqrt(3/n), sqrt(3/n)], and models.initializer multiplies the
# weights by init_scale (their variance by its square), so 1/sqrt(3) gives the limit 1/sqrt(n).
STANDARD_INIT_SCALE = 1 / math.sqrt(3)


@dataclass(frozen=True)
class ClassicSettings(Study):
    """Glorot & Bengio (2010)'s settings: sigmoid and tanh MLPs, plain SGD on mini-batches of
    10, the "standard" initialisation; activations probed every ``probe_every`` steps."""

    name: ClassVar[str] = "classic"
    initializer: str | None = "lecun_uniform"
    init_scale: float = STANDARD_INIT_SCALE
    activations: str | list[str] = ("sigmoid", "tanh")
    dataset: str = "mnist"
    depth: int = 5
    width: int = 64
    epochs: int = 2
    # Glorot & Bengio tuned the rate per model. On this setting (MNIST, 10000 samples, depth 5,
    # width 64, batch 10, 2 epochs; measured) tanh validates best at 0.1 of 0.01, 0.03, 0.1
    # and 0.3 (2 seeds; 0.3 is erratic), and at 0.1 sigmoid's top hidden layer drifts towards
    # saturation at 0 within the 2 epochs, as their Figure 2 shows (mean activation 0.48 to
    # 0.20, seed 0), where at 0.01 it barely moves (0.48 to 0.47).
    learning_rate: float = 0.1
    batch_size: int = 10
    n_train: int | None = 10000  # None: the whole training split
    probe_every: int = 50  # steps

    def __post_init__(self):
        super().__post_init__()
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    @property
    def comparison(self) -> str:
        if self.initializer == "lecun_uniform" and math.isclose(self.init_scale,
                                                                STANDARD_INIT_SCALE):
            return "all activations with the standard initialisation U[-1/sqrt(n), 1/sqrt(n)]"
        scale = "" if self.init_scale == 1 else f", weights x {self.init_scale:.3g}"
        return super().comparison + scale

    def _base(self) -> Config:
        return Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, optimizer="sgd", learning_rate=self.learning_rate,
                      batch_size=self.batch_size, init_scale=self.init_scale,
                      probe_every=self.probe_every,
                      dataset_options=_subset(self.n_train))

    def configs(self) -> list[Config]:
        return self._grid(self._base(), activation=activation_names(self.activations))


@dataclass(frozen=True)
class SelfNormalising(Study):
    """SELU's self-normalisation through depth (Klambauer et al. 2017): activation mean and
    spread layer by layer on standardised inputs, against ReLU, tanh and ELU."""

    name: ClassVar[str] = "self_normalising"
    activations: str | list[str] = ("selu", "relu", "tanh", "elu")
    dataset: str = "mnist"
    depth: int = 24
    width: int = 64
    epochs: int = 2
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int | None = 10000  # None: the whole training split
    probe_every: int = 20  # steps

    def __post_init__(self):
        super().__post_init__()
        _check_image_set(self)  # the inputs are standardised, which only the image sets take
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        # SELU's fixed point (mean 0, variance 1) assumes standardised inputs.
        options = {"standardise": True, **_subset(self.n_train)}
        return Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, probe_every=self.probe_every,
                      dataset_options=options)

    def configs(self) -> list[Config]:
        return self._grid(self._base(), activation=activation_names(self.activations))


def _learning_rate_grid(study: Study) -> dict[str, list[float]]:
    """``learning_rates`` as ``{optimizer: [rate, ...]}``, checked; a ValueError names what is wrong."""
    given = study.learning_rates
    allowed = f"a mapping from an optimizer ({', '.join(OPTIMIZERS)}) to a non-empty list of " \
              "distinct rates > 0"
    try:
        grid = dict(given)
    except (TypeError, ValueError):
        grid = None
    if not grid or isinstance(given, str):
        raise ValueError(f"learning_rates={given!r} is not allowed for study {study.name!r}: "
                         f"give {allowed}")
    checked = {}
    for optimizer, rates in grid.items():
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"learning_rates names optimizer {optimizer!r}, which is not allowed "
                             f"for study {study.name!r}: choose from {', '.join(OPTIMIZERS)}")
        if isinstance(rates, str) or not isinstance(rates, list | tuple) or not rates:
            raise ValueError(f"learning_rates[{optimizer!r}]={rates!r} is not allowed for study "
                             f"{study.name!r}: give a non-empty list of distinct rates > 0")
        for rate in rates:
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not (
                    math.isfinite(rate) and rate > 0):
                # PyYAML reads 1e-3 (no dot) as the string '1e-3'.
                hint = "; YAML reads 1e-3 as text, write 1.0e-3" if isinstance(rate, str) else ""
                raise ValueError(f"learning_rates[{optimizer!r}] holds {rate!r}, which is not "
                                 f"allowed for study {study.name!r}: each rate must be a finite "
                                 f"number > 0{hint}")
        if len(set(rates)) < len(rates):
            raise ValueError(f"learning_rates[{optimizer!r}]={list(rates)!r} is not allowed for "
                             f"study {study.name!r}: a rate is repeated")
        checked[optimizer] = [float(rate) for rate in rates]
    return checked


@dataclass(frozen=True)
class LearningRate(Study):
    """Each activation over a learning-rate grid per optimizer, on MNIST and Fashion-MNIST.

    A comparison at one rate favours the activations that rate suits; this grid
    shows each activation's accuracy against the rate, its best rate (chosen on
    validation accuracy) and whether the ranking at the reference rate
    (``reference_optimizer`` at ``reference_learning_rate``, which must be in the
    grid) survives when each activation gets its best one. ``learning_rates``
    maps an optimizer (``momentum`` is SGD with momentum 0.9) to its rates.

    The learning rate is a group field: all rates and seeds of one activation,
    dataset and optimizer train as one compiled program (:meth:`run`).
    """

    name: ClassVar[str] = "learning_rate"
    activations: str | list[str] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                    "gelu", "swish", "mish", "softplus")
    datasets: list[str] = ("mnist", "fashion_mnist")
    # Half-decade steps. Adam's default 1e-3 sits in the middle of its grid; SGD with momentum
    # needs rates about 10x larger for the same progress per step.
    learning_rates: dict = (("adam", (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)),
                            ("momentum", (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1)))
    reference_optimizer: str = "adam"
    reference_learning_rate: float = 1e-3
    depth: int = 2
    width: int = 64
    epochs: int = 3
    batch_size: int = 128
    n_train: int | None = 10000  # None: the whole training split

    def __post_init__(self):
        super().__post_init__()
        grid = _learning_rate_grid(self)
        object.__setattr__(self, "learning_rates", grid)  # one spelling: {optimizer: [rate]}
        if (self.reference_optimizer not in grid
                or self.reference_learning_rate not in grid[self.reference_optimizer]):
            raise ValueError(
                f"reference_optimizer={self.reference_optimizer!r} with reference_learning_rate="
                f"{self.reference_learning_rate!r} is not allowed for study {self.name!r}: the "
                "reference must be one of the grid's settings, "
                + "; ".join(f"{o}: {', '.join(f'{r:g}' for r in rates)}"
                            for o, rates in grid.items()))
        datasets = self.datasets
        if isinstance(datasets, str) or not datasets or any(
                d not in data.IMAGE_SETS for d in datasets):
            raise ValueError(f"datasets={datasets!r} is not allowed for study {self.name!r}: "
                             f"give a non-empty list from {', '.join(data.IMAGE_SETS)}")
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return Config(dataset=self.datasets[0], depth=self.depth, width=self.width,
                      epochs=self.epochs, batch_size=self.batch_size,
                      dataset_options=_subset(self.n_train))

    def configs(self) -> list[Config]:
        names = activation_names(self.activations)
        return [config for dataset in self.datasets
                for optimizer, rates in self.learning_rates.items()
                for config in self._grid(self._base().replace(dataset=dataset,
                                                              optimizer=optimizer),
                                         activation=names, learning_rate=rates)]

    def run(self, progress: bool = True, **run_options):
        """The study's results; each activation, dataset and optimizer trains as one program.

        Its rates times seeds may exceed ``run_grid``'s usual group size, and a
        second, smaller program for the rest would cost another compilation.
        """
        from actstudy.experiments import MAX_GROUP

        members = max(map(len, self.learning_rates.values())) * len(self.seed_list)
        run_options.setdefault("max_group", max(MAX_GROUP, members))
        return super().run(progress=progress, **run_options)


@dataclass(frozen=True)
class BinaryStep(Study):
    """What learns in a binary-step network: three networks per seed on the same data.

    The binary-step MLP trained end to end; the same MLP with its hidden layers
    frozen at their random start, only the output layer trained
    (``train_hidden=False``); and logistic regression. The step's derivative is
    0 wherever it exists, so back-propagation gives the hidden layers exactly
    zero gradient (every step's norms are recorded) and the trained network can
    be no better than the frozen one: a linear model on fixed random binary
    features. Logistic regression is the identity network of depth 1, whose two
    linear maps compose to one (a width of at least the number of classes
    loses nothing): trained by the same loop, optimizer and epochs, per seed,
    and cached like every run, rather than by scikit-learn, which would be a
    different optimiser refitted at every render. With the ``images`` study's
    settings the trained binary-step runs are that study's.
    """

    name: ClassVar[str] = "binary_step"
    dataset: str = "mnist"
    depth: int = 2
    width: int = 128
    epochs: int = 6
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int | None = 10000  # None: the whole training split
    gradient_every: int = 1

    def __post_init__(self):
        super().__post_init__()
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return Config(dataset=self.dataset, activation="binary_step", depth=self.depth,
                      width=self.width, epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, gradient_every=self.gradient_every,
                      dataset_options=_subset(self.n_train))

    def configs(self) -> list[Config]:
        base = self._base()
        return (self._grid(base, train_hidden=[True, False])
                + self._grid(base.replace(activation="identity", depth=1)))


@dataclass(frozen=True)
class PreluOverfitting(Study):
    """PReLU against leaky ReLU from the same negative slope, on a small training set for long.

    The two differ only in whether the slope is learned (one per unit), so a
    wider train-validation gap for PReLU is the overfitting its extra
    parameters are said to risk. The common start defaults to leaky ReLU's
    usual 0.01 (Maas et al. 2013): PReLU then starts as exactly the leaky ReLU
    network it is compared with; He et al.'s 0.25 is ``initial_slope: 0.25``.
    """

    name: ClassVar[str] = "prelu_overfitting"
    initial_slope: float = 0.01
    dataset: str = "mnist"
    depth: int = 2
    width: int = 128
    # Measured at these settings (10 seeds, 150 epochs): training accuracy reaches 99.9% by
    # epoch 10, where the gap to validation accuracy (about 10 points) has opened; it then
    # holds while the validation loss keeps rising. Twice that is enough to see it settle.
    epochs: int = 20
    learning_rate: float = 1e-3
    batch_size: int = 32
    n_train: int | None = 1000  # None: the whole training split
    # Thousands of steps, and no gradient analysis here: every 10th step's norms keep the
    # stored record small.
    gradient_every: int = 10

    def __post_init__(self):
        super().__post_init__()
        slope = self.initial_slope
        if isinstance(slope, bool) or not isinstance(slope, int | float) or not (
                math.isfinite(slope) and slope >= 0):
            raise ValueError(f"initial_slope={slope!r} is not allowed for study {self.name!r}: "
                             "give a finite number >= 0 (the negative slope both start from)")
        _check_image_set(self)
        _check_n_train(self)
        self.configs()  # the Config checks the rest, naming the parameter

    def configs(self) -> list[Config]:
        base = Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, gradient_every=self.gradient_every,
                      dataset_options=_subset(self.n_train))
        return (self._grid(base.replace(activation="prelu",
                                        activation_options={"initial_slope": self.initial_slope}))
                + self._grid(base.replace(activation="leaky_relu", activation_options={
                    "negative_slope": self.initial_slope})))


def _check_list(study: Study, name: str, valid, allowed: str) -> None:
    """A non-empty list whose every value passes ``valid``; else a ValueError naming it."""
    values = getattr(study, name)
    if isinstance(values, str) or not isinstance(values, list | tuple) or not values or not all(
            not isinstance(v, bool) and valid(v) for v in values):
        raise ValueError(f"{name}={values!r} is not allowed for study {study.name!r}: give a "
                         f"non-empty list of {allowed}")


@dataclass(frozen=True)
class DepthTuned(Study):
    """Test accuracy against depth, each depth at its own learning rate, with early stopping.

    Each activation and depth trains at every rate of ``learning_rates`` for a
    fixed budget of ``epochs``, keeping the state with the best validation
    accuracy (``Config.restore_best``); :func:`actstudy.analysis.tune_learning_rate`
    then picks, per activation and depth, the rate with the best mean validation
    accuracy and gives the test accuracy there. So a depth is never judged at a
    rate or an epoch count that suits another depth. The learning rate is a
    group field: an activation's rates and seeds at one depth train as one program.
    """

    name: ClassVar[str] = "depth_tuned"
    activations: str | list[str] = ("sigmoid", "tanh", "relu", "gelu")
    depths: list[int] = (1, 2, 4, 8)
    # Adam's rates. Measured on the default profile (5000 images, 15 epochs, 10 seeds): of
    # 1e-3, 3e-3 and 1e-2, 1e-3 validated best for no activation and depth, 1e-2 for most
    # networks of one or two layers, so the grid reaches up to 3e-2 instead.
    learning_rates: list[float] = (3e-3, 1e-2, 3e-2)
    dataset: str = "mnist"
    width: int = 64
    # At 5000 images the validation accuracy creeps up for long: measured with 15 epochs,
    # the best epoch's median was 13-15 and a third of runs were best at the last. 12 is
    # what the default profile's time allows (Run.best_epoch and the analysis say how many
    # runs were still improving).
    epochs: int = 12
    batch_size: int = 128
    n_train: int | None = 5000  # None: the whole training split

    def __post_init__(self):
        super().__post_init__()
        _check_list(self, "depths", lambda d: isinstance(d, int) and d >= 1, "integers >= 1")
        _check_list(self, "learning_rates",
                    lambda r: isinstance(r, int | float) and math.isfinite(r) and r > 0,
                    "finite numbers > 0")
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return Config(dataset=self.dataset, depth=self.depths[0], width=self.width,
                      epochs=self.epochs, batch_size=self.batch_size, restore_best=True,
                      dataset_options=_subset(self.n_train))

    def configs(self) -> list[Config]:
        return self._grid(self._base(), activation=activation_names(self.activations),
                          depth=list(self.depths), learning_rate=list(self.learning_rates))


@dataclass(frozen=True)
class EluSetting(Study):
    """ELU against ReLU and leaky ReLU in the MNIST setting of the ELU paper, scaled down.

    Clevert, Unterthiner & Hochreiter (2015, "Fast and accurate deep network
    learning by exponential linear units", section 4.1, "Learning behavior"):
    MLPs of eight hidden layers of 128 units with ELU (alpha 1), ReLU and leaky
    ReLU (slope 0.1), He initialisation, plain SGD at learning rate 0.01 on
    mini-batches of 64, 300 epochs on MNIST's training set; the training loss
    of the ELU networks fell fastest. All of that is kept here but the length:
    the default profile trains ``epochs`` epochs on ``n_train`` images, so the
    report builds in minutes, and compares the start of the paper's curves; the
    full profile runs the paper's 300 epochs on the whole training split.
    The activation probe records each layer's inactive units every epoch.
    """

    name: ClassVar[str] = "elu_setting"
    initializer: str | None = "he_normal"
    activations: str | list[str] = ("relu", "elu")
    # The paper's leaky ReLU slope; its runs come beside ``activations`` (None: none).
    leaky_relu_slope: float | None = 0.1
    dataset: str = "mnist"
    depth: int = 8
    width: int = 128
    epochs: int = 10
    learning_rate: float = 0.01
    batch_size: int = 64
    n_train: int | None = 10000  # None: the whole training split

    def __post_init__(self):
        super().__post_init__()
        slope = self.leaky_relu_slope
        if slope is not None and (isinstance(slope, bool) or not isinstance(slope, int | float)
                                  or not (math.isfinite(slope) and slope >= 0)):
            raise ValueError(f"leaky_relu_slope={slope!r} is not allowed for study "
                             f"{self.name!r}: give a finite number >= 0 (the slope of the leaky "
                             "ReLU runs), or null for none")
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return Config(dataset=self.dataset, depth=self.depth, width=self.width,
                      epochs=self.epochs, optimizer="sgd", learning_rate=self.learning_rate,
                      batch_size=self.batch_size, dataset_options=_subset(self.n_train))

    def configs(self) -> list[Config]:
        configs = self._grid(self._base(), activation=activation_names(self.activations))
        if self.leaky_relu_slope is not None:
            leaky = self._base().replace(activation="leaky_relu", activation_options={
                "negative_slope": self.leaky_relu_slope})
            configs += self._grid(leaky)
        return configs


@dataclass(frozen=True)
class SwishDepth(Study):
    """Swish against ReLU in fully connected MNIST networks of growing depth, after the Swish paper.

    Ramachandran, Zoph & Le (2017, "Swish: a self-gated activation function",
    arXiv:1710.05941) trained fully connected MNIST networks of increasing depth
    with Swish and with ReLU, and found that Swish still trains the deepest of
    them where ReLU's accuracy falls away. The same comparison here, scaled
    down: ``width`` units a layer (the paper's were wider), ``epochs`` epochs
    on ``n_train`` images with Adam, each activation with its literature
    initializer (He normal for both), so the deepest networks build in a
    minute on two cores. The findings' claim 9 is decided on the depth sweep;
    this study is its published counterpart, shown beside it.
    """

    name: ClassVar[str] = "swish_depth"
    activations: str | list[str] = ("relu", "swish")
    depths: list[int] = (10, 25, 40)
    dataset: str = "mnist"
    width: int = 128
    epochs: int = 3
    learning_rate: float = 1e-3
    batch_size: int = 128
    n_train: int | None = 5000  # None: the whole training split
    gradient_every: int = 10  # the gradient norms are not this study's point

    def __post_init__(self):
        super().__post_init__()
        _check_image_set(self)
        _check_n_train(self)
        _check_list(self, "depths", lambda d: isinstance(d, int) and d >= 1, "integers >= 1")
        self.configs()  # the Config checks the rest, naming the parameter

    def configs(self) -> list[Config]:
        base = Config(dataset=self.dataset, depth=self.depths[0], width=self.width,
                      epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size, gradient_every=self.gradient_every,
                      dataset_options=_subset(self.n_train))
        return self._grid(base, activation=activation_names(self.activations),
                          depth=list(self.depths))


@dataclass(frozen=True)
class ActivationCost(Study):
    """What each activation costs to compute, relative to ReLU timed in the same round.

    Measured two ways, in interleaved rounds (:mod:`actstudy.timing`):
    element-wise (each activation alone on ``n_elements`` values, forward and
    forward+backward, ``repeats`` rounds), and as one training epoch of an MLP
    on MNIST with recording off (``epoch_activations`` in ``epoch_depth`` x
    ``epoch_width`` MLPs, ``epoch_batch_size``, ``epoch_n_train`` samples,
    ``epoch_repeats`` rounds), where the matrix products share the time. The
    reports read these once-per-build numbers through
    :func:`actstudy.timing.build_costs`; :meth:`run` measures afresh.
    """

    name: ClassVar[str] = "activation_cost"
    # Timed, not trained over seeds or initializers: neither is a parameter here.
    seeds: ClassVar[int] = 1
    initializer: ClassVar[None] = None
    activations: str | list[str] = "all"
    n_elements: int = 1_000_000
    repeats: int = 20
    # The activations claims 4, 7 and 8 compare, in the images study's MLP (2x128, batch 128,
    # 10000 MNIST samples); 10 rounds give the epoch ratio a 95% interval of a few percent.
    epoch_activations: str | list[str] = ("relu", "sigmoid", "tanh", "softplus", "gelu", "gelu_tanh")
    epoch_depth: int = 2
    epoch_width: int = 128
    epoch_batch_size: int = 128
    epoch_n_train: int | None = 10000  # None: the whole training split
    epoch_repeats: int = 10

    def __post_init__(self):
        super().__post_init__()
        epoch_names = activation_names(self.epoch_activations)  # names a bad one
        for name in ("n_elements", "repeats", "epoch_depth", "epoch_width", "epoch_batch_size",
                     "epoch_repeats"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}={value!r} is not allowed for study {self.name!r}: "
                                 "give an integer >= 1")
        n_train = self.epoch_n_train
        if n_train is not None and (isinstance(n_train, bool) or not isinstance(n_train, int)
                                    or n_train < self.epoch_batch_size):
            raise ValueError(f"epoch_n_train={n_train!r} is not allowed for study "
                             f"{self.name!r}: give an integer >= epoch_batch_size "
                             f"({self.epoch_batch_size}), or null for the whole training split")
        for activation in epoch_names:
            # The Config names an activation that cannot go in a hidden layer.
            Config(activation=activation)

    def configs(self) -> list[Config]:
        return []  # timed, not trained

    def run(self, progress: bool = True, **_):
        """Both measurements, now (:func:`actstudy.timing.measure`); nothing is stored."""
        from actstudy import timing

        return timing.measure(self, by="ActivationCost.run", progress=progress)


@dataclass(frozen=True)
class Arithmetic(Study):
    """The static arithmetic tasks of Trask et al. (2018, "Neural Arithmetic Logic Units",
    section 4.1): MLPs with ordinary activations against NAC and NALU networks.

    Each task (``operations``: add, subtract, multiply, divide, square, sqrt)
    is the dataset ``arithmetic_<operation>``: y = f(a, b) with a and b sums
    over two subsets of ``n_inputs`` inputs, trained on inputs in one range and
    tested inside it (interpolation) and on a larger one (extrapolation). The
    MLPs (one per activation of ``activations``) and the NAC and NALU networks
    (``architectures``) share the depth, the width, the linear output layer and
    the training; a NAC or NALU layer has two or three weight matrices where a
    dense layer has one and a bias, so the arithmetic networks have about 2 to
    3 times the MLPs' parameters. The paper used 100 inputs; fewer keep the
    default profile's build within its time.
    """

    name: ClassVar[str] = "arithmetic"
    operations: list[str] = tuple(data.ARITHMETIC)
    # The paper's baseline (relu6), the identity (no activation: a linear network) and a
    # representative of each family.
    activations: str | list[str] = ("identity", "relu", "relu6", "tanh", "sigmoid", "elu", "gelu",
                                    "swish", "mish", "softplus")
    architectures: list[str] = ARITHMETIC_ARCHITECTURES
    n_inputs: int = 10
    depth: int = 2
    width: int = 8
    epochs: int = 100
    learning_rate: float = 0.01
    batch_size: int = 32
    n_train: int = 1000

    def __post_init__(self):
        super().__post_init__()
        _check_list(self, "operations", lambda o: o in data.ARITHMETIC,
                    f"operations from {', '.join(data.ARITHMETIC)}")
        _check_list(self, "architectures", lambda a: a in ARITHMETIC_ARCHITECTURES,
                    f"architectures from {', '.join(ARITHMETIC_ARCHITECTURES)}")
        n_inputs = self.n_inputs
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 2:
            raise ValueError(f"n_inputs={n_inputs!r} is not allowed for study {self.name!r}: give "
                             "an integer >= 2 (a and b sum over inputs of their own)")
        _check_n_train(self)
        self.configs()  # the Config checks the rest, naming the parameter

    def configs(self) -> list[Config]:
        base = Config(dataset=f"arithmetic_{self.operations[0]}", depth=self.depth,
                      width=self.width, epochs=self.epochs, learning_rate=self.learning_rate,
                      batch_size=self.batch_size,
                      dataset_options={"n_train": self.n_train, "n_inputs": self.n_inputs})
        datasets = [f"arithmetic_{operation}" for operation in self.operations]
        return (self._grid(base, dataset=datasets, activation=activation_names(self.activations))
                + self._grid(base.replace(activation="identity"), dataset=datasets,
                             architecture=list(self.architectures)))


STUDIES: dict[str, type[Study]] = {
    cls.name: cls for cls in (Sine, Classification, ClassificationHard, Images, DepthSweep, Dying,
                              LargeInit, Learned, InitializerActivation, ClassicSettings,
                              SelfNormalising, LearningRate, BinaryStep, PreluOverfitting,
                              DepthTuned, EluSetting, SwishDepth, ActivationCost, Arithmetic)
}


# -- profiles --------------------------------------------------------------------------


def profiles() -> list[str]:
    return sorted(p.stem for p in settings.profiles_dir().glob("*.yaml"))


def load_profile(profile: str) -> dict:
    """A profile's ``{"common": {...}, "studies": {name: {...}}}``, checked against the studies."""
    path = settings.profiles_dir() / f"{profile}.yaml"
    if not path.exists():
        raise ValueError(f"profile={profile!r} is not allowed: choose one of "
                         f"{', '.join(profiles())}")
    spec = yaml.safe_load(path.read_text()) or {}
    unknown = set(spec) - {"common", "studies"}
    if unknown:
        raise ValueError(f"profile {profile!r} has a section {sorted(unknown)[0]!r}; allowed: "
                         "common, studies")
    spec.setdefault("common", {})
    spec.setdefault("studies", {})
    for name, section in spec["studies"].items():
        if name not in STUDIES:
            raise ValueError(f"profile {profile!r} names study {name!r}; known studies: "
                             f"{', '.join(STUDIES)}")
        _check_names(STUDIES[name], section or {})
    return spec


def get(name: str, profile: str = "default", overrides: dict | None = None) -> Study:
    """The study ``name`` as the profile sets it, with the reader's ``overrides[name]`` on top."""
    if name not in STUDIES:
        raise ValueError(f"study={name!r} is not allowed: choose one of {', '.join(STUDIES)}")
    overrides = overrides or {}
    unknown = [n for n in overrides if n not in STUDIES]
    if unknown:
        raise ValueError(f"overrides name study {unknown[0]!r}; known studies: "
                         f"{', '.join(STUDIES)}")
    cls = STUDIES[name]
    spec = load_profile(profile)
    taken = {f.name for f in dataclasses.fields(cls)}
    common = {k: v for k, v in spec["common"].items() if k in taken}
    changes = overrides.get(name) or {}
    _check_names(cls, changes)
    return cls(**{**common, **(spec["studies"].get(name) or {}), **changes})
