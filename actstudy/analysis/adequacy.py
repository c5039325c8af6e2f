"""Whether an experiment did what it was meant to: runs that finished learning, rates inside their grid, targets reached, no divergence, learned mechanisms that engaged.

Each diagnostic gives a :class:`Check`: the condition in words, whether the
runs meet it, and what they show. A report section prints its checks in one
line (:func:`actstudy.present.text.adequacy`); a claim names the checks of the
experiment that decides it, and any that fails makes its verdict undecided
(:func:`actstudy.claims.evaluate`). The thresholds below were set before any
build's values were looked at, each with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from actstudy.analysis.arithmetic import GATE_CHOICE

__all__ = ["Check", "IMPROVING_EPOCHS", "MAX_IMPROVING", "MAX_CENSORED", "GATE_DECIDED",
           "MIN_GATES_DECIDED", "MIXTURE_MOVED", "SLOPE_MOVED", "still_improving",
           "converged", "not_diverged", "rates_inside", "targets_reached", "gates_decided",
           "mixture_moved", "slopes_moved", "failed", "trained", "ran_at_chosen_rates",
           "not_cut_short", "path_taken"]


# "The last few epochs": one epoch's change is within the noise of a validation split; over
# three a trend shows.
IMPROVING_EPOCHS = 3
# A group of runs (one activation and setting) has not finished learning when more than half
# of its runs are still improving: its final number is then not where its training was going.
MAX_IMPROVING = 0.5
# An epochs-to-target comparison means little when more than half of a group's runs never
# reach the target: they all count as the same censored value.
MAX_CENSORED = 0.5
# A NALU unit has picked a path when its gate is within GATE_CHOICE (0.1) of 0 or 1, the rule
# 07 states (a gate of 0.9 weighs one path nine times the other); for each run, layer and unit.
GATE_DECIDED = 0.5 - GATE_CHOICE
# "The NALU picks an operation" when at least half of its units (over tasks, layers and seeds)
# have decided gates.
MIN_GATES_DECIDED = 0.5
# Mixture weights have moved when they are 0.1 from uniform in total variation (a tenth of
# the output's weight has moved between bases).
MIXTURE_MOVED = 0.1
# PReLU slopes have moved when their mean absolute change is 0.05: five times the default
# profile's starting slope of 0.01, and a visible bend in the negative half.
SLOPE_MOVED = 0.05


@dataclass(frozen=True)
class Check:
    """One adequacy condition: what must hold, whether it does, and what the runs show."""

    condition: str  # in words: "at most half of each group's runs still improving at the end"
    passed: bool
    detail: str  # what the runs show: "7 of 10 sigmoid runs (depth 8) still improving"
    remedy: str = ""  # where it would hold: "the full profile (more epochs)"
    # False: shown beside the verdict, never makes it undecided (a timing claim's rule for
    # counting this build: a build it refuses is left out, and the study decides alone)
    gates: bool = True

    def reason(self) -> str:
        """The failure in words, as a verdict gives it ("inadequate: ...")."""
        return f"inadequate: {self.detail}" + (f"; {self.remedy}" if self.remedy else "")


def failed(checks: Sequence[Check]) -> list[Check]:
    """The checks that fail and so make a verdict undecided (those that gate it)."""
    return [check for check in checks if not check.passed and check.gates]


def _name(group: tuple, by: Sequence[str]) -> str:
    """A group's values as a label: ("sigmoid", 8) by (activation, depth) -> "sigmoid, depth 8"."""
    parts = []
    for field, value in zip(by, group, strict=True):
        if field in ("activation", "activation_label", "model", "task", "dataset"):
            parts.append(str(value))
        elif field == "learning_rate":
            parts.append(f"rate {value:g}")
        elif isinstance(value, bool | np.bool_):  # train_hidden True -> "train hidden"
            parts.append(field.replace("_", " ") if value else f"not {field.replace('_', ' ')}")
        else:
            parts.append(f"{field.replace('_', ' ')} {value:g}" if isinstance(
                value, int | float | np.number) else f"{field.replace('_', ' ')} {value}")
    return ", ".join(parts)


def _groups(frame: pd.DataFrame, by: Sequence[str]):
    by = list(by)
    for group, part in frame.groupby(by, sort=False) if by else [((), frame)]:
        yield (group if isinstance(group, tuple) else (group,)), part


def _share_check(frame: pd.DataFrame, by: Sequence[str], flag: str, limit: float,
                 condition: str, remedy: str, what, passed: str) -> Check:
    """A check that no group of ``by`` has more than ``limit`` of its runs with ``flag`` True.

    Failing, it names the group with the largest share ("7 of 10 sigmoid runs
    ``what(part)``", the first of equal shares) and how many more groups fail;
    passing, its detail is ``passed``.
    """
    worst = []
    for group, part in _groups(frame, by):
        flagged = part[flag].astype(bool)
        if flagged.mean() > limit:
            worst.append((flagged.mean(), f"{int(flagged.sum())} of {len(part)} "
                                          f"{_name(group, by)} runs {what(part)}"))
    if not worst:
        return Check(condition, True, passed)
    worst.sort(key=lambda w: -w[0])
    more = f" (and {len(worst) - 1} more groups)" if len(worst) > 1 else ""
    return Check(condition, False, worst[0][1] + more, remedy)


def still_improving(history: pd.DataFrame, by: Sequence[str] = ("activation",),
                    epochs: int = IMPROVING_EPOCHS) -> pd.DataFrame:
    """Per run: whether its validation loss was still falling when training ended.

    A run is still improving when its validation loss fell over its last
    ``epochs`` epochs (from the epoch before them to the lowest among them) by
    more than the seed-to-seed spread (standard deviation) of the final
    validation loss in its group of ``by``. With fewer epochs than that, the
    fall is measured from the first epoch. A group of one run has no spread;
    any fall counts. A run whose losses are not finite (diverged) is not
    improving; :func:`not_diverged` counts it.

    >>> history = pd.DataFrame({"key": list("aaaaabbbbb"), "activation": "tanh",
    ...     "seed": [0] * 5 + [1] * 5, "epoch": [1, 2, 3, 4, 5] * 2,
    ...     "val_loss": [1.0, 0.8, 0.6, 0.4, 0.2, 1.0, 0.5, 0.5, 0.5, 0.5]})
    >>> still_improving(history)[["key", "fall", "spread", "improving"]].round(3).values.tolist()
    [['a', 0.6, 0.212, True], ['b', 0.0, 0.212, False]]
    """
    by = list(by)
    rows = []
    for key, part in history.sort_values("epoch").groupby("key", sort=False):
        losses = part["val_loss"].to_numpy(float)
        start = max(len(losses) - epochs - 1, 0)
        finite = bool(np.isfinite(losses).all())
        fall = float(losses[start] - losses[start + 1:].min()) if finite and len(losses) > 1 \
            else np.nan
        rows.append({"key": key, **part.iloc[-1][[*by, "seed"]].to_dict(),
                     "epochs": int(part["epoch"].max()), "final": losses[-1], "fall": fall})
    runs = pd.DataFrame(rows)
    spread = runs.groupby(by, sort=False)["final"].transform(
        lambda x: x.std(ddof=1) if len(x) > 1 else 0.0) if by else runs["final"].std(ddof=1)
    runs["spread"] = spread
    runs["improving"] = (runs["fall"] > runs["spread"].fillna(0.0)).fillna(False).astype(bool)
    return runs.drop(columns="final")


def converged(history: pd.DataFrame, by: Sequence[str] = ("activation",),
              epochs: int = IMPROVING_EPOCHS, remedy: str = "") -> Check:
    """At most :data:`MAX_IMPROVING` of each group's runs still improving at the end.

    >>> history = pd.DataFrame({"key": list("aabb"), "activation": "tanh", "seed": [0, 0, 1, 1],
    ...     "epoch": [1, 2, 1, 2], "val_loss": [1.0, 0.5, 1.0, 0.45]})
    >>> converged(history).detail
    '2 of 2 tanh runs still improving at epoch 2'
    """
    runs = still_improving(history, by, epochs)
    condition = (f"at most {MAX_IMPROVING:.0%} of each group's runs still improving over the "
                 f"last {epochs} epochs (all but the first, in shorter runs)")
    return _share_check(
        runs, by, "improving", MAX_IMPROVING, condition, remedy,
        lambda part: f"still improving at epoch {int(part['epochs'].max())}",
        f"{int(runs['improving'].sum())} of {len(runs)} runs still improving at the end")


def not_diverged(summary: pd.DataFrame, by: Sequence[str] = ("activation",)) -> Check:
    """No run diverged (its loss turned non-finite).

    >>> summary = pd.DataFrame({"activation": ["relu", "relu"], "diverged": [False, True]})
    >>> not_diverged(summary).detail
    '1 of 2 relu runs diverged'
    """
    condition = "no run diverged"
    diverged = summary["diverged"].astype(bool)
    if not diverged.any():
        return Check(condition, True, f"none of {len(summary)} runs diverged")
    worst = [(part["diverged"].astype(bool).sum(), len(part), _name(group, by))
             for group, part in _groups(summary, by) if part["diverged"].astype(bool).any()]
    count, n, name = max(worst)
    more = f" (and {len(worst) - 1} more groups)" if len(worst) > 1 else ""
    return Check(condition, False, f"{count} of {n} {name} runs diverged{more}")


def rates_inside(chosen: pd.DataFrame, by: Sequence[str] = ("activation", "depth"),
                 allowed: int = 0, remedy: str = "") -> Check:
    """At most ``allowed`` chosen learning rates at an edge of their grid.

    ``chosen`` is :func:`actstudy.analysis.tune_learning_rate`'s second frame
    (its ``edge`` column says "lowest" or "highest"): a best rate at an edge
    may lie beyond it.

    >>> chosen = pd.DataFrame({"activation": ["relu", "tanh"], "depth": 2,
    ...                        "learning_rate": [0.01, 0.003], "edge": ["", "lowest"]})
    >>> rates_inside(chosen).detail
    '1 of 2 chosen rates at an edge of the grid (tanh, depth 2: 0.003, the lowest)'
    """
    edges = chosen[chosen["edge"].astype(str) != ""]
    condition = (f"at most {allowed} chosen learning rates at an edge of their grid" if allowed
                 else "no chosen learning rate at an edge of its grid")
    names = "; ".join(f"{_name(tuple(row[list(by)]), by)}: {row['learning_rate']:g}, the "
                      f"{row['edge']}" for _, row in edges.iterrows())
    detail = (f"{len(edges)} of {len(chosen)} chosen rates at an edge of the grid"
              + (f" ({names})" if names else ""))
    return Check(condition, len(edges) <= allowed, detail, "" if len(edges) <= allowed else remedy)


def targets_reached(reach: pd.DataFrame, by: Sequence[str] = ("activation",),
                    remedy: str = "") -> Check:
    """At most :data:`MAX_CENSORED` of each group's runs never reach the target.

    ``reach`` is :func:`actstudy.analysis.time_to_target`'s frame.

    >>> reach = pd.DataFrame({"activation": ["relu"] * 3, "reached": [True, False, False]})
    >>> targets_reached(reach).detail
    '2 of 3 relu runs never reach the target'
    """
    condition = f"at most {MAX_CENSORED:.0%} of each group's runs never reach the target"
    never = reach.assign(never=~reach["reached"].astype(bool))
    return _share_check(never, by, "never", MAX_CENSORED, condition, remedy,
                        lambda part: "never reach the target",
                        f"{int(never['never'].sum())} of {len(reach)} runs never reach the target")


def gates_decided(gates: pd.DataFrame, margin: float = GATE_DECIDED,
                  minimum: float = MIN_GATES_DECIDED, remedy: str = "") -> Check:
    """The NALU picks a path: at least ``minimum`` of its units (every task, layer and seed) have
    a gate at least ``margin`` from 0.5.

    ``gates`` is :func:`actstudy.analysis.nalu_gates`'s frame (one row per
    run, layer and unit).

    >>> gates = pd.DataFrame({"task": "a × b", "seed": [0, 1], "layer": 1, "gate": [0.02, 0.6]})
    >>> gates_decided(gates).detail
    '1 of 2 NALU units pick a path (gate below 0.1 or above 0.9)'
    """
    decided = (gates["gate"] - 0.5).abs() >= margin
    share = decided.mean() if len(gates) else 0.0
    condition = (f"at least {minimum:.0%} of the NALU's units pick a path (gate at least "
                 f"{margin:g} from 0.5)")
    detail = (f"{int(decided.sum())} of {len(gates)} NALU units pick a path (gate below "
              f"{0.5 - margin:.2g} or above {0.5 + margin:.2g})")
    return Check(condition, bool(share >= minimum), detail, "" if share >= minimum else remedy)


def mixture_moved(learned: pd.DataFrame, moved: float = MIXTURE_MOVED, remedy: str = "") -> Check:
    """The mixture's weights left uniform: the mean over its runs and layers of the total
    variation distance from equal weights is at least ``moved``.

    >>> learned = pd.DataFrame({"key": "k", "activation": "mixture", "layer_index": 0,
    ...     "epoch": 3, "parameter": ["weight_relu", "weight_tanh"], "mean": [0.7, 0.3]})
    >>> mixture_moved(learned).detail
    'mixture weights 0.2 from uniform on average (total variation)'
    """
    part = learned[(learned["activation"] == "mixture")
                   & learned["parameter"].str.startswith("weight_")]
    part = part[part["epoch"] == part.groupby("key")["epoch"].transform("max")]
    per_layer = part.groupby(["key", "layer_index"])["mean"].agg(
        lambda w: 0.5 * np.abs(w - 1 / len(w)).sum())
    distance = float(per_layer.mean()) if len(per_layer) else np.nan
    condition = f"the mixture's weights at least {moved:g} from uniform (total variation)"
    return Check(condition, bool(distance >= moved),
                 f"mixture weights {distance:.2g} from uniform on average (total variation)",
                 "" if distance >= moved else remedy)


def slopes_moved(slopes: pd.DataFrame, moved: float = SLOPE_MOVED, remedy: str = "") -> Check:
    """PReLU's slopes moved from their start: the mean absolute change over units is at least
    ``moved``. ``slopes`` is :func:`actstudy.analysis.learned_slopes`'s frame.

    >>> slopes = pd.DataFrame({"change": [0.01, -0.03]})
    >>> slopes_moved(slopes).detail
    'PReLU slopes moved 0.02 from their start on average (mean |change| over units)'
    """
    change = float(slopes["change"].abs().mean()) if len(slopes) else np.nan
    condition = f"PReLU's slopes moved at least {moved:g} from their start on average"
    return Check(condition, bool(change >= moved),
                 f"PReLU slopes moved {change:.2g} from their start on average (mean |change| "
                 "over units)", "" if change >= moved else remedy)


def trained(history: pd.DataFrame, summary: pd.DataFrame, by: Sequence[str] = ("activation",),
            remedy: str = "") -> list[Check]:
    """The two checks of any trained comparison: :func:`converged` and :func:`not_diverged`."""
    return [converged(history, by, remedy=remedy), not_diverged(summary, by)]


def ran_at_chosen_rates(history: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``history`` of the runs in ``runs`` (those at each group's chosen rate)."""
    return history[history["key"].isin(runs["key"])]


def not_cut_short(runs: pd.DataFrame, by: Sequence[str] = ("activation", "depth"),
                  remedy: str = "") -> Check:
    """For runs trained with early stopping (``Config(restore_best=True)``): at most
    :data:`MAX_IMPROVING` of each group's runs have their best validation epoch at their last,
    where the budget cut them off while they were still getting better.

    The direct measure of an early-stopping study's budget: :func:`converged` compares a
    run's fall with its group's spread, which a group whose seeds disagree widely (some
    learning, some not) can hide. ``runs`` is :func:`actstudy.analysis.tune_learning_rate`'s
    first frame (``best_epoch``, ``epochs_run``).

    >>> runs = pd.DataFrame({"activation": "sigmoid", "depth": 8, "best_epoch": [14] * 8 + [9] * 2,
    ...                      "epochs_run": 14})
    >>> not_cut_short(runs).detail
    '8 of 10 sigmoid, depth 8 runs best at their last epoch (14)'
    """
    condition = (f"at most {MAX_IMPROVING:.0%} of each group's runs best at their last epoch "
                 "(early stopping)")
    at_end = runs["best_epoch"].astype(float) == runs["epochs_run"].astype(float)
    return _share_check(
        runs.assign(at_end=at_end), by, "at_end", MAX_IMPROVING, condition, remedy,
        lambda part: f"best at their last epoch ({int(part['epochs_run'].max())})",
        f"{int(at_end.sum())} of {len(runs)} runs best at their last epoch")


def path_taken(gates: pd.DataFrame, task: str, path: str = "multiplying",
               minimum: float = MIN_GATES_DECIDED, remedy: str = "") -> Check:
    """The NALU takes the path a task needs: in at least ``minimum`` of its seeds on ``task``,
    some unit's gate is within :data:`GATE_CHOICE` of that path's end (0: multiplying, 1:
    adding). A decided gate on the wrong path is not a NALU that learned the task.

    >>> gates = pd.DataFrame({"task": "a × b", "seed": [0, 0, 1, 1], "layer": 1,
    ...                       "unit": [0, 1, 0, 1], "gate": [0.02, 0.97, 0.98, 0.99]})
    >>> path_taken(gates, "a × b").detail
    'on a × b, 1 of 2 NALU seeds have a unit on the multiplying path (gate below 0.1)'
    """
    part = gates[gates["task"] == task]
    on_path = (part["gate"] < GATE_CHOICE) if path == "multiplying" else (
        part["gate"] > 1 - GATE_CHOICE)
    seeds = part.assign(on=on_path).groupby("seed")["on"].any()
    share = seeds.mean() if len(seeds) else 0.0
    where = f"below {GATE_CHOICE:g}" if path == "multiplying" else f"above {1 - GATE_CHOICE:g}"
    condition = (f"on {task}, at least {minimum:.0%} of the NALU's seeds have a unit on the "
                 f"{path} path")
    detail = (f"on {task}, {int(seeds.sum())} of {len(seeds)} NALU seeds have a unit on the "
              f"{path} path (gate {where})")
    return Check(condition, bool(share >= minimum), detail, "" if share >= minimum else remedy)
