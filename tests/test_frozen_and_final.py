"""Training the output layer alone (Config.train_hidden), and the final model's evaluation on
the whole training split (Run.train), checked against the model evaluated by hand."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from actstudy.run import models, recording, training
from actstudy.run.config import Config
from actstudy.run.record import Run
from actstudy.run.training import fit
from actstudy.runner import tidy

# 1500 training samples: the training split is evaluated in chunks of 1000, the last one padded.
CONFIG = Config(dataset="moons", depth=2, width=16, epochs=3, batch_size=50, learning_rate=0.05,
                activation="prelu", dataset_options={"n_train": 1500, "n_val": 200, "n_test": 300})


def _train_by_hand(config: Config):
    """The group-of-one program driven epoch by epoch, as fit_group does; the initial and the
    final trainable values, and the model to evaluate them with."""
    dataset = config.load_dataset()
    model, optimizer, state = training._member_state(config, dataset.input_shape,
                                                     dataset.n_classes)
    initial = [np.asarray(v) for v in state[0]]
    program = training._Program(config, model, optimizer, dataset.task, True, 1)
    data = training._device_data(dataset, config, recording._surface_inputs(dataset))
    state, alive = training._stack([state]), jnp.ones(1, bool)
    keys = jnp.stack([jax.random.PRNGKey(config.seed)])
    for epoch in range(config.epochs + 1):
        state, alive, _, _ = program.epoch(state, alive, None, keys, epoch, data)  # no best state
    final = [np.asarray(v[0]) for v in state[0]]
    return model, dataset, initial, final


def _hidden_and_head(model):
    """Indices into the trainable variables: the hidden layers' (and activations') and the head's."""
    index = {id(v): i for i, v in enumerate(model.trainable_variables)}
    head = [index[id(v)] for v in model.get_layer("head").trainable_variables]
    return [i for i in range(len(index)) if i not in head], head


@pytest.mark.slow
@pytest.mark.parametrize("train_hidden", [False, True])
def test_frozen_hidden_layers_keep_their_initial_values_and_the_head_learns(train_hidden):
    model, _, initial, final = _train_by_hand(CONFIG.replace(train_hidden=train_hidden))
    hidden, head = _hidden_and_head(model)
    # Two dense kernels and biases and two PReLU slope vectors below the head.
    assert len(hidden) == 6 and len(head) == 2
    unchanged = [np.array_equal(initial[i], final[i]) for i in hidden]
    assert unchanged == [not train_hidden] * len(hidden)
    assert not any(np.array_equal(initial[i], final[i]) for i in head)


@pytest.mark.slow
def test_a_frozen_run_records_its_fixed_slopes_and_its_hidden_gradients():
    run = fit(CONFIG.replace(train_hidden=False))
    slopes = [row for row in run.learned_parameters if row["parameter"] == "slope"]
    by_layer = {}
    for row in slopes:
        by_layer.setdefault(row["layer"], []).append(row["values"])
    assert len(by_layer) == 2
    for values in by_layer.values():
        assert len(values) == CONFIG.epochs + 1 and all(v == values[0] for v in values)
    # Frozen is not gradient-free: the hidden layers' gradients are recorded, just not applied.
    assert np.all(np.asarray(run.gradient_norms) > 0)
    assert tidy.summary(run)["train_hidden"] is False and run.config["train_hidden"] is False


def _by_hand(model, weights, x, y, task):
    for variable, value in zip(model.trainable_variables, weights, strict=True):
        variable.assign(value)
    output = np.asarray(model(x, training=False), dtype=np.float64)
    if task == "regression":
        return float(np.mean((output - y) ** 2)), math.nan
    shifted = output - output.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-np.mean(log_p[np.arange(len(y)), y]))
    return loss, float(np.mean(output.argmax(axis=1) == y))


@pytest.mark.slow
@pytest.mark.parametrize("config", [
    CONFIG,
    CONFIG.replace(train_hidden=False),
    Config(dataset="sine", depth=2, width=16, epochs=3, batch_size=32, activation="tanh",
           learning_rate=0.01, dataset_options={"n_train": 1100}),
], ids=["classification", "frozen", "regression"])
def test_the_final_training_split_metrics_are_the_final_models(config):
    model, dataset, _, final = _train_by_hand(config)
    loss, accuracy = _by_hand(model, final, dataset.x_train, dataset.y_train, dataset.task)
    run = fit(config)
    assert run.train["loss"] == pytest.approx(loss, rel=1e-5)
    if dataset.task == "classification":
        assert run.train["accuracy"] == pytest.approx(accuracy, abs=0.5 / len(dataset.x_train))
        # The same final model on the test set, as the run has always reported it.
        test_loss, test_accuracy = _by_hand(model, final, dataset.x_test, dataset.y_test,
                                            dataset.task)
        assert run.test["loss"] == pytest.approx(test_loss, rel=1e-5)
        assert run.test["accuracy"] == pytest.approx(test_accuracy, abs=0.5 / len(dataset.x_test))
    else:
        assert math.isnan(run.train["accuracy"])
    # Not the last epoch's running mean over mini-batches, taken while the model changed.
    assert run.train["loss"] != pytest.approx(run.history[-1]["train_loss"], rel=1e-3)
    summary = tidy.summary(run)
    assert summary["final_train_loss_full"] == run.train["loss"]
    assert summary["final_train_accuracy_full"] == run.train["accuracy"] or math.isnan(
        summary["final_train_accuracy_full"])


@pytest.mark.slow
def test_a_diverged_run_has_no_final_training_split_metrics():
    run = fit(CONFIG.replace(activation="relu", optimizer="sgd", learning_rate=1e6,
                             init_scale=50.0, epochs=3))
    assert run.diverged
    assert math.isnan(run.train["loss"]) and math.isnan(run.train["accuracy"])


def test_a_record_written_before_the_training_split_was_evaluated_still_reads():
    older = {"key": "k", "config": Config(dataset="moons").to_dict(), "task": "classification",
             "layers": ["linear_0", "head"], "blocks": ["activation_0"], "history": [],
             "initial": {}, "test": {"loss": 0.3, "accuracy": 0.9}, "gradient_steps": [],
             "gradient_norms": [], "activation_stats": [], "learned_parameters": [],
             "diverged": False, "diverged_epoch": None, "compile_seconds": 0.0,
             "train_seconds": 0.0, "steps_per_epoch": 1, "dataset": {}, "versions": {},
             "created": ""}
    del older["config"]["train_hidden"]  # nor was train_hidden a field
    run = Run.from_dict(older)
    assert run.train == {}
    summary = tidy.summary(run)
    assert math.isnan(summary["final_train_loss_full"])
    assert math.isnan(summary["final_train_accuracy_full"])
    assert summary["train_hidden"] is True


def test_trained_variables_are_all_or_the_heads():
    model = models.build(CONFIG, (2,), 2)
    assert models.trained_variables(model, CONFIG) == model.trainable_variables
    frozen = models.trained_variables(model, CONFIG.replace(train_hidden=False))
    assert frozen == model.get_layer("head").trainable_variables and len(frozen) == 2
