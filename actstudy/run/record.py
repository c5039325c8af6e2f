"""The Run record: what one training run recorded, as plain data.

:func:`actstudy.run.training.fit` makes one, the run store
(:mod:`actstudy.runner.cache`) keeps it, and analyses read it through its tidy
frames (:mod:`actstudy.runner.tidy`). Both live outside this folder: how a run
is stored or tabulated cannot change its numbers, so neither is in the cache key.

>>> import json
>>> from actstudy.run.config import Config
>>> from actstudy.run.record import Run
>>> from actstudy.run.training import fit
>>> run = fit(Config(dataset="moons", depth=2, width=16, epochs=2))
>>> [row["epoch"] for row in run.history]
[1, 2]
>>> sorted(run.initial), run.surface["kind"]
(['val_accuracy', 'val_loss'], 'boundary')
>>> Run.from_dict(json.loads(json.dumps(run.to_dict()))).key == run.key
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import orjson

from actstudy.run.config import Config


@dataclass
class Run:
    """The result of one training run; plain data, kept by the run store.

    ``surface`` is the learned function over the input space, kept so plots
    need no model weights; None unless the inputs are low-dimensional and the
    run did not diverge. It is one of
    ``{"kind": "curve", "x": [...], "prediction": [...]}`` (1-D regression) or
    ``{"kind": "boundary", "x0": [...], "x1": [...], "p": [...]}`` (2-D binary
    classification, P(class 1) on a grid).
    """

    key: str
    config: dict
    task: str
    layers: list[str]  # weighted layers, input to output (gradient_norms columns)
    blocks: list[str]  # hidden activation layers (activation_stats rows)
    history: list[dict]  # one row per epoch
    initial: dict  # val_loss, val_accuracy before the first step
    test: dict  # loss, accuracy
    gradient_steps: list[int]
    gradient_norms: list[list[float]]  # [recorded step][layer]
    activation_stats: list[dict]  # one row per (epoch, layer), epoch 0 = initialisation
    learned_parameters: list[dict]  # one row per (epoch, layer, parameter)
    diverged: bool
    diverged_epoch: int | None
    compile_seconds: float
    train_seconds: float
    steps_per_epoch: int
    dataset: dict  # provenance
    versions: dict
    created: str
    surface: dict | None = None
    # [recorded step][layer], beside gradient_norms; empty in records written before it was kept
    bias_gradient_norms: list[list[float]] = dataclasses.field(default_factory=list)
    group_size: int = 1  # runs trained together in one program (see actstudy.run.training)
    # Activations sharing that program: above 1 the run's seconds are its share of a program
    # that also trained other activations, not its activation's own cost.
    program_activations: int = 1
    # One row per (probed step, layer) when the config's probe_every > 0: the probe
    # statistics without quantiles, on the state before that step's update.
    step_activation_stats: list[dict] = dataclasses.field(default_factory=list)
    # With the config's restore_best: the epoch whose state was tested (the best validation
    # accuracy, or loss for regression); None without it, or before a finite trained epoch.
    best_epoch: int | None = None
    # loss, accuracy of the final model (the one tested) on the whole training split, evaluated
    # like the test set; empty in records written before it was kept
    train: dict = dataclasses.field(default_factory=dict)
    # For a dataset with an extrapolation split (the arithmetic sets): the final model's loss
    # there ("loss") and the model's at initialisation ("initial_loss"); empty for the others.
    # ``initial`` then also holds the initial model's "test_loss".
    extrapolation: dict = dataclasses.field(default_factory=dict)

    @property
    def config_object(self) -> Config:
        return Config.from_dict(self.config)

    # -- plain data ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain data: every field, lists for arrays, non-finite floats as None.

        orjson, not the standard library: it maps non-finite floats to None
        itself, and converts a run 26-55x faster (measured on 300 default-profile
        runs: 0.3-0.6 ms a run against 16 ms with ``json`` and a walk that
        replaced non-finite floats).
        """
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return orjson.loads(orjson.dumps(fields, option=orjson.OPT_SERIALIZE_NUMPY))

    @classmethod
    def from_dict(cls, fields: dict) -> Run:
        names = {f.name for f in dataclasses.fields(cls)}
        required = {f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING}
        if not isinstance(fields, dict):
            raise ValueError(f"not a run record: a {type(fields).__name__}, not a mapping")
        missing = required - fields.keys()
        if missing:
            raise ValueError(f"not a run record: missing {sorted(missing)}")
        for field in dataclasses.fields(cls):
            if field.name in fields and not isinstance(fields[field.name], _types(field.type)):
                raise ValueError(f"not a run record: {field.name} is a "
                                 f"{type(fields[field.name]).__name__}, not {field.type}")
        if not all(isinstance(row, dict) for row in fields["history"]):
            raise ValueError("not a run record: history is not a list of epochs")
        return cls(**{k: v for k, v in fields.items() if k in names})


_TYPES = {"list": list, "dict": dict, "str": str, "bool": bool, "int": int, "float": (int, float),
          "None": type(None)}


def _types(annotation: str) -> tuple:
    """The types a field's annotation (a string here) allows, e.g. ``int | None``."""
    allowed = []
    for part in annotation.split("|"):
        found = _TYPES[part.strip().split("[")[0]]
        allowed += found if isinstance(found, tuple) else [found]
    return tuple(allowed)

