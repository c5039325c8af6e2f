"""Training throughput, measured side by side in one run: `make bench`.

Four ways to train the same 8x128 ReLU MLP (Adam, batch 128) on the same
MNIST training split, each for a few epochs after compilation:

- ``hand-written JAX``: a plain jitted ``lax.scan`` epoch over a pure-JAX MLP
  with a hand-written Adam, nothing recorded (the speed ceiling);
- ``actstudy fit``: ``actstudy.training.fit`` with every recording on
  (gradient norms each step, activation statistics and validation each epoch);
- ``actstudy fit, recording off``: the same loop without the instrumentation;
- ``keras model.fit``: Keras's own loop on the same model.

Variants alternate over several rounds (in reverse order every other round);
ratios are taken within each round and summarised over rounds with a 95%
interval, so a busy moment on the machine hits all variants alike and the
noise of a shared 2-core machine shows in the interval. The table goes to
stdout and to ``reports/bench.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras loads; actstudy insists on it

import jax
import jax.numpy as jnp
import keras
import numpy as np

from actstudy import models
from actstudy.config import Config
from actstudy.files import write_text_atomic
from actstudy.stats import mean_ci
from actstudy.training import fit

ROOT = Path(__file__).resolve().parents[1]


def hand_written(x_train, y_train, depth, width, batch, epochs, lr=1e-3, seed=0):
    """Seconds per epoch of a minimal pure-JAX MLP + Adam in one jitted lax.scan."""
    key = jax.random.PRNGKey(seed)
    sizes = [x_train.shape[1]] + [width] * depth + [10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        params.append((jax.random.normal(sub, (fan_in, fan_out)) * np.sqrt(2 / fan_in),
                       jnp.zeros(fan_out)))
    moments = jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params)

    def loss_fn(params, x, y):
        for w, b in params[:-1]:
            x = jax.nn.relu(x @ w + b)
        w, b = params[-1]
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
    times = []
    for e in range(epochs):
        t0 = time.perf_counter()
        state, losses = epoch(state, jax.random.fold_in(key, e), x_all, y_all)
        jax.block_until_ready(losses)
        times.append(time.perf_counter() - t0)
    return times


def actstudy_fit(config: Config, record: bool):
    """Seconds per epoch of actstudy's fit (the first epoch is compiled beforehand)."""
    return [row["seconds"] for row in fit(config, record=record).history]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per variant per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--depth", type=int, default=8)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--output", type=Path, default=ROOT / "reports" / "bench.md")
    args = parser.parse_args()

    config = Config(dataset=args.dataset, depth=args.depth, width=args.width, activation="relu",
                    batch_size=128, epochs=args.epochs)
    dataset = config.load_dataset()
    x_train, y_train = dataset.x_train, dataset.y_train.astype(np.int32)
    variants = {
        "hand-written JAX lax.scan": lambda: hand_written(
            x_train, y_train, args.depth, args.width, 128, args.epochs),
        "actstudy fit (recording on)": lambda: actstudy_fit(config, record=True),
        "actstudy fit (recording off)": lambda: actstudy_fit(config, record=False),
        "keras model.fit": lambda: keras_fit(config, x_train, y_train, args.epochs),
    }
    # times[name][r]: that variant's epoch times in round r.
    times: dict[str, list[list[float]]] = {name: [] for name in variants}
    for r in range(args.rounds):
        # Every other round runs the variants in reverse order, so a machine that speeds up
        # or slows down over the run does not favour whichever variant comes first.
        order = list(variants) if r % 2 == 0 else list(reversed(variants))
        for name in order:
            times[name].append(variants[name]())
            print(f"round {r + 1}/{args.rounds} {name}: "
                  f"{statistics.median(times[name][-1]):.3f} s/epoch", flush=True)

    n = len(x_train) // 128 * 128
    rate = {name: n / statistics.median(t for round_ in rounds for t in round_)
            for name, rounds in times.items()}

    def per_round_ratio(a: str, b: str) -> list[float]:
        # Within each round: variants that ran minutes apart are never compared.
        return [statistics.median(tb) / statistics.median(ta)
                for ta, tb in zip(times[a], times[b], strict=True)]

    hand, on, off = ("hand-written JAX lax.scan", "actstudy fit (recording on)",
                     "actstudy fit (recording off)")
    speed = mean_ci(per_round_ratio(on, hand))
    overhead = mean_ci([(r - 1) * 100 for r in per_round_ratio(off, on)])
    keras_ratio = mean_ci(per_round_ratio("keras model.fit", on))
    base = rate[hand]
    lines = [
        f"# Training throughput ({datetime.date.today()})",
        "",
        f"{args.depth}x{args.width} ReLU MLP, Adam, batch 128, {len(x_train)} {args.dataset} "
        f"training samples; {args.rounds} rounds x {args.epochs} epochs per variant; "
        f"{os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}, "
        f"jax {jax.__version__}, keras {keras.__version__}.",
        "",
        "| variant | samples/s (median epoch) | vs hand-written JAX |",
        "|---|---:|---:|",
        *(f"| {name} | {rate[name]:,.0f} | {rate[name] / base:.2f}x |" for name in variants),
        "",
        "Paired within rounds, mean [95% CI] over the rounds:",
        "",
        f"- actstudy (recording on) vs hand-written JAX: **{speed}x** (target >= 0.90x)",
        f"- cost of recording gradient flow and activation statistics: **{overhead} %** "
        "(target <= 5%)",
        f"- keras model.fit vs actstudy (recording on): {keras_ratio}x",
        "",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    write_text_atomic(args.output, text)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
