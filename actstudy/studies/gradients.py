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
    _subset,
    activation_names,
)

__all__ = ["DepthSweep", "Dying", "LargeInit", "Learned", "InitializerActivation",
           "STANDARD_INIT_SCALE", "ClassicSettings", "SelfNormalising", "SwishDepth"]


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
