"""The studies that separate activation from initializer, end to end under the smoke profile."""

import matplotlib
import numpy as np
import pytest

from actstudy import analysis, studies
from actstudy.present import plots, tables

matplotlib.use("Agg")


@pytest.mark.slow
def test_smoke_initializer_activation_gives_a_table_cell_per_activation_and_initializer():
    study = studies.get("initializer_activation", "smoke")
    results = study.run(progress=False)
    assert results.failures.empty
    growth = analysis.gradient_growth(results.gradients, epoch_steps=1)
    table = tables.initializer_table(results.summary, growth)
    assert sorted(zip(table["activation"], table["initializer"], strict=True)) == sorted(
        (a, i) for a in study.activations for i in study.initializers)
    assert np.isfinite(table["accuracy"]).all() and (table["seeds"] == len(study.seed_list)).all()
    assert np.isfinite(table["slope"]).all()
    signal = analysis.signal_propagation(results.activations)
    assert len(signal) == len(results.runs) * study.depth
    for figure in (plots.initializer_heatmap(table),
                   plots.initializer_heatmap(table, "slope", "growth slope", centre=0.0),
                   plots.signal_through_depth(signal, log=True)):
        matplotlib.pyplot.close(figure)


def _run(name: str):
    study = studies.get(name, "smoke")
    results = study.run(progress=False)
    assert results.failures.empty and len(results.runs) == len(study.configs())
    return study, results


def _step_records(study, results):
    """The probe statistics every ``probe_every`` steps, checked against the study's settings."""
    steps = results.step_activations
    if steps.empty:
        pytest.skip("the runs hold no step records yet (probe_every is not recorded)")
    per_epoch = results.runs[0].steps_per_epoch
    assert set(steps["step"]) == set(range(0, per_epoch * study.epochs, study.probe_every))
    assert set(steps["layer_index"]) == set(range(study.depth))
    assert set(steps["epoch"]) == set(range(1, study.epochs + 1))
    return steps


@pytest.mark.slow
def test_smoke_classic_settings_record_the_probe_every_few_steps():
    study, results = _run("classic")
    assert {(r.config["optimizer"], r.config["batch_size"]) for r in results.runs} == {("sgd", 10)}
    steps = _step_records(study, results)
    assert set(steps["activation"]) == {"sigmoid", "tanh", "relu"}  # relu: claim 3
    assert np.isfinite(steps["act_mean"]).all()
    matplotlib.pyplot.close(plots.step_trajectories(steps, "act_mean"))


@pytest.mark.slow
def test_smoke_self_normalising_keeps_selu_near_unit_spread_at_initialisation():
    study, results = _run("self_normalising")
    assert all(r.dataset["options"]["standardise"] for r in results.runs)
    signal = analysis.signal_propagation(results.activations, epoch=[0, study.epochs])
    selu = signal[(signal["activation"] == "selu") & (signal["epoch"] == 0)]
    assert len(selu) == len(study.seed_list) * study.depth
    assert selu["act_std"].between(0.5, 2.0).all()  # standardised inputs, lecun_normal weights
    matplotlib.pyplot.close(plots.signal_through_depth(signal, hue="epoch"))
    steps = _step_records(study, results)
    matplotlib.pyplot.close(plots.step_trajectories(steps, "act_std"))
