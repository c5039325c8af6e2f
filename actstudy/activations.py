"""The activation registry: every activation the study compares, with checked metadata.

Keras's own implementations are used wherever they exist (``keras.activations``
and ``keras.layers.PReLU``); this module writes by hand only what Keras lacks:
the binary step, Swish with a fixed beta other than 1, Swish with a learnable
beta, and a learned mixture of activations.

Each entry carries its formula, range, family, properties, parameter count,
year and reference. ``tests/test_activations.py`` checks every property against
the function itself by sampling, so metadata that lies fails a test.

>>> from actstudy import activations
>>> f = activations.get("leaky_relu", negative_slope=0.1)
>>> round(float(f(-2.0)), 6)
-0.2
>>> activations.spec("silu").name
'swish'
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pandas as pd

inf = math.inf
FAMILIES = ("step", "linear", "sigmoidal", "rectifier", "smooth rectifier", "learnable", "output")


@dataclass(frozen=True)
class ActivationSpec:
    """One registered activation and what is claimed about it.

    ``zero_centred`` means the mean output for standard-normal input is within
    0.05 of zero; ``saturating`` means the derivative tends to 0 on both sides;
    ``smooth`` means continuously differentiable everywhere.
    """

    name: str
    aliases: tuple[str, ...]
    formula: str  # LaTeX
    output_range: tuple[float, float]
    family: str
    monotonic: bool
    smooth: bool
    zero_centred: bool
    bounded_above: bool
    bounded_below: bool
    saturating: bool
    parameters: int  # trainable parameters, per unit or per layer (see per_unit)
    per_unit: bool
    year: int
    reference: str
    description: str
    options: tuple[tuple[str, object], ...] = ()  # defaults, as (name, value) pairs
    output_only: bool = False
    build: object = field(default=None, repr=False, compare=False)  # options -> function or layer

    @property
    def learnable(self) -> bool:
        return self.parameters > 0


# -- what Keras lacks ----------------------------------------------------------------


def binary_step(x):
    """Heaviside step: 1 for x > 0, else 0. Its derivative is 0 almost everywhere.

    Keras has no binary step. Reference: McCulloch & Pitts (1943).
    """
    return jnp.where(x > 0, 1.0, 0.0).astype(jnp.result_type(x, jnp.float32))


def swish(x, beta: float = 1.0):
    """Swish: x * sigmoid(beta * x); beta = 1 is SiLU (Keras's ``silu``).

    Keras's silu has no beta. Reference: Ramachandran et al. (2017).
    """
    if beta == 1.0:
        return keras.activations.silu(x)
    return x * jax.nn.sigmoid(beta * x)


@keras.saving.register_keras_serializable(package="actstudy")
class SwishBeta(keras.layers.Layer):
    """Swish with a learnable beta, one per layer: x * sigmoid(beta * x).

    Keras has no learnable Swish. Reference: Ramachandran et al. (2017).
    """

    def __init__(self, initial_beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_beta = initial_beta

    def build(self, input_shape):
        self.beta = self.add_weight(shape=(), name="beta",
                                    initializer=keras.initializers.Constant(self.initial_beta))

    def call(self, x):
        return x * keras.ops.sigmoid(self.beta * x)

    def get_config(self):
        return {**super().get_config(), "initial_beta": self.initial_beta}


@keras.saving.register_keras_serializable(package="actstudy")
class Mixture(keras.layers.Layer):
    """A learned convex combination of base activations, one weight per base per layer.

    f(x) = sum_i softmax(w)_i g_i(x), w initialised to zeros (equal weights).
    Keras has no such layer. Reference: Manessi & Rozza (2018), "Learning
    combinations of activation functions".
    """

    def __init__(self, bases=("relu", "tanh", "sigmoid", "identity"), **kwargs):
        super().__init__(**kwargs)
        self.bases = tuple(bases)
        self._functions = [get(name) for name in self.bases]

    def build(self, input_shape):
        self.logits = self.add_weight(shape=(len(self.bases),), name="mixture_logits",
                                      initializer="zeros")

    def call(self, x):
        weights = keras.ops.softmax(self.logits)
        return sum(weights[i] * f(x) for i, f in enumerate(self._functions))

    def get_config(self):
        return {**super().get_config(), "bases": list(self.bases)}


def learned_parameters(layer) -> dict[str, np.ndarray]:
    """The current learned parameters of a learnable activation layer, by name."""
    if isinstance(layer, keras.layers.PReLU):
        return {"slope": np.asarray(layer.alpha.numpy())}
    if isinstance(layer, SwishBeta):
        return {"beta": np.asarray(layer.beta.numpy())}
    if isinstance(layer, Mixture):
        weights = np.asarray(jax.nn.softmax(jnp.asarray(layer.logits.numpy())))
        return {f"weight_{name}": weights[i] for i, name in enumerate(layer.bases)}
    return {}


# -- option checks -----------------------------------------------------------------------


def _positive(name, option):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and value > 0):
            raise ValueError(f"{option}={value!r} is not allowed for {name!r}: "
                             "must be a finite number > 0")
        return float(value)
    return check


def _non_negative(name, option):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and value >= 0):
            raise ValueError(f"{option}={value!r} is not allowed for {name!r}: "
                             "must be a finite number >= 0")
        return float(value)
    return check


def _bases(value):
    allowed = [n for n, s in REGISTRY.items() if not s.learnable and not s.output_only]
    if isinstance(value, str) or not value:
        raise ValueError(f"bases={value!r} is not allowed for 'mixture': give a non-empty list "
                         f"of distinct names from {', '.join(allowed)}")
    names = []
    for base in value:
        try:
            resolved = spec(base).name
        except ValueError:
            resolved = None
        if resolved not in allowed or resolved in names:
            raise ValueError(f"bases={list(value)!r} is not allowed for 'mixture': {base!r} is "
                             f"unknown, learnable, output-only or repeated; choose distinct names "
                             f"from {', '.join(allowed)}")
        names.append(resolved)
    return tuple(names)


_CHECKS = {
    ("leaky_relu", "negative_slope"): _non_negative("leaky_relu", "negative_slope"),
    ("elu", "alpha"): _positive("elu", "alpha"),
    ("celu", "alpha"): _positive("celu", "alpha"),
    ("swish", "beta"): _positive("swish", "beta"),
    ("swish_beta", "initial_beta"): _positive("swish_beta", "initial_beta"),
    ("mixture", "bases"): _bases,
}


def _options(entry: ActivationSpec, options: dict) -> dict:
    defaults = dict(entry.options)
    for option in options:
        if option not in defaults:
            allowed = ", ".join(defaults) or "none"
            raise ValueError(f"activation {entry.name!r} takes no option {option!r}; "
                             f"allowed: {allowed}")
    merged = {**defaults, **options}
    return {k: _CHECKS[(entry.name, k)](v) if (entry.name, k) in _CHECKS else v
            for k, v in merged.items()}


# -- the registry ----------------------------------------------------------------------------

REGISTRY: dict[str, ActivationSpec] = {}


def _register(name, aliases, formula, output_range, family, *, monotonic, smooth, zero_centred,
              saturating, year, reference, description, build, parameters=0, per_unit=False,
              options=(), output_only=False):
    REGISTRY[name] = ActivationSpec(
        name=name, aliases=tuple(aliases), formula=formula, output_range=output_range,
        family=family, monotonic=monotonic, smooth=smooth, zero_centred=zero_centred,
        bounded_above=math.isfinite(output_range[1]), bounded_below=math.isfinite(output_range[0]),
        saturating=saturating, parameters=parameters, per_unit=per_unit, year=year,
        reference=reference, description=description, options=tuple(options),
        output_only=output_only, build=build,
    )


ka = keras.activations
_register("binary_step", ["step", "heaviside"], r"\mathbb{1}[x > 0]", (0.0, 1.0), "step",
          monotonic=True, smooth=False, zero_centred=False, saturating=True, year=1943,
          reference="McCulloch & Pitts (1943), A logical calculus of the ideas immanent in nervous activity",
          description="The perceptron's threshold: zero gradient almost everywhere.",
          build=lambda: binary_step)
_register("identity", ["linear", "none"], "x", (-inf, inf), "linear",
          monotonic=True, smooth=True, zero_centred=True, saturating=False, year=1958,
          reference="Rosenblatt (1958); Widrow & Hoff (1960), Adaptive switching circuits",
          description="No non-linearity: stacked layers compose to one linear map.",
          build=lambda: ka.linear)
_register("sigmoid", ["logistic"], r"\frac{1}{1 + e^{-x}}", (0.0, 1.0), "sigmoidal",
          monotonic=True, smooth=True, zero_centred=False, saturating=True, year=1986,
          reference="Rumelhart, Hinton & Williams (1986), Learning representations by back-propagating errors",
          description="The logistic function; saturates on both sides.",
          build=lambda: ka.sigmoid)
_register("hard_sigmoid", [], r"\frac{\mathrm{ReLU6}(x + 3)}{6}", (0.0, 1.0), "sigmoidal",
          monotonic=True, smooth=False, zero_centred=False, saturating=True, year=2015,
          reference="Courbariaux, Bengio & David (2015), BinaryConnect; Howard et al. (2019), MobileNetV3",
          description="A piecewise-linear sigmoid, cheap to compute.",
          build=lambda: ka.hard_sigmoid)
_register("tanh", [], r"\tanh(x)", (-1.0, 1.0), "sigmoidal",
          monotonic=True, smooth=True, zero_centred=True, saturating=True, year=1998,
          reference="LeCun, Bottou, Orr & Müller (1998), Efficient BackProp",
          description="A zero-centred sigmoid.",
          build=lambda: ka.tanh)
_register("softsign", [], r"\frac{x}{1 + |x|}", (-1.0, 1.0), "sigmoidal",
          monotonic=True, smooth=True, zero_centred=True, saturating=True, year=2009,
          reference="Bergstra et al. (2009), Quadratic polynomials learn better image features",
          description="A sigmoid that approaches its bounds polynomially, not exponentially.",
          build=lambda: ka.softsign)
_register("relu", [], r"\max(0, x)", (0.0, inf), "rectifier",
          monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2010,
          reference="Nair & Hinton (2010), Rectified linear units improve restricted Boltzmann machines",
          description="The rectifier: identity for positive inputs, zero otherwise.",
          build=lambda: ka.relu)
_register("relu6", [], r"\min(\max(0, x), 6)", (0.0, 6.0), "rectifier",
          monotonic=True, smooth=False, zero_centred=False, saturating=True, year=2010,
          reference="Krizhevsky (2010), Convolutional deep belief networks on CIFAR-10",
          description="ReLU capped at 6, for low-precision arithmetic.",
          build=lambda: ka.relu6)
_register("leaky_relu", ["lrelu"], r"\max(\alpha x, x),\ \alpha = 0.01", (-inf, inf), "rectifier",
          monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2013,
          reference="Maas, Hannun & Ng (2013), Rectifier nonlinearities improve neural network acoustic models",
          description="A small slope for negative inputs keeps units from dying.",
          options=[("negative_slope", 0.01)],
          build=lambda negative_slope: (lambda x: ka.leaky_relu(x, negative_slope=negative_slope)))
_register("prelu", [], r"\max(a x, x),\ a\ \text{learned per unit}", (-inf, inf), "learnable",
          monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2015,
          parameters=1, per_unit=True,
          reference="He et al. (2015), Delving deep into rectifiers",
          description="Leaky ReLU whose negative slope is learned, one per unit (initial 0.25).",
          build=lambda: keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25)))
_register("elu", [], r"x \text{ if } x > 0 \text{ else } \alpha (e^x - 1)", (-1.0, inf), "rectifier",
          monotonic=True, smooth=True, zero_centred=False, saturating=False, year=2015,
          reference="Clevert, Unterthiner & Hochreiter (2015), Fast and accurate deep network learning by ELUs",
          description="Exponential linear unit: negative outputs push mean activations towards zero.",
          options=[("alpha", 1.0)],
          build=lambda alpha: (lambda x: ka.elu(x, alpha=alpha)))
_register("selu", [], r"\lambda (x \text{ if } x > 0 \text{ else } \alpha (e^x - 1))",
          (-1.7580993408473766, inf), "rectifier",
          monotonic=True, smooth=False, zero_centred=True, saturating=False, year=2017,
          reference="Klambauer et al. (2017), Self-normalizing neural networks",
          description="Scaled ELU whose fixed point keeps activations at zero mean, unit variance.",
          build=lambda: ka.selu)
_register("celu", [], r"\max(0, x) + \min(0, \alpha (e^{x/\alpha} - 1))", (-1.0, inf), "rectifier",
          monotonic=True, smooth=True, zero_centred=False, saturating=False, year=2017,
          reference="Barron (2017), Continuously differentiable exponential linear units",
          description="ELU made continuously differentiable for every alpha.",
          options=[("alpha", 1.0)],
          build=lambda alpha: (lambda x: ka.celu(x, alpha=alpha)))
_register("gelu", [], r"x \Phi(x)", (-0.16997120747, inf), "smooth rectifier",
          monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2016,
          reference="Hendrycks & Gimpel (2016), Gaussian error linear units (GELUs)",
          description="Weights the input by the standard normal CDF; exact (erf) form.",
          build=lambda: ka.gelu)
_register("gelu_tanh", ["gelu_approx"],
          r"\tfrac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}(x + 0.044715 x^3)\right)\right)",
          (-0.17004, inf), "smooth rectifier",
          monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2016,
          reference="Hendrycks & Gimpel (2016), Gaussian error linear units (GELUs)",
          description="GELU's tanh approximation, used by BERT and GPT-2.",
          build=lambda: (lambda x: ka.gelu(x, approximate=True)))
_register("swish", ["silu"], r"x \sigma(\beta x),\ \beta = 1", (-0.27846454276, inf),
          "smooth rectifier",
          monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2017,
          reference="Ramachandran, Zoph & Le (2017), Searching for activation functions; "
                    "Elfwing et al. (2017), SiLU",
          description="Self-gated: the input times its own sigmoid.",
          options=[("beta", 1.0)],
          build=lambda beta: (lambda x: swish(x, beta)))
_register("swish_beta", ["learnable_swish"], r"x \sigma(\beta x),\ \beta\ \text{learned}",
          (-0.27846454276, inf), "learnable",  # the range at initialisation (beta = 1)
          monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2017,
          parameters=1, per_unit=False,
          reference="Ramachandran, Zoph & Le (2017), Searching for activation functions",
          description="Swish with one learned beta per layer (initial 1).",
          options=[("initial_beta", 1.0)],
          build=lambda initial_beta: SwishBeta(initial_beta=initial_beta))
_register("softplus", [], r"\log(1 + e^x)", (0.0, inf), "smooth rectifier",
          monotonic=True, smooth=True, zero_centred=False, saturating=False, year=2001,
          reference="Dugas et al. (2001), Incorporating second-order functional knowledge; "
                    "Glorot, Bordes & Bengio (2011)",
          description="A smooth ReLU.",
          build=lambda: ka.softplus)
_register("mish", [], r"x \tanh(\mathrm{softplus}(x))", (-0.30884, inf), "smooth rectifier",
          monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2019,
          reference="Misra (2019), Mish: a self regularized non-monotonic activation function",
          description="Self-gated like Swish, through tanh of softplus.",
          build=lambda: ka.mish)
_register("hard_swish", ["hard_silu"], r"x \frac{\mathrm{ReLU6}(x + 3)}{6}", (-0.375, inf),
          "rectifier",
          monotonic=False, smooth=False, zero_centred=False, saturating=False, year=2019,
          reference="Howard et al. (2019), Searching for MobileNetV3",
          description="A piecewise approximation of Swish, cheap to compute.",
          build=lambda: ka.hard_silu)
_register("mixture", ["learned_mixture"], r"\sum_i \mathrm{softmax}(w)_i\, g_i(x)", (-inf, inf),
          "learnable",
          monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2018,
          parameters=4, per_unit=False,
          reference="Manessi & Rozza (2018), Learning combinations of activation functions",
          description="A learned convex mix of relu, tanh, sigmoid and identity (at initialisation: "
                      "equal weights).",
          options=[("bases", ("relu", "tanh", "sigmoid", "identity"))],
          build=lambda bases: Mixture(bases=bases))
_register("softmax", [], r"\frac{e^{x_i}}{\sum_j e^{x_j}}", (0.0, 1.0), "output",
          monotonic=False, smooth=True, zero_centred=False, saturating=True, year=1990,
          reference="Bridle (1990), Probabilistic interpretation of feedforward classification network outputs",
          description="Normalises a vector to probabilities; for output layers only.",
          output_only=True,
          build=lambda: ka.softmax)

_ALIASES = {alias: name for name, s in REGISTRY.items() for alias in (name, *s.aliases)}


# -- look-up ------------------------------------------------------------------------------------


def names(include_output_only: bool = False) -> list[str]:
    """Canonical names in registry order (hidden-layer activations unless asked otherwise)."""
    return [n for n, s in REGISTRY.items() if include_output_only or not s.output_only]


def spec(name: str) -> ActivationSpec:
    """The spec for a name or alias (case-insensitive); unknown names suggest close ones."""
    key = str(name).strip().lower().replace("-", "_")
    if key in _ALIASES:
        return REGISTRY[_ALIASES[key]]
    close = difflib.get_close_matches(key, list(_ALIASES), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise ValueError(f"unknown activation {name!r}; {hint}Known: {', '.join(names(True))}")


def get(name: str, **options):
    """A callable for a stateless activation, a new Keras layer for a learnable one."""
    entry = spec(name)
    return entry.build(**_options(entry, options))


def layer(name: str, layer_name: str | None = None, **options) -> keras.layers.Layer:
    """Always a Keras layer: ``Activation(fn)`` for stateless activations."""
    made = get(name, **options)
    if isinstance(made, keras.layers.Layer):
        if layer_name:  # a Keras layer's name is fixed at construction
            made = type(made).from_config({**made.get_config(), "name": layer_name})
        return made
    return keras.layers.Activation(made, name=layer_name)


def function(name: str, **options):
    """A pure function x -> f(x); learnable activations at their initial parameters."""
    made = get(name, **options)
    if not isinstance(made, keras.layers.Layer):
        return made

    # Built eagerly on one unit: its initial parameters broadcast over any input,
    # and the function can then be traced by jax.jit without creating variables.
    made.build((1,))
    values = [v.value for v in made.trainable_variables]

    def at_initial(x):
        return made.stateless_call(values, [], jnp.asarray(x))[0]

    return at_initial


def derivative(name: str, x, **options) -> np.ndarray:
    """f'(x) elementwise, by automatic differentiation through JAX."""
    f = function(name, **options)
    x = jnp.asarray(x, dtype=jnp.float32)
    return np.asarray(jax.jvp(f, (x,), (jnp.ones_like(x),))[1])


def _range(low: float, high: float) -> str:
    left = "(-∞" if low == -inf else f"[{low:.3g}"
    right = "∞)" if high == inf else f"{high:.3g}]"
    return f"{left}, {right}"


def table() -> pd.DataFrame:
    """The registry as a table, one row per activation (output-only ones last)."""
    rows = []
    for name in names(include_output_only=True):
        s = REGISTRY[name]
        params = (f"{s.parameters} per unit" if s.per_unit else f"{s.parameters} per layer"
                  ) if s.parameters else "0"
        rows.append({
            "name": s.name, "aliases": ", ".join(s.aliases), "family": s.family,
            "range": _range(*s.output_range), "monotonic": s.monotonic, "smooth": s.smooth,
            "zero_centred": s.zero_centred, "bounded_above": s.bounded_above,
            "bounded_below": s.bounded_below, "saturating": s.saturating, "parameters": params,
            "year": s.year, "reference": s.reference, "formula": s.formula,
            "output_only": s.output_only,
        })
    return pd.DataFrame(rows)


__all__ = ["ActivationSpec", "FAMILIES", "REGISTRY", "Mixture", "SwishBeta", "binary_step",
           "derivative", "function", "get", "layer", "learned_parameters", "names", "spec",
           "swish", "table"]
