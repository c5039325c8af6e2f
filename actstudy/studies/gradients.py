"""The gradient-flow studies of 05: depth sweeps, dying units, large initial weights, learned parameters, initializers, the classic and self-normalising settings, Swish in depth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from actstudy.run.config import INITIALIZERS, Config
from actstudy.studies.base import (
    Study,
    _check_image_set,
    _check_list,
    _check_n_train,
    _check_slope,
    activation_names,
)

__all__ = ["DepthSweep", "Dying", "LargeInit", "Learned", "InitializerActivation",
           "STANDARD_INIT_SCALE", "ClassicSettings", "SelfNormalising", "SwishDepth"]


@dataclass(frozen=True)
class DepthSweep(Study, network={"dataset": "mnist", "width": 64, "epochs": 3,
                                 "learning_rate": 1e-3, "batch_size": 128, "n_train": 10000,
                                 "gradient_every": 1}):
    """Deep MLPs per activation: gradient flow, dead and saturated units against depth."""

    name: ClassVar[str] = "depth_sweep"
    activations: str | list[str] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                    "gelu", "swish")
    depths: list[int] = (5, 10, 20)

    def configs(self) -> list[Config]:
        base = self.network(depth=self.depths[0])
        return self._grid(base, activation=activation_names(self.activations),
                          depth=list(self.depths))


@dataclass(frozen=True)
class Dying(Study, network={"dataset": "mnist", "depth": 5, "width": 64, "epochs": 3,
                            "n_train": 10000}):
    """The rectifier family at a normal and a high learning rate (which provokes dying)."""

    name: ClassVar[str] = "dying"
    activations: str | list[str] = ("relu", "leaky_relu", "prelu", "elu")
    learning_rates: list[float] = (1e-3, 1e-2)

    def configs(self) -> list[Config]:
        base = self.network()
        return self._grid(base, activation=activation_names(self.activations),
                          learning_rate=list(self.learning_rates))


@dataclass(frozen=True)
class LargeInit(Study, network={"dataset": "mnist", "depth": 20, "width": 64, "epochs": 3,
                                "n_train": 10000}):
    """Bounded against unbounded activations at the usual and at larger initial weights."""

    name: ClassVar[str] = "large_init"
    activations: str | list[str] = ("sigmoid", "tanh", "relu")
    init_scales: list[float] = (1.0, 3.0)

    def configs(self) -> list[Config]:
        base = self.network()
        return self._grid(base, activation=activation_names(self.activations),
                          init_scale=list(self.init_scales))


@dataclass(frozen=True)
class Learned(Study, network={"width": 64, "epochs": 6, "learning_rate": 1e-3, "batch_size": 128,
                              "n_train": 10000}):
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

    def __post_init__(self):
        super().__post_init__()
        _check_slope(self, "prelu_initial_slope", "the initial slope of the extra PReLU runs")

    def configs(self) -> list[Config]:
        base = self.network()
        axes = {"dataset": list(self.datasets), "depth": list(self.depths)}
        configs = self._grid(base, **axes, activation=activation_names(self.activations))
        if self.prelu_initial_slope is not None:
            slope = {"initial_slope": self.prelu_initial_slope}
            configs += self._grid(base.replace(activation="prelu", activation_options=slope),
                                  **axes)
        return configs


@dataclass(frozen=True)
class InitializerActivation(Study, network={"dataset": "mnist", "depth": 10, "width": 64,
                                            "epochs": 3, "learning_rate": 1e-3, "batch_size": 128,
                                            "n_train": 10000, "gradient_every": 1}):
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
        return self.network()

    def configs(self) -> list[Config]:
        # The initializer is a group field and the activations share programs: the whole
        # grid trains as one program.
        return self._grid(self._base(), activation=activation_names(self.activations),
                          initializer=list(self.initializers))


# Glorot & Bengio's "standard" initialisation, W ~ U[-1/sqrt(n), 1/sqrt(n)] for fan-in n:
# lecun_uniform draws from U[-sqrt(3/n), sqrt(3/n)], and models.initializer multiplies the
# weights by init_scale (their variance by its square), so 1/sqrt(3) gives the limit 1/sqrt(n).
STANDARD_INIT_SCALE = 1 / math.sqrt(3)


@dataclass(frozen=True)
class ClassicSettings(Study, network={"dataset": "mnist", "depth": 5, "width": 64, "epochs": 2,
                                      "learning_rate": 0.1, "batch_size": 10, "n_train": 10000,
                                      "probe_every": 50}):
    """Glorot & Bengio (2010)'s settings: sigmoid and tanh MLPs (ReLU beside them, for claim 3),
    plain SGD on mini-batches of 10, the "standard" initialisation; activations probed every
    ``probe_every`` steps."""

    name: ClassVar[str] = "classic"
    initializer: str | None = "lecun_uniform"
    init_scale: float = STANDARD_INIT_SCALE
    activations: str | list[str] = ("sigmoid", "tanh", "relu")
    # Glorot & Bengio tuned the rate per model. On this setting (MNIST, 10000 samples, depth 5,
    # width 64, batch 10, 2 epochs; measured) tanh validates best at 0.1 of 0.01, 0.03, 0.1
    # and 0.3 (2 seeds; 0.3 is erratic), and at 0.1 sigmoid's top hidden layer drifts towards
    # saturation at 0 within the 2 epochs, as their Figure 2 shows (mean activation 0.48 to
    # 0.20, seed 0), where at 0.01 it barely moves (0.48 to 0.47).

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
        return self.network(optimizer="sgd", init_scale=self.init_scale)

    def configs(self) -> list[Config]:
        return self._grid(self._base(), activation=activation_names(self.activations))


@dataclass(frozen=True)
class SelfNormalising(Study, network={"dataset": "mnist", "depth": 24, "width": 64, "epochs": 2,
                                      "learning_rate": 1e-3, "batch_size": 128, "n_train": 10000,
                                      "probe_every": 20}):
    """SELU's self-normalisation through depth (Klambauer et al. 2017): activation mean and
    spread layer by layer on standardised inputs, against ReLU, tanh and ELU."""

    name: ClassVar[str] = "self_normalising"
    activations: str | list[str] = ("selu", "relu", "tanh", "elu")

    def __post_init__(self):
        super().__post_init__()
        _check_image_set(self)  # the inputs are standardised, which only the image sets take
        _check_n_train(self)
        self._base()  # the Config checks the rest, naming the parameter

    def _base(self) -> Config:
        # SELU's fixed point (mean 0, variance 1) assumes standardised inputs.
        return self.network(dataset_options={"standardise": True})

    def configs(self) -> list[Config]:
        return self._grid(self._base(), activation=activation_names(self.activations))


@dataclass(frozen=True)
class SwishDepth(Study, network={"dataset": "mnist", "width": 128, "epochs": 3,
                                 "learning_rate": 1e-3, "batch_size": 128, "n_train": 5000,
                                 "gradient_every": 10}):  # norms are not the point here
    """Swish against ReLU in fully connected MNIST networks of growing depth, after the Swish paper.

    Ramachandran, Zoph & Le (2017, "Swish: a self-gated activation function",
    arXiv:1710.05941) trained fully connected MNIST networks of increasing depth
    with Swish and with ReLU, and found that Swish still trains the deepest of
    them where ReLU's accuracy falls away. The same comparison here, scaled
    down: ``width`` units a layer (the paper's were wider), ``epochs`` epochs
    on ``n_train`` images with Adam, each activation with its literature
    initializer (He normal for both), so the deepest networks build in a
    minute on two cores. The findings' claim 9 is decided on the tuned-depth
    study (every network at its own rate); this study is its published
    counterpart, shown beside it.
    """

    name: ClassVar[str] = "swish_depth"
    activations: str | list[str] = ("relu", "swish")
    depths: list[int] = (10, 25, 40)

    def __post_init__(self):
        super().__post_init__()
        _check_image_set(self)
        _check_n_train(self)
        _check_list(self, "depths", lambda d: isinstance(d, int) and d >= 1, "integers >= 1")
        self.configs()  # the Config checks the rest, naming the parameter

    def configs(self) -> list[Config]:
        base = self.network(depth=self.depths[0])
        return self._grid(base, activation=activation_names(self.activations),
                          depth=list(self.depths))
