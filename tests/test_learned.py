"""The smoke 'learned' study trained end to end, and its learned parameters analysed and drawn."""

import matplotlib
import numpy as np
import pytest

from actstudy import analysis, studies
from actstudy.present import plots

matplotlib.use("Agg")


@pytest.mark.slow
def test_the_smoke_learned_study_from_runs_to_figures():
    study = studies.get("learned", "smoke")
    results = study.run(progress=False)
    assert results.failures.empty and len(results.runs) == len(study.configs())
    summary, learned = results.summary, results.learned
    assert set(summary["activation_label"]) == {
        *study.activations, f"prelu(initial_slope={study.prelu_initial_slope})"}

    units = analysis.unit_parameters(learned, "slope")
    per_layer = units.groupby(["key", "epoch", "layer_index"])["unit"].count()
    assert set(per_layer) == {study.width}  # one slope per unit
    assert len(per_layer) == len(study.seed_list) * 2 * (study.epochs + 1) * sum(study.depths)
    start = units[units["epoch"] == 0].groupby("activation_label")["value"]
    assert start.min().to_dict() == pytest.approx(start.max().to_dict())
    assert start.min().to_dict() == pytest.approx(
        {"prelu": 0.25, "prelu(initial_slope=0.01)": 0.01})

    weights = analysis.mixture_weights(learned)
    per_layer = weights.groupby(["dataset", "depth", "layer_index"])["weight"].sum()
    assert len(per_layer) == sum(study.depths)
    np.testing.assert_allclose(per_layer, 1.0, rtol=1e-5)
    assert set(weights["epoch"]) == {study.epochs}
    assert set(weights["seeds"]) == {len(study.seed_list)}

    table = analysis.mixture_against_bases(summary)
    assert sorted(zip(table["dataset"], table["depth"], strict=True)) == [
        ("mnist", depth) for depth in study.depths]
    assert set(table["best_base"]) <= {"relu", "tanh"}  # the bases the smoke profile runs
    assert set(table["seeds"]) == {len(study.seed_list)}
    assert np.isfinite(table[["difference_pp", "ci_low_pp", "ci_high_pp"]].to_numpy()).all()

    for fig in (plots.prelu_slopes(units), plots.parameter_trajectories(learned, "beta"),
                plots.mixture_weights(weights)):
        assert fig.legends
        matplotlib.pyplot.close(fig)
