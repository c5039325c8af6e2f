"""Grouped training: a member's numbers do not depend on its group, and members diverge alone."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from actstudy import runner
from actstudy.run import grouping, training
from actstudy.run.config import Config
from actstudy.run.grouping import groups
from actstudy.run.record import Run
from actstudy.run.training import fit, fit_group
from actstudy.runner import grid, run_grid

# PReLU (learned slopes) with dropout (per-member random state) on moons (a stored surface):
# every kind of record a run has.
BASE = Config(dataset="moons", depth=3, width=16, epochs=4, batch_size=50, activation="prelu",
              dropout=0.1, probe_every=3,
              dataset_options={"n_train": 400, "n_val": 100, "n_test": 200})
# Eight members that differ in every field a group may vary.
MEMBERS = [BASE.replace(seed=s, learning_rate=(1e-3, 3e-3)[s % 2], init_scale=(1.0, 2.0)[s // 4],
                        initializer=(None, "glorot_uniform")[s // 2 % 2])
           for s in range(8)]
# What a run records as numbers, by name; seconds are timings, not results.
RECORDS = ("history", "initial", "test", "gradient_norms", "bias_gradient_norms",
           "activation_stats", "step_activation_stats", "learned_parameters", "surface")


def _series(run: Run) -> dict[str, np.ndarray]:
    """Every recorded number of a run, gathered per named quantity (e.g. history.val_loss)."""
    found: dict[str, list[float]] = {}

    def walk(name, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}.{key}", item)
        elif isinstance(value, list):
            for item in value:
                walk(name, item)
        elif isinstance(value, float) or value is None:
            found.setdefault(name, []).append(math.nan if value is None else value)

    record = run.to_dict()
    for name in RECORDS:
        walk(name, record[name])
    return {k: np.asarray(v) for k, v in found.items() if not k.endswith("seconds")}


def _assert_as_alone(group, configs, members, tolerance):
    """Every recorded number of each member in ``members`` is the one it reaches trained
    alone, within ``tolerance`` of each quantity's largest value."""
    for m in members:
        alone, member = _series(fit(configs[m])), _series(group[m])
        assert alone.keys() == member.keys() and len(alone) > 20
        for name, values in alone.items():
            assert values.shape == member[name].shape, name
            assert np.array_equal(np.isnan(values), np.isnan(member[name])), (m, name)
            scale = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
            # P(class 1) is stored rounded to 1e-4, so one rounding step there is 1e-4.
            bound = 2e-4 if name == "surface.p" else tolerance * max(scale, 1e-12)
            difference = np.nanmax(np.abs(values - member[name]), initial=0.0)
            assert difference <= bound, (m, name, difference, scale)


@pytest.mark.slow
def test_a_members_numbers_do_not_depend_on_its_group():
    group = fit_group(MEMBERS)
    assert [r.key for r in group] == [c.key() for c in MEMBERS]
    assert {r.group_size for r in group} == {8}
    # Not bitwise: XLA multiplies the group's stacked matrices with a batched kernel whose
    # float32 sums run in another order than a single product's. Measured, as a share of each
    # quantity's largest value: at most 2.3e-7 (float32 rounding), over every number of members
    # 0, 5 and 7.
    _assert_as_alone(group, MEMBERS, (0, 7), 1e-5)


# Activations that share one program, given interleaved: bounded ones with different bounds
# (the near-bound share is a per-activation branch too), a step, one with options, with dropout
# (per-member random state), and counts of 2, 4 and 2 (chunks of 2).
MIXED = [BASE.replace(activation=a, activation_options=o, seed=s)
         for s in range(2) for a, o in (("sigmoid", {}), ("leaky_relu", {"negative_slope": 0.2}),
                                        ("tanh", {}), ("relu6", {}), ("binary_step", {}))]
MIXED += [MIXED[1].replace(seed=5, learning_rate=3e-3), MIXED[1].replace(seed=6)]


@pytest.mark.slow
def test_a_members_numbers_do_not_depend_on_the_activations_beside_it():
    group = fit_group(MIXED)
    assert [r.key for r in group] == [c.key() for c in MIXED]  # in order; keys as alone
    assert [r.config["activation"] for r in group] == [c.activation for c in MIXED]
    assert {(r.group_size, r.program_activations) for r in group} == {(len(MIXED), 5)}
    # Not bitwise, as for seeds: in a shared program the activation sits in a conditional,
    # and the chunk's matrices are another batch. Measured on a first mix (sigmoid, leaky
    # ReLU, GELU, the step; no dropout), as a share of each quantity's largest value: at most
    # 1.6e-7 (float32 rounding), eight of ten members bitwise.
    _assert_as_alone(group, MIXED, range(len(MIXED)), 1e-6)


@pytest.mark.slow
def test_a_shared_program_of_chunks_of_one_keeps_the_best_state_and_divergence_apart():
    steady = BASE.replace(activation="relu", dropout=0.0, optimizer="sgd", learning_rate=0.05,
                          restore_best=True)
    configs = [steady, steady.replace(activation="elu", seed=1, learning_rate=1e6,
                                      init_scale=50.0),
               steady.replace(activation="sigmoid", seed=2)]
    relu, wild, sigmoid = fit_group(configs)  # chunks of one: the member function unbatched
    assert wild.diverged and not relu.diverged and not sigmoid.diverged
    assert relu.best_epoch is not None and wild.program_activations == 3
    _assert_as_alone([relu, wild, sigmoid], configs, (0, 2), 1e-6)


def test_only_parameter_free_built_in_activations_share_a_program():
    assert grouping.shares_program(BASE.replace(activation="gelu"))
    assert grouping.shares_program(BASE.replace(activation="leaky_relu",
                                                activation_options={"negative_slope": 0.2}))
    for learnable in ("prelu", "swish_beta", "mixture"):
        assert not grouping.shares_program(BASE.replace(activation=learnable))
    assert not grouping.shares_program(BASE.replace(architecture="nalu", activation="identity"))
    with pytest.raises(ValueError, match="members may differ only in seed, learning_rate, "
                                         "init_scale, initializer$"):
        fit_group([BASE, BASE.replace(activation="relu")])  # PReLU has a program of its own
    relu = BASE.replace(activation="relu", dropout=0.0)
    with pytest.raises(ValueError, match="initializer, activation, activation_options$"):
        fit_group([relu, relu.replace(depth=2)])
    # A user's activation keeps a program of its own, whatever its shape.
    from actstudy.run import activations

    activations.register("halved_tanh", lambda x: 0.5 * jnp.tanh(x))
    try:
        assert not grouping.shares_program(relu.replace(activation="halved_tanh"))
    finally:
        activations.unregister("halved_tanh")
    # Grouping: one program for relu and elu, PReLU's of its own, chunks of one size.
    configs = [c.replace(seed=s) for c in (relu, relu.replace(activation="elu"), BASE)
               for s in range(3)]
    assert [[(c.activation, c.seed) for c in g] for g in groups(configs, max_group=3)] == [
        [("relu", s) for s in range(3)] + [("elu", s) for s in range(3)],
        [("prelu", s) for s in range(3)]]


@pytest.mark.slow
def test_a_diverging_member_stops_alone():
    healthy = BASE.replace(activation="relu", dropout=0.0, optimizer="sgd", learning_rate=0.05)
    exploding = healthy.replace(learning_rate=1e6, init_scale=50.0, seed=1)
    steady = healthy.replace(seed=2)
    diverged, kept = fit_group([exploding, steady])
    assert diverged.diverged and 1 <= diverged.diverged_epoch <= 2
    assert len(diverged.history) == diverged.diverged_epoch
    assert math.isnan(diverged.history[-1]["val_loss"]) and math.isnan(diverged.test["loss"])
    assert diverged.surface is None
    assert max(r["epoch"] for r in diverged.activation_stats) == diverged.diverged_epoch - 1
    # The other member trains every epoch, to the numbers it reaches alone.
    assert not kept.diverged and len(kept.history) == BASE.epochs
    alone = fit(steady)
    assert kept.test["loss"] == pytest.approx(alone.test["loss"], rel=1e-5)
    assert [h["val_loss"] for h in kept.history] == pytest.approx(
        [h["val_loss"] for h in alone.history], rel=1e-5)


def test_members_may_differ_only_in_group_fields():
    with pytest.raises(ValueError, match="members may differ only in seed, learning_rate"):
        fit_group([BASE, BASE.replace(depth=2)])
    with pytest.raises(ValueError, match="configs=\\[\\] is not allowed"):
        fit_group([])
    with pytest.raises(ValueError, match="max_group=0 is not allowed"):
        groups([BASE], max_group=0)


def test_run_grid_trains_each_group_once_and_stores_every_member(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(tmp_path))
    calls = []

    def recording(configs):
        calls.append([(c.activation, c.seed, c.learning_rate) for c in configs])
        return training.fit_group(configs)

    small = BASE.replace(activation="relu", dropout=0.0, epochs=1)
    configs = grid(small, activation=["relu", "tanh"], learning_rate=[1e-3, 1e-2], seed=[0, 1])
    runner.store(fit(configs[0]))  # one member already cached: only the rest train
    results = run_grid(configs, progress=False, fit_group=recording, max_group=2)
    # In the grid's order, at most two to a chunk; learning rates and seeds share a chunk, and
    # chunks of one size, one per (parameter-free) activation, share a program.
    assert calls == [[("relu", 1, 1e-3), ("relu", 0, 0.01), ("tanh", 0, 1e-3), ("tanh", 1, 1e-3)],
                     [("relu", 1, 0.01)], [("tanh", 0, 0.01), ("tanh", 1, 0.01)]]
    assert [r.key for r in results.runs] == [c.key() for c in configs]
    assert all(runner.cache_path(c.key()).exists() for c in configs)
