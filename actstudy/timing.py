"""The compute cost of each activation, measured: time per million elements.

Each activation is compiled with ``jax.jit`` alone, forward and
forward+backward (the gradient of the sum), on the same float32 vector, and
timed ``repeats`` times with the activations interleaved, so a busy moment on
the machine hits them all alike. Costs are reported as seconds per million
elements and relative to ReLU measured in the same round.

>>> from actstudy import timing
>>> frame = timing.activation_cost(["relu", "tanh"], n_elements=10_000, repeats=2)
>>> sorted(frame["pass"].unique())
['forward', 'forward+backward']
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from actstudy import activations

# Each timing is the best of this many back-to-back calls: one call on a
# million elements takes well under a millisecond, below the timer's noise.
CALLS_PER_TIMING = 10


def _timed(fn, x) -> float:
    jax.block_until_ready(fn(x))  # compile and warm up
    best = np.inf
    for _ in range(CALLS_PER_TIMING):
        started = time.perf_counter()
        jax.block_until_ready(fn(x))
        best = min(best, time.perf_counter() - started)
    return best


def activation_cost(names=None, n_elements: int = 1_000_000, repeats: int = 20,
                    seed: int = 0) -> pd.DataFrame:
    """One row per (activation, pass, repeat): seconds per million elements, and vs ReLU."""
    if n_elements < 1 or repeats < 1:
        raise ValueError(f"n_elements={n_elements} and repeats={repeats} must both be >= 1")
    names = list(names or activations.names())
    if "relu" not in names:
        names.append("relu")  # the reference every cost is divided by
    x = jax.random.normal(jax.random.PRNGKey(seed), (n_elements,), dtype=jnp.float32) * 3
    passes = {}
    for name in names:
        f = activations.function(name)
        passes[(name, "forward")] = jax.jit(f)
        passes[(name, "forward+backward")] = jax.jit(jax.grad(lambda v, f=f: jnp.sum(f(v))))
    rows = []
    for repeat in range(repeats):
        for (name, kind), fn in passes.items():
            seconds = _timed(fn, x)
            rows.append({"activation": name, "pass": kind, "repeat": repeat,
                         "us_per_million": seconds / n_elements * 1e12})
    frame = pd.DataFrame(rows)
    reference = frame[frame["activation"] == "relu"].set_index(["pass", "repeat"])["us_per_million"]
    frame["relative_to_relu"] = frame["us_per_million"].to_numpy() / reference.loc[
        list(zip(frame["pass"], frame["repeat"], strict=True))].to_numpy()
    return frame
