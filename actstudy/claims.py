"""The sources' claims about activation functions, each with a test stated before any run.

A :class:`Claim` names its text, its source, the report section that shows its
experiment, and its primary :class:`Test`: the statistic, in units a reader
understands (a ×-ratio, percentage points, epochs), the side of a margin the
claim predicts (``above``, ``below``) or an equivalence margin, the reason for
that margin, the study whose runs decide it and how many seeds the default
profile gives that study. ``measure`` runs (or loads from the cache) the
experiment under a profile and returns the primary statistic's interval over
seeds and any secondary :class:`Measurement` objects.

The verdict comes from the primary test alone, by its 95% confidence interval:

- ``above`` (the claim predicts an effect beyond the margin): **supported** when
  the whole interval lies above the margin, **contradicted** when it lies below,
  else **undecided**; ``below`` mirrors it;
- ``equivalence`` (the claim predicts no difference that matters): **supported**
  when the whole interval lies within ±margin (within [1/margin, margin] for a
  ratio), **contradicted** when it lies entirely outside, else **undecided**.

Ratios are tested on log10 (their logs are roughly normal over seeds) and shown
back as ratios. An undecided verdict comes with its size: the minimum detectable
effect, the smallest true distance from the margin that the design would detect
four times out of five (:func:`actstudy.stats.minimum_detectable`). Secondary
tests are shown with Holm-adjusted p-values within their claim; they never
change the verdict. Fewer than two seeds decide nothing.

>>> from actstudy.claims import Test, verdict
>>> from actstudy.stats import Interval
>>> test = Test("ReLU's ratio over sigmoid's", "x", "above", 10.0, "an order of magnitude")
>>> verdict(Interval(2.0, 1.5, 2.5, 5, "t"), test)  # log10: 100x [32x, 316x]
'supported'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from actstudy import activations, analysis, data, stats, studies, tables
from actstudy.experiments import GridResult
from actstudy.stats import Interval, paired

VERDICTS = ("supported", "contradicted", "undecided")
KINDS = ("above", "below", "equivalence")
# The units a statistic is stated in (:data:`actstudy.tables.UNITS` says how each is written).
# A ratio ("x") is tested on its log10 and written back as a ratio.
UNITS = {unit: text for unit, text in tables.UNITS.items() if unit != "%"}
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
    if interval.n < 2 or not (math.isfinite(low) and math.isfinite(high)):
        return "undecided"
    if test.kind == "above":
        return "supported" if low > margin else "contradicted" if high < margin else "undecided"
    if test.kind == "below":
        return "supported" if high < margin else "contradicted" if low > margin else "undecided"
    if -margin <= low and high <= margin:
        return "supported"
    return "contradicted" if low > margin or high < -margin else "undecided"


@dataclass(frozen=True)
class Measurement:
    """One test's result: its interval over seeds (on the computed scale) and what it means."""

    test: Test
    interval: Interval

    @property
    def verdict(self) -> str:
        return verdict(self.interval, self.test)

    @property
    def detectable(self) -> float:
        """The minimum detectable distance from the margin, on the computed scale."""
        return stats.minimum_detectable(self.interval)

    def detectable_effect(self) -> str:
        """The effect the design detects four times out of five, in words and units."""
        distance, test = self.detectable, self.test
        if not math.isfinite(distance):
            return "none (fewer than two seeds)"
        if test.kind == "equivalence":
            inner = test.threshold - distance
            if inner <= 0:
                return f"none: the spread is too wide to show equivalence within {test.prediction}"
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


def secondary_verdicts(tests: list[Measurement]) -> list[tuple[float, str]]:
    """Holm-adjusted p-value (of the claim's side) and verdict of each secondary test.

    The claim's side and the other side are each Holm-adjusted across the
    claim's secondary tests; a side whose adjusted one-sided p-value is below
    ``ALPHA`` decides the test, as a 95% interval beyond the margin would.
    """
    if not tests:
        return []
    sides = np.array([t.p_values() for t in tests])
    claim_side, other_side = stats.holm(sides[:, 0]), stats.holm(sides[:, 1])
    out = []
    for test, p_claim, p_other in zip(tests, claim_side, other_side, strict=True):
        enough = test.interval.n >= 2
        result = ("supported" if enough and p_claim < ALPHA else
                  "contradicted" if enough and p_other < ALPHA else "undecided")
        out.append((float(p_claim), result))
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


class Context:
    """A profile, and its studies' runs, shared with the notebooks that show them.

    A claim asks for a subset of a study's runs (``runs("images", activation=[...])``):
    the study is built from the same profile section as the notebook's, so the
    runs are the notebook's cached ones, never new ones. Costs come from the
    build's stored timings (:func:`actstudy.timing.build_costs`), the numbers
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
        """The build's element-wise costs (:func:`actstudy.timing.activation_cost`'s frame)."""
        return self._stored_cost("elementwise", "activations")

    def epoch_cost(self) -> pd.DataFrame:
        """The build's training-epoch costs (:func:`actstudy.timing.epoch_cost`'s frame)."""
        return self._stored_cost("epoch", "epoch_activations")

    def _stored_cost(self, measurement: str, parameter: str) -> pd.DataFrame:
        from actstudy import timing

        if self._costs is None:
            self._costs = timing.build_costs(self.profile)
        frame = getattr(self._costs, measurement)
        absent = [name for name in self.COST_ACTIVATIONS if name not in set(frame["activation"])]
        if absent:
            raise ValueError(
                f"a claim needs the cost of {absent[0]!r}, which profile {self.profile!r} does "
                f"not time: add it to the profile's activation_cost {parameter}")
        return frame


# -- measuring helpers -----------------------------------------------------------------------


def _log10(values):
    return np.log10(np.maximum(values, 1e-30))


def _per_seed(frame: pd.DataFrame, value: str, by: str = "activation") -> pd.DataFrame:
    """``value`` as a seed × ``by`` table (mean over anything else), seeds every column has."""
    return frame.pivot_table(index="seed", columns=by, values=value, aggfunc="mean").dropna()


def _weakest(table: pd.DataFrame, reference: str, others, transform=None) -> Interval:
    """Per seed, the least favourable (smallest) of ``reference - other`` over ``others``."""
    table = table.apply(transform) if transform is not None else table
    differences = np.stack([(table[reference] - table[o]).to_numpy(float) for o in others])
    return stats.mean_ci(differences.min(axis=0) if differences.size else [])


def _rounds(cost: pd.DataFrame, slow: str, fast: str = "relu") -> pd.DataFrame:
    """A timing frame's log10(cost slow / cost fast) per round (the rounds are interleaved)."""
    value = "seconds" if "seconds" in cost else "us_per_million"
    table = cost.pivot_table(index="repeat", columns="activation", values=value)
    return np.log10(table[slow] / table[fast])


def _cost_test(cost: pd.DataFrame, slow: str, fast: str, what: str) -> Measurement:
    return Measurement(
        Test(f"{what}: {slow} / {fast} (×)", "x", "above", COST_MARGIN), stats.mean_ci(
            _rounds(cost, slow, fast)))


def _elementwise(ctx) -> pd.DataFrame:
    cost = ctx.cost()
    return cost[cost["pass"] == "forward+backward"]


def _censored_epochs(history: pd.DataFrame, target: float) -> pd.DataFrame:
    """Epochs to target, with runs that never reach it counted as one epoch past the end."""
    reach = analysis.time_to_target(history, target)
    last = history.groupby("key")["epoch"].max()
    reach["epochs"] = reach["epochs_to_target"].fillna(reach["key"].map(last) + 1)
    return reach


def _epochs_test(reach: pd.DataFrame, slow: str, fast: str, setting: str) -> Measurement:
    # Whole epochs: the interval is widened by half an epoch each side (stats.mean_ci), so
    # identical counts over seeds are not a certain difference.
    table = _per_seed(reach, "epochs")
    interval = stats.mean_ci(table[slow] - table[fast], resolution=1.0) if {
        slow, fast} <= set(table) else stats.mean_ci([])
    return Measurement(Test(f"epochs to target, {setting}: {slow} - {fast}", "epochs", "above",
                            0.0), interval)


def _mean_loss_ratio(history: pd.DataFrame, slow: str, fast: str, column: str) -> Interval:
    """log10 of the ratio of mean losses over epochs (areas under the curves), per seed."""
    area = history.groupby(["activation", "seed"], as_index=False)[column].mean()
    table = _per_seed(area, column)
    if not {slow, fast} <= set(table):
        return stats.mean_ci([])
    return stats.mean_ci(_log10(table[slow]) - _log10(table[fast]))


def _deep(depths, wanted: int = 10) -> list[int]:
    """The sweep's depths from ``wanted`` up, or its deepest where none reaches it."""
    return [d for d in depths if d >= wanted] or [max(depths)]


# The margin every cost comparison uses: a saving under 10% is within what a busy machine
# changes from one build to the next, and not what "cheaper" promises a user.
COST_MARGIN = 1.10
# Percentage points of a layer's units: 2 pp is about one unit of a 64-unit layer.
UNIT_MARGIN = 2.0


# -- the claims ------------------------------------------------------------------------------


def sine_nonlinearity(ctx):
    grid = ctx.runs("sine", activation=["identity", "relu"])
    summary = grid.summary
    primary = paired(summary, "test_loss", "identity", "relu", transform=_log10)
    least_squares = analysis.linear_baseline(grid.runs[0].config_object)
    identity = summary.loc[summary.activation == "identity", "test_loss"].to_numpy(float)
    outside = analysis.extrapolation_error(grid.runs)
    return primary, [
        Measurement(Test("identity MLP test MSE / least-squares line's (×)", "x", "equivalence",
                         1.05), stats.mean_ci(_log10(identity) - math.log10(least_squares))),
        Measurement(Test("outside the training range: identity MLP MSE / ReLU MLP MSE (×)", "x",
                         "above", 10.0),
                    paired(outside, "outside_mse", "identity", "relu", transform=_log10)),
    ]


def linear_network_training(ctx):
    grid = ctx.runs("sine", activation=["identity"])
    least_squares = analysis.linear_baseline(grid.runs[0].config_object, split="train")
    summary = grid.summary
    trained = summary["final_train_loss_full"].to_numpy(float)  # the final model, whole split
    return stats.mean_ci(_log10(trained) - math.log10(least_squares)), []


def _speed_ratios(ctx, names, depths):
    grid = ctx.runs("depth_sweep", activation=names, depth=depths)
    return analysis.gradient_ratio(grid.gradients, epoch_steps=grid.runs[0].steps_per_epoch)


def vanishing_gradient_ratio(ctx):
    depths = ctx.study("depth_sweep").depths
    depth = min(depths, key=lambda d: (abs(d - 10), -d))
    bounded = ["sigmoid", "tanh"]
    ratios = _speed_ratios(ctx, ["relu", *bounded], list(depths))
    at = ratios[ratios.depth == depth]
    primary = _weakest(_per_seed(at, "ratio"), "relu", bounded, transform=_log10)
    tests = []
    for d in depths:
        table = _per_seed(ratios[ratios.depth == d], "ratio")
        for name in bounded:
            tests.append(Measurement(
                Test(f"depth {d}: ReLU's first/last ratio over {name}'s (×)", "x", "above", 10.0),
                stats.mean_ci(_log10(table["relu"]) - _log10(table[name]))))
            tests.append(Measurement(
                Test(f"depth {d}: {name}'s first/last-layer ratio (×)", "x", "below", 0.1),
                stats.mean_ci(_log10(table[name]))))
    return primary, tests


def rectifier_cost(ctx):
    epoch, elementwise = ctx.epoch_cost(), _elementwise(ctx)
    table = pd.DataFrame({name: _rounds(epoch, name) for name in ("sigmoid", "tanh")})
    primary = stats.mean_ci(table.min(axis=1))
    tests = [_cost_test(elementwise, name, "relu", "time per element, forward+backward")
             for name in ("sigmoid", "tanh")]
    grid = ctx.runs("images", dataset=["mnist"], activation=["relu", "sigmoid", "tanh"],
                    architecture=["mlp"])
    target = ctx.study("images").target_for("mnist")
    reach = _censored_epochs(grid.history, target)
    tests += [_epochs_test(reach, name, "relu", f"Adam, {target:.0%} validation accuracy")
              for name in ("sigmoid", "tanh")]
    # It may hold for one optimizer and not the other: SGD with momentum, each activation at
    # its own validation-chosen rate.
    sgd = _censored_epochs(_at_best_rate(ctx, "momentum", ["relu", "sigmoid", "tanh"]), target)
    tests += [_epochs_test(sgd, name, "relu", f"SGD with momentum at each one's best rate, "
                           f"{target:.0%} validation accuracy") for name in ("sigmoid", "tanh")]
    return primary, tests


def _at_best_rate(ctx, optimizer: str, names: list[str]) -> pd.DataFrame:
    """The learning-rate study's MNIST histories, each activation at its best rate for
    ``optimizer`` (chosen on validation accuracy)."""
    grid = ctx.runs("learning_rate", dataset=["mnist"], activation=names, optimizer=[optimizer])
    best = analysis.best_learning_rates(grid.summary)
    chosen = dict(zip(best["activation"], best["best_rate"], strict=True))
    history = grid.history
    return history[history["learning_rate"] == history["activation"].map(chosen)]


def _inactive(ctx):
    """The dying study's last epoch at its highest learning rate: per-run shares in percent."""
    frame = analysis.last_epoch(ctx.runs("dying", activation=[
        "relu", "leaky_relu", "prelu", "elu"]).activations)
    high = frame[frame.learning_rate == frame.learning_rate.max()].copy()
    high["inactive_pp"] = 100 * high["inactive_fraction"]
    return high


def dead_units_by_rectifier(ctx):
    high = _inactive(ctx)
    others = ["leaky_relu", "prelu", "elu"]
    table = _per_seed(high, "inactive_pp")
    primary = _weakest(table, "relu", others)
    tests = [Measurement(Test("ReLU's inactive units at the high learning rate (pp of units)",
                              "pp", "above", UNIT_MARGIN), stats.mean_ci(table["relu"]))]
    tests += [Measurement(Test(f"inactive units: relu - {name} (pp)", "pp", "above",
                               UNIT_MARGIN), stats.mean_ci(table["relu"] - table[name]))
              for name in others]
    summary = ctx.runs("dying", activation=["relu", *others]).summary
    accuracy = _per_seed(summary[summary.learning_rate == summary.learning_rate.max()],
                         "test_accuracy") * 100
    tests += [Measurement(Test(f"test accuracy at the high learning rate: {name} - relu (pp)",
                               "pp", "above", 0.0), stats.mean_ci(accuracy[name] - accuracy["relu"]))
              for name in others]
    return primary, tests


def tanh_against_sigmoid_convergence(ctx):
    grid = ctx.runs("images", dataset=["mnist"], activation=["sigmoid", "tanh"],
                    architecture=["mlp"])
    primary = _mean_loss_ratio(grid.history, "sigmoid", "tanh", "val_loss")
    classic = ctx.runs("classic", activation=["sigmoid", "tanh"])
    target = ctx.study("images").target_for("mnist")
    tests = [
        Measurement(Test("plain SGD, Glorot & Bengio's setting: mean validation loss, sigmoid / "
                         "tanh (×)", "x", "above", COST_MARGIN),
                    _mean_loss_ratio(classic.history, "sigmoid", "tanh", "val_loss")),
        _epochs_test(_censored_epochs(grid.history, target), "sigmoid", "tanh",
                     f"Adam, {target:.0%} validation accuracy"),
    ]
    return primary, tests


def softplus_cost(ctx):
    primary = stats.mean_ci(_rounds(ctx.epoch_cost(), "softplus"))
    grid = ctx.runs("images", dataset=["mnist"], activation=["relu", "softplus"],
                    architecture=["mlp"])
    accuracy = _per_seed(grid.summary, "test_accuracy") * 100
    return primary, [
        _cost_test(_elementwise(ctx), "softplus", "relu", "time per element, forward+backward"),
        # No advantage: softplus's accuracy gain over ReLU is below half a point.
        Measurement(Test("test accuracy: relu - softplus (pp)", "pp", "above", -0.5),
                    stats.mean_ci(accuracy["relu"] - accuracy["softplus"])),
    ]


def gelu_cost_and_approximation(ctx):
    x = np.linspace(-8, 8, 100_001, dtype=np.float32)
    gap = float(np.max(np.abs(np.asarray(activations.function("gelu")(x))
                              - np.asarray(activations.function("gelu_tanh")(x)))))
    epoch, elementwise = ctx.epoch_cost(), _elementwise(ctx)
    primary = stats.mean_ci(_rounds(epoch, "gelu"))
    return primary, [
        # A deterministic maximum: no sampling spread.
        Measurement(Test("max |gelu - gelu_tanh| on [-8, 8]", "", "below", 1e-3), stats.exact(gap,
                                                                                            2)),
        _cost_test(epoch, "gelu", "gelu_tanh", "one training epoch"),
        _cost_test(elementwise, "gelu", "relu", "time per element, forward+backward"),
        _cost_test(elementwise, "gelu", "gelu_tanh", "time per element, forward+backward"),
    ]


def smooth_rectifiers_in_depth(ctx):
    depths = _deep(ctx.study("depth_sweep").depths)
    summary = ctx.runs("depth_sweep", activation=["relu", "swish", "gelu"], depth=depths).summary
    summary["accuracy_pp"] = 100 * summary["test_accuracy"]
    per_depth = [_per_seed(summary[summary.depth == d], "accuracy_pp") for d in depths]
    weakest = pd.concat([np.minimum(t["swish"] - t["relu"], t["gelu"] - t["relu"])
                         for t in per_depth], axis=1).dropna().mean(axis=1)
    tests = [Measurement(Test(f"depth {d}: test accuracy {name} - relu (pp)", "pp", "above", 0.0),
                         stats.mean_ci(t[name] - t["relu"]))
             for d, t in zip(depths, per_depth, strict=True) for name in ("swish", "gelu")]
    return stats.mean_ci(weakest), tests


def _growth(grid, epoch_steps: int) -> pd.DataFrame:
    growth = analysis.gradient_growth(grid.gradients, epoch_steps=epoch_steps)
    return growth.assign(log_growth=growth["slope"])  # log10 of the factor per layer


def gradient_growth_with_init_scale(ctx):
    grid = ctx.runs("large_init", activation=["sigmoid", "tanh", "relu"])
    at_start = _growth(grid, epoch_steps=1)
    training = _growth(grid, epoch_steps=grid.runs[0].steps_per_epoch)
    bounded = at_start[at_start.activation.isin(["sigmoid", "tanh"])]
    primary = stats.mean_ci(bounded.groupby("seed")["log_growth"].max())
    largest = at_start.init_scale.max()
    tests = []
    for when, frame in (("at initialisation", at_start), ("over the first epoch", training)):
        for (name, scale), part in frame.groupby(["activation", "init_scale"]):
            side = "above" if name == "relu" and scale == largest else "below"
            tests.append(Measurement(
                Test(f"{name}, {scale:g}x initial weights, {when}: gradient growth per layer "
                     "(×)", "x", side, COST_MARGIN), stats.mean_ci(part["log_growth"])))
    return primary, tests


def binary_step_learning(ctx):
    grid = ctx.runs("binary_step")
    frame = analysis.binary_step_mechanism(grid.summary, grid.gradients).set_index("seed")
    # Identical accuracies on every seed give a zero-width interval, rightly: with no
    # gradient the two networks take the same path, so the difference is exactly 0.
    primary = stats.mean_ci(100 * (frame["trained_accuracy"] - frame["frozen_accuracy"]))
    largest = float(frame[["max_hidden_kernel_gradient_norm",
                           "max_hidden_bias_gradient_norm"]].to_numpy().max())
    return primary, [
        Measurement(Test("largest hidden-layer gradient norm over every recorded step", "",
                         "below", 1e-12), stats.exact(largest, len(frame))),
        Measurement(Test("test accuracy: logistic regression - binary-step MLP (pp)", "pp",
                         "above", 0.0),
                    stats.mean_ci(100 * (frame["linear_accuracy"] - frame["trained_accuracy"]))),
    ]


def relu_sparsity(ctx):
    stats_frame = ctx.runs("depth_sweep", activation=["relu"]).activations
    last = stats_frame.groupby("key")["epoch"].transform("max")
    stats_frame = stats_frame.assign(stage=np.where(stats_frame.epoch == 0, "init", np.where(
        stats_frame.epoch == last, "trained", "")))
    zeros = (stats_frame[stats_frame.stage != ""]
             .groupby(["seed", "depth", "stage"])["zero_fraction"].mean().unstack("stage") * 100)
    by_seed = (zeros["trained"] - zeros["init"]).groupby("seed").mean()
    tests = [Measurement(Test(f"depth {d}: exact zeros after training - at initialisation (pp)",
                              "pp", "above", UNIT_MARGIN),
                         stats.mean_ci(part["trained"] - part["init"]))
             for d, part in zeros.groupby("depth")]
    return stats.mean_ci(by_seed), tests


def elu_against_relu(ctx):
    grid = ctx.runs("elu_setting", activation=["relu", "elu"])
    primary = _mean_loss_ratio(grid.history, "relu", "elu", "train_loss")
    frame = analysis.last_epoch(grid.activations)
    frame["inactive_pp"] = 100 * frame["inactive_fraction"]
    table = _per_seed(frame, "inactive_pp")
    return primary, [
        Measurement(Test("inactive units after training: relu - elu (pp)", "pp", "above",
                         UNIT_MARGIN), stats.mean_ci(table["relu"] - table["elu"])),
    ]


def accuracy_against_depth(ctx):
    frame, _ = analysis.tune_learning_rate(ctx.runs("depth_tuned").summary)
    frame = frame.assign(accuracy_pp=100 * frame["test_accuracy"],
                         doublings=np.log2(frame["depth"].astype(float)))
    slopes = (frame.groupby(["activation", "seed"])
              .apply(lambda part: np.polyfit(part["doublings"], part["accuracy_pp"], 1)[0],
                     include_groups=False).unstack("activation").dropna())
    tests = [Measurement(Test(f"{name}: test accuracy gained per doubling of depth (pp)", "pp",
                              "above", DEPTH_MARGIN), stats.mean_ci(slopes[name]))
             for name in slopes]
    return stats.mean_ci(slopes.mean(axis=1)), tests


# A doubling of depth that buys less than this is not the "higher accuracy" the heuristic
# promises: it is below the seed-to-seed spread of a single MNIST run's accuracy.
DEPTH_MARGIN = 0.2


def prelu_overfitting(ctx):
    frame = analysis.overfitting_gap(ctx.runs("prelu_overfitting").summary)
    gap = _per_seed(frame, "gap_pp")
    validation = _per_seed(frame, "val_accuracy") * 100
    return stats.mean_ci(gap["prelu"] - gap["leaky_relu"]), [
        Measurement(Test("validation accuracy: leaky ReLU - PReLU (pp)", "pp", "above", 0.0),
                    stats.mean_ci(validation["leaky_relu"] - validation["prelu"])),
    ]


def _extrapolation_ratio(frame: pd.DataFrame, operation: str) -> Interval:
    """Per seed, log10 of the smallest extrapolation MSE of any MLP over the NALU's, on one
    task: how many times worse the best ordinary network is outside the training range."""
    table = _per_seed(frame[frame["operation"] == operation], "extrapolation_mse", by="model")
    mlps = [name for name in table if name not in analysis.ARITHMETIC_MODEL_NAMES.values()]
    if "NALU" not in table or not mlps:
        return stats.mean_ci([])
    return stats.mean_ci(_log10(table[mlps]).min(axis=1) - _log10(table["NALU"]))


def arithmetic_extrapolation(ctx):
    operations = list(ctx.study("arithmetic").operations)
    grid = ctx.runs("arithmetic", dataset=["arithmetic_multiply"], architecture=["mlp", "nalu"])
    frame = analysis.arithmetic_errors(ctx.runs("arithmetic").summary)
    tests = [Measurement(Test(f"{data.ARITHMETIC[operation][0]}: extrapolation MSE, the best "
                              "MLP / NALU (×)", "x", "above", ARITHMETIC_MARGIN),
                         _extrapolation_ratio(frame, operation))
             for operation in operations if operation != "multiply"]
    return _extrapolation_ratio(analysis.arithmetic_errors(grid.summary), "multiply"), tests


# "Extrapolates where the MLPs do not" is a difference of kind, not of degree: at least an
# order of magnitude in squared error.
ARITHMETIC_MARGIN = 10.0


_CURVES = "04_mnist_convergence#Loss-and-accuracy-per-epoch"
_COST = "01_activation_gallery#Compute-cost"
_SPEED = "05_gradient_flow#First-layer-/-last-layer-gradient-ratio-against-depth"
_SAME_REASON_COST = ("a saving under 10% is within what a busy machine changes between builds, "
                     "and not what \"cheaper\" promises a user")

CLAIMS = [
    Claim(1, "Without a non-linear activation, stacked layers collapse to a linear model: a ReLU "
             "MLP fits sin(x) at least 10x better than the same MLP with the identity activation.",
          "Course page on activations and gradient flow (the sin(x) Keras experiment)",
          "02_synthetic_regression#Test-MSE-per-activation",
          Test("test MSE on sin(x): identity MLP / ReLU MLP (×)", "x", "above", 10.0,
               "the claim's own \"at least 10x\": one order of magnitude"),
          "sine", 10, sine_nonlinearity,
          note="That the identity MLP matches the least-squares line holds by construction (it "
               "is a linear model), so it is shown, not tested as the claim."),
    Claim(2, "A linear activation cannot be trained with backpropagation because its derivative "
             "is constant.",
          "Popular articles listing activation functions",
          "02_synthetic_regression#Learning-curves",
          Test("training MSE of the trained identity MLP / the least-squares optimum's (×)", "x",
               "above", 1.05,
               "a linear network within 5% of the least-squares optimum is as trained as a linear "
               "model gets"),
          "sine", 10, linear_network_training),
    Claim(3, "Sigmoid and tanh suffer vanishing gradients in deep networks: the first layer "
             "learns orders of magnitude more slowly than the last, far more so than with ReLU.",
          "Glorot & Bengio (2010); widely repeated in tutorials", _SPEED,
          Test("depth 10: ReLU's first/last-layer ratio of bias-gradient norms (per-unit learning "
               "speed) over sigmoid's or tanh's, whichever is closer to ReLU's (×)", "x", "above",
               10.0, "\"orders of magnitude\" is at least one: 10x"),
          "depth_sweep", 10, vanishing_gradient_ratio),
    Claim(4, "ReLU is cheaper to compute than sigmoid and tanh, and so speeds up training.",
          "Medium post on popular activation functions; most overviews", _COST,
          Test("one training epoch of an MNIST MLP (recording off): the cheaper of sigmoid and "
               "tanh / ReLU (×)", "x", "above", COST_MARGIN, _SAME_REASON_COST),
          "activation_cost", 10, rectifier_cost,
          note="Epochs to a target accuracy are secondary: the source's reason is compute."),
    Claim(5, "ReLU units can die; leaky ReLU, PReLU and ELU leave fewer dead units.",
          "Maas et al. (2013), He et al. (2015), Clevert et al. (2015); tutorials",
          "05_gradient_flow#Inactive-and-dead-units",
          Test("inactive units at the high learning rate: ReLU's share minus the largest of leaky "
               "ReLU's, PReLU's and ELU's (pp of units)", "pp", "above", UNIT_MARGIN,
               "2 pp is about one unit of a 64-unit layer; less changes nothing a user sees"),
          "dying", 10, dead_units_by_rectifier,
          note="\"Dead\" (output exactly 0 on every sample) can only be 0 for the alternatives, "
               "so the test counts inactive units (pre-activation negative on at least 99% of "
               "samples), defined for every activation."),
    Claim(6, "Tanh, being zero-centred, converges faster than sigmoid.",
          "LeCun et al. (1998), Efficient BackProp; tutorials", _CURVES,
          Test("mean validation loss over epochs, MNIST MLP with Adam: sigmoid / tanh (×)", "x",
               "above", COST_MARGIN,
               "a loss curve 10% lower on average is a difference a user notices; less is "
               "within what a learning-rate change does"),
          "images", 5, tanh_against_sigmoid_convergence),
    Claim(7, "Softplus costs more compute than ReLU without an accuracy advantage.",
          "Glorot, Bordes & Bengio (2011); overviews", _COST,
          Test("one training epoch of an MNIST MLP (recording off): softplus / ReLU (×)", "x",
               "above", COST_MARGIN, _SAME_REASON_COST),
          "activation_cost", 10, softplus_cost),
    Claim(8, "GELU is costlier than ReLU; its tanh approximation is accurate and cheaper.",
          "Hendrycks & Gimpel (2016); framework documentation", _COST,
          Test("one training epoch of an MNIST MLP (recording off): GELU / ReLU (×)", "x",
               "above", COST_MARGIN, _SAME_REASON_COST),
          "activation_cost", 10, gelu_cost_and_approximation),
    Claim(9, "Swish and GELU have a slight edge over ReLU in deeper networks.",
          "Ramachandran et al. (2017): +0.6 to 0.9% top-1 on ImageNet",
          "05_gradient_flow#Accuracy-against-depth",
          Test("test accuracy at depths 10 and more: the smaller of Swish's and GELU's gain over "
               "ReLU, averaged over depths (pp)", "pp", "above", 0.0,
               "\"a slight edge\" is any gain; the seeds are chosen to detect the source's 0.6 pp"),
          "depth_sweep", 10, smooth_rectifiers_in_depth),
    Claim(10, "Bounded activations (sigmoid, tanh) keep gradients from exploding; unbounded ReLU "
              "can explode with large initial weights.",
          "Course page on activations and gradient flow; overviews of activation properties",
          "05_gradient_flow#Gradient-growth-against-the-initial-weight-scale",
          Test("per-layer growth of the back-propagated gradient at initialisation, the largest "
               "of sigmoid's and tanh's over initial weights up to 3x (×)", "x", "below",
               COST_MARGIN,
               "a factor of 1.1 per layer compounds to about 7x over 20 layers; below it nothing "
               "explodes at these depths"),
          "large_init", 5, gradient_growth_with_init_scale),
    Claim(11, "The binary step's zero gradient makes learning by backpropagation impossible: its "
              "hidden layers get no gradient and learn nothing.",
          "Wiki page on types of activation functions; popular articles",
          "04_mnist_convergence#The-binary-step:-what-learns",
          Test("test accuracy: binary-step MLP trained by backpropagation - the same network with "
               "its hidden layers frozen (pp)", "pp", "equivalence", 0.5,
               "the claim predicts no gain at all; half a point is below the seed-to-seed spread "
               "of an MNIST run"),
          "binary_step", 10, binary_step_learning,
          note="Accuracy is not at chance: the output layer, after the last step, still learns."),
    Claim(12, "ReLU gives sparse activations.",
          "Glorot, Bordes & Bengio (2011); course page on activations",
          "05_gradient_flow#Exact-zeros-before-and-after-training",
          Test("exact zeros in ReLU layers: after training - at initialisation (pp of outputs)",
               "pp", "above", UNIT_MARGIN,
               "symmetric pre-activations give about 50% zeros at initialisation by themselves, "
               "so the claim is about what training adds; 2 pp as for units"),
          "depth_sweep", 10, relu_sparsity,
          note="The source's consequence, that sparsity makes a network less prone to "
               "overfitting, is not tested: it needs networks of equal accuracy and different "
               "sparsity, which these studies do not make."),
    Claim(13, "ELU converges faster than ReLU while avoiding dead units.",
          "Clevert, Unterthiner & Hochreiter (2015)",
          "04_mnist_convergence#ELU-against-ReLU-in-the-ELU-paper's-setting",
          Test("mean training loss over epochs in the ELU paper's MNIST setting (deeper MLP, "
               "SGD): ReLU / ELU (×)", "x", "above", COST_MARGIN,
               "a loss curve 10% lower on average is a difference a user notices"),
          "elu_setting", 10, elu_against_relu),
    Claim(14, "More hidden layers give higher accuracy.",
          "MissingLink's guide: a deep network has 2 to 8 additional layers; a beginner's heuristic",
          "04_mnist_convergence#Depth-with-tuned-learning-rates-and-early-stopping",
          Test("test accuracy gained per doubling of depth, 1 to 8 hidden layers, each at its "
               "validation-chosen learning rate with early stopping; the mean over activations "
               "(pp)", "pp", "above", DEPTH_MARGIN,
               "a doubling that buys less than 0.2 pp is not the \"higher accuracy\" promised"),
          "depth_tuned", 10, accuracy_against_depth),
    Claim(15, "PReLU's learned slope raises the risk of overfitting compared with leaky ReLU.",
          "He et al. (2015); \"All About Activation Functions\"",
          "04_mnist_convergence#PReLU-against-leaky-ReLU-from-the-same-slope",
          Test("train - validation accuracy gap on a small training set, both from the same "
               "slope: PReLU - leaky ReLU (pp)", "pp", "above", 0.5,
               "half a point more gap is the least overfitting a user would act on"),
          "prelu_overfitting", 10, prelu_overfitting),
    Claim(16, "MLPs with ordinary activations learn arithmetic inside their training range but do "
              "not extrapolate it beyond; the NALU, which adds in linear and multiplies in log "
              "space under a learned gate, does.",
          "Trask et al. (2018), \"Neural Arithmetic Logic Units\", NeurIPS",
          "07_arithmetic_extrapolation#Interpolation-and-extrapolation-errors",
          Test("a × b, inputs outside the training range: mean squared error of the best "
               "ordinary-activation MLP (per seed, whichever is lowest) / the NALU's (×)", "x",
               "above", ARITHMETIC_MARGIN,
               "\"extrapolates where MLPs do not\" is a difference of kind: at least an order of "
               "magnitude in squared error"),
          "arithmetic", 5, arithmetic_extrapolation,
          note="Multiplication decides it: the task the NALU was made for; addition and "
               "subtraction are linear, so the identity MLP (a linear model) extrapolates them "
               "exactly and they test nothing about activations (they are secondary tests). A "
               "run that diverged, or whose error overflows, counts with its error at "
               "initialisation."),
]


def evaluate(context: Context | str, claims=None, progress: bool = True) -> pd.DataFrame:
    """The verdict table under a profile (a name, or a :class:`Context` to share its runs).

    One row per claim: the verdict and the primary test's effect, interval,
    prediction, minimum detectable effect and seeds (as text, and as numbers in
    the statistic's unit for plots), then every secondary test with its
    Holm-adjusted p-value.
    """
    ctx = context if isinstance(context, Context) else Context(context, progress=progress)
    rows = []
    for claim in claims or CLAIMS:
        interval, secondary = claim.measure(ctx)
        primary = Measurement(claim.primary, interval)
        test = claim.primary
        checked = secondary_verdicts(secondary)
        rows.append({
            "id": claim.id, "claim": claim.text, "source": claim.source,
            "verdict": primary.verdict, "statistic": test.statistic, "unit": test.unit,
            "effect": format_interval(interval, test), "prediction": test.prediction,
            "reason": test.reason, "detectable": primary.detectable_effect(),
            "seeds": interval.n, "study": claim.study, "profile": ctx.profile,
            "mean": test.show(interval.mean), "ci_low": test.show(interval.low),
            "ci_high": test.show(interval.high), "margin": test.margin, "kind": test.kind,
            "secondary": [{"test": m.test.statistic, "effect": format_interval(m.interval, m.test),
                           "prediction": m.test.prediction, "holm_p": p, "verdict": v}
                          for m, (p, v) in zip(secondary, checked, strict=True)],
            "note": claim.note, "evidence": claim.evidence,
        })
    return pd.DataFrame(rows)
