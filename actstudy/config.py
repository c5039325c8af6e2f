"""One training run, described completely: the `Config` dataclass and its hash.

A run is a pure function of its Config, the code that trains it and the data
it sees, so the cache key (:meth:`Config.key`) covers all three: the config's
fields, a digest of the package sources that decide the numbers, and the
dataset's content checksum.

>>> from actstudy.config import Config
>>> config = Config(dataset="moons", activation="tanh", depth=3, width=32, epochs=20)
>>> config.replace(seed=1).seed
1
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import actstudy
from actstudy import activations, data

ARCHITECTURES = ("mlp", "cnn")
OPTIMIZERS = ("adam", "sgd", "momentum", "rmsprop", "adamw")
INITIALIZERS = (
    "he_normal",
    "he_uniform",
    "glorot_normal",
    "glorot_uniform",
    "lecun_normal",
    "lecun_uniform",
)
# The modules whose code decides a run's numbers; a change to any of them
# changes every cache key, so an edited loop never serves a stale result.
_RUN_SOURCES = ("activations.py", "config.py", "data.py", "models.py", "training.py")


def default_initializer(activation: str) -> str:
    """The weight initializer the activation's literature pairs it with.

    He et al. (2015) for the rectifier family, LeCun normal for SELU
    (Klambauer et al. 2017), Glorot & Bengio (2010) for everything else.
    """
    spec = activations.spec(activation)
    if spec.name == "selu":
        return "lecun_normal"
    if spec.family in ("rectifier", "smooth rectifier") or spec.name == "prelu":
        return "he_normal"
    return "glorot_uniform"


def _frozen(mapping: Any, name: str) -> tuple:
    """Options as sorted ``(name, value)`` pairs: hashable, and one spelling per config."""
    if mapping is None:
        mapping = {}
    try:
        mapping = dict(mapping)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={mapping!r} is not allowed: must be a dict of options") from None
    return tuple(
        (k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(mapping.items())
    )


@dataclass(frozen=True)
class Config:
    """Everything that decides one training run.

    Every field is validated on construction; a bad value raises ``ValueError``
    naming the field, the value and what is allowed.
    """

    dataset: str = "mnist"
    dataset_options: tuple = ()  # (name, value) pairs; a dict is accepted
    architecture: str = "mlp"
    depth: int = 2
    width: int = 128
    activation: str = "relu"
    activation_options: tuple = ()  # (name, value) pairs; a dict is accepted
    initializer: str | None = None  # None: the activation's literature default
    init_scale: float = 1.0  # multiplies the initial weights (a large-init setting uses > 1)
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 128
    epochs: int = 5
    dropout: float = 0.0
    seed: int = 0
    gradient_every: int = 1  # record per-layer gradient norms every k-th step
    probe_size: int = 512  # samples in the fixed batch that activation statistics use

    def __post_init__(self):
        set_ = functools.partial(object.__setattr__, self)
        set_("dataset_options", _frozen(self.dataset_options, "dataset_options"))
        set_("activation_options", _frozen(self.activation_options, "activation_options"))
        if self.dataset not in data.DATASETS:
            raise ValueError(
                f"dataset={self.dataset!r} is not allowed: choose one of {', '.join(data.DATASETS)}"
            )
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"architecture={self.architecture!r} is not allowed: choose one of "
                f"{', '.join(ARCHITECTURES)}"
            )
        if self.architecture == "cnn" and self.dataset not in ("mnist", "fashion_mnist"):
            raise ValueError(
                f"architecture='cnn' is not allowed for dataset={self.dataset!r}: "
                "the CNN takes 28x28 images (mnist, fashion_mnist)"
            )
        # Resolves aliases and checks the options; raises a ValueError naming them.
        spec = activations.spec(self.activation)
        if spec.output_only:
            raise ValueError(
                f"activation={self.activation!r} is not allowed: it is for output layers only"
            )
        set_("activation", spec.name)
        activations.get(spec.name, **dict(self.activation_options))
        if self.initializer is None:
            set_("initializer", default_initializer(spec.name))
        elif self.initializer not in INITIALIZERS:
            raise ValueError(
                f"initializer={self.initializer!r} is not allowed: choose one of "
                f"{', '.join(INITIALIZERS)} (or None for the activation's default)"
            )
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer={self.optimizer!r} is not allowed: choose one of {', '.join(OPTIMIZERS)}"
            )
        for name, low in (
            ("depth", 1),
            ("width", 1),
            ("epochs", 1),
            ("batch_size", 1),
            ("gradient_every", 1),
            ("probe_size", 1),
            ("seed", 0),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name}={value!r} is not allowed: must be an integer >= {low}")
        for name in ("learning_rate", "init_scale"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name}={value!r} is not allowed: must be a number > 0")
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name}={value!r} is not allowed: must be a finite number > 0")
            set_(name, float(value))
        if not (isinstance(self.dropout, int | float) and 0.0 <= self.dropout < 1.0):
            raise ValueError(f"dropout={self.dropout!r} is not allowed: must be in [0, 1)")
        set_("dropout", float(self.dropout))
        n_train = _train_size(self.dataset, self.dataset_options)
        if self.batch_size > n_train:
            raise ValueError(
                f"batch_size={self.batch_size} is not allowed: larger than the training set "
                f"of {self.dataset!r} ({n_train} samples)"
            )

    # -- helpers -------------------------------------------------------------

    def replace(self, **changes) -> Config:
        """A copy with some fields changed (and validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-ready fields (options as dicts, tuples as lists)."""
        fields = dataclasses.asdict(self)
        fields["dataset_options"] = dict(self.dataset_options)
        fields["activation_options"] = dict(self.activation_options)
        return json.loads(json.dumps(fields))

    @classmethod
    def from_dict(cls, fields: dict) -> Config:
        return cls(**fields)

    def load_dataset(self) -> data.Dataset:
        return _load(self.dataset, self.dataset_options, self.architecture == "mlp")

    @property
    def label(self) -> str:
        """A short human name, e.g. ``relu 4x128 mnist s0``."""
        options = ",".join(f"{k}={v}" for k, v in self.activation_options)
        act = f"{self.activation}({options})" if options else self.activation
        return f"{act} {self.depth}x{self.width} {self.dataset} s{self.seed}"

    def key(self) -> str:
        """The cache key: config fields + code digest + dataset checksum."""
        payload = {
            "config": self.to_dict(),
            "version": actstudy.__version__,
            "code": code_digest(),
            "data": data.checksum(self.dataset, **dict(self.dataset_options)),
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:20]


@functools.cache
def code_digest() -> str:
    """A digest of the package sources that decide a run's numbers."""
    package = Path(__file__).absolute().parent
    digest = hashlib.sha256()
    for name in _RUN_SOURCES:
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=32)
def _load(dataset: str, options: tuple, flat: bool) -> data.Dataset:
    return data.load(dataset, flat=flat, **dict(options))


@functools.lru_cache(maxsize=128)
def _train_size(dataset: str, options: tuple) -> int:
    return len(_load(dataset, options, True).x_train)
