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
>>> from actstudy.stats import Interval
>>> verdict(Interval(0.3, 0.2, 0.4, 5, "t"))
'supported'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from actstudy import activations, analysis, report, stats, studies, timing
from actstudy.experiments import run_grid
from actstudy.stats import Interval

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
    """A profile's parameters and cached access to the experiments claims share with the notebooks."""

    def __init__(self, profile: str, progress: bool = True):
        self.profile = profile
        self.progress = progress
        self._cost = None

    def params(self, notebook: str) -> dict:
        return report.parameters(self.profile, notebook)

    def runs(self, study: Callable, notebook: str, **overrides):
        params = {**self.params(notebook), **overrides}
        return run_grid(study(**params), progress=self.progress)

    def cost(self) -> pd.DataFrame:
        if self._cost is None:
            params = self.params("01_activation_gallery")
            names = ["relu", "sigmoid", "tanh", "softplus", "gelu", "gelu_tanh"]
            self._cost = timing.activation_cost(names, n_elements=params["cost_elements"],
                                                repeats=max(2, params["cost_repeats"]))
        return self._cost


# -- measuring helpers -----------------------------------------------------------------------


def paired(frame: pd.DataFrame, value: str, a: str, b: str, by: str = "activation",
           transform=None, method: str = "t") -> Interval:
    """Mean of value[a] - value[b] over seeds both have (transform applied to each first)."""
    table = frame.pivot_table(index="seed", columns=by, values=value, aggfunc="mean")
    if a not in table or b not in table:
        return Interval(math.nan, -math.inf, math.inf, 0, method)
    both = table[[a, b]].dropna()
    left, right = both[a].to_numpy(float), both[b].to_numpy(float)
    if transform is not None:
        left, right = transform(left), transform(right)
    return stats.paired_difference(left, right, method=method)


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


def _c1(ctx):
    grid = ctx.runs(studies.sine, "02_synthetic_regression", activations=["identity", "relu"])
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


def _c2(ctx):
    grid = ctx.runs(studies.sine, "02_synthetic_regression", activations=["identity"])
    change = [math.log10(r.history[-1]["val_loss"] / r.initial["val_loss"])
              for r in grid.runs if r.history[-1]["val_loss"]]
    # The claim predicts no learning: a final loss no lower than the initial one.
    return [Measurement("log10(final / initial validation MSE) of the identity network",
                 stats.mean_ci(change), "direction", 0.0)]


def _c3(ctx):
    params = ctx.params("05_gradient_flow")
    depths = [d for d in params["depths"] if d >= 10] or [max(params["depths"])]
    grid = ctx.runs(studies.depth_sweep, "05_gradient_flow", activations=["sigmoid", "relu"],
                    depths=depths)
    ratios = analysis.gradient_ratio(grid.gradients, epoch_steps=grid.runs[0].steps_per_epoch)
    return [Measurement(f"depth {d}: log10(ReLU ratio / sigmoid ratio) - 1 (orders of magnitude)",
                 paired(ratios[ratios.depth == d], "ratio", "relu", "sigmoid", transform=_log10),
                 "direction", 1.0) for d in depths]


def _c4(ctx):
    tests = [Measurement(f"log10(cost {name} / cost relu)", _cost_ratio(ctx, name, "relu"))
             for name in ("sigmoid", "tanh")]
    grid = ctx.runs(studies.images, "04_mnist_convergence", datasets=["mnist"],
                    activations=["relu", "sigmoid", "tanh"], architectures=["mlp"])
    target = ctx.params("04_mnist_convergence")["target_accuracy"]
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
    params = ctx.params("05_gradient_flow")
    return ctx.runs(studies.dying, "05_gradient_flow", high_learning_rate=0.01,
                    depth=min(params["depths"]),
                    activations=["relu", "leaky_relu", "prelu", "elu"])


def _c5(ctx):
    frame = analysis.last_epoch(_dying(ctx).activations)
    high = frame[frame.learning_rate == frame.learning_rate.max()]
    relu = high[high.activation == "relu"]["dead_fraction"]
    tests = [Measurement("dead-unit fraction of ReLU at the high learning rate", stats.mean_ci(relu))]
    for name in ("leaky_relu", "prelu", "elu"):
        tests.append(Measurement(f"dead fraction: relu - {name} (high learning rate)",
                          paired(high, "dead_fraction", "relu", name)))
    return tests


def _c6(ctx):
    grid = ctx.runs(studies.images, "04_mnist_convergence", datasets=["mnist"],
                    activations=["sigmoid", "tanh"], architectures=["mlp"])
    return [Measurement("mean validation loss over epochs: sigmoid - tanh",
                 paired(_mean_val_loss(grid.history), "val_loss", "sigmoid", "tanh"))]


def _c7(ctx):
    grid = ctx.runs(studies.images, "04_mnist_convergence", datasets=["mnist"],
                    activations=["relu", "softplus"], architectures=["mlp"])
    return [
        Measurement("log10(cost softplus / cost relu)", _cost_ratio(ctx, "softplus", "relu")),
        # No advantage: softplus's accuracy gain over ReLU is below half a point.
        Measurement("test accuracy: relu - softplus (no advantage means >= -0.005)",
             paired(grid.summary, "test_accuracy", "relu", "softplus"), "direction", -0.005),
    ]


def _c8(ctx):
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
    return ctx.runs(studies.depth_sweep, "05_gradient_flow", activations=names)


def _c9(ctx):
    deepest = max(ctx.params("05_gradient_flow")["depths"])
    summary = _depth_runs(ctx, ["relu", "swish", "gelu"]).summary
    deep = summary[summary.depth == deepest]
    return [Measurement(f"depth {deepest}: test accuracy {name} - relu",
                 paired(deep, "test_accuracy", name, "relu")) for name in ("swish", "gelu")]


def _c10(ctx):
    grid = ctx.runs(studies.large_init, "05_gradient_flow", init_scale=3.0,
                    depth=max(ctx.params("05_gradient_flow")["depths"]),
                    activations=["sigmoid", "tanh", "relu"])
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


def _c11(ctx):
    grid = ctx.runs(studies.images, "04_mnist_convergence", datasets=["mnist"],
                    activations=["binary_step"], architectures=["mlp"])
    accuracy = grid.summary["test_accuracy"].to_numpy(float)
    return [Measurement("test accuracy - chance (0.1), where 'stays at chance' means within ±0.05",
                 stats.mean_ci(accuracy - 0.1), "equivalence", 0.05)]


def _c12(ctx):
    frame = analysis.last_epoch(_depth_runs(ctx, ["relu"]).activations)
    return [Measurement("fraction of exact zeros in ReLU layers after training (sparse: > 0.25)",
                 stats.mean_ci(frame.groupby("seed")["zero_fraction"].mean()), "direction",
                 0.25)]


def _c13(ctx):
    grid = ctx.runs(studies.images, "04_mnist_convergence", datasets=["mnist"],
                    activations=["relu", "elu"], architectures=["mlp"])
    frame = analysis.last_epoch(_dying(ctx).activations)
    high = frame[frame.learning_rate == frame.learning_rate.max()]
    return [
        Measurement("mean validation loss over epochs: relu - elu",
             paired(_mean_val_loss(grid.history), "val_loss", "relu", "elu")),
        Measurement("dead fraction at the high learning rate: relu - elu",
             paired(high, "dead_fraction", "relu", "elu")),
    ]


def _c14(ctx):
    params = ctx.params("05_gradient_flow")
    shallow, deep = min(params["depths"]), max(params["depths"])
    summary = _depth_runs(ctx, params["activations"]).summary
    tests = []
    for name, part in summary.groupby("activation", sort=False):
        tests.append(Measurement(f"{name}: test accuracy at depth {deep} - depth {shallow}",
                          paired(part, "test_accuracy", deep, shallow, by="depth")))
    return tests


def _c15(ctx):
    grid = ctx.runs(studies.images, "04_mnist_convergence", datasets=["mnist"],
                    activations=["prelu", "leaky_relu"], architectures=["mlp"])
    summary = grid.summary
    summary["gap"] = summary["final_train_accuracy"] - summary["final_val_accuracy"]
    return [Measurement("train - validation accuracy gap: prelu - leaky_relu",
                 paired(summary, "gap", "prelu", "leaky_relu"))]


_GRAD = "05_gradient_flow#First-layer-/-last-layer-gradient-ratio-against-depth"
_DEAD = "05_gradient_flow#Dead-units-(rectifier-family)-and-saturated-units-(sigmoid,-tanh)"
_SPEED = "04_mnist_convergence#Speed:-time-to-target-and-seconds-per-epoch"
_CURVES = "04_mnist_convergence#Loss-and-accuracy-per-epoch"
_ACCURACY = "04_mnist_convergence#Final-test-accuracy"
_COST = "01_activation_gallery#Compute-cost"

CLAIMS = [
    Claim(1, "Without a non-linear activation, stacked layers collapse to a linear model: a deep "
             "identity MLP fits sin(x) no better than linear regression; a ReLU MLP at least 10x better.",
          "Introductory deep-learning texts and blog posts on why activations exist",
          "test MSE on sin(x)", "02_synthetic_regression#Test-MSE-per-activation", _c1),
    Claim(2, "A linear activation cannot be trained with backpropagation because its derivative "
             "is constant.",
          "Popular articles listing activation functions", "validation MSE before and after training",
          "02_synthetic_regression#Learning-curves", _c2),
    Claim(3, "Sigmoid (and tanh) suffer vanishing gradients in deep networks: the first-layer to "
             "last-layer gradient ratio is orders of magnitude smaller than with ReLU.",
          "Glorot & Bengio (2010); widely repeated in tutorials", "gradient-norm ratio", _GRAD, _c3),
    Claim(4, "ReLU is cheaper to compute than sigmoid and tanh, and trains faster.",
          "Krizhevsky et al. (2012) and most activation-function overviews",
          "time per element; epochs and seconds to a target accuracy", _SPEED, _c4),
    Claim(5, "ReLU units can die; leaky ReLU, PReLU and ELU leave fewer dead units.",
          "Maas et al. (2013), He et al. (2015), Clevert et al. (2015); tutorials",
          "dead-unit fraction after training, normal and high learning rate", _DEAD, _c5),
    Claim(6, "Tanh, being zero-centred, converges faster than sigmoid.",
          "LeCun et al. (1998), Efficient BackProp; tutorials",
          "mean validation loss over epochs", _CURVES, _c6),
    Claim(7, "Softplus costs more compute than ReLU without an accuracy advantage.",
          "Glorot, Bordes & Bengio (2011); overviews", "time per element; test accuracy",
          _COST, _c7),
    Claim(8, "GELU is costlier than ReLU; its tanh approximation is accurate and cheaper.",
          "Hendrycks & Gimpel (2016); framework documentation", "time per element; max difference",
          _COST, _c8),
    Claim(9, "Swish and GELU have a slight edge over ReLU in deeper networks.",
          "Ramachandran et al. (2017): +0.6 to 0.9% top-1 on ImageNet",
          "test accuracy at the deepest setting", "05_gradient_flow#Gradient-norm-per-layer-and-step",
          _c9),
    Claim(10, "Bounded activations (sigmoid, tanh) keep activations and gradients from exploding; "
              "unbounded ReLU can explode with large initial weights.",
          "Overviews of activation properties", "activation std and gradient norm at init, 3x weights",
          "05_gradient_flow#Activation-distributions-per-layer", _c10),
    Claim(11, "The binary step's zero gradient makes learning by backpropagation impossible: "
              "accuracy stays at chance.",
          "Popular articles listing activation functions",
          "MNIST test accuracy (hidden layers get no gradient; the output layer still learns)",
          _ACCURACY, _c11),
    Claim(12, "ReLU gives sparse activations.", "Glorot, Bordes & Bengio (2011)",
          "fraction of exact zeros per layer", "05_gradient_flow#Activation-distributions-per-layer",
          _c12),
    Claim(13, "ELU converges faster than ReLU while avoiding dead units.",
          "Clevert, Unterthiner & Hochreiter (2015)", "mean validation loss; dead-unit fraction",
          _CURVES, _c13),
    Claim(14, "More hidden layers give higher accuracy.", "A common beginner's heuristic",
          "test accuracy, deepest minus shallowest, per activation", _GRAD, _c14),
    Claim(15, "PReLU's learned slope raises the risk of overfitting compared with leaky ReLU.",
          "He et al. (2015); tutorials", "train-validation accuracy gap", _ACCURACY, _c15),
]


def evaluate(profile: str, claims=None, progress: bool = True) -> pd.DataFrame:
    """The verdict table: one row per claim, with its numbers, under a profile."""
    ctx = Context(profile, progress=progress)
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


def to_html(table: pd.DataFrame) -> str:
    """The verdict table with links to each claim's evidence figure."""
    colours = {"supported": "#1a7f37", "contradicted": "#cf222e", "inconclusive": "#6e7781"}
    shown = pd.DataFrame({
        "#": table["id"],
        "claim": table["claim"],
        "source": table["source"],
        "verdict": [f'<b style="color:{colours[v]}">{v}</b>' for v in table["verdict"]],
        "effect [95% CI]": [
            f"{e:.3g} [{lo:.3g}, {hi:.3g}]" if math.isfinite(lo) else
            (f"{e:.3g} (no CI)" if math.isfinite(e) else "not measured")
            for e, lo, hi in zip(table["effect"], table["ci_low"], table["ci_high"], strict=True)],
        "seeds": table["seeds"],
        "measured": table["measured"],
        "evidence": [f'<a href="{e.split("#")[0]}.html#{e.split("#")[1]}">{e.split("#")[0]}</a>'
                     for e in table["evidence"]],
    })
    return shown.to_html(index=False, escape=False, border=0, classes="verdicts")
