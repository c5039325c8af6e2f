import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from actstudy import sources
from actstudy.run import activations, data, models
from actstudy.run import config as config_module
from actstudy.run.config import Config
from actstudy.run.record import Run
from actstudy.run.training import fit, fit_group
from actstudy.runner import tidy

SMALL = Config(dataset="moons", depth=2, width=16, epochs=3, batch_size=50,
               dataset_options={"n_train": 400, "n_val": 100, "n_test": 200})


@pytest.mark.parametrize("name", activations.names())
def test_build_every_activation(name):
    config = SMALL.replace(activation=name, depth=3)
    model = models.build(config, (2,), 2)
    assert model.output_shape == (None, 2)
    blocks = models.hidden_blocks(model)
    assert len(blocks) == 3
    learnable = sum(len(act.trainable_weights) for _, act in blocks)
    assert (learnable > 0) == activations.spec(name).learnable


def test_cnn_and_regression_heads():
    cnn = models.build(Config(dataset="mnist", architecture="cnn", depth=2, width=32,
                              dataset_options={"n_train": 256, "n_val": 64, "n_test": 64}),
                       (28, 28, 1), 10)
    assert cnn.output_shape == (None, 10)
    assert len(models.weighted_layers(cnn)) == 4  # two convolutions, one dense, the head
    regression = models.build(Config(dataset="sine", depth=2, width=8, batch_size=32), (1,), 1)
    assert regression.output_shape == (None, 1)


def test_init_scale_scales_weights():
    small = models.build(SMALL, (2,), 2).get_layer("linear_1").kernel.numpy()
    large = models.build(SMALL.replace(init_scale=4.0), (2,), 2).get_layer("linear_1").kernel.numpy()
    assert np.std(large) / np.std(small) == pytest.approx(4.0, rel=1e-3)


@pytest.mark.slow
def test_fit_classification_records_everything():
    run = fit(SMALL.replace(activation="relu", epochs=4, learning_rate=0.01))
    assert [row["epoch"] for row in run.history] == [1, 2, 3, 4]
    assert run.history[-1]["train_accuracy"] > 0.8
    assert run.test["accuracy"] > 0.8  # measured: 0.915
    steps = 400 // 50
    assert run.steps_per_epoch == steps
    assert len(run.gradient_steps) == 4 * steps
    assert np.asarray(run.gradient_norms).shape == (4 * steps, 3)
    assert np.all(np.asarray(run.gradient_norms) > 0)
    stats = tidy.activation_frame(run)
    assert set(stats["epoch"]) == {0, 1, 2, 3, 4} and set(stats["layer_index"]) == {0, 1}
    assert stats["dead_fraction"].between(0, 1).all()
    # ReLU outputs exact zeros for negative inputs: sparsity is visible.
    assert stats["zero_fraction"].mean() > 0.1
    assert not run.diverged and run.diverged_epoch is None
    assert set(run.initial) == {"val_loss", "val_accuracy"}
    assert run.initial["val_loss"] > run.history[-1]["val_loss"]
    # Moons is 2-D and binary: P(class 1) is stored on a grid.
    assert run.surface["kind"] == "boundary"
    assert len(run.surface["x0"]) == len(run.surface["p"]) > 0


@pytest.mark.slow
def test_gradient_every_subsamples_steps():
    run = fit(SMALL.replace(gradient_every=3))
    assert run.gradient_steps == list(range(0, 3 * 8, 3))


@pytest.mark.slow
def test_fit_regression_reports_mse():
    run = fit(Config(dataset="sine", depth=2, width=16, epochs=3, batch_size=32,
                     activation="tanh", learning_rate=0.01))
    assert run.task == "regression"
    assert math.isfinite(run.test["loss"]) and math.isnan(run.test["accuracy"])
    losses = [row["train_loss"] for row in run.history]
    assert np.all(np.diff(losses) < 0), losses  # falls every epoch
    assert run.history[-1]["val_loss"] < 0.2 * run.initial["val_loss"]  # 0.97 -> 0.08
    # Predicting 0 for sin(x) scores an MSE of 0.5; the fitted curve does far better (0.10).
    assert run.test["loss"] < 0.25
    assert run.surface["kind"] == "curve"
    assert len(run.surface["x"]) == len(run.surface["prediction"]) > 0


@pytest.mark.slow
def test_learnable_parameters_are_recorded_and_move():
    run = fit(SMALL.replace(activation="prelu", epochs=2, learning_rate=0.05))
    slopes = [row for row in run.learned_parameters if row["parameter"] == "slope"
              or "alpha" in row["parameter"]]
    assert {row["epoch"] for row in slopes} == {0, 1, 2}
    first = np.asarray(slopes[0]["values"])
    last = np.asarray([r for r in slopes if r["epoch"] == 2 and r["layer"] == slopes[0]["layer"]][0]["values"])
    assert first.shape == (16,) and not np.allclose(first, last)


@pytest.mark.slow
def test_sigmoid_saturates_and_dead_relu_detected():
    saturated = fit(SMALL.replace(activation="sigmoid", init_scale=20.0, epochs=1))
    init = [r for r in saturated.activation_stats if r["epoch"] == 0]
    assert max(r["saturated_fraction"] for r in init) > 0.5
    dead = fit(SMALL.replace(activation="relu", learning_rate=5.0, optimizer="sgd", epochs=3))
    assert not dead.diverged  # dead units, not a non-finite loss

    def dead_fraction(epoch):
        return np.mean([r["dead_fraction"] for r in dead.activation_stats if r["epoch"] == epoch])

    assert dead_fraction(0) < 0.2 and dead_fraction(3) > 0.5  # measured: 0.09 -> 0.88


@pytest.mark.slow
def test_divergence_is_a_result_not_an_exception():
    run = fit(SMALL.replace(activation="relu", optimizer="sgd", learning_rate=1e6,
                            init_scale=50.0, epochs=5))
    assert run.diverged and run.diverged_epoch is not None
    assert len(run.history) == run.diverged_epoch <= 5
    assert run.surface is None
    # Non-finite numbers are stored as null: strict JSON round-trips.
    text = json.dumps(run.to_dict(), allow_nan=False)
    again = Run.from_dict(json.loads(text))
    assert again.diverged and again.key == run.key


@pytest.mark.slow
def test_run_json_round_trip():
    run = fit(SMALL.replace(epochs=1))
    again = Run.from_dict(json.loads(json.dumps(run.to_dict())))
    assert again.history == run.to_dict()["history"]
    assert tidy.summary(again)["test_accuracy"] == pytest.approx(tidy.summary(run)["test_accuracy"])


# Early stopping with restoration: moons' validation accuracy ties its best at the last of
# eight epochs, so the earliest best is tested; sine's validation loss is best at epoch 6 of 8
# (both measured).
RESTORED = [SMALL.replace(epochs=8, learning_rate=0.03, restore_best=True),
            Config(dataset="sine", activation="tanh", depth=2, width=16, epochs=8, batch_size=32,
                   learning_rate=0.05, restore_best=True,
                   dataset_options={"n_train": 256, "n_val": 64})]


@pytest.mark.slow
@pytest.mark.parametrize("config", RESTORED, ids=["classification", "regression"])
def test_restore_best_tests_the_state_of_the_best_validation_epoch(config):
    run = fit(config)
    metric = "val_accuracy" if run.task == "classification" else "val_loss"
    scores = np.array([row[metric] for row in run.history])
    best = np.argmax(scores) if metric == "val_accuracy" else np.argmin(scores)  # the earliest
    assert run.best_epoch == best + 1 < config.epochs
    # The run cut at the best epoch trains along the same path: its final state is the one
    # restored, so its test, training-split and stored-surface numbers must be the same.
    cut = fit(config.replace(epochs=run.best_epoch, restore_best=False))
    assert cut.best_epoch is None
    assert run.test["loss"] == pytest.approx(cut.test["loss"], rel=1e-6)
    assert run.test["accuracy"] == pytest.approx(cut.test["accuracy"], nan_ok=True)
    assert run.train["loss"] == pytest.approx(cut.train["loss"], rel=1e-6)  # the whole split's
    assert _surface_values(run) == pytest.approx(_surface_values(cut), rel=1e-5, abs=1e-6)
    # ... and not that of the last epoch's state, which the run without restoration tests.
    last = fit(config.replace(restore_best=False))
    for name in ("train_loss", "val_loss"):  # restoring changes no epoch of training
        assert [r[name] for r in last.history] == pytest.approx([r[name] for r in run.history],
                                                                rel=1e-6)
    assert last.test["loss"] != pytest.approx(run.test["loss"], rel=1e-3)
    again = Run.from_dict(json.loads(json.dumps(run.to_dict())))
    assert again.best_epoch == tidy.summary(run)["best_epoch"] == run.best_epoch
    assert tidy.summary(again)[f"best_{metric}"] == pytest.approx(scores[best], nan_ok=True)


def _surface_values(run):
    return run.surface.get("p") or run.surface["prediction"]


@pytest.mark.slow
def test_restore_best_in_a_group_a_member_that_diverges_at_once_has_no_best_state():
    steady = RESTORED[0]
    wild = steady.replace(optimizer="sgd", learning_rate=1e6, init_scale=50.0, seed=1)
    wild_run, steady_run = fit_group([wild, steady.replace(optimizer="sgd", learning_rate=0.1)])
    assert wild_run.diverged and wild_run.best_epoch is None
    assert math.isnan(wild_run.test["accuracy"]) and wild_run.surface is None
    # Its group mate trains all epochs and is tested on its own best state.
    alone = fit(steady.replace(optimizer="sgd", learning_rate=0.1))
    assert steady_run.best_epoch == alone.best_epoch is not None
    assert steady_run.test["loss"] == pytest.approx(alone.test["loss"], rel=1e-5)


_DETERMINISM = """
import json, sys
from actstudy.run.config import Config
from actstudy.run.training import fit_group
base = Config(dataset="moons", depth=2, width=16, epochs=2, batch_size=50, dropout=0.1,
              activation="swish_beta", dataset_options={"n_train": 400, "n_val": 100})
runs = fit_group([base.replace(seed=s) for s in range(3)])
# and a program shared by several activations (one switch, a chunk each)
runs += fit_group([base.replace(activation=a, seed=s) for a in ("gelu", "tanh", "relu")
                   for s in range(2)])
print(json.dumps([[run.history, run.gradient_norms, run.activation_stats, run.test,
                   run.learned_parameters] for run in runs], default=str))
"""


@pytest.mark.slow
def test_deterministic_across_processes(tmp_path):
    # Each process compiles for itself (a persistent cache of its own): two compilations, not
    # one executable loaded twice.
    outputs = [
        subprocess.run([sys.executable, "-c", _DETERMINISM], capture_output=True, text=True,
                       env=dict(os.environ, KERAS_BACKEND="jax",
                                ACTSTUDY_JAX_CACHE_DIR=str(tmp_path / f"jax-{i}")),
                       check=True).stdout
        for i in range(2)
    ]
    first, second = (json.loads(out.strip().splitlines()[-1]) for out in outputs)
    # Timings differ between runs; everything numeric about learning must not (bitwise:
    # the same group trains to the same numbers in every process).
    for runs in (first, second):
        for run in runs:
            for row in run[0]:
                row.pop("seconds")
    assert first == second


def _forget_loaded_datasets():
    # Datasets and their checksums are memoised per process: the fake must not be served to
    # a later test, nor a real MNIST loaded earlier to this one.
    for module in (config_module, data):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch):
    """An MNIST-shaped .npz whose label is where a bright bar is (learnable at a glance).

    The loader checks MNIST's shapes and content hash; the hash is switched off here, so the
    test needs no real MNIST and never reads or writes data/mnist.npz.
    """
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 60000), ("test", 10000)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 64, (n, 28, 28), dtype=np.uint8)
        for label in range(10):
            row, col = 4 + 12 * (label // 5), 2 + 5 * (label % 5)
            images[labels == label, row:row + 8, col:col + 4] = 255
        arrays[f"x_{split}"], arrays[f"y_{split}"] = images, labels
    path = tmp_path / "fake-mnist.npz"
    np.savez(path, **arrays)
    monkeypatch.setenv("ACTSTUDY_MNIST", str(path))
    monkeypatch.setitem(sources.CONTENT_SHA256, "mnist", "")
    _forget_loaded_datasets()
    yield path
    _forget_loaded_datasets()


@pytest.mark.slow
def test_fit_small_cnn_on_mnist_shaped_images(fake_mnist):
    config = Config(dataset="mnist", architecture="cnn", depth=2, width=32, epochs=1,
                    batch_size=64, activation="relu",
                    dataset_options={"n_train": 256, "n_val": 256, "n_test": 256})
    run = fit(config)
    assert "ACTSTUDY_MNIST" in run.dataset["source"]  # the fake, not a real MNIST
    assert run.dataset["sizes"] == {"train": 256, "val": 256, "test": 256}
    [epoch] = run.history
    assert not run.diverged and math.isfinite(epoch["train_loss"])
    assert epoch["val_loss"] < 0.75 * run.initial["val_loss"]  # measured: 2.43 -> 1.14
    # Two 3x3 convolutions, the dense hidden layer, the head.
    assert run.layers == ["linear_0", "linear_1", "linear_2", "head"]
    assert run.blocks == ["activation_0", "activation_1", "activation_2"]
    assert run.steps_per_epoch == 4
    norms = np.asarray(run.gradient_norms)
    assert norms.shape == (4, 4) and np.all(np.isfinite(norms)) and np.all(norms > 0)
    stats = tidy.activation_frame(run)
    assert sorted(zip(stats["epoch"], stats["layer"], strict=True)) == [
        (number, f"activation_{i}") for number in (0, 1) for i in range(3)]
    # Chance is 10%; four steps find the bars (measured: 70%), on test as on validation.
    assert run.test["accuracy"] > 0.4
    assert abs(run.test["accuracy"] - epoch["val_accuracy"]) < 0.15
