"""The activation-cost study: which activations the build times, and how, as a profile sets it (the measurement itself is :mod:`actstudy.runner.timing`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import ClassVar

from actstudy.run.config import Config
from actstudy.runner import timing
from actstudy.studies.base import Study, activation_names

__all__ = ["ActivationCost", "parameters"]


@dataclass(frozen=True)
class ActivationCost(Study):
    """What each activation costs to compute, relative to ReLU timed in the same round.

    Measured two ways, in interleaved rounds, in ``processes`` fresh processes
    (:mod:`actstudy.runner.timing`):
    element-wise (each activation alone on ``n_elements`` values, forward and
    forward+backward, ``repeats`` rounds), and as one training epoch of an MLP
    on MNIST with recording off (``epoch_activations`` in ``epoch_depth`` x
    ``epoch_width`` MLPs, ``epoch_batch_size``, ``epoch_n_train`` samples,
    ``epoch_repeats`` rounds), where the matrix products share the time. The
    reports read these once-per-build numbers through
    :func:`actstudy.studies.build_costs`; :meth:`run` measures afresh.
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
    # Fresh processes, one after another, each timing `repeats` and `epoch_repeats` rounds: each
    # process gives one estimate. The claims decide each ratio over this machine's builds
    # (actstudy.runner.timing_builds): processes within one build do not vary as builds do.
    processes: int = 1

    def __post_init__(self):
        super().__post_init__()
        epoch_names = activation_names(self.epoch_activations)  # names a bad one
        for name in ("n_elements", "repeats", "epoch_depth", "epoch_width", "epoch_batch_size",
                     "epoch_repeats", "processes"):
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
        """Both measurements, now (:func:`actstudy.runner.timing.measure`); nothing is stored."""
        return self.measure(by="ActivationCost.run", progress=progress)

    def measure(self, by: str, reason: str = "asked for", progress: bool = False):
        """Both measurements of :mod:`actstudy.runner.timing` under these parameters, now."""
        return timing.measure(
            activation_names(self.activations), activation_names(self.epoch_activations),
            n_elements=self.n_elements, repeats=self.repeats, epoch_depth=self.epoch_depth,
            epoch_width=self.epoch_width, epoch_batch_size=self.epoch_batch_size,
            epoch_n_train=self.epoch_n_train, epoch_repeats=self.epoch_repeats,
            processes=self.processes, parameters=parameters(self), by=by, reason=reason,
            progress=progress)


def parameters(study) -> dict:
    """The study's parameters as stored: activation lists resolved, JSON's types.

    Resolved, so that ``activations: all`` measured before an activation was
    registered does not pass for ``all`` after.
    """
    fields = dataclasses.asdict(study)
    fields["activations"] = activation_names(study.activations)
    fields["epoch_activations"] = activation_names(study.epoch_activations)
    return json.loads(json.dumps(fields))
