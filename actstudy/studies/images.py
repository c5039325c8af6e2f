"""The MNIST and Fashion-MNIST studies of 04: convergence, learning rates, the binary step, PReLU's overfitting, tuned depth, the ELU paper's setting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from actstudy import sources
from actstudy.run.config import OPTIMIZERS, Config
from actstudy.studies.base import (
    Study,
    _check_image_set,
    _check_list,
    _check_n_train,
    _check_rate_grid,
    _check_slope,
    activation_names,
    grown,
    rates_beyond,
)

__all__ = ["Images", "LearningRate", "BinaryStep", "PreluOverfitting", "DepthTuned", "EluSetting"]


@dataclass(frozen=True)
class Images(Study, network={"depth": 2, "width": 128, "epochs": 6, "learning_rate": 1e-3,
                             "batch_size": 128, "n_train": 10000}):
    """MNIST and Fashion-MNIST convergence per activation (and architecture)."""

    name: ClassVar[str] = "images"
    datasets: list[str] = ("mnist", "fashion_mnist")
    activations: str | list[str] = "all"
    architectures: list[str] = ("mlp",)
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
        configs = []
        for dataset in self.datasets:
            base = self.network(dataset=dataset)
            for architecture in self.architectures:
                arch = base.replace(architecture=architecture,
                                    depth=2 if architecture == "cnn" else self.depth)
                configs += self._grid(arch, activation=activation_names(self.activations))
        return configs


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
class LearningRate(Study, network={"depth": 2, "width": 64, "epochs": 3, "batch_size": 128,
                                   "n_train": 10000}):
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
                d not in sources.IMAGE_SETS for d in datasets):
            raise ValueError(f"datasets={datasets!r} is not allowed for study {self.name!r}: "
                             f"give a non-empty list from {', '.join(sources.IMAGE_SETS)}")
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return self.network(dataset=self.datasets[0])

    def configs(self) -> list[Config]:
        names = activation_names(self.activations)
        return [config for dataset in self.datasets
                for optimizer, rates in self.learning_rates.items()
                for config in self._grid(self._base().replace(dataset=dataset,
                                                              optimizer=optimizer),
                                         activation=names, learning_rate=rates)]

    def run(self, progress: bool = True, **run_options):
        """The study's results; each dataset and optimizer trains as one program, a chunk per
        activation (:mod:`actstudy.run.grouping`).

        Its rates times seeds may exceed ``run_grid``'s usual chunk size, and a
        second, smaller program for the rest would cost another compilation.
        """
        from actstudy.run.grouping import MAX_GROUP

        members = max(map(len, self.learning_rates.values())) * len(self.seed_list)
        run_options.setdefault("max_group", max(MAX_GROUP, members))
        return super().run(progress=progress, **run_options)


@dataclass(frozen=True)
class BinaryStep(Study, network={"dataset": "mnist", "depth": 2, "width": 128, "epochs": 6,
                                 "learning_rate": 1e-3, "batch_size": 128, "n_train": 10000,
                                 "gradient_every": 1}):
    """What learns in a binary-step network: four networks per seed on the same data.

    The binary-step MLP trained end to end; the same MLP with its hidden layers
    frozen at their random start, only the output layer trained
    (``train_hidden=False``); and logistic regression. The step's derivative is
    0 wherever it exists, so back-propagation gives the hidden layers exactly
    zero gradient (every step's norms are recorded) and the trained network can
    be no better than the frozen one: a linear model on fixed random binary
    features. The contrast is the same step trained through a surrogate
    derivative (the straight-through estimator, ``binary_step`` with
    ``straight_through``): what the hidden layers learn once a signal reaches
    them. Logistic regression is the identity network of depth 1, whose two
    linear maps compose to one (a width of at least the number of classes
    loses nothing): trained by the same loop, optimizer and epochs, per seed,
    and cached like every run, rather than by scikit-learn, which would be a
    different optimiser refitted at every render. With the ``images`` study's
    settings the trained binary-step runs are that study's.
    """

    name: ClassVar[str] = "binary_step"

    def __post_init__(self):
        super().__post_init__()
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return self.network(activation="binary_step")

    def configs(self) -> list[Config]:
        base = self._base()
        return (self._grid(base, train_hidden=[True, False])
                + self._grid(base.replace(activation_options={"straight_through": True}))
                + self._grid(base.replace(activation="identity", depth=1)))


@dataclass(frozen=True)
class PreluOverfitting(Study, network={"dataset": "mnist", "depth": 2, "width": 128, "epochs": 20,
                                       "learning_rate": 1e-3, "batch_size": 32, "n_train": 1000,
                                       "gradient_every": 10}):
    """PReLU against leaky ReLU from the same negative slope, on a small training set for long.

    The two differ only in whether the slope is learned (one per unit), so a
    wider train-validation gap for PReLU is the overfitting its extra
    parameters are said to risk. The common start defaults to leaky ReLU's
    usual 0.01 (Maas et al. 2013): PReLU then starts as exactly the leaky ReLU
    network it is compared with; He et al.'s 0.25 is ``initial_slope: 0.25``.
    """

    name: ClassVar[str] = "prelu_overfitting"
    initial_slope: float = 0.01
    # Measured at these settings (10 seeds, 150 epochs): training accuracy reaches 99.9% by
    # epoch 10, where the gap to validation accuracy (about 10 points) has opened; it then
    # holds while the validation loss keeps rising. Twice that is enough to see it settle.
    # Thousands of steps, and no gradient analysis here: every 10th step's norms keep the
    # stored record small.

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
        base = self.network()
        return (self._grid(base.replace(activation="prelu",
                                        activation_options={"initial_slope": self.initial_slope}))
                + self._grid(base.replace(activation="leaky_relu", activation_options={
                    "negative_slope": self.initial_slope})))


@dataclass(frozen=True)
class DepthTuned(Study, network={"dataset": "mnist", "width": 64, "epochs": 12, "batch_size": 128,
                                 "n_train": 5000}):
    """Test accuracy against depth, each depth at its own learning rate, with early stopping.

    Each activation and depth trains at every rate of ``learning_rates`` for a
    fixed budget of ``epochs``, keeping the state with the best validation
    accuracy (``Config.restore_best``); :func:`actstudy.analysis.tune_learning_rate`
    then picks, per activation and depth, the rate with the best mean validation
    accuracy and gives the test accuracy there. So a depth is never judged at a
    rate or an epoch count that suits another depth. The learning rate is a
    group field: the rates, seeds and (parameter-free) activations at one depth train as one
    program.
    """

    name: ClassVar[str] = "depth_tuned"
    activations: str | list[str] = ("sigmoid", "tanh", "relu", "gelu")
    depths: list[int] = (1, 2, 4, 8)
    # Adam's rates, half a decade apart. Measured on the default profile (5000 images, 12
    # epochs, 10 seeds, rates 3e-3 to 3e-2): 9 of the 16 networks chose 3e-3, the lowest, and
    # one 3e-2, the highest; so the grid starts at 1e-3, and grows past an edge (below).
    learning_rates: list[float] = (1e-3, 3e-3, 1e-2, 3e-2)
    # The grid's growth rule, fixed before the runs it adds: up to `extensions` times, every
    # activation and depth whose chosen rate is the lowest (highest) it trained at also trains
    # one step beyond it (the ratio of the two rates nearest that end), and the rate is chosen
    # again over all it tried (studies.base.rates_beyond). A chosen rate still at an edge after
    # that is reported as such (analysis.adequacy.rates_inside).
    extensions: int = 2
    # At 5000 images the validation accuracy creeps up for long: measured with 15 epochs,
    # the best epoch's median was 13-15 and a third of runs were best at the last. The
    # adequacy line of 04 says how many runs were still improving at the end.

    def __post_init__(self):
        super().__post_init__()
        _check_list(self, "depths", lambda d: isinstance(d, int) and d >= 1, "integers >= 1")
        _check_rate_grid(self)
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return self.network(depth=self.depths[0], restore_best=True)

    def configs(self) -> list[Config]:
        """The first grid; :meth:`run` grows it where a chosen rate is at an edge."""
        return self._grid(self._base(), activation=activation_names(self.activations),
                          depth=list(self.depths), learning_rate=list(self.learning_rates))

    def beyond(self, results) -> list[Config]:
        """One round of the growth rule on the runs so far: the configs it adds."""
        return [config for (activation, depth), rate in rates_beyond(
                    results.summary, ["activation", "depth"])
                for config in self._grid(self._base().replace(depth=int(depth)),
                                         activation=[activation], learning_rate=[rate])]

    def run(self, progress: bool = True, **run_options):
        """The grid, grown by the rule up to ``extensions`` times (:func:`grown`)."""
        from actstudy.runner import run_grid

        results = run_grid(self.configs(), progress=progress, **run_options)
        return grown(self, results, self.beyond, self.extensions, progress, **run_options)


@dataclass(frozen=True)
class EluSetting(Study, network={"dataset": "mnist", "depth": 8, "width": 128, "epochs": 10,
                                 "learning_rate": 0.01, "batch_size": 64, "n_train": 10000}):
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

    def __post_init__(self):
        super().__post_init__()
        _check_slope(self, "leaky_relu_slope", "the slope of the leaky ReLU runs")
        _check_image_set(self)
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        return self.network(optimizer="sgd")

    def configs(self) -> list[Config]:
        configs = self._grid(self._base(), activation=activation_names(self.activations))
        if self.leaky_relu_slope is not None:
            leaky = self._base().replace(activation="leaky_relu", activation_options={
                "negative_slope": self.leaky_relu_slope})
            configs += self._grid(leaky)
        return configs
