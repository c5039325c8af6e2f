"""The activation registry: every activation the study compares, with checked metadata.

Keras's own implementations are used wherever they exist (``keras.activations``
and ``keras.layers.PReLU``); this module writes by hand only what Keras lacks:
the binary step, Swish with a fixed beta other than 1, Swish with a learnable
beta, and a learned mixture of activations.

Each entry carries its formula, range, family, properties, parameter count,
year and reference. The built-ins' properties are declared by hand, and
``tests/test_activations.py`` checks each against :func:`measure_properties`,
which samples the function itself, so metadata that lies fails a test. An
activation of your own is added with :func:`register`, which measures its
properties instead of taking them on trust. A profile or the command line can
also name one by import path, ``"mypkg.acts:sawtooth"`` (see :func:`resolve`).

>>> from actstudy.run import activations
>>> f = activations.get("leaky_relu", negative_slope=0.25)
>>> float(f(-2.0))
-0.5
>>> activations.spec("silu").name
'swish'

Bring your own activation: a function of ``x`` written with ``keras.ops`` (or
``jax.numpy``), or a Keras layer class for one with trainable weights.

>>> import keras
>>> def bent_identity(x):
...     return (keras.ops.sqrt(x * x + 1.0) - 1.0) / 2.0 + x
>>> spec = activations.register("bent_identity", bent_identity,
...                             formula=r"\\frac{\\sqrt{x^2 + 1} - 1}{2} + x")
>>> spec.monotonic, spec.smooth, spec.saturating, spec.output_range
(True, True, False, (-inf, inf))
>>> float(activations.get("bent_identity")(0.0))
0.0
>>> activations.unregister("bent_identity")
"""

from __future__ import annotations

from functools import partial
from math import inf

import keras

from actstudy.run.registry import *  # noqa: F403  (the registry's API, handed on)
from actstudy.run.registry import (
    Mixture,
    SwishBeta,
    _builtin,
    binary_step,
    prelu,
    swish,
)

ka = keras.activations


_builtin("binary_step", ["step", "heaviside"], r"\mathbb{1}[x > 0]", (0.0, 1.0), "step",
         monotonic=True, smooth=False, zero_centred=False, saturating=True, year=1943,
         reference="McCulloch & Pitts (1943), A logical calculus of the ideas immanent in nervous activity",
         description="The perceptron's threshold: zero gradient almost everywhere.",
         options=[("straight_through", False)],
         implementation=binary_step)


_builtin("identity", ["linear", "none"], "x", (-inf, inf), "linear",
         monotonic=True, smooth=True, zero_centred=True, saturating=False, year=1958,
         reference="Rosenblatt (1958); Widrow & Hoff (1960), Adaptive switching circuits",
         description="No non-linearity: stacked layers compose to one linear map.",
         implementation=ka.linear)


_builtin("sigmoid", ["logistic"], r"\frac{1}{1 + e^{-x}}", (0.0, 1.0), "sigmoidal",
         monotonic=True, smooth=True, zero_centred=False, saturating=True, year=1986,
         reference="Rumelhart, Hinton & Williams (1986), Learning representations by back-propagating errors",
         description="The logistic function; saturates on both sides.",
         implementation=ka.sigmoid)


_builtin("hard_sigmoid", [], r"\frac{\mathrm{ReLU6}(x + 3)}{6}", (0.0, 1.0), "sigmoidal",
         monotonic=True, smooth=False, zero_centred=False, saturating=True, year=2015,
         reference="Courbariaux, Bengio & David (2015), BinaryConnect; Howard et al. (2019), MobileNetV3",
         description="A piecewise-linear sigmoid, cheap to compute.",
         implementation=ka.hard_sigmoid)


_builtin("tanh", [], r"\tanh(x)", (-1.0, 1.0), "sigmoidal",
         monotonic=True, smooth=True, zero_centred=True, saturating=True, year=1998,
         reference="LeCun, Bottou, Orr & Müller (1998), Efficient BackProp",
         description="A zero-centred sigmoid.",
         implementation=ka.tanh)


_builtin("softsign", [], r"\frac{x}{1 + |x|}", (-1.0, 1.0), "sigmoidal",
         monotonic=True, smooth=True, zero_centred=True, saturating=True, year=2009,
         reference="Bergstra et al. (2009), Quadratic polynomials learn better image features",
         description="A sigmoid that approaches its bounds polynomially, not exponentially.",
         implementation=ka.softsign)


_builtin("relu", [], r"\max(0, x)", (0.0, inf), "rectifier",
         monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2010,
         reference="Nair & Hinton (2010), Rectified linear units improve restricted Boltzmann machines",
         description="The rectifier: identity for positive inputs, zero otherwise.",
         implementation=ka.relu)


_builtin("relu6", [], r"\min(\max(0, x), 6)", (0.0, 6.0), "rectifier",
         monotonic=True, smooth=False, zero_centred=False, saturating=True, year=2010,
         reference="Krizhevsky (2010), Convolutional deep belief networks on CIFAR-10",
         description="ReLU capped at 6, for low-precision arithmetic.",
         implementation=ka.relu6)


_builtin("leaky_relu", ["lrelu"], r"\max(\alpha x, x),\ \alpha = 0.01", (-inf, inf), "rectifier",
         monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2013,
         reference="Maas, Hannun & Ng (2013), Rectifier nonlinearities improve neural network acoustic models",
         description="A small slope for negative inputs keeps units from dying.",
         options=[("negative_slope", 0.01)],
         implementation=ka.leaky_relu)


_builtin("prelu", [], r"\max(a x, x),\ a\ \text{learned per unit}", (-inf, inf), "learnable",
         monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2015,
         parameters=1, per_unit=True,
         reference="He et al. (2015), Delving deep into rectifiers",
         description="Leaky ReLU whose negative slope is learned, one per unit (initial 0.25 unless "
                     "initial_slope says otherwise).",
         options=[("initial_slope", 0.25)],
         implementation=prelu, makes_layer=True)


_builtin("elu", [], r"x \text{ if } x > 0 \text{ else } \alpha (e^x - 1)", (-1.0, inf), "rectifier",
         monotonic=True, smooth=True, zero_centred=False, saturating=False, year=2015,
         reference="Clevert, Unterthiner & Hochreiter (2015), Fast and accurate deep network learning by ELUs",
         description="Exponential linear unit: negative outputs push mean activations towards zero.",
         options=[("alpha", 1.0)],
         implementation=ka.elu)


_builtin("selu", [], r"\lambda (x \text{ if } x > 0 \text{ else } \alpha (e^x - 1))",
         (-1.7580993408473766, inf), "rectifier",
         monotonic=True, smooth=False, zero_centred=True, saturating=False, year=2017,
         reference="Klambauer et al. (2017), Self-normalizing neural networks",
         description="Scaled ELU whose fixed point keeps activations at zero mean, unit variance.",
         implementation=ka.selu)


_builtin("celu", [], r"\max(0, x) + \min(0, \alpha (e^{x/\alpha} - 1))", (-1.0, inf), "rectifier",
         monotonic=True, smooth=True, zero_centred=False, saturating=False, year=2017,
         reference="Barron (2017), Continuously differentiable exponential linear units",
         description="ELU made continuously differentiable for every alpha.",
         options=[("alpha", 1.0)],
         implementation=ka.celu)


_builtin("gelu", [], r"x \Phi(x)", (-0.16997120747, inf), "smooth rectifier",
         monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2016,
         reference="Hendrycks & Gimpel (2016), Gaussian error linear units (GELUs)",
         description="Weights the input by the standard normal CDF; exact (erf) form.",
         implementation=ka.gelu)


_builtin("gelu_tanh", ["gelu_approx"],
         r"\tfrac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}(x + 0.044715 x^3)\right)\right)",
         (-0.17004, inf), "smooth rectifier",
         monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2016,
         reference="Hendrycks & Gimpel (2016), Gaussian error linear units (GELUs)",
         description="GELU's tanh approximation, used by BERT and GPT-2.",
         implementation=partial(ka.gelu, approximate=True))


_builtin("swish", ["silu"], r"x \sigma(\beta x),\ \beta = 1", (-0.27846454276, inf),
         "smooth rectifier",
         monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2017,
         reference="Ramachandran, Zoph & Le (2017), Searching for activation functions; "
                   "Elfwing et al. (2017), SiLU",
         description="Self-gated: the input times its own sigmoid.",
         options=[("beta", 1.0)],
         implementation=swish)


_builtin("swish_beta", ["learnable_swish"], r"x \sigma(\beta x),\ \beta\ \text{learned}",
         (-0.27846454276, inf), "learnable",  # the range at initialisation (beta = 1)
         monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2017,
         parameters=1, per_unit=False,
         reference="Ramachandran, Zoph & Le (2017), Searching for activation functions",
         description="Swish with one learned beta per layer (initial 1).",
         options=[("initial_beta", 1.0)],
         implementation=SwishBeta, makes_layer=True)


_builtin("softplus", [], r"\log(1 + e^x)", (0.0, inf), "smooth rectifier",
         monotonic=True, smooth=True, zero_centred=False, saturating=False, year=2001,
         reference="Dugas et al. (2001), Incorporating second-order functional knowledge; "
                   "Glorot, Bordes & Bengio (2011)",
         description="A smooth ReLU.",
         implementation=ka.softplus)


_builtin("mish", [], r"x \tanh(\mathrm{softplus}(x))", (-0.30884, inf), "smooth rectifier",
         monotonic=False, smooth=True, zero_centred=False, saturating=False, year=2019,
         reference="Misra (2019), Mish: a self regularized non-monotonic activation function",
         description="Self-gated like Swish, through tanh of softplus.",
         implementation=ka.mish)


_builtin("hard_swish", ["hard_silu"], r"x \frac{\mathrm{ReLU6}(x + 3)}{6}", (-0.375, inf),
         "rectifier",
         monotonic=False, smooth=False, zero_centred=False, saturating=False, year=2019,
         reference="Howard et al. (2019), Searching for MobileNetV3",
         description="A piecewise approximation of Swish, cheap to compute.",
         implementation=ka.hard_silu)


_builtin("mixture", ["learned_mixture"], r"\sum_i \mathrm{softmax}(w)_i\, g_i(x)", (-inf, inf),
         "learnable",
         monotonic=True, smooth=False, zero_centred=False, saturating=False, year=2018,
         parameters=4, per_unit=False,
         reference="Manessi & Rozza (2018), Learning combinations of activation functions",
         description="A learned convex mix of relu, tanh, sigmoid and identity (at initialisation: "
                     "equal weights).",
         options=[("bases", ("relu", "tanh", "sigmoid", "identity"))],
         implementation=Mixture, makes_layer=True)


_builtin("softmax", [], r"\frac{e^{x_i}}{\sum_j e^{x_j}}", (0.0, 1.0), "output",
         monotonic=False, smooth=True, zero_centred=False, saturating=True, year=1990,
         reference="Bridle (1990), Probabilistic interpretation of feedforward classification network outputs",
         description="Normalises a vector to probabilities; for output layers only.",
         output_only=True,
         implementation=ka.softmax)
