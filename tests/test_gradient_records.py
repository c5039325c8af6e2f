"""The recorded gradient norms and probe statistics, recomputed with plain JAX and NumPy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from actstudy import models, training
from actstudy.config import Config
from actstudy.runs import Run
from actstudy.training import INACTIVE_SHARE, fit

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


def _loss(params, x, y):
    logits = _forward(params, x)[1]
    return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(len(y)), y])


@pytest.mark.slow
def test_kernel_and_bias_gradient_norms_match_plain_jax():
    run = fit(CONFIG)
    dataset = CONFIG.load_dataset()
    order = np.asarray(jax.random.permutation(
        jax.random.fold_in(jax.random.PRNGKey(CONFIG.seed), 1), len(dataset.x_train)))
    params = _initial_parameters()
    for step in (0, 1):
        batch = order[step * 50:(step + 1) * 50]
        grads = jax.grad(_loss)(params, dataset.x_train[batch], dataset.y_train[batch])
        kernel_norms = [float(jnp.linalg.norm(g)) for g, _ in grads]
        bias_norms = [float(jnp.linalg.norm(b)) for _, b in grads]
        assert run.gradient_norms[step] == pytest.approx(kernel_norms, rel=1e-5)
        assert run.bias_gradient_norms[step] == pytest.approx(bias_norms, rel=1e-5)
        params = jax.tree.map(lambda p, g: p - CONFIG.learning_rate * g, params, grads)
    frame = run.gradient_frame()
    first = frame[frame["step"] == 0].sort_values("layer_index")
    assert first["bias_gradient_norm"].tolist() == run.bias_gradient_norms[0]
    # A record written before bias norms and groups were kept still reads.
    older = {k: v for k, v in run.to_dict().items() if k not in ("bias_gradient_norms",
                                                                 "group_size")}
    again = Run.from_dict(older)
    assert again.bias_gradient_norms == [] and again.group_size == 1
    assert again.gradient_frame()["bias_gradient_norm"].isna().all()


def test_inactive_fraction_matches_numpy():
    # Three first-layer units pushed far below zero by their bias: inactive on every sample.
    model, optimizer, state = training._member_state(CONFIG, (2,), 2)
    bias = model.get_layer("linear_0").bias
    bias.assign(np.where(np.arange(CONFIG.width) < 3, -50.0, 0.0).astype(np.float32))
    program = training._Program(CONFIG, model, optimizer, "classification", True, 1)
    trainable = [jnp.asarray(v.value) for v in model.trainable_variables]
    non_trainable = [jnp.asarray(v.value) for v in model.non_trainable_variables]
    x = CONFIG.load_dataset().x_val[: CONFIG.probe_size]
    stats, _ = program._probe(trainable, non_trainable, jnp.asarray(x))
    recorded = np.asarray(stats)[:, training.PROBE_STATS.index("inactive_fraction")]
    params = [(jnp.asarray(layer.kernel.numpy()), jnp.asarray(layer.bias.numpy()))
              for layer in models.weighted_layers(model)]
    pre, _ = _forward(params, x)
    expected = [float(np.mean(np.mean(np.asarray(z) < 0, axis=0) >= INACTIVE_SHARE)) for z in pre]
    assert expected[0] == 3 / CONFIG.width
    assert recorded.tolist() == pytest.approx(expected, abs=1e-7)
