"""The registry's metadata is checked against the functions themselves, by sampling."""

import functools
import sys

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from scipy.special import erf

from actstudy import analysis
from actstudy.run import activations
from actstudy.run.properties import measure_properties

HIDDEN = activations.names()
GRID = np.linspace(-6, 6, 24001, dtype=np.float32)  # step 5e-4, includes 0


def f(name):
    return lambda x: np.asarray(activations.function(name)(np.asarray(x, np.float32)), float)


def test_registry_size_and_names():
    everything = activations.names(include_output_only=True)
    assert len(everything) >= 22 and len(set(everything)) == len(everything)
    assert "softmax" in everything and "softmax" not in HIDDEN
    for name, spec in activations.REGISTRY.items():
        assert spec.family in activations.FAMILIES
        for alias in (name, *spec.aliases, name.upper()):
            assert activations.spec(alias).name == name


PROPERTIES = ("bounded_below", "bounded_above", "monotonic", "smooth", "zero_centred",
              "saturating")


@functools.cache
def measured(name):
    return measure_properties(activations.function(name))


@pytest.mark.parametrize("prop", PROPERTIES)
@pytest.mark.parametrize("name", HIDDEN)
def test_declared_property_is_measured(name, prop):
    assert getattr(activations.spec(name), prop) == measured(name)[prop], measured(name)


@pytest.mark.parametrize("name", HIDDEN)
def test_declared_range_is_measured(name):
    spec = activations.spec(name)
    found = measured(name)
    ends = zip(spec.output_range, found["output_range"], found["sampled_range"], (-1, 1),
               strict=True)
    for declared, end, sampled, outward in ends:
        if np.isfinite(declared):
            # No output beyond the declared end (float32 rounding aside), and the end is approached.
            assert outward * (end - declared) <= 1e-4 * max(1, abs(end)), (declared, end)
            assert outward * (declared - end) < 1e-2, (declared, end)
        else:
            # An infinite end is exceeded by far at large |x|.
            assert end == declared and outward * sampled > 100, (declared, sampled)
    assert spec.bounded_below == bool(np.isfinite(spec.output_range[0]))
    assert spec.bounded_above == bool(np.isfinite(spec.output_range[1]))


@pytest.mark.parametrize("name", HIDDEN)
def test_parameter_count(name):
    spec = activations.spec(name)
    layer = activations.layer(name)
    layer.build((None, 7))
    count = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
    assert count == spec.parameters * (7 if spec.per_unit else 1)
    assert spec.learnable == (count > 0)


@pytest.mark.parametrize("name", HIDDEN)
def test_every_derivative_is_finite(name):
    assert np.all(np.isfinite(activations.derivative(name, GRID)))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


CLOSED_FORMS = {
    "sigmoid": lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    "tanh": lambda x: 1 - np.tanh(x) ** 2,
    "relu": lambda x: (x > 0).astype(float),
    "leaky_relu": lambda x: np.where(x > 0, 1.0, 0.01),
    "elu": lambda x: np.where(x > 0, 1.0, np.exp(x)),
    "softplus": _sigmoid,
    "gelu": lambda x: 0.5 * (1 + erf(x / np.sqrt(2))) + x * np.exp(-x**2 / 2) / np.sqrt(2 * np.pi),
    "swish": lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_autodiff_matches_closed_form(name):
    x = np.random.default_rng(1).uniform(-8, 8, 2000).astype(np.float32)
    x = x[np.abs(x) > 1e-3]  # away from the kinks at 0
    assert len(x) >= 1000
    expected = CLOSED_FORMS[name](x.astype(np.float64))
    np.testing.assert_allclose(activations.derivative(name, x), expected, rtol=1e-4, atol=1e-6)


def test_gelu_tanh_approximates_gelu():
    gap = np.max(np.abs(f("gelu")(GRID) - f("gelu_tanh")(GRID)))
    assert 0 < gap < 1e-3


def test_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match="unknown activation 'relo'.*'relu'"):
        activations.get("relo")


@pytest.mark.parametrize(
    "name, options, option",
    [
        ("leaky_relu", {"negative_slope": -0.1}, "negative_slope=-0.1"),
        ("swish", {"beta": 0}, "beta=0"),
        ("elu", {"alpha": -1.0}, "alpha=-1.0"),
        ("mixture", {"bases": ("relu", "relu7")}, "relu7"),
        ("mixture", {"bases": ()}, "bases=()"),
        ("mixture", {"bases": ("relu", "prelu")}, "prelu"),
        ("relu", {"slope": 1}, "'slope'"),
    ],
)
def test_bad_options_are_named(name, options, option):
    with pytest.raises(ValueError) as info:
        activations.get(name, **options)
    assert option in str(info.value)


@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf"), "0.01", True])
def test_a_bad_initial_slope_names_option_value_and_what_is_allowed(value):
    with pytest.raises(ValueError) as info:
        activations.get("prelu", initial_slope=value)
    assert str(info.value) == (f"initial_slope={value!r} is not allowed for 'prelu': "
                               "must be a finite number >= 0")


def test_prelu_starts_at_its_initial_slope():
    from actstudy.run import models
    from actstudy.run.config import Config

    config = Config(dataset="moons", depth=2, width=5, activation="prelu",
                    activation_options={"initial_slope": 0.01})
    model = models.build(config, input_shape=(2,), n_outputs=2)
    for _, act in models.hidden_blocks(model):
        np.testing.assert_allclose(activations.learned_parameters(act)["slope"], 0.01)
    plain = models.build(config.replace(activation_options={}), input_shape=(2,), n_outputs=2)
    slopes = activations.learned_parameters(models.hidden_blocks(plain)[0][1])["slope"]
    np.testing.assert_allclose(slopes, np.full(5, 0.25))
    assert float(activations.function("prelu", initial_slope=0.01)(np.float32(-2.0))) == \
        pytest.approx(-0.02)


def test_options_change_the_function():
    assert float(activations.get("leaky_relu", negative_slope=0.2)(-1.0)) == pytest.approx(-0.2)
    assert float(activations.get("swish", beta=2.0)(1.0)) == pytest.approx(1 / (1 + np.exp(-2)))


def test_get_returns_callables_or_layers():
    for name in HIDDEN:
        made = activations.get(name)
        if activations.spec(name).learnable:
            assert isinstance(made, keras.layers.Layer)
        else:
            assert callable(made) and not isinstance(made, keras.layers.Layer)
    probabilities = activations.get("softmax")(np.array([[1.0, 2.0, 3.0]], np.float32))
    assert float(np.sum(probabilities)) == pytest.approx(1.0)


def assert_trains_under_jit(name):
    """The activation's own weights get gradients inside a jitted stateless call."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                              activations.layer(name, layer_name="act"), keras.layers.Dense(1)])
    trainable = [v.value for v in model.trainable_variables]
    act = model.get_layer("act")
    own = [i for i, v in enumerate(model.trainable_variables)
           if any(v is w for w in act.trainable_variables)]
    x = jnp.asarray(np.random.default_rng(0).normal(size=(16, 3)), jnp.float32)

    @jax.jit
    def loss(trainable):
        out, _ = model.stateless_call(trainable, [], x)
        return jnp.mean(out**2)

    grads = jax.grad(loss)(trainable)
    assert own and all(float(jnp.sum(jnp.abs(grads[i]))) > 0 for i in own)
    learned = activations.learned_parameters(act)
    assert learned and all(np.all(np.isfinite(v)) for v in learned.values())
    return learned


@pytest.mark.parametrize("name", ["prelu", "swish_beta", "mixture"])
def test_learnable_layers_train_under_jit(name):
    learned = assert_trains_under_jit(name)
    if name == "mixture":
        assert sum(float(v) for v in learned.values()) == pytest.approx(1.0)


def test_table_lists_every_activation():
    table = analysis.property_table()
    assert list(table["name"]) == activations.names(include_output_only=True)
    assert {"family", "range", "monotonic", "smooth", "zero_centred", "saturating",
            "parameters", "year", "reference"} <= set(table.columns)


# -- activations of your own -------------------------------------------------------------------


@pytest.fixture
def own():
    """Registers through activations.register; removes whatever a test added."""
    before = set(activations.REGISTRY)
    yield activations.register
    for name in set(activations.REGISTRY) - before:
        activations.unregister(name)


def sawtooth(x):
    return x - keras.ops.floor(x + 0.5)


class GainedTanh(keras.layers.Layer):
    """tanh with a learned gain per unit, initially 1."""

    def build(self, input_shape):
        self.gain = self.add_weight(shape=input_shape[-1:], initializer="ones", name="gain")

    def call(self, x):
        return self.gain * keras.ops.tanh(x)


MEASURED = {  # function: (output_range, monotonic, smooth, zero_centred, saturating)
    "sawtooth": (sawtooth, (-0.5, 0.5), False, False, True, False),
    "sine": (keras.ops.sin, (-1.0, 1.0), False, True, True, False),
    "cube": (lambda x: x**3, (-np.inf, np.inf), True, True, True, False),
    "abs": (keras.ops.abs, (0.0, np.inf), False, False, False, False),
    "negated": (lambda x: -x, (-np.inf, np.inf), True, True, True, False),
    "exp": (keras.ops.exp, (0.0, np.inf), True, True, False, False),  # overflows to inf far out
    "slow_log": (lambda x: 0.3 * keras.ops.log1p(keras.ops.abs(x)), (0.0, np.inf), False, False,
                 False, False),  # grows by only 0.7 from |x| = 100 to 1000, but keeps growing
}


@pytest.mark.parametrize("label", list(MEASURED))
def test_measured_properties_of_user_functions(label):
    function, output_range, monotonic, smooth, zero_centred, saturating = MEASURED[label]
    found = measure_properties(function)
    np.testing.assert_allclose(found["output_range"], output_range, atol=1e-3)
    assert (found["monotonic"], found["smooth"], found["zero_centred"], found["saturating"]) == (
        monotonic, smooth, zero_centred, saturating), found
    assert found["bounded_below"] == bool(np.isfinite(output_range[0]))
    assert found["bounded_above"] == bool(np.isfinite(output_range[1]))


def test_register_a_function_stores_measured_properties(own):
    spec = own("sawtooth", sawtooth, formula=r"x - \lfloor x + 1/2 \rfloor", aliases=("saw",),
               year=2024, reference="a test")
    assert spec is activations.spec("SAW") and "sawtooth" in activations.names()
    assert (spec.family, spec.parameters, spec.learnable, spec.makes_layer) == (
        "user", 0, False, False)
    assert (spec.monotonic, spec.smooth, spec.zero_centred, spec.saturating) == (
        False, False, True, False)
    assert spec.bounded_above and spec.bounded_below
    np.testing.assert_allclose(spec.output_range, (-0.5, 0.5), atol=1e-3)
    assert float(activations.get("sawtooth")(0.75)) == pytest.approx(-0.25)
    assert isinstance(activations.layer("sawtooth"), keras.layers.Activation)
    row = analysis.property_table().set_index("name").loc["sawtooth"]
    assert row["family"] == "user" and row["year"] == 2024


def test_register_a_function_with_options(own):
    def scaled_tanh(x, scale=1.0):
        return scale * keras.ops.tanh(x)

    spec = own("scaled_tanh", scaled_tanh, family="sigmoidal", options={"scale": 2.0})
    np.testing.assert_allclose(spec.output_range, (-2.0, 2.0), atol=1e-3)
    assert float(activations.get("scaled_tanh")(100.0)) == pytest.approx(2.0)
    assert float(activations.get("scaled_tanh", scale=3.0)(100.0)) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="takes no option 'gain'; allowed: scale"):
        activations.get("scaled_tanh", gain=1.0)


def test_register_a_layer_with_a_trainable_weight(own):
    spec = own("gained_tanh", GainedTanh)
    assert (spec.parameters, spec.per_unit, spec.learnable, spec.makes_layer) == (
        1, True, True, True)
    assert spec.output_range == (-1.0, 1.0) and spec.saturating and spec.zero_centred
    made = activations.layer("gained_tanh", layer_name="act")
    assert isinstance(made, GainedTanh) and made.name == "act"
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    np.testing.assert_allclose(activations.function("gained_tanh")(x), np.tanh(x), rtol=1e-6)
    assert set(assert_trains_under_jit("gained_tanh")) == {"gain"}


def test_register_a_layer_factory(own):
    spec = own("prelu_half", lambda: keras.layers.PReLU(
        alpha_initializer=keras.initializers.Constant(0.5)), family="learnable")
    assert (spec.parameters, spec.per_unit) == (1, True)
    assert float(activations.function("prelu_half")(np.float32(-2.0))) == pytest.approx(-1.0)


def test_replacing_needs_replace_and_built_ins_stay(own):
    own("sawtooth", sawtooth)
    with pytest.raises(ValueError, match="'sawtooth' is not allowed: it is already registered.*"
                                         "replace=True"):
        own("sawtooth", keras.ops.sin)
    assert own("sawtooth", keras.ops.sin, replace=True).smooth
    with pytest.raises(ValueError, match="'silu' is not allowed: it names the built-in "
                                         "activation 'swish'"):
        own("silu", keras.ops.sin, replace=True)
    with pytest.raises(ValueError, match="name='relu' is not allowed: built-in"):
        activations.unregister("relu")
    activations.unregister("sawtooth")
    with pytest.raises(ValueError, match="unknown activation 'sawtooth'"):
        activations.spec("sawtooth")


def _make_a_layer():
    return 1.0


@pytest.mark.parametrize(
    "arguments, keywords, message",
    [
        (("My-Act", sawtooth), {}, "name='My-Act' is not allowed: use lower-case letters"),
        (("saw", sawtooth), {"family": "rectangular"},
         "family='rectangular' is not allowed: choose one of step, linear"),
        (("saw", sawtooth), {"family": "output"}, "family='output' is not allowed"),
        (("saw", sawtooth), {"aliases": "sawtooth"}, "aliases='sawtooth' is not allowed"),
        (("saw", sawtooth), {"aliases": ("lrelu",)}, "name 'lrelu' is not allowed"),
        (("saw", sawtooth), {"year": "2020"}, "year='2020' is not allowed: give an integer"),
        (("saw", sawtooth), {"options": {"period": 2.0}},
         "options={'period': 2.0} is not allowed: .* takes no keyword argument 'period'"),
        (("saw", 3.0), {}, "activation=3.0 is not allowed: give a function x ->"),
        (("saw", GainedTanh()), {}, "is not allowed: pass the layer's class"),
        (("saw", dict), {}, "is not allowed: a class must be a subclass of keras.layers.Layer"),
        (("saw", _make_a_layer), {}, "returned 1.0, where a new keras.layers.Layer"),
        (("saw", keras.ops.log), {}, "is not allowed: it gave (nan|-inf) at x = "),
        (("saw", np.sin), {}, "is not allowed: JAX cannot differentiate it"),
        (("saw", lambda x: x[:1]), {}, "is not allowed: it must act elementwise"),
    ],
)
def test_bad_registrations_are_named(own, arguments, keywords, message):
    with pytest.raises(ValueError, match=message):
        own(*arguments, **keywords)
    assert "saw" not in activations.REGISTRY


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    """Writes a module to a directory on sys.path; returns its name. Removed afterwards."""
    written = []

    def write(name, source):
        (tmp_path / f"{name}.py").write_text(source)
        written.append(name)
        return name

    monkeypatch.syspath_prepend(str(tmp_path))
    yield write
    for name in written:
        sys.modules.pop(name, None)


USER_ACTS = """
import keras

from actstudy.run import activations


def sawtooth(x):
    return x - keras.ops.floor(x + 0.5)


class Gained(keras.layers.Layer):
    def build(self, input_shape):
        self.gain = self.add_weight(shape=(), initializer="ones", name="gain")

    def call(self, x):
        return self.gain * keras.ops.sigmoid(x)


def bent(x):
    return (keras.ops.sqrt(x * x + 1.0) - 1.0) / 2.0 + x


activations.register("bent_identity", bent, family="rectifier")
PERIOD = 1.0


def relu(x):
    return keras.ops.maximum(x, 0.0)
"""


def test_resolve_registers_an_importable_function(own, user_module):
    module = user_module("user_acts_one", USER_ACTS)
    identifier = f"{module}:sawtooth"
    assert activations.resolve(identifier) == "sawtooth"
    spec = activations.spec(identifier)
    assert (spec.name, spec.family, spec.source, spec.smooth) == (
        "sawtooth", "user", identifier, False)
    assert activations.resolve(identifier) == "sawtooth"  # found again, not registered twice
    assert float(activations.get(identifier)(0.75)) == pytest.approx(-0.25)
    assert activations.resolve("Sawtooth") == "sawtooth"


def test_resolve_finds_what_the_module_registered_itself(own, user_module):
    module = user_module("user_acts_two", USER_ACTS)
    assert activations.resolve(f"{module}:bent") == "bent_identity"
    assert activations.spec("bent_identity").family == "rectifier"
    assert activations.resolve("keras.activations:relu") == "relu"


def test_resolve_a_layer_class(own, user_module):
    module = user_module("user_acts_three", USER_ACTS)
    name = activations.resolve(f"{module}:Gained")
    spec = activations.spec(name)
    assert (name, spec.parameters, spec.per_unit, spec.output_range) == (
        "gained", 1, False, (0.0, 1.0))
    assert isinstance(activations.layer(f"{module}:Gained"), keras.layers.Layer)
    assert float(activations.function(name)(np.float32(0.0))) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "attribute, message",
    [
        ("sawtoth", "is not allowed: .* has no attribute 'sawtoth'; did you mean 'sawtooth'"),
        ("PERIOD", "could not be registered: activation=1.0 is not allowed: give a function"),
        ("relu", "is not allowed: its name 'relu' is already registered; in the module, "
                 "register it under another name"),
    ],
)
def test_resolve_names_the_identifier_in_errors(own, user_module, attribute, message):
    module = user_module("user_acts_four", USER_ACTS)
    with pytest.raises(ValueError, match=f"activation '{module}:{attribute}' {message}"):
        activations.resolve(f"{module}:{attribute}")


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("no_such_module_here:act", "cannot import module 'no_such_module_here'.*sys.path"),
        ("mod:", "an import path is 'module.path:attribute'"),
        ("my mod:act", "an import path is 'module.path:attribute'"),
        (":act", "an import path is 'module.path:attribute'"),
    ],
)
def test_bad_identifiers_are_named(identifier, message):
    with pytest.raises(ValueError, match=f"activation '{identifier}' is not allowed: {message}"):
        activations.resolve(identifier)


def test_a_module_missing_a_dependency_says_so(user_module):
    module = user_module("user_acts_five", "import no_such_dependency_here\n")
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_here"):
        activations.spec(f"{module}:act")
