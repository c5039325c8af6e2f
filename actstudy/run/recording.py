"""A group's records on the host, and each member's Run made from them.

What the compiled program (:mod:`actstudy.run.training`) recorded comes to the
host once, when the group has finished; here it becomes one :class:`Run` per
member: per-epoch metrics, probe statistics and quantiles, learned parameters,
the learned function over the input space (the surface), and provenance.
"""

from __future__ import annotations

import math

import jax
import numpy as np

from actstudy.run import activations, models
from actstudy.run.config import Config
from actstudy.run.record import Run

# What the probe measures per hidden layer (mean and std over the probe batch).
PROBE_STATS = ("pre_mean", "pre_std", "act_mean", "act_std", "dead_fraction",
               "saturated_fraction", "zero_fraction", "derivative_mean_abs", "inactive_fraction",
               "relative_derivative_mean", "near_bound_fraction")


# Quantiles of each layer's activations kept per epoch, for distribution plots.
QUANTILES = tuple(np.linspace(0.0, 1.0, 21).round(2))


# Points of the stored learned function for 1-D and 2-D inputs (see _surface_inputs).
SURFACE_POINTS = 512


SURFACE_GRID = 60


def _dead_from(silent: np.ndarray) -> np.ndarray:
    """Per recorded epoch, the share of a layer's units whose pre-activation is negative on every
    probe input at that epoch and at every recorded epoch after it, to the end: units dead from
    that epoch on. ``silent`` is (epochs, units) of booleans.

    >>> _dead_from(np.array([[True, True, False], [False, True, False], [True, True, True]]))
    array([0.33333333, 0.33333333, 1.        ])
    """
    if silent.size == 0:
        return np.zeros(len(silent))
    from_here = np.logical_and.accumulate(silent[::-1], axis=0)[::-1]
    return from_here.mean(axis=1)


def probe_quantiles(values: np.ndarray) -> np.ndarray:
    """QUANTILES of each row of probe activations (any leading axes, values last).

    NumPy's default (linear) quantiles, taken from one sort per row: with 21
    quantiles ``np.quantile`` partitions 21 times and is about 3x slower.

    >>> probe_quantiles(np.arange(11.0))[[0, 1, 10, 20]].tolist()
    [0.0, 0.5, 5.0, 10.0]
    """
    ordered = np.sort(values, axis=-1)
    position = np.asarray(QUANTILES) * (ordered.shape[-1] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, ordered.shape[-1] - 1)
    weight = position - low
    return ordered[..., low] * (1 - weight) + ordered[..., high] * weight


class _GroupRecords:
    """A group's records on the host (epoch axis first, then member) and each member's Run.

    What can be computed for all members at once (means, finiteness,
    quantiles) is, here: NumPy over one array costs the same as over a slice.
    """

    def __init__(self, program, dataset, seen: dict, seconds: np.ndarray,
                 surface_x: np.ndarray | None):
        self.program, self.dataset, self.seen, self.seconds = program, dataset, seen, seconds
        self.surface_x = surface_x  # the inputs the last epoch evaluated (see _surface_inputs)
        self.classification = dataset.task == "classification"
        train = slice(1, None)  # epoch 0 is the initialisation: no training
        self.train_loss = seen["losses"][train].mean(axis=-1)  # (epochs, members)
        self.train_accuracy = seen["accuracies"][train].mean(axis=-1)
        self.val = seen["val"] / len(dataset.x_val)  # (epochs + 1, members, [loss, correct])
        self.finite = (np.isfinite(seen["losses"][train]).all(axis=-1)
                       & np.isfinite(self.val[train, :, 0]))
        if program.record:
            self.quantiles = [probe_quantiles(values) for values in seen["values"]]
            self.derivative_quantiles = [probe_quantiles(values)
                                         for values in seen["derivatives"]]
        self.completed = len(seconds) == program.config.epochs
        # NAC and NALU effective weights W, every epoch and member at once.
        self.arithmetic_weights = [np.asarray(models.NAC.effective(*values), dtype=float)
                                   for values in seen.get("arithmetic", [])]

    def run(self, m: int, config: Config, common: dict) -> Run:
        seen, program = self.seen, self.program
        history, kept = [], [0]  # kept: epochs whose state was finite (0 = initialisation)
        diverged_epoch = None
        for e in range(len(self.seconds)):
            finite = bool(self.finite[e, m])
            history.append({
                "epoch": e + 1,
                "train_loss": float(self.train_loss[e, m]),
                "train_accuracy": float(self.train_accuracy[e, m]),
                # A diverged epoch has no finite model to validate.
                "val_loss": float(self.val[e + 1, m, 0]) if finite else math.nan,
                "val_accuracy": float(self.val[e + 1, m, 1])
                if finite and self.classification else math.nan,
                "seconds": float(self.seconds[e]),
            })
            if not finite:
                diverged_epoch = e + 1
                break
            kept.append(e + 1)
        steps = common["steps_per_epoch"]
        trained = len(history)
        gradient_steps, gradient_norms, bias_gradient_norms = [], [], []
        if program.record:
            every = config.gradient_every
            gradient_steps = [s for s in range(trained * steps) if s % every == 0]
            norms = seen["norms"][1:trained + 1, m].reshape(trained * steps, -1)[gradient_steps]
            layers = norms.shape[-1] // 2
            gradient_norms = norms[:, :layers].tolist()
            bias_gradient_norms = norms[:, layers:].tolist()
        stats_rows = []
        if program.record:
            dead_from = [_dead_from(np.asarray(silent)[kept, m]) for silent in seen["silent"]]
            for k, epoch in enumerate(kept):
                for b, (_, act) in enumerate(program.blocks):
                    stats_rows.append({
                        "epoch": epoch, "layer": act.name, "layer_index": b,
                        **dict(zip(PROBE_STATS, seen["stats"][epoch, m, b].tolist(), strict=True)),
                        "dead_from_fraction": float(dead_from[b][k]),
                        "quantiles": self.quantiles[b][epoch, m].tolist(),
                        "derivative_quantiles": self.derivative_quantiles[b][epoch, m].tolist()})
        # With restore_best the final model is the best state (none until a finite trained
        # epoch), also for a member that diverged later.
        restored = "best_epoch" in seen
        best_epoch = int(seen["best_epoch"][-1, m]) if restored else 0
        tested = best_epoch > 0 if restored else diverged_epoch is None
        extrapolates = self.dataset.x_extrapolation is not None
        initial = {"val_loss": float(self.val[0, m, 0]),
                   "val_accuracy": float(self.val[0, m, 1]) if self.classification else math.nan}
        extrapolation = {}
        if extrapolates:  # the model at initialisation was tested too (epoch 0)
            sums = self._final_sums(0, m)
            initial["test_loss"] = float(sums[0, 0])
            extrapolation["initial_loss"] = float(sums[2, 0])
        if tested and self.completed:
            ((test_loss, test_correct), (train_loss, train_correct), *far), outputs = self._final(m)
            if far:
                extrapolation["loss"] = float(far[0][0])
        else:
            test_loss = test_correct = train_loss = train_correct = math.nan
            outputs = None
            if extrapolates:
                extrapolation["loss"] = math.nan
        return Run(
            key=config.key(),
            config=config.to_dict(),
            history=history,
            initial=initial,
            extrapolation=extrapolation,
            test={"loss": float(test_loss),
                  "accuracy": float(test_correct) if self.classification else math.nan},
            train={"loss": float(train_loss),
                   "accuracy": float(train_correct) if self.classification else math.nan},
            gradient_steps=gradient_steps,
            gradient_norms=gradient_norms,
            bias_gradient_norms=bias_gradient_norms,
            activation_stats=stats_rows,
            step_activation_stats=self._step_stats(m, trained, steps),
            learned_parameters=self._learned(m, kept),
            diverged=diverged_epoch is not None,
            diverged_epoch=diverged_epoch,
            best_epoch=best_epoch or None,
            train_seconds=float(sum(h["seconds"] for h in history)),
            surface=None if outputs is None else _surface(self.dataset, self.surface_x, outputs),
            **common,
        )

    def _step_stats(self, m: int, trained: int, steps: int) -> list[dict]:
        """The probe's statistics at every probe_every-th step of the epochs trained."""
        every = self.program.probe_every
        if not every:
            return []
        probed = self.seen["step_stats"][1:trained + 1, m].reshape(trained * steps, -1,
                                                                   len(PROBE_STATS))
        rows = []
        for step in range(0, trained * steps, every):
            for b, (_, act) in enumerate(self.program.blocks):
                rows.append({"step": step, "epoch": step // steps + 1, "layer": act.name,
                             "layer_index": b,
                             **dict(zip(PROBE_STATS, probed[step, b].tolist(), strict=True))})
        return rows

    def _final_sums(self, epoch: int, m: int) -> np.ndarray:
        """Member m's test, whole-training-split and any extrapolation (loss, correct) means,
        as tested after an epoch (the last, or 0 for the initial state)."""
        sums = self.seen["final"][0]
        sizes = [len(self.dataset.x_test), len(self.dataset.x_train)]
        if self.dataset.x_extrapolation is not None:
            sizes.append(len(self.dataset.x_extrapolation))
        # float32 like the sums, so the test metrics are the numbers they always were
        return sums[epoch, m] / np.array(sizes, np.float32)[:, None]

    def _final(self, m: int):
        """Test, whole-training-split and any extrapolation (loss, accuracy) of member m's final
        model, and its surface outputs."""
        outputs = self.seen["final"][1]
        return self._final_sums(-1, m), None if outputs is None else outputs[-1, m]

    def _learned(self, m: int, kept: list[int]) -> list[dict]:
        """Learned parameters per kept epoch, as the activation layer itself reports them; a
        NAC's or NALU's effective weights W, and a NALU's gate (mean per unit over the probe
        batch: 1 adds, 0 multiplies)."""
        rows = []
        for epoch in kept:
            for j, b in enumerate(self.program.arithmetic):
                found = {"weight": self.arithmetic_weights[j][epoch, m]}
                if b in self.program.gate_index:
                    found["gate"] = np.asarray(self.seen["gates"][b][epoch, m], dtype=float)
                for name, learned in found.items():
                    rows.append({"epoch": epoch, "layer": self.program.blocks[b][0].name,
                                 "layer_index": b, "parameter": name,
                                 "values": learned.ravel().tolist(), "mean": float(learned.mean())})
            for j, b in enumerate(self.program.learnable):
                act = self.program.blocks[b][1]
                values = self.seen["learned"][j]
                for var, value in zip(act.trainable_variables, values, strict=True):
                    var.assign(value[epoch, m])
                for name, learned in activations.learned_parameters(act).items():
                    learned = np.asarray(learned, dtype=float)
                    rows.append({"epoch": epoch, "layer": act.name, "layer_index": b,
                                 "parameter": name, "values": learned.ravel().tolist(),
                                 "mean": float(learned.mean())})
        return rows


def _surface_inputs(dataset) -> np.ndarray | None:
    """Where the learned function is stored: a line (1-D regression) or a grid (2-D binary)."""
    shape = dataset.input_shape
    if dataset.task == "regression" and shape == (1,):
        # The training range and half as much again on each side: what the network does
        # where it saw no data (extrapolation) is part of what it learned.
        low, high = dataset.x_train.min(), dataset.x_train.max()
        half = (high - low) / 2
        x = np.linspace(low - half, high + half, SURFACE_POINTS)
        return x[:, None].astype(np.float32)
    if dataset.task == "classification" and shape == (2,) and dataset.n_classes == 2:
        low, high = dataset.x_train.min(axis=0), dataset.x_train.max(axis=0)
        margin = 0.1 * (high - low)
        axes = [np.linspace(low[i] - margin[i], high[i] + margin[i], SURFACE_GRID) for i in (0, 1)]
        x0, x1 = (a.ravel() for a in np.meshgrid(*axes))
        return np.stack([x0, x1], axis=1).astype(np.float32)
    return None


def _surface(dataset, x: np.ndarray, outputs: np.ndarray) -> dict:
    """The learned function over the input space, for low-dimensional inputs.

    1-D regression: predictions on a line over twice the data's range, centred on it
    (fitted curves, and what they do outside the training range).
    2-D binary classification: P(class 1) on a grid over the data (decision
    boundaries). Stored with the run, so plots need no model weights (Run.surface).
    """
    outputs = outputs.reshape(-1, outputs.shape[-1])[: len(x)]
    if dataset.task == "regression":
        return {"kind": "curve", "x": x[:, 0].astype(float).tolist(),
                "prediction": outputs[:, 0].astype(float).tolist()}
    p = np.asarray(jax.nn.softmax(outputs, axis=1))[:, 1]
    return {"kind": "boundary", "x0": x[:, 0].astype(float).tolist(),
            "x1": x[:, 1].astype(float).tolist(), "p": p.round(4).astype(float).tolist()}
