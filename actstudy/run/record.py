"""The Run record: what one training run recorded, its tidy tables, and its JSON form.

A Run is plain data. :func:`actstudy.run.training.fit` makes one, the cache in
:mod:`actstudy.runner` stores it as JSON, and analyses read its tidy
frames, tagged with the config fields that tell runs apart (``TAGS``) and the
activation's label, its name with any options the config gives it
(``activation_label``: ``prelu(initial_slope=0.01)``, else the name alone).

>>> import json
>>> from actstudy.run.config import Config
>>> from actstudy.run.record import Run
>>> from actstudy.run.training import fit
>>> run = fit(Config(dataset="moons", depth=2, width=16, epochs=2))
>>> run.history_frame()[["epoch", "activation"]].values.tolist()
[[1, 'relu'], [2, 'relu']]
>>> sorted(run.initial), run.surface["kind"]
(['val_accuracy', 'val_loss'], 'boundary')
>>> Run.from_dict(json.loads(json.dumps(run.to_dict()))).key == run.key
True
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd

from actstudy.run.config import Config, activation_label

# Config fields copied onto every row of a run's tidy frames.
TAGS = ("dataset", "architecture", "depth", "width", "activation", "initializer", "optimizer",
        "learning_rate", "init_scale", "train_hidden", "seed")


@dataclass
class Run:
    """The result of one training run; plain data, stored as JSON by the cache.

    ``surface`` is the learned function over the input space, kept so plots
    need no model weights; None unless the inputs are low-dimensional and the
    run did not diverge. Its JSON is one of
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

    # -- tidy views ------------------------------------------------------------

    @property
    def config_object(self) -> Config:
        return Config.from_dict(self.config)

    def _tag(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(0, "key", self.key)
        for name, value in self._tags().items():
            frame[name] = value
        frame["activation_label"] = self.activation_label
        return frame

    def _tags(self) -> dict:
        # A record written before a field existed ran with its default.
        defaults = Config.__dataclass_fields__
        return {name: self.config.get(name, defaults[name].default) for name in TAGS}

    @property
    def activation_label(self) -> str:
        return activation_label(self.config["activation"], self.config.get("activation_options"))

    def history_frame(self) -> pd.DataFrame:
        return self._tag(pd.DataFrame(self.history))

    def gradient_frame(self) -> pd.DataFrame:
        """Long format: one row per (recorded step, layer): kernel and bias gradient norms."""
        norms = np.asarray(self.gradient_norms, dtype=float).reshape(-1, len(self.layers))
        frame = pd.DataFrame(norms, columns=self.layers)
        frame.insert(0, "step", self.gradient_steps)
        frame = frame.melt(id_vars="step", var_name="layer", value_name="gradient_norm")
        bias = np.asarray(self.bias_gradient_norms, dtype=float).reshape(-1, len(self.layers))
        # melt orders rows layer by layer, so the bias norms follow in the same order
        frame["bias_gradient_norm"] = bias.T.ravel() if bias.size else np.nan
        frame["layer_index"] = frame["layer"].map({n: i for i, n in enumerate(self.layers)})
        return self._tag(frame)

    def activation_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.activation_stats)
        return self._tag(frame)

    def step_activation_frame(self) -> pd.DataFrame:
        """The probe statistics at every probed step (empty unless ``probe_every`` > 0)."""
        return self._tag(pd.DataFrame(self.step_activation_stats))

    def summary(self) -> dict:
        """One row: the config's tags and the run's final numbers.

        ``final_train_loss`` and ``final_train_accuracy`` are the last epoch's
        running means over its mini-batches, taken while the model changed;
        ``final_train_loss_full`` and ``final_train_accuracy_full`` are the
        final model's (the one tested) on the whole training split, NaN in
        records written before they were kept.

        With ``restore_best``, ``best_epoch`` is the epoch whose state was
        tested, and ``best_val_loss`` and ``best_val_accuracy`` are its
        validation metrics (what chose it); all three are None without it.

        On a dataset with an extrapolation split, ``final_extrapolation_loss``
        is the final model's loss there, and ``initial_test_loss`` and
        ``initial_extrapolation_loss`` are the model's at initialisation (the
        random-model baseline); NaN elsewhere.
        """
        last = self.history[-1] if self.history else {}
        best = self.history[self.best_epoch - 1] if self.best_epoch else {}
        per_epoch = [row["seconds"] for row in self.history]
        return {
            "key": self.key,
            **self._tags(),
            "activation_label": self.activation_label,
            "epochs_run": len(self.history),
            "final_train_loss": last.get("train_loss"),
            "final_train_accuracy": last.get("train_accuracy"),
            "final_train_loss_full": self.train.get("loss", math.nan),
            "final_train_accuracy_full": self.train.get("accuracy", math.nan),
            "final_val_loss": last.get("val_loss"),
            "final_val_accuracy": last.get("val_accuracy"),
            "test_loss": self.test.get("loss"),
            "test_accuracy": self.test.get("accuracy"),
            "seconds_per_epoch": float(np.median(per_epoch)) if per_epoch else math.nan,
            "train_seconds": self.train_seconds,
            "compile_seconds": self.compile_seconds,
            "diverged": self.diverged,
            "diverged_epoch": self.diverged_epoch,
            "best_epoch": self.best_epoch,
            "best_val_loss": best.get("val_loss"),
            "best_val_accuracy": best.get("val_accuracy"),
            "final_extrapolation_loss": self.extrapolation.get("loss", math.nan),
            "initial_test_loss": self.initial.get("test_loss", math.nan),
            "initial_extrapolation_loss": self.extrapolation.get("initial_loss", math.nan),
        }

    # -- (de)serialisation -------------------------------------------------------

    def to_json(self) -> bytes:
        """The record as JSON; NaN and infinities become null (JSON has neither).

        orjson, not the standard library: it maps non-finite floats to null
        itself, and writes a run 26-55x faster (measured on 300 default-profile
        runs: 0.3-0.6 ms a run against 16 ms with ``json`` and a walk that
        replaced non-finite floats) and reads it 2-3x faster.
        """
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return orjson.dumps(fields, option=orjson.OPT_SERIALIZE_NUMPY)

    def to_dict(self) -> dict:
        """Plain JSON-ready data: what :meth:`to_json` writes, non-finite floats as None."""
        return orjson.loads(self.to_json())

    @classmethod
    def from_json(cls, text: bytes | str) -> Run:
        return cls.from_dict(orjson.loads(text))

    @classmethod
    def from_dict(cls, fields: dict) -> Run:
        if "extra" in fields:
            # Records written before initial and surface were fields kept them in "extra".
            # The record's shape is not part of the cache key (this module decides no
            # numbers), so a file in the older shape can still be the one a key names.
            fields = {**fields["extra"], **fields}
        names = {f.name for f in dataclasses.fields(cls)}
        required = {f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING}
        missing = required - fields.keys()
        if missing:
            raise ValueError(f"not a run record: missing {sorted(missing)}")
        return cls(**{k: v for k, v in fields.items() if k in names})

