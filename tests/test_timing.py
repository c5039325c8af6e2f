"""Activation timings: measured once per build, stored whole, read back without timing again.

The storage tests count the calls of the two benchmarks, which they replace by
fakes that return frames of the right shape at once; the interleaving test
replaces the compiled epochs by functions that log their calls. One slow test
times real epochs.
"""

import hashlib
import json
import math
import pathlib

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml

from actstudy import claims, settings, stats, studies
from actstudy.cli import main
from actstudy.present import plots
from actstudy.runner import timing

matplotlib.use("Agg")


@pytest.fixture
def counted(monkeypatch):
    """Both benchmarks replaced by fakes that count their calls (no timing happens)."""
    calls = {"elementwise": 0, "epoch": 0}

    def elementwise(names, n_elements, repeats, progress=False):
        calls["elementwise"] += 1
        rows = [{"activation": name, "pass": kind, "repeat": r,
                 "us_per_million": 100.0 * (i + 1) * (1 + 0.01 * r)}
                for r in range(repeats) for kind in ("forward", "forward+backward")
                for i, name in enumerate(timing._with_relu(names))]
        frame = pd.DataFrame(rows)
        frame["relative_to_relu"] = timing._relative_to_relu(frame, "us_per_million",
                                                             ["pass", "repeat"])
        return frame

    def epoch(names, *, repeats, progress=False, **mlp):
        calls["epoch"] += 1
        rows = [{"activation": name, "repeat": r, "seconds": 0.1 * (1 + 0.1 * i) + 0.001 * r}
                for r in range(repeats) for i, name in enumerate(timing._with_relu(names))]
        frame = pd.DataFrame(rows)
        frame["relative_to_relu"] = timing._relative_to_relu(frame, "seconds", ["repeat"])
        return frame

    monkeypatch.setattr(timing, "activation_cost", elementwise)
    monkeypatch.setattr(timing, "epoch_cost", epoch)
    # The fakes run in this process: a spawned one would import the real benchmarks.
    monkeypatch.setattr(timing, "_in_fresh_process", lambda task: timing._one_process(**task))
    return calls


# Each measurement of the smoke profile runs both benchmarks once per fresh process.
P = studies.get("activation_cost", "smoke").processes


def test_rendering_again_reads_the_stored_costs_without_timing(counted, capsys):
    first = studies.build_costs("smoke")
    assert counted == {"elementwise": 1 * P, "epoch": 1 * P}
    assert "no reports/timing-smoke.json yet" in capsys.readouterr().err
    assert timing.stored_path("smoke").parent == settings.timing_dir()
    again = studies.build_costs("smoke")  # a second render of 01
    context = claims.Context("smoke")  # 06's claims
    elementwise, epoch = context.cost(), context.epoch_cost()
    assert counted == {"elementwise": 1 * P, "epoch": 1 * P}
    assert capsys.readouterr().err == ""
    for frame in (again.elementwise, elementwise):
        pd.testing.assert_frame_equal(frame, first.elementwise)
    pd.testing.assert_frame_equal(epoch, first.epoch)
    assert again.provenance == first.provenance
    assert set(claims.Context.COST_ACTIVATIONS) <= set(epoch["activation"])


def test_a_changed_profile_is_measured_again_and_says_why(counted, capsys, tmp_path,
                                                         monkeypatch):
    profiles = tmp_path / "params"
    profiles.mkdir()
    smoke = yaml.safe_load((settings.ROOT / "notebooks" / "params" / "smoke.yaml").read_text())
    (profiles / "smoke.yaml").write_text(yaml.safe_dump(smoke))
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(profiles))
    studies.build_costs("smoke")
    smoke["studies"]["activation_cost"]["epoch_repeats"] = 7
    (profiles / "smoke.yaml").write_text(yaml.safe_dump(smoke))
    capsys.readouterr()
    costs = studies.build_costs("smoke")
    assert counted == {"elementwise": 2 * P, "epoch": 2 * P}
    said = capsys.readouterr().err
    assert "stored with epoch_repeats 2, now 7" in said
    assert costs.provenance["parameters"]["epoch_repeats"] == 7
    # which machine timed it: the boot id, hashed, that a study's builds must share (design 6)
    booted = pathlib.Path("/proc/sys/kernel/random/boot_id")
    raw = booted.read_text().strip() if booted.exists() else ""
    assert costs.provenance["boot_id"] == timing.boot_id() == (
        hashlib.sha256(f"actstudy:{raw}".encode()).hexdigest()[:16] if raw else None)
    assert "stored with epoch_repeats 2, now 7" in costs.measured
    assert costs.epoch["repeat"].nunique() == 7
    # An override in a notebook is a parameter change too; the same one again is not.
    studies.build_costs("smoke", overrides={"activation_cost": {"epoch_activations": ["relu"]}})
    studies.build_costs("smoke", overrides={"activation_cost": {"epoch_activations": ["relu"]}})
    assert counted == {"elementwise": 3 * P, "epoch": 3 * P}
    assert "epoch_activations also with sigmoid" in capsys.readouterr().err


def test_a_file_in_another_layout_or_unreadable_is_measured_again(counted, capsys):
    path = timing.stored_path("smoke")
    studies.build_costs("smoke")
    stored = json.loads(path.read_text())
    stored["provenance"]["format"] = timing.FORMAT - 1
    path.write_text(json.dumps(stored))
    studies.build_costs("smoke")
    path.write_text(path.read_text()[:100])  # cut short by something other than actstudy
    studies.build_costs("smoke")
    assert counted == {"elementwise": 3 * P, "epoch": 3 * P}
    said = capsys.readouterr().err
    assert "older layout" in said and "could not be read" in said


def test_the_stored_file_is_whole_or_absent(counted, monkeypatch):
    path = timing.stored_path("smoke")
    written = pathlib.Path.write_text

    def cut_off(self, text, *args, **kwargs):
        written(self, text[: len(text) // 2])
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    monkeypatch.setattr(pathlib.Path, "write_text", cut_off)
    with pytest.raises(KeyboardInterrupt):
        studies.build_costs("smoke")
    assert list(path.parent.iterdir()) == []  # neither the file nor a temporary one
    monkeypatch.setattr(pathlib.Path, "write_text", written)
    studies.build_costs("smoke")
    before = path.read_bytes()
    monkeypatch.setattr(pathlib.Path, "write_text", cut_off)
    with pytest.raises(KeyboardInterrupt):
        studies.build_costs("smoke", force=True)
    assert path.read_bytes() == before and list(path.parent.iterdir()) == [path]


def test_the_cli_measures_for_the_build_and_keeps_it_only_if_asked(counted, capsys):
    assert main(["timing", "--profile", "smoke"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("reports/timing-smoke.json: Measured once") and "by actstudy timing" in out
    assert main(["timing", "--profile", "smoke"]) == 0  # make runs it for a new build
    assert main(["timing", "--profile", "smoke", "--if-needed"]) == 0
    assert counted == {"elementwise": 2 * P, "epoch": 2 * P}
    assert main(["timing", "--profile", "nope"]) == 2
    assert "profile='nope' is not allowed" in capsys.readouterr().err


def test_a_claim_names_the_activation_the_profile_does_not_time(counted, tmp_path, monkeypatch):
    narrow = {"studies": {"activation_cost": {"activations": ["relu", "tanh"]}}}
    (tmp_path / "narrow.yaml").write_text(yaml.safe_dump(narrow))
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="cost of 'sigmoid'.*activation_cost activations"):
        claims.Context("narrow").cost()
    claims.Context("narrow").epoch_cost()  # the epoch benchmark's default holds them all


def _costs(elementwise: dict, epoch: dict) -> timing.Costs:
    """Costs whose per-round ratios to ReLU are given: {activation: [ratio per round]}."""
    rows = [{"activation": name, "pass": kind, "repeat": r, "us_per_million": 100.0 * ratio,
             "relative_to_relu": ratio}
            for name, ratios in elementwise.items() for r, ratio in enumerate(ratios)
            for kind in ("forward", "forward+backward")]
    epochs = [{"activation": name, "repeat": r, "seconds": 0.1 * ratio, "relative_to_relu": ratio}
              for name, ratios in epoch.items() for r, ratio in enumerate(ratios)]
    return timing.Costs(pd.DataFrame(rows), pd.DataFrame(epochs), {})


def test_ratios_are_geometric_means_with_t_intervals_on_their_logs():
    costs = _costs({"relu": [1, 1, 1], "softplus": [8.0, 10.0, 12.5], "tanh": [2.0, 2.5, 3.0]},
                   {"relu": [1, 1, 1], "softplus": [1.1, 1.0, 1.2]})
    relative = costs.relative().set_index(["measurement", "activation"])
    row = relative.loc[("element-wise forward+backward", "softplus")]
    interval = stats.mean_ci(np.log10([8.0, 10.0, 12.5]))
    assert row["ratio"] == pytest.approx(10.0)  # the geometric mean, not the mean (10.17)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((10 ** interval.low,
                                                             10 ** interval.high))
    reference = relative.loc[("training epoch", "relu")]
    assert reference["reference"] and reference["ratio"] == 1 and math.isnan(reference["ci_low"])
    table = costs.table()
    assert list(table["activation"]) == ["relu", "tanh", "softplus"]  # by forward+backward
    softplus = table.set_index("activation").loc["softplus"]
    assert softplus["element-wise forward+backward"].startswith("10× [")
    assert softplus["training epoch"].startswith("1.1× [")
    assert table.set_index("activation").loc["relu", "training epoch"] == "1× (reference)"
    assert table.set_index("activation").loc["tanh", "training epoch"] == "not timed"
    fig = plots.activation_cost(costs.relative())
    assert "log scale" in fig.axes[0].get_xlabel() and len(fig.legends) == 1
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["relu", "tanh", "softplus"]
    matplotlib.pyplot.close(fig)


def test_intervals_are_over_fresh_processes_not_rounds(counted):
    # Three processes, each timing its rounds the same to within 0.1%, the processes 1.0x,
    # 1.2x and 1.44x apart: the interval has three replicates and the spread between processes,
    # where over rounds it would have nine and their spread within processes.
    study = studies.get("activation_cost", "smoke").replace(processes=3)
    costs = study.measure(by="test")
    assert sorted(costs.epoch["process"].unique()) == [0, 1, 2]
    assert costs.epoch.groupby("process")["repeat"].nunique().tolist() == [2, 2, 2]
    frame = pd.DataFrame({"process": np.repeat([0, 1, 2], 3), "repeat": [0, 1, 2] * 3,
                          "relative_to_relu": np.repeat([1.0, 1.2, 1.44], 3)
                          * (1 + 0.001 * np.tile([-1, 0, 1], 3))})
    over = stats.mean_ci(timing.log_ratios(frame))
    assert over.n == 3
    assert 10 ** over.low < 1.0 and 10 ** over.high > 1.44  # processes' spread, t with 2 df
    rounds = stats.mean_ci(np.log10(frame["relative_to_relu"]))
    assert rounds.n == 9 and over.high - over.low > 3 * (rounds.high - rounds.low)
    relative = costs.relative().set_index(["measurement", "activation"])
    assert (relative["processes"] == 3).all() and (relative["rounds"] == 6).all()


def test_operation_counts_are_xla_cost_analysis_per_element():
    counts = timing.operation_counts(["sigmoid", "softplus"], n_elements=1024).set_index(
        "activation")
    # ReLU: a comparison and a select, no transcendental; sigmoid and softplus need exp/log.
    assert counts.loc["relu", "transcendentals_forward"] == 0
    assert counts.loc["sigmoid", "transcendentals_forward"] >= 1
    assert (counts["operations_forward_backward"] >= counts["operations_forward"]).all()
    # per element: the same counts from a vector 16 times longer
    longer = timing.operation_counts(["sigmoid"], n_elements=16 * 1024).set_index("activation")
    assert longer.loc["sigmoid", "operations_forward_backward"] == pytest.approx(
        counts.loc["sigmoid", "operations_forward_backward"])


def test_epoch_cost_interleaves_rounds_after_one_warm_up_each(monkeypatch):
    calls = []

    def trainer(config):
        return lambda: calls.append(config.activation)

    monkeypatch.setattr(timing, "epoch_trainer", trainer)
    frame = timing.epoch_cost(["tanh", "gelu"], dataset="moons", depth=1, width=4,
                              batch_size=32, n_train=None, repeats=4)
    names = ["relu", "tanh", "gelu"]
    assert calls[:3] == names  # compiled and warmed up once each, before any timing
    per_round = len(names) * timing.EPOCHS_PER_TIMING
    rounds = [calls[3 + r * per_round: 3 + (r + 1) * per_round: timing.EPOCHS_PER_TIMING]
              for r in range(4)]
    assert rounds == [names, names[1:] + names[:1], names[2:] + names[:2], names]
    assert len(calls) == 3 + 4 * per_round
    assert sorted(frame.columns) == ["activation", "relative_to_relu", "repeat", "seconds"]
    assert len(frame) == 12 and (frame.groupby("activation").size() == 4).all()
    assert (frame.loc[frame["activation"] == "relu", "relative_to_relu"] == 1).all()


@pytest.mark.slow
def test_epoch_cost_times_real_epochs_on_a_tiny_setting():
    frame = timing.epoch_cost(["tanh", "gelu"], depth=1, width=8, batch_size=64, n_train=256,
                              repeats=2)
    assert len(frame) == 6 and set(frame["activation"]) == {"relu", "tanh", "gelu"}
    assert ((frame["seconds"] > 0) & (frame["seconds"] < 10)).all()
    relu = frame[frame["activation"] == "relu"].set_index("repeat")["seconds"]
    expected = frame["seconds"] / frame["repeat"].map(relu)
    assert np.allclose(frame["relative_to_relu"], expected)


@pytest.mark.parametrize("call, named", [
    (lambda: timing.epoch_cost(["tanh"], repeats=0), "repeats=0 is not allowed"),
    (lambda: timing.epoch_cost("tanh"), "names='tanh' is not allowed"),
    (lambda: timing.epoch_cost([]), r"names=\[\] is not allowed"),
    (lambda: timing.epoch_cost(["tahn"]), "unknown activation 'tahn'"),
    (lambda: timing.epoch_cost(["tanh"], n_train=0), "n_train=0 is not allowed"),
    (lambda: timing.epoch_cost(["tanh"], depth=0, dataset="moons"), "depth=0 is not allowed"),
    (lambda: timing.epoch_cost(["tanh"], dataset="moons", batch_size=10**6),
     "batch_size=1000000 is not allowed"),
    (lambda: timing.activation_cost(["tanh"], n_elements=0), "n_elements=0 is not allowed"),
    (lambda: timing.activation_cost(["tanh"], repeats=1.5), "repeats=1.5 is not allowed"),
])
def test_bad_benchmark_parameters_are_named(call, named):
    with pytest.raises(ValueError, match=named):
        call()


@pytest.mark.parametrize("changes, named", [
    ({"epoch_repeats": 0}, "epoch_repeats=0 is not allowed for study 'activation_cost'"),
    ({"epoch_depth": True}, "epoch_depth=True is not allowed"),
    ({"epoch_n_train": 100}, "epoch_n_train=100 is not allowed.*epoch_batch_size \\(128\\)"),
    ({"epoch_activations": "relu"}, "activations='relu' is not allowed"),
    ({"epoch_activations": ["softmax"]}, "output layers only"),
    ({"seeds": 3}, "takes no parameter 'seeds'"),
])
def test_bad_study_parameters_are_named(changes, named):
    with pytest.raises(ValueError, match=named):
        studies.ActivationCost().replace(**changes)
