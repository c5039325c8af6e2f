"""An activation's properties measured by sampling the function itself.

:func:`measure_properties` is what :func:`actstudy.run.activations.register` measures
of an activation of your own, and what the tests hold the built-ins' declared
metadata against.
"""

from __future__ import annotations

import math
from math import inf

import jax
import jax.numpy as jnp
import numpy as np

# -- measuring properties ----------------------------------------------------------------------

_GRID = np.linspace(-6, 6, 24001, dtype=np.float32)  # step 5e-4, includes 0


_WIDE = np.union1d(_GRID, np.linspace(-1e5, 1e5, 20001, dtype=np.float32))  # sorted


_NEAR = np.abs(_WIDE) <= 100


_GROWING = 1.0  # an end is infinite if the extreme moves this far from |x| <= 100 to 1e5


def _outputs(function, x: np.ndarray) -> np.ndarray:
    y = np.asarray(function(jnp.asarray(x)), dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"it must act elementwise, but inputs of shape {x.shape} gave outputs "
                         f"of shape {y.shape}")
    return y


def _slopes(function, x) -> np.ndarray:
    x = jnp.asarray(x, dtype=jnp.float32)
    try:
        return np.asarray(jax.jvp(function, (x,), (jnp.ones_like(x),))[1])
    except jax.errors.JAXTypeError as error:
        raise ValueError("JAX cannot differentiate it; write it with keras.ops or jax.numpy, "
                         f"not NumPy ({type(error).__name__})") from error


def _never_falls(y: np.ndarray, tolerance) -> bool:
    with np.errstate(invalid="ignore"):
        steps = np.diff(y)
    steps[np.isnan(steps)] = 0.0  # inf - inf: an overflowed output that stays overflowed
    return bool(np.all(steps >= -tolerance))


def measure_properties(function) -> dict:
    """Measure an activation's properties by sampling the function itself.

    Parameters
    ----------
    function : callable
        ``x -> f(x)``, elementwise, written with ``keras.ops`` or ``jax.numpy``
        (JAX differentiates it). For a learnable activation pass
        ``function(name)``: the activation at its initial parameters.

    Returns
    -------
    dict
        ``output_range`` : (float, float)
            The lowest and highest output on two grids, [-6, 6] in steps of
            5e-4 and [-1e5, 1e5] in steps of 10. An end is -inf or inf where
            the function keeps growing: its extreme over ``|x| <= 1e5`` lies
            more than 1.0 beyond its extreme over ``|x| <= 100``.
        ``bounded_below``, ``bounded_above`` : bool
            Whether that end of ``output_range`` is finite.
        ``sampled_range`` : (float, float)
            The lowest and highest output sampled, also where an end is infinite.
        ``monotonic`` : bool
            Non-decreasing, or non-increasing, on both grids, allowing float32
            rounding: steps back of 1e-6 on [-6, 6], 1e-6 relative on the wide grid.
        ``smooth`` : bool
            Continuously differentiable, judged on [-6, 6]: between neighbouring
            points (step h) the function changes by less than
            ``10 h (max|f'| + 1)`` and its derivative by less than
            ``0.05 max(1, max|f'|)``. A C1 function changes by O(h); a step or
            a kink by O(1).
        ``zero_centred`` : bool
            The mean output for 400,000 standard-normal inputs (seed 0) is
            within 0.05 of zero.
        ``saturating`` : bool
            ``|f'(-50)|`` and ``|f'(50)|`` are both below 1e-3.

    Raises
    ------
    ValueError
        If the function does not give one finite output per input on [-6, 6],
        gives NaN on the wide grid, or cannot be differentiated by JAX.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> measured = measure_properties(jnp.sin)
    >>> measured["bounded_above"], measured["monotonic"], measured["saturating"]
    (True, False, False)
    """
    grid_y = _outputs(function, _GRID)
    if not np.all(np.isfinite(grid_y)):
        at = _GRID[~np.isfinite(grid_y)][0]
        raise ValueError(f"it gave {grid_y[_GRID == at][0]} at x = {at}; an activation must "
                         "give a finite output for every input in [-6, 6]")
    wide_y = _outputs(function, _WIDE)
    if np.any(np.isnan(wide_y)):
        raise ValueError(f"it gave NaN at x = {_WIDE[np.isnan(wide_y)][0]:g}; an activation "
                         "must give a number (or an overflowing inf) for every input")

    low, high = float(wide_y.min()), float(wide_y.max())
    bounded_below = math.isfinite(low) and low >= wide_y[_NEAR].min() - _GROWING
    bounded_above = math.isfinite(high) and high <= wide_y[_NEAR].max() + _GROWING

    wide_tolerance = 1e-6 * np.maximum(1.0, np.maximum(np.abs(wide_y[:-1]), np.abs(wide_y[1:])))
    rising = _never_falls(grid_y, 1e-6) and _never_falls(wide_y, wide_tolerance)
    falling = _never_falls(-grid_y, 1e-6) and _never_falls(-wide_y, wide_tolerance)

    slopes = _slopes(function, _GRID).astype(np.float64)
    step = float(_GRID[1] - _GRID[0])
    steepest = float(np.max(np.abs(slopes)))
    smooth = bool(np.all(np.isfinite(slopes))
                  and np.max(np.abs(np.diff(grid_y))) < 10 * step * (steepest + 1)
                  and np.max(np.abs(np.diff(slopes))) < 0.05 * max(1.0, steepest))

    normal = np.random.default_rng(0).standard_normal(400_000).astype(np.float32)
    mean = float(np.mean(_outputs(function, normal)))
    tails = _slopes(function, np.array([-50.0, 50.0], np.float32))

    return {
        "output_range": (low if bounded_below else -inf, high if bounded_above else inf),
        "bounded_below": bool(bounded_below),
        "bounded_above": bool(bounded_above),
        "sampled_range": (low, high),
        "monotonic": rising or falling,
        "smooth": smooth,
        "zero_centred": abs(mean) < 0.05,
        "saturating": bool(np.all(np.abs(tails) < 1e-3)),
    }
