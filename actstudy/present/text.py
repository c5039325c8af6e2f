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
    _mean_log_scores,
)
from actstudy.present import tables
from actstudy.run import data

__all__ = ["arithmetic_findings", "gate_findings", "weight_findings", "paper_agreement",
           "swish_depth_agreement", "theory_agreement", "signal_agreement", "width_agreement"]


def arithmetic_findings(errors: pd.DataFrame) -> str:
    """What the error table says, in sentences made from it by :data:`LEARNED_SCORE`'s rule: a
    model learns a split of a task when its geometric-mean score there is below it.

    >>> errors = pd.DataFrame({"operation": ["add", "add", "multiply", "multiply"],
    ...     "task": ["a + b", "a + b", "a × b", "a × b"], "model": ["relu", "NALU"] * 2,
    ...     "seed": 0, "interpolation_score": [0.1, 0.2, 0.3, 5.0],
    ...     "extrapolation_score": [0.5, 40.0, 60.0, 20.0]})
    >>> print(arithmetic_findings(errors))
    Inside the training range (score below 1: an error under 1% of the random model's), 1 of 2 models learn every task (relu); NALU misses a × b. Outside it: a + b is learnt by relu; no model learns a × b.
    """
    means = _mean_log_scores(errors) < np.log10(LEARNED_SCORE)
    models = list(dict.fromkeys(errors["model"]))
    tasks = dict(zip(errors["operation"], errors["task"], strict=True))
    inside = means["interpolation_log"].unstack("operation")
    every = [m for m in models if inside.loc[m].all()]
    missed = [f"{m} misses {', '.join(tasks[o] for o in inside.columns if not inside.loc[m, o])}"
              for m in models if m not in every]
    text = (f"Inside the training range (score below {LEARNED_SCORE:g}: an error under 1% of "
            f"the random model's), {len(every)} of {len(models)} models learn every task"
            + (f" ({', '.join(every)})" if every else "") + ("; " + "; ".join(missed) if missed
                                                             else "") + ".")
    outside = means["extrapolation_log"].unstack("model")
    learnt, nobody = [], []
    for operation, row in outside.iterrows():
        who = [m for m in models if m in row.index and row[m]]
        if who:
            learnt.append(f"{tasks[operation]} is learnt by {', '.join(who)}")
        else:
            nobody.append(tasks[operation])
    parts = learnt + ([f"no model learns {', '.join(nobody)}"] if nobody else [])
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
    """
    means = weights.groupby(["task", "model"])[["on a and b", "on the others"]].mean()
    ratio = means["on a and b"] / means["on the others"]
    return (f"On a's and b's inputs the first layer's mean |W| is {ratio.min():.2g}× to "
            f"{ratio.max():.2g}× its mean on the distractors (per task and model, means over "
            "seeds); a found solution puts |W| = 1 on them and 0 on the rest.")


def paper_agreement(errors: pd.DataFrame) -> pd.DataFrame:
    """Each of the paper's findings on the static tasks beside ours: per finding and task, the
    models' geometric-mean scores, and whether ours agree (a model "learns" a split of a task
    when its geometric-mean score is below :data:`LEARNED_SCORE`; for "MLPs", the finding
    holds when every MLP does, and "none extrapolates" when none does)."""
    means = _mean_log_scores(errors)
    rows = []
    for statement, who, operations, split, learned in PAPER_FINDINGS:
        for operation in operations:
            if operation not in means.index.get_level_values("operation"):
                continue
            scores = 10 ** means.loc[operation][f"{split}_log"]
            mlps = [m for m in scores.index
                    if m not in (*ARITHMETIC_MODEL_NAMES.values(), "identity")]
            chosen = scores[mlps] if who == "MLPs" else scores[[who]] if who in scores else None
            if chosen is None or chosen.empty:
                continue
            below = chosen < LEARNED_SCORE
            agrees = bool(below.all()) if learned else bool(not below.any())
            if len(chosen) == 1:
                ours = f"{chosen.iloc[0]:.2g}"
            else:
                best, worst = chosen.idxmin(), chosen.idxmax()
                ours = f"best {best} {chosen[best]:.2g}, worst {worst} {chosen[worst]:.2g}"
            rows.append({"the paper": statement, "task": data.ARITHMETIC[operation][0],
                         "our score": ours, "ours agree": "yes" if agrees else "no"})
    return pd.DataFrame(rows)


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
        parts.append(f"{name} {small.mean:+.0%} [{small.low:+.0%}, {small.high:+.0%}] at "
                     f"width {small_width}, {large.mean:+.0%} [{large.low:+.0%}, "
                     f"{large.high:+.0%}] at {large_width}")
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
    parts = [f"{'✓' if check.passed else '✗'} {check.condition}: {check.detail}"
             + (f" ({check.remedy})" if check.remedy and not check.passed else "")
             for check in checks]
    return "**Did it work?** " + " ".join(f"{part}." for part in parts)
