"""The verdict machinery: a claim's pre-stated test, its measurement, and the rule that turns them into a verdict.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from actstudy import stats, studies
from actstudy.analysis import adequacy
from actstudy.present import tables
from actstudy.runner import GridResult, timing, timing_builds
from actstudy.stats import Interval

__all__ = ["VERDICTS", "KINDS", "UNITS", "ALPHA", "Test", "format_value", "format_interval",
           "verdict", "Measurement", "secondary_verdicts", "secondary_level", "Claim", "Context",
           "intersection_union",
           "component_verdicts"]


VERDICTS = ("supported", "contradicted", "undecided")


KINDS = ("above", "below", "equivalence")


# The units a statistic is stated in (:data:`actstudy.present.tables.UNITS` says how each is written).
# A ratio ("x") is tested on its log10 and written back as a ratio; a share ("%") is a level in
# percent, a difference of shares is in "pp".
UNITS = dict(tables.UNITS)


# A one-sided test at this level is what a 95% two-sided interval beyond a margin means.
ALPHA = (1 - stats.CONFIDENCE) / 2


@dataclass(frozen=True)
class Test:
    """What one test measures and what the claim predicts of it.

    ``margin`` is in the statistic's unit: a ratio for ``"x"`` (10.0 is ten
    times), percentage points for ``"pp"``. For an equivalence test it is the
    largest difference that does not matter (for a ratio, the largest factor
    either way).
    """

    statistic: str
    unit: str
    kind: str
    margin: float
    reason: str = ""

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit={self.unit!r} is not allowed: choose one of "
                             f"{', '.join(map(repr, UNITS))}")
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is not allowed: choose one of {', '.join(KINDS)}")
        if not math.isfinite(self.margin) or (self.unit == "x" and self.margin <= 0):
            raise ValueError(f"margin={self.margin!r} is not allowed for {self.statistic!r}: "
                             "give a finite number (a ratio > 0 for unit 'x')")
        if self.kind == "equivalence" and (self.margin <= 0 or (self.unit == "x"
                                                                 and self.margin <= 1)):
            raise ValueError(f"margin={self.margin!r} is not allowed for the equivalence test "
                             f"{self.statistic!r}: give a number > 0 (a ratio > 1 for unit 'x')")

    @property
    def threshold(self) -> float:
        """The margin on the scale the test is computed on (log10 for a ratio)."""
        return math.log10(self.margin) if self.unit == "x" else self.margin

    def show(self, value: float) -> float:
        """A value on the computed scale, back in the statistic's unit."""
        return 10.0 ** value if self.unit == "x" else value

    @property
    def prediction(self) -> str:
        """The claim's prediction in words, e.g. "above 10×" or "within ±0.5 pp"."""
        margin = format_value(self.margin, self.unit)
        if self.kind == "equivalence":
            return (f"within {format_value(1 / self.margin, 'x')} to {margin}"
                    if self.unit == "x" else f"within ±{margin.lstrip('+')}")
        return f"{self.kind} {margin}"


def format_value(value: float, unit: str, decimals: int | None = None) -> str:
    """A value in its unit: ``"327×"``, ``"+0.4 pp"``, ``"1.5 epochs"`` (:func:`tables.number`)."""
    return tables.number(value, unit, decimals)


def format_interval(interval: Interval, test: Test) -> str:
    """``"0.951 [0.947, 0.955]"`` in the test's unit, at the precision the interval justifies."""
    if interval.n == 0 or not math.isfinite(interval.mean):
        return "n/a"
    mean, low, high = (test.show(v) for v in (interval.mean, interval.low, interval.high))
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{format_value(mean, test.unit)} (n = {interval.n}: no interval)"
    if low == high and test.unit != "x":  # an exact value (no sampling spread)
        return format_value(mean, test.unit)
    return tables.interval(mean, low, high, test.unit)


def verdict(interval: Interval, test: Test) -> str:
    """The rule that turns an interval (on the computed scale) into a verdict (module docstring)."""
    low, high, margin = interval.low, interval.high, test.threshold
    # An exact quantity (no sampling spread: a count of operations) needs no replicates.
    if (interval.n < 2 and interval.method != "exact") or not (math.isfinite(low)
                                                                and math.isfinite(high)):
        return "undecided"
    if test.kind == "above":
        return "supported" if low > margin else "contradicted" if high < margin else "undecided"
    if test.kind == "below":
        return "supported" if high < margin else "contradicted" if low > margin else "undecided"
    if -margin <= low and high <= margin:
        return "supported"
    return "contradicted" if low > margin or high < -margin else "undecided"


def intersection_union(verdicts) -> str:
    """A claim's verdict from its components' (one per thing it names): supported only if every
    component is, contradicted if any component is, else undecided. (The rule was put in code
    after the default build's runs existed: the claims' earlier tests took a minimum, a maximum
    or a mean over the same components.) A component's "contradicted" has been Holm-adjusted
    across the claim's components first (:func:`component_verdicts`); "supported" needs no
    adjustment, since every component must be.

    >>> intersection_union(["supported", "supported"]), intersection_union(["supported", "undecided"])
    ('supported', 'undecided')
    >>> intersection_union(["undecided", "contradicted"])
    'contradicted'
    """
    verdicts = list(verdicts)
    if not verdicts:
        return "undecided"
    if "contradicted" in verdicts:
        return "contradicted"
    return "supported" if all(v == "supported" for v in verdicts) else "undecided"


def component_verdicts(measurements: list[Measurement]) -> list[str]:
    """Each component's verdict, its contradiction Holm-adjusted across the components.

    A component is supported when its interval lies beyond the margin on the
    claim's side (no adjustment: the claim needs every component). It is
    contradicted only when its one-sided p-value for the other side, Holm-adjusted
    over the claim's components, is below :data:`ALPHA`: any one contradicted
    component contradicts the claim, so without the adjustment k components at
    their margin would contradict it falsely up to k times as often. An
    inadequate component is undecided.
    """
    if not measurements:
        return []
    other = stats.holm([m.p_values()[1] for m in measurements])
    out = []
    for m, p in zip(measurements, other, strict=True):
        v = m.verdict
        if v == "contradicted" and not p < ALPHA:
            v = "undecided"
        out.append(v)
    return out


@dataclass(frozen=True)
class Measurement:
    """One test's result: its interval over seeds (on the computed scale) and what it means.

    ``inadequate`` is the reason the experiment behind it does not decide it
    ("inadequate: 7 of 10 sigmoid runs never reach the target"); its verdict
    is then undecided whatever the interval says.
    """

    test: Test
    interval: Interval
    inadequate: str = ""

    @property
    def verdict(self) -> str:
        return "undecided" if self.inadequate else verdict(self.interval, self.test)

    @property
    def detectable(self) -> float:
        """The minimum detectable distance from the margin, on the computed scale."""
        return stats.minimum_detectable(
            self.interval, kind="equivalence" if self.test.kind == "equivalence" else "side")

    def detectable_effect(self) -> str:
        """The effect the design detects four times out of five, in words and units."""
        distance, test = self.detectable, self.test
        if not math.isfinite(distance):
            return "none (fewer than two seeds)"
        if test.kind == "equivalence":
            inner = test.threshold - distance
            if inner <= 0:
                return (f"none: with no true difference, an interval this wide would still not "
                        f"fit {test.prediction.removeprefix('within ')}")
            bound = format_value(test.show(inner), test.unit).lstrip("+")
            return (f"equivalence, when the true ratio lies within {bound} either way"
                    if test.unit == "x" else f"equivalence, when the true effect is within ±{bound}")
        beyond = test.threshold + (distance if test.kind == "above" else -distance)
        return f"{'≥' if test.kind == 'above' else '≤'} {format_value(test.show(beyond), test.unit)}"

    def p_values(self) -> tuple[float, float]:
        """One-sided p-values for (the claim's side, the other side) of the margin."""
        interval, margin = self.interval, self.test.threshold
        if self.test.kind == "above":
            return stats.p_value(interval, margin, "above"), stats.p_value(interval, margin, "below")
        if self.test.kind == "below":
            return stats.p_value(interval, margin, "below"), stats.p_value(interval, margin, "above")
        inside = max(stats.p_value(interval, -margin, "above"),
                     stats.p_value(interval, margin, "below"))  # two one-sided tests
        outside = min(stats.p_value(interval, margin, "above"),
                      stats.p_value(interval, -margin, "below"))
        return inside, outside


def secondary_level(k: int) -> float:
    """The confidence of each of a claim's ``k`` secondary intervals: Bonferroni's
    1 - (1 - :data:`stats.CONFIDENCE`) / k, so that the k intervals together hold at 95%."""
    return 1 - (1 - stats.CONFIDENCE) / max(k, 1)


def secondary_verdicts(tests: list[Measurement]) -> list[tuple[float, str, Interval]]:
    """Each secondary test's Bonferroni-adjusted one-sided p-value (of the claim's side), its
    verdict, and the interval it is decided on and shown with.

    With k secondary tests, each interval is at :func:`secondary_level` (k) and its verdict
    follows that interval by the primary test's rule, so the label a reader sees always agrees
    with the interval beside it; the p-value is the one-sided one times k (at most 1), below
    :data:`ALPHA` exactly when the interval lies beyond the margin. (Holm's step-down, used
    before, is more powerful but has no intervals to show: it labelled some tests undecided
    whose unadjusted interval lay wholly beyond the margin.)
    """
    if not tests:
        return []
    level = secondary_level(len(tests))
    out = []
    for test in tests:
        shown = stats.at_confidence(test.interval, level)
        result = "undecided" if test.inadequate else verdict(shown, test.test)
        if test.interval.method == "bootstrap" and result != "undecided":
            # a bootstrap interval cannot be re-drawn at another level: decide on p instead
            p_claim, p_other = (min(1.0, len(tests) * p) for p in test.p_values())
            result = ("supported" if p_claim < ALPHA else "contradicted" if p_other < ALPHA
                      else "undecided")
        out.append((float(min(1.0, len(tests) * test.p_values()[0])), result, shown))
    return out


@dataclass(frozen=True)
class Claim:
    """A claim from the sources and its test, all stated before any run."""

    id: int
    text: str
    source: str
    evidence: str  # "NN_report#Heading-anchor": the section that shows this very experiment
    primary: Test
    study: str  # the study whose runs decide the primary test
    seeds: int  # the seeds (or timing rounds) the default profile gives that study
    measure: Callable[[Context], tuple[Interval, list[Measurement]]] = dataclasses.field(repr=False)
    note: str = ""  # what the test leaves out, and why
    # The adequacy conditions of the experiment that decides the primary test
    # (actstudy.analysis.adequacy): any that fails makes the verdict undecided, with its reason.
    # A claim about several things may give them per component ({component: [checks]}): a
    # failure then makes that component undecided alone.
    adequacy: Callable[[Context], list | dict] | None = dataclasses.field(
        default=None, repr=False)
    # The sentence the claim comes from, verbatim ("…" marks an omission), and the file of
    # ../shared/sources it is in; where no file states the claim, the closest sentence, and
    # ``quote_is_closest`` says so.
    quote: str = ""
    quote_file: str = ""
    quote_is_closest: bool = False

    def checks(self, ctx: Context) -> list[adequacy.Check] | dict[str, list[adequacy.Check]]:
        """The adequacy checks of the deciding experiment on ``ctx``'s runs (none if it names
        none): a list, or a list per component."""
        if self.adequacy is None:
            return []
        found = self.adequacy(ctx)
        return {k: list(v) for k, v in found.items()} if isinstance(found, dict) else list(found)


class Context:
    """A profile, and its studies' runs, shared with the notebooks that show them.

    A claim asks for a subset of a study's runs (``runs("images", activation=[...])``):
    the study is built from the same profile section as the notebook's, so the
    runs are the notebook's cached ones, never new ones. Costs come from the
    build's stored timings (:func:`actstudy.studies.build_costs`), the numbers
    notebook 01 shows, never timed again here.
    """

    # The activations whose costs the claims compare (4: sigmoid and tanh; 7: softplus;
    # 8: gelu and gelu_tanh), each against ReLU.
    COST_ACTIVATIONS = ("relu", "sigmoid", "tanh", "softplus", "gelu", "gelu_tanh")

    def __init__(self, profile: str, progress: bool = True):
        self.profile = profile
        self.progress = progress
        self._results: dict[str, GridResult] = {}
        self._costs = None
        self._operations = None
        self._timing_builds = None
        self._timing_machines = None

    @property
    def grids(self) -> list[GridResult]:
        """Every study's results loaded so far (their datasets go into a report's provenance)."""
        return list(self._results.values())

    def study(self, name: str) -> studies.Study:
        return studies.get(name, self.profile)

    def runs(self, study: str, **subset) -> GridResult:
        """The runs of ``study`` whose config fields take the given values (all of them)."""
        if study not in self._results:
            self._results[study] = self.study(study).run(progress=self.progress)
        everything = self._results[study]
        runs = everything.runs
        for field, wanted in subset.items():
            if field == "activation":
                wanted = studies.activation_names(wanted)
            present = {run.config[field] for run in runs}
            absent = [value for value in wanted if value not in present]
            if absent:
                raise ValueError(
                    f"a claim needs {field}={absent[0]!r} from study {study!r}, which profile "
                    f"{self.profile!r} does not run: add it to the profile's {study} section")
            runs = [run for run in runs if run.config[field] in wanted]
        return GridResult(runs=runs)

    def cost(self) -> pd.DataFrame:
        """The build's element-wise costs (:func:`actstudy.runner.timing.activation_cost`'s frame)."""
        return self._stored_cost("elementwise", "activations")

    def epoch_cost(self) -> pd.DataFrame:
        """The build's training-epoch costs (:func:`actstudy.runner.timing.epoch_cost`'s frame)."""
        return self._stored_cost("epoch", "epoch_activations")

    def operations(self) -> pd.DataFrame:
        """Operations per element of the cost activations, from XLA's cost analysis
        (:func:`actstudy.runner.timing.operation_counts`): deterministic, so computed here."""
        if self._operations is None:
            self._operations = timing.operation_counts(list(self.COST_ACTIVATIONS))
        return self._operations

    def timing_builds(self):
        """The spread of the timing ratios between earlier builds on this kind of machine
        (:func:`actstudy.runner.timing_builds.load`): the study, or None and why."""
        if self._timing_builds is None:
            self._timing_builds = timing_builds.load(self.profile)
        return self._timing_builds

    def timing_machines(self):
        """The studies of the other machines of this kind (design 6), by label, and why none
        could be read (:func:`actstudy.runner.timing_builds.other_machines`)."""
        if self._timing_machines is None:
            self._timing_machines = timing_builds.other_machines(self.profile)
        return self._timing_machines

    def timing_provenance(self) -> dict:
        """How and where this build's timings were measured (machine, parameters)."""
        if self._costs is None:
            self._costs = studies.build_costs(self.profile)
        return self._costs.provenance

    def _stored_cost(self, measurement: str, parameter: str) -> pd.DataFrame:

        if self._costs is None:
            self._costs = studies.build_costs(self.profile)
        frame = getattr(self._costs, measurement)
        absent = [name for name in self.COST_ACTIVATIONS if name not in set(frame["activation"])]
        if absent:
            raise ValueError(
                f"a claim needs the cost of {absent[0]!r}, which profile {self.profile!r} does "
                f"not time: add it to the profile's activation_cost {parameter}")
        return frame
