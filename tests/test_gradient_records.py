"""The recorded gradient norms and probe statistics, recomputed with plain JAX and NumPy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from actstudy.run import models, recording, training
from actstudy.run.config import Config
from actstudy.run.record import Run
from actstudy.run.recording import PROBE_STATS
from actstudy.run.training import INACTIVE_SHARE, fit
from actstudy.runner import tidy

CONFIG = Config(dataset="moons", activation="tanh", depth=3, width=8, epochs=1, batch_size=50,
                optimizer="sgd", learning_rate=0.5, seed=3, init_scale=2.0,
                dataset_options={"n_train": 400, "n_val": 100, "n_test": 100})


def _initial_parameters():
    model = models.build(CONFIG, (2,), 2)
    layers = [model.get_layer(f"linear_{i}") for i in range(CONFIG.depth)] + [model.get_layer("head")]
    return [(jnp.asarray(layer.kernel.numpy()), jnp.asarray(layer.bias.numpy())) for layer in layers]


def _forward(params, x):
    """Pre-activations of each hidden layer and the logits, written out by hand."""
    pre = []
    for kernel, bias in params[:-1]:
        z = x @ kernel + bias
        pre.append(z)
        x = jnp.tanh(z)
    kernel, bias = params[-1]
    return pre, x @ kernel + bias


def _probe_stats(params, x):
    """Per hidden layer, the probe statistics of a tanh network, recomputed with NumPy."""
    pre, _ = _forward(params, x)
    rows = []
    for z in (np.asarray(z, dtype=np.float64) for z in pre):
        a = np.tanh(z)
        relative = (1 - a**2) / 1.0  # tanh's steepest slope is 1, at 0
        rows.append({
            "act_mean": a.mean(), "act_std": a.std(),
            "saturated_fraction": np.mean(np.mean(relative < 0.1, axis=0) > 0.5),
            "relative_derivative_mean": relative.mean(),
            "near_bound_fraction": np.mean((a <= -0.9) | (a >= 0.9)),  # 5% of [-1, 1] each end
            "inactive_fraction": np.mean(np.mean(z < 0, axis=0) >= INACTIVE_SHARE),
            "relative": relative, "silent": np.all(z < 0, axis=0)})
    return rows


def _assert_stats_match(recorded: dict, expected: dict):
    for name, value in expected.items():
        if name not in ("relative", "silent"):
            assert recorded[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def _loss(params, x, y):
    logits = _forward(params, x)[1]
    return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(len(y)), y])


@pytest.mark.slow
def test_kernel_and_bias_gradient_norms_and_step_probes_match_plain_jax():
    run = fit(CONFIG.replace(probe_every=1))
    dataset = CONFIG.load_dataset()
    order = np.asarray(jax.random.permutation(
        jax.random.fold_in(jax.random.PRNGKey(CONFIG.seed), 1), len(dataset.x_train)))
    params = _initial_parameters()
    probe = dataset.x_val[: CONFIG.probe_size]
    for step in (0, 1):
        # The probe in the program sees the state before the step's update.
        probed = [r for r in run.step_activation_stats if r["step"] == step]
        for recorded, expected in zip(probed, _probe_stats(params, probe), strict=True):
            _assert_stats_match(recorded, expected)
        batch = order[step * 50:(step + 1) * 50]
        grads = jax.grad(_loss)(params, dataset.x_train[batch], dataset.y_train[batch])
        kernel_norms = [float(jnp.linalg.norm(g)) for g, _ in grads]
        bias_norms = [float(jnp.linalg.norm(b)) for _, b in grads]
        assert run.gradient_norms[step] == pytest.approx(kernel_norms, rel=1e-5)
        assert run.bias_gradient_norms[step] == pytest.approx(bias_norms, rel=1e-5)
        params = jax.tree.map(lambda p, g: p - CONFIG.learning_rate * g, params, grads)
    frame = tidy.gradient_frame(run)
    first = frame[frame["step"] == 0].sort_values("layer_index")
    assert first["bias_gradient_norm"].tolist() == run.bias_gradient_norms[0]
    # A record written before bias norms and groups were kept still reads.
    older = {k: v for k, v in run.to_dict().items() if k not in ("bias_gradient_norms",
                                                                 "group_size")}
    again = Run.from_dict(older)
    assert again.bias_gradient_norms == [] and again.group_size == 1
    assert tidy.gradient_frame(again)["bias_gradient_norm"].isna().all()


def test_inactive_fraction_matches_numpy():
    # Three first-layer units pushed far below zero by their bias: inactive on every sample.
    model, optimizer, state = training._member_state(CONFIG, (2,), 2)
    bias = model.get_layer("linear_0").bias
    bias.assign(np.where(np.arange(CONFIG.width) < 3, -50.0, 0.0).astype(np.float32))
    program = training._Program(CONFIG, model, optimizer, "classification", True, 1)
    trainable = [jnp.asarray(v.value) for v in model.trainable_variables]
    non_trainable = [jnp.asarray(v.value) for v in model.non_trainable_variables]
    x = CONFIG.load_dataset().x_val[: CONFIG.probe_size]
    stats = program._probe(trainable, non_trainable, jnp.asarray(x), values=False)
    recorded = np.asarray(stats)[:, recording.PROBE_STATS.index("inactive_fraction")]
    params = [(jnp.asarray(layer.kernel.numpy()), jnp.asarray(layer.bias.numpy()))
              for layer in models.weighted_layers(model)]
    pre, _ = _forward(params, x)
    expected = [float(np.mean(np.mean(np.asarray(z) < 0, axis=0) >= INACTIVE_SHARE)) for z in pre]
    assert expected[0] == 3 / CONFIG.width
    assert recorded.tolist() == pytest.approx(expected, abs=1e-7)


def test_relative_saturation_bounds_and_derivative_quantiles_match_numpy():
    # Twice the usual weights (CONFIG.init_scale): some tanh units saturate.
    model, optimizer, _ = training._member_state(CONFIG, (2,), 2)
    program = training._Program(CONFIG, model, optimizer, "classification", True, 1)
    trainable = [jnp.asarray(v.value) for v in model.trainable_variables]
    non_trainable = [jnp.asarray(v.value) for v in model.non_trainable_variables]
    x = CONFIG.load_dataset().x_val[: CONFIG.probe_size]
    stats, _, derivatives, silent = program._probe(trainable, non_trainable, jnp.asarray(x))
    params = [(jnp.asarray(layer.kernel.numpy()), jnp.asarray(layer.bias.numpy()))
              for layer in models.weighted_layers(model)]
    expected = _probe_stats(params, x)
    assert any(e["saturated_fraction"] > 0 for e in expected)
    assert any(0 < e["near_bound_fraction"] < 1 for e in expected)
    for row, e, sampled, units in zip(np.asarray(stats), expected, derivatives, silent,
                                      strict=True):
        _assert_stats_match(dict(zip(PROBE_STATS, row, strict=True)), e)
        # per unit: negative on every probe input (what dead_from_fraction is built from)
        assert np.asarray(units).tolist() == e["silent"].tolist()
        # The quantiles come from a fixed subset of the same values (training._subsample).
        subset = np.asarray(training._subsample(jnp.asarray(e["relative"], jnp.float32)))
        assert np.asarray(sampled) == pytest.approx(subset, abs=1e-6)
        assert recording.probe_quantiles(np.asarray(sampled)) == pytest.approx(
            np.quantile(subset, recording.QUANTILES), abs=1e-6)


def test_saturation_is_relative_to_each_activations_steepest_slope():
    # sigmoid's f' is at most 0.25, so an absolute threshold on f' would call every sigmoid
    # unit flat sooner than a tanh unit; relative to the peak, the same pre-activations
    # z and 2z (tanh(z) = 2 sigmoid(2z) - 1) give the same relative derivative.
    z = jnp.linspace(-6, 6, 13)
    sigmoid = jax.vmap(jax.grad(jax.nn.sigmoid))(2 * z) / 0.25
    tanh = jax.vmap(jax.grad(jnp.tanh))(z) / 1.0
    assert np.asarray(sigmoid) == pytest.approx(np.asarray(tanh), abs=1e-6)
    for name in ("sigmoid", "tanh"):
        config = CONFIG.replace(activation=name, init_scale=8.0, depth=1)
        model, optimizer, _ = training._member_state(config, (2,), 2)
        program = training._Program(config, model, optimizer, "classification", True, 1)
        trainable = [jnp.asarray(v.value) for v in model.trainable_variables]
        stats = program._probe(trainable, [], jnp.asarray(config.load_dataset().x_val), False)
        row = dict(zip(PROBE_STATS, np.asarray(stats)[0], strict=True))
        assert 0 <= row["relative_derivative_mean"] <= 1
        assert 0 <= row["near_bound_fraction"] <= 1
