"""A run's tidy frames: one row per epoch, recorded step, layer or probe, tagged with its config.

Each frame carries the config fields that tell runs apart (:data:`TAGS`) and the
activation's label, its name with any options the config gives it
(``prelu(initial_slope=0.01)``, else the name alone). :class:`actstudy.runner.GridResult`
concatenates them over a grid's runs.

>>> from actstudy.run.config import Config
>>> from actstudy.run.training import fit
>>> from actstudy.runner import tidy
>>> run = fit(Config(dataset="moons", depth=2, width=16, epochs=2))
>>> tidy.history_frame(run)[["epoch", "activation"]].values.tolist()
[[1, 'relu'], [2, 'relu']]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from actstudy.run.config import Config, activation_label
from actstudy.run.record import Run

# Config fields copied onto every row of a run's tidy frames.
TAGS = ("dataset", "architecture", "depth", "width", "activation", "initializer", "optimizer",
        "learning_rate", "init_scale", "train_hidden", "seed")


def tags(run: Run) -> dict:
    """The run's :data:`TAGS`; a record written before a field existed ran with its default."""
    defaults = Config.__dataclass_fields__
    return {name: run.config.get(name, defaults[name].default) for name in TAGS}


def label(run: Run) -> str:
    """The activation with the options its config gives it, as tables and legends name it."""
    return activation_label(run.config["activation"], run.config.get("activation_options"))


def tagged(runs, frame_of) -> pd.DataFrame:
    """``frame_of(run)`` over ``runs``, concatenated, with each run's key first and its
    :func:`tags` and label after its own columns on every row of its part.

    One concatenation and one repeated row per run, not a column insertion per run and tag:
    the reports tag some 8,000 frames, and pandas' per-column insertion took a fifth of the
    findings' render.
    """
    runs = list(runs)
    frames = [frame_of(run) for run in runs]
    if not frames:
        return pd.DataFrame()
    body = pd.concat(frames, ignore_index=True)
    values = [{"key": run.key, **tags(run), "activation_label": label(run)} for run in runs]
    # A tag that is None for some runs stays an object column holding None (as a None put on
    # each run's frame and concatenated was), not a column of NaN.
    per_run = pd.DataFrame({name: pd.Series([v[name] for v in values],
                                            dtype=object if any(v[name] is None for v in values)
                                            else None) for name in values[0]})
    rows = per_run.iloc[np.repeat(np.arange(len(runs)), [len(f) for f in frames])]
    rows = rows.reset_index(drop=True)
    own = body.drop(columns=[name for name in per_run.columns if name in body.columns])
    # The columns in the order tagging each frame and concatenating gave: the key, the first
    # frame's own columns, the tags and label, then any own column a later frame adds.
    order = dict.fromkeys(name for frame in frames
                          for name in ["key", *frame.columns, *per_run.columns])
    return pd.concat([rows[["key"]], own, rows.drop(columns="key")], axis=1)[list(order)]


def history_rows(run: Run) -> pd.DataFrame:
    """:func:`history_frame` without the tags (what :func:`tagged` tags)."""
    frame = pd.DataFrame(run.history)
    if run.program_activations > 1 and "seconds" in frame:
        frame["seconds"] = np.nan
    return frame


def history_frame(run: Run) -> pd.DataFrame:
    """One row per epoch; ``seconds`` is NaN where the run's program trained other activations
    too (its recorded seconds are a share of theirs, not its activation's own)."""
    return tagged([run], history_rows)


def gradient_rows(run: Run) -> pd.DataFrame:
    """:func:`gradient_frame` without the tags."""
    norms = np.asarray(run.gradient_norms, dtype=float).reshape(-1, len(run.layers))
    frame = pd.DataFrame(norms, columns=run.layers)
    frame.insert(0, "step", run.gradient_steps)
    frame = frame.melt(id_vars="step", var_name="layer", value_name="gradient_norm")
    bias = np.asarray(run.bias_gradient_norms, dtype=float).reshape(-1, len(run.layers))
    # melt orders rows layer by layer, so the bias norms follow in the same order
    frame["bias_gradient_norm"] = bias.T.ravel() if bias.size else np.nan
    frame["layer_index"] = frame["layer"].map({n: i for i, n in enumerate(run.layers)})
    return frame


def gradient_frame(run: Run) -> pd.DataFrame:
    """Long format: one row per (recorded step, layer): kernel and bias gradient norms."""
    return tagged([run], gradient_rows)


def activation_rows(run: Run) -> pd.DataFrame:
    """:func:`activation_frame` without the tags."""
    return pd.DataFrame(run.activation_stats)


def activation_frame(run: Run) -> pd.DataFrame:
    """One row per (epoch, hidden layer): the probe statistics; epoch 0 is initialisation."""
    return tagged([run], activation_rows)


def step_activation_rows(run: Run) -> pd.DataFrame:
    """:func:`step_activation_frame` without the tags."""
    return pd.DataFrame(run.step_activation_stats)


def step_activation_frame(run: Run) -> pd.DataFrame:
    """The probe statistics at every probed step (empty unless ``probe_every`` > 0)."""
    return tagged([run], step_activation_rows)


def learned_rows(run: Run) -> pd.DataFrame:
    """:func:`learned_frame` without the tags."""
    return pd.DataFrame(run.learned_parameters)


def learned_frame(run: Run) -> pd.DataFrame:
    """One row per (epoch, layer, parameter) of a learnable activation."""
    return tagged([run], learned_rows)


def summary(run: Run) -> dict:
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
    random-model baseline); NaN elsewhere. ``initial_val_loss`` and
    ``initial_val_accuracy`` are every run's at initialisation (epoch 0).
    """
    last = run.history[-1] if run.history else {}
    best = run.history[run.best_epoch - 1] if run.best_epoch else {}
    # A program shared by several activations has no per-activation seconds (history_frame).
    per_epoch = [row["seconds"] for row in run.history] if run.program_activations == 1 else []
    return {
        "key": run.key,
        **tags(run),
        "activation_label": label(run),
        "epochs_run": len(run.history),
        "final_train_loss": last.get("train_loss"),
        "final_train_accuracy": last.get("train_accuracy"),
        "final_train_loss_full": run.train.get("loss", math.nan),
        "final_train_accuracy_full": run.train.get("accuracy", math.nan),
        "final_val_loss": last.get("val_loss"),
        "final_val_accuracy": last.get("val_accuracy"),
        "test_loss": run.test.get("loss"),
        "test_accuracy": run.test.get("accuracy"),
        "seconds_per_epoch": float(np.median(per_epoch)) if per_epoch else math.nan,
        "train_seconds": run.train_seconds,
        "compile_seconds": run.compile_seconds,
        "diverged": run.diverged,
        "diverged_epoch": run.diverged_epoch,
        "best_epoch": run.best_epoch,
        "best_val_loss": best.get("val_loss"),
        "best_val_accuracy": best.get("val_accuracy"),
        "final_extrapolation_loss": run.extrapolation.get("loss", math.nan),
        "initial_val_loss": run.initial.get("val_loss", math.nan),
        "initial_val_accuracy": run.initial.get("val_accuracy", math.nan),
        "initial_test_loss": run.initial.get("test_loss", math.nan),
        "initial_extrapolation_loss": run.extrapolation.get("initial_loss", math.nan),
    }
