"""The sources' claims about activation functions, each tied to an experiment and a verdict.

Each :class:`Claim` names its text and source, the report that shows its
evidence, and a ``measure`` function that runs (or loads from the cache) the
experiment under a profile and returns one or more :class:`Measurement` objects: an
effect with its 95% confidence interval, oriented so that a positive effect is
what the claim predicts, and the margin it must clear. The verdict rule:

- ``direction`` (the claim predicts effect > margin): **supported** when the
  whole CI lies above the margin, **contradicted** when it lies below, else
  **inconclusive**;
- ``equivalence`` (the claim predicts |effect| <= margin, "no difference"):
  **supported** when the whole CI lies within ±margin, **contradicted** when it
  lies entirely outside, else **inconclusive**.

A claim with several tests is supported when all are, contradicted when any
is, and inconclusive otherwise. Fewer than two seeds is always inconclusive.

>>> from actstudy.claims import verdict
>>> from actstudy.stats import Interval, paired
>>> verdict(Interval(0.3, 0.2, 0.4, 5, "t"))
'supported'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from actstudy import activations, analysis, stats, studies
from actstudy.experiments import GridResult
from actstudy.stats import Interval, paired

VERDICTS = ("supported", "contradicted", "inconclusive")


@dataclass(frozen=True)
class Measurement:
    """One measured effect; positive is the direction the claim predicts."""

    label: str
    interval: Interval
    kind: str = "direction"  # or "equivalence"
    margin: float = 0.0

    @property
    def verdict(self) -> str:
        return verdict(self.interval, self.kind, self.margin)


def verdict(interval: Interval, kind: str = "direction", margin: float = 0.0) -> str:
    """The rule that turns an effect and its CI into a verdict (see the module docstring)."""
    if kind not in ("direction", "equivalence"):
        raise ValueError(f"kind={kind!r} is not allowed: choose 'direction' or 'equivalence'")
    low, high = interval.low, interval.high
    if interval.n < 2 or not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if kind == "direction":
        return "supported" if low > margin else "contradicted" if high < margin else "inconclusive"
    if -margin <= low and high <= margin:
        return "supported"
    return "contradicted" if low > margin or high < -margin else "inconclusive"


def combine(verdicts: list[str]) -> str:
    if verdicts and all(v == "supported" for v in verdicts):
        return "supported"
    return "contradicted" if "contradicted" in verdicts else "inconclusive"


@dataclass(frozen=True)
class Claim:
    id: int
    text: str
    source: str
    quantity: str  # what is measured, in words
    evidence: str  # "NN_report#Heading-anchor" where the figure lives
    measure: Callable[[Context], list[Measurement]]


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


def _cost_ratio(ctx: Context, slow: str, fast: str) -> Interval:
    """log10(cost[slow] / cost[fast]) over timing rounds, forward+backward."""
    cost = ctx.cost()
    cost = cost[cost["pass"] == "forward+backward"].rename(columns={"repeat": "seed"})
    return paired(cost, "us_per_million", slow, fast, transform=_log10, method="bootstrap")


def _censored_epochs(history: pd.DataFrame, target: float) -> pd.DataFrame:
    """Epochs to target, with runs that never reach it counted as one epoch past the end."""
    reach = analysis.time_to_target(history, target)
    last = history.groupby("key")["epoch"].max()
    reach["epochs"] = reach["epochs_to_target"].fillna(reach["key"].map(last) + 1)
    return reach


def _mean_val_loss(history: pd.DataFrame) -> pd.DataFrame:
    """Area under the validation-loss curve per run: lower converges faster."""
    return history.groupby(["key", "activation", "seed"], as_index=False)["val_loss"].mean()


# -- the claims ------------------------------------------------------------------------------


def linear_network_on_sine(ctx):
    grid = ctx.runs("sine", activation=["identity", "relu"])
    summary = grid.summary
    linear = analysis.linear_baseline(grid.runs[0].config_object)
    identity = summary[summary.activation == "identity"]["test_loss"].to_numpy(float)
    return [
        # "No better than": the identity MLP is a linear model, so it can at best match the
        # least-squares line (a worse fit is an unfinished optimisation, not a better model).
        Measurement("log10(identity MLP MSE / linear regression MSE): no better than linear "
                    "means > -0.05",
             stats.mean_ci(_log10(identity) - math.log10(linear)), "direction", -0.05),
        Measurement("log10(identity MSE / ReLU MSE) - 1: ReLU at least 10x lower",
             paired(summary, "test_loss", "identity", "relu", transform=_log10), "direction", 1.0),
    ]


def linear_network_training(ctx):
    grid = ctx.runs("sine", activation=["identity"])
    change = [math.log10(r.history[-1]["val_loss"] / r.initial["val_loss"])
              for r in grid.runs if r.history[-1]["val_loss"]]
    # The claim predicts no learning: a final loss no lower than the initial one.
    return [Measurement("log10(final / initial validation MSE) of the identity network",
                 stats.mean_ci(change), "direction", 0.0)]


def vanishing_gradient_ratio(ctx):
    all_depths = ctx.study("depth_sweep").depths
    depths = [d for d in all_depths if d >= 10] or [max(all_depths)]
    grid = ctx.runs("depth_sweep", activation=["sigmoid", "relu"], depth=depths)
    ratios = analysis.gradient_ratio(grid.gradients, epoch_steps=grid.runs[0].steps_per_epoch)
    return [Measurement(f"depth {d}: log10(ReLU ratio / sigmoid ratio) - 1 (orders of magnitude)",
                 paired(ratios[ratios.depth == d], "ratio", "relu", "sigmoid", transform=_log10),
                 "direction", 1.0) for d in depths]


def rectifier_cost_and_speed(ctx):
    tests = [Measurement(f"log10(cost {name} / cost relu)", _cost_ratio(ctx, name, "relu"))
             for name in ("sigmoid", "tanh")]
    grid = ctx.runs("images", dataset=["mnist"], activation=["relu", "sigmoid", "tanh"],
                    architecture=["mlp"])
    target = ctx.study("images").target_accuracy
    reach = _censored_epochs(grid.history, target)
    seconds = grid.summary.set_index("key")["seconds_per_epoch"]
    reach["seconds"] = reach["epochs"] * reach["key"].map(seconds)
    for name in ("sigmoid", "tanh"):
        tests.append(Measurement(f"epochs to {target:.0%} val accuracy: {name} - relu",
                          paired(reach, "epochs", name, "relu")))
        tests.append(Measurement(f"seconds to {target:.0%} val accuracy: {name} - relu",
                          paired(reach, "seconds", name, "relu")))
    return tests


def _dying(ctx):
    return ctx.runs("dying", activation=["relu", "leaky_relu", "prelu", "elu"])


def dead_units_by_rectifier(ctx):
    frame = analysis.last_epoch(_dying(ctx).activations)
    high = frame[frame.learning_rate == frame.learning_rate.max()]
    relu = high[high.activation == "relu"]["dead_fraction"]
    tests = [Measurement("dead-unit fraction of ReLU at the high learning rate", stats.mean_ci(relu))]
    for name in ("leaky_relu", "prelu", "elu"):
        tests.append(Measurement(f"dead fraction: relu - {name} (high learning rate)",
                          paired(high, "dead_fraction", "relu", name)))
    return tests


def tanh_against_sigmoid_convergence(ctx):
    grid = ctx.runs("images", dataset=["mnist"], activation=["sigmoid", "tanh"],
                    architecture=["mlp"])
    return [Measurement("mean validation loss over epochs: sigmoid - tanh",
                 paired(_mean_val_loss(grid.history), "val_loss", "sigmoid", "tanh"))]


def softplus_cost_and_accuracy(ctx):
    grid = ctx.runs("images", dataset=["mnist"], activation=["relu", "softplus"],
                    architecture=["mlp"])
    return [
        Measurement("log10(cost softplus / cost relu)", _cost_ratio(ctx, "softplus", "relu")),
        # No advantage: softplus's accuracy gain over ReLU is below half a point.
        Measurement("test accuracy: relu - softplus (no advantage means >= -0.005)",
             paired(grid.summary, "test_accuracy", "relu", "softplus"), "direction", -0.005),
    ]


def gelu_cost_and_approximation(ctx):
    x = np.linspace(-8, 8, 100_001, dtype=np.float32)
    gap = float(np.max(np.abs(np.asarray(activations.function("gelu")(x))
                              - np.asarray(activations.function("gelu_tanh")(x)))))
    exact = Interval(gap, gap, gap, 2, "exact")  # a deterministic maximum: no sampling spread
    return [
        Measurement("log10(cost gelu / cost relu)", _cost_ratio(ctx, "gelu", "relu")),
        Measurement("max |gelu - gelu_tanh| on [-8, 8] (accurate means < 1e-3)", exact, "equivalence",
             1e-3),
        Measurement("log10(cost gelu / cost gelu_tanh)", _cost_ratio(ctx, "gelu", "gelu_tanh")),
    ]


def _depth_runs(ctx, names):
    return ctx.runs("depth_sweep", activation=names)


def smooth_rectifiers_in_depth(ctx):
    deepest = max(ctx.study("depth_sweep").depths)
    summary = _depth_runs(ctx, ["relu", "swish", "gelu"]).summary
    deep = summary[summary.depth == deepest]
    return [Measurement(f"depth {deepest}: test accuracy {name} - relu",
                 paired(deep, "test_accuracy", name, "relu")) for name in ("swish", "gelu")]


def growth_with_large_initial_weights(ctx):
    grid = ctx.runs("large_init", activation=["sigmoid", "tanh", "relu"])
    stats_frame = grid.activations
    init = stats_frame[(stats_frame.epoch == 0) & (stats_frame.init_scale > 1)]
    last = init.groupby("key")["layer_index"].transform("max")
    top = init[init.layer_index == last]
    first_step = grid.gradients[(grid.gradients.step == 0) & (grid.gradients.init_scale > 1)]
    norms = first_step.groupby(["key", "activation", "seed"], as_index=False)["gradient_norm"].max()
    tests = []
    for name in ("sigmoid", "tanh"):
        tests.append(Measurement(f"log10 last-layer activation std at init: relu / {name}",
                          paired(top, "act_std", "relu", name, transform=_log10)))
        tests.append(Measurement(f"log10 largest gradient norm at step 0: relu / {name}",
                          paired(norms, "gradient_norm", "relu", name, transform=_log10)))
    return tests


def binary_step_learning(ctx):
    grid = ctx.runs("images", dataset=["mnist"], activation=["binary_step"],
                    architecture=["mlp"])
    accuracy = grid.summary["test_accuracy"].to_numpy(float)
    return [Measurement("test accuracy - chance (0.1), where 'stays at chance' means within ±0.05",
                 stats.mean_ci(accuracy - 0.1), "equivalence", 0.05)]


def relu_sparsity(ctx):
    frame = analysis.last_epoch(_depth_runs(ctx, ["relu"]).activations)
    return [Measurement("fraction of exact zeros in ReLU layers after training (sparse: > 0.25)",
                 stats.mean_ci(frame.groupby("seed")["zero_fraction"].mean()), "direction",
                 0.25)]


def elu_against_relu(ctx):
    grid = ctx.runs("images", dataset=["mnist"], activation=["relu", "elu"],
                    architecture=["mlp"])
    frame = analysis.last_epoch(_dying(ctx).activations)
    high = frame[frame.learning_rate == frame.learning_rate.max()]
    return [
        Measurement("mean validation loss over epochs: relu - elu",
             paired(_mean_val_loss(grid.history), "val_loss", "relu", "elu")),
        Measurement("dead fraction at the high learning rate: relu - elu",
             paired(high, "dead_fraction", "relu", "elu")),
    ]


def accuracy_against_depth(ctx):
    sweep = ctx.study("depth_sweep")
    shallow, deep = min(sweep.depths), max(sweep.depths)
    summary = _depth_runs(ctx, sweep.activations).summary
    tests = []
    for name, part in summary.groupby("activation", sort=False):
        tests.append(Measurement(f"{name}: test accuracy at depth {deep} - depth {shallow}",
                          paired(part, "test_accuracy", deep, shallow, by="depth")))
    return tests


def prelu_overfitting(ctx):
    grid = ctx.runs("images", dataset=["mnist"], activation=["prelu", "leaky_relu"],
                    architecture=["mlp"])
    summary = grid.summary
    summary["gap"] = summary["final_train_accuracy"] - summary["final_val_accuracy"]
    return [Measurement("train - validation accuracy gap: prelu - leaky_relu",
                 paired(summary, "gap", "prelu", "leaky_relu"))]


_GRAD = "05_gradient_flow#First-layer-/-last-layer-gradient-ratio-against-depth"
_DEAD = "05_gradient_flow#Inactive-and-dead-units"
_SPEED = "04_mnist_convergence#Speed:-time-to-target-and-seconds-per-epoch"
_CURVES = "04_mnist_convergence#Loss-and-accuracy-per-epoch"
_ACCURACY = "04_mnist_convergence#Final-test-accuracy"
_COST = "01_activation_gallery#Compute-cost"

CLAIMS = [
    Claim(1, "Without a non-linear activation, stacked layers collapse to a linear model: a deep "
             "identity MLP fits sin(x) no better than linear regression; a ReLU MLP at least 10x better.",
          "Introductory deep-learning texts and blog posts on why activations exist",
          "test MSE on sin(x)", "02_synthetic_regression#Test-MSE-per-activation", linear_network_on_sine),
    Claim(2, "A linear activation cannot be trained with backpropagation because its derivative "
             "is constant.",
          "Popular articles listing activation functions", "validation MSE before and after training",
          "02_synthetic_regression#Learning-curves", linear_network_training),
    Claim(3, "Sigmoid (and tanh) suffer vanishing gradients in deep networks: the first layer "
             "learns orders of magnitude more slowly than the last, far more so than with ReLU.",
          "Glorot & Bengio (2010); widely repeated in tutorials",
          "first/last-layer ratio of bias-gradient norms (per-unit learning speed)", _GRAD,
          vanishing_gradient_ratio),
    Claim(4, "ReLU is cheaper to compute than sigmoid and tanh, and trains faster.",
          "Krizhevsky et al. (2012) and most activation-function overviews",
          "time per element; epochs and seconds to a target accuracy", _SPEED, rectifier_cost_and_speed),
    Claim(5, "ReLU units can die; leaky ReLU, PReLU and ELU leave fewer dead units.",
          "Maas et al. (2013), He et al. (2015), Clevert et al. (2015); tutorials",
          "dead-unit fraction after training, normal and high learning rate", _DEAD, dead_units_by_rectifier),
    Claim(6, "Tanh, being zero-centred, converges faster than sigmoid.",
          "LeCun et al. (1998), Efficient BackProp; tutorials",
          "mean validation loss over epochs", _CURVES, tanh_against_sigmoid_convergence),
    Claim(7, "Softplus costs more compute than ReLU without an accuracy advantage.",
          "Glorot, Bordes & Bengio (2011); overviews", "time per element; test accuracy",
          _COST, softplus_cost_and_accuracy),
    Claim(8, "GELU is costlier than ReLU; its tanh approximation is accurate and cheaper.",
          "Hendrycks & Gimpel (2016); framework documentation", "time per element; max difference",
          _COST, gelu_cost_and_approximation),
    Claim(9, "Swish and GELU have a slight edge over ReLU in deeper networks.",
          "Ramachandran et al. (2017): +0.6 to 0.9% top-1 on ImageNet",
          "test accuracy at the deepest setting", "05_gradient_flow#Per-layer-learning-speed",
          smooth_rectifiers_in_depth),
    Claim(10, "Bounded activations (sigmoid, tanh) keep activations and gradients from exploding; "
              "unbounded ReLU can explode with large initial weights.",
          "Overviews of activation properties", "activation std and gradient norm at init, 3x weights",
          "05_gradient_flow#Activation-distributions-per-layer", growth_with_large_initial_weights),
    Claim(11, "The binary step's zero gradient makes learning by backpropagation impossible: "
              "accuracy stays at chance.",
          "Popular articles listing activation functions",
          "MNIST test accuracy (hidden layers get no gradient; the output layer still learns)",
          _ACCURACY, binary_step_learning),
    Claim(12, "ReLU gives sparse activations.", "Glorot, Bordes & Bengio (2011)",
          "fraction of exact zeros per layer", "05_gradient_flow#Activation-distributions-per-layer",
          relu_sparsity),
    Claim(13, "ELU converges faster than ReLU while avoiding dead units.",
          "Clevert, Unterthiner & Hochreiter (2015)", "mean validation loss; dead-unit fraction",
          _CURVES, elu_against_relu),
    Claim(14, "More hidden layers give higher accuracy.", "A common beginner's heuristic",
          "test accuracy, deepest minus shallowest, per activation", _GRAD, accuracy_against_depth),
    Claim(15, "PReLU's learned slope raises the risk of overfitting compared with leaky ReLU.",
          "He et al. (2015); tutorials", "train-validation accuracy gap", _ACCURACY, prelu_overfitting),
]


def evaluate(context: Context | str, claims=None, progress: bool = True) -> pd.DataFrame:
    """The verdict table under a profile (a name, or a :class:`Context` to share its runs)."""
    ctx = context if isinstance(context, Context) else Context(context, progress=progress)
    profile = ctx.profile
    rows = []
    for claim in claims or CLAIMS:
        tests = claim.measure(ctx)
        verdicts = [t.verdict for t in tests]
        first = tests[0]
        rows.append({
            "id": claim.id, "claim": claim.text, "source": claim.source,
            "verdict": combine(verdicts),
            "effect": first.interval.mean, "ci_low": first.interval.low,
            "ci_high": first.interval.high, "seeds": first.interval.n, "profile": profile,
            "measured": first.label,
            "tests": "; ".join(f"{t.label}: {t.interval} → {t.verdict}" for t in tests),
            "evidence": claim.evidence,
        })
    return pd.DataFrame(rows)
