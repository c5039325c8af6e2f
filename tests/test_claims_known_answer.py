"""Claims' measures on made-up runs with a planted effect: beyond the margin on the claimed side
(supported), on the other side (contradicted), and a null with noise (undecided), through
``claims.evaluate``, as the verdict table decides them."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from actstudy import claims

SEEDS = 10


class _Context(claims.Context):
    """A Context whose studies' runs are made-up frames: ``runs(study)`` gives them back."""

    def __init__(self, frames: dict[str, SimpleNamespace]):
        super().__init__("smoke", progress=False)
        self.frames = frames

    def runs(self, study, **subset):
        return self.frames[study]


def _verdict(claim_id: int, frames: dict) -> pd.Series:
    claim = next(c for c in claims.CLAIMS if c.id == claim_id)
    table = claims.evaluate(_Context(frames), claims=[claim])
    return table[table["component"] == ""].iloc[0]


def _prelu_runs(difference_pp: float, noise: float) -> SimpleNamespace:
    """Leaky ReLU's train - validation gap about 8 pp; PReLU's ``difference_pp`` more."""
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(SEEDS):
        for name, extra in (("leaky_relu", 0.0), ("prelu", difference_pp)):
            gap = 8.0 + extra + rng.normal(0, noise)
            rows.append({"key": f"{name}{seed}", "activation": name, "activation_label": name,
                         "seed": seed, "final_train_accuracy_full": 1.0,
                         "final_val_accuracy": 1.0 - gap / 100, "test_accuracy": 0.9,
                         "diverged": False})
    summary = pd.DataFrame(rows)
    history = pd.DataFrame([{"key": r["key"], "activation": r["activation"], "seed": r["seed"],
                             "epoch": e, "val_loss": 0.3} for r in rows for e in range(1, 8)])
    # the slopes moved well past the adequacy threshold: the mechanism engaged
    learned = pd.DataFrame([{"key": r["key"], "activation_label": "prelu", "seed": r["seed"],
                             "epoch": epoch, "layer": "activation_0", "layer_index": 0,
                             "parameter": "slope", "values": [0.01 + shift] * 4,
                             "mean": 0.01 + shift}
                            for r in rows if r["activation"] == "prelu"
                            for epoch, shift in ((0, 0.0), (7, 0.2))])
    return SimpleNamespace(summary=summary, history=history, learned=learned)


@pytest.mark.parametrize("difference, noise, expected", [
    (2.0, 0.3, "supported"),      # PReLU's gap 2 pp wider: beyond the +0.5 pp margin
    (-1.0, 0.3, "contradicted"),  # narrower: wholly on the other side
    (0.5, 1.5, "undecided"),      # at the margin, with noise
])
def test_claim_15_known_answer(difference, noise, expected):
    row = _verdict(15, {"prelu_overfitting": _prelu_runs(difference, noise)})
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


def test_claim_15_known_answer_inadequate_when_the_slopes_never_moved():
    runs = _prelu_runs(2.0, 0.3)
    runs.learned = runs.learned.assign(values=[[0.01] * 4] * len(runs.learned), mean=0.01)
    row = _verdict(15, {"prelu_overfitting": runs})
    assert row["verdict"] == "undecided" and row["interval_verdict"] == "supported"
    assert row["inadequate"].startswith("inadequate: PReLU slopes moved 0 ")


def _depth_runs(gain_per_doubling: dict[str, float], noise: float,
                best_at_end: float = 0.0) -> SimpleNamespace:
    """Tuned-depth runs: at each depth, two rates, the better one inside a three-rate grid."""
    rng = np.random.default_rng(1)
    rows = []
    for name, gain in gain_per_doubling.items():
        for depth in (1, 2, 4, 8):
            for rate, penalty in ((0.001, 0.02), (0.003, 0.0), (0.01, 0.02)):
                for seed in range(SEEDS):
                    accuracy = 0.9 + gain / 100 * np.log2(depth) - penalty + rng.normal(
                        0, noise / 100)
                    at_end = seed < best_at_end * SEEDS
                    rows.append({"key": f"{name}{depth}{rate}{seed}", "activation": name,
                                 "depth": depth, "seed": seed, "learning_rate": rate,
                                 "best_epoch": 14 if at_end else 9, "epochs_run": 14,
                                 "best_val_accuracy": accuracy, "test_accuracy": accuracy,
                                 "diverged": False})
    summary = pd.DataFrame(rows)
    history = pd.DataFrame([{"key": r["key"], "activation": r["activation"],
                             "depth": r["depth"], "seed": r["seed"], "epoch": e,
                             "val_loss": 0.3} for r in rows for e in range(1, 15)])
    return SimpleNamespace(summary=summary, history=history)


@pytest.mark.parametrize("gains, noise, expected", [
    ({"relu": 1.0, "tanh": 1.2}, 0.3, "supported"),       # each > +0.2 pp per doubling
    ({"relu": 1.0, "tanh": -1.0}, 0.3, "contradicted"),   # one component contradicts
    ({"relu": 0.2, "tanh": 0.2}, 1.5, "undecided"),       # at the margin, with noise
])
def test_claim_14_known_answer(gains, noise, expected):
    row = _verdict(14, {"depth_tuned": _depth_runs(gains, noise)})
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]


def test_claim_14_known_answer_a_cut_short_component_is_undecided_alone():
    # relu supported but cut short (8 of 10 best at their last epoch); tanh supported: the
    # claim cannot be supported while one component's experiment failed
    runs = _depth_runs({"relu": 1.0, "tanh": 1.2}, 0.3)
    cut = (runs.summary["activation"] == "relu") & (runs.summary["seed"] < 8)
    runs.summary.loc[cut, "best_epoch"] = 14
    table = claims.evaluate(_Context({"depth_tuned": runs}),
                            claims=[c for c in claims.CLAIMS if c.id == 14]).set_index("row")
    assert table.loc["14a", "component"] == "relu" and table.loc["14a", "verdict"] == "undecided"
    assert "best at their last epoch" in table.loc["14a", "inadequate"]
    assert table.loc["14b", "verdict"] == "supported"
    assert table.loc["14", "verdict"] == "undecided"
