"""Tables for people: every table a report shows is written by these helpers.

The conventions (``../shared/DESIGN.md``), in one place:

- an estimate with its 95% interval reads ``0.951 [0.947, 0.955]``, at the
  precision the interval justifies: the half-width's first significant digit
  sets the decimals of all three numbers (:func:`interval`);
- a ratio reads ``327×``, a difference in percentage points ``+0.4 pp``
  (:func:`number`); a quantity spanning orders of magnitude (an MSE) is written
  in scientific notation with two significant digits;
- rows are sorted by the result, not by name (:func:`show`'s ``sort_by``);
  identical functions and ties are marked where activations are ranked
  (:func:`actstudy.analysis.rank_table`);
- no cell is empty or NaN without a reason printed under the table
  (:func:`show`'s ``missing``), and no float reaches the page unformatted.

>>> from actstudy import tables
>>> tables.interval(0.9512, 0.9471, 0.9553)
'0.951 [0.947, 0.955]'
>>> tables.number(327.4, "x"), tables.number(0.41, "pp", decimals=1)
('327×', '+0.4 pp')
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# The units a value is written in. A ratio ("x") is written with three significant digits.
UNITS = {"x": "×", "pp": " pp", "%": "%", "epochs": " epochs", "steps": " steps", "": ""}
# A difference has a sign; a level (a percentage, a plain value) does not.
SIGNED = ("pp", "epochs", "steps")


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unit={unit!r} is not allowed: choose one of "
                         f"{', '.join(map(repr, UNITS))}")


def precision(half_widths) -> int:
    """Decimals at which an interval's half-width shows its first significant digit.

    Several half-widths (a table column) give one precision for the column:
    the median's. No finite positive half-width gives 3.

    >>> precision([0.004]), precision([0.4, 0.3]), precision([])
    (3, 1, 3)
    """
    finite = np.asarray(half_widths, dtype=float).ravel()
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if not len(finite):
        return 3
    return int(np.clip(-np.floor(np.log10(np.median(finite))), 0, 6))


def number(value: float, unit: str = "", decimals: int | None = None,
           scientific: bool = False) -> str:
    """One value in its unit: ``"327×"``, ``"+0.4 pp"``, ``"95.1%"``, ``"3.2e-04"``.

    ``decimals`` sets the precision of additive units (by default three
    significant digits); ratios always get three significant digits.
    """
    _check_unit(unit)
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "x":
        return f"{value:.3g}×" if 1e-3 <= abs(value) < 1e5 else f"{value:.1e}×"
    if scientific:
        return f"{value:.1e}"
    sign = "+" if unit in SIGNED else ""
    text = f"{value:{sign}.{decimals}f}" if decimals is not None else f"{value:{sign}.3g}"
    return text + UNITS[unit]


def interval(mean: float, low: float, high: float, unit: str = "", decimals: int | None = None,
             n: int | None = None, scientific: bool = False) -> str:
    """``"0.951 [0.947, 0.955]"``: an estimate and its interval, the unit written once.

    The precision follows the half-width (:func:`precision`) unless ``decimals``
    is given. An interval of width 0 over several seeds reads "(same on every
    seed)"; a missing one says how many seeds there were.

    >>> interval(0.41, 0.38, 0.44, "pp"), interval(100.0, 31.6, 316.0, "x")
    ('+0.41 [+0.38, +0.44] pp', '100× [31.6×, 316×]')
    >>> interval(1.0, 1.0, 1.0, n=5)
    '1.00 (same on every seed)'

    Bounds that differ only by floating-point rounding (the same value summed in
    another order) are the same: 0.227553 over five seeds reads as one value.

    >>> interval(0.2275531, 0.2275530999999998, 0.2275531000000002, n=5)
    '0.23 (same on every seed)'
    """
    _check_unit(unit)
    if mean is None or not math.isfinite(mean):
        return "n/a"
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        seeds = f"n = {n}: " if n is not None else ""
        return f"{number(mean, unit, decimals, scientific)} ({seeds}no interval)"
    if math.isclose(high, low, rel_tol=1e-9, abs_tol=1e-15) and unit != "x" and not scientific:
        return f"{number(mean, unit, 2 if decimals is None else decimals)} (same on every seed)"
    if decimals is None and unit != "x" and not scientific:
        decimals = precision([(high - low) / 2])
    texts = [number(v, unit, decimals, scientific) for v in (mean, low, high)]
    suffix = UNITS[unit]
    if unit in ("x", ""):
        return f"{texts[0]} [{texts[1]}, {texts[2]}]"
    texts = [t.removesuffix(suffix) for t in texts]
    return f"{texts[0]} [{texts[1]}, {texts[2]}]{suffix}"


def intervals(frame: pd.DataFrame, unit: str = "", scale: float = 1.0,
              scientific: bool = False) -> list[str]:
    """:func:`interval` per row of a frame with ``mean``, ``ci_low``, ``ci_high`` (and ``seeds``
    or ``n``), at one precision for the whole column."""
    mean, low, high = (frame[c].astype(float).to_numpy() * scale
                       for c in ("mean", "ci_low", "ci_high"))
    counts = frame["seeds"] if "seeds" in frame else frame.get("n", pd.Series([None] * len(frame)))
    places = None if unit == "x" or scientific else precision((high - low) / 2)
    return [interval(m, lo, hi, unit, places, n, scientific)
            for m, lo, hi, n in zip(mean, low, high, counts, strict=True)]


def show(frame: pd.DataFrame, sort_by: str | None = None, ascending: bool = True,
         missing: str | dict[str, str] | None = None, caption: str | None = None):
    """The table as a report shows it: a pandas ``Styler`` without the index.

    ``sort_by`` orders the rows by a column (the result, not a name);
    a column of that name starting with an underscore is used for sorting
    and not shown. Floats left unformatted are written with three
    significant digits. Empty cells need a reason: ``missing`` (one text,
    or one per column) is printed under the table and the cells read "—";
    a table with empty cells and no reason is an error naming the column.
    """
    table = frame.copy()
    if sort_by is not None:
        if sort_by not in table:
            raise ValueError(f"sort_by={sort_by!r} is not allowed: choose one of the table's "
                             f"columns ({', '.join(map(str, table.columns))})")
        table = table.sort_values(sort_by, ascending=ascending, kind="stable")
    table = table[[c for c in table.columns if not str(c).startswith("_")]]
    notes = []
    for column in table.columns:
        empty = table[column].isna()
        if not empty.any():
            continue
        reason = missing.get(column) if isinstance(missing, dict) else missing
        if reason is None:
            raise ValueError(f"column {column!r} has {int(empty.sum())} empty cells: say why "
                             "with missing='...'")
        table[column] = table[column].astype(object).where(~empty, "—")
        if reason not in notes:
            notes.append(reason)
    styler = table.style.hide(axis="index")
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    if floats:
        styler = styler.format("{:.3g}", subset=floats)
    text = " ".join(filter(None, [caption, *(f"—: {note}." for note in notes)]))
    if text:
        styler = styler.set_caption(text).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; text-align: left; "
                                              "font-size: 0.9em; color: #555;"}])
    return styler
