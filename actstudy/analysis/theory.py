"""Mean-field signal propagation at initialisation: what the activation and initializer alone
predict for the length of the signal and the growth of gradients through depth.

For a fully connected network with weights N(0, sigma_w2 / n) and biases
N(0, sigma_b2) (Poole et al. 2016, "Exponential expressivity in deep neural
networks through transient chaos"; Schoenholz et al. 2017, "Deep information
propagation"), a pre-activation's variance q follows the *length map*

    q_{l+1} = sigma_w2 * E[phi(sqrt(q_l) z)^2] + sigma_b2,   z ~ N(0, 1),

whose stable fixed point is q*. A back-propagated error's squared length is
multiplied per layer by

    chi1(q) = sigma_w2 * E[phi'(sqrt(q) z)^2],

so an error signal's *norm* changes by sqrt(chi1(q_l)) from one layer back to
the previous, in square layers; chi1(q*) < 1 is the ordered (vanishing)
phase, > 1 the chaotic (exploding) one, 1 the edge of chaos. Two inputs'
correlation c follows the *correlation map*, whose slope at its fixed point
c* gives the depth scale xi_c = -1 / ln(chi_c), over which correlations are
forgotten; Schoenholz et al. observe that networks train to about 6 xi_c
layers.

Every function takes any registered activation by name (learnable ones at
their initial parameters, a user's own included); derivatives come from JAX's
autodiff of the registry's function, never by hand. Expectations are Gaussian
quadrature (:func:`expectation`).

>>> round(chi1("relu", 2.0, 0.0), 6), round(chi1("identity", 1.5, 0.0), 6)
(1.0, 1.5)
>>> round(fixed_point("tanh", 2.25, 0.0), 4), round(chi1("tanh", 2.25, 0.0), 4)
(0.7934, 1.1393)
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from scipy import optimize

from actstudy.analysis import gradients
from actstudy.run import activations
from actstudy.run.config import default_initializer

__all__ = ["expectation", "length_map", "fixed_point", "chi1", "correlation_map",
           "correlation_fixed_point", "chi_c", "depth_scale", "layer_lengths",
           "predicted_growth", "sigma_w2", "input_length", "mean_square", "beside_measurement", "signal_prediction",
           "study_beside", "signal_beside", "studied_marks", "width_signal",
           "phase_map", "TRAINABLE_DEPTHS"]

# Composite Gauss-Legendre quadrature over z in [-Z_MAX, Z_MAX], in panels that meet at 0.
# Hand-written because neither NumPy nor SciPy offers a Gaussian expectation that is exact
# where most activations have their kink or jump: at pre-activation 0, which is z = 0 for every
# q. Gauss-Hermite nodes (numpy's hermegauss) straddle it, and a ReLU derivative's step then
# converges like 1/n; panels that end at 0 integrate each smooth piece to float precision. The
# tails beyond 10 standard deviations hold 1.5e-23 of the mass.
Z_MAX = 10.0
PANELS = 250  # per side: panels 0.04 wide
NODES = 8  # Gauss-Legendre nodes per panel
# The 2-D expectations of the correlation map use a coarser rule (its square is the grid): its
# second argument's kink lies on a diagonal the panels do not follow, so its error shrinks like
# the panel width (E[relu'(u_a) relu'(u_b)] at c = 0.5: 1/3 to 1e-4).
PANELS_2D, NODES_2D = 160, 4
# Schoenholz et al. (2017): random networks train up to a depth of about 6 xi_c.
TRAINABLE_DEPTHS = 6.0
# Searches for q* go no further than these from the start: a length below the first has
# collapsed to 0 (tanh without bias: q shrinks like 1/l), above the second it diverges.
Q_FLOOR, Q_CEILING = 1e-12, 1e12


@functools.lru_cache(maxsize=4)
def _rule(panels: int, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for E[f(z)], z ~ N(0, 1): the density is in the weights."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    edges = np.linspace(-Z_MAX, Z_MAX, 2 * panels + 1)  # 0 is an edge
    half = np.diff(edges) / 2
    z = (edges[:-1, None] + half[:, None] * (x[None, :] + 1)).ravel()
    weights = (half[:, None] * w[None, :]).ravel() * np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    return z, weights


def _function(activation: str, options: tuple = ()):
    """The registry's phi and its derivative phi', elementwise (autodiff)."""
    phi = activations.function(activation, **dict(options))

    def slope(u):
        return jax.jvp(phi, (u,), (jnp.ones_like(u),))[1]

    return phi, slope


def _moments(activation: str, options: tuple = ()):
    """A compiled q -> (E[phi(u)^2], E[phi'(u)^2], E[phi(u)]), u = sqrt(q) z."""
    return _compiled_moments(activation, tuple(options), activations.spec(activation).implementation)


@functools.lru_cache(maxsize=256)
def _compiled_moments(activation: str, options: tuple, implementation):
    # Keyed by the implementation too: a name registered again with other code compiles anew.
    phi, slope = _function(activation, options)
    z, w = _rule(PANELS, NODES)

    @jax.jit
    def moments(q):
        u = jnp.sqrt(q) * z
        value, derivative = phi(u), slope(u)
        return jnp.stack([jnp.sum(w * value**2), jnp.sum(w * derivative**2), jnp.sum(w * value)])

    return moments


def _in_float64(compiled, *arguments) -> np.ndarray:
    """A compiled expectation evaluated in float64 (JAX's x64 mode, here only): float32 sums
    leave noise of 1e-7 relative, which turns a length map that grows without bound into a
    false fixed point at 1e5."""
    with jax.enable_x64(True):
        return np.asarray(compiled(*map(np.float64, arguments)), dtype=float)


def _check(activation: str, sigma_w2: float, sigma_b2: float) -> None:
    activations.spec(activation)  # names the activation if it is unknown
    for name, value in (("sigma_w2", sigma_w2), ("sigma_b2", sigma_b2)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise ValueError(f"{name}={value!r} is not allowed: must be a finite number >= 0")


def expectation(activation: str, q: float, options: tuple = ()) -> dict[str, float]:
    """E[phi(u)^2], E[phi'(u)^2] and E[phi(u)] for u ~ N(0, q).

    >>> round(expectation("relu", 1.0)["phi2"], 6)  # E[relu(z)^2] = 1/2
    0.5
    """
    if not (math.isfinite(q) and q >= 0):
        raise ValueError(f"q={q!r} is not allowed: must be a finite number >= 0")
    phi2, slope2, mean = _in_float64(_moments(activation, options), q)
    return {"phi2": float(phi2), "slope2": float(slope2), "mean": float(mean)}


def length_map(activation: str, sigma_w2: float, sigma_b2: float, q: float,
               options: tuple = ()) -> float:
    """q_{l+1} from q_l: sigma_w2 * E[phi(sqrt(q) z)^2] + sigma_b2."""
    return sigma_w2 * expectation(activation, q, options)["phi2"] + sigma_b2


def fixed_point(activation: str, sigma_w2: float, sigma_b2: float, q0: float = 1.0,
                options: tuple = ()) -> float:
    """q*, the fixed point of the length map that q reaches from ``q0``.

    The first root of L(q) - q met going from ``q0`` the way the map moves q
    (down where L(q0) < q0, up where it is larger). 0 where q collapses (tanh
    with sigma_b2 = 0 and sigma_w2 <= 1, whose q shrinks like 1/l); inf where
    it grows without bound (ReLU above sigma_w2 = 2); ``q0`` itself where the
    map leaves every q as it is (the identity at sigma_w2 = 1, ReLU at 2).

    >>> fixed_point("tanh", 1.0, 0.0), round(fixed_point("selu", 1.0, 0.0), 4)
    (0.0, 1.0)
    """
    _check(activation, sigma_w2, sigma_b2)

    def gap(q):
        return length_map(activation, sigma_w2, sigma_b2, q, options) - q

    start = gap(q0)
    if abs(start) <= 1e-10 * q0:  # float64 quadrature's rounding: q0 is a fixed point
        return float(q0)
    factor = 0.5 if start < 0 else 2.0
    low = q0
    while Q_FLOOR <= low <= Q_CEILING:
        high = low * factor
        if np.sign(gap(high)) != np.sign(start):
            a, b = sorted((low, high))
            return float(optimize.brentq(gap, a, b, xtol=1e-10, rtol=1e-8))
        low = high
    return 0.0 if start < 0 else math.inf


def chi1(activation: str, sigma_w2: float, sigma_b2: float, q: float | None = None,
         options: tuple = ()) -> float:
    """chi1 = sigma_w2 * E[phi'(sqrt(q) z)^2], at ``q`` (default: the fixed point q*).

    The factor by which a back-propagated error's squared length grows per
    layer; its square root is the growth of the norm. At q = 0 it is the limit
    of small q, sigma_w2 * (phi'(0-)^2 + phi'(0+)^2) / 2 (ReLU: sigma_w2 / 2);
    where q* is infinite, the limit of large q.
    """
    _check(activation, sigma_w2, sigma_b2)
    if q is None:
        q = fixed_point(activation, sigma_w2, sigma_b2, options=options)
    # Where q grows without bound, chi1 is its large-q limit, and at q = 0 its limit from
    # above (ReLU's sigma_w2 / 2 at every q, not autodiff's relu'(0) = 0).
    q = min(max(q, Q_FLOOR), Q_CEILING)
    return sigma_w2 * expectation(activation, q, options)["slope2"]


def _pair_moments(activation: str, options: tuple = ()):
    """A compiled (q, c) -> (E[phi(u_a) phi(u_b)], E[phi'(u_a) phi'(u_b)]) for inputs whose
    pre-activations have variance q and correlation c."""
    return _compiled_pairs(activation, tuple(options), activations.spec(activation).implementation)


@functools.lru_cache(maxsize=256)
def _compiled_pairs(activation: str, options: tuple, implementation):
    phi, slope = _function(activation, options)
    z, w = _rule(PANELS_2D, NODES_2D)
    z1, z2 = z[:, None], z[None, :]
    w2 = w[:, None] * w[None, :]

    @jax.jit
    def moments(q, c):
        a = jnp.sqrt(q) * z1
        b = jnp.sqrt(q) * (c * z1 + jnp.sqrt(jnp.maximum(1 - c**2, 0.0)) * z2)
        return jnp.stack([jnp.sum(w2 * phi(a) * phi(b)), jnp.sum(w2 * slope(a) * slope(b))])

    return moments


def correlation_map(activation: str, sigma_w2: float, sigma_b2: float, c: float,
                    q: float | None = None, options: tuple = ()) -> float:
    """c_{l+1} from c_l for two inputs at length q (default q*)."""
    if q is None:
        q = fixed_point(activation, sigma_w2, sigma_b2, options=options)
    if q == 0:
        return 1.0
    cross = _in_float64(_pair_moments(activation, options), q, c)[0]
    return (sigma_w2 * float(cross) + sigma_b2) / q


def correlation_fixed_point(activation: str, sigma_w2: float, sigma_b2: float,
                            options: tuple = (), steps: int = 500) -> float:
    """c*, where two inputs' correlation settles: 1 where chi1(q*) <= 1 (the ordered phase and
    its edge, where c = 1 is the stable fixed point; at the edge it is approached only like a
    power of depth), below 1 in the chaotic phase, iterated there from c = 0.5."""
    q = fixed_point(activation, sigma_w2, sigma_b2, options=options)
    if not math.isfinite(q) or q == 0 or chi1(activation, sigma_w2, sigma_b2, q,
                                               options) <= 1 + 1e-6:
        return 1.0
    c = 0.5
    for _ in range(steps):
        new = min(1.0, correlation_map(activation, sigma_w2, sigma_b2, c, q, options))
        if abs(new - c) < 1e-7:
            return new
        c = new
    return c


def chi_c(activation: str, sigma_w2: float, sigma_b2: float, options: tuple = ()) -> float:
    """The slope of the correlation map at c*: sigma_w2 * E[phi'(u_a) phi'(u_b)] there (chi1
    itself where c* = 1)."""
    q = fixed_point(activation, sigma_w2, sigma_b2, options=options)
    c = correlation_fixed_point(activation, sigma_w2, sigma_b2, options)
    if c >= 1 - 1e-6 or not math.isfinite(q) or q == 0:
        return chi1(activation, sigma_w2, sigma_b2, q, options)
    return sigma_w2 * float(_in_float64(_pair_moments(activation, options), q, c)[1])


def depth_scale(activation: str, sigma_w2: float, sigma_b2: float, options: tuple = ()
                ) -> float:
    """xi_c = -1 / ln(chi_c): inf at the edge of chaos (chi_c = 1); NaN where q* is 0 or
    infinite, where the correlation map is its limit's (ReLU without bias: slope 1 at c = 1
    whatever sigma_w2), which this module does not compute.

    >>> round(depth_scale("tanh", 1.5, 0.05), 1), depth_scale("relu", 2.5, 0.0)
    (15.8, nan)
    """
    q = fixed_point(activation, sigma_w2, sigma_b2, options=options)
    if q == 0 or not math.isfinite(q):
        return math.nan
    slope = chi_c(activation, sigma_w2, sigma_b2, options)
    if not math.isfinite(slope) or slope <= 0:
        return 0.0
    if abs(math.log(slope)) < 1e-6:
        return math.inf
    return -1.0 / math.log(slope) if slope < 1 else 1.0 / math.log(slope)


def layer_lengths(activation: str, sigma_w2: float, sigma_b2: float, q1: float, depth: int,
                  options: tuple = ()) -> np.ndarray:
    """q_1 .. q_depth: the length map iterated from the first hidden layer's q_1."""
    lengths = [float(q1)]
    for _ in range(depth - 1):
        lengths.append(length_map(activation, sigma_w2, sigma_b2, lengths[-1], options))
    return np.asarray(lengths)


def predicted_growth(activation: str, sigma_w2: float, sigma_b2: float, q1: float, depth: int,
                     options: tuple = ()) -> dict[str, float]:
    """What the theory predicts for ||dC/db_l|| through ``depth`` square hidden layers.

    The form used: going back from hidden layer l+1 to l, a single input's
    error norm is multiplied by sqrt(chi1(q_l)), with each layer's own q_l
    from the length map started at the data's q_1 (not q*, which a finite
    network may be far from: tanh's q falls like 1/l). ``ratio`` is the
    first/last hidden layer's norm, the product over the depth - 1 steps back;
    ``growth`` its geometric mean per layer (the number the measured slope of
    log10 norm against layer estimates), and ``fitted_growth`` the same from a
    line fitted to the predicted log10 norms of every hidden layer, exactly as
    :func:`actstudy.analysis.gradients.gradient_growth` fits the measured ones;
    ``growth_at_fixed_point`` is sqrt(chi1(q*)), the deep limit.

    >>> round(predicted_growth("relu", 2.0, 0.0, 1.0, 10)["growth"], 6)
    1.0
    """
    lengths = layer_lengths(activation, sigma_w2, sigma_b2, q1, depth, options)
    factors = np.sqrt([chi1(activation, sigma_w2, sigma_b2, q, options) for q in lengths[:-1]])
    with np.errstate(divide="ignore"):
        ratio = float(np.prod(factors)) if len(factors) else 1.0
        growth = float(np.exp(np.mean(np.log(factors)))) if len(factors) else 1.0
        # log10 of each hidden layer's norm relative to the last's, input side first, and the
        # slope a line fitted to them has, as analysis.gradient_growth fits the measured ones.
        norms = np.concatenate([np.cumsum(np.log10(factors)[::-1])[::-1], [0.0]])
    fitted = (10.0 ** -np.polyfit(np.arange(depth), norms, 1)[0]
              if depth > 1 and np.isfinite(norms).all() else math.nan)
    q_star = fixed_point(activation, sigma_w2, sigma_b2, q0=q1, options=options)
    return {"ratio": ratio, "growth": growth, "fitted_growth": float(fitted),
            "growth_at_fixed_point": math.sqrt(chi1(activation, sigma_w2, sigma_b2, q_star,
                                                    options)),
            "q_first": float(lengths[0]), "q_last": float(lengths[-1]), "q_star": q_star}


# sigma_w2 of each named initializer for a layer of fan_in inputs and fan_out outputs: Keras's
# variance-scaling initializers draw Var(W) = scale / n with n the fan-in, the fan-out or
# their mean, so n_in * Var(W) = scale * n_in / n.
_INITIALIZERS = {"he": (2.0, "fan_in"), "lecun": (1.0, "fan_in"), "glorot": (1.0, "fan_avg")}


def sigma_w2(initializer: str, init_scale: float = 1.0, fan_in: int | None = None,
             fan_out: int | None = None) -> float:
    """sigma_w2 = fan_in * Var(W) for a named initializer (normal or uniform: the variance is
    the same), times init_scale**2.

    A square layer: He 2, LeCun 1, Glorot 1. Glorot's is 2 n_in / (n_in + n_out).

    >>> sigma_w2("he_normal"), round(sigma_w2("glorot_uniform", fan_in=784, fan_out=64), 4)
    (2.0, 1.8491)
    """
    family = initializer.split("_")[0]
    if family not in _INITIALIZERS:
        raise ValueError(f"initializer={initializer!r} is not allowed: choose one of "
                         f"{', '.join(k + '_normal/_uniform' for k in _INITIALIZERS)}")
    scale, mode = _INITIALIZERS[family]
    if mode == "fan_avg" and fan_in and fan_out:
        scale *= 2 * fan_in / (fan_in + fan_out)
    return scale * init_scale**2


def input_length(x: np.ndarray, initializer: str, init_scale: float = 1.0,
                 width: int | None = None) -> float:
    """q_1 of the first hidden layer: sigma_w2 of its initializer times E||x||^2 / n_in.

    The first layer sees the data, not N(0, q): its pre-activations' variance
    is Var(W) * E||x||^2 (biases start at 0), with the mean over the inputs.
    """
    n_in = int(np.prod(np.shape(x)[1:]))
    return sigma_w2(initializer, init_scale, n_in, width) * mean_square(x)


def beside_measurement(growth: pd.DataFrame, mean_square_input: float, input_size: int,
                       width: int) -> pd.DataFrame:
    """The measured per-layer growth of each run (:func:`gradient_growth` rows) beside the
    mean-field prediction for its activation, initializer, initial scale and depth.

    The network is the package's MLP at initialisation: biases 0 (sigma_b2 =
    0), hidden layers ``width`` square, the first layer fed the data, whose
    q_1 is its sigma_w2 (fan-in ``input_size``, fan-out ``width``) times
    ``mean_square_input`` = E||x||^2 / n_in (:func:`input_length`). The
    prediction is for one input's error; the measured norm is of the batch's
    summed error, whose cross-input terms follow chi_c instead, so the two
    agree where those terms are small or grow alike (the report says how far
    they do). ``difference`` is log10(measured / predicted growth);
    ``predicted_at_fixed_point`` is sqrt(chi1(q*)) and ``predicted_linear``
    sqrt(chi1(q -> 0)), two simpler rules to compare the prediction with.
    """
    rows = []
    cache: dict[tuple, dict] = {}
    for row in growth.itertuples(index=False):
        initializer = (row.initializer if isinstance(row.initializer, str) and row.initializer
                       else default_initializer(row.activation))  # None or NaN: its own
        key = (row.activation, initializer, float(row.init_scale), int(row.depth))
        if key not in cache:
            first = sigma_w2(initializer, row.init_scale, input_size, width)
            hidden = sigma_w2(initializer, row.init_scale, width, width)
            cache[key] = {"sigma_w2": hidden,
                          **predicted_growth(row.activation, hidden, 0.0,
                                             first * mean_square_input, int(row.depth)),
                          # A null model: the linear regime, chi1 at q -> 0, whatever the data.
                          "growth_linear": math.sqrt(chi1(row.activation, hidden, 0.0, 0.0))}
        found = cache[key]
        rows.append({**row._asdict(), "initializer": initializer,
                     "sigma_w2": found["sigma_w2"], "q_first": found["q_first"],
                     "q_last": found["q_last"], "predicted": found["fitted_growth"],
                     "predicted_at_fixed_point": found["growth_at_fixed_point"],
                     "predicted_linear": found["growth_linear"],
                     "measured": row.growth,
                     "difference": math.log10(row.growth / found["fitted_growth"])
                     if row.growth > 0 and found["fitted_growth"] > 0 else math.nan})
    return pd.DataFrame(rows)


def signal_prediction(activation: str, x: np.ndarray, depth: int, width: int,
                      initializer: str | None = None, init_scale: float = 1.0) -> pd.DataFrame:
    """Each hidden layer's predicted activation mean and standard deviation at initialisation
    in the package's MLP on inputs ``x``: E[phi(u)] and sqrt(E[phi(u)^2] - E[phi(u)]^2) for
    u ~ N(0, q_l), biases 0, ``initializer`` (default: the activation's own).

    SELU with LeCun weights has its fixed point at q* = 1, where the mean is 0
    and the spread 1 (Klambauer et al. 2017).
    """
    initializer = initializer or default_initializer(activation)
    q1 = input_length(x, initializer, init_scale, width)
    hidden = sigma_w2(initializer, init_scale, width, width)
    rows = []
    for layer, q in enumerate(layer_lengths(activation, hidden, 0.0, q1, depth)):
        found = expectation(activation, min(q, Q_CEILING))
        rows.append({"activation": activation, "initializer": initializer,
                     "layer_index": layer, "q": float(q), "act_mean": found["mean"],
                     "act_std": math.sqrt(max(found["phi2"] - found["mean"] ** 2, 0.0))})
    return pd.DataFrame(rows)


def study_beside(study, grid, epoch_steps: int = 1) -> pd.DataFrame:
    """:func:`beside_measurement` for a study's MLP runs (a GridResult): the first
    ``epoch_steps`` steps' measured growth, the data and width from the study's network."""
    config = study.configs()[0]
    x = config.load_dataset().x_train
    growth = gradients.gradient_growth(grid.gradients, epoch_steps=epoch_steps)
    return beside_measurement(growth, mean_square(x), int(np.prod(x.shape[1:])), config.width)


def signal_beside(study, signal: pd.DataFrame, layer: int | None = None) -> pd.DataFrame:
    """Measured mean and spread of one hidden layer's activations at initialisation (mean
    over seeds; ``signal`` is :func:`signal_propagation`'s) beside :func:`signal_prediction`
    for the study's network, per activation; ``layer`` defaults to the last hidden one."""
    config = study.configs()[0]
    x = config.load_dataset().x_train
    layer = config.depth - 1 if layer is None else layer
    start = signal[(signal["epoch"] == 0) & (signal["layer_index"] == layer)]
    measured = start.groupby("activation", sort=False)[["act_mean", "act_std"]].mean()
    rows = []
    for name in measured.index:
        predicted = signal_prediction(name, x, config.depth, config.width).iloc[layer]
        rows.append({"activation": name, "initializer": predicted["initializer"],
                     "layer": layer + 1, "depth": config.depth,
                     "measured_mean": measured.loc[name, "act_mean"],
                     "predicted_mean": predicted["act_mean"],
                     "measured_std": measured.loc[name, "act_std"],
                     "predicted_std": predicted["act_std"]})
    return pd.DataFrame(rows)


def width_signal(activation: str, x: np.ndarray, depth: int, widths=(64, 256, 1024),
                 seeds: int = 3, initializer: str | None = None) -> pd.DataFrame:
    """The last hidden layer's activation mean and spread at initialisation in random
    networks of each width (biases 0, Gaussian weights of the initializer's sigma_w2, the
    inputs ``x``), beside :func:`signal_prediction`: where a measured network parts from the
    infinitely wide prediction, a gap that closes as the width grows is the finite width's.

    A plain forward pass in NumPy (float64), not a trained run: only the initialisation is
    in question. The activation is the registry's (JAX), evaluated on NumPy arrays.
    """
    initializer = initializer or default_initializer(activation)
    phi = activations.function(activation)
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    rows = []
    for width in widths:
        predicted = signal_prediction(activation, x, depth, width, initializer).iloc[-1]
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            h = x
            for _ in range(depth):
                fan_in = h.shape[1]
                w2 = sigma_w2(initializer, 1.0, fan_in, width)
                h = np.asarray(phi(jnp.asarray(h @ (rng.standard_normal((fan_in, width))
                                                    * math.sqrt(w2 / fan_in)),
                                               jnp.float32)), dtype=np.float64)
            rows.append({"activation": activation, "width": width, "seed": seed,
                         "act_mean": float(h.mean()), "act_std": float(h.std()),
                         "predicted_mean": predicted["act_mean"],
                         "predicted_std": predicted["act_std"]})
    return pd.DataFrame(rows)


def mean_square(x: np.ndarray) -> float:
    """E||x||^2 / n_in over the rows of ``x`` (any shape per row)."""
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    return float(np.mean(np.sum(x**2, axis=1)) / x.shape[1])


def studied_marks(names, scaled: pd.DataFrame | None = None) -> pd.DataFrame:
    """The settings a phase map marks: LeCun and Glorot (sigma_w2 = 1) and He (2) for every
    activation in ``names``, and each activation of ``scaled`` (:func:`beside_measurement`
    rows of a study of initial scales) at its largest scale, with biases at 0."""
    marks = [{"activation": name, "sigma_w2": w, "sigma_b2": 0.0, "label": label}
             for name in names for w, label in ((1.0, "LeCun, Glorot"), (2.0, "He"))]
    if scaled is not None and len(scaled):
        largest = scaled[scaled["init_scale"] == scaled["init_scale"].max()]
        for name, scale in largest[["activation", "init_scale"]].drop_duplicates().itertuples(
                index=False):
            marks.append({"activation": name, "sigma_b2": 0.0, "label": f"{scale:g}x",
                          "sigma_w2": sigma_w2(default_initializer(name), scale)})
    return pd.DataFrame(marks)


def phase_map(names, sigma_w2_values, sigma_b2_values) -> pd.DataFrame:
    """chi1 at q* over a grid of (sigma_w2, sigma_b2), one row per activation and point."""
    rows = []
    for name in names:
        for w in sigma_w2_values:
            for b in sigma_b2_values:
                q = fixed_point(name, float(w), float(b))
                rows.append({"activation": name, "sigma_w2": float(w), "sigma_b2": float(b),
                             "q_star": q, "chi1": chi1(name, float(w), float(b), q)})
    return pd.DataFrame(rows)
