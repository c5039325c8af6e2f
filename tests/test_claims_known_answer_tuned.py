"""Known-answer tests for claims 5, 18 and 19: made-up runs with a planted effect beyond the
margin on the claimed side (supported), on the other side (contradicted), at the margin with
noise (undecided), and a failed adequacy check that leaves a decided interval undecided, through
``claims.evaluate`` with test_claims_known_answer_redesigned.py's ``_Lab`` Context (it honours
the subset a measure asks for). Also a direct test of :func:`actstudy.claims.tuning.
variance_components` (claim 19's decomposition) on planted variance components, and its doctest.

As in the other known-answer files, every planted effect is on the scale the test is computed on
(log10 of the ratio for the "x" tests) and its noise is centred (mean exactly 0 over seeds), so
a planted mean comes back exactly. Claim 19's statistic is not a mean over seeds but ANOVA's
estimate from a balanced nested design: its planted rate and seed effects are scaled so that the
mean squares give the planted variance components exactly (``_nested``), so its point estimate
is exact too.

What is faked for claims 18 and 19: ``actstudy.claims.tuning._tuned`` (monkeypatched) gives the
per-dataset frames directly, each with its validation-chosen rate set honestly by
``actstudy.studies.base.choose_rates`` (as ``_tuned`` sets it). ``_tuned`` itself reads the
learning-rate study's summary and 03's harder tasks through ``ClassificationHard``'s rule
(``summary``, ``_at_levels``, ``chosen``, ``task_names``), which need real Run records; faking
those would test the fake, while the claims' measures and checks read nothing but ``_tuned``'s
frames and the studies' histories. ``ctx.study("learning_rate")`` is the real smoke study (its
``datasets`` is ["mnist"], so "mnist" reads the learning-rate study's history in the adequacy
check and any other label 03's); ``ctx.runs("learning_rate")`` and
``ctx.runs("classification_hard")`` give made-up histories.
"""

import doctest
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_claims_known_answer_basic import _assert_inadequate, _centred, _claim
from test_claims_known_answer_redesigned import _check, _table

from actstudy.claims import tuning
from actstudy.studies.base import choose_rates

LOG_TIER = math.log10(tuning.TIER_MARGIN)  # claim 18: 1.10x


def _flat_history(keys: pd.DataFrame, epochs: int = 5, steep=lambda row: False) -> pd.DataFrame:
    """Per run of ``keys`` (a frame with key, activation, seed and maybe learning_rate), a
    validation loss flat over ``epochs`` epochs (trained: it falls by 0, never more than the
    seeds' spread), or, where ``steep(row)``, still falling by 0.2 an epoch at the end."""
    tags = [c for c in ("key", "activation", "learning_rate", "seed") if c in keys]
    rows = []
    for row in keys[tags].to_dict("records"):
        for epoch in range(1, epochs + 1):
            rows.append({**row, "epoch": epoch, "val_loss": 0.3 + 0.001 * row["seed"]
                         + (0.2 * (epochs - epoch) if steep(row) else 0.0)})
    return pd.DataFrame(rows)


# -- claim 5: ReLU's dead units against leaky ReLU's, PReLU's and ELU's ------------------------

_DYING = ("relu", "leaky_relu", "prelu", "elu")
_DYING_RATES = (0.001, 0.01)  # the smoke profile's; the high rate decides
_EPOCHS = 5  # recorded epochs 0 (initialisation) to 5; dead_units reads epoch 4


def _dying_runs(dead_pct: dict[str, float], noise_pp: float, improving: bool = False) -> dict:
    """The dying study (depth 3, 20 seeds). At the high rate each activation's share of dead
    units at the second-to-last recorded epoch (4) is ``dead_pct[name]`` % (noise ``noise_pp``
    per seed where the planted share is not 0; the three layers at 0.5x, 1x and 1.5x of it, so
    their mean is the planted share). Decoys a wrong reading would show:
    - at the last epoch (5) the alternatives' ``dead_from_fraction`` is 30 pp higher (units
      silent at the last epoch alone, not yet dead), ReLU's unchanged;
    - at the low rate ReLU has no dead units and every alternative 30%.
    The last epoch's ``inactive_fraction`` (a secondary test) is the dead share, plus 5 pp for
    ReLU; at earlier epochs it is 90% for everyone. Test accuracy at the high rate: 90% ReLU,
    95% the others (secondary). Validation loss flat, except ReLU's at the high rate still
    falling steeply at its last epoch where ``improving``."""
    seeds = _claim(5).seeds
    rng = np.random.default_rng(11)
    high = max(_DYING_RATES)
    shares = {name: (planted + (_centred(rng, seeds, noise_pp) if planted else 0.0)) / 100
              * np.ones(seeds) for name, planted in dead_pct.items()}
    probes, summary, runs = [], [], []
    for name in _DYING:
        for rate in _DYING_RATES:
            for seed in range(seeds):
                key = f"{name}-{rate}-{seed}"
                if rate == high:
                    share = shares[name][seed]
                else:
                    share = 0.0 if name == "relu" else 0.3
                for epoch in range(_EPOCHS + 1):
                    for index, scale in enumerate((0.5, 1.0, 1.5)):  # mean 1 over layers
                        dead_from = (share * scale * epoch / (_EPOCHS - 1) if epoch < _EPOCHS
                                     else share * scale + (0.0 if name == "relu" else 0.3))
                        inactive = (share + (0.05 if name == "relu" else 0.0)
                                    if epoch == _EPOCHS else 0.9)
                        probes.append({
                            "key": key, "dataset": "mnist", "activation": name,
                            "learning_rate": rate, "depth": 3, "seed": seed, "epoch": epoch,
                            "layer_index": index, "dead_from_fraction": dead_from,
                            "inactive_fraction": inactive, "dead_fraction": 0.0,
                            "saturated_fraction": 0.0, "zero_fraction": 0.0,
                            "near_bound_fraction": 0.0, "act_std": 1.0})
                summary.append({"key": key, "activation": name, "learning_rate": rate,
                                "seed": seed, "test_accuracy": 0.9 if name == "relu" else 0.95,
                                "diverged": False})
                runs.append(SimpleNamespace(key=key, config={"activation": name,
                                                             "learning_rate": rate}))
    summary = pd.DataFrame(summary)
    history = _flat_history(summary, steep=lambda row: improving and row["activation"] == "relu"
                            and row["learning_rate"] == high)
    return {"dying": SimpleNamespace(activations=pd.DataFrame(probes), summary=summary,
                                     history=history, runs=runs)}


@pytest.mark.parametrize("dead, noise, expected", [
    # ReLU 20% dead, the others 0%: ReLU's share minus each is 20 pp, beyond the 2 pp margin
    ({"relu": 20.0, "leaky_relu": 0.0, "prelu": 0.0, "elu": 0.0}, 2.0,
     ("supported", "supported", "supported", "supported")),
    # ELU 30% dead, more than ReLU's 20%: -10 pp, wholly below the margin, contradicts alone
    ({"relu": 20.0, "leaky_relu": 0.0, "prelu": 0.0, "elu": 30.0}, 2.0,
     ("contradicted", "supported", "supported", "contradicted")),
    # ReLU 12%, each other 10%: every difference 2 pp, the margin, with noise
    ({"relu": 12.0, "leaky_relu": 10.0, "prelu": 10.0, "elu": 10.0}, 1.5,
     ("undecided", "undecided", "undecided", "undecided")),
])
def test_claim_5_known_answer(dead, noise, expected):
    table = _table(5, _dying_runs(dead, noise))
    row = _check(table, 5, expected[0], {"a": ("leaky_relu", expected[1]),
                                         "b": ("prelu", expected[2]),
                                         "c": ("elu", expected[3])})
    assert row["seeds"] == _claim(5).seeds
    # the planted differences come back: the high rate, the second-to-last epoch
    for letter, name in zip("abc", ("leaky_relu", "prelu", "elu"), strict=True):
        assert table.loc[f"5{letter}", "mean"] == pytest.approx(dead["relu"] - dead[name])


def test_claim_5_known_answer_secondary_tests_read_the_last_epoch():
    # ReLU 20% dead, the others 0%: ReLU's level 20% (above 2%); its inactive share at the last
    # epoch 25% against the others' 0% (25 pp, above 2 pp; any earlier epoch reads 0 pp); its
    # test accuracy 5 pp below each other's (above 0)
    table = _table(5, _dying_runs({"relu": 20.0, "leaky_relu": 0.0, "prelu": 0.0, "elu": 0.0},
                                  2.0))
    secondary = table.loc["5", "secondary"]
    assert len(secondary) == 7
    assert [test["verdict"] for test in secondary] == ["supported"] * 7, secondary
    assert secondary[0]["effect"].startswith("20"), secondary[0]
    assert all(test["effect"].startswith("+25") for test in secondary[1:4]), secondary[1:4]


def test_claim_5_known_answer_inadequate_when_relu_still_improves_at_the_high_rate():
    # The supported case (20 pp each), but every ReLU run at the high rate is still improving
    # at its last epoch: each component pairs an alternative with ReLU, so each fails its check
    # and is undecided with the reason, and the claim with them.
    table = _table(5, _dying_runs({"relu": 20.0, "leaky_relu": 0.0, "prelu": 0.0, "elu": 0.0},
                                  2.0, improving=True))
    reason = ("inadequate: 20 of 20 relu runs still improving at epoch 5; the full profile "
              "(longer training)")
    for row in ("5a", "5b", "5c", "5"):
        _assert_inadequate(table.loc[row], "supported", reason)


# -- claims 18 and 19: every activation at its validation-chosen rate --------------------------


def _tuned_frame(test: dict[str, np.ndarray], val: dict[str, list[float]], rates: tuple
                 ) -> pd.DataFrame:
    """One dataset's frame as ``_tuned`` gives it: ``test[name]`` is a rates x seeds array of
    test accuracies, ``val[name]`` the validation accuracy at each rate (every seed); the chosen
    rate and ``attrs["rates"]`` come from ``choose_rates`` on the validation accuracy."""
    rows = []
    for name, accuracy in test.items():
        for k, rate in enumerate(rates):
            for seed in range(accuracy.shape[1]):
                rows.append({"key": f"{name}-{rate}-{seed}", "activation": name, "seed": seed,
                             "learning_rate": rate, "test_accuracy": accuracy[k, seed],
                             "final_val_accuracy": val[name][k], "diverged": False})
    frame = pd.DataFrame(rows)
    picked = choose_rates(frame, ["activation"], "final_val_accuracy")
    chosen = dict(zip(picked["activation"], picked["learning_rate"], strict=True))
    frame["chosen"] = frame["learning_rate"] == frame["activation"].map(chosen)
    frame.attrs["rates"] = picked
    return frame


def _histories(tuned: dict[str, pd.DataFrame]) -> dict:
    """Flat validation-loss histories of every run (the converged check passes): "mnist"'s in
    the learning-rate study, the harder tasks' in classification_hard."""
    split = {"learning_rate": [f for label, f in tuned.items() if label == "mnist"],
             "classification_hard": [f for label, f in tuned.items() if label != "mnist"]}
    return {study: SimpleNamespace(history=_flat_history(pd.concat(frames)) if frames
                                   else pd.DataFrame(columns=["key", "epoch", "val_loss"]))
            for study, frames in split.items()}


def _evaluate(monkeypatch, claim_id: int, tuned: dict[str, pd.DataFrame]) -> pd.DataFrame:
    # Each frame carries attrs["rates"] as ``_tuned``'s do: claim 19's measure once failed on
    # them (pandas 3 compares attrs in concat; fixed in 77996ad), which these tests would show.
    monkeypatch.setattr(tuning, "_tuned", lambda ctx: tuned)  # see the module docstring
    return _table(claim_id, _histories(tuned))


_TIER_RATES = (0.001, 0.003, 0.01)
# Validation accuracy per rate: each best at 0.003, inside the grid. ELU is the best alternative
# on validation; GELU (4% error) and tanh (1%) are better on the test set, decoys a choice on
# the tested error would pick.
_TIER_VAL = {"relu": [0.93, 0.95, 0.94], "elu": [0.94, 0.97, 0.95],
             "gelu": [0.93, 0.96, 0.94], "tanh": [0.90, 0.94, 0.92]}
_TIER_ERROR = {"elu": 0.05, "gelu": 0.04, "tanh": 0.01}


def _tier_frame(log_ratio: float, noise: float, seeds: int, seed: int, relu_val=None
                ) -> pd.DataFrame:
    """One dataset for claim 18: at each activation's chosen rate ELU's test error is 5%,
    ReLU's ``10**log_ratio`` times it (log10 noise ``noise`` per seed); at every other rate
    each test accuracy is 50%, so a wrong choice of rate would show. ``relu_val`` replaces
    ReLU's validation accuracies (to move its chosen rate)."""
    rng = np.random.default_rng(seed)
    val = {**_TIER_VAL, **({"relu": relu_val} if relu_val else {})}
    relu_error = 0.05 * 10 ** (log_ratio + _centred(rng, seeds, noise))
    test = {}
    for name, accuracies in val.items():
        best = int(np.argmax(accuracies))
        error = relu_error if name == "relu" else np.full(seeds, _TIER_ERROR[name])
        test[name] = np.array([1 - error if k == best else np.full(seeds, 0.5)
                               for k in range(len(_TIER_RATES))])
    return _tuned_frame(test, val, _TIER_RATES)


def _tier_runs(mnist: float, spirals: float, noise: float, relu_val=None) -> dict:
    """Claim 18's datasets: MNIST (the learning-rate study, 5 seeds) and one of 03's harder tasks
    (10 seeds), ReLU's test error ``10**mnist`` and ``10**spirals`` times the best
    alternative's; ``relu_val`` moves ReLU's chosen rate on MNIST."""
    return {"mnist": _tier_frame(mnist, noise, 5, 12, relu_val),
            "spirals, 3 turns": _tier_frame(spirals, noise, 10, 13)}


@pytest.mark.parametrize("mnist, spirals, noise, expected", [
    # ReLU's test error equal to ELU's (1.00x) on both: wholly below the 1.10x margin
    (0.0, 0.0, 0.01, ("supported", "supported", "supported")),
    # on MNIST ReLU's error 1.5x ELU's: wholly above 1.10x, which contradicts the claim alone
    (math.log10(1.5), 0.0, 0.01, ("contradicted", "contradicted", "supported")),
    # both at 1.10x, the margin, with noise
    (LOG_TIER, LOG_TIER, 0.03, ("undecided", "undecided", "undecided")),
])
def test_claim_18_known_answer(monkeypatch, mnist, spirals, noise, expected):
    table = _evaluate(monkeypatch, 18, _tier_runs(mnist, spirals, noise))
    row = _check(table, 18, expected[0], {"a": ("mnist", expected[1]),
                                          "b": ("spirals, 3 turns", expected[2])})
    assert row["seeds"] == 10
    assert table.loc["18a", "seeds"] == 5
    # the planted ratios come back: against ELU (best on validation), at the chosen rates
    assert table.loc["18a", "mean"] == pytest.approx(10 ** mnist)
    assert table.loc["18b", "mean"] == pytest.approx(10 ** spirals)
    assert [test["test"].split(",")[0] for test in row["secondary"]] == ["mnist: test accuracy",
                                                                        "spirals"]
    assert all("elu (best on validation) - relu" in test["test"] for test in row["secondary"])


def test_claim_18_known_answer_inadequate_when_relu_is_best_at_the_highest_rate(monkeypatch):
    # The supported case (1.00x on both), but on MNIST ReLU's validation accuracy is best at
    # the highest rate tried: the MNIST component's experiment fails (ReLU's best may lie beyond
    # the grid), the harder task's does not, so 18a is undecided alone and the claim with it.
    table = _evaluate(monkeypatch, 18, _tier_runs(0.0, 0.0, 0.01,
                                                  relu_val=[0.93, 0.94, 0.95]))
    reason = ("inadequate: 1 of 4 chosen rates at an edge of the grid (relu: 0.01, the "
              "highest); a wider learning-rate grid is where it is decided")
    assert table.loc["18a", "inadequate"] == reason
    _assert_inadequate(table.loc["18a"], "supported", reason)
    assert table.loc["18b", "verdict"] == "supported" and table.loc["18b", "inadequate"] == ""
    _assert_inadequate(table.loc["18"], "supported", reason)


# -- claim 19: the choice among modern activations against the rate and the seed ---------------

_CHOICE_RATES = (0.001, 0.003, 0.01, 0.03)  # each best at 0.003: near it 0.001 to 0.01
_MODERN = ("relu", "elu", "gelu", "swish")


def _nested(rng, a: int, b: int, n: int, sd_act: float, sd_rate: float, sd_seed: float
            ) -> np.ndarray:
    """An a x b x n array (activation, rate within it, seed) whose balanced nested ANOVA gives
    exactly the planted components: activation effects equally spaced, rate effects centred
    within each activation, seed effects centred within each cell, each scaled so its mean
    square is the planted one's expectation (MS_seed = sd_seed², MS_rate = n sd_rate² + MS_seed,
    MS_act = b n sd_act² + MS_rate); ``sd_act`` 0 gives every activation the same mean."""
    seed = rng.normal(size=(a, b, n))
    seed -= seed.mean(axis=2, keepdims=True)
    seed *= sd_seed / math.sqrt((seed ** 2).sum() / (a * b * (n - 1)))
    ms_rate = n * sd_rate ** 2 + sd_seed ** 2
    rate = rng.normal(size=(a, b))
    rate -= rate.mean(axis=1, keepdims=True)
    rate *= math.sqrt(ms_rate / (n * (rate ** 2).sum() / (a * (b - 1))))
    act = np.linspace(-1.0, 1.0, a)
    if sd_act > 0:
        ms_act = b * n * sd_act ** 2 + ms_rate
        act *= math.sqrt(ms_act / (b * n * (act ** 2).sum() / (a - 1)))
    else:
        act *= 0.0
    return act[:, None, None] + rate[:, :, None] + seed


def _choice_frame(sd_act: float, sd_rate: float, sd_seed: float, seeds: int = 5) -> dict:
    """MNIST for claim 19 (5 seeds): the modern activations' test accuracy at their chosen rate
    and its two neighbours is 90% plus the planted nested effects (in accuracy, not pp). Decoys
    the measure must leave out: each one's far rate (0.03) has 50% test accuracy, and tanh (not
    modern) a spread of 20 pp between its rates."""
    rng = np.random.default_rng(14)
    near = 0.9 + _nested(rng, len(_MODERN), 3, seeds, sd_act, sd_rate, sd_seed)
    test = {name: np.vstack([near[i], np.full(seeds, 0.5)]) for i, name in enumerate(_MODERN)}
    test["tanh"] = np.array([np.full(seeds, level) for level in (0.7, 0.9, 0.8, 0.6)])
    val = dict.fromkeys([*_MODERN, "tanh"], [0.89, 0.9, 0.89, 0.5])
    return {"mnist": _tuned_frame(test, val, _CHOICE_RATES)}


@pytest.mark.parametrize("sd_act, sd_rate, sd_seed, expected", [
    # SD between activations 3 pp (their means about 2.3 pp apart); the rate and the seed move
    # one run by 0.3 pp together (0.2 pp each, rounded): 10x, beyond the 1x margin
    (0.03, 0.003 / math.sqrt(2), 0.003 / math.sqrt(2), "supported"),
    # the activations identical (SD 0), the rate and the seed moving one run by 1 pp: the
    # ratio is 0, wholly below 1
    (0.0, 0.01 / math.sqrt(2), 0.01 / math.sqrt(2), "contradicted"),
    # SD between activations 1 pp, the rate and the seed 1 pp together: 1x, the margin
    (0.01, 0.01 / math.sqrt(2), 0.01 / math.sqrt(2), "undecided"),
])
def test_claim_19_known_answer(monkeypatch, sd_act, sd_rate, sd_seed, expected):
    table = _evaluate(monkeypatch, 19, _choice_frame(sd_act, sd_rate, sd_seed))
    row = _check(table, 19, expected, {"a": ("mnist", expected)})
    assert row["seeds"] == 5
    planted = sd_act / math.hypot(sd_rate, sd_seed)
    assert table.loc["19a", "mean"] == pytest.approx(planted, rel=1e-6)
    if expected == "undecided":
        assert table.loc["19a", "ci_low"] < 1 < table.loc["19a", "ci_high"]


# -- variance_components, claim 19's decomposition ---------------------------------------------


def test_variance_components_recovers_planted_components_on_a_large_sample():
    # 2000 activations x 3 rates x 5 seeds, drawn from the nested model with activation SD 2,
    # rate SD 1 and seed SD 0.5 (variances 4, 1, 0.25): each estimate within 10% of its planted
    # variance (their relative standard errors are about 3%, 3% and 1%)
    rng = np.random.default_rng(15)
    a, b, n = 2000, 3, 5
    values = (rng.normal(0, 2.0, (a, 1, 1)) + rng.normal(0, 1.0, (a, b, 1))
              + rng.normal(0, 0.5, (a, b, n)))
    frame = pd.DataFrame({"activation": np.repeat(np.arange(a), b * n),
                          "learning_rate": np.tile(np.repeat([0.001, 0.003, 0.01], n), a),
                          "seed": np.tile(np.arange(n), a * b),
                          "test_accuracy": values.ravel()})
    found = tuning.variance_components(frame)
    assert found == pytest.approx({"activation": 4.0, "rate": 1.0, "seed": 0.25}, rel=0.1)


def test_variance_components_is_exact_on_planted_mean_squares():
    # 4 activations x 3 rates x 5 seeds built so ANOVA's mean squares are exactly their
    # expectations (``_nested``): the estimates are the planted variances to rounding; and with
    # the activations identical, the negative estimate is set to 0
    frame = _choice_frame(0.03, 0.002, 0.001)["mnist"]
    near = frame[frame["activation"].isin(_MODERN) & (frame["learning_rate"] < 0.03)]
    found = tuning.variance_components(near)
    assert found == pytest.approx({"activation": 0.03 ** 2, "rate": 0.002 ** 2,
                                   "seed": 0.001 ** 2}, rel=1e-9)
    frame = _choice_frame(0.0, 0.002, 0.001)["mnist"]
    near = frame[frame["activation"].isin(_MODERN) & (frame["learning_rate"] < 0.03)]
    assert tuning.variance_components(near)["activation"] == 0.0


def test_variance_components_doctest():
    finder = doctest.DocTestFinder()
    found = finder.find(tuning.variance_components, "variance_components",
                        globs=vars(tuning).copy())
    assert found and found[0].examples
    runner = doctest.DocTestRunner()
    for test in found:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_claim_19_interval_covers_the_true_ratio_on_data_from_the_model():
    # 7 activations x 3 rates x 10 seeds drawn from the nested model (SDs 2, 1, 0.5: a true
    # ratio of 2 / sqrt(1.25) = 1.79): the 95% parametric-bootstrap interval covers it in most
    # of 40 such data sets (a resampling of seeds alone covered it in few: it leaves out the
    # activations' own spread)
    from actstudy.claims import tuning

    truth = 2 / math.sqrt(1.25)
    covered = 0
    for k in range(40):
        cube = tuning._simulated({"activation": 4.0, "rate": 1.0, "seed": 0.25}, (7, 3, 10),
                                 1, seed=100 + k)[0]
        draws = tuning._ratio(tuning._simulated(tuning._components(cube), cube.shape, 1000,
                                                seed=k))
        low, high = np.quantile(draws[np.isfinite(draws)], [0.025, 0.975])
        covered += low <= truth <= high
    assert covered >= 32, covered
