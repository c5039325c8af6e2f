"""The arithmetic extrapolation study of 07 (Trask et al. 2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from actstudy.run import data
from actstudy.run.config import ARITHMETIC_ARCHITECTURES, Config
from actstudy.studies.base import Study, _check_list, _check_n_train, activation_names

__all__ = ["Arithmetic"]


@dataclass(frozen=True)
class Arithmetic(Study, network={"depth": 2, "width": 8, "epochs": 100, "learning_rate": 0.01,
                                 "batch_size": 32, "n_train": 1000}):
    """The static arithmetic tasks of Trask et al. (2018, "Neural Arithmetic Logic Units",
    section 4.1): MLPs with ordinary activations against NAC and NALU networks.

    Each task (``operations``: add, subtract, multiply, divide, square, sqrt)
    is the dataset ``arithmetic_<operation>``: y = f(a, b) with a and b sums
    over two subsets of ``n_inputs`` inputs, trained on inputs in one range and
    tested inside it (interpolation) and on a larger one (extrapolation). The
    MLPs (one per activation of ``activations``) and the NAC and NALU networks
    (``architectures``) share the depth, the width, the linear output layer and
    the training unless ``arithmetic_depth``, ``arithmetic_width`` or
    ``arithmetic_learning_rate`` give the NAC and NALU networks their own; a
    NAC or NALU layer has two or three weight matrices where a dense layer has
    one and a bias. The paper used 100 inputs; fewer keep the default profile's
    build within its time.
    """

    name: ClassVar[str] = "arithmetic"
    operations: list[str] = tuple(data.ARITHMETIC)
    # The paper's baseline (relu6), the identity (no activation: a linear network) and a
    # representative of each family.
    activations: str | list[str] = ("identity", "relu", "relu6", "tanh", "sigmoid", "elu", "gelu",
                                    "swish", "mish", "softplus")
    architectures: list[str] = ARITHMETIC_ARCHITECTURES
    n_inputs: int = 10
    # The NAC and NALU networks' hidden layers, units and Adam rate (None: the MLPs'). A NALU
    # layer is built to compute the operation itself: one layer of two units learns a x b in
    # most seeds at rate 0.1, while an MLP needs the width to fit the function at all, and a
    # rate of 0.1 is too high for it (measured on the default profile's tasks before its runs).
    arithmetic_depth: int | None = None
    arithmetic_width: int | None = None
    arithmetic_learning_rate: float | None = None

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
        for name in ("arithmetic_depth", "arithmetic_width"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name}={value!r} is not allowed for study {self.name!r}: give "
                                 "an integer >= 1, or null for the MLPs' value")
        rate = self.arithmetic_learning_rate
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)
                                 or not (math.isfinite(rate) and rate > 0)):
            raise ValueError(f"arithmetic_learning_rate={rate!r} is not allowed for study "
                             f"{self.name!r}: give a finite number > 0, or null for the MLPs' "
                             "rate")
        self.configs()  # the Config checks the rest, naming the parameter

    def configs(self) -> list[Config]:
        base = self.network(dataset=f"arithmetic_{self.operations[0]}",
                            dataset_options={"n_train": self.n_train, "n_inputs": self.n_inputs})
        datasets = [f"arithmetic_{operation}" for operation in self.operations]
        units = base.replace(
            activation="identity",
            depth=self.arithmetic_depth or base.depth, width=self.arithmetic_width or base.width,
            learning_rate=self.arithmetic_learning_rate or base.learning_rate)
        return (self._grid(base, dataset=datasets, activation=activation_names(self.activations))
                + self._grid(units, dataset=datasets, architecture=list(self.architectures)))
