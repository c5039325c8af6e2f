"""Sentences generated from the runs by stated rules: the arithmetic findings, the NALU's gates and weights, agreement with the paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.analysis.arithmetic import (
    ARITHMETIC_MODEL_NAMES,
    GATE_CHOICE,
    LEARNED_SCORE,
    PAPER_FINDINGS,
    _log_interval,
)
from actstudy.present import tables
from actstudy.run import data

__all__ = ["arithmetic_findings", "gate_findings", "weight_findings", "paper_agreement",
           "extrapolation_findings", "gradient_ratio_findings", "swish_depth_agreement", "theory_agreement", "signal_agreement", "width_agreement"]


def _learning(errors: pd.DataFrame) -> pd.DataFrame:
    """Per task, model and split: the geometric-mean score over seeds with its 95% t-interval
    on log10, and what the interval says, as 06 decides a claim: *learns* when it lies wholly
    below :data:`LEARNED_SCORE`, *misses* when wholly above, *unclear* when it spans it."""
    bound = np.log10(LEARNED_SCORE)
    rows = []
    for (operation, model), part in errors.groupby(["operation", "model"], sort=False):
        for split in ("interpolation", "extrapolation"):
            found = _log_interval(part[f"{split}_score"])
            rows.append({"operation": operation, "task": part["task"].iloc[0], "model": model,
                         "split": split, "score": 10 ** found.mean, "low": 10 ** found.low,
                         "high": 10 ** found.high,
                         "result": ("learns" if found.high < bound else "misses"
                                    if found.low > bound else "unclear")})
    return pd.DataFrame(rows)


def _score(row) -> str:
    """'0.71 [0.081, 6.2]': a geometric-mean score and its interval, as the tables write them
    (scientific notation only below 0.01 or above 1000)."""
    return tables._geometric_text(row.score, row.low, row.high, 2)


def arithmetic_findings(errors: pd.DataFrame) -> str:
    """What the error table says, in sentences made from it by the interval rule of 06: a
    model learns a split of a task when the whole 95% interval of its geometric-mean score
    (t over seeds, on log10) lies below :data:`LEARNED_SCORE`, misses it when the whole
    interval lies above, and the seeds cannot tell where the interval spans it.

    >>> errors = pd.DataFrame({"operation": ["add"] * 6 + ["multiply"] * 6,
    ...     "task": ["a + b"] * 6 + ["a × b"] * 6, "model": ["relu"] * 3 + ["NALU"] * 3 + [
    ...     "relu"] * 3 + ["NALU"] * 3, "seed": [0, 1, 2] * 4,
    ...     "interpolation_score": [0.1, 0.12, 0.11, 0.2, 0.21, 0.22, 0.3, 0.31, 0.29, 5, 6, 5.5],
    ...     "extrapolation_score": [0.4, 0.5, 0.45, 0.1, 40, 3, 60, 50, 55, 20, 30, 25]})
    >>> print(arithmetic_findings(errors))
    A model learns a split of a task when the whole 95% interval of its geometric-mean score lies below 1 (an error under 1% of the random model's), misses it when the whole interval lies above 1, and the seeds cannot tell where the interval spans 1. Inside the training range, 1 of 2 models learn every task (relu); NALU misses a × b. Outside it: a + b is learnt by relu, and the seeds cannot tell for NALU (2.29 [1.3e-03, 4.0e+03]); no model learns a × b.
    """
    found = _learning(errors)
    models = list(dict.fromkeys(errors["model"]))
    inside = found[found["split"] == "interpolation"]
    every = [m for m in models if (inside.loc[inside["model"] == m, "result"] == "learns").all()]
    others = []
    for model in (m for m in models if m not in every):
        part = inside[inside["model"] == model]
        missed, unclear = (part[part["result"] == r] for r in ("misses", "unclear"))
        said = ([f"misses {', '.join(missed['task'])}"] if len(missed) else []) + (
            [f"cannot be told from {LEARNED_SCORE:g} on "
             + ", ".join(f"{row.task} ({_score(row)})" for row in unclear.itertuples())]
            if len(unclear) else [])
        others.append(f"{model} " + " and ".join(said))
    text = (f"A model learns a split of a task when the whole 95% interval of its "
            f"geometric-mean score lies below {LEARNED_SCORE:g} (an error under 1% of the "
            f"random model's), misses it when the whole interval lies above {LEARNED_SCORE:g}, "
            f"and the seeds cannot tell where the interval spans {LEARNED_SCORE:g}. Inside the "
            f"training range, {len(every)} of {len(models)} models learn every task"
            + (f" ({', '.join(every)})" if every else "")
            + ("; " + "; ".join(others) if others else "") + ".")
    parts = []
    for task, part in found[found["split"] == "extrapolation"].groupby("task", sort=False):
        learners = list(part.loc[part["result"] == "learns", "model"])
        unclear = ", ".join(f"{row.model} ({_score(row)})"
                            for row in part[part["result"] == "unclear"].itertuples())
        said = f"{task} is learnt by {', '.join(learners)}" if learners else (
            f"no model learns {task}" if not unclear else f"no model learns {task} for certain")
        parts.append(said + (f", and the seeds cannot tell for {unclear}" if unclear else ""))
    return text + " Outside it: " + "; ".join(parts) + "."


def gate_findings(gates: pd.DataFrame) -> str:
    """Whether the NALU picks an operation, by :data:`GATE_CHOICE`'s rule applied to each
    unit of each run (:func:`actstudy.analysis.adequacy.gates_decided`), from
    :func:`nalu_gates`.

    >>> gates = pd.DataFrame({"task": ["a + b"] * 4, "seed": [0, 1, 0, 1],
    ...                       "layer": 1, "unit": [0, 0, 1, 1], "gate": [0.97, 0.95, 0.4, 0.02]})
    >>> print(gate_findings(gates))
    3 of 4 NALU units (every task, layer, unit and seed) pick a path, their gate within 0.1 of 1 (adding) or 0 (multiplying). a + b: 2 adding, 1 multiplying, 1 mixing. Counted per layer (the mean gate of its units), 0 of 2 layers would.
    """
    decided = (gates["gate"] - 0.5).abs() >= 0.5 - GATE_CHOICE
    path = np.where(~decided, "mixing", np.where(gates["gate"] > 0.5, "adding", "multiplying"))
    parts = []
    for task, part in gates.assign(path=path).groupby("task", sort=False):
        counts = part["path"].value_counts()
        parts.append(f"{task}: " + ", ".join(f"{counts[name]} {name}" for name in
                                             ("adding", "multiplying", "mixing") if name in counts))
    layers = gates.groupby(["task", "seed", "layer"])["gate"].mean()
    by_layer = int(((layers - 0.5).abs() >= 0.5 - GATE_CHOICE).sum())
    return (f"{int(decided.sum())} of {len(gates)} NALU units (every task, layer, unit and seed) "
            f"pick a path, their gate within {GATE_CHOICE:g} of 1 (adding) or 0 (multiplying). "
            + "; ".join(parts) + f". Counted per layer (the mean gate of its units), {by_layer} "
            f"of {len(layers)} layers would.")


def weight_findings(weights: pd.DataFrame) -> str:
    """How far the first layers' weights are from a found solution, from
    :func:`arithmetic_weights`: per task and model, the mean |W| on a's and b's inputs over
    the mean |W| on the others (a found solution has 1 on them and 0 elsewhere).

    >>> weights = pd.DataFrame({"task": "a + b", "model": ["NAC", "NALU"], "seed": 0,
    ...                         "on a and b": [0.9, 0.4], "on the others": [0.1, 0.2]})
    >>> print(weight_findings(weights))
    On a's and b's inputs the first layer's mean |W| is 2× to 9× its mean on the distractors (per task and model, means over seeds); a found solution puts |W| = 1 on them and 0 on the rest.

    On a task without distractors there is nothing to compare:

    >>> print(weight_findings(weights.assign(**{"on the others": float("nan")})))
    The tasks have no distractor inputs, so there is no |W| on them to compare with.
    """
    means = weights.groupby(["task", "model"])[["on a and b", "on the others"]].mean()
    ratio = (means["on a and b"] / means["on the others"]).dropna()
    if ratio.empty:
        return "The tasks have no distractor inputs, so there is no |W| on them to compare with."
    return (f"On a's and b's inputs the first layer's mean |W| is {tables.number(ratio.min(), 'x')}"
            f" to {tables.number(ratio.max(), 'x')} its mean on the distractors (per task and model, means over "
            "seeds); a found solution puts |W| = 1 on them and 0 on the rest.")


def paper_agreement(errors: pd.DataFrame) -> pd.DataFrame:
    """Each of the paper's findings on the static tasks beside ours: per finding and task, the
    models' geometric-mean scores with their 95% intervals, and whether ours agree, by the
    interval rule of :func:`arithmetic_findings` (a model learns a split of a task when the
    whole interval lies below :data:`LEARNED_SCORE`, misses it when it lies wholly above).
    A finding that a model learns agrees when every model it speaks of learns ("MLPs": every
    MLP), and disagrees when one misses; "none extrapolates" agrees when every MLP misses, and
    disagrees when one learns; otherwise the seeds cannot tell."""
    found = _learning(errors).set_index(["operation", "split", "model"]).sort_index()
    rows = []
    for statement, who, operations, split, learned in PAPER_FINDINGS:
        for operation in operations:
            if (operation, split) not in found.index.droplevel("model"):
                continue
            mine = found.loc[(operation, split)]
            mlps = [m for m in mine.index
                    if m not in (*ARITHMETIC_MODEL_NAMES.values(), "identity")]
            chosen = mine.loc[mlps] if who == "MLPs" else mine.loc[[who]] if who in mine.index \
                else None
            if chosen is None or chosen.empty:
                continue
            wanted, against = ("learns", "misses") if learned else ("misses", "learns")
            agrees = ("yes" if (chosen["result"] == wanted).all() else "no"
                      if (chosen["result"] == against).any() else "the seeds cannot tell")
            if len(chosen) == 1:
                ours = _score(next(chosen.itertuples()))
            else:
                best, worst = chosen["score"].idxmin(), chosen["score"].idxmax()
                ours = (f"best {best} {_score(next(chosen.loc[[best]].itertuples()))}, "
                        f"worst {worst} {_score(next(chosen.loc[[worst]].itertuples()))}")
            rows.append({"the paper": statement, "task": data.ARITHMETIC[operation][0],
                         "our score": ours, "ours agree": agrees})
    return pd.DataFrame(rows)


def _log_rows(frame: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Per group: the geometric mean of a positive ``value`` over seeds with its 95% t-interval
    on log10, as :func:`actstudy.present.tables.ratio_table` and ``geometric_table`` show it."""
    rows = []
    for key, part in frame.groupby(by, sort=False):
        with np.errstate(divide="ignore", invalid="ignore"):
            found = stats.mean_ci(np.log10(part[value].to_numpy(dtype=float)))
        rows.append({**dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
                     "mean": 10 ** found.mean, "low": 10 ** found.low, "high": 10 ** found.high})
    return pd.DataFrame(rows)


def _table_mse(mean: float, low: float, high: float) -> str:
    """An MSE as :func:`actstudy.present.tables.geometric_table` writes it (scientific)."""
    return tables.interval(mean, low, high, scientific=True)


def extrapolation_findings(outside: pd.DataFrame, zero_mse: float) -> str:
    """Whether any activation's network predicts sin(x) outside its training range better than
    predicting 0 everywhere, whose MSE, ``zero_mse``, is the sine's variance there.

    ``outside`` is :func:`actstudy.analysis.extrapolation_error`'s. The rule, on the
    numbers its table shows (geometric mean over seeds, 95% t-interval on log10): *better*
    when the whole interval lies below ``zero_mse``, *worse* when wholly above, and not told
    apart when it spans it.

    >>> outside = pd.DataFrame({"activation": ["relu"] * 3 + ["tanh"] * 3,
    ...                         "outside_mse": [1.2, 1.4, 1.3, 0.3, 0.9, 0.5]})
    >>> print(extrapolation_findings(outside, 0.5))
    No activation predicts better than 0 everywhere outside the training range (MSE 0.50, the sine's variance there), its whole 95% interval below that: 1 of 2 are worse, the whole interval above it, and 1 cannot be told apart from it (tanh 0.513 [0.131, 2.01]). The lowest geometric mean is tanh's, 0.513 [0.131, 2.01].
    """
    rows = _log_rows(outside, ["activation"], "outside_mse")
    said = {row.activation: f"{row.activation} {_table_mse(row.mean, row.low, row.high)}"
            for row in rows.itertuples()}
    better = rows[rows["high"] < zero_mse]
    worse = rows[rows["low"] > zero_mse]
    unclear = rows[~rows.index.isin(better.index) & ~rows.index.isin(worse.index)]
    reference = f"0 everywhere outside the training range (MSE {zero_mse:.2f}, the sine's " \
                "variance there)"
    text = (f"{len(better)} of {len(rows)} activations predict better than {reference}, their "
            f"whole 95% interval below it ({'; '.join(said[n] for n in better['activation'])})"
            if len(better) else
            f"No activation predicts better than {reference}, its whole 95% interval below that")
    text += (f"{':' if not len(better) else ';'} {len(worse)} of {len(rows)} are worse, the whole "
             "interval above it, and " + (f"{len(unclear)} cannot be told apart from it ("
                                          + "; ".join(said[n] for n in unclear["activation"])
                                          + ")" if len(unclear) else "none spans it") + ".")
    best = rows.loc[rows["mean"].idxmin()]
    return (text + f" The lowest geometric mean is {best['activation']}'s, "
            f"{_table_mse(best['mean'], best['low'], best['high'])}.")


def gradient_ratio_findings(ratios: pd.DataFrame) -> str:
    """Where the first hidden layer's bias gradient is smaller than the last's, at each depth.

    ``ratios`` is :func:`actstudy.analysis.gradient_ratio`'s (first / last hidden layer,
    per run). The rule, on the numbers :func:`actstudy.present.tables.ratio_table` shows
    (geometric mean over seeds, 95% t-interval on log10): *below 1* at a depth when the whole
    interval lies below 1 (the first layer learns more slowly), *above 1* when it lies wholly
    above, *across 1* otherwise.

    >>> ratios = pd.DataFrame({"activation": ["sigmoid"] * 4 + ["relu"] * 4 + ["tanh"] * 4,
    ...                        "depth": [5, 5, 10, 10] * 3,
    ...                        "ratio": [1e-3, 2e-3, 1e-6, 2e-6, 2.0, 2.2, 3.0, 3.1,
    ...                                  1.4, 1.5, 0.5, 2.0]})
    >>> print(gradient_ratio_findings(ratios))
    At 5 and 10 hidden layers, by the whole 95% interval of the geometric mean over seeds: the first layer's gradient is below the last's at every depth for sigmoid (1.4e-03 [1.7e-05, 0.116] at 5 layers, 1.4e-06 [1.7e-08, 1.2e-04] at 10); it is above the last's at every depth for relu (2.10 [1.14, 3.84] at 5 layers, 3.05 [2.48, 3.76] at 10); for tanh: its interval spans 1 at 5 layers (1.45 [0.935, 2.25]), its interval spans 1 at 10 (1.00 [1.5e-04, 6.7e+03]).
    """
    rows = _log_rows(ratios, ["activation", "depth"], "ratio").sort_values("depth", kind="stable")
    rows["side"] = np.where(rows["high"] < 1, "below", np.where(rows["low"] > 1, "above",
                                                                "across"))
    depths = sorted(set(rows["depth"]))
    names = list(dict.fromkeys(ratios["activation"]))
    pattern = {name: set(rows.loc[rows["activation"] == name, "side"]) for name in names}
    below = [n for n in names if pattern[n] == {"below"}]
    above = [n for n in names if pattern[n] == {"above"}]
    mixed = [n for n in names if n not in below and n not in above]

    def written(row: pd.Series) -> str:  # as the table writes it
        return tables.interval(row["mean"], row["low"], row["high"], scientific=True)

    def values(name):
        part = rows[rows["activation"] == name]
        return ", ".join(f"{written(r)} at {r['depth']}" + (" layers" if k == 0 else "")
                         for k, (_, r) in enumerate(part.iterrows()))

    every = " at every depth" if len(depths) > 1 else ""
    parts = []
    if below:
        parts.append(f"the first layer's gradient is below the last's{every} for "
                     + "; ".join(f"{n} ({values(n)})" for n in below))
    else:
        parts.append(f"no activation's first layer has a gradient below the last's{every}")
    if len(above) == 1:
        parts.append(f"it is above the last's{every} for {above[0]} ({values(above[0])})")
    elif above:
        shown = rows[rows["activation"].isin(above)]
        low, high = (shown.loc[shown["mean"].idxmin()], shown.loc[shown["mean"].idxmax()])
        parts.append(f"it is above the last's{every} for {', '.join(above)} (from "
                     f"{low['activation']}'s {written(low)} at {low['depth']} layers to "
                     f"{high['activation']}'s {written(high)} at {high['depth']})")
    words = {"below": "below 1", "above": "above 1", "across": "its interval spans 1"}
    for name in mixed:
        sides = rows[rows["activation"] == name]
        parts.append(f"for {name}: " + ", ".join(
            f"{words[r['side']]} at {r['depth']}" + (" layers" if k == 0 else "")
            + f" ({written(r)})" for k, (_, r) in enumerate(sides.iterrows())))
    layers = " and ".join([", ".join(map(str, depths[:-1])), str(depths[-1])] if len(depths) > 1
                          else [str(depths[0])])
    return (f"At {layers} hidden layers, by the whole 95% interval of the geometric mean over "
            "seeds: " + "; ".join(parts) + ".")


def swish_depth_agreement(gains: pd.DataFrame, width: int, epochs: int) -> str:
    """A sentence on where the scaled-down Swish depth experiment agrees with the paper.

    ``gains`` is :func:`paired_gain`'s Swish − ReLU table. The paper found
    Swish ahead of ReLU in its deepest networks; the rule is the interval at
    the deepest depth here: wholly above 0 agrees, wholly below disagrees,
    across 0 tells the two apart no better than the seeds allow.
    """
    deepest = gains.sort_values("depth").iloc[-1]
    shallowest = gains.sort_values("depth").iloc[0]
    text = tables.interval(deepest["mean"], deepest["ci_low"], deepest["ci_high"], "pp",
                           n=int(deepest["n"]))
    opening = (f"At {int(deepest['depth'])} hidden layers of {width} units after {epochs} "
               f"epochs, Swish's test accuracy minus ReLU's is {text} (at "
               f"{int(shallowest['depth'])} layers: "
               f"{tables.number(shallowest['mean'], 'pp', decimals=2)}).")
    if deepest["ci_low"] > 0:
        return opening + (" This agrees with the paper: Swish is ahead of ReLU in the deepest "
                          "networks.")
    if deepest["ci_high"] < 0:
        return opening + (" This disagrees with the paper, which found Swish ahead in its "
                          "deepest networks: here ReLU is.")
    return opening + (" The seeds cannot tell the two apart at that depth, so this neither "
                      "confirms nor contradicts the paper; its networks were wider and trained "
                      "longer.")


def theory_agreement(beside: pd.DataFrame, margin: float, by=("activation", "initializer")
                     ) -> tuple[pd.DataFrame, str]:
    """Per setting, measured against predicted growth per layer, and a sentence on where they
    agree and where they part.

    ``beside`` is :func:`actstudy.analysis.theory.beside_measurement`'s. The
    rule: a setting *agrees* when the 95% t-interval over seeds of
    log10(measured / predicted) lies within ``margin`` either way, *parts*
    when it lies wholly outside, and is *unclear* otherwise. The sentence
    also says how many settings the deep-limit prediction, sqrt(chi1(q*)),
    would put within the margin, and how many the linear regime's,
    sqrt(chi1(q -> 0)), which ignores the data: where they miss and the
    layer-by-layer prediction does not, the test tells the theory apart from
    them.
    """
    rows = []
    bound = np.log10(margin)
    for key, part in beside.groupby(list(by), sort=False):
        interval = stats.mean_ci(part["difference"])
        verdict = ("agrees" if -bound <= interval.low and interval.high <= bound else
                   "parts" if interval.low > bound or interval.high < -bound else "unclear")
        deep = float(np.log10(part["measured"]).mean()
                     - np.log10(part["predicted_at_fixed_point"].iloc[0]))
        near_zero = float(np.log10(part["measured"]).mean()
                          - np.log10(part["predicted_linear"].iloc[0]))
        rows.append({**dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
                     "predicted": part["predicted"].iloc[0],
                     "measured": 10 ** float(np.log10(part["measured"]).mean()),
                     "ratio": 10 ** interval.mean, "ratio_low": 10 ** interval.low,
                     "ratio_high": 10 ** interval.high, "seeds": interval.n, "result": verdict,
                     "deep_limit_within": abs(deep) <= bound,
                     "linear_within": abs(near_zero) <= bound,
                     "depth": int(part["depth"].iloc[0])})
    table = pd.DataFrame(rows)
    agree, parts = (table[table.result == r] for r in ("agrees", "parts"))
    worst = table.iloc[int(np.argmax(np.abs(np.log10(table["ratio"]))))]
    name = ", ".join(str(worst[b]) for b in by)
    text = (f"Measured and predicted growth per layer agree within {margin:g}× for "
            f"{len(agree)} of {len(table)} settings; the furthest apart is {name}, measured "
            f"{tables.interval(worst['ratio'], worst['ratio_low'], worst['ratio_high'], 'x')} "
            f"the prediction.")
    if len(parts):
        text += (" They part for " + "; ".join(", ".join(str(r[b]) for b in by)
                                               for _, r in parts.iterrows()) + ".")
    depths = " or ".join(str(d) for d in sorted(set(table["depth"])))
    text += (f" Two simpler rules do less well, and say how much the test can tell apart: the "
             f"deep limit sqrt(chi1(q*)) alone would be within {margin:g}× for "
             f"{int(table['deep_limit_within'].sum())} of them (the rest are networks whose q is "
             f"still far from its fixed point after {depths} layers), and the linear regime "
             f"sqrt(chi1(q -> 0)), which ignores the data, for "
             f"{int(table['linear_within'].sum())}.")
    return table, text


def signal_agreement(frame: pd.DataFrame, tolerance: float = 0.1) -> str:
    """A sentence on where the measured layer mean and spread at initialisation meet the
    length map's prediction (:func:`actstudy.analysis.theory.signal_beside`'s frame).

    The rule: a value agrees when it lies within ``tolerance`` (as a share) of the
    prediction, or, for a mean predicted within 0.05 of 0, within 0.05 of it.
    """
    agree, part = [], []
    for row in frame.itertuples(index=False):
        for what, measured, predicted in (("mean", row.measured_mean, row.predicted_mean),
                                          ("spread", row.measured_std, row.predicted_std)):
            close = (abs(measured - predicted) <= 0.05 if abs(predicted) < 0.05
                     else abs(measured / predicted - 1) <= tolerance)
            (agree if close else part).append(
                f"{row.activation}'s {what} ({measured:.3g} against {predicted:.3g})")
    layer = f"hidden layer {int(frame['layer'].iloc[0])} of {int(frame['depth'].iloc[0])}"
    text = (f"At {layer}, {len(agree)} of {len(agree) + len(part)} measured values lie within "
            f"{tolerance:.0%} of the length map's prediction")
    if not part:
        return text + "."
    return (text + "; these do not: " + "; ".join(part) + ". The prediction is for "
            "infinitely wide layers; at a finite width each layer's length carries a random "
            "error that compounds with depth (the widths below test that).")


def _relative(ci) -> str:
    """A relative difference and its interval in %, at the precision the interval justifies
    (at most one decimal): "-0.4% [-0.7%, -0.1%]", never "-0% [-1%, -0%]"."""
    values = [100 * v for v in (ci.mean, ci.low, ci.high)]
    places = min(tables.precision([(values[2] - values[1]) / 2]), 1)
    texts = [tables.number(v, "pp", places).removesuffix(" pp") for v in values]
    return f"{texts[0]}% [{texts[1]}%, {texts[2]}%]"


def width_agreement(frame: pd.DataFrame) -> str:
    """A sentence on whether the gap to the infinitely wide prediction closes with width.

    ``frame`` is :func:`actstudy.analysis.theory.width_signal`'s, for several
    activations. The gap is the last layer's measured spread against the
    prediction, as a share, with its 95% t-interval over seeds. The rule, per
    activation: the gap *closes* when its interval excludes 0 at the smallest
    width and includes it at the largest; it *stays* when it excludes 0 at
    both; there is *none* when it includes 0 at both; else it shows only at
    the largest width.
    """
    parts, verdicts = [], {"closes": [], "stays": [], "none": [], "late": []}
    for name, part in frame.groupby("activation", sort=False):
        found = []
        for width, rows in part.groupby("width"):
            gap = stats.mean_ci(rows["act_std"] / rows["predicted_std"] - 1)
            found.append((width, gap))
        (small_width, small), (large_width, large) = found[0], found[-1]
        excludes = [g.low > 0 or g.high < 0 for g in (small, large)]
        verdict = {(True, False): "closes", (True, True): "stays", (False, False): "none",
                   (False, True): "late"}[tuple(excludes)]
        verdicts[verdict].append(name)
        parts.append(f"{name} {_relative(small)} at width {small_width}, {_relative(large)} "
                     f"at {large_width}")
    text = ("The last layer's spread against the prediction, with 95% intervals over seeds: "
            + "; ".join(parts) + ".")
    if verdicts["closes"]:
        text += (f" The gap closes with width for {', '.join(verdicts['closes'])}: there, what "
                 "parts at the narrow width is the finite width, not the theory.")
    if verdicts["stays"]:
        text += f" It stays at every width for {', '.join(verdicts['stays'])}."
    if verdicts["none"]:
        text += f" There is no gap at either width for {', '.join(verdicts['none'])}."
    if verdicts["late"]:
        text += (f" For {', '.join(verdicts['late'])} a gap shows only at the widest, where the "
                 "seeds vary least (a network's length wanders from seed to seed, more so the "
                 "deeper and the narrower).")
    return text


def adequacy_line(checks) -> str:
    """One Markdown line: whether the experiment did what it was meant to, each check with
    what the runs show (:mod:`actstudy.analysis.adequacy`).

    >>> from actstudy.analysis.adequacy import Check
    >>> print(adequacy_line([Check("no run diverged", True, "none of 20 runs diverged"),
    ...     Check("at most 50% still improving", False, "7 of 10 sigmoid runs still improving")]))
    **Did it work?** ✓ no run diverged: none of 20 runs diverged. ✗ at most 50% still improving: 7 of 10 sigmoid runs still improving.
    """
    # ✗ a failed check, which makes a verdict undecided; ○ one shown beside it (gates=False)
    parts = [f"{'✓' if check.passed else '✗' if check.gates else '○'} {check.condition}: "
             f"{check.detail}"
             + (f" ({check.remedy})" if check.remedy and not check.passed else "")
             for check in checks]
    return "**Did it work?** " + " ".join(f"{part}." for part in parts)
