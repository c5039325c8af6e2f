"""Known-answer tests for claims 1, 2, 6, 10, 13 and 17: made-up runs with a planted effect
beyond the margin on the claimed side (supported), on the other side (contradicted), a null at
the margin with noise (undecided), and, where the claim has adequacy checks, a failed check
that leaves a decided interval undecided, through ``claims.evaluate`` as in
test_claims_known_answer.py.

Every planted effect is on the scale the test is computed on: log10 of the ratio for the "x"
tests. The noise is centred (mean exactly 0 over seeds), so each planted mean is exact: a null
"at the margin" has its mean on the margin, and its interval straddles it whatever the noise
draws. Each study gets the seeds its claim's default profile gives it (``Claim.seeds``).

``_Context.runs`` ignores the subset a measure asks for, so each frame holds only the runs
that subset would give (e.g. claim 2 reads every row of ``runs("sine",
activation=["identity"])``: its frames hold identity runs alone).
"""

import dataclasses
import functools
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_claims_known_answer import _Context, _verdict

from actstudy import analysis, claims, studies

LOG_COST = math.log10(claims.COST_MARGIN)  # 1.10x: claims 6, 10, 13
LOG_THEORY = math.log10(claims.THEORY_MARGIN)  # 1.10x either way: claim 17


def _claim(claim_id: int) -> claims.Claim:
    return next(c for c in claims.CLAIMS if c.id == claim_id)


def _centred(rng, n: int, sd: float) -> np.ndarray:
    """``n`` normal draws with standard deviation about ``sd`` and mean exactly 0."""
    draws = rng.normal(0.0, sd, n)
    return draws - draws.mean()


def _assert_inadequate(row: pd.Series, interval: str, reason: str):
    assert row["verdict"] == "undecided", row[["effect", "verdict", "inadequate"]]
    assert row["interval_verdict"] == interval, row[["effect", "interval_verdict"]]
    assert row["inadequate"].startswith(reason), row["inadequate"]


# -- claims 1 and 2: the sine study -----------------------------------------------------------

# Faked: the sine runs are SimpleNamespaces, not Run records. linear_baseline is NOT faked: it
# gets the sine study's real network config (``run.config_object``) and fits least squares
# on that synthetic set (milliseconds), so the planted ratios are to the real optimum.
# extrapolation_error (a secondary test only) reads each run's ``config`` and stored ``surface``
# curve, which are made up below.


@functools.cache
def _sine_config():
    return studies.get("sine", "smoke").network(dataset="sine")


@functools.cache
def _least_squares(split: str) -> float:
    return analysis.linear_baseline(_sine_config(), split=split)


def _sine_runs(names=("identity", "relu"), over_relu: float = 1.5, over_optimum: float = 0.2,
               noise: float = 0.02, improving: tuple = (), diverged: tuple = ()
               ) -> SimpleNamespace:
    """Sine runs: identity's test MSE at the least-squares line's, ReLU's ``10**over_relu``
    times lower; identity's training MSE (whole split) ``10**over_optimum`` times the
    least-squares optimum on the training split; log10 noise ``noise`` on each planted ratio.
    The runs of activations in ``improving`` have a validation loss still falling steeply at
    their last epoch; seeds in ``diverged`` diverged at epoch 5: as a real record's, their
    history stops there with a NaN validation loss, and they have no test or training MSE."""
    seeds = _claim(1).seeds
    rng = np.random.default_rng(2)
    relu_noise, optimum_noise = _centred(rng, seeds, noise), _centred(rng, seeds, noise)
    x = np.linspace(-4 * np.pi, 4 * np.pi, 512)  # the stored curve spans twice the range
    inside = np.abs(x) <= 2 * np.pi
    rows, history, runs = [], [], []
    for seed in range(seeds):
        identity_test = _least_squares("test") * 1.01
        values = {
            "identity": (identity_test, _least_squares("train") * 10 ** (
                over_optimum + optimum_noise[seed]), -0.05 * x),  # about the least-squares line
            "relu": (identity_test / 10 ** (over_relu + relu_noise[seed]), 0.01,
                     np.where(inside, np.sin(x), 0.5)),
        }
        for name in names:
            test_loss, train_loss, curve = values[name]
            key, failed = f"{name}{seed}", seed in diverged
            rows.append({"key": key, "activation": name, "seed": seed,
                         "test_loss": np.nan if failed else test_loss,
                         "final_train_loss_full": np.nan if failed else train_loss,
                         "diverged": failed})
            for epoch in range(1, 6 if failed else 21):
                # still falling by 1.5x its final value over the last 3 epochs, or flat from
                # epoch 10 on (a fall of 0, never more than the seeds' spread)
                loss = test_loss * (1 + (0.5 * (20 - epoch) if name in improving
                                         else 0.1 * max(10 - epoch, 0)))
                history.append({"key": key, "activation": name, "seed": seed, "epoch": epoch,
                                "val_loss": np.nan if failed and epoch == 5 else loss})
            runs.append(SimpleNamespace(
                key=key, config_object=_sine_config(),
                config={"dataset": "sine", "activation": name, "seed": seed, "depth": 2},
                surface=None if failed else {"kind": "curve", "x": x.tolist(),
                                             "prediction": curve.tolist()}))
    return SimpleNamespace(summary=pd.DataFrame(rows), history=pd.DataFrame(history), runs=runs)


@pytest.mark.parametrize("over_relu, noise, expected", [
    (2.0, 0.1, "supported"),      # identity's test MSE 100x ReLU's: beyond the 10x margin
    (0.3, 0.1, "contradicted"),   # 2x: wholly below the 10x margin
    (1.0, 0.3, "undecided"),      # 10x, at the margin, with noise
])
def test_claim_1_known_answer(over_relu, noise, expected):
    row = _verdict(1, {"sine": _sine_runs(over_relu=over_relu, noise=noise)})
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


def test_claim_1_known_answer_inadequate_when_relu_is_still_improving():
    # The supported case (100x), but every ReLU run's validation loss still falls at its last
    # epoch by more than the seeds' spread: not converged, so undecided however clear the ratio.
    row = _verdict(1, {"sine": _sine_runs(over_relu=2.0, noise=0.1, improving=("relu",))})
    _assert_inadequate(row, "supported",
                       "inadequate: 10 of 10 relu runs still improving at epoch 20; "
                       "the full profile")


@pytest.mark.parametrize("over_optimum, noise, expected", [
    (math.log10(1.5), 0.02, "supported"),      # 1.5x the optimum: beyond the 1.05x margin
    (math.log10(1.01), 0.002, "contradicted"),  # 1.01x: wholly below 1.05x (trained fine)
    (math.log10(1.05), 0.02, "undecided"),     # 1.05x, at the margin, with noise
])
def test_claim_2_known_answer(over_optimum, noise, expected):
    row = _verdict(2, {"sine": _sine_runs(("identity",), over_optimum=over_optimum,
                                          noise=noise)})
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


def test_claim_2_known_answer_inadequate_when_a_run_diverged():
    # 1.5x the optimum on the nine seeds left (the diverged run's losses are NaN, left out of
    # the interval): supported by the interval, undecided by the failed check.
    runs = _sine_runs(("identity",), over_optimum=math.log10(1.5), diverged=(3,))
    row = _verdict(2, {"sine": runs})
    assert row["seeds"] == _claim(2).seeds - 1
    _assert_inadequate(row, "supported", "inadequate: 1 of 10 identity runs diverged")


# -- claims 6 and 13: mean loss over epochs, slow / fast --------------------------------------


def _loss_curves(slow: str, fast: str, log_ratio: float, noise: float, column: str, seeds: int,
                 epochs: int, diverged: tuple = (), dataset: str = "mnist", depth: int = 2
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History and summary of ``fast`` and ``slow`` runs: ``fast``'s ``column`` loss falls
    from about 0.5 to 0.1, ``slow``'s is ``10**log_ratio`` times it at every epoch (log10
    noise ``noise`` per seed), so the ratio of mean losses over epochs is the planted one. Each
    validation accuracy reaches 0.9, past the images study's target. ``slow`` runs of seeds in
    ``diverged`` diverged at epoch 2: as a real record's, their history stops there, with a NaN
    loss (actstudy.run.recording)."""
    rng = np.random.default_rng(3)
    factor = 10 ** (log_ratio + _centred(rng, seeds, noise))
    history, summary = [], []
    for seed in range(seeds):
        for name, scale in ((fast, 1.0), (slow, factor[seed])):
            key, failed = f"{name}{seed}", name == slow and seed in diverged
            for epoch in range(1, 3 if failed else epochs + 1):
                loss = scale * (0.1 + 0.4 * 0.5 ** epoch)
                history.append({"key": key, "dataset": dataset, "activation": name,
                                "depth": depth, "seed": seed, "epoch": epoch,
                                column: np.nan if failed and epoch == 2 else loss,
                                "val_accuracy": min(0.7 + 0.1 * epoch, 0.9),
                                "seconds": 1.0})
            summary.append({"key": key, "dataset": dataset, "activation": name,
                            "depth": depth, "seed": seed, "diverged": failed})
    return pd.DataFrame(history), pd.DataFrame(summary)


def _images_runs(log_ratio: float, noise: float, diverged: tuple = ()) -> dict:
    """The images study's MNIST MLP runs of sigmoid and tanh (Adam) and the classic study's
    (plain SGD, a secondary test): sigmoid's mean validation loss ``10**log_ratio`` times
    tanh's. Claim 6 also reads ``ctx.study("images").target_for("mnist")``: the real smoke
    profile's study gives it (0.8), which the made-up accuracies reach at epoch 1 or 2."""
    seeds = _claim(6).seeds
    history, summary = _loss_curves("sigmoid", "tanh", log_ratio, noise, "val_loss", seeds, 6,
                                    diverged)
    classic, classic_summary = _loss_curves("sigmoid", "tanh", log_ratio, noise, "val_loss",
                                            seeds, 6, dataset="mnist", depth=4)
    return {"images": SimpleNamespace(summary=summary, history=history),
            "classic": SimpleNamespace(summary=classic_summary, history=classic)}


@pytest.mark.parametrize("log_ratio, noise, expected", [
    (math.log10(1.5), 0.02, "supported"),     # sigmoid's loss 1.5x tanh's: beyond 1.10x
    (math.log10(0.8), 0.02, "contradicted"),  # 0.8x (sigmoid lower): wholly below 1.10x
    (LOG_COST, 0.05, "undecided"),            # 1.10x, at the margin, with noise
])
def test_claim_6_known_answer(log_ratio, noise, expected):
    row = _verdict(6, _images_runs(log_ratio, noise))
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


def test_claim_6_known_answer_inadequate_when_a_sigmoid_run_diverged():
    # 1.5x on the four seeds left (the diverged run's mean loss is NaN: its seed is left out)
    row = _verdict(6, _images_runs(math.log10(1.5), 0.02, diverged=(0,)))
    assert row["seeds"] == _claim(6).seeds - 1
    _assert_inadequate(row, "supported", "inadequate: 1 of 5 sigmoid runs diverged")


def _elu_runs(log_ratio: float, noise: float, diverged: tuple = ()) -> SimpleNamespace:
    """The ELU-setting runs: ReLU's mean training loss ``10**log_ratio`` times ELU's; the
    probe's last epoch has ReLU with 30% inactive units, ELU 5% (a secondary test)."""
    seeds = _claim(13).seeds
    history, summary = _loss_curves("relu", "elu", log_ratio, noise, "train_loss", seeds, 10,
                                    diverged, depth=5)
    probes = pd.DataFrame([
        {"key": f"{name}{seed}", "dataset": "mnist", "activation": name, "depth": 5,
         "seed": seed, "epoch": epoch, "layer_index": layer,
         "inactive_fraction": inactive if epoch else 0.02, "dead_fraction": 0.0,
         "saturated_fraction": 0.0, "zero_fraction": inactive if name == "relu" else 0.0,
         "near_bound_fraction": 0.0, "act_std": 0.5}
        for seed in range(seeds) for name, inactive in (("relu", 0.3), ("elu", 0.05))
        for epoch in (0, 10) for layer in range(5)])
    return SimpleNamespace(summary=summary, history=history, activations=probes)


@pytest.mark.parametrize("log_ratio, noise, expected", [
    (math.log10(1.5), 0.02, "supported"),     # ReLU's loss 1.5x ELU's: beyond 1.10x
    (math.log10(0.8), 0.02, "contradicted"),  # 0.8x (ReLU lower): wholly below 1.10x
    (LOG_COST, 0.05, "undecided"),            # 1.10x, at the margin, with noise
])
def test_claim_13_known_answer(log_ratio, noise, expected):
    row = _verdict(13, {"elu_setting": _elu_runs(log_ratio, noise)})
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


def test_claim_13_known_answer_inadequate_when_a_relu_run_diverged():
    # 1.5x on the nine seeds left; one ReLU run diverged (a NaN training loss at epoch 2)
    row = _verdict(13, {"elu_setting": _elu_runs(math.log10(1.5), 0.02, diverged=(7,))})
    assert row["seeds"] == _claim(13).seeds - 1
    _assert_inadequate(row, "supported", "inadequate: 1 of 10 relu runs diverged")


# -- claim 10: gradient growth per layer at initialisation ------------------------------------


def _large_init_runs(log_growth: dict[str, float], noise: float) -> SimpleNamespace:
    """The large-init study's gradient records (every hidden layer's bias-gradient norm, and
    the head's, at steps 0 to 7, four steps an epoch): at 3x initial weights each activation's
    norm is multiplied by ``10**log_growth[name]`` per layer on the way back (log10 noise
    ``noise`` per run); at 1x, by 1 (flat). ``runs[0].steps_per_epoch`` is the only field of a
    run the measure reads."""
    seeds, depth, steps = _claim(10).seeds, 5, 8
    rng = np.random.default_rng(4)
    rows = []
    for name, planted in log_growth.items():
        for scale, slope in ((1.0, np.zeros(seeds)), (3.0, planted + _centred(rng, seeds, noise))):
            for seed in range(seeds):
                for step in range(steps):
                    for index in range(depth + 1):
                        layer = "head" if index == depth else f"linear_{index}"
                        # the first layer (index 0) is depth - 1 layers back from the last hidden
                        norm = 0.01 * 10 ** (slope[seed] * (depth - 1 - index)) * (1 + 0.01 * step)
                        rows.append({"key": f"{name}{scale}{seed}", "dataset": "mnist",
                                     "activation": name, "initializer": None, "depth": depth,
                                     "init_scale": scale, "seed": seed, "step": step,
                                     "layer": layer, "layer_index": index,
                                     "gradient_norm": norm, "bias_gradient_norm": norm})
    return SimpleNamespace(gradients=pd.DataFrame(rows),
                           runs=[SimpleNamespace(steps_per_epoch=4)])


@pytest.mark.parametrize("sigmoid, tanh, noise, expected", [
    # each shrinks 0.5x per layer: below the 1.10x margin (ReLU explodes, 2x)
    (math.log10(0.5), math.log10(0.5), 0.02, "supported"),
    # tanh grows 1.5x per layer: wholly above 1.10x, which contradicts the claim alone
    (math.log10(0.5), math.log10(1.5), 0.02, "contradicted"),
    # both at 1.10x, the margin, with noise
    (LOG_COST, LOG_COST, 0.05, "undecided"),
])
def test_claim_10_known_answer(sigmoid, tanh, noise, expected):
    runs = _large_init_runs({"sigmoid": sigmoid, "tanh": tanh, "relu": math.log10(2.0)}, noise)
    row = _verdict(10, {"large_init": runs})
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


# -- claim 17: measured / predicted growth, every activation and initializer pair -------------

# Tested through measures.theory_verdict_parts with a made-up ``beside`` frame
# (analysis.theory.beside_measurement's rows: one per run, ``difference`` = log10(measured /
# predicted growth)), put in place of the claim's measure, theory_agreement, whose own
# dataset load (ctx.study(...).network().load_dataset(), MNIST) and mean-field integrals
# would need real data and have no known answer to plant.


def _theory_row(differences: dict[tuple[str, str], float], noise: float) -> pd.Series:
    seeds = _claim(17).seeds
    rng = np.random.default_rng(5)
    beside = pd.DataFrame([
        {"activation": name, "initializer": initializer, "seed": seed, "difference": value}
        for (name, initializer), planted in differences.items()
        for seed, value in enumerate(planted + _centred(rng, seeds, noise))])
    claim = dataclasses.replace(_claim(17), measure=lambda ctx: claims.theory_verdict_parts(beside))
    table = claims.evaluate(_Context({}), claims=[claim])
    return table[table["component"] == ""].iloc[0]


_PAIRS = [("relu", "he_normal"), ("tanh", "glorot_uniform"), ("sigmoid", "glorot_uniform")]


@pytest.mark.parametrize("differences, noise, expected", [
    # every pair's measured growth within 1.00x of the prediction: inside the 1.10x band
    (dict.fromkeys(_PAIRS, 0.0), 0.005, "supported"),
    # tanh's measured growth 1.5x the prediction: wholly outside the 1.10x band
    ({**dict.fromkeys(_PAIRS, 0.0), ("tanh", "glorot_uniform"): math.log10(1.5)}, 0.005,
     "contradicted"),
    # sigmoid's at 1/1.10x, the band's lower edge, with noise
    ({**dict.fromkeys(_PAIRS, 0.0), ("sigmoid", "glorot_uniform"): -LOG_THEORY}, 0.02,
     "undecided"),
])
def test_claim_17_known_answer(differences, noise, expected):
    row = _theory_row(differences, noise)
    assert row["verdict"] == expected, row[["effect", "verdict", "inadequate"]]
    assert row["inadequate"] == ""


def test_claim_10_known_answer_relu_exploding_reads_as_the_claim_predicts():
    # ReLU grows 2x per layer at 3x initial weights and stays flat at 1x: its secondary tests
    # predict growth above 1.1x beyond the usual scale (supported) and below it at 1x
    # (supported); the flat bounded ones are below 1.1x everywhere
    runs = _large_init_runs({"sigmoid": 0.0, "tanh": 0.0, "relu": math.log10(2.0)}, 0.02)
    row = _verdict(10, {"large_init": runs})
    relu = [t for t in row["secondary"] if t["test"].startswith("relu")]
    assert relu and all(t["verdict"] == "supported" for t in relu), relu
    assert {t["prediction"] for t in relu if "3x" in t["test"]} == {"above 1.1×"}
    assert {t["prediction"] for t in relu if "1x" in t["test"]} == {"below 1.1×"}
