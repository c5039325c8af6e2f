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
  (:func:`actstudy.present.tables.rank_table`);
- no cell is empty or NaN without a reason printed under the table
  (:func:`show`'s ``missing``), and no float reaches the page unformatted.

>>> from actstudy.present import tables
>>> interval(0.9512, 0.9471, 0.9553)
'0.951 [0.947, 0.955]'
>>> number(327.4, "x"), number(0.41, "pp", decimals=1)
('327×', '+0.4 pp')
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.analysis import properties
from actstudy.analysis.arithmetic import _log_interval
from actstudy.analysis.convergence import last_epoch, time_to_target
from actstudy.analysis.gradients import dead_units
from actstudy.analysis.rankings import ranking
from actstudy.run import activations

# The units a value is written in. A ratio ("x") is written with three significant digits.
# Verdict colours, for the verdict table and every figure that marks verdicts.
VERDICT_COLOURS = {"supported": "#1b7837", "contradicted": "#b2182b", "undecided": "#737373"}
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
           scientific: bool = False, keep_zeros: bool = False) -> str:
    """One value in its unit: ``"327×"``, ``"+0.4 pp"``, ``"95.1%"``, ``"3.2e-04"``.

    ``decimals`` sets the precision of additive units (by default three
    significant digits); ratios always get three significant digits.
    """
    _check_unit(unit)
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "x":
        return (_significant(value, keep_zeros=keep_zeros) + "×" if 1e-3 <= abs(value) < 1e6
                else f"{value:.1e}×")
    if scientific and not 0.01 <= abs(float(f"{value:.1e}")) <= 1000:  # as it would read
        return f"{value:.1e}"
    if scientific:
        return _significant(value, keep_zeros=keep_zeros)
    sign = "+" if unit in SIGNED else ""
    text = f"{value:{sign}.{decimals}f}" if decimals is not None else _significant(value, sign)
    if text.startswith("-") and float(text.replace(",", "")) == 0:  # "-0.0" is 0.0
        text = text[1:]
    return text + UNITS[unit]


def _significant(value: float, sign: str = "", keep_zeros: bool = False) -> str:
    """Three significant digits without scientific notation from 1000 up to a million.

    ``keep_zeros`` keeps trailing zeros, so an interval's three numbers read alike.

    >>> _significant(2381.6), _significant(999.7), _significant(0.01234, "+")
    ('2,380', '1,000', '+0.0123')
    >>> _significant(2.3), _significant(2.3, keep_zeros=True), _significant(100.0, keep_zeros=True)
    ('2.3', '2.30', '100')
    """
    if 999.5 <= abs(value) < 1e6:
        return f"{float(f'{value:.3g}'):{sign},.0f}"
    return f"{value:{sign}#.3g}".rstrip(".") if keep_zeros else f"{value:{sign}.3g}"


def interval(mean: float, low: float, high: float, unit: str = "", decimals: int | None = None,
             n: int | None = None, scientific: bool = False,
             bounds: tuple[float, float] | None = None) -> str:
    """``"0.951 [0.947, 0.955]"``: an estimate and its interval, the unit written once.

    The precision follows the half-width (:func:`precision`) unless ``decimals``
    is given. An interval of width 0 over several seeds reads "(same on every
    seed)"; a missing one says how many seeds there were.

    >>> interval(0.41, 0.38, 0.44, "pp"), interval(1.003, 0.999, 1.0101, "x")
    ('+0.41 [+0.38, +0.44] pp', '1.003× [0.999×, 1.010×]')
    >>> interval(1.0, 1.0, 1.0, n=5)
    '1.00 (same on every seed)'

    Bounds that differ only by floating-point rounding (the same value summed in
    another order) are the same: 0.227553 over five seeds reads as one value.

    >>> interval(0.2275531, 0.2275530999999998, 0.2275531000000002, n=5)
    '0.23 (same on every seed)'

    An interval never leaves the values its quantity can take: ``bounds`` (a
    share's [0, 1]; by default [0, 100] for a level in %, and above 0 for a
    ratio) cut it there. The cut interval covers the true value exactly as
    often as the uncut one, since the true value lies within the bounds.

    >>> interval(0.995, 0.986, 1.003, bounds=(0, 1)), interval(6.0, -3.0, 16.0, "%")
    ('0.995 [0.986, 1.000]', '6 [0, 16]%')
    """
    _check_unit(unit)
    bounds = bounds or {"%": (0.0, 100.0), "x": (0.0, math.inf)}.get(unit)
    if bounds is not None and low is not None and high is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    if mean is None or not math.isfinite(mean):
        return "n/a"
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        seeds = f"n = {n}: " if n is not None else ""
        return f"{number(mean, unit, decimals, scientific)} ({seeds}no interval)"
    if math.isclose(high, low, rel_tol=1e-9, abs_tol=1e-15) and unit != "x" and not scientific:
        return f"{number(mean, unit, 2 if decimals is None else decimals)} (same on every seed)"
    if decimals is None and unit != "x" and not scientific:
        decimals = precision([(high - low) / 2])
    elif decimals is not None and round(low, decimals) == round(high, decimals):
        decimals = max(decimals, precision([(high - low) / 2]))  # "0.00 [0.00, 0.00]" says nothing
    texts = [number(v, unit, decimals, scientific, keep_zeros=True) for v in (mean, low, high)]
    if unit == "x" and decimals is None and high > low and 0.01 <= low and high < min(
            1e6, 2 * low):
        # a narrow ratio interval's three numbers at one precision, as any other interval's (a
        # wide one keeps three significant digits each: 25.2× [14.9×, 42.7×], not 25× [15×, 43×])
        places = precision([(high - low) / 2])
        texts = [f"{v:,.{places}f}×" for v in (mean, low, high)]
    suffix = UNITS[unit]
    if unit in ("x", ""):
        return f"{texts[0]} [{texts[1]}, {texts[2]}]"
    texts = [t.removesuffix(suffix) for t in texts]
    return f"{texts[0]} [{texts[1]}, {texts[2]}]{suffix}"


def intervals(frame: pd.DataFrame, unit: str = "", scale: float = 1.0,
              scientific: bool = False, bounds: tuple[float, float] | None = None) -> list[str]:
    """:func:`interval` per row of a frame with ``mean``, ``ci_low``, ``ci_high`` (and ``seeds``
    or ``n``), at one precision for the whole column, within ``bounds`` (after ``scale``)."""
    mean, low, high = (frame[c].astype(float).to_numpy() * scale
                       for c in ("mean", "ci_low", "ci_high"))
    counts = frame["seeds"] if "seeds" in frame else frame.get("n", pd.Series([None] * len(frame)))
    places = None if unit == "x" or scientific else precision((high - low) / 2)
    return [interval(m, lo, hi, unit, places, n, scientific, bounds)
            for m, lo, hi, n in zip(mean, low, high, counts, strict=True)]


def bounds_for(name: str, scale: float = 1.0) -> tuple[float, float] | None:
    """The values a quantity can take, from its column's name: a share (an accuracy, a
    fraction of units) lies in [0, ``scale``], a loss or an error is at least 0.

    >>> bounds_for("test_accuracy"), bounds_for("dead units %"), bounds_for("test MSE")
    ((0.0, 1.0), (0.0, 100), (0.0, inf))
    >>> bounds_for("accuracy − relu (pp)"), bounds_for("error signal growth (log10)")
    (None, None)
    """
    name = name.lower()
    if "|" in name:  # an absolute value: |slope|, |W|
        return 0.0, math.inf
    if any(word in name for word in ("pp", "−", " - ", "difference", "gain", "change", "log",
                                     "growth", "slope", "signal")):
        return None  # a difference, a change or a logarithm can take either sign
    scale = 100 if "%" in name else scale  # "test accuracy %": in percent
    if any(word in name for word in ("accuracy", "fraction", "share", "units %", "success")):
        return 0.0, scale
    if any(word in name for word in ("loss", "mse", "error", "norm", "seconds", "|",
                                     "distance")):
        return 0.0, math.inf
    return None


def show(frame: pd.DataFrame, sort_by: str | None = None, ascending: bool = True,
         missing: str | dict[str, str] | None = None, caption: str | None = None,
         markup: bool = False):
    """The table as a report shows it: a pandas ``Styler`` without the index.

    ``sort_by`` orders the rows by a column (the result, not a name);
    a column of that name starting with an underscore is used for sorting
    and not shown. Floats left unformatted are written with three
    significant digits. Empty cells need a reason: ``missing`` (one text,
    or one per column) is printed under the table and the cells read "—";
    a table with empty cells and no reason is an error naming the column.
    Every cell's text is escaped, so what a cell holds is shown, never run;
    ``markup=True`` opts out, for a table whose every cell is the package's own HTML.
    """
    table = _with_row_labels(frame)
    if sort_by is not None:
        if sort_by not in table:
            raise ValueError(f"sort_by={sort_by!r} is not allowed: choose one of the table's "
                             f"columns ({', '.join(map(str, table.columns))})")
        table = table.sort_values(sort_by, ascending=ascending, kind="stable")
    table = table[[c for c in table.columns if not str(c).startswith("_")]]
    # A column with nothing in any row says nothing; it goes (a "note" column no row needed).
    table = table[[c for c in table.columns
                   if not table[c].astype(str).str.strip().eq("").all() or table.empty]]
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
    # Cell text is escaped: a user's activation brings its own name and reference, and a shared
    # report must not run what they hold.
    escape = None if markup else "html"
    styler = table.style.hide(axis="index").format(escape=escape).format_index(
        escape=escape, axis=1)
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    if floats:
        styler = styler.format("{:.3g}", subset=floats, escape=escape)
    text = " ".join(filter(None, [caption, *(f"—: {note}." for note in notes)]))
    if text and not markup:
        text = html.escape(text)
    if text:
        styler = styler.set_caption(text).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; text-align: left; "
                                              "font-size: 0.9em; color: #555;"}])
    return styler


def _with_row_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose row labels are columns: the page hides pandas' index, so an
    index that names the rows (an activation, a depth) would otherwise vanish from the table.

    >>> _with_row_labels(pd.DataFrame({"rank": [1, 2]}, index=pd.Index(["relu", "elu"],
    ...                  name="activation"))).columns.tolist()
    ['activation', 'rank']
    >>> _with_row_labels(pd.DataFrame({"rank": [1, 2]}).iloc[[1]]).columns.tolist()
    ['rank']
    """
    index = frame.index
    if index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index):
        return frame.reset_index(drop=True)  # positions (a filtered frame's), not labels
    names = [name or ("" if index.nlevels == 1 else f"level {i}")
             for i, name in enumerate(index.names)]
    return frame.rename_axis(names).reset_index()


def speed_table(history: pd.DataFrame, summary: pd.DataFrame, targets: dict[str, float]
                ) -> pd.DataFrame:
    """Epochs and seconds to each dataset's target validation accuracy, written for people.

    One row per dataset and activation: the target, how many seeds reached it,
    the epochs and seconds to it over the seeds that did (mean with a 95%
    t-interval; epochs are whole, so the interval is widened by half an epoch
    each side), and the median seconds per epoch. An activation that no seed
    brought to the target says so ("never in 6 epochs") instead of a blank;
    one whose runs trained in a program shared with other activations has no
    seconds of its own, and its seconds columns say "shared program".
    Rows are sorted by dataset, then by epochs to target (never reached last).
    """
    rows = []
    for dataset, part in history.groupby("dataset", sort=False):
        target = targets[dataset]
        reach = time_to_target(part, target)
        epochs = int(part["epoch"].max())
        for activation, runs in reach.groupby("activation", sort=False):
            reached = runs[runs["reached"]]
            epoch_interval = stats.mean_ci(reached["epochs_to_target"], resolution=1.0)
            second_interval = stats.mean_ci(reached["seconds_to_target"])
            never = f"never in {epochs} epochs"
            per_epoch = summary[(summary["dataset"] == dataset)
                                & (summary["activation"] == activation)]["seconds_per_epoch"]
            shared = per_epoch.isna().all() and runs["seconds_to_target"].isna().all()
            rows.append({
                "dataset": dataset, "activation": activation, "target": f"{target:.0%}",
                "seeds that reached it": f"{len(reached)} of {len(runs)}",
                "epochs to target [95% CI]": (interval(
                    epoch_interval.mean, epoch_interval.low, epoch_interval.high,
                    n=epoch_interval.n, decimals=1) if len(reached) else never),
                "seconds to target [95% CI]": (
                    never if not len(reached) else "shared program" if shared else interval(
                        second_interval.mean, second_interval.low, second_interval.high,
                        n=second_interval.n)),
                "seconds per epoch": ("shared program" if shared
                                      else number(float(per_epoch.median()))),
                "_order": (epoch_interval.mean if len(reached) else np.inf,
                           -len(reached)),
            })
    table = pd.DataFrame(rows)
    order = {d: i for i, d in enumerate(dict.fromkeys(table["dataset"]))}
    table["_order"] = [(order[d], *o) for d, o in zip(table["dataset"], table["_order"],
                                                        strict=True)]
    return table.sort_values("_order", kind="stable").reset_index(drop=True)


def initializer_table(summary: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """Per activation and initializer: test accuracy over seeds and the gradient growth at the start.

    ``accuracy`` is the mean test accuracy with a 95% t-interval over seeds
    (``accuracy_low``, ``accuracy_high``; ``seeds`` runs with a finite
    accuracy, ``diverged`` runs without). ``slope`` is the median over seeds of
    :func:`gradient_growth`'s slope, from ``gradient_growth(gradients,
    epoch_steps=1)`` for the first step, where only the activation and the
    initializer decide it: log10 of the factor by which the error signal
    grows per layer on its way back (0: every layer learns alike). Rows keep
    the order in which the runs name activations and initializers.

    >>> summary = pd.DataFrame({"dataset": "mnist", "depth": 10, "activation": "relu",
    ...     "initializer": "he_normal", "seed": [0, 1], "test_accuracy": [0.95, 0.97],
    ...     "diverged": False})
    >>> growth = summary[["dataset", "depth", "activation", "initializer"]].assign(slope=[0.1, 0.3])
    >>> initializer_table(summary, growth)[["accuracy", "seeds", "slope"]].values.tolist()
    [[0.96, 2.0, 0.2]]
    """
    keys = ["dataset", "depth", "activation", "initializer"]
    table = stats.summarise(summary, keys, "test_accuracy").rename(columns={
        "mean": "accuracy", "ci_low": "accuracy_low", "ci_high": "accuracy_high", "n": "seeds"})
    diverged = summary.groupby(keys, sort=False)["diverged"].sum().rename("diverged")
    slopes = growth.groupby(keys, sort=False)["slope"].median()
    return (table.merge(diverged.astype(int).reset_index(), on=keys, how="left")
            .merge(slopes.reset_index(), on=keys, how="left"))


def ratio_table(frame: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Geometric mean of a positive ratio per group with a 95% t-interval on its log10.

    Ratios of gradient norms span orders of magnitude and are skewed: their
    logs are roughly normal over seeds, so the interval is Student's t on
    log10 and is shown back as ratios, "3.2e-04 [1.1e-04, 9.0e-04]".
    """
    rows = []
    for group, part in frame.groupby(by, sort=True):
        with np.errstate(divide="ignore", invalid="ignore"):
            ci = stats.mean_ci(np.log10(part[value].to_numpy(dtype=float)))
        group = group if isinstance(group, tuple) else (group,)
        text = interval(*(10.0 ** v for v in (ci.mean, ci.low, ci.high)),
                               n=ci.n, scientific=True)
        rows.append({**dict(zip(by, group, strict=True)), value: text, "seeds": ci.n})
    return pd.DataFrame(rows)


def geometric_table(frame: pd.DataFrame, columns: dict[str, str], by: str = "activation",
                    reference: float | None = None, reference_label: str = "") -> pd.DataFrame:
    """Per activation: each positive, skewed quantity (an MSE) as a geometric mean over seeds
    with its 95% t-interval on log10, written for people and sorted by the first one.

    ``columns`` maps a column to its heading. With ``reference`` (e.g. the
    least-squares line's MSE), a column ``reference_label`` says how many times
    lower the first quantity is ("327×"). A note names identical and
    near-identical functions, which no seed count can separate.
    """
    rows = []
    for name, part in frame.groupby(by, sort=False):
        row = {by: name}
        for column, heading in columns.items():
            with np.errstate(divide="ignore", invalid="ignore"):
                ci = stats.mean_ci(np.log10(part[column].to_numpy(dtype=float)))
            row[heading] = interval(*(10.0 ** v for v in (
                ci.mean, ci.low, ci.high)), n=ci.n, scientific=True)
            row.setdefault("_order", ci.mean)
        if reference is not None:
            row[reference_label] = number(reference / 10.0 ** row["_order"], "x")
        row["seeds"] = part["seed"].nunique()
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("_order", kind="stable").reset_index(drop=True)
    table["note"] = _notes(table[by]) if by == "activation" else ""
    return table


def ranking_table(results: dict[str, tuple[pd.DataFrame, str, bool]], seed: int = 0
                  ) -> pd.DataFrame:
    """:func:`ranking` for people: one row per activation, best first.

    Columns: the mean scaled rank with its 95% interval
    ("0.12 [0.05, 0.20]", 0 = first in every experiment); each experiment's
    rank with its 95% rank interval ("2 [1, 4]", see
    :func:`actstudy.stats.rank_intervals`; "2=" where means tie); the number of
    experiments; and a note naming identical or near-identical functions
    (:func:`actstudy.analysis.properties.equivalence_notes`).
    """
    numbers = ranking(results, seed=seed)
    table = pd.DataFrame(index=numbers.index)
    table["mean scaled rank [95% CI]"] = [
        f"{row['mean scaled rank']:.2f} [{row['mean scaled rank low']:.2f}, "
        f"{row['mean scaled rank high']:.2f}]" for _, row in numbers.iterrows()]
    for name, (summary, metric, higher) in results.items():
        ranks = stats.rank_intervals(summary, metric, higher, seed=seed).set_index("activation")
        table[f"{name}: rank [95% CI]"] = pd.Series(_rank_texts(ranks)).reindex(table.index
                                                                               ).fillna("not run")
    table["experiments"] = numbers["experiments"]
    table["note"] = _notes(table.index)
    return table.rename_axis("activation").reset_index()


def _rank_texts(ranks: pd.DataFrame) -> dict:
    """"2 [1, 4]" per entry of a :func:`stats.rank_intervals` frame indexed by name; "2=" ties."""
    tied = ranks["rank"].duplicated(keep=False) & ranks["rank"].notna()
    texts = {}
    for name, row in ranks.iterrows():
        if pd.isna(row["rank"]):
            texts[name] = "no finite value"
            continue
        mark = "=" if tied[name] else ""
        texts[name] = f"{row['rank']}{mark} [{row['rank_low']}, {row['rank_high']}]"
    return texts


def _notes(names) -> list[str]:
    """Identical and near-identical functions among registered ``names``; others get no note."""
    known = []
    for name in names:
        try:
            activations.spec(name)
        except ValueError:  # a label with options, e.g. prelu(initial_slope=0.01)
            continue
        known.append(name)
    notes = properties.equivalence_notes(known)
    return [notes.get(name, "") for name in names]


def rank_table(frame: pd.DataFrame, value: str, higher_is_better: bool, label: str | None = None,
               percent: bool = False, seed: int = 0) -> pd.DataFrame:
    """Activations ranked by ``value`` with their uncertainty, formatted for people.

    One row per activation, best first: its rank ("2=" where means tie), the
    mean with a 95% t-interval over seeds (in percent with ``percent``, at the
    precision the intervals justify), the 95% rank interval and the
    tier (:func:`actstudy.stats.rank_intervals` states both rules), the seeds,
    and a note naming identical or near-identical functions.

    >>> frame = pd.DataFrame({"activation": ["elu"] * 3 + ["celu"] * 3 + ["sigmoid"] * 3,
    ...                       "seed": [0, 1, 2] * 3,
    ...                       "test_accuracy": [0.95, 0.96, 0.955] * 2 + [0.90, 0.91, 0.89]})
    >>> table = rank_table(frame, "test_accuracy", True, percent=True)
    >>> table[["rank", "activation", "tier", "note"]].values.tolist()
    [['1=', 'elu', 1, 'same function as celu'], ['1=', 'celu', 1, 'same function as elu'], ['3', 'sigmoid', 2, '']]
    """
    ranks = stats.rank_intervals(frame, value, higher_is_better, seed=seed)
    texts = _rank_texts(ranks.set_index("activation"))
    label = label or (f"{value} (%)" if percent else value)
    shown = intervals(ranks, scale=100.0 if percent else 1.0,
                      bounds=bounds_for(value, 100 if percent else 1))
    return pd.DataFrame({
        "rank": _tied_as_shown(
            [texts[name].split(" ")[0] if pd.notna(rank) else "–"
             for name, rank in zip(ranks["activation"], ranks["rank"], strict=True)],
            [text.split(" ")[0] for text in shown]),
        "activation": ranks["activation"],
        f"{label} [95% CI]": shown,
        "rank [95% CI]": ["[" + texts[name].split("[", 1)[1] if pd.notna(rank) else "–"
                          for name, rank in zip(ranks["activation"], ranks["rank"], strict=True)],
        "tier": ranks["tier"],
        "seeds": ranks["seeds"],
        "note": _notes(ranks["activation"]),
    })


def _tied_as_shown(ranks: list[str], means: list[str]) -> list[str]:
    """Rank labels, best first, where neighbours whose means read the same share the first
    one's rank, marked "=": a reader sees 83.9 and 83.9, not ranks 3 and 4.

    >>> _tied_as_shown(["1", "2", "3", "4"], ["95.1", "83.9", "83.9", "83.5"])
    ['1', '2=', '2=', '4']
    """
    out = list(ranks)
    for i in range(1, len(out)):
        if means[i] == means[i - 1] and out[i] != "–":
            out[i - 1] = out[i - 1].rstrip("=") + "="
            out[i] = out[i - 1]
    return out


def learning_rate_table(rankings: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """One dataset's :func:`learning_rate_rankings` for people: a row per activation.

    Rows in the order of the reference setting (the first); per setting, the
    rate ("0.3 (highest tried)" at an end of the grid), the test accuracy in
    percent with its 95% t-interval, and the rank
    with its 95% rank interval and tier ("3 [2, 5], tier 2"); then a note
    naming identical or near-identical functions. Columns are (setting, what).
    """
    part = rankings[rankings["dataset"] == dataset]
    if part.empty:
        raise ValueError(f"dataset={dataset!r} is not allowed: the rankings hold "
                         f"{', '.join(dict.fromkeys(rankings['dataset']))}")
    settings = list(dict.fromkeys(part["setting"]))
    order = list(part[part["setting"] == settings[0]]["activation"])
    columns = {}
    for setting in settings:
        ranks = part[part["setting"] == setting].set_index("activation")
        texts = _rank_texts(ranks)
        means = dict(zip(ranks.index, intervals(ranks, scale=100.0, bounds=(0, 100)),
                         strict=True))
        tiers = ranks["tier"]
        if setting != settings[0]:
            columns[(setting, "rate")] = {
                n: f"{ranks.at[n, 'learning_rate']:g}"
                + (f" ({ranks.at[n, 'edge']} tried)" if ranks.at[n, "edge"] else "")
                if n in ranks.index else "not run" for n in order}
        columns[(setting, "test accuracy % [95% CI]")] = {n: means.get(n, "not run")
                                                          for n in order}
        columns[(setting, "rank [95% CI], tier")] = {
            n: f"{texts[n]}, tier {tiers[n]}" if n in texts and pd.notna(tiers[n]) else
            texts.get(n, "not run") for n in order}
    table = pd.DataFrame(columns, index=order)
    table[("", "note")] = _notes(order)
    table.index.name = "activation"
    return table


def task_table(summary: pd.DataFrame, value: str = "test_accuracy", by: str = "dataset",
               label: str = "test accuracy") -> pd.DataFrame:
    """Activations against tasks, for people: rows best first, a mean, interval and tier per task.

    Per task (``by``): the mean of ``value`` over seeds with its 95% t-interval,
    at the precision that task's intervals justify ("0.951 [0.947, 0.955]"; "1.00
    (same on every seed)" where no seed differed, rather than an interval of
    width 0), and the activation's tier there (:func:`actstudy.stats.rank_intervals`: one
    tier cannot be told apart from its best by a paired t-test over seeds, so
    one tier for every activation means the task does not separate them).
    Rows are sorted by the mean over tasks, highest first; ``rank`` marks equal
    means with "=", and ``note`` names identical or near-identical functions.
    Columns are (task, what), as in :func:`learning_rate_table`.

    >>> summary = pd.DataFrame({"dataset": "d", "activation": ["a"] * 3 + ["b"] * 3,
    ...                         "seed": [0, 1, 2] * 2,
    ...                         "test_accuracy": [0.90, 0.91, 0.92, 0.97, 0.98, 0.99]})
    >>> table = task_table(summary)
    >>> table.index.tolist(), table[("d", "tier")].tolist()
    (['b', 'a'], [1, 2])
    >>> table.loc["b", ("d", "test accuracy [95% CI]")]
    '0.98 [0.96, 1.00]'
    """
    columns, means = {}, {}
    for task, part in summary.groupby(by, sort=False):
        ranks = stats.rank_intervals(part, value, True).set_index("activation")
        # Identical values on every seed read "(same on every seed)", not a zero-width interval.
        columns[(task, f"{label} [95% CI]")] = dict(zip(
            ranks.index, intervals(ranks, bounds=bounds_for(value)), strict=True))
        columns[(task, "tier")] = ranks["tier"]
        means[task] = ranks["mean"]
    overall = pd.DataFrame(means).mean(axis=1).sort_values(ascending=False, kind="stable")
    table = pd.DataFrame(columns).reindex(overall.index)
    # ranked on the mean as shown: two activations that read 0.987 share a rank, marked "="
    shown = [f"{m:.3f}" for m in overall]
    table.insert(0, ("", "rank"), _tied_as_shown([str(k) for k in range(1, len(shown) + 1)],
                                                 shown))
    table.insert(1, ("", f"mean {label} over tasks"), shown)
    table[("", "note")] = _notes(table.index)
    table.index.name = "activation"
    return table


def rule_table(rule: pd.DataFrame, threshold: float, label: str = "validation accuracy"
               ) -> pd.DataFrame:
    """:func:`actstudy.studies.hardest_reaching`'s frame for people: a row per task and level, the choice marked.

    The reference's mean with its 95% interval at each level, whether it
    reaches ``threshold``, and "chosen" at the level the rule picked. A
    ``setting`` column, where the frame has one, names the level for people.
    Three decimals throughout, whatever the interval: the rule compares the
    mean itself with the threshold, and 0.899 must not read as 0.90.
    """
    texts = [interval(m, lo, hi, decimals=3, n=n, bounds=bounds_for(label))
             for m, lo, hi, n in zip(rule["mean"], rule["ci_low"], rule["ci_high"],
                                     rule["seeds"], strict=True)]
    return pd.DataFrame({
        "task": rule["dataset"],
        "level": rule["setting"] if "setting" in rule else rule["level"],
        f"{label} [95% CI]": texts,
        f"reaches {threshold:g}": np.where(rule["reaches"], "yes", "no"),
        "rule": np.where(rule["chosen"], "chosen", ""),
    })


def _geometric_text(mean: float, low: float, high: float, n: int) -> str:
    """A geometric mean and its interval for people: "0.0123 [4.0e-03, 0.0380]"."""
    texts = [number(v, scientific=True, keep_zeros=n >= 2) for v in (mean, low, high)]
    return f"{texts[0]} [{texts[1]}, {texts[2]}]" if n >= 2 else texts[0]


def arithmetic_table(errors: pd.DataFrame, split: str) -> pd.DataFrame:
    """A split's scores as a model x task table for people: the geometric mean over seeds
    with its 95% t-interval on log10, "0.012 [0.004, 0.04]", and "(k failed)" where k runs
    diverged or overflowed (scored 100). Rows sorted by the mean log score over tasks."""
    score = f"{split}_score"
    cells, order = {}, {}
    for (model, task), part in errors.groupby(["model", "task"], sort=False):
        ci = _log_interval(part[score])
        text = _geometric_text(10 ** ci.mean, 10 ** ci.low, 10 ** ci.high,
                               ci.n)
        failed = int(part[f"{split}_failed"].sum())
        cells.setdefault(model, {})[task] = text + (f" ({failed} failed)" if failed else "")
        order.setdefault(model, []).append(ci.mean)
    tasks = list(dict.fromkeys(errors["task"]))
    table = pd.DataFrame.from_dict(cells, orient="index")[tasks]
    table = table.loc[sorted(table.index, key=lambda m: np.mean(order[m]))]
    return table.rename_axis(f"{split} score (100 = the random model)").reset_index()


# Marks our score where it falls on the other side of LEARNED_SCORE from the paper's.
DIFFERS = "†"


def paper_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`paper_comparison` laid out as the paper's table: a row per task, per model the
    paper's score and ours ("0.02 [0.0036, 0.11]"), ours marked † where it falls on the other
    side of 1 from the paper's.

    >>> comparison = pd.DataFrame({"task": "a × b", "model": ["ReLU6", "NALU"],
    ...     "paper": [10.1, 0.0], "mean": [0.4, 0.02], "low": [0.071, 0.0036],
    ...     "high": [2.2, 0.11], "n": 3, "same_side": [False, True]})
    >>> paper_table(comparison).values.tolist()
    [['a × b', '10.1', '0.400 [0.0710, 2.20] †', '0', '0.0200 [3.6e-03, 0.110]']]
    """
    table = {}
    for _, row in comparison.iterrows():
        ours = _geometric_text(row["mean"], row["low"], row["high"], row["n"])
        cells = table.setdefault(row["task"], {"task": row["task"]})
        cells[f"{row['model']}: paper"] = f"{row['paper']:g}"
        cells[f"{row['model']}: ours"] = ours + ("" if row["same_side"] else f" {DIFFERS}")
    return pd.DataFrame(list(table.values()))


def mean_intervals(frame: pd.DataFrame, by: str | list[str], columns: dict[str, str],
                   digits: int | None = None) -> pd.DataFrame:
    """Per group: each column's mean over seeds with its 95% t-interval, written for people.

    ``columns`` maps a column to its heading; each cell reads "0.951 [0.947, 0.955]"
    (:func:`actstudy.present.tables.interval`, at the precision the column's intervals justify, or
    at ``digits`` decimals), or "1.000 (same on every seed)" where every seed gave the same value (an interval of
    width 0 would claim a certainty that a handful of seeds cannot give);
    ``seeds`` counts the runs. Groups keep their order of appearance.

    >>> frame = pd.DataFrame({"network": "a", "accuracy": [0.90, 0.91, 0.92]})
    >>> mean_intervals(frame, "network", {"accuracy": "test accuracy"}).loc[0, "test accuracy"]
    '0.91 [0.89, 0.93]'
    """
    table = None
    for column, heading in columns.items():
        part = stats.summarise(frame, by, column)
        places = precision((part["ci_high"] - part["ci_low"]) / 2) if digits is None \
            else digits
        part[heading] = [interval(m, low, high, decimals=places, n=n,
                                  bounds=bounds_for(f"{column} {heading}"))
                         for m, low, high, n in zip(part["mean"], part["ci_low"],
                                                    part["ci_high"], part["n"], strict=True)]
        part = part.drop(columns=["mean", "ci_low", "ci_high"]).rename(columns={"n": "seeds"})
        table = part if table is None else table.merge(part.drop(columns="seeds"), on=by)
    return table[[*([by] if isinstance(by, str) else by), *columns.values(), "seeds"]]


def paired_gain(summary: pd.DataFrame, first: str, second: str, by: str = "depth",
                value: str = "test_accuracy") -> pd.DataFrame:
    """Per value of ``by``: ``first``'s ``value`` minus ``second``'s, paired by seed, in
    percentage points, with its 95% t-interval (``mean``, ``ci_low``, ``ci_high``, ``n``)
    and a text for people."""
    rows = []
    for level, part in summary.groupby(by, sort=True):
        ci = stats.paired(part.assign(**{value: 100 * part[value]}), value, first, second)
        rows.append({by: level, "mean": ci.mean, "ci_low": ci.low,
                     "ci_high": ci.high, "n": ci.n,
                     f"{first} − {second} (pp) [95% CI]": interval(
                         ci.mean, ci.low, ci.high, "pp", n=ci.n)})
    return pd.DataFrame(rows)


def unit_cost(grid, by=("activation", "learning_rate")) -> pd.DataFrame:
    """Inactive and dead units after training beside the test accuracy they come with.

    Per group of ``by``: the last epoch's share of inactive units (pre-activation
    negative on at least 99% of probe samples), the share of dead units (negative
    on every probe input from some epoch to the end, and at least at the last two
    recorded epochs: :func:`actstudy.analysis.dead_units`), both defined for every
    activation and averaged over layers, in percent, and the test accuracy in
    percent; each a mean with a 95% t-interval over seeds.
    """
    units = last_epoch(grid.activations)
    frame = units.merge(grid.summary[["key", "test_accuracy"]], on="key")
    frame = frame.merge(dead_units(grid.activations)[["key", "dead_pp"]], on="key")
    frame[["inactive_fraction", "test_accuracy"]] *= 100
    rows = []
    for group, part in frame.groupby(list(by), sort=True):
        row = dict(zip(by, group, strict=True))
        for column, name in (("inactive_fraction", "inactive units %"),
                             ("dead_pp", "dead units %"),
                             ("test_accuracy", "test accuracy %")):
            ci = stats.mean_ci(part[column])
            row[name] = interval(ci.mean, ci.low, ci.high, n=ci.n,
                                 bounds=(0, 100))
        row["seeds"] = len(part)
        rows.append(row)
    return pd.DataFrame(rows)


def theory_table(agreement: pd.DataFrame) -> pd.DataFrame:
    """:func:`actstudy.present.text.theory_agreement`'s table, written for people: the
    prediction, the measured growth (geometric mean over seeds) and their ratio [95% CI]."""
    return pd.DataFrame({
        "setting": agreement["panel"], "activation": agreement["activation"],
        "predicted growth per layer": agreement["predicted"].map("{:.3f}".format),
        "measured growth per layer": agreement["measured"].map("{:.3f}".format),
        "measured / predicted [95% CI]": [
            interval(m, low, high, "x") for m, low, high
            in zip(agreement["ratio"], agreement["ratio_low"], agreement["ratio_high"],
                   strict=True)],
        "seeds": agreement["seeds"], "result": agreement["result"]})


def signal_theory_table(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`actstudy.analysis.theory.signal_beside`'s frame, written for people."""
    return pd.DataFrame({
        "activation": frame["activation"], "initializer": frame["initializer"],
        "hidden layer": [f"{layer} of {depth}" for layer, depth
                         in zip(frame["layer"], frame["depth"], strict=True)],
        # Rounded before the sign is written: a mean of -1e-10 reads +0.000, not -0.000.
        "measured mean": frame["measured_mean"].map(lambda v: f"{round(v, 3) + 0.0:+.3f}"),
        "predicted mean": frame["predicted_mean"].map(lambda v: f"{round(v, 3) + 0.0:+.3f}"),
        "measured spread": frame["measured_std"].map("{:.3f}".format),
        "predicted spread": frame["predicted_std"].map("{:.3f}".format)})
