"""NAC and NALU layers, the arithmetic datasets, and what a run on them records."""

import math

import numpy as np
import pandas as pd
import pytest

from actstudy import analysis, studies
from actstudy.present import tables, text
from actstudy.run import data, models
from actstudy.run.config import Config
from actstudy.runner import tidy

RNG = np.random.default_rng(0)


def _built(kind, n_inputs, units, **weights):
    layer = kind(units)
    layer.build((None, n_inputs))
    for name, value in weights.items():
        getattr(layer, name).assign(np.asarray(value, dtype="float32"))
    return layer


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_nac_forward_pass_is_x_times_tanh_w_hat_times_sigmoid_m_hat():
    w_hat, m_hat = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    x = RNG.normal(size=(4, 5)).astype("float32")
    layer = _built(models.NAC, 5, 3, kernel=w_hat, mask_kernel=m_hat)
    expected = x @ (np.tanh(w_hat) * _sigmoid(m_hat))
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert layer.bias is None and len(layer.trainable_variables) == 2


def test_nalu_forward_pass_gates_between_adding_and_multiplying_in_log_space():
    w_hat, m_hat, g = (RNG.normal(size=(5, 3)) for _ in range(3))
    x = RNG.uniform(-3, 3, size=(4, 5)).astype("float32")
    layer = _built(models.NALU, 5, 3, kernel=w_hat, mask_kernel=m_hat, gate_kernel=g)
    w = np.tanh(w_hat) * _sigmoid(m_hat)
    gate = _sigmoid(x @ g)
    added = x @ w
    multiplied = np.exp(np.log(np.abs(x) + 1e-7) @ w)
    expected = gate * added + (1 - gate) * multiplied
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(models.NALU.gate(x, g.astype("float32"))), gate,
                               rtol=1e-6)


def test_a_nac_with_weights_of_plus_and_minus_one_adds_and_subtracts_exactly():
    # tanh(30) and sigmoid(30) are 1 in float32, tanh(0) is 0: W is exactly +1, -1 and 0.
    w_hat = [[30.0, 30.0], [30.0, -30.0], [0.0, 0.0], [-30.0, 30.0]]
    layer = _built(models.NAC, 4, 2, kernel=w_hat, mask_kernel=np.full((4, 2), 30.0))
    assert np.asarray(layer.effective_kernel).tolist() == [[1, 1], [1, -1], [0, 0], [-1, 1]]
    # Integers whose sums float32 holds exactly, even a thousand times larger (below 2**24).
    x = RNG.integers(-1000, 1000, size=(50, 4)).astype("float32")
    y = np.asarray(layer(x))
    assert (y[:, 0] == x[:, 0] + x[:, 1] - x[:, 3]).all()  # a sum, and a difference
    assert (y[:, 1] == x[:, 0] - x[:, 1] + x[:, 3]).all()
    # Linear: as exact a thousand times outside any range it could have been trained on.
    assert (np.asarray(layer(1000 * x[:3])) == 1000 * y[:3]).all()


def test_a_nalu_gated_to_its_log_path_multiplies_and_divides():
    layer = _built(models.NALU, 2, 2, kernel=[[30.0, 30.0], [30.0, -30.0]],
                   mask_kernel=np.full((2, 2), 30.0), gate_kernel=np.full((2, 2), -30.0))
    x = RNG.uniform(1, 50, size=(20, 2)).astype("float32")
    y = np.asarray(layer(x))
    np.testing.assert_allclose(y[:, 0], x[:, 0] * x[:, 1], rtol=1e-5)
    np.testing.assert_allclose(y[:, 1], x[:, 0] / x[:, 1], rtol=1e-5)


def test_arithmetic_networks_are_stacks_of_the_units_with_identity_blocks_and_a_linear_head():
    config = Config(dataset="arithmetic_add", architecture="nalu", activation="identity",
                    depth=2, width=3, dataset_options={"n_inputs": 6})
    model = models.build(config, input_shape=(6,), n_outputs=1)
    blocks = models.hidden_blocks(model)
    assert [type(linear) for linear, _ in blocks] == [models.NALU, models.NALU]
    assert [layer.name for layer in models.weighted_layers(model)] == ["linear_0", "linear_1",
                                                                       "head"]
    # Each matrix its own seed: seeded initializers would otherwise repeat their values.
    first = blocks[0][0]
    assert len({np.asarray(v).tobytes() for v in first.trainable_variables}) == 3
    assert config.label == "nalu 2x3 arithmetic_add s0"
    with pytest.raises(ValueError, match="activation='relu' is not allowed with "
                                         "architecture='nac'.*identity"):
        Config(dataset="arithmetic_add", architecture="nac", activation="relu")


# -- the datasets ----------------------------------------------------------------------------


@pytest.mark.parametrize("operation", list(data.ARITHMETIC))
def test_each_task_is_its_function_of_two_subset_sums_inside_and_outside_the_range(operation):
    dataset = data.load(f"arithmetic_{operation}", n_inputs=12, n_train=300, n_val=50,
                        n_test=80, seed=3)
    subsets = dataset.provenance["subsets"]
    assert subsets["a"] and subsets["b"] and not set(subsets["a"]) & set(subsets["b"])
    function = data.ARITHMETIC[operation][1]
    low, high = data.ARITHMETIC_TRAINING_RANGE
    far_low, far_high = data.ARITHMETIC_EXTRAPOLATION_RANGE
    for x, y, (lo, hi) in ((dataset.x_train, dataset.y_train, (low, high)),
                           (dataset.x_val, dataset.y_val, (low, high)),
                           (dataset.x_test, dataset.y_test, (low, high)),
                           (dataset.x_extrapolation, dataset.y_extrapolation, (far_low, far_high))):
        assert x.dtype == y.dtype == np.float32 and x.shape[1] == 12 and y.shape == (len(x), 1)
        assert lo <= x.min() and x.max() <= hi
        a = x[:, subsets["a"]].astype(float).sum(axis=1)
        b = x[:, subsets["b"]].astype(float).sum(axis=1)
        # Targets come from the float64 draws, inputs are stored in float32.
        np.testing.assert_allclose(y[:, 0], function(a, b), rtol=1e-5, atol=1e-5)
    assert len(dataset.x_train) == 300 and len(dataset.x_extrapolation) == 80
    assert dataset.task == "regression" and dataset.n_classes is None


def test_arithmetic_sets_are_seeded_and_carry_their_provenance():
    first = data.load("arithmetic_multiply", n_inputs=10, seed=1)
    again = data.load("arithmetic_multiply", n_inputs=10, seed=1)
    other = data.load("arithmetic_multiply", n_inputs=10, seed=2)
    assert first.checksum == again.checksum and (first.x_extrapolation
                                                 == again.x_extrapolation).all()
    assert first.checksum != other.checksum
    provenance = first.provenance
    assert provenance["sizes"] == {"train": 1000, "val": 200, "test": 1000, "extrapolation": 1000}
    assert provenance["seed"] == 1 and provenance["options"]["n_inputs"] == 10
    assert "a × b" in provenance["source"] and "U[2, 6]^10 (extrapolation)" in provenance["source"]
    # The extrapolation split is in the checksum: the same training data with another
    # extrapolation split would be another dataset.
    assert data.load("arithmetic_multiply", n_inputs=10, seed=1, n_test=999).checksum \
        != first.checksum
    assert data.load("arithmetic_add").x_train.shape[1] == data.ARITHMETIC_INPUTS == 100
    assert data.load("moons").x_extrapolation is None


@pytest.mark.parametrize("options, message", [
    ({"n_inputs": 1}, r"n_inputs=1 is not allowed: must be an integer >= 2"),
    ({"n_inputs": "10"}, r"n_inputs='10' is not allowed: must be an integer >= 2"),
    ({"n_inputs": True}, r"n_inputs=True is not allowed"),
    ({"n_train": 0}, r"n_train=0 is not allowed: must be an integer >= 1"),
])
def test_bad_arithmetic_options_are_one_clear_error(options, message):
    with pytest.raises(ValueError, match=message):
        data.load("arithmetic_add", **options)


def test_options_and_names_the_arithmetic_sets_do_not_take_are_named():
    with pytest.raises(ValueError, match="n_inputs=10 is not allowed for dataset='moons': only "
                                         "the arithmetic sets"):
        data.load("moons", n_inputs=10)
    with pytest.raises(ValueError, match="did you mean 'arithmetic_multiply'"):
        data.load("arithmetic_multiple")


# -- the study and the scores ------------------------------------------------------------------


def test_the_study_crosses_tasks_with_mlps_and_the_arithmetic_networks():
    study = studies.Arithmetic(operations=["add", "multiply"], activations=["relu", "tanh"],
                               seeds=2)
    configs = study.configs()
    assert len(configs) == 2 * (2 + 2) * 2
    networks = {(c.architecture, c.activation) for c in configs}
    assert networks == {("mlp", "relu"), ("mlp", "tanh"), ("nac", "identity"),
                        ("nalu", "identity")}
    assert {c.dataset_options for c in configs} == {(("n_inputs", 10), ("n_train", 1000))}
    for changes, named in (({"operations": ["power"]}, "operations=\\['power'\\]"),
                           ({"architectures": ["mlp"]}, "architectures=\\['mlp'\\]"),
                           ({"n_inputs": 1}, "n_inputs=1")):
        with pytest.raises(ValueError, match=named):
            study.replace(**changes)


def _summary(**columns) -> pd.DataFrame:
    base = {"dataset": "arithmetic_multiply", "architecture": "mlp", "activation": "relu",
            "seed": 0, "diverged": False, "test_loss": 1.0, "initial_test_loss": 100.0,
            "final_extrapolation_loss": 50.0, "initial_extrapolation_loss": 200.0}
    return pd.DataFrame([{**base, **row} for row in pd.DataFrame(columns).to_dict("records")])


def test_scores_are_percentages_of_the_initial_models_error_and_failures_count_as_random():
    summary = _summary(architecture=["mlp", "nalu", "nalu"], activation=["relu", "identity",
                                                                         "identity"],
                       seed=[0, 0, 1], diverged=[False, False, True],
                       test_loss=[1.0, 0.001, math.nan],
                       final_extrapolation_loss=[50.0, math.inf, math.nan])
    errors = analysis.arithmetic_errors(summary)
    assert errors["model"].tolist() == ["relu", "NALU", "NALU"]
    assert errors["task"].unique().tolist() == ["a × b"]
    assert errors["interpolation_score"].tolist() == pytest.approx([1.0, 0.001, 100.0])
    assert errors["extrapolation_score"].tolist() == pytest.approx([25.0, 100.0, 100.0])
    assert errors["extrapolation_failed"].tolist() == [False, True, True]
    assert errors["interpolation_failed"].tolist() == [False, False, True]
    table = tables.arithmetic_table(errors, "extrapolation")
    assert table.set_index(table.columns[0]).loc["NALU", "a × b"] == "100 [100, 100] " \
        "(2 failed)"


@pytest.mark.slow
def test_a_run_records_the_extrapolation_split_the_random_baseline_and_the_nalu_parameters():
    from actstudy.run.training import fit_group

    configs = [Config(dataset="arithmetic_multiply", architecture="nalu", activation="identity",
                      depth=2, width=3, epochs=2, seed=seed,
                      dataset_options={"n_inputs": 6, "n_train": 256}) for seed in (0, 1)]
    run = fit_group(configs)[0]
    summary = tidy.summary(run)
    for column in ("final_extrapolation_loss", "initial_extrapolation_loss", "initial_test_loss"):
        assert math.isfinite(summary[column]) and summary[column] > 0, column
    # The model at initialisation is the random model: it was tested before any step.
    assert summary["initial_test_loss"] != summary["test_loss"]
    learned = pd.DataFrame(run.learned_parameters)
    assert set(learned["parameter"]) == {"weight", "gate"}
    assert sorted(learned["epoch"].unique()) == [0, 1, 2]
    gates = learned[learned["parameter"] == "gate"]
    assert set(gates["layer"]) == {"linear_0", "linear_1"}
    assert all(len(v) == 3 and all(0 <= g <= 1 for g in v) for v in gates["values"])
    weights = learned[(learned["parameter"] == "weight") & (learned["layer"] == "linear_0")]
    assert all(len(v) == 6 * 3 and all(-1 < w < 1 for w in v) for v in weights["values"])
    # No bias in a NALU layer: its bias-gradient norm is NaN, the head's is recorded.
    norms = tidy.gradient_frame(run).groupby("layer")["bias_gradient_norm"]
    assert norms.apply(lambda v: v.isna().all()).to_dict() == {
        "head": False, "linear_0": True, "linear_1": True}
    other = tidy.summary(fit_group([Config(dataset="moons", depth=1, width=4, epochs=1)])[0])
    assert math.isnan(other["final_extrapolation_loss"]) and math.isnan(other["initial_test_loss"])


def test_outside_the_sine_range_straight_lines_and_levelling_off_are_told_apart():
    from types import SimpleNamespace

    x = np.linspace(-4 * np.pi, 4 * np.pi, 512)
    inside = np.abs(x) <= 2 * np.pi
    shapes = {"relu": np.where(inside, np.sin(x), 0.5 * (np.abs(x) - 2 * np.pi)),
              "tanh": np.where(inside, np.sin(x), np.tanh(x)),
              "gelu": np.where(inside, np.sin(x), np.sin(3 * x))}
    runs = [SimpleNamespace(config={"dataset": "sine", "activation": name, "seed": 0, "depth": 2},
                            surface={"kind": "curve", "x": x.tolist(), "prediction": y.tolist()})
            for name, y in shapes.items()]
    found = analysis.outside_slopes(runs).set_index("activation")
    assert found.loc["relu", "slope"] == pytest.approx(0.5) and found.loc["relu", "bend"] < 1e-9
    assert found.loc["tanh", "slope"] < 1e-4 and found.loc["tanh", "bend"] < 1e-4
    assert found.loc["gelu", "bend"] > 0.5  # neither straight nor flat


def test_the_papers_findings_are_checked_against_our_scores_by_a_stated_rule():
    rows = []
    for operation in ("add", "multiply"):
        for model, inside, outside in (("relu", 0.1, 50.0), ("tanh", 0.2, 60.0),
                                       ("identity", 0.0001, 0.0001 if operation == "add" else 20),
                                       ("NAC", 0.01, 0.01 if operation == "add" else 40.0),
                                       ("NALU", 0.01, 0.5)):
            rows += [{"operation": operation, "task": data.ARITHMETIC[operation][0],
                      "model": model, "seed": seed, "interpolation_score": inside,
                      "extrapolation_score": outside} for seed in (0, 1)]
    table = text.paper_agreement(pd.DataFrame(rows))
    pairs = zip(table["the paper"], table["task"], strict=True)
    verdicts = dict(zip(pairs, table["ours agree"], strict=True))
    assert set(verdicts.values()) == {"yes"} and len(verdicts) == 6
    # The identity network is linear, the paper's "None": not one of the MLPs it speaks of.
    assert "identity" not in " ".join(table["our score"])


def test_table_1_of_the_paper_stands_beside_our_scores_for_the_models_both_have():
    # Every static-task cell of the paper's Table 1 is there, on its 0-100 scale.
    for by_model in analysis.PAPER_TABLE_1.values():
        assert set(by_model) == set(analysis.PAPER_MODEL_NAMES)
        for scores in by_model.values():
            assert set(scores) == set(data.ARITHMETIC) and all(0 <= v <= 100 for v in scores.values())
    rows = [{"operation": operation, "task": data.ARITHMETIC[operation][0], "model": model,
             "seed": seed, "extrapolation_score": score}
            for operation in ("multiply", "add") for seed in (0, 1, 2)
            for model, score in (("relu", 30.0), ("NALU", 0.001 * (seed + 1)), ("relu6", 30.0),
                                 ("identity", 0.001 if operation == "add" else 50.0))]
    comparison = analysis.paper_comparison(pd.DataFrame(rows), "extrapolation")
    # relu is not in the paper's static table; the other three are, in the paper's order.
    assert comparison[["task", "model"]].values.tolist() == [
        ["a + b", "ReLU6"], ["a + b", "None"], ["a + b", "NALU"],
        ["a × b", "ReLU6"], ["a × b", "None"], ["a × b", "NALU"]]
    cell = comparison.set_index(["task", "model"])
    assert cell.loc[("a × b", "ReLU6"), "paper"] == 10.1
    assert cell.loc[("a + b", "None"), "paper"] == 0.0
    assert comparison["same_side"].all()
    table = tables.paper_table(comparison)
    assert list(table["task"]) == ["a + b", "a × b"]
    assert list(table.columns) == ["task", "ReLU6: paper", "ReLU6: ours", "None: paper",
                                   "None: ours", "NALU: paper", "NALU: ours"]
    assert tables.DIFFERS not in " ".join(table["None: ours"])
    # Ours learnt a × b without a non-linearity, where the paper's did not: marked.
    rows = [dict(row, extrapolation_score=0.001) if row["model"] == "identity" else row
            for row in rows]
    comparison = analysis.paper_comparison(pd.DataFrame(rows), "extrapolation")
    assert not comparison.set_index(["task", "model"]).loc[("a × b", "None"), "same_side"]
    table = tables.paper_table(comparison).set_index("task")
    assert table.loc["a × b", "None: ours"].endswith(tables.DIFFERS)
    with pytest.raises(ValueError, match="split='test' is not allowed"):
        analysis.paper_comparison(pd.DataFrame(rows), "test")
