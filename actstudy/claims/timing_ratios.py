"""Claims 4, 7 and 8's timing ratios, decided over this machine's builds
(:func:`timing_ratio`), and their deterministic counterpart, operations per element from XLA's
cost analysis (:func:`operations_test`).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import pandas as pd

from actstudy import stats
from actstudy.analysis import adequacy
from actstudy.claims.verdicts import Measurement, Test, verdict
from actstudy.runner import timing, timing_builds

__all__ = ["COST_MARGIN", "TIMING_CONTRASTS", "TimingRatio", "timing_ratio", "timing_checks",
           "cost_test", "alone_test", "operations_test", "rectifier_cost_adequacy",
           "softplus_cost_adequacy", "gelu_cost_adequacy"]

# The margin every cost comparison uses: a saving under 10% is not what "cheaper" or "speeds up
# training" promises a user. Each timing ratio is decided over this machine's builds
# (timing_ratio).
COST_MARGIN = 1.10


# The timing ratios claims 4, 7 and 8 test, each (measure, slow, fast): a training epoch's and
# the element-wise forward+backward pass's. ``actstudy timing-builds`` stores them for earlier
# builds (:mod:`actstudy.runner.timing_builds`).
TIMING_CONTRASTS = tuple(
    [(measure, slow, "relu") for measure in ("epoch", "forward+backward")
     for slow in ("sigmoid", "tanh", "softplus", "gelu")]
    + [(measure, "gelu", "gelu_tanh") for measure in ("epoch", "forward+backward")])


def _cost_frame(ctx, measure: str) -> pd.DataFrame:
    if measure == "epoch":
        return ctx.epoch_cost()
    cost = ctx.cost()
    return cost[cost["pass"] == measure]


class TimingRatio(NamedTuple):
    """A timing ratio over this machine's builds (:func:`timing_ratio`)."""

    pooled: stats.Interval  # the primary: the study's occasions, and this build's if counted
    alone: stats.Interval  # this build alone, with the spread between occasions
    checks: list  # what the pooled verdict rests on: a study for this kind of machine
    counted: list  # whether this build joins the pooled interval: the study's inclusion rules
    machines: list  # design 6: whether every other studied machine gives the same verdict


def timing_ratio(ctx, measure: str, slow: str, fast: str = "relu") -> TimingRatio:
    """A timing ratio decided over this machine's builds: its interval, this build's alone,
    and the checks they rest on.

    This build's estimate (the median over its fresh processes of each one's median log10
    ratio over its rounds) joins the earlier builds' on the same kind of machine, each
    occasion once, and the interval is Student's t over the occasions
    (:func:`actstudy.stats.over_builds`): one build's processes, run within a minute, do not
    vary as builds do, and one build cannot decide a ratio close to its margin. This build
    alone, with the spread between occasions as its interval
    (:func:`actstudy.stats.between_builds`), is shown beside it.

    This build joins only under the rules the study's own builds met: ReLU's epoch time within
    the study's tolerance of its median build's (a slower or faster machine: other work on the
    cores, or another machine), and its processes scattering no more than any earlier build's.
    A build that fails one is left out, as the study leaves out its own builds that did, and
    the interval is the study's occasions alone; the checks it failed make this build's own
    test undecided, not the claim. Without a study for this machine the interval is over this
    build's processes alone and the check that fails says why, so the verdict is undecided."""
    logs = timing.process_log_ratios(_cost_frame(ctx, measure), slow, fast)
    key = timing_builds.contrast_key(measure, slow, fast)
    spread, why = ctx.timing_builds()
    if spread is not None:
        why = timing_builds.usable(spread, ctx.timing_provenance(), key)
    calibrated = adequacy.Check(
        "the ratio has been measured on this kind of machine with these timing parameters, "
        f"in at least {timing_builds.MINIMUM_BUILDS} earlier occasions",
        not why, why or spread.describe(),
        "" if not why else "time the profile in separate builds hours apart, then "
        "`actstudy timing-builds` (README, Profiles)")
    if why:
        alone = stats.mean_ci(logs)
        return TimingRatio(alone, alone, [calibrated], [], [])
    own, median = timing_builds.speed(ctx.epoch_cost()), spread.speed()
    fits = timing_builds.speed_fits(own, median)
    left_out = "; this build is not counted in the ratio over builds, which is the study's alone"
    fast_enough = adequacy.Check(
        "this build ran as fast as the study's builds (ReLU's epoch time within "
        f"{timing_builds.SPEED_TOLERANCE:.2f}x either way of the median build's)",
        fits, f"ReLU's epoch took {own * 1000:.1f} ms in this build, {own / median:.3f}x the "
        f"study's median build's {median * 1000:.1f} ms (allowed: "
        f"{1 / timing_builds.SPEED_TOLERANCE:.3f}x to {timing_builds.SPEED_TOLERANCE:.2f}x)"
        + ("" if fits else left_out),
        "" if fits else "time again on a quiet machine (`actstudy timing`), then render 06 "
        "again; on another machine, study its own builds (README, Profiles)")
    scatter, largest = timing_builds.deviation(logs), spread.largest_deviation(key)
    quiet = adequacy.Check(
        "this build's processes scatter no more than an earlier build's did (the median "
        "absolute deviation, which one or two busy processes leave unmoved, as the median)",
        scatter <= largest, f"{key}: median absolute deviation over this build's processes "
        f"{scatter:.4f} (log10), the earlier builds' largest {largest:.4f}"
        + ("" if scatter <= largest else left_out),
        "" if scatter <= largest else "time again on a quiet machine (`actstudy timing`), then "
        "render 06 again")
    earlier = spread.occasion_estimates(key)
    counted = [fast_enough, quiet]
    pooled = (stats.mean_ci(earlier) if adequacy.failed(counted)
              else stats.over_builds(logs, earlier))
    everywhere = _on_every_machine(ctx, key, pooled)
    return TimingRatio(pooled, stats.between_builds(logs, earlier), [calibrated], counted,
                       [everywhere])


def _on_every_machine(ctx, key: str, pooled: stats.Interval) -> adequacy.Check:
    """Design 6 (preregistrations/2026-12-06-timing-design-6-machines.md): a timing verdict
    holds only where every other studied machine of this kind gives it too, each from its own
    builds (Student's t over its occasions, the same margin): the intersection-union rule the
    claims use for components, with machines in their place. No interval is formed across
    machines: two are no sample of a population. A study of another kind of machine, or with
    other timing parameters, is not of this kind: it is named and not compared."""
    test = Test("", "x", "above", COST_MARGIN)
    here = verdict(pooled, test)
    others, unread = ctx.timing_machines()
    readings, agree, differ, remedy = [f"the study's machine: {here}"], not unread, False, ""
    # This build is never in another machine's interval, so being one of its builds is no
    # reason to refuse it (the in-sample rule is the study machine's).
    provenance = {**ctx.timing_provenance(), "measured": None}
    for label, other in others.items():
        why = timing_builds.usable(other, provenance, key)
        if why and timing_builds.of_another_kind(other, provenance):
            readings.append(f"machine {label} not compared: {why}")
            continue
        if why:
            readings.append(f"machine {label}: {why}")
            agree, remedy = False, (f"time machine {label}'s study again or remove it "
                                    f"(notebooks/params/, README, Profiles)")
            continue
        interval = stats.mean_ci(other.occasion_estimates(key))
        said = verdict(interval, test)
        readings.append(f"machine {label} ({interval.n} occasions): "
                        f"{10 ** interval.mean:.3f}x [{10 ** interval.low:.3f}x, "
                        f"{10 ** interval.high:.3f}x], {said}")
        if said != here:
            agree, differ = False, True
            remedy = remedy or "none within this design: the machines disagree"
    if unread:
        readings.append(unread)
        remedy = "repair or remove the study it names (notebooks/params/, README, Profiles)"
    shown = "; ".join(readings) if len(readings) > 1 else (
        f"the study's machine: {here}; no other machine of this kind has been studied")
    return adequacy.Check(
        "the verdict holds on every machine of this kind studied, each from its own builds",
        agree, ("the verdict depends on the machine: " if differ else "") + shown,
        "" if agree else remedy)


def timing_checks(ctx, measure: str, slow: str, fast: str = "relu") -> list:
    """The checks a timing verdict rests on, and beside them (shown, never gating) whether
    this build was counted."""
    ratio = timing_ratio(ctx, measure, slow, fast)
    return (ratio.checks + ratio.machines
            + [dataclasses.replace(check, gates=False) for check in ratio.counted])


def _measured(statistic: str, interval, checks) -> Measurement:
    """A timing test against the cost margin, undecided with the first failed check's reason."""
    failed = adequacy.failed(checks)
    return Measurement(Test(statistic, "x", "above", COST_MARGIN), interval,
                       failed[0].reason() if failed else "")


def cost_test(ctx, measure: str, slow: str, fast: str, what: str) -> Measurement:
    ratio = timing_ratio(ctx, measure, slow, fast)
    return _measured(f"{what}: {slow} / {fast} (×)", ratio.pooled, ratio.checks + ratio.machines)


def alone_test(ratio: TimingRatio, slow: str, fast: str = "relu") -> Measurement:
    """This build's epoch ratio alone, from :func:`timing_ratio`'s result ``ratio``: its
    processes' median, with the spread between the study's occasions as its interval;
    undecided where this build is not counted in the pooled ratio (not by the other machines'
    readings: it is this build's reading, not a verdict about machines)."""
    return _measured(f"one training epoch, this build alone (interval: the spread between "
                     f"earlier occasions): {slow} / {fast} (×)", ratio.alone,
                     ratio.checks + ratio.counted)


def rectifier_cost_adequacy(ctx):
    """Per component (sigmoid, tanh): the checks its epoch ratio is decided over builds on."""
    return {name: timing_checks(ctx, "epoch", name) for name in ("sigmoid", "tanh")}


def softplus_cost_adequacy(ctx):
    return timing_checks(ctx, "epoch", "softplus")


def gelu_cost_adequacy(ctx):
    return timing_checks(ctx, "epoch", "gelu")


def operations_test(ctx, slow: str, fast: str = "relu") -> Measurement:
    """Claims 4, 7 and 8's deterministic cost: operations per element of the forward+backward
    pass from XLA's cost analysis (:func:`actstudy.runner.timing.operation_counts`)."""
    counts = ctx.operations().set_index("activation")["operations_forward_backward"]
    return Measurement(Test(f"operations per element, forward+backward (XLA's cost analysis: "
                            f"flops + transcendentals): {slow} - {fast}", "", "above", 0.0),
                       stats.exact(float(counts[slow] - counts[fast])))
