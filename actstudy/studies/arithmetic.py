"""The arithmetic extrapolation study of 07 (Trask et al. 2018).
"""

from __future__ import annotations

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
        base = self.network(dataset=f"arithmetic_{self.operations[0]}", dataset_options={"n_train": self.n_train, "n_inputs": self.n_inputs})
        datasets = [f"arithmetic_{operation}" for operation in self.operations]
        return (self._grid(base, dataset=datasets, activation=activation_names(self.activations))
                + self._grid(base.replace(activation="identity"), dataset=datasets,
                             architecture=list(self.architectures)))
