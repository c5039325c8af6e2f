"""Claims 4, 7 and 8's timing ratios, decided over this machine's builds
(:func:`timing_ratio`), and their deterministic counterpart, operations per element from XLA's
cost analysis (:func:`operations_test`).
"""

from __future__ import annotations

import pandas as pd

from actstudy import stats
from actstudy.analysis import adequacy
from actstudy.claims.verdicts import Measurement, Test
from actstudy.runner import timing, timing_builds

__all__ = ["COST_MARGIN", "TIMING_CONTRASTS", "timing_ratio", "timing_checks", "cost_test",
           "alone_test", "operations_test", "rectifier_cost_adequacy",
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


def timing_ratio(ctx, measure: str, slow: str, fast: str = "relu"):
    """A timing ratio decided over this machine's builds: its interval, this build's alone,
    and the checks they rest on.

    This build's estimate (the median over its fresh processes of each one's median log10
    ratio over its rounds) joins the earlier builds' on the same kind of machine, each
    occasion once, and the interval is Student's t over the occasions
    (:func:`actstudy.stats.over_builds`): one build's processes, run within a minute, do not
    vary as builds do, and one build cannot decide a ratio close to its margin. This build
    alone, with the spread between occasions as its interval
    (:func:`actstudy.stats.between_builds`), is shown beside it. Without such a study for this
    machine the interval is over this build's processes alone and the check that fails says
    why, so the verdict is undecided; so is a build that ran slower or faster than the study's
    (ReLU's epoch time off by more than the study's tolerance: other work on the cores, or
    another machine), or whose processes scatter more than any earlier build's."""
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
        return alone, alone, [calibrated]
    own, median = timing_builds.speed(ctx.epoch_cost()), spread.speed()
    fits = timing_builds.speed_fits(own, median)
    fast_enough = adequacy.Check(
        "this build ran as fast as the study's builds (ReLU's epoch time within "
        f"{timing_builds.SPEED_TOLERANCE:.2f}x either way of the median build's)",
        fits, f"ReLU's epoch took {own * 1000:.1f} ms in this build, {own / median:.3f}x the "
        f"study's median build's {median * 1000:.1f} ms (allowed: "
        f"{1 / timing_builds.SPEED_TOLERANCE:.3f}x to {timing_builds.SPEED_TOLERANCE:.2f}x)",
        "" if fits else "time again on a quiet machine (`actstudy timing`), then render 06 "
        "again; on another machine, study its own builds (README, Profiles)")
    scatter, largest = timing_builds.deviation(logs), spread.largest_deviation(key)
    quiet = adequacy.Check(
        "this build's processes scatter no more than an earlier build's did (the median "
        "absolute deviation, which one or two busy processes leave unmoved, as the median)",
        scatter <= largest, f"{key}: median absolute deviation over this build's processes "
        f"{scatter:.4f} (log10), the earlier builds' largest {largest:.4f}",
        "" if scatter <= largest else "time again on a quiet machine (`actstudy timing`), then "
        "render 06 again")
    earlier = spread.occasion_estimates(key)
    return (stats.over_builds(logs, earlier), stats.between_builds(logs, earlier),
            [calibrated, fast_enough, quiet])


def timing_checks(ctx, measure: str, slow: str, fast: str = "relu") -> list:
    return timing_ratio(ctx, measure, slow, fast)[2]


def _measured(statistic: str, interval, checks) -> Measurement:
    """A timing test against the cost margin, undecided with the first failed check's reason."""
    failed = adequacy.failed(checks)
    return Measurement(Test(statistic, "x", "above", COST_MARGIN), interval,
                       failed[0].reason() if failed else "")


def cost_test(ctx, measure: str, slow: str, fast: str, what: str) -> Measurement:
    interval, _, checks = timing_ratio(ctx, measure, slow, fast)
    return _measured(f"{what}: {slow} / {fast} (×)", interval, checks)


def alone_test(ratio, slow: str, fast: str = "relu") -> Measurement:
    """This build's epoch ratio alone, from :func:`timing_ratio`'s result ``ratio``: its
    processes' median, with the spread between the study's occasions as its interval."""
    _, alone, checks = ratio
    return _measured(f"one training epoch, this build alone (interval: the spread between "
                     f"earlier occasions): {slow} / {fast} (×)", alone, checks)


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
