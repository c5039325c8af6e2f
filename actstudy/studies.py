"""The experiments behind the reports, as grids of Configs built from profile parameters.

Each notebook and each claim in :mod:`actstudy.claims` asks for its runs here
with the same profile parameters, so they share the run cache: the findings
report retrains nothing the other reports already ran.

>>> from actstudy import studies
>>> len(studies.sine(activations=["identity", "relu"], seeds=2, epochs=10))
4
"""

from __future__ import annotations

from actstudy import activations as registry
from actstudy.config import Config
from actstudy.experiments import grid


def activation_names(names="all") -> list[str]:
    """``"all"`` (every hidden-layer activation) or a list, resolved to canonical names."""
    if names == "all":
        return registry.names()
    return [registry.spec(name).name for name in names]


def _seeds(seeds) -> list[int]:
    return list(range(seeds)) if isinstance(seeds, int) else list(seeds)


def sine(activations="all", seeds=3, depth=3, width=64, epochs=200, learning_rate=0.01,
         batch_size=64, n_train=1000, **_) -> list[Config]:
    """y = sin(x) on [-2pi, 2pi]: the same MLP with each activation (identity = none)."""
    base = Config(dataset="sine", depth=depth, width=width, epochs=epochs,
                  learning_rate=learning_rate, batch_size=batch_size,
                  dataset_options={"n_train": n_train})
    return grid(base, activation=activation_names(activations), seed=_seeds(seeds))


def classification(datasets=("moons", "circles", "spirals", "xor"), activations="all", seeds=3,
                   depth=3, width=32, epochs=100, learning_rate=0.01, batch_size=64,
                   **_) -> list[Config]:
    """Two-dimensional toy problems: decision boundaries per activation."""
    base = Config(dataset=datasets[0], depth=depth, width=width, epochs=epochs,
                  learning_rate=learning_rate, batch_size=batch_size)
    return grid(base, dataset=list(datasets), activation=activation_names(activations),
                seed=_seeds(seeds))


def images(datasets=("mnist", "fashion_mnist"), activations="all", seeds=3, depth=2, width=128,
           epochs=10, learning_rate=1e-3, batch_size=128, n_train=None,
           architectures=("mlp",), **_) -> list[Config]:
    """MNIST and Fashion-MNIST convergence per activation (and architecture)."""
    options = {"n_train": n_train} if n_train else {}
    configs = []
    for dataset in datasets:
        base = Config(dataset=dataset, depth=depth, width=width, epochs=epochs,
                      learning_rate=learning_rate, batch_size=batch_size,
                      dataset_options=options)
        for architecture in architectures:
            arch = base.replace(architecture=architecture,
                                depth=2 if architecture == "cnn" else depth)
            configs += grid(arch, activation=activation_names(activations), seed=_seeds(seeds))
    return configs


def depth_sweep(activations=("sigmoid", "tanh", "relu", "elu", "selu", "gelu", "swish"),
                depths=(5, 10, 20), seeds=3, dataset="mnist", width=64, epochs=3,
                learning_rate=1e-3, batch_size=128, n_train=10000, gradient_every=1,
                **_) -> list[Config]:
    """Deep MLPs per activation: gradient flow, dead and saturated units against depth."""
    base = Config(dataset=dataset, depth=depths[0], width=width, epochs=epochs,
                  learning_rate=learning_rate, batch_size=batch_size,
                  gradient_every=gradient_every, dataset_options={"n_train": n_train})
    return grid(base, activation=activation_names(activations), depth=list(depths),
                seed=_seeds(seeds))


def dying(activations=("relu", "leaky_relu", "prelu", "elu"), seeds=3, dataset="mnist",
          depth=4, width=64, epochs=3, high_learning_rate=0.01, n_train=10000,
          **_) -> list[Config]:
    """The rectifier family at a normal and a high learning rate (which provokes dying)."""
    base = Config(dataset=dataset, depth=depth, width=width, epochs=epochs,
                  dataset_options={"n_train": n_train})
    return grid(base, activation=activation_names(activations),
                learning_rate=[1e-3, high_learning_rate], seed=_seeds(seeds))


def large_init(activations=("sigmoid", "tanh", "relu"), seeds=3, dataset="mnist", depth=10,
               width=64, epochs=2, init_scale=3.0, n_train=10000, **_) -> list[Config]:
    """Bounded against unbounded activations when initial weights are too large."""
    base = Config(dataset=dataset, depth=depth, width=width, epochs=epochs,
                  dataset_options={"n_train": n_train})
    return grid(base, activation=activation_names(activations), init_scale=[1.0, init_scale],
                seed=_seeds(seeds))
