"""The instrumented training loop: `fit_group(configs) -> [Run]` (the record: :mod:`actstudy.run.record`).

Runs whose configs differ only in :data:`GROUP_FIELDS` (seed, learning rate,
initial scale) train as one *group*: one compiled program whose every array
has a leading member axis (``jax.vmap``), so the group is traced and compiled
once and each epoch is one call for all members. :func:`fit` is a group of one;
:func:`epoch_trainer` gives one config's compiled epoch alone, to time it.

Runs that also differ in a *shared* activation (:func:`shares_program`: a
built-in one without trainable parameters, with any options) train in one
program too. Its members are laid out in *chunks* of equal size, one
activation each; a ``jax.lax.scan`` over the chunks runs each chunk's members
under ``vmap``, and every activation layer is a ``jax.lax.switch`` on the
chunk's activation index. The index is the same for a whole chunk, so under
``vmap`` the switch stays a conditional and evaluates one activation, never
all of them. A program costs a fixed ~1 s of XLA compilation plus a part that
grows with its size (measured on MNIST 2x64 with recording: 1.2-1.6 s at depth 2,
1.5-2.8 s at depth 8); the switch adds only the activations' own small pieces.

Each epoch is one ``jax.jit``-compiled call: a ``jax.lax.scan`` over
mini-batches, then validation and the activation probe, with the data already
on the device. The Keras model runs through ``model.stateless_call`` and the
Keras optimizer through ``optimizer.stateless_apply`` (Keras's guide to a JAX
training loop from scratch), so the loop keeps Keras's layers and optimizers
but none of ``model.fit``'s per-step Python overhead. What each epoch records
stays on the device; it comes to the host once, when the group has finished:

- per epoch: train and validation loss and accuracy (MSE for regression) and
  wall-clock seconds; once at the end, the final model's loss and accuracy on
  the test set and on the whole training split (the per-epoch train metrics
  are running means over the epoch's mini-batches, taken while the model
  changed);
- gradient flow: the L2 norms of every weighted layer's kernel gradient and
  bias gradient at every ``gradient_every``-th step;
- activation statistics per hidden layer per epoch (epoch 0 is the
  initialisation) on a fixed probe batch from the validation set, and, with
  ``probe_every`` > 0, also every k-th step inside the compiled epoch:
  saturation relative to each activation's steepest slope, outputs near the
  bounds of a bounded activation, inactive and dead units;
- learned parameters of learnable activations per epoch, and of NAC and NALU
  layers (their effective weights W, and a NALU's gate, its mean per unit
  over the probe batch);
- for a dataset with an extrapolation split (the arithmetic sets): the final
  model's loss there, and the loss of the model at initialisation on the test
  and extrapolation splits (the random-model baseline errors are scaled by);
- divergence: a member whose loss (or validation loss) turns non-finite in an
  epoch is recorded as diverged at that epoch, and from then on its state is
  masked (it keeps the last finite one and stops updating); the other members
  go on. When every member has diverged, training stops.

With ``Config(restore_best=True)``, early stopping with restoration over the
fixed budget of ``epochs``: each member also keeps the state with the best
validation accuracy (validation loss for regression) seen after any epoch, the
earliest on ties, and that state is the final model: the test set, the whole
training split and the stored surface are evaluated on it; ``Run.best_epoch``
says which epoch it was. The members of a group train
together, so a member "stops" by keeping its best state while the others go on;
the history, gradients and probes still follow every epoch trained. A member
that diverges keeps its best state from before, and is tested on it.

>>> from actstudy.run.config import Config
>>> from actstudy.run.training import fit, fit_group
>>> run = fit(Config(dataset="moons", activation="tanh", depth=2, width=16, epochs=3))
>>> len(run.history)
3
>>> runs = fit_group([Config(dataset="moons", epochs=2, seed=s) for s in range(3)])
>>> [r.config["seed"] for r in runs], runs[0].group_size
([0, 1, 2], 3)
"""

from __future__ import annotations

import datetime
import functools
import math
import platform
import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import keras
import numpy as np

import actstudy
from actstudy import settings
from actstudy.run import activations, models
from actstudy.run.config import Config, code_digest
from actstudy.run.grouping import (
    GROUP_FIELDS,
    SHARED_FIELDS,
    branch,
    layout,
    program_key,
)
from actstudy.run.record import Run
from actstudy.run.recording import PROBE_STATS, _GroupRecords, _surface_inputs


def _use_compilation_cache() -> None:
    """Keep compiled XLA programs on disk (``data/jax-cache`` or ACTSTUDY_JAX_CACHE_DIR).

    Groups of the same shape compile to the same programs; with JAX's
    persistent cache every such group after the first, in this process or a
    later one, skips XLA compilation (0.5-2 s a program).
    """
    if jax.config.jax_compilation_cache_dir:  # the user chose one
        return
    jax.config.update("jax_compilation_cache_dir", str(settings.jax_cache_dir()))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


_use_compilation_cache()

# A unit is saturated when its relative derivative |f'(z)| / max|f'| is below this on most
# (more than half of the) probe samples. Relative to the activation's own largest slope, so
# it means the same for sigmoid (f' <= 0.25) and tanh (f' <= 1): sigmoid outputs outside
# about [0.026, 0.974], |tanh| above about 0.95. ReLU's negative side counts as saturated.
SATURATION_RELATIVE = 0.1
SATURATION_MAJORITY = 0.5
# Where max|f'| is looked for: a grid that holds 0 and every activation's steepest point.
DERIVATIVE_GRID = np.linspace(-10.0, 10.0, 201, dtype=np.float32)
# An output is near a bound when it lies within this share of the output range of either
# end (sigmoid: below 0.05 or above 0.95); only for activations bounded on both sides.
BOUND_MARGIN = 0.05
# A unit is inactive when its pre-activation is negative on at least this share of probe
# samples: defined for every activation, unlike "dead" (output and derivative exactly 0 on
# every sample), which leaky ReLU, PReLU and ELU can never be.
INACTIVE_SHARE = 0.99
# The quantiles come from at most this many of a layer's probe activations: a fixed random
# subset where a layer has more (the same for every epoch and run). Their error is that of
# sampling, at most sqrt(0.25 / 2048) = 0.011 in probability, well below what a quantile
# band in a figure shows; exact quantiles over every value cost NumPy 10 ns a value, the
# largest share of a small run's time (measured: 0.45 s of 1.1 s for 12 sine runs).
QUANTILE_VALUES = 2048
# Validation and test sets are evaluated in chunks of at most this many samples.
EVAL_CHUNK = 1000


def make_optimizer(config: Config) -> keras.optimizers.Optimizer:
    lr = config.learning_rate
    return {
        "adam": lambda: keras.optimizers.Adam(lr),
        "adamw": lambda: keras.optimizers.AdamW(lr),
        "sgd": lambda: keras.optimizers.SGD(lr),
        "momentum": lambda: keras.optimizers.SGD(lr, momentum=0.9),
        "rmsprop": lambda: keras.optimizers.RMSprop(lr),
    }[config.optimizer]()


def _losses(task: str):
    """Per-example loss and 'correct' indicator for the task."""
    if task == "classification":
        def per_example(logits, y):
            log_p = jax.nn.log_softmax(logits)
            loss = -jnp.take_along_axis(log_p, y[:, None], axis=1)[:, 0]
            correct = (jnp.argmax(logits, axis=1) == y).astype(jnp.float32)
            return loss, correct
    else:
        def per_example(prediction, y):
            loss = jnp.mean(jnp.square(prediction - y), axis=tuple(range(1, y.ndim)))
            return loss, jnp.full_like(loss, jnp.nan)
    return per_example


def _chunked(x: np.ndarray, y: np.ndarray | None = None, xp=np):
    """(x, y, mask) stacked into chunks of at most EVAL_CHUNK samples, the last one padded.

    Evaluation maps over the leading (chunk) axis, so a set of any size is
    one compiled loop whose memory does not grow with the set. ``xp=jnp``
    chunks arrays inside a compiled program (the training split, evaluated
    once at the end, is not kept on the device twice).
    """
    n = len(x)
    size = min(EVAL_CHUNK, n)
    pad = -n % size
    if y is None:
        y = xp.zeros((n,), np.int32)
    mask = xp.concatenate([xp.ones(n, np.float32), xp.zeros(pad, np.float32)])
    x = xp.concatenate([x, xp.zeros((pad, *x.shape[1:]), x.dtype)])
    y = xp.concatenate([y, xp.zeros((pad, *y.shape[1:]), y.dtype)])
    return tuple(jnp.asarray(a.reshape(-1, size, *a.shape[1:])) for a in (x, y, mask))


def _subsample(values: jax.Array) -> jax.Array:
    """At most QUANTILE_VALUES of a layer's activations: a fixed random subset, in order.

    Random, not every k-th value: in a (sample, unit) array a stride that
    divides the number of units would keep the same few units.
    """
    flat = values.reshape(-1)
    if flat.size <= QUANTILE_VALUES:
        return flat
    chosen = np.random.default_rng(0).choice(flat.size, QUANTILE_VALUES, replace=False)
    return flat[np.sort(chosen)]


def _alone(member_function):
    """The member function with the group's leading axis (of size 1) taken off and put back."""
    def alone(state, alive, best, key, epoch, data, branch):
        first = functools.partial(jax.tree.map, lambda a: a[0])
        out = member_function(first(state), alive[0], first(best), key[0], epoch, data, branch)
        return jax.tree.map(lambda a: a[None], out)
    return alone


class _Program:
    """The compiled pieces of one group's training, built from a template model.

    Every function here describes one member; ``jax.vmap`` maps it over the
    group's leading member axis. State is (trainable, non-trainable, optimizer)
    variable values.
    """

    def __init__(self, config: Config, model: keras.Model, optimizer, task: str, record: bool,
                 members: int, branches: Sequence[tuple] = (), chunks: int = 1):
        self.config = config
        self.model = model
        self.optimizer = optimizer
        self.per_example = _losses(task)
        self.classification = task == "classification"
        self.record = record
        index = {id(v): i for i, v in enumerate(model.trainable_variables)}
        weighted = models.weighted_layers(model)
        # Recorded per step: each weighted layer's kernel-gradient norm, then its bias-gradient
        # norm. The bias gradient is the back-propagated error summed over the batch, one
        # number per unit, so its norm measures how fast a layer learns whatever its fan-in.
        # A layer without a bias (a NAC or NALU) records NaN for it.
        self.norm_index = ([index[id(layer.kernel)] for layer in weighted]
                           + [None if layer.bias is None else index[id(layer.bias)]
                              for layer in weighted])
        self.blocks = models.hidden_blocks(model)
        outputs = [t for linear, act in self.blocks for t in (linear.output, act.output)]
        self.probe_model = keras.Model(model.inputs, outputs)
        self.probe_index = [index[id(v)] for v in self.probe_model.trainable_variables]
        non_index = {id(v): i for i, v in enumerate(model.non_trainable_variables)}
        self.probe_non_index = [non_index[id(v)] for v in self.probe_model.non_trainable_variables]
        self.block_index = [
            [index[id(v)] for v in act.trainable_variables] for _, act in self.blocks
        ]
        self.learnable = [b for b, (_, act) in enumerate(self.blocks) if act.trainable_weights]
        # NAC and NALU layers: their variables each epoch, and where a NALU's gate weights are.
        self.arithmetic = [b for b, (linear, _) in enumerate(self.blocks)
                           if isinstance(linear, models.NAC)]
        self.arithmetic_index = [(index[id(self.blocks[b][0].kernel)],
                                  index[id(self.blocks[b][0].mask_kernel)])
                                 for b in self.arithmetic]
        self.gate_index = {b: index[id(self.blocks[b][0].gate_kernel)] for b in self.arithmetic
                           if isinstance(self.blocks[b][0], models.NALU)}
        # The variables the optimizer updates (the optimizer was built on them); None: all.
        self.updated = None if config.train_hidden else [
            index[id(v)] for v in models.trained_variables(model, config)]
        self.branches = list(branches) or [branch(config)]
        self.switch = len(self.branches) > 1
        self._branch = None  # the traced activation index of the member being traced
        if self.switch:
            functions = [activations.function(name, **dict(options))
                         for name, options in self.branches]

            def switched(x):
                return jax.lax.switch(self._branch, functions, x)

            for _, act in self.blocks:  # Keras's Activation layer calls self.activation
                act.activation = switched
        # Each branch's bounds, as (low + margin, high - margin), where both ends are finite;
        # computed in float64 as a single program's Python constants are.
        self.bounds = []
        for name, _ in self.branches:
            low, high = activations.spec(name).output_range
            finite = math.isfinite(low) and math.isfinite(high)
            margin = BOUND_MARGIN * (high - low) if finite else 0.0
            self.bounds.append((low + margin, high - margin) if finite else None)
        self.probe_every = config.probe_every if record else 0
        # One program per group: epoch 0 observes the initial state without training, the
        # last epoch also evaluates the test set and the stored surface (lax.cond on an
        # unbatched flag runs one branch only). Tracing and lowering cost about 0.05 s a
        # program, as much as a small run's training.
        size = members // chunks
        if size == 1:
            # A chunk of one is the member function itself: XLA's CPU matrix products run
            # about 13% slower with a member axis of size 1 than without (measured on the
            # 8x128 MNIST epoch, alternating, 8 rounds).
            chunk = _alone(self._epoch)
        else:
            chunk = jax.vmap(self._epoch, in_axes=(0, 0, 0, 0, None, None, None))
        if chunks == 1:
            def epoch(state, alive, best, key, epoch, data, branches=None):
                return chunk(state, alive, best, key, epoch, data,
                             0 if branches is None else branches[0])
        else:
            def epoch(state, alive, best, key, epoch, data, branches):
                # The chunks one after another, each its members at once: the index is one
                # number per chunk, so each switch evaluates the chunk's activation alone.
                def one(_, chunked):
                    *arrays, index = chunked
                    return None, chunk(*arrays[:3], arrays[3], epoch, data, index)

                split = jax.tree.map(lambda a: a.reshape(chunks, size, *a.shape[1:]),
                                     (state, alive, best, key))
                _, out = jax.lax.scan(one, None, (*split, branches))
                return jax.tree.map(lambda a: a.reshape(members, *a.shape[2:]), out)
        self.epoch = jax.jit(epoch, donate_argnums=(0, 2))

    # -- one member ----------------------------------------------------------------

    def _loss(self, trainable, non_trainable, x, y):
        output, non_trainable = self.model.stateless_call(trainable, non_trainable, x, training=True)
        loss, correct = self.per_example(output, y)
        return jnp.mean(loss), (jnp.mean(correct), non_trainable)

    def _train(self, state, key, epoch, x_train, y_train, probe_x):
        """One epoch of mini-batch steps: the new state, and per-step loss, accuracy, norms.

        With ``probe_every`` > 0 the probe also runs on the state before every
        ``probe_every``-th step (counted over the whole run); other steps give zeros.
        """
        batch = self.config.batch_size
        steps = x_train.shape[0] // batch
        order = jax.random.permutation(jax.random.fold_in(key, epoch), x_train.shape[0])
        grad_fn = jax.value_and_grad(self._loss, has_aux=True)

        def step(state, inputs):
            indices, s = inputs
            trainable, non_trainable, optimizer_vars = state
            if self.probe_every:
                # The step number does not depend on the member, so under vmap this stays a
                # conditional and the probe runs on probed steps only.
                probed = jax.lax.cond(
                    ((epoch - 1) * steps + s) % self.probe_every == 0,
                    lambda: self._probe(trainable, non_trainable, probe_x, values=False),
                    lambda: jnp.zeros((len(self.blocks), len(PROBE_STATS))))
            else:
                probed = jnp.zeros((0, len(PROBE_STATS)))
            (loss, (accuracy, non_trainable)), grads = grad_fn(
                trainable, non_trainable, x_train[indices], y_train[indices]
            )
            if self.updated is None:
                trainable, optimizer_vars = self.optimizer.stateless_apply(
                    optimizer_vars, grads, trainable
                )
            else:
                # Frozen variables are not handed to the optimizer at all, so they keep
                # their values bit for bit, whatever their gradient and the optimizer.
                updated, optimizer_vars = self.optimizer.stateless_apply(
                    optimizer_vars, [grads[i] for i in self.updated],
                    [trainable[i] for i in self.updated])
                trainable = list(trainable)
                for i, value in zip(self.updated, updated, strict=True):
                    trainable[i] = value
            if self.record:
                norms = jnp.stack([jnp.sqrt(jnp.vdot(grads[i], grads[i])) if i is not None
                                   else jnp.float32(jnp.nan) for i in self.norm_index])
            else:
                norms = jnp.zeros((0,))
            return (trainable, non_trainable, optimizer_vars), (loss, accuracy, norms, probed)

        return jax.lax.scan(step, state, (order[: steps * batch].reshape(steps, batch),
                                          jnp.arange(steps)))

    def _epoch(self, state, alive, best, key, epoch, data, branch):
        """Epoch ``epoch`` of one member (0: observe only); a non-finite member keeps its state.

        ``best`` is None, or with ``restore_best`` the member's best state so far
        (see :meth:`_keep_best`), which the last epoch tests instead of the latest.
        ``branch`` is the member's activation, an index into :attr:`branches`.
        """
        self._branch = branch  # read by the activation layers' switch while they are traced
        x_train, y_train = data["x"], data["y"]

        def skip(state):
            steps = x_train.shape[0] // self.config.batch_size
            norms = jnp.zeros((steps, len(self.norm_index) if self.record else 0))
            probed = jnp.zeros((steps, len(self.blocks) if self.probe_every else 0,
                                len(PROBE_STATS)))
            return state, (jnp.zeros(steps), jnp.zeros(steps), norms, probed)

        trained, (losses, accuracies, norms, probed) = jax.lax.cond(
            epoch > 0, lambda state: self._train(state, key, epoch, x_train, y_train,
                                                 data["probe"]), skip, state)
        seen = self._observe(trained, data["val"], data["probe"])
        # Masked once per epoch, not per step: a select over every variable each step would
        # cost more than the step on small models, and members never mix, so a member's
        # non-finite numbers cannot reach another's.
        ok = jnp.where(epoch > 0, alive & jnp.all(jnp.isfinite(losses))
                       & jnp.isfinite(seen["val"][0]), alive)
        state = jax.tree.map(lambda new, old: jnp.where(ok, new, old), trained, state)
        tested = state
        if best is not None:
            best = self._keep_best(best, state, ok & (epoch > 0), seen["val"], epoch)
            tested = (best["trainable"], best["non_trainable"], None)
            seen["best_epoch"] = best["epoch"]
        tested_now = epoch == self.config.epochs
        if data["extrapolation"] is not None:
            # The random-model baseline: the initial state is tested too.
            tested_now = tested_now | (epoch == 0)
        seen["final"] = jax.lax.cond(
            tested_now,
            lambda state: self._final(state, data),
            lambda state: jax.tree.map(jnp.zeros_like, jax.eval_shape(self._final, state, data)),
            tested)
        return state, ok, best, {"losses": losses, "accuracies": accuracies, "norms": norms,
                                 "step_stats": probed, **seen}

    def _keep_best(self, best, state, trained, val, epoch):
        """The best state after this epoch: this epoch's if it validates strictly better.

        ``best`` holds the model's variables (not the optimizer's: the best state is
        only ever evaluated), the score they validated at (correct validation
        predictions, or minus the validation loss sum for regression) and the
        epoch (0 until a trained epoch was finite). Strictly better keeps the
        earliest epoch on ties. A select per epoch, as for divergence.
        """
        score = val[1] if self.classification else -val[0]
        better = trained & (score > best["score"])
        keep = functools.partial(jax.tree.map, lambda new, old: jnp.where(better, new, old))
        return {"trainable": keep(state[0], best["trainable"]),
                "non_trainable": keep(state[1], best["non_trainable"]),
                "score": jnp.where(better, score, best["score"]),
                "epoch": jnp.where(better, epoch, best["epoch"])}

    def _evaluate(self, trainable, non_trainable, chunks):
        def chunk(args):
            x, y, mask = args
            output, _ = self.model.stateless_call(trainable, non_trainable, x, training=False)
            loss, correct = self.per_example(output, y)
            return jnp.sum(loss * mask), jnp.sum(correct * mask), output

        losses, corrects, outputs = jax.lax.map(chunk, chunks)
        return jnp.stack([jnp.sum(losses), jnp.sum(corrects)]), outputs

    def _observe(self, state, val, probe_x):
        """Validation sums, probe statistics and learned parameters of one state."""
        trainable, non_trainable, _ = state
        seen = {"val": self._evaluate(trainable, non_trainable, val)[0],
                "learned": [[trainable[i] for i in self.block_index[b]] for b in self.learnable]}
        if self.arithmetic:
            seen["arithmetic"] = [[trainable[i] for i in indices]  # W_hat, M_hat
                                  for indices in self.arithmetic_index]
            seen["gates"] = self._gates(trainable, non_trainable, probe_x)
        if self.record:
            seen["stats"], seen["values"], seen["derivatives"], seen["silent"] = self._probe(
                trainable, non_trainable, probe_x)
        return seen

    def _gates(self, trainable, non_trainable, probe_x):
        """Each NALU layer's gate per unit, its mean over the probe batch."""
        outputs, _ = self.probe_model.stateless_call(
            [trainable[i] for i in self.probe_index],
            [non_trainable[i] for i in self.probe_non_index], probe_x, training=False)
        # A block's input is the previous block's activation (the probe model's outputs
        # alternate linear and activation outputs), or the network's input.
        return {b: jnp.mean(models.NALU.gate(probe_x if b == 0 else outputs[2 * b - 1],
                                             trainable[i]), axis=0)
                for b, i in self.gate_index.items()}

    def _final(self, state, data):
        """The final model's (loss, correct) sums on the test set, on the whole training split
        and on any extrapolation split, one row each, and its outputs over the stored surface's
        inputs."""
        trainable, non_trainable, _ = state
        rows = [self._evaluate(trainable, non_trainable, data["test"])[0],
                self._evaluate(trainable, non_trainable,
                               _chunked(data["x"], data["y"], xp=jnp))[0]]
        if data["extrapolation"] is not None:
            rows.append(self._evaluate(trainable, non_trainable, data["extrapolation"])[0])
        sums = jnp.stack(rows)
        if data["surface"] is None:
            return sums, None
        return sums, self._evaluate(trainable, non_trainable, data["surface"])[1]

    def _near_bound(self, a):
        """The share of outputs near a bound, NaN for an activation not bounded on both sides."""
        def share(bounds):
            if bounds is None:
                return jnp.float32(jnp.nan)
            low, high = bounds
            return jnp.mean((a <= low) | (a >= high)).astype(jnp.float32)

        if not self.switch:
            return share(self.bounds[0])
        return jax.lax.switch(self._branch, [functools.partial(share, b) for b in self.bounds])

    def _probe(self, trainable, non_trainable, x, values: bool = True):
        """Per hidden layer, PROBE_STATS on the probe batch; with ``values``, also a subsample
        of each layer's activations and of its relative derivatives |f'(z)| / max|f'|, and per
        unit whether its pre-activation is negative on every probe input (``silent``)."""
        outputs, _ = self.probe_model.stateless_call(
            [trainable[i] for i in self.probe_index],
            [non_trainable[i] for i in self.probe_non_index],
            x,
            training=False,
        )
        stats, activations_, derivatives, silent = [], [], [], []
        for b, (_, act) in enumerate(self.blocks):
            z, a = outputs[2 * b], outputs[2 * b + 1]
            act_vars = [trainable[i] for i in self.block_index[b]]

            def f(z, act=act, act_vars=act_vars):
                return act.stateless_call(act_vars, [], z)[0]

            def slope(z, f=f):
                # Elementwise activation: a jvp with a tangent of ones is f'(z).
                return jax.jvp(f, (z,), (jnp.ones_like(z),))[1]

            derivative = slope(z)
            unit_axes = tuple(range(z.ndim - 1))  # every axis but the unit/channel one
            # The steepest slope: per unit where the activation has learned parameters (a
            # PReLU unit's is max(1, |a|)), else one number.
            grid = jnp.asarray(DERIVATIVE_GRID)
            if act_vars:
                grid = jnp.broadcast_to(grid.reshape(-1, *[1] * (z.ndim - 1)),
                                        (len(DERIVATIVE_GRID), *z.shape[1:]))
            peak = jnp.max(jnp.abs(slope(grid)), axis=0)
            relative = jnp.where(peak > 0, jnp.abs(derivative) / jnp.where(peak > 0, peak, 1), 0)
            dead = jnp.all(a == 0, axis=unit_axes) & jnp.all(derivative == 0, axis=unit_axes)
            flat = relative < SATURATION_RELATIVE
            saturated = jnp.mean(flat, axis=unit_axes) > SATURATION_MAJORITY
            near_bound = self._near_bound(a)
            stats.append(jnp.stack([
                jnp.mean(z), jnp.std(z), jnp.mean(a), jnp.std(a), jnp.mean(dead),
                jnp.mean(saturated), jnp.mean(a == 0), jnp.mean(jnp.abs(derivative)),
                jnp.mean(jnp.mean(z < 0, axis=unit_axes) >= INACTIVE_SHARE),
                jnp.mean(relative), near_bound,
            ]))
            activations_.append(_subsample(a))
            derivatives.append(_subsample(relative))
            silent.append(jnp.all(z < 0, axis=unit_axes).reshape(-1))
        if not values:
            return jnp.stack(stats)
        # The values go back whole (subsampled), and their quantiles are taken with NumPy
        # once the run is over: XLA's CPU sort is slow (measured: 89 ms for eight layers of
        # 65536 values against 13 ms with NumPy), and it would run every epoch.
        return jnp.stack(stats), activations_, derivatives, silent


def _versions() -> dict:
    return {
        "actstudy": actstudy.__version__,
        "code": code_digest(),
        "keras": keras.__version__,
        "jax": jax.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def fit(config: Config, progress: bool = False, record: bool = True) -> Run:
    """Train the model a config describes and return everything recorded (a group of one)."""
    return fit_group([config], progress=progress, record=record)[0]


def _stack(trees):
    """The trees' leaves stacked along a new first axis, on the host. ``jnp.stack`` would compile
    a program for every new count and shape of leaves: about 500 in a default build, 65 ms
    each."""
    return jax.tree.map(lambda *leaves: jnp.asarray(np.stack(leaves)), *jax.device_get(trees))


def _member_state(config: Config, input_shape, n_outputs):
    """A member's model and initial state: its own initial weights, seeds and learning rate."""
    model = models.build(config, input_shape, n_outputs)
    optimizer = make_optimizer(config)
    optimizer.build(models.trained_variables(model, config))
    # Copies: the epoch donates its state buffers, which must not be the model's own.
    state = tuple([jnp.array(v.value, copy=True) for v in variables]
                  for variables in (model.trainable_variables, model.non_trainable_variables,
                                    optimizer.variables))
    return model, optimizer, state


def _device_data(dataset, config: Config, surface_x: np.ndarray | None) -> dict:
    """What the compiled epoch reads, on the device: the splits, the probe batch, the surface."""
    return {"x": jnp.asarray(dataset.x_train), "y": jnp.asarray(dataset.y_train),
            "val": _chunked(dataset.x_val, dataset.y_val),
            "probe": jnp.asarray(dataset.x_val[: config.probe_size]),
            "test": _chunked(dataset.x_test, dataset.y_test),
            "extrapolation": None if dataset.x_extrapolation is None else _chunked(
                dataset.x_extrapolation, dataset.y_extrapolation),
            "surface": None if surface_x is None else _chunked(surface_x)}


# The epoch number an epoch trainer never reaches: its epochs are never the last one, whose
# program also evaluates the test set (int32, as the compiled epoch counter).
_NEVER_LAST = np.iinfo(np.int32).max


def epoch_trainer(config: Config, record: bool = False) -> Callable[[], None]:
    """One training epoch of a single config, compiled: each call trains another.

    The program is the one :func:`fit` runs for ``config``, by default with
    recording off (as :func:`fit_group`'s ``record=False``: no gradient norms,
    no probes), compiled before this returns. Each call trains the next
    epoch, the mini-batch steps and the validation pass, and returns once its
    results are ready, so a caller can time it. No call is the last epoch,
    whose program also evaluates the test set, however many are made
    (``config.epochs`` is ignored); nothing is recorded or stored.

    >>> from actstudy.run.config import Config
    >>> train_epoch = epoch_trainer(Config(dataset="moons", depth=2, width=8))
    >>> train_epoch(); train_epoch()
    """
    dataset = config.load_dataset()
    n_outputs = dataset.n_classes or dataset.y_train.shape[-1]
    keras.utils.clear_session(free_memory=False)
    model, optimizer, state = _member_state(config, dataset.input_shape, n_outputs)
    program = _Program(config.replace(epochs=_NEVER_LAST), model, optimizer, dataset.task,
                       record, members=1)
    state, alive = _stack([state]), jnp.ones(1, bool)
    keys = jax.random.PRNGKey(config.seed)[None]
    data = _device_data(dataset, config, _surface_inputs(dataset))
    # No best state is kept (restore_best only changes which state the last epoch tests).
    compiled = program.epoch.lower(state, alive, None, keys, 0, data).compile()
    epoch = 0

    def train_epoch() -> None:
        nonlocal state, alive, epoch
        epoch += 1
        state, alive, _, _ = jax.block_until_ready(compiled(state, alive, None, keys, epoch, data))

    return train_epoch


def fit_group(configs: Sequence[Config], progress: bool = False, record: bool = True
              ) -> list[Run]:
    """Train configs that share a program (:func:`program_key`) as one; one Run each, in order.

    Members differ in :data:`GROUP_FIELDS`, and where every one's activation
    shares programs (:func:`shares_program`) also in their activation and its
    options. ``record=False`` skips gradient norms and activation statistics;
    it exists so the benchmark can price the instrumentation, and such runs are
    never cached. Times in each Run are its share of the group's (the group's
    time divided by its members).
    """
    configs = list(configs)
    if not configs:
        raise ValueError("configs=[] is not allowed: give at least one Config to train")
    shared = program_key(configs[0])
    for config in configs[1:]:
        if program_key(config) != shared:
            allowed = GROUP_FIELDS + (SHARED_FIELDS if shared[1] else ())
            raise ValueError(
                f"config {config.label} is not allowed in a group with {configs[0].label}: "
                f"members may differ only in {', '.join(allowed)}")
    order, branch_list, chunks = layout(configs)
    given = configs
    configs = [given[i] for i in order]
    members = len(configs)
    dataset = configs[0].load_dataset()
    n_outputs = dataset.n_classes or dataset.y_train.shape[-1]
    # Fresh layer names per group; no forced gc.collect, which costs ~0.15 s a group.
    keras.utils.clear_session(free_memory=False)
    built = [_member_state(c, dataset.input_shape, n_outputs) for c in configs]
    model, optimizer, _ = built[0]
    program = _Program(configs[0], model, optimizer, dataset.task, record, members,
                       branch_list, chunks)
    size = members // chunks
    branches = jnp.asarray([branch_list.index(branch(configs[c * size])) for c in range(chunks)],
                           jnp.int32)
    state = _stack([s for _, _, s in built])
    alive = jnp.ones(members, bool)
    restore_best = configs[0].restore_best
    best = None
    if restore_best:  # copies: the epoch donates both the state and the best state
        best = {"trainable": jax.tree.map(jnp.copy, state[0]),
                "non_trainable": jax.tree.map(jnp.copy, state[1]),
                "score": jnp.full(members, -jnp.inf), "epoch": jnp.zeros(members, jnp.int32)}
    keys = jnp.stack([jax.random.PRNGKey(c.seed) for c in configs])
    surface_x = _surface_inputs(dataset)
    data = _device_data(dataset, configs[0], surface_x)

    started = time.perf_counter()
    compiled = program.epoch.lower(state, alive, best, keys, 0, data, branches).compile()
    compile_seconds = time.perf_counter() - started

    state, alive, best, initial = compiled(state, alive, best, keys, 0, data, branches)
    seen = [initial]
    epochs = range(1, configs[0].epochs + 1)
    if progress:
        from tqdm import tqdm

        label = configs[0].label + (f" and {members - 1} more" if members > 1 else "")
        epochs = tqdm(epochs, desc=label, unit="epoch", leave=members == 1)
    seconds = []
    for epoch in epochs:
        t0 = time.perf_counter()
        state, alive, best, record_ = compiled(state, alive, best, keys, epoch, data, branches)
        # The only per-epoch transfer: one flag per member, to stop when all have diverged.
        any_alive = bool(np.any(np.asarray(alive)))
        seconds.append(time.perf_counter() - t0)
        seen.append(record_)
        # With restore_best a diverged member is still tested, on its best state, in the
        # last epoch; stopping here would make that depend on the rest of its group.
        if not any_alive and not restore_best:
            break
    # Fetched in one call (the transfers of every leaf are started together), then stacked over
    # epochs on the host: stacking on the device compiled a program for every new number of
    # epochs and record shape.
    seen = jax.tree.map(lambda *leaves: np.stack(leaves), *jax.device_get(seen))
    common = {"task": dataset.task, "dataset": dataset.provenance, "versions": _versions(),
              "layers": [layer.name for layer in models.weighted_layers(model)],
              "blocks": [act.name for _, act in program.blocks],
              "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "steps_per_epoch": len(dataset.x_train) // configs[0].batch_size,
              "compile_seconds": compile_seconds / members, "group_size": members,
              "program_activations": len(branch_list)}
    group = _GroupRecords(program, dataset, seen, np.asarray(seconds) / members, surface_x)
    runs = [group.run(m, config, common) for m, config in enumerate(configs)]
    return [runs[order.index(i)] for i in range(members)]  # in the order given
