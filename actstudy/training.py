"""The instrumented training loop: `fit(config) -> Run` (the record: :mod:`actstudy.runs`).

One epoch is one ``jax.jit``-compiled ``jax.lax.scan`` over mini-batches, with
the data already on the device. The Keras model runs through
``model.stateless_call`` and the Keras optimizer through
``optimizer.stateless_apply`` (Keras's guide to a JAX training loop from
scratch), so the loop keeps Keras's layers and optimizers but none of
``model.fit``'s per-step Python overhead. On the way it records:

- per epoch: train and validation loss and accuracy (MSE for regression) and
  wall-clock seconds; test metrics once at the end;
- gradient flow: the L2 norm of every weighted layer's kernel gradient at every
  ``gradient_every``-th step;
- activation statistics per hidden layer per epoch (epoch 0 is the
  initialisation) on a fixed probe batch from the validation set;
- learned parameters of learnable activations per epoch;
- divergence: when the loss turns non-finite, training stops and the run is
  returned with ``diverged=True``.

>>> from actstudy.config import Config
>>> from actstudy.training import fit
>>> run = fit(Config(dataset="moons", activation="tanh", depth=2, width=16, epochs=3))
>>> len(run.history)
3
"""

from __future__ import annotations

import datetime
import math
import platform
import time

import jax
import jax.numpy as jnp
import keras
import numpy as np

import actstudy
from actstudy import activations, models, settings
from actstudy.config import Config, code_digest
from actstudy.runs import Run


def _use_compilation_cache() -> None:
    """Keep compiled XLA programs on disk (``data/jax-cache`` or ACTSTUDY_JAX_CACHE_DIR).

    Runs that differ only in seed, learning rate or initial scale compile to the
    same programs; with JAX's persistent cache every such run after the first,
    in this process or a later one, skips XLA compilation (0.5-2 s a program).
    """
    if jax.config.jax_compilation_cache_dir:  # the user chose one
        return
    jax.config.update("jax_compilation_cache_dir", str(settings.jax_cache_dir()))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


_use_compilation_cache()

# A unit is saturated when |f'(z)| is below this for most (> half) probe samples.
SATURATION_THRESHOLD = 0.01
SATURATION_MAJORITY = 0.5
# What the probe measures per hidden layer (mean and std over the probe batch).
PROBE_STATS = ("pre_mean", "pre_std", "act_mean", "act_std", "dead_fraction",
               "saturated_fraction", "zero_fraction", "derivative_mean_abs")
# Quantiles of each layer's activations kept per epoch, for distribution plots.
QUANTILES = tuple(np.linspace(0.0, 1.0, 21).round(2))
# Points of the stored learned function for 1-D and 2-D inputs (see _surface).
SURFACE_POINTS = 256
SURFACE_GRID = 60
# Validation and test sets are evaluated in chunks of this many samples.
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


def _chunked(x: np.ndarray, y: np.ndarray) -> _Chunks:
    """(x, y, mask) chunks of EVAL_CHUNK samples, the last one padded.

    Every evaluation (validation, test, the stored surface) then has one input
    shape, so it compiles once per run whatever the set sizes.
    """
    n = len(x)
    pad = -n % EVAL_CHUNK
    mask = np.concatenate([np.ones(n, np.float32), np.zeros(pad, np.float32)])
    x = np.concatenate([x, np.zeros((pad, *x.shape[1:]), x.dtype)])
    y = np.concatenate([y, np.zeros((pad, *y.shape[1:]), y.dtype)])
    return _Chunks(n, [(jnp.asarray(x[i:i + EVAL_CHUNK]), jnp.asarray(y[i:i + EVAL_CHUNK]),
                        jnp.asarray(mask[i:i + EVAL_CHUNK])) for i in range(0, n + pad, EVAL_CHUNK)])


class _Chunks(list):
    """Evaluation chunks that remember how many real (unpadded) samples they hold."""

    def __init__(self, size: int, chunks):
        super().__init__(chunks)
        self.size = size


class _Loop:
    """The compiled pieces of one run's training loop.

    Built once per run: the epoch step (with or without recording gradient
    norms), evaluation and the activation probe, all pure functions of
    (trainable, non-trainable, optimizer) state.
    """

    def __init__(self, config: Config, model: keras.Model, task: str, record: bool = True):
        self.config = config
        self.model = model
        self.optimizer = make_optimizer(config)
        self.optimizer.build(model.trainable_variables)
        self.per_example = _losses(task)
        self.record = record
        index = {id(v): i for i, v in enumerate(model.trainable_variables)}
        self.kernel_index = [index[id(layer.kernel)] for layer in models.weighted_layers(model)]
        self.blocks = models.hidden_blocks(model)
        outputs = [t for linear, act in self.blocks for t in (linear.output, act.output)]
        self.probe_model = keras.Model(model.inputs, outputs)
        self.probe_index = [index[id(v)] for v in self.probe_model.trainable_variables]
        non_index = {id(v): i for i, v in enumerate(model.non_trainable_variables)}
        self.probe_non_index = [non_index[id(v)] for v in self.probe_model.non_trainable_variables]
        self.block_index = [
            [index[id(v)] for v in act.trainable_variables] for _, act in self.blocks
        ]
        self.epoch = jax.jit(self._epoch, donate_argnums=(0,))
        self.evaluate_chunk = jax.jit(self._evaluate_chunk)
        self.probe = jax.jit(self._probe)

    def initial_state(self):
        # Copies: the epoch donates its state buffers, which must not be the model's own.
        return tuple(
            [jnp.array(v.value, copy=True) for v in variables]
            for variables in (self.model.trainable_variables,
                              self.model.non_trainable_variables, self.optimizer.variables)
        )

    def _loss(self, trainable, non_trainable, x, y):
        output, non_trainable = self.model.stateless_call(trainable, non_trainable, x, training=True)
        loss, correct = self.per_example(output, y)
        return jnp.mean(loss), (jnp.mean(correct), non_trainable)

    def _epoch(self, state, key, x_train, y_train):
        batch = self.config.batch_size
        steps = x_train.shape[0] // batch
        order = jax.random.permutation(key, x_train.shape[0])[: steps * batch]
        grad_fn = jax.value_and_grad(self._loss, has_aux=True)

        def step(state, indices):
            trainable, non_trainable, optimizer_vars = state
            (loss, (accuracy, non_trainable)), grads = grad_fn(
                trainable, non_trainable, x_train[indices], y_train[indices]
            )
            trainable, optimizer_vars = self.optimizer.stateless_apply(
                optimizer_vars, grads, trainable
            )
            if self.record:
                norms = jnp.stack([jnp.sqrt(jnp.vdot(grads[i], grads[i])) for i in self.kernel_index])
            else:
                norms = jnp.zeros((0,))
            return (trainable, non_trainable, optimizer_vars), (loss, accuracy, norms)

        return jax.lax.scan(step, state, order.reshape(steps, batch))

    def _evaluate_chunk(self, trainable, non_trainable, x, y, mask):
        output, _ = self.model.stateless_call(trainable, non_trainable, x, training=False)
        loss, correct = self.per_example(output, y)
        return jnp.sum(loss * mask), jnp.sum(correct * mask), output

    def evaluate(self, state, chunks) -> tuple[float, float]:
        """Mean loss and accuracy over chunked data (see :func:`_chunked`)."""
        sums = [jnp.stack(self.evaluate_chunk(state[0], state[1], *chunk)[:2]) for chunk in chunks]
        losses, corrects = np.asarray(jax.device_get(jnp.stack(sums)), dtype=np.float64).sum(axis=0)
        return losses / chunks.size, corrects / chunks.size

    def predict(self, state, x: np.ndarray, y_like: np.ndarray) -> np.ndarray:
        dummy = np.zeros((len(x), *y_like.shape[1:]), y_like.dtype)
        outputs = [self.evaluate_chunk(state[0], state[1], *chunk)[2]
                   for chunk in _chunked(x.astype(np.float32), dummy)]
        return np.concatenate(jax.device_get(outputs))[: len(x)]

    def _probe(self, trainable, non_trainable, x):
        outputs, _ = self.probe_model.stateless_call(
            [trainable[i] for i in self.probe_index],
            [non_trainable[i] for i in self.probe_non_index],
            x,
            training=False,
        )
        stats, activations_out = [], []
        for b, (_, act) in enumerate(self.blocks):
            z, a = outputs[2 * b], outputs[2 * b + 1]
            act_vars = [trainable[i] for i in self.block_index[b]]

            def f(z, act=act, act_vars=act_vars):
                return act.stateless_call(act_vars, [], z)[0]

            # Elementwise activation: a jvp with a tangent of ones is f'(z).
            derivative = jax.jvp(f, (z,), (jnp.ones_like(z),))[1]
            unit_axes = tuple(range(z.ndim - 1))  # every axis but the unit/channel one
            dead = jnp.all(a == 0, axis=unit_axes) & jnp.all(derivative == 0, axis=unit_axes)
            flat = jnp.abs(derivative) < SATURATION_THRESHOLD
            saturated = jnp.mean(flat, axis=unit_axes) > SATURATION_MAJORITY
            stats.append(jnp.stack([
                jnp.mean(z), jnp.std(z), jnp.mean(a), jnp.std(a), jnp.mean(dead),
                jnp.mean(saturated), jnp.mean(a == 0), jnp.mean(jnp.abs(derivative)),
            ]))
            activations_out.append(a)
        # One stacked array, not dozens of scalars: one transfer per epoch. The activations
        # go back whole: their quantiles are taken with NumPy (see probe_quantiles).
        return jnp.stack(stats), activations_out


def probe_quantiles(outputs) -> np.ndarray:
    """QUANTILES of each layer's probe activations, one row per layer.

    NumPy, not jnp.quantile inside the jitted probe: XLA's CPU sort is slow
    (measured: 128 ms for eight 512x128 layers against 22 ms with NumPy's
    partition), and it ran once per epoch inside the timed loop.
    """
    return np.stack([np.quantile(np.asarray(a).ravel(), QUANTILES)
                     for a in outputs])


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
    """Train the model a config describes and return everything recorded.

    ``record=False`` skips gradient norms and activation statistics; it exists
    so the benchmark can price the instrumentation, and such runs are never
    cached.
    """
    dataset = config.load_dataset()
    n_outputs = dataset.n_classes or dataset.y_train.shape[-1]
    # Fresh layer names per run; no forced gc.collect, which costs ~0.15 s a run.
    keras.utils.clear_session(free_memory=False)
    model = models.build(config, dataset.input_shape, n_outputs)
    loop = _Loop(config, model, dataset.task, record=record)
    x_train, y_train = jnp.asarray(dataset.x_train), jnp.asarray(dataset.y_train)
    val = _chunked(dataset.x_val, dataset.y_val)
    probe_x = jnp.asarray(dataset.x_val[: config.probe_size])
    state = loop.initial_state()
    key = jax.random.PRNGKey(config.seed)

    started = time.perf_counter()
    compiled = loop.epoch.lower(state, key, x_train, y_train).compile()
    compile_seconds = time.perf_counter() - started
    steps = len(dataset.x_train) // config.batch_size

    history, stats_rows, learned_rows = [], [], []
    gradient_steps, gradient_norms = [], []
    learnable = [(i, act) for i, (_, act) in enumerate(loop.blocks) if act.trainable_weights]

    def observe(epoch, state):
        trainable, non_trainable, _ = state
        if record:
            stats, outputs = jax.device_get(loop.probe(trainable, non_trainable, probe_x))
            quantiles = probe_quantiles(outputs)
            for b, (_, act) in enumerate(loop.blocks):
                stats_rows.append({"epoch": epoch, "layer": act.name, "layer_index": b,
                                   **dict(zip(PROBE_STATS, stats[b].tolist(), strict=True)),
                                   "quantiles": quantiles[b].tolist()})
        for b, act in learnable:
            for var, i in zip(act.trainable_variables, loop.block_index[b], strict=True):
                var.assign(trainable[i])
            for name, values in activations.learned_parameters(act).items():
                values = np.asarray(values, dtype=float)
                learned_rows.append({"epoch": epoch, "layer": act.name, "layer_index": b,
                                     "parameter": name, "values": values.ravel().tolist(),
                                     "mean": float(values.mean())})

    observe(0, state)
    initial = dict(zip(("val_loss", "val_accuracy"), loop.evaluate(state, val), strict=True))
    diverged_epoch = None
    train_seconds = 0.0
    epochs = range(1, config.epochs + 1)
    if progress:
        from tqdm import tqdm

        epochs = tqdm(epochs, desc=config.label, unit="epoch")
    for epoch in epochs:
        t0 = time.perf_counter()
        state, (losses, accuracies, norms) = compiled(
            state, jax.random.fold_in(key, epoch), x_train, y_train
        )
        val_loss, val_accuracy = loop.evaluate(state, val)
        losses, accuracies, norms = jax.device_get((losses, accuracies, norms))
        finite = bool(np.all(np.isfinite(losses)) and np.isfinite(val_loss))
        if finite:
            observe(epoch, state)  # inside the epoch's time: recording is part of the cost
        seconds = time.perf_counter() - t0
        train_seconds += seconds
        if record:
            every = config.gradient_every
            first = (epoch - 1) * steps
            kept = [s for s in range(steps) if (first + s) % every == 0]
            gradient_steps.extend(first + s for s in kept)
            gradient_norms.extend(norms[kept].tolist())
        history.append({
            "epoch": epoch,
            "train_loss": float(np.mean(losses)),
            "train_accuracy": float(np.mean(accuracies)),
            "val_loss": float(val_loss),
            "val_accuracy": float(val_accuracy),
            "seconds": seconds,
        })
        if not finite:
            diverged_epoch = epoch
            break

    trainable, non_trainable, _ = state
    if diverged_epoch is None:
        test_loss, test_accuracy = loop.evaluate(state, _chunked(dataset.x_test, dataset.y_test))
    else:
        test_loss = test_accuracy = math.nan
    for var, value in zip(model.trainable_variables + model.non_trainable_variables,
                          trainable + non_trainable, strict=True):
        var.assign(value)

    return Run(
        key=config.key(),
        config=config.to_dict(),
        task=dataset.task,
        layers=[layer.name for layer in models.weighted_layers(model)],
        blocks=[act.name for _, act in loop.blocks],
        history=history,
        initial=initial,
        test={"loss": float(test_loss),
              "accuracy": float(test_accuracy) if dataset.task == "classification" else math.nan},
        gradient_steps=gradient_steps,
        gradient_norms=gradient_norms,
        activation_stats=stats_rows,
        learned_parameters=learned_rows,
        diverged=diverged_epoch is not None,
        diverged_epoch=diverged_epoch,
        compile_seconds=compile_seconds,
        train_seconds=train_seconds,
        steps_per_epoch=steps,
        dataset=dataset.provenance,
        versions=_versions(),
        created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        surface=None if diverged_epoch is not None else _surface(loop, state, dataset),
    )


def _surface(loop: _Loop, state, dataset) -> dict | None:
    """The learned function over the input space, for low-dimensional inputs.

    1-D regression: predictions on a line over the data's range (fitted curves).
    2-D binary classification: P(class 1) on a grid over the data (decision
    boundaries). Stored with the run, so plots need no model weights; None for
    any other input (Run.surface).
    """
    shape = dataset.input_shape
    if dataset.task == "regression" and shape == (1,):
        x = np.linspace(dataset.x_train.min(), dataset.x_train.max(), SURFACE_POINTS)
        y = loop.predict(state, x[:, None], dataset.y_train)[:, 0]
        return {"kind": "curve", "x": x.tolist(), "prediction": y.tolist()}
    if dataset.task == "classification" and shape == (2,) and dataset.n_classes == 2:
        low, high = dataset.x_train.min(axis=0), dataset.x_train.max(axis=0)
        margin = 0.1 * (high - low)
        axes = [np.linspace(low[i] - margin[i], high[i] + margin[i], SURFACE_GRID) for i in (0, 1)]
        x0, x1 = (a.ravel() for a in np.meshgrid(*axes))
        logits = loop.predict(state, np.stack([x0, x1], axis=1), dataset.y_train)
        p = np.asarray(jax.nn.softmax(logits, axis=1))[:, 1]
        return {"kind": "boundary", "x0": x0.tolist(), "x1": x1.tolist(),
                "p": p.round(4).tolist()}
    return None
