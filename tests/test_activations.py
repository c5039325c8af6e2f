"""The registry's metadata is checked against the functions themselves, by sampling."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from scipy.special import erf

from actstudy import activations

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


@pytest.mark.parametrize("name", HIDDEN)
def test_output_range_and_bounds(name):
    spec = activations.spec(name)
    low, high = spec.output_range
    wide = np.concatenate([GRID, np.linspace(-1e5, 1e5, 20001, dtype=np.float32)])
    y = f(name)(wide)
    tol = 1e-4 * np.maximum(1, np.abs(y))
    assert np.all(y >= low - tol) and np.all(y <= high + tol)
    # A finite end is approached; an infinite end is exceeded by far at large |x|.
    assert (y.min() - low < 1e-2) if np.isfinite(low) else y.min() < -100
    assert (high - y.max() < 1e-2) if np.isfinite(high) else y.max() > 100
    assert spec.bounded_above == bool(np.isfinite(high))
    assert spec.bounded_below == bool(np.isfinite(low))
    far = f(name)(np.array([-1e3, -1e2, 1e2, 1e3]))
    assert spec.bounded_below == (abs(far[0] - far[1]) < 1.0)
    assert spec.bounded_above == (abs(far[3] - far[2]) < 1.0)


@pytest.mark.parametrize("name", HIDDEN)
def test_monotonic(name):
    y = f(name)(GRID)
    assert activations.spec(name).monotonic == bool(np.all(np.diff(y) >= -1e-6))


@pytest.mark.parametrize("name", HIDDEN)
def test_smooth_means_continuous_derivative(name):
    y = f(name)(GRID)
    d = activations.derivative(name, GRID)
    step = float(GRID[1] - GRID[0])
    function_jump = np.max(np.abs(np.diff(y)))
    derivative_jump = np.max(np.abs(np.diff(d)))
    # On a grid of step h a C1 function changes by O(h); a kink or step changes by O(1).
    smooth = function_jump < 10 * step * (np.max(np.abs(d)) + 1) and derivative_jump < 0.05
    assert activations.spec(name).smooth == smooth, (function_jump, derivative_jump)


@pytest.mark.parametrize("name", HIDDEN)
def test_zero_centred_means_zero_mean_on_standard_normal(name):
    z = np.random.default_rng(0).standard_normal(400_000).astype(np.float32)
    mean = float(np.mean(f(name)(z)))
    assert activations.spec(name).zero_centred == (abs(mean) < 0.05), mean


@pytest.mark.parametrize("name", HIDDEN)
def test_saturating_means_vanishing_derivative_on_both_sides(name):
    d = activations.derivative(name, np.array([-50.0, 50.0], np.float32))
    assert activations.spec(name).saturating == bool(np.all(np.abs(d) < 1e-3)), d


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


@pytest.mark.parametrize("name", ["prelu", "swish_beta", "mixture"])
def test_learnable_layers_train_under_jit(name):
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
    if name == "mixture":
        assert sum(float(v) for v in learned.values()) == pytest.approx(1.0)


def test_table_lists_every_activation():
    table = activations.table()
    assert list(table["name"]) == activations.names(include_output_only=True)
    assert {"family", "range", "monotonic", "smooth", "zero_centred", "saturating",
            "parameters", "year", "reference"} <= set(table.columns)
