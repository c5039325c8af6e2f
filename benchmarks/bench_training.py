"""Training throughput, measured side by side in one run: `make bench`.

Three comparisons, each a ratio of two ways to do the same training:

1. **sine grid**: 12 small sine runs (tanh, 3x32, Adam, batch 32, 512
   samples, 80 epochs, seeds 0-11) through ``run_grid`` into an empty cache
   (everything: building, tracing, training, recording, storing), against the
   training steps alone of a hand-written JAX loop doing the same 12 runs one
   after another (goal: <= 2x);
2. **MNIST epoch**: one epoch of an 8x128 ReLU MLP (Adam, batch 128, all
   55,000 training images) in actstudy's loop (the compiled epoch of
   ``actstudy.run.training.epoch_trainer``) with every recording on, against a
   hand-written JAX ``lax.scan`` epoch with nothing recorded (goal: >= 0.9x the
   hand-written speed); also the cost of recording (goal: <= 5%) and Keras's
   own ``model.fit``;
3. **seeds grouped**: 10 seeds of a 2x128 MNIST MLP on 10,000 images, as one
   group (``fit_group``) against one run after another (``fit``);
4. **shared program**: 8 activations x 5 seeds of a 2x64 MNIST MLP (2 epochs),
   one program per activation against one program that all share, with the
   compilation and training time of each (the share of a build spent compiling).

Variants alternate over several rounds (in reverse order every other round),
after one untimed warm-up each (compilation, the persistent XLA cache);
ratios are taken within each round and summarised over rounds with a 95%
interval, so a busy moment on the machine hits all variants alike and the
noise of a shared machine shows in the interval. The table goes to stdout
and to ``reports/bench.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras loads; actstudy insists on it

import jax
import jax.numpy as jnp
import keras
import numpy as np
from jax.experimental.compilation_cache import compilation_cache
from scipy import stats as scipy_stats

from actstudy import runner
from actstudy.files import write_text_atomic
from actstudy.run import models
from actstudy.run.config import Config
from actstudy.run.training import epoch_trainer, fit, fit_group
from actstudy.stats import mean_ci

ROOT = Path(__file__).resolve().parents[1]


def hand_written(x_train, y_train, depth, width, batch, epochs, lr=1e-3, seed=0,
                 activation=jax.nn.relu, task="classification"):
    """Seconds per epoch of a minimal pure-JAX MLP + Adam in one jitted lax.scan.

    Written by hand on purpose: it is the speed ceiling the library is measured
    against, so it uses no library but JAX.
    """
    key = jax.random.PRNGKey(seed)
    outputs = 10 if task == "classification" else y_train.shape[1]
    sizes = [x_train.shape[1]] + [width] * depth + [outputs]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        params.append((jax.random.normal(sub, (fan_in, fan_out)) * np.sqrt(2 / fan_in),
                       jnp.zeros(fan_out)))
    moments = jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params)

    def loss_fn(params, x, y):
        for w, b in params[:-1]:
            x = activation(x @ w + b)
        w, b = params[-1]
        if task == "regression":
            return jnp.mean(jnp.square(x @ w + b - y))
        log_p = jax.nn.log_softmax(x @ w + b)
        return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))

    @jax.jit
    def epoch(state, key, x_all, y_all):
        steps = x_all.shape[0] // batch
        order = jax.random.permutation(key, x_all.shape[0])[: steps * batch]

        def step(state, idx):
            params, (m, v), t = state
            loss, grads = jax.value_and_grad(loss_fn)(params, x_all[idx], y_all[idx])
            t = t + 1
            m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
            v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
            scale = lr * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            params = jax.tree.map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + 1e-7),
                                  params, m, v)
            return (params, (m, v), t), loss

        return jax.lax.scan(step, state, order.reshape(steps, batch))

    state = (params, moments, jnp.zeros(()))
    x_all, y_all = jnp.asarray(x_train), jnp.asarray(y_train)
    state, losses = epoch(state, key, x_all, y_all)  # compile + warm up
    jax.block_until_ready(losses)
    done = 0

    def one_epoch() -> float:
        nonlocal state, done
        t0 = time.perf_counter()
        state, losses = epoch(state, jax.random.fold_in(key, done), x_all, y_all)
        jax.block_until_ready(losses)
        done += 1
        return time.perf_counter() - t0

    if epochs is None:  # the compiled epoch itself, each call timing one more
        return one_epoch
    return [one_epoch() for _ in range(epochs)]


def keras_fit(config: Config, x_train, y_train, epochs):
    keras.utils.clear_session()
    model = models.build(config, x_train.shape[1:], 10)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_train, y_train, batch_size=config.batch_size, epochs=1, verbose=0)  # compile

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    times: list[float] = []
    model.fit(x_train, y_train, batch_size=config.batch_size, epochs=epochs, verbose=0,
              callbacks=[Timer()])
    return times


def median_ci(values) -> str:
    """Median [95% percentile-bootstrap interval]: a busy second on a shared machine (an epoch
    taking 1.6x its usual time) moves a mean and its t-interval far more than a median."""
    values = np.asarray(values, dtype=float)
    found = scipy_stats.bootstrap((values,), np.median, n_resamples=9999, method="percentile",
                                  rng=np.random.default_rng(0)).confidence_interval
    return f"{np.median(values):.3g} [{found.low:.3g}, {found.high:.3g}]"


def rounds_of(variants: dict[str, Callable[[], float]], rounds: int, title: str
              ) -> dict[str, list[float]]:
    """Each variant's seconds per round, alternating order; one untimed warm-up each first."""
    for run in variants.values():
        run()
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for r in range(rounds):
        # Every other round runs the variants in reverse order, so a machine that speeds up
        # or slows down over the run does not favour whichever variant comes first.
        for name in list(variants) if r % 2 == 0 else list(reversed(variants)):
            seconds[name].append(variants[name]())
            print(f"{title} round {r + 1}/{rounds} {name}: {seconds[name][-1]:.3f} s", flush=True)
    return seconds


def ratio(seconds: dict[str, list[float]], slow: str, fast: str) -> str:
    """Paired within rounds (never across minutes apart): mean [95% CI] of slow/fast."""
    return str(mean_ci([s / f for s, f in zip(seconds[slow], seconds[fast], strict=True)]))


def sine_grid(args) -> list[str]:
    """Benchmark 1: 12 small sine runs through run_grid against hand-written steps."""
    base = Config(dataset="sine", activation="tanh", depth=3, width=32, epochs=80,
                  batch_size=32, dataset_options={"n_train": 512})
    configs = [base.replace(seed=s) for s in range(12)]
    dataset = base.load_dataset()
    x, y = dataset.x_train, dataset.y_train

    def through_run_grid():
        with tempfile.TemporaryDirectory() as cache:
            os.environ["ACTSTUDY_CACHE_DIR"] = cache
            try:
                t0 = time.perf_counter()
                runner.run_grid(configs, progress=False)
                return time.perf_counter() - t0
            finally:
                del os.environ["ACTSTUDY_CACHE_DIR"]

    def hand():
        return sum(sum(hand_written(x, y, 3, 32, 32, 80, seed=s, activation=jnp.tanh,
                                    task="regression")) for s in range(12))

    seconds = rounds_of({"run_grid": through_run_grid, "hand-written steps": hand},
                        args.rounds, "sine")
    lines = [
        "## 1. Sine grid: 12 runs through run_grid against hand-written training steps",
        "",
        f"tanh 3x32, Adam, batch 32, 512 samples, 80 epochs, seeds 0-11; run_grid into an "
        f"empty cache (build, trace, train, record, store) against the steps alone of a "
        f"hand-written JAX loop; {args.rounds} rounds.",
        "",
        f"- run_grid: {statistics.median(seconds['run_grid']):.2f} s; hand-written steps: "
        f"{statistics.median(seconds['hand-written steps']):.2f} s (medians)",
        f"- run_grid / hand-written: **{ratio(seconds, 'run_grid', 'hand-written steps')}x** "
        "(goal <= 2x)",
        "",
    ]
    return lines


def mnist_epoch(args) -> list[str]:
    """Benchmark 2: the 8x128 MNIST epoch, recording on and off, against hand-written JAX."""
    config = Config(dataset="mnist", depth=8, width=128, activation="relu", batch_size=128,
                    epochs=args.epochs)
    dataset = config.load_dataset()
    x_train, y_train = dataset.x_train, dataset.y_train.astype(np.int32)

    # Each loop is compiled once, then every round trains more epochs of it: a fresh build
    # per round would put compilation and memory allocation beside the few percent measured.
    hand_epoch = hand_written(x_train, y_train, 8, 128, 128, None)
    on_epoch, off_epoch = (epoch_trainer(config, record=r) for r in (True, False))

    def epochs_of(train_epoch) -> float:
        times = []
        for _ in range(args.epochs):
            t0 = time.perf_counter()
            train_epoch()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    variants = {
        "hand-written JAX lax.scan": lambda: statistics.median(
            [hand_epoch() for _ in range(args.epochs)]),
        "actstudy (recording on)": lambda: epochs_of(on_epoch),
        "actstudy (recording off)": lambda: epochs_of(off_epoch),
        "keras model.fit": lambda: statistics.median(keras_fit(config, x_train, y_train, args.epochs)),
    }
    rounds = max(args.rounds, 20)  # each round is a few seconds; its ratios are a few percent
    seconds = rounds_of(variants, rounds, "mnist epoch")
    n = len(x_train) // 128 * 128
    hand, on, off = list(variants)[:3]
    rate = {name: n / statistics.median(s) for name, s in seconds.items()}
    speed = median_ci([h / o for h, o in zip(seconds[hand], seconds[on], strict=True)])
    overhead = median_ci([(o / f - 1) * 100 for o, f in zip(seconds[on], seconds[off],
                                                           strict=True)])
    return [
        "## 2. MNIST epoch: actstudy's loop against a hand-written JAX loop",
        "",
        f"8x128 ReLU MLP, Adam, batch 128, {len(x_train)} MNIST training samples; the "
        f"compiled epoch of actstudy's loop (``epoch_trainer``: training steps, validation, "
        f"and with recording on the gradient norms of every step and the activation probe) "
        f"and of the hand-written loop, each compiled once; median of {args.epochs} epochs per "
        f"variant per round, {rounds} rounds.",
        "",
        "| variant | samples/s | vs hand-written JAX |",
        "|---|---:|---:|",
        *(f"| {name} | {rate[name]:,.0f} | {rate[name] / rate[hand]:.2f}x |" for name in variants),
        "",
        f"- actstudy (recording on) vs hand-written JAX: **{speed}x** (goal >= 0.90x; median "
        "of the rounds' ratios [95% bootstrap interval], as the next line)",
        f"- cost of recording gradient flow and activation statistics: **{overhead} %** "
        "(goal <= 5%), per compiled epoch: what a run does once at its end (records to the "
        "host, quantiles, the Run) is not in it",
        f"- keras model.fit (built and compiled anew each round) vs actstudy (recording on), "
        f"time per epoch: "
        f"{ratio(seconds, 'keras model.fit', on)}x",
        "",
    ]


def seeds_grouped(args) -> list[str]:
    """Benchmark 3: 10 seeds of a 2x128 MNIST MLP, grouped against one after another."""
    base = Config(dataset="mnist", depth=2, width=128, activation="relu", batch_size=128,
                  epochs=args.epochs, dataset_options={"n_train": 10000})
    configs = [base.replace(seed=s) for s in range(10)]

    def timed(train):
        t0 = time.perf_counter()
        train()
        return time.perf_counter() - t0

    seconds = rounds_of({"grouped": lambda: timed(lambda: fit_group(configs)),
                         "sequential": lambda: timed(lambda: [fit(c) for c in configs])},
                        args.rounds, "seeds")
    return [
        "## 3. Ten seeds: one group against one run after another",
        "",
        f"2x128 ReLU MLP, Adam, batch 128, 10,000 MNIST images, {args.epochs} epochs, "
        f"seeds 0-9, everything recorded; {args.rounds} rounds.",
        "",
        f"- grouped: {statistics.median(seconds['grouped']):.2f} s; sequential: "
        f"{statistics.median(seconds['sequential']):.2f} s (medians)",
        f"- speed-up of grouping (sequential / grouped): **{ratio(seconds, 'sequential', 'grouped')}x**",
        "",
    ]


# The activations of the shared-program benchmark: cheap and costly ones (erf, exp, tanh of a
# softplus), bounded and unbounded.
SHARED_ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "elu", "selu", "swish", "mish")


def shared_program(args) -> list[str]:
    """Benchmark 4: 8 activations x 5 seeds, one program per activation against one shared."""
    base = Config(dataset="mnist", depth=2, width=64, activation="relu", batch_size=128,
                  epochs=2, dataset_options={"n_train": 10000})
    configs = {a: [base.replace(activation=a, seed=s) for s in range(5)]
               for a in SHARED_ACTIVATIONS}
    parts: dict[str, dict[str, list[float]]] = {}

    def timed(name, train):
        t0 = time.perf_counter()
        runs = train()
        total = time.perf_counter() - t0
        found = parts.setdefault(name, {"compile": [], "train": []})
        found["compile"].append(sum(r.compile_seconds for r in runs))
        found["train"].append(sum(r.train_seconds for r in runs))
        return total

    def separate():
        return [run for group in configs.values() for run in fit_group(group)]

    def shared():
        return fit_group([c for group in configs.values() for c in group])

    # Every round compiles anew: the persistent cache would serve a program's second build. JAX
    # reads the switch when its cache is first used, so the cache is reset around it.
    was = jax.config.jax_enable_compilation_cache
    compilation_cache.reset_cache()
    jax.config.update("jax_enable_compilation_cache", False)
    try:
        seconds = rounds_of({"per activation": lambda: timed("per activation", separate),
                             "shared": lambda: timed("shared", shared)},
                            args.rounds, "shared program")
    finally:
        compilation_cache.reset_cache()
        jax.config.update("jax_enable_compilation_cache", was)
    # The warm-up round is in `parts` too; the medians are over the timed rounds.
    median = {name: {k: statistics.median(v[1:]) for k, v in found.items()}
              for name, found in parts.items()}
    compile_ratio = mean_ci([a / b for a, b in zip(parts["per activation"]["compile"][1:],
                                                   parts["shared"]["compile"][1:], strict=True)])
    train_ratio = median_ci([a / b for a, b in zip(parts["per activation"]["train"][1:],
                                                   parts["shared"]["train"][1:], strict=True)])
    return [
        "## 4. Eight activations: one program each against one shared program",
        "",
        f"{', '.join(SHARED_ACTIVATIONS)}; 5 seeds each; 2x64 MLP, Adam, batch 128, 10,000 "
        f"MNIST images, 2 epochs, everything recorded, persistent compilation cache off; "
        f"{args.rounds} rounds.",
        "",
        "| variant | seconds | compilation | training epochs |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {statistics.median(seconds[name]):.1f} | {median[name]['compile']:.1f} | "
          f"{median[name]['train']:.1f} |" for name in seconds),
        "",
        f"- speed-up of sharing (per activation / shared): "
        f"**{ratio(seconds, 'per activation', 'shared')}x**",
        f"- compilation, per activation / shared: {compile_ratio}x",
        f"- training epochs, per activation / shared: {train_ratio}x (median [95% bootstrap "
        "interval]; above 1, the shared program trains faster)",
        "",
    ]


BENCHMARKS = {"sine": sine_grid, "epoch": mnist_epoch, "seeds": seeds_grouped,
              "shared": shared_program}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs per variant per round (MNIST benchmarks)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=list(BENCHMARKS), action="append",
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--output", type=Path, default=ROOT / "reports" / "bench.md")
    args = parser.parse_args()

    device = jax.devices()[0]
    lines = [
        f"# Training throughput ({datetime.date.today()})",
        "",
        f"Device: {device.platform.upper()} ({device.device_kind}); {os.cpu_count()} CPU cores, "
        f"{platform.processor() or platform.machine()}; jax {jax.__version__}, "
        f"keras {keras.__version__}.",
        "",
    ]
    for name in args.only or list(BENCHMARKS):
        lines += BENCHMARKS[name](args)
    text = "\n".join(lines)
    print("\n" + text)
    write_text_atomic(args.output, text)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
