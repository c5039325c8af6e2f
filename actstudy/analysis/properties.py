"""The registry as numbers for people: the property table and the activations that compute the same function.
"""

from __future__ import annotations

import math
from math import inf

import numpy as np
import pandas as pd

from actstudy.run.activations import REGISTRY, function, names, spec
from actstudy.run.properties import _outputs

__all__ = ["NEAR_TOLERANCE", "equivalent_pairs", "equivalence_notes", "property_table"]


# Where equivalent_pairs compares activations: [-10, 10] in steps of 1e-4, in float32 as the
# networks compute. Beyond it every built-in is linear, constant or exponentially close to one.
_COMPARE_GRID = np.linspace(-10.0, 10.0, 200_001, dtype=np.float32)


# Outputs equal up to float32 rounding: within this many float32 epsilons of max(1, |f(x)|).
_SAME_EPSILONS = 4


NEAR_TOLERANCE = 5e-4  # GELU and its tanh approximation differ by at most 4.7e-4 on the grid


def equivalent_pairs(names, tolerance: float = NEAR_TOLERANCE) -> pd.DataFrame:
    """Pairs of activations that compute the same function, or functions within ``tolerance``.

    Each pair is compared on [-10, 10] in steps of 1e-4, in float32. A pair is
    ``"identical"`` when at every point the outputs differ by at most four
    float32 epsilons of ``max(1, |f(x)|)``, i.e. by rounding alone (CELU with
    alpha = 1 is ELU); ``"near"`` when they differ by less than ``tolerance``
    at every point but not by rounding alone (GELU and its tanh approximation
    differ by at most 4.7e-4). Such activations train to results that seeds
    cannot tell apart, so rankings should say so rather than order them.
    Learnable activations are left out: they are functions of their trained
    parameters, not of the name alone.

    Parameters
    ----------
    names : list of str
        Activation names, aliases or import paths (see :func:`spec`).
    tolerance : float
        The largest absolute difference, anywhere on the grid, of a ``"near"`` pair.

    Returns
    -------
    pandas.DataFrame
        One row per pair found, in the order of ``names``: ``first``, ``second``
        (as given), ``relation`` (``"identical"`` or ``"near"``) and
        ``max_difference``, the largest absolute difference on the grid.

    Examples
    --------
    >>> pairs = equivalent_pairs(["elu", "celu", "gelu", "gelu_tanh", "relu"])
    >>> pairs[["first", "second", "relation"]].values.tolist()
    [['elu', 'celu', 'identical'], ['gelu', 'gelu_tanh', 'near']]
    """
    if isinstance(names, str) or not isinstance(names, list | tuple):
        raise ValueError(f"names={names!r} is not allowed: give a list of activation names")
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not (
            math.isfinite(tolerance) and tolerance > 0):
        raise ValueError(f"tolerance={tolerance!r} is not allowed: must be a finite number > 0")
    outputs = {}
    for name in names:
        entry = spec(name)  # an unknown name raises, naming it
        if entry.learnable or entry.output_only:
            continue
        outputs[name] = _outputs(function(name), _COMPARE_GRID)
    rows = []
    given = list(outputs)
    for i, first in enumerate(given):
        for second in given[i + 1:]:
            f, g = outputs[first], outputs[second]
            with np.errstate(invalid="ignore"):  # inf - inf where both overflow alike
                difference = np.abs(f - g)
            difference[(f == g)] = 0.0
            if np.isnan(difference).any():
                continue
            rounding = _SAME_EPSILONS * np.finfo(np.float32).eps * np.maximum(1.0, np.abs(f))
            if np.all(difference <= rounding):
                relation = "identical"
            elif difference.max() < tolerance:
                relation = "near"
            else:
                continue
            rows.append({"first": first, "second": second, "relation": relation,
                         "max_difference": float(difference.max())})
    return pd.DataFrame(rows, columns=["first", "second", "relation", "max_difference"])


def equivalence_notes(names, tolerance: float = NEAR_TOLERANCE) -> dict[str, str]:
    """A note for each activation that has an identical or near twin among ``names``.

    For tables that rank activations: ``{"celu": "same function as elu",
    "gelu_tanh": "within 5e-4 of gelu everywhere", ...}``, both members of each
    pair noted; several twins are joined with "; ". See :func:`equivalent_pairs`.

    >>> equivalence_notes(["elu", "celu", "relu"])
    {'elu': 'same function as celu', 'celu': 'same function as elu'}
    """
    notes: dict[str, list[str]] = {}
    for pair in equivalent_pairs(names, tolerance).itertuples(index=False):
        for this, other in ((pair.first, pair.second), (pair.second, pair.first)):
            text = (f"same function as {other}" if pair.relation == "identical"
                    else f"within {tolerance:g} of {other} everywhere")
            notes.setdefault(this, []).append(text)
    return {name: "; ".join(texts) for name, texts in notes.items()}


def _range(low: float, high: float) -> str:
    left = "(-∞" if low == -inf else f"[{low:.3g}"
    right = "∞)" if high == inf else f"{high:.3g}]"
    return f"{left}, {right}"


def property_table() -> pd.DataFrame:
    """The registry as a table, one row per activation (output-only ones last)."""
    rows = []
    for name in names(include_output_only=True):
        s = REGISTRY[name]
        params = (f"{s.parameters} per unit" if s.per_unit else f"{s.parameters} per layer"
                  ) if s.parameters else "0"
        rows.append({
            "name": s.name, "aliases": ", ".join(s.aliases), "family": s.family,
            "range": _range(*s.output_range), "monotonic": s.monotonic, "smooth": s.smooth,
            "zero_centred": s.zero_centred, "bounded_above": s.bounded_above,
            "bounded_below": s.bounded_below, "saturating": s.saturating, "parameters": params,
            "year": s.year, "reference": s.reference, "formula": s.formula,
            "output_only": s.output_only,
        })
    table = pd.DataFrame(rows)
    table["year"] = table["year"].astype("Int64")  # a registered activation may have none
    return table
