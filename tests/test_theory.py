"""Mean-field theory (actstudy.analysis.theory): known answers, Monte Carlo, a random network."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from actstudy.analysis import theory
from actstudy.run import activations


@pytest.mark.parametrize("name, w, b, q_star, chi", [
    ("relu", 2.0, 0.0, None, 1.0),  # He: the edge of chaos at every q
    ("tanh", 1.0, 0.0, 0.0, 1.0),
    ("identity", 0.5, 0.0, 0.0, 0.5),
    ("identity", 1.5, 0.0, math.inf, 1.5),
    ("selu", 1.0, 0.0, 1.0, 1.0716),
    ("tanh", 2.25, 0.0, 0.7934, 1.1393),
])
def test_known_answers(name, w, b, q_star, chi):
    found = theory.fixed_point(name, w, b)
    if q_star is not None:
        assert found == pytest.approx(q_star, abs=1e-3 if 0 < q_star < math.inf else 1e-4)
    tolerance = 1e-3 if name in ("selu",) or w == 2.25 else 1e-4
    assert theory.chi1(name, w, b) == pytest.approx(chi, abs=tolerance)


def test_the_identity_gives_sigma_w2_at_every_length():
    for q in (0.01, 1.0, 50.0):
        assert theory.chi1("identity", 1.7, 0.3, q) == pytest.approx(1.7, abs=1e-5)
        assert theory.length_map("identity", 1.7, 0.3, q) == pytest.approx(1.7 * q + 0.3,
                                                                           rel=1e-5)


def test_relu_at_he_keeps_q_and_predicts_no_growth():
    # Every q is a fixed point of ReLU's length map at sigma_w2 = 2 (E[relu(u)^2] = q / 2).
    assert theory.fixed_point("relu", 2.0, 0.0, q0=3.0) == 3.0
    assert theory.layer_lengths("relu", 2.0, 0.0, 0.7, 6) == pytest.approx([0.7] * 6, rel=1e-5)
    found = theory.predicted_growth("relu", 2.0, 0.0, 0.7, 6)
    assert found["growth"] == pytest.approx(1.0, abs=1e-5)
    # LeCun for ReLU: the norm halves its square per layer, sqrt(1/2) per layer.
    assert theory.predicted_growth("relu", 1.0, 0.0, 1.0, 6)["growth"] == pytest.approx(
        math.sqrt(0.5), abs=1e-5)


def test_phases_and_depth_scales():
    # Ordered below the edge, chaotic above it (for tanh at sigma_b2 = 0.05 the edge lies near
    # sigma_w2 = 1.76, Schoenholz et al. 2017, figure 1); the depth scale is finite on both
    # sides and rises towards the edge from either.
    assert theory.chi1("tanh", 0.5, 0.0) < 1 < theory.chi1("tanh", 2.25, 0.0)
    assert theory.chi1("tanh", 1.7, 0.05) < 1 < theory.chi1("tanh", 1.85, 0.05)
    assert theory.correlation_fixed_point("tanh", 0.5, 0.05) == 1.0
    assert theory.correlation_fixed_point("tanh", 4.0, 0.0) == pytest.approx(0.0, abs=1e-3)
    scales = [theory.depth_scale("tanh", w, 0.05) for w in (0.5, 1.0, 1.5, 2.5, 4.0)]
    assert all(0 < s < math.inf for s in scales)
    assert scales[0] < scales[1] < scales[2] and scales[2] > scales[3] > scales[4]
    # An ordered network: xi_c = -1 / ln chi1.
    assert theory.depth_scale("tanh", 0.5, 0.05) == pytest.approx(
        -1 / math.log(theory.chi1("tanh", 0.5, 0.05)), rel=1e-6)


def test_fixed_point_is_a_fixed_point():
    # (GELU without a bias has none above 0 at sigma_w2 = 1.8: its q collapses, as tanh's.)
    assert theory.fixed_point("gelu", 1.8, 0.0) == 0.0
    for name, w, b in (("tanh", 1.5, 0.1), ("sigmoid", 4.0, 0.0), ("elu", 1.5, 0.05),
                       ("gelu", 1.8, 0.5)):
        q = theory.fixed_point(name, w, b)
        assert 0 < q < math.inf
        assert theory.length_map(name, w, b, q) == pytest.approx(q, rel=1e-5)


@pytest.mark.parametrize("name", activations.names())
def test_quadrature_matches_monte_carlo_for_every_activation(name):
    # Every registered activation (learnable ones at their initial parameters): E[phi^2] and
    # E[phi'^2] against 400,000 Gaussian samples; 5 standard errors.
    phi = activations.function(name)
    z = np.random.default_rng(0).standard_normal(400_000).astype(np.float32)
    for q in (0.5, 2.0):
        u = jnp.asarray(math.sqrt(q) * z)
        value = np.asarray(phi(u), dtype=float)
        slope = np.asarray(jax.jvp(phi, (u,), (jnp.ones_like(u),))[1], dtype=float)
        found = theory.expectation(name, q)
        for key, sample in (("phi2", value**2), ("slope2", slope**2), ("mean", value)):
            error = 5 * sample.std() / math.sqrt(len(sample)) + 1e-6
            assert found[key] == pytest.approx(sample.mean(), abs=error), (name, q, key)


def test_a_wide_random_network_grows_gradients_as_predicted():
    # A 1024-wide tanh network at sigma_w2 = 2.25, back-propagating one input's error by hand:
    # the norm's growth per layer is sqrt(chi1(q_l)) with each layer's own q_l.
    rng = np.random.default_rng(1)
    width, depth, w2 = 1024, 8, 2.25
    x = rng.standard_normal(width)
    weights = [rng.standard_normal((width, width)) * math.sqrt(w2 / width) for _ in range(depth)]
    pre, h = [], x
    for w in weights:
        pre.append(w @ h)
        h = np.tanh(pre[-1])
    delta = (1 - np.tanh(pre[-1]) ** 2) * rng.standard_normal(width)
    norms = [np.linalg.norm(delta)]
    for layer in range(depth - 2, -1, -1):
        delta = (1 - np.tanh(pre[layer]) ** 2) * (weights[layer + 1].T @ delta)
        norms.append(np.linalg.norm(delta))
    measured = (norms[-1] / norms[0]) ** (1 / (depth - 1))
    q1 = w2 * np.mean(x**2)
    predicted = theory.predicted_growth("tanh", w2, 0.0, q1, depth)["growth"]
    assert measured == pytest.approx(predicted, rel=0.03)
    assert [np.var(p) for p in pre] == pytest.approx(
        theory.layer_lengths("tanh", w2, 0.0, q1, depth), rel=0.1)


def test_initializers_map_to_sigma_w2():
    assert theory.sigma_w2("he_normal") == 2.0 and theory.sigma_w2("lecun_uniform") == 1.0
    assert theory.sigma_w2("glorot_normal", fan_in=64, fan_out=64) == 1.0
    assert theory.sigma_w2("he_uniform", init_scale=3.0) == pytest.approx(18.0)
    x = np.ones((10, 4))
    assert theory.input_length(x, "lecun_normal") == pytest.approx(1.0)


@pytest.mark.parametrize("call, named", [
    (lambda: theory.chi1("tanh", -1.0, 0.0), "sigma_w2=-1.0 is not allowed"),
    (lambda: theory.fixed_point("tanh", 1.0, math.nan), "sigma_b2=nan is not allowed"),
    (lambda: theory.sigma_w2("orthogonal"), "initializer='orthogonal' is not allowed"),
    (lambda: theory.expectation("tanh", -2.0), "q=-2.0 is not allowed"),
])
def test_bad_input_is_named(call, named):
    with pytest.raises(ValueError, match=named):
        call()


def _beside(factors: dict, seeds: int = 5, spread: float = 0.0) -> pd.DataFrame:
    """Made-up rows of analysis.theory.beside_measurement: measured = predicted x factor."""
    rng = np.random.default_rng(0)
    return pd.DataFrame([{"activation": name, "initializer": "he_normal", "seed": s,
                          "difference": math.log10(factor) + spread * rng.standard_normal()}
                         for name, factor in factors.items() for s in range(seeds)])


def test_claim_17_returns_each_verdict_it_can_give():
    from actstudy.claims.catalogue import CLAIMS
    from actstudy.claims.measures import THEORY_MARGIN, theory_verdict_parts
    from actstudy.claims.verdicts import Measurement, component_verdicts, intersection_union

    test = next(c for c in CLAIMS if c.id == 17).primary
    assert test.margin == THEORY_MARGIN == 1.1 and test.kind == "equivalence"

    def decide(frame):
        pairs, secondary = theory_verdict_parts(frame)
        assert secondary == []
        each = component_verdicts([Measurement(test, interval) for interval in pairs.values()])
        return intersection_union(each), each

    # Every pair within 1.1x, tightly: supported.
    assert decide(_beside({"relu": 1.02, "tanh": 0.97}, spread=0.002)) == (
        "supported", ["supported", "supported"])
    # One pair at 1.5x, tightly: the whole claim is contradicted, though the other agrees.
    assert decide(_beside({"relu": 1.0, "tanh": 1.5}, spread=0.002)) == (
        "contradicted", ["supported", "contradicted"])
    # One pair too noisy to tell: undecided, never supported on the other alone.
    assert decide(_beside({"relu": 1.0, "tanh": 1.05}, seeds=3, spread=0.05))[0] == "undecided"
    # A contradicted pair contradicts the claim even where another is too noisy to tell.
    frame = pd.concat([_beside({"relu": 1.5}, spread=0.002),
                       _beside({"tanh": 1.0}, seeds=3, spread=0.2)])
    assert decide(frame)[0] == "contradicted"


def test_divergence_and_collapse_are_not_mistaken_for_fixed_points():
    # float64 sums: a map that grows without bound never shows a false fixed point.
    assert theory.fixed_point("relu", 2.0, 0.01) == math.inf
    assert theory.fixed_point("elu", 2.0, 0.0) == math.inf
    assert theory.fixed_point("tanh", 0.5, 0.0, q0=1e-7) == 0.0
    assert math.isnan(theory.depth_scale("relu", 2.5, 0.0))  # q* infinite: not computed


def test_the_correlation_map_meets_relus_arc_cosine_kernel():
    # For ReLU, E[relu'(u_a) relu'(u_b)] = (pi - arccos c) / (2 pi) (Cho & Saul 2009).
    moments = theory._pair_moments("relu")
    import jax

    with jax.enable_x64(True):
        found = float(moments(np.float64(1.0), np.float64(0.5))[1])
    assert found == pytest.approx((math.pi - math.acos(0.5)) / (2 * math.pi), abs=1e-4)


def test_beside_measurement_predicts_from_the_data_and_the_initializer():
    growth = pd.DataFrame([
        {"key": "a", "dataset": "mnist", "activation": "relu", "initializer": "he_normal",
         "depth": 10, "init_scale": 1.0, "seed": 0, "slope": 0.0, "growth": 1.0},
        {"key": "b", "dataset": "mnist", "activation": "tanh", "initializer": None,
         "depth": 10, "init_scale": 2.0, "seed": 0, "slope": 0.0, "growth": 1.2}])
    beside = theory.beside_measurement(growth, 0.25, 784, 64)
    he, tanh = beside.iloc[0], beside.iloc[1]
    assert he["predicted"] == pytest.approx(1.0, abs=1e-6) and he["difference"] == pytest.approx(
        0.0, abs=1e-6)
    assert he["q_first"] == pytest.approx(2.0 * 0.25)
    # tanh's own initializer is Glorot: the first layer's sigma_w2 is 2 n_in / (n_in + n_out),
    # times the initial scale squared; the hidden layers' is 1 x 4.
    assert tanh["initializer"] == "glorot_uniform" and tanh["sigma_w2"] == pytest.approx(4.0)
    assert tanh["q_first"] == pytest.approx(4.0 * 2 * 784 / 848 * 0.25)
    assert tanh["difference"] == pytest.approx(math.log10(1.2 / tanh["predicted"]))


def test_width_signal_meets_the_prediction_for_a_wide_linear_network():
    # The identity with LeCun weights keeps q: a wide network's last layer has the data's
    # spread, as the length map says.
    x = np.random.default_rng(0).standard_normal((64, 20))
    frame = theory.width_signal("identity", x, 3, widths=(2048,), seeds=2,
                                initializer="lecun_normal")
    assert frame["act_std"].mean() == pytest.approx(frame["predicted_std"].iloc[0], rel=0.05)


def test_width_agreement_says_where_the_gap_closes():
    from actstudy.present import text

    def frame(name, gaps, spread=0.01):
        return pd.DataFrame([{"activation": name, "width": w, "seed": s,
                              "act_std": 1 + g + spread * (s - 1), "predicted_std": 1.0,
                              "act_mean": 0.0, "predicted_mean": 0.0}
                             for w, g in zip((64, 1024), gaps, strict=True) for s in range(3)])

    closing = text.width_agreement(frame("elu", (-0.2, 0.0)))
    assert "closes with width for elu" in closing and "-20%" in closing
    staying = text.width_agreement(frame("relu", (-0.2, -0.15)))
    assert "stays at every width for relu" in staying
    assert "no gap at either width for tanh" in text.width_agreement(
        frame("tanh", (-0.2, 0.1), spread=0.3))
    assert "For selu a gap shows only at the widest" in text.width_agreement(
        pd.concat([frame("selu", (0.0, 0.0), spread=0.3).query("width == 64"),
                   frame("selu", (0.0, -0.1)).query("width == 1024")]))
