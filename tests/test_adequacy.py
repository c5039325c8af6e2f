"""Adequacy diagnostics on made-up runs with known answers, and verdicts that respect them."""

import numpy as np
import pandas as pd
import pytest

from actstudy import analysis, claims, studies
from actstudy.analysis import adequacy
from actstudy.claims import Measurement, secondary_verdicts
from actstudy.claims import Test as ClaimTest  # not a test class for pytest to collect
from actstudy.claims.measures import reachable_target
from actstudy.present import text
from actstudy.stats import mean_ci


def _history(curves: dict[str, list[list[float]]]) -> pd.DataFrame:
    """One run per curve: {activation: [validation losses per epoch, one list per seed]}."""
    rows = []
    for activation, seeds in curves.items():
        for seed, losses in enumerate(seeds):
            rows += [{"key": f"{activation}-{seed}", "activation": activation, "seed": seed,
                      "epoch": epoch, "val_loss": loss}
                     for epoch, loss in enumerate(losses, start=1)]
    return pd.DataFrame(rows)


def _falling(n: int, start: float = 1.0, step: float = 0.1) -> list[float]:
    return [start - step * i for i in range(n)]


def _flat(n: int, level: float = 0.3) -> list[float]:
    return [1.0] + [level] * (n - 1)


def test_still_improving_counts_a_fall_beyond_the_seed_spread_only():
    rng = np.random.default_rng(0)
    history = _history({
        "sigmoid": [_falling(10, 2.0 + 0.001 * s) for s in range(10)],  # falls 0.3, spread ~0
        "relu": [_flat(10, 0.3 + 0.001 * s) for s in range(10)],  # flat for 9 epochs
        "tanh": [[*_flat(7, 0.3), *(0.3 - 0.01 * rng.random(3))] for _ in range(10)],
    })
    runs = adequacy.still_improving(history)
    improving = runs.groupby("activation")["improving"].sum()
    assert improving["sigmoid"] == 10 and improving["relu"] == 0
    # tanh's last epochs dip by at most 0.01, within its seeds' spread of final losses (about
    # 0.003) only sometimes: what counts is the fall against that spread, run by run.
    spread = runs.loc[runs.activation == "tanh", "spread"].iloc[0]
    expected = (runs.loc[runs.activation == "tanh", "fall"] > spread).sum()
    assert improving["tanh"] == expected


def test_converged_fails_with_the_worst_group_named_and_passes_on_plateaus():
    history = _history({"sigmoid": [_falling(12)] * 7 + [_flat(12)] * 3,
                        "relu": [_flat(12, 0.2 + 0.01 * s) for s in range(10)]})
    check = adequacy.converged(history, remedy="the full profile")
    assert not check.passed
    assert check.detail == "7 of 10 sigmoid runs still improving at epoch 12"
    assert check.reason() == ("inadequate: 7 of 10 sigmoid runs still improving at epoch 12; "
                              "the full profile")
    plateau = adequacy.converged(history[history.activation == "relu"])
    assert plateau.passed and plateau.detail == "0 of 10 runs still improving at the end"
    # exactly half still improving is allowed: the rule is "more than half"
    half = _history({"tanh": [_falling(12)] * 5 + [_flat(12)] * 5})
    assert adequacy.converged(half).passed


def test_a_diverged_run_is_counted_and_never_called_improving():
    history = _history({"relu": [[1.0, 0.5, 0.4, 0.3, np.nan, np.nan], _flat(6), _flat(6)]})
    assert not adequacy.still_improving(history)["improving"].any()
    summary = pd.DataFrame({"activation": ["relu"] * 3, "diverged": [True, False, False]})
    check = adequacy.not_diverged(summary)
    assert not check.passed and check.detail == "1 of 3 relu runs diverged"
    assert adequacy.not_diverged(summary.assign(diverged=False)).passed


def _summary(means: dict[tuple[str, float], float], seeds: int = 3) -> pd.DataFrame:
    """Runs trained with restore_best: {(activation, rate): mean best validation accuracy}."""
    rows = []
    for (activation, rate), mean in means.items():
        rows += [{"key": f"{activation}-{rate}-{s}", "activation": activation, "depth": 2,
                  "seed": s, "learning_rate": rate, "best_epoch": 5, "epochs_run": 10,
                  "best_val_accuracy": mean + 0.001 * s, "test_accuracy": mean,
                  "diverged": False} for s in range(seeds)]
    return pd.DataFrame(rows)


def test_rates_at_the_edge_are_found_and_the_grid_grows_one_step_beyond():
    summary = _summary({("relu", 0.003): 0.95, ("relu", 0.01): 0.93, ("relu", 0.03): 0.90,
                        ("tanh", 0.003): 0.90, ("tanh", 0.01): 0.93, ("tanh", 0.03): 0.91,
                        ("gelu", 0.003): 0.90, ("gelu", 0.01): 0.91, ("gelu", 0.03): 0.95})
    _, chosen = analysis.tune_learning_rate(summary)
    edges = dict(zip(chosen["activation"], chosen["edge"], strict=True))
    assert edges == {"relu": "lowest", "tanh": "", "gelu": "highest"}
    check = adequacy.rates_inside(chosen)
    assert not check.passed and check.detail.startswith("2 of 3 chosen rates at an edge")
    assert adequacy.rates_inside(chosen, allowed=2).passed
    beyond = dict(studies.base.rates_beyond(summary, ["activation", "depth"]))
    assert beyond == {("relu", 2): 0.0009, ("gelu", 2): 0.09}


def test_depth_tuned_grows_its_grid_by_the_rule_and_stops_inside():
    study = studies.get("depth_tuned", "smoke").replace(
        activations=["relu", "tanh"], depths=[2], learning_rates=[0.003, 0.01, 0.03], seeds=3)
    summary = _summary({("relu", 0.003): 0.95, ("relu", 0.01): 0.93, ("relu", 0.03): 0.90,
                        ("tanh", 0.003): 0.90, ("tanh", 0.01): 0.93, ("tanh", 0.03): 0.91})

    class Results:
        pass

    results = Results()
    results.summary = summary
    added = study.beyond(results)
    assert {(c.activation, c.depth, c.learning_rate) for c in added} == {("relu", 2, 0.0009)}
    assert sorted(c.seed for c in added) == [0, 1, 2]
    results.summary = pd.concat([summary, _summary({("relu", 0.0009): 0.94})])
    assert study.beyond(results) == []  # 0.003 is now inside the grown grid
    with pytest.raises(ValueError, match="extensions=-1 is not allowed"):
        study.replace(extensions=-1)


def test_targets_reached_counts_censored_runs():
    reach = pd.DataFrame({"activation": ["relu"] * 4 + ["tanh"] * 4,
                          "reached": [True] * 4 + [False, False, False, True]})
    check = adequacy.targets_reached(reach)
    assert not check.passed and check.detail == "3 of 4 tanh runs never reach the target"
    assert adequacy.targets_reached(reach[reach.activation == "relu"]).passed


def test_learned_mechanisms_engaged_or_not():
    gates = pd.DataFrame({"task": "a × b", "seed": [0, 1, 2, 3], "layer": 1,
                          "gate": [0.02, 0.95, 0.6, 0.45]})
    assert adequacy.gates_decided(gates).passed  # 2 of 4: at least half
    assert not adequacy.gates_decided(gates.assign(gate=[0.02, 0.85, 0.6, 0.45])).passed
    mixture = pd.DataFrame({"key": "k", "activation": "mixture", "layer_index": 0,
                            "epoch": [0] * 4 + [6] * 4,
                            "parameter": ["weight_relu", "weight_tanh", "weight_sigmoid",
                                          "weight_identity"] * 2,
                            "mean": [0.25] * 4 + [0.25, 0.26, 0.24, 0.25]})
    assert not adequacy.mixture_moved(mixture).passed
    moved = mixture.assign(mean=[0.25] * 4 + [0.55, 0.15, 0.15, 0.15])
    assert adequacy.mixture_moved(moved).passed  # total variation 0.3
    assert adequacy.slopes_moved(pd.DataFrame({"change": [0.2, -0.1]})).passed
    assert not adequacy.slopes_moved(pd.DataFrame({"change": [0.01, -0.02]})).passed


def _claim(interval, checks):
    test = ClaimTest("made-up effect (pp)", "pp", "above", 1.0)
    return claims.Claim(99, "A made-up claim.", "nowhere", "04_mnist_convergence#x", test,
                        "images", 5, lambda ctx: (interval, []), adequacy=lambda ctx: checks)


def test_a_failing_experiment_makes_a_clear_verdict_undecided_with_its_reason():
    clear = mean_ci([5.0, 5.2, 4.9, 5.1, 5.0])  # far above the margin of 1 pp
    failing = adequacy.Check("at most 50% still improving", False,
                             "7 of 10 sigmoid runs still improving at epoch 12",
                             "the full profile (longer training) is where it is decided")
    passing = adequacy.Check("no run diverged", True, "none of 10 runs diverged")
    ctx = claims.Context("smoke", progress=False)
    row = claims.evaluate(ctx, claims=[_claim(clear, [passing, failing])]).iloc[0]
    assert row["verdict"] == "undecided" and row["interval_verdict"] == "supported"
    assert row["inadequate"] == ("inadequate: 7 of 10 sigmoid runs still improving at epoch 12; "
                                 "the full profile (longer training) is where it is decided")
    assert [c["passed"] for c in row["adequacy"]] == [True, False]
    row = claims.evaluate(ctx, claims=[_claim(clear, [passing])]).iloc[0]
    assert row["verdict"] == "supported" and row["inadequate"] == ""
    mirror = mean_ci([-5.0, -5.2, -4.9, -5.1, -5.0])
    row = claims.evaluate(ctx, claims=[_claim(mirror, [failing])]).iloc[0]
    assert row["verdict"] == "undecided" and row["interval_verdict"] == "contradicted"


def test_an_inadequate_secondary_test_is_undecided():
    test = ClaimTest("epochs to target: sigmoid - relu", "epochs", "above", 0.0)
    clear = mean_ci([3.0, 3.1, 2.9, 3.0, 3.2])
    decided = Measurement(test, clear)
    censored = Measurement(test, clear, "inadequate: 5 of 5 relu runs never reach the target")
    assert decided.verdict == "supported" and censored.verdict == "undecided"
    assert [v for _, v, _ in secondary_verdicts([decided, censored])] == ["supported",
                                                                         "undecided"]


def test_a_target_runs_reach_follows_the_stated_share_of_the_best():
    history = pd.DataFrame({"key": list("aabbcc"), "activation": ["relu"] * 4 + ["tanh"] * 2,
                            "epoch": [1, 2] * 3, "val_accuracy": [0.5, 0.90, 0.5, 0.92,
                                                                  0.4, 0.80]})
    assert reachable_target(history) == 0.88  # floor(97% of relu's 0.91) to a whole percent


def test_the_adequacy_line_marks_each_check():
    line = text.adequacy_line([adequacy.Check("no run diverged", True, "none of 4"),
                               adequacy.Check("targets", False, "4 of 4 never", "more epochs")])
    assert line == ("**Did it work?** ✓ no run diverged: none of 4. ✗ targets: 4 of 4 never "
                    "(more epochs).")


def test_every_claim_that_rests_on_training_names_its_adequacy_conditions():
    # Claims 10 and 17 are at initialisation: no training to check. Claims 4, 7 and 8 are
    # timings, whose checks are that the spread between builds is known for this machine.
    untrained = {10, 17}
    for claim in claims.CLAIMS:
        assert (claim.adequacy is None) == (claim.id in untrained), claim.id


def test_early_stopped_runs_cut_short_and_the_path_a_task_needs():
    runs = pd.DataFrame({"activation": ["sigmoid"] * 10 + ["relu"] * 10, "depth": 8,
                         "best_epoch": [14] * 8 + [9] * 2 + [14] * 5 + [7] * 5,
                         "epochs_run": 14})
    check = adequacy.not_cut_short(runs)
    assert not check.passed
    assert check.detail == "8 of 10 sigmoid, depth 8 runs best at their last epoch (14)"
    assert adequacy.not_cut_short(runs[runs.activation == "relu"]).passed  # 5 of 10: not more
    gates = pd.DataFrame({"task": "a × b", "seed": [0, 0, 1, 1, 2, 2], "layer": 1,
                          "unit": [0, 1] * 3, "gate": [0.02, 0.97, 0.98, 0.99, 0.5, 0.05]})
    assert adequacy.path_taken(gates, "a × b").passed  # seeds 0 and 2 of 3
    wrong = gates.assign(gate=[0.97, 0.99, 0.98, 0.99, 0.5, 0.05])  # decided, but adding
    assert adequacy.gates_decided(wrong).passed and not adequacy.path_taken(wrong, "a × b").passed
    assert adequacy.path_taken(wrong, "a × b", path="adding").passed


def test_a_boolean_group_is_named_in_words():
    summary = pd.DataFrame({"activation": "binary_step", "train_hidden": [True, False],
                            "diverged": [True, False]})
    check = adequacy.not_diverged(summary, ["activation", "train_hidden"])
    assert check.detail == "1 of 1 binary_step, train hidden runs diverged"


def test_a_check_shown_beside_a_verdict_does_not_gate_it():
    # a failed check that gates makes a verdict undecided; one with gates=False is only shown
    gating = adequacy.Check("no run diverged", False, "2 of 10 runs diverged")
    shown = adequacy.Check("this build counted", False, "not counted", gates=False)
    assert adequacy.failed([gating, shown]) == [gating]
    assert adequacy.failed([shown]) == []
    line = text.adequacy_line([gating, shown])
    assert "✗ no run diverged" in line and "○ this build counted" in line
