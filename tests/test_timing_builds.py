"""Timing ratios over a machine's builds: the pooled interval (stats.over_builds), one build's
interval (stats.between_builds), the study made from earlier builds' stored timings
(runner.timing_builds, ``actstudy timing-builds``: its speed rule and occasions), and the
study committed for the default profile.

The stored timings here are made-up files in the layout ``actstudy timing`` writes, with a
planted ratio per build, so each build's mean log10 ratio and the spread between builds are
known exactly."""

import datetime
import itertools
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from actstudy import claims, settings, stats, studies
from actstudy.cli import main
from actstudy.runner import timing, timing_builds
from actstudy.studies.cost import parameters

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import timing_replication  # noqa: E402

# -- the interval ------------------------------------------------------------------------------


def test_one_builds_interval_is_t_over_earlier_builds_estimates():
    # Earlier builds' estimates 0.00 to 0.04 (SD 0.0158); this build's processes' median 0.10.
    earlier = [0.00, 0.01, 0.02, 0.03, 0.04]
    interval = stats.between_builds([0.09, 0.10, 0.11], earlier)
    half = scipy_stats.t.ppf(0.975, 4) * np.std(earlier, ddof=1)
    assert interval.mean == pytest.approx(0.10)
    assert (interval.low, interval.high) == pytest.approx((0.10 - half, 0.10 + half))
    assert interval.n == 3 and interval.df == 4
    # its own processes' spread does not set the width: the earlier builds' does
    scattered = stats.between_builds([0.05, 0.10, 0.15], earlier)
    assert scattered.high - scattered.low == pytest.approx(2 * half)
    # the estimate is the median: one process on a busy machine does not move it
    busy = stats.between_builds([0.10, 0.11, 0.09, 0.10, -0.50], earlier)
    assert busy.mean == pytest.approx(0.10) and busy.n == 5


def test_p_value_detectable_effect_and_other_levels_follow_the_between_builds_interval():
    interval = stats.between_builds([0.10, 0.10], [0.00, 0.01, 0.02, 0.03, 0.04])
    # at the interval's low end the one-sided p-value is 0.025: it decides where the interval does
    assert stats.p_value(interval, interval.low, "above") == pytest.approx(0.025)
    assert stats.p_value(interval, interval.low - 1e-6, "above") < 0.025
    error = np.std([0.00, 0.01, 0.02, 0.03, 0.04], ddof=1)
    wider = stats.at_confidence(interval, 0.99)
    assert wider.high - wider.mean == pytest.approx(scipy_stats.t.ppf(0.995, 4) * error)
    assert stats.minimum_detectable(interval) == pytest.approx(
        (scipy_stats.t.ppf(0.975, 4) + scipy_stats.t.ppf(0.8, 4)) * error)


def test_the_pooled_interval_is_t_over_the_occasions_with_this_build_as_one_more():
    # Earlier occasions 0.00 to 0.04; this build's processes' median 0.10 joins them as a
    # sixth: the mean 0.0333, Student's t with 5 degrees of freedom on SD / sqrt(6).
    earlier = [0.00, 0.01, 0.02, 0.03, 0.04]
    interval = stats.over_builds([0.09, 0.10, 0.11, 0.50], earlier)
    pooled = np.array(earlier + [0.105])  # the median of four processes
    half = scipy_stats.t.ppf(0.975, 5) * pooled.std(ddof=1) / math.sqrt(6)
    assert interval.mean == pytest.approx(pooled.mean())
    assert (interval.low, interval.high) == pytest.approx((pooled.mean() - half,
                                                           pooled.mean() + half))
    assert interval.n == 6
    # at its low end the one-sided p-value is 0.025
    assert stats.p_value(interval, interval.low, "above") == pytest.approx(0.025)
    # no processes: no estimate; too few earlier occasions: refused
    assert interval.__class__ is stats.Interval and math.isnan(stats.over_builds([], earlier).mean)
    with pytest.raises(ValueError, match=r"earlier has 1 finite value\(s\): pooling"):
        stats.over_builds([0.1], [0.1, math.nan])
    with pytest.raises(ValueError, match="confidence=1.5 is not allowed"):
        stats.over_builds([0.1], earlier, confidence=1.5)


@pytest.mark.parametrize("earlier, named", [
    ([0.1], "earlier has 1 finite value(s)"),
    ([0.1, math.nan], "earlier has 1 finite value(s)"),
])
def test_too_few_earlier_builds_are_refused(earlier, named):
    with pytest.raises(ValueError, match=named.replace("(", r"\(").replace(")", r"\)")):
        stats.between_builds([0.1, 0.2], earlier)


# -- the study from stored timings -------------------------------------------------------------

PROCESSES, ROUNDS = 3, 2
_MACHINE = {"cpu_count": 2, "platform": "Linux x86_64", "device": "cpu", "jax": "0.10.2"}


def _stored_timing(folder, build: int, log_ratio: float, wanted: dict, machine=None,
                   measured: str | None = None, relu: float = 0.05, boot: str | None = None,
                   ratios: dict | None = None):
    """A stored timing in ``actstudy timing``'s layout: every activation's epoch and
    element-wise times 10**(log_ratio + process offset) x ReLU's, the offsets -0.01, 0, +0.01
    over the processes (so each build's median log ratio is ``log_ratio``), gelu_tanh at
    ReLU's, whose epoch takes ``relu`` seconds."""
    epoch, elementwise = [], []
    for process, offset in enumerate((-0.01, 0.0, 0.01)):
        for repeat in range(ROUNDS):
            for name in ("relu", "sigmoid", "tanh", "softplus", "gelu", "gelu_tanh"):
                factor = 1.0 if name in ("relu", "gelu_tanh") else 10 ** (
                    (math.log10(ratios[name]) if name in (ratios or {}) else log_ratio) + offset)
                row = {"activation": name, "process": process, "repeat": repeat,
                       "relative_to_relu": factor}
                epoch.append({**row, "seconds": relu * factor})
                for kind in ("forward", "forward+backward"):
                    elementwise.append({**row, "pass": kind, "us_per_million": 100 * factor})
    provenance = {"format": timing.FORMAT, "parameters": wanted, **(machine or _MACHINE),
                  "measured": measured or f"2026-11-{build + 1:02d}T10:00:00+00:00",
                  **({"boot_id": boot} if boot else {})}
    path = folder / f"build{build}" / "timing-smoke.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"provenance": provenance, "elementwise": elementwise,
                                "epoch": epoch}))
    return path


PLANTED = [0.030, 0.034, 0.038, 0.042, 0.046, 0.050, 0.054, 0.058]  # each build's mean


@pytest.fixture
def wanted():
    return parameters(studies.get("activation_cost", "smoke"))


@pytest.fixture
def builds(tmp_path, wanted):
    return [_stored_timing(tmp_path, b, log, wanted) for b, log in enumerate(PLANTED)]


def test_the_study_holds_each_builds_processes_and_their_spread(builds, wanted, tmp_path,
                                                                 monkeypatch):
    spread = timing_builds.make(builds, claims.TIMING_CONTRASTS, wanted, by="test")
    key = timing_builds.contrast_key("epoch", "gelu", "relu")
    assert spread.estimates(key) == pytest.approx(PLANTED)
    assert spread.largest_deviation(key) == pytest.approx(0.01)
    tanh = timing_builds.contrast_key("forward+backward", "gelu", "gelu_tanh")
    assert spread.estimates(tanh) == pytest.approx(PLANTED)
    # stored whole beside the profile, and read back the same
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    timing_builds.store(spread, "smoke")
    again, reason = timing_builds.load("smoke")
    assert reason == "" and again.builds == spread.builds and again.machine == _MACHINE
    assert "8 builds (8 occasions) from 2026-11-01 10:00 to 2026-11-08 10:00 UTC" in \
        again.describe()
    assert again.speed() == pytest.approx(0.05) and again.excluded == []


def test_builds_run_back_to_back_are_one_occasion(builds, wanted, tmp_path):
    # Two more builds 2 and 6 minutes after the last: the first shares its occasion (less than
    # 5 minutes apart), the second, 4 minutes after that one, shares it too; each occasion's
    # estimate is the mean of its builds'.
    later = [_stored_timing(tmp_path, 30 + k, log, wanted,
                            measured=f"2026-11-08T10:0{minute}:00+00:00")
             for k, (log, minute) in enumerate(((0.070, 2), (0.082, 6)))]
    spread = timing_builds.make(builds + later, claims.TIMING_CONTRASTS, wanted, by="test")
    key = timing_builds.contrast_key("epoch", "gelu", "relu")
    assert list(spread.occasions()) == [0, 1, 2, 3, 4, 5, 6, 7, 7, 7]
    assert spread.occasion_estimates(key) == pytest.approx(
        PLANTED[:7] + [np.mean([PLANTED[7], 0.070, 0.082])])
    # a gap of exactly 5 minutes starts a new occasion
    apart = _stored_timing(tmp_path, 40, 0.09, wanted, measured="2026-11-08T10:11:00+00:00")
    spread = timing_builds.make(builds + later + [apart], claims.TIMING_CONTRASTS, wanted,
                                by="test")
    assert len(set(spread.occasions())) == 9


def test_the_speed_rule_leaves_out_builds_slower_or_faster_than_the_median(builds, wanted,
                                                                           tmp_path):
    # ReLU's epoch 0.05 s in the 8 builds; 0.0551 s (1.102x) and 0.0454 s (0.908x) are left
    # out, 0.0549 s (1.098x) and 0.0456 s (0.912x) kept: the rule sees ReLU's time alone.
    odd = [_stored_timing(tmp_path, 50 + k, 0.5, wanted, relu=relu,
                          measured=f"2026-12-0{k + 1}T10:00:00+00:00")
           for k, relu in enumerate((0.0551, 0.0454, 0.0549, 0.0456))]
    spread = timing_builds.make(builds + odd, claims.TIMING_CONTRASTS, wanted, by="test")
    assert len(spread.builds) == 10
    assert [b["file"] for b in spread.excluded] == [str(odd[0]), str(odd[1])]
    assert spread.excluded[0]["why"] == ("ReLU's epoch took 55.1 ms, 1.102x the median build's "
                                         "50.0 ms (allowed: 0.909x to 1.10x)")
    assert timing_builds.speed_fits(0.055, 0.05) and not timing_builds.speed_fits(0.0551, 0.05)
    # too few left after the rule: refused, saying how many the rule kept
    slow = [_stored_timing(tmp_path, 60 + k, 0.04, wanted, relu=0.08,
                           measured=f"2026-12-1{k}T10:00:00+00:00") for k in range(5)]
    with pytest.raises(ValueError, match=r"11 build\(s\) given, 6 kept by the speed rule, in 6 "
                                         r"occasion\(s\)"):
        timing_builds.make(builds[:6] + slow, claims.TIMING_CONTRASTS, wanted, by="test")


def test_the_scatter_is_a_median_absolute_deviation_two_busy_processes_leave_unmoved():
    assert timing_builds.deviation([0.0, 0.01, -0.01, 0.02, -0.02]) == pytest.approx(0.01)
    # timing21's GELU processes (log10 of 1.074x, 1.086x, 1.082x, 1.007x and 1.247x): two
    # far off, the deviation that of the three that agree; the SD is eight times as large
    busy = np.log10([1.074, 1.086, 1.082, 1.007, 1.247])
    assert timing_builds.deviation(busy) == pytest.approx(
        np.log10(1.082 / 1.074))
    assert np.std(busy, ddof=1) > 8 * timing_builds.deviation(busy)


def test_a_study_is_usable_only_for_its_machine_and_parameters(builds, wanted):
    spread = timing_builds.make(builds, claims.TIMING_CONTRASTS, wanted, by="test")
    key = timing_builds.contrast_key("epoch", "gelu", "relu")
    same = {**_MACHINE, "parameters": wanted}
    assert timing_builds.usable(spread, same, key) == ""
    assert "another kind of machine (cpu_count 2" in timing_builds.usable(
        spread, {**same, "cpu_count": 16}, key)
    assert "jax 0.10.2; this build: cpu_count 2, platform Linux x86_64, device cpu, jax 0.4.30)" \
        in timing_builds.usable(spread, {**same, "jax": "0.4.30"}, key)
    # a build of the study itself would be judged by its own spread
    assert "is one of the study's own builds: its interval would be in-sample" in \
        timing_builds.usable(spread, {**same, "measured": "2026-11-03T10:00:00+00:00"}, key)
    assert timing_builds.usable(spread, {**same, "measured": "2026-12-01T10:00:00+00:00"},
                                key) == ""
    assert "other timing parameters (stored with epoch_repeats" in timing_builds.usable(
        spread, {**same, "parameters": {**wanted, "epoch_repeats": 9}}, key)
    assert "does not hold the ratio epoch mish/relu" in timing_builds.usable(
        spread, same, "epoch mish/relu")


def test_an_absent_or_unreadable_study_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    assert timing_builds.load("smoke") == (None, (
        "no spread between builds has been measured for profile 'smoke' "
        "(notebooks/params/timing-builds-smoke.json is absent)"))
    timing_builds.path("smoke").write_text("{")
    assert timing_builds.load("smoke")[1] == (
        "notebooks/params/timing-builds-smoke.json could not be read (JSONDecodeError)")
    # a study in the layout before the speed rule is not read as this one
    timing_builds.path("smoke").write_text(json.dumps({"format": 1, "builds": []}))
    assert timing_builds.load("smoke")[1] == (
        "notebooks/params/timing-builds-smoke.json is in another layout (format 1)")


def test_bad_timing_files_are_named(builds, wanted, tmp_path):
    def refused(files, named):
        with pytest.raises(ValueError, match=named):
            timing_builds.make(files, claims.TIMING_CONTRASTS, wanted, by="test")

    refused(builds[:7], "files: 7 build\\(s\\) given, 7 kept by the speed rule, in 7 "
                        "occasion\\(s\\) \\(builds less than 300 s apart are one\\); at least 8 "
                        "occasions are needed")
    refused(builds + [builds[0]], "two files hold the build measured at 2026-11-01T10:00")
    other = _stored_timing(tmp_path, 20, 0.04, {**wanted, "repeats": 99})
    refused(builds + [other], "was timed with other parameters than the profile's "
                              "activation_cost section now gives \\(stored with repeats 99")
    bigger = _stored_timing(tmp_path, 21, 0.04, wanted, machine={**_MACHINE, "cpu_count": 16})
    refused(builds + [bigger], "files: timed on 2 kinds of machine")
    booted = _stored_timing(tmp_path, 22, 0.04, wanted, boot="n3w")
    refused(builds + [booted], "files: timed on 2 machines, or across a restart \\(their boot "
                               "ids differ: .*build0/timing-smoke.json: not recorded \\(timed "
                               "before timings recorded it\\);.*build22/timing-smoke.json: n3w")
    broken = tmp_path / "broken.json"
    broken.write_text("not json")
    refused(builds + [broken], "is not a stored timing \\(JSONDecodeError")
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**json.loads(builds[0].read_text()), "provenance": {
        **json.loads(builds[0].read_text())["provenance"], "format": 1}}))
    refused(builds[1:] + [old], "is in an older timing layout \\(format 1, now 2\\)")


def test_the_command_stores_the_study_beside_the_profile(builds, wanted, tmp_path, monkeypatch,
                                                         capsys):
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    shutil.copy(settings.ROOT / "notebooks" / "params" / "smoke.yaml", tmp_path)
    assert main(["timing-builds", "--profile", "smoke", *map(str, builds)]) == 0
    out = capsys.readouterr().out
    assert "timing-builds-smoke.json: 8 builds (8 occasions) from 2026-11-01 10:00" in out
    assert f"epoch gelu/relu: {10 ** np.mean(PLANTED):.3f}x (the mean occasion), SD between " \
           f"occasions {np.std(PLANTED, ddof=1):.4f} (log10)" in out
    assert timing_builds.load("smoke")[0].estimates(
        timing_builds.contrast_key("epoch", "softplus", "relu")) == pytest.approx(PLANTED)
    # too few: one clear line, nothing written over the study
    before = timing_builds.path("smoke").read_text()
    assert main(["timing-builds", "--profile", "smoke", str(builds[0])]) == 2
    assert "at least 8 occasions are needed" in capsys.readouterr().err
    assert timing_builds.path("smoke").read_text() == before
    # another machine's study goes beside it under its label, and is read back as such
    theirs = [_stored_timing(tmp_path / "b", n, log, wanted, boot="b00t",
                             measured=f"2026-12-{n + 1:02d}T10:00:00+00:00")
              for n, log in enumerate(PLANTED)]
    assert main(["timing-builds", "--profile", "smoke", "--machine", "b",
                 *map(str, theirs)]) == 0
    assert "timing-builds-smoke.b.json: 8 builds" in capsys.readouterr().out
    assert timing_builds.load("smoke")[0].boot is None
    assert json.loads(timing_builds.path("smoke", "b").read_text())["boot"] == "b00t"
    # one machine's builds are not another machine's study: the same builds again, or builds
    # of the same boot, are refused with the study that holds them, and nothing is written
    assert main(["timing-builds", "--profile", "smoke", "--machine", "c",
                 *map(str, builds)]) == 2
    assert ("files: notebooks/params/timing-builds-smoke.json holds this machine's builds "
            "already (both hold the build measured at 2026-11-01T10:00:00+00:00): each machine "
            "is studied once") in capsys.readouterr().err
    again = [_stored_timing(tmp_path / "c", n, log, wanted, boot="b00t",
                            measured=f"2027-01-{n + 1:02d}T10:00:00+00:00")
             for n, log in enumerate(PLANTED)]
    assert main(["timing-builds", "--profile", "smoke", "--machine", "c",
                 *map(str, again)]) == 2
    assert ("timing-builds-smoke.b.json holds this machine's builds already (both were timed "
            "in the boot b00t)") in capsys.readouterr().err
    assert not timing_builds.path("smoke", "c").exists()
    # the machine's own study may be made again (it replaces itself)
    assert main(["timing-builds", "--profile", "smoke", "--machine", "b",
                 *map(str, theirs)]) == 0
    capsys.readouterr()
    others, why = timing_builds.other_machines("smoke")
    assert why == "" and list(others) == ["b"] and timing_builds.path("smoke").read_text() == before
    with pytest.raises(SystemExit):
        main(["timing-builds", "--profile", "smoke", "--machine", "../x", str(builds[0])])
    assert "--machine='../x' is not allowed: give a label of letters and digits" in \
        capsys.readouterr().err
    # a file whose label is not letters and digits is not a machine's study (a copy, say)
    (timing_builds.path("smoke").parent / "timing-builds-smoke.b.old.json").write_text("{")
    assert list(timing_builds.other_machines("smoke")[0]) == ["b"]
    timing_builds.path("smoke", "c").write_text("{")
    assert timing_builds.other_machines("smoke") == (
        {}, "notebooks/params/timing-builds-smoke.c.json could not be read (JSONDecodeError)")
    # a copy of a study under a label (a backup, say) is not another machine: nothing is
    # compared, and the two files are named
    shutil.copy(timing_builds.path("smoke"), timing_builds.path("smoke", "bak"))
    timing_builds.path("smoke", "c").unlink()
    assert timing_builds.other_machines("smoke") == (
        {}, "notebooks/params/timing-builds-smoke.json and notebooks/params/"
            "timing-builds-smoke.bak.json hold one machine's builds (both hold the build "
            "measured at 2026-11-01T10:00:00+00:00): each machine is studied once")


# -- the default profile's study --------------------------------------------------------------


def test_the_default_profiles_other_machines_fit_its_study():
    # Design 6: the second machine's study (the powered replication's 16 builds) is of the
    # study's kind and parameters, and holds every ratio the claims test.
    spread, _ = timing_builds.load("default")
    others, why = timing_builds.other_machines("default")
    assert why == "" and list(others) == ["b"]
    provenance = {**spread.machine, "parameters": spread.parameters}
    for contrast in claims.TIMING_CONTRASTS:
        assert timing_builds.usable(others["b"], provenance,
                                    timing_builds.contrast_key(*contrast)) == ""


def test_the_default_profiles_study_fits_its_timing_parameters():
    # A changed activation_cost section makes the committed study stale: its timing verdicts
    # would all read undecided. This says so at once: time the profile again in separate builds
    # and run `actstudy timing-builds`.
    spread, reason = timing_builds.load("default")
    assert reason == ""
    wanted = parameters(studies.get("activation_cost", "default"))
    provenance = {**spread.machine, "parameters": wanted}
    for contrast in claims.TIMING_CONTRASTS:
        assert timing_builds.usable(spread, provenance,
                                    timing_builds.contrast_key(*contrast)) == ""
    assert len(set(spread.occasions())) >= timing_builds.MINIMUM_BUILDS


def _replication_build(folder, ratios: dict[str, float], minute: int):
    """A made-up build's stored timing: 5 processes x 2 rounds, each activation's epoch
    ``ratios[name]`` times ReLU's 50 ms in every round."""
    epoch = [{"activation": name, "repeat": repeat, "process": process,
              "seconds": 0.05 * (1.0 if name == "relu" else ratios[name])}
             for process in range(5) for repeat in range(2)
             for name in ("relu", "sigmoid", "tanh", "softplus", "gelu")]
    folder.mkdir()
    (folder / "timing-default.json").write_text(json.dumps(
        {"epoch": epoch, "provenance": {"measured": f"2026-12-06T10:{minute:02d}:00+00:00"}}))
    return str(folder)


@pytest.mark.parametrize("gelu, code, said", [
    (1.08, 0, "contradicted"),  # the study's verdicts: replicated
    (1.20, 1, "supported"),  # GELU well past 1.1x: not the study's verdict
    (1.10, 1, "undecided"),  # GELU at the margin, moving between builds
])
def test_timing_replication_known_answer(tmp_path, capsys, gelu, code, said):
    spread = [-0.01, -0.005, 0.0, 0.005, 0.01]  # GELU's build-to-build moves (fraction)
    paths = [_replication_build(tmp_path / f"b{k}", {
        "sigmoid": 1.015, "tanh": 1.008, "softplus": 1.15, "gelu": gelu * (1 + move)}, k)
        for k, move in enumerate(spread)]
    assert timing_replication.main(paths) == code
    out = capsys.readouterr().out
    mean = 10 ** np.mean(np.log10([gelu * (1 + move) for move in spread]))
    assert f"gelu / relu over 5 builds: {mean:.4f}x" in out
    assert f"]: {said} (the study: contradicted)" in out.split("gelu / relu")[-1]
    assert ("NOT replicated" in out) == (code == 1)


def test_timing_replication_reads_builds_kept_by_timing_builds(tmp_path, capsys):
    # The same made-up builds, given as their stored timings or as the file `actstudy
    # timing-builds` keeps of them (each build's per-process log ratios and speed), give the
    # same estimates; a kept file whose speed rule left a build out is refused, since a
    # replication counts every build.
    paths = [_replication_build(tmp_path / f"b{k}", {
        "sigmoid": 1.015, "tanh": 1.008, "softplus": 1.15, "gelu": 1.07 + 0.002 * k}, k)
        for k in range(5)]
    builds = []
    for path in paths:
        stored = json.loads((Path(path) / "timing-default.json").read_text())
        epoch = pd.DataFrame(stored["epoch"])
        builds.append({"file": path, "measured": stored["provenance"]["measured"],
                       "speed": timing_builds.speed(epoch), "log_ratios": {
                           timing_builds.contrast_key("epoch", name, "relu"):
                           list(timing.process_log_ratios(epoch, name, "relu"))
                           for name in timing_replication.EXPECTED}})
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps({"builds": builds, "excluded": []}))
    from_timings, from_kept = timing_replication.estimates(paths), \
        timing_replication.estimates([kept])
    pd.testing.assert_frame_equal(from_timings, from_kept)
    assert timing_replication.main([str(kept)]) == 0
    kept.write_text(json.dumps({"builds": builds, "excluded": [{"file": "b9", "why": "slow"}]}))
    with pytest.raises(SystemExit, match="left out 1 build"):
        timing_replication.estimates([kept])


def test_timing_replication_without_builds_says_how_to_call_it(capsys):
    assert timing_replication.main([]) == 2
    assert capsys.readouterr().err.strip() == (
        ".venv/bin/python scripts/timing_replication.py [--decide NAME,...] DIR_OR_FILE...")
    assert timing_replication.main(["--decide", "gelu,swish", "b1"]) == 2
    assert capsys.readouterr().err.strip() == (
        "--decide='gelu,swish' is not allowed: give one or more of sigmoid, tanh, softplus, "
        "gelu, comma-separated")
    assert timing_replication.main(["--decide=gelu,swish", "b1"]) == 2
    assert "--decide='gelu,swish' is not allowed" in capsys.readouterr().err


def test_timing_replication_counts_the_default_profiles_timings_only(tmp_path):
    path = Path(_replication_build(tmp_path / "b0", CHECKED, 0)) / "timing-default.json"
    stored = json.loads(path.read_text())
    path.write_text(json.dumps({**stored, "provenance": {**stored["provenance"],
                                                         "profile": "smoke"}}))
    with pytest.raises(SystemExit, match="timed for profile 'smoke'; the claims' verdicts are "
                                         "the default profile's"):
        timing_replication.estimates([path.parent])


@pytest.mark.parametrize("softplus, gelu, code", [
    (1.15, 1.10, 0),  # design 6's check passes: GELU at the margin is reported, not decided
    (1.15, 1.20, 0),  # whatever GELU reads
    (1.10, 1.08, 1),  # softplus at the margin: undecided, so the check fails
    (1.00, 1.08, 1),  # softplus below it: contradicted, so the check fails
])
def test_timing_replication_known_answer_design_6s_check(tmp_path, capsys, softplus, gelu,
                                                         code):
    spread = [-0.01, -0.005, 0.0, 0.005, 0.01]
    paths = [_replication_build(tmp_path / f"b{k}", {
        "sigmoid": 1.015, "tanh": 1.008, "softplus": softplus * (1 + move),
        "gelu": gelu * (1 + move)}, k) for k, move in enumerate(spread)]
    assert timing_replication.main(["--decide", "sigmoid,tanh,softplus", *paths]) == code
    out = capsys.readouterr().out
    assert "(reported only)" in out.split("gelu / relu")[-1]
    assert ("NOT replicated" in out) == (code == 1)


# -- design 6's check, run by scripts/timing_check.py ------------------------------------------

CHECKED = {"sigmoid": 1.015, "tanh": 1.008, "softplus": 1.15, "gelu": 1.10}


def test_timing_check_runs_the_pre_registered_protocol():
    import timing_check
    assert (timing_check.PROFILE, timing_check.BUILDS, timing_check.SPACING) == \
        ("default", 10, 330.0)
    assert timing_check.DECIDE == "sigmoid,tanh,softplus"


@pytest.fixture
def check(tmp_path, monkeypatch):
    """scripts/timing_check.py with the default profile and its committed study in a folder of
    their own, 8 builds (the fewest a study takes), the record and the lock in ``tmp_path``, in
    the boot "n3w" on a machine of the study's kind, the repository clean at commit "abc123"
    (each commit of the record is kept in ``commits``); and the profile's parameters."""
    import timing_check
    params = tmp_path / "params"
    params.mkdir()
    for name in ("default.yaml", "timing-builds-default.json"):
        shutil.copy(settings.ROOT / "notebooks" / "params" / name, params)
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(params))
    monkeypatch.setattr(timing_check, "BUILDS", 8)
    monkeypatch.setattr(timing_check, "RECORD", tmp_path / "checks.jsonl")
    monkeypatch.setattr(timing_check, "LOCK", tmp_path / "lock")
    monkeypatch.setattr(timing, "boot_id", lambda: "n3w")
    monkeypatch.setattr(timing, "machine_kind", lambda: dict(_MACHINE))
    state = {"commits": [], "repository": ("abc123", "")}
    monkeypatch.setattr(timing_check, "repository", lambda: state["repository"])
    monkeypatch.setattr(timing_check, "commit_record", state["commits"].append)
    return timing_check, parameters(studies.get("activation_cost", "default")), state


def _stand_in(tmp_path, wanted, ratios, now, fail_at=None, relu=lambda n: 0.05, wait=5.0,
              interrupt_at=None):
    """A stand-in for a timing build: the n-th waits ``wait`` s of the clock ``now[0]`` for the
    lock, then writes a made-up stored timing of the default profile (``ratios``, moving by a
    fraction of a percent from build to build, ReLU's epoch ``relu(n)`` s) into its folder,
    measured then, in the boot "n3w", and takes 100 s. The build ``fail_at`` exits 1 and writes
    nothing; at ``interrupt_at`` Ctrl-C is pressed."""
    made = []

    def build(folder):
        made.append(folder)
        n = len(made)
        if n == interrupt_at:
            raise KeyboardInterrupt
        now[0] += wait
        began = now[0]
        now[0] += 100
        at = datetime.datetime.fromtimestamp(began, datetime.UTC).isoformat(timespec="seconds")
        if n == fail_at:
            return {"began": began, "at": at, "waited": wait, "code": 1}
        move = 1 + 0.002 * (n % 5 - 2)
        path = _stored_timing(tmp_path / "raw", n, 0.0, wanted, boot="n3w", relu=relu(n),
                              ratios={name: r * move for name, r in ratios.items()},
                              measured=at)
        folder.mkdir(parents=True)
        path.rename(folder / "timing-default.json")
        return {"began": began, "at": at, "waited": wait, "code": 0}
    return build, made


def _clock(start=1_796_600_000.0):
    now, waits = [start], []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds
    return now, waits, sleep


def _record(check) -> list[dict]:
    return [json.loads(line) for line in check[0].RECORD.read_text().splitlines()]


@pytest.mark.parametrize("softplus, code, said", [
    (1.15, 0, "passed"),  # sigmoid and tanh contradicted, softplus supported: GELU only shown
    (1.10, 1, "FAILED"),  # softplus at the margin: undecided
])
def test_timing_check_known_answer(tmp_path, check, capsys, softplus, code, said):
    timing_check, wanted, state = check
    now, waits, sleep = _clock()
    build, made = _stand_in(tmp_path, wanted, {**CHECKED, "softplus": softplus}, now)
    assert timing_check.main(["--out", str(tmp_path / "check")], build=build, sleep=sleep,
                             clock=lambda: now[0]) == code
    out = capsys.readouterr().out
    # eight builds, each asking for the lock 330 s after the one before began holding it: each
    # takes 100 s, so the script sleeps 230 s between them, and with 5 s waiting for the lock
    # they begin 335 s apart (at least 330: a wait for the lock only adds to the spacing)
    assert [folder.name for folder in made] == [f"build{n:02d}" for n in range(1, 9)]
    assert waits == [230.0] * 7
    began = [datetime.datetime.fromisoformat(json.loads((folder / "timing-default.json")
                                                        .read_text())["provenance"]["measured"])
             for folder in made]
    assert [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(began)] == \
        [335.0] * 7
    # no ratio is shown before the last build has ended
    before, _, after = out.partition("build 08 of 8:")
    assert "relu" not in before and "x [" not in before and "gelu / relu" in after
    assert f"design 6's check: {said}" in out
    assert "(reported only)" in out.split("gelu / relu")[-1]
    replication = (tmp_path / "check" / "replication.txt").read_text()
    assert "after 5 s waiting for the lock" in replication and "build08: measured" in replication
    # the builds become machine c's study, whatever the check said, with their boot
    study = json.loads(timing_builds.path("default", "c").read_text())
    assert study["boot"] == "n3w" and len(study["builds"]) == 8
    # the record: started (from which commit) and how it ended, each committed as written
    record = _record(check)
    assert [entry["event"] for entry in record] == ["started", said.lower()]
    assert record[0]["commit"] == "abc123" and record[0]["boot"] == "n3w"
    assert record[1]["study_made"] is True and record[1]["replication"] == replication
    assert len(state["commits"]) == 2
    # a second check, on any machine: refused before any build, and nothing is recorded
    made.clear()
    assert timing_check.main(["--out", str(tmp_path / "again"), "--machine", "d"],
                             build=build, sleep=sleep) == 2
    assert made == [] and "the check cannot start: a check was already started (" in \
        capsys.readouterr().err
    assert len(_record(check)) == 2 and len(state["commits"]) == 2


def test_timing_check_records_a_failed_build_and_an_interruption(tmp_path, check, capsys):
    timing_check, wanted, state = check
    now, _, sleep = _clock()
    build, made = _stand_in(tmp_path, wanted, CHECKED, now, fail_at=3)
    assert timing_check.main(["--out", str(tmp_path / "check")], build=build, sleep=sleep,
                             clock=lambda: now[0]) == 1
    assert len(made) == 3 and "the check failed: build 03 failed (exit 1" in \
        capsys.readouterr().err
    assert not timing_builds.path("default", "c").exists()
    assert [entry["event"] for entry in _record(check)] == ["started", "failed"]
    # Ctrl-C during the second build: recorded and committed, and the interruption goes on
    timing_check.RECORD.unlink()
    build, made = _stand_in(tmp_path, wanted, CHECKED, now, interrupt_at=2)
    with pytest.raises(KeyboardInterrupt):
        timing_check.main(["--out", str(tmp_path / "second")], build=build, sleep=sleep,
                          clock=lambda: now[0])
    record = _record(check)
    assert [entry["event"] for entry in record] == ["started", "interrupted"]
    assert record[1]["why"] == "KeyboardInterrupt: " and len(state["commits"]) == 4


def test_timing_check_fails_where_its_study_cannot_be_made(tmp_path, check, capsys):
    # The verdicts pass, but the speed rule leaves out three of eight builds (ReLU's epoch
    # twice as slow): fewer than 8 occasions remain, no study is made, and the check fails.
    timing_check, wanted, _ = check
    now, _, sleep = _clock()
    build, _ = _stand_in(tmp_path, wanted, CHECKED, now, relu=lambda n: 0.1 if n > 5 else 0.05)
    assert timing_check.main(["--out", str(tmp_path / "check")], build=build, sleep=sleep,
                             clock=lambda: now[0]) == 1
    captured = capsys.readouterr()
    assert "design 6's check: passed; its study was NOT made" in captured.out
    assert "at least 8 occasions are needed" in captured.err
    assert _record(check)[-1]["study_made"] is False


def test_timing_check_refuses_bad_starts_before_any_build(tmp_path, check, monkeypatch,
                                                         capsys):
    timing_check, wanted, state = check
    now, _, sleep = _clock()
    build, made = _stand_in(tmp_path, wanted, CHECKED, now)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    new = str(tmp_path / "new")

    def refused(args, named):
        assert timing_check.main(args, build=build, sleep=sleep) == 2
        assert named in capsys.readouterr().err

    refused(["--out", str(tmp_path / "full")], "--out=")
    refused(["--out", str(tmp_path / "full" / "x")], "give a new or empty folder")
    refused(["--out", new, "--machine", "c-2"],
            "--machine='c-2' is not allowed: give a label of letters and digits")
    timing_builds.path("default", "b").write_text("{}")
    refused(["--out", new, "--machine", "b"],
            "--machine='b' is not allowed: notebooks/params/timing-builds-default.b.json is kept")
    # an unreadable kept study: the check cannot say which machines are studied
    refused(["--out", new], "timing-builds-default.b.json is in another layout")
    timing_builds.path("default", "b").unlink()
    # another kind of machine, or other timing parameters than the study's
    monkeypatch.setattr(timing, "machine_kind", lambda: {**_MACHINE, "cpu_count": 16})
    refused(["--out", new], "is not of the kind the claims' study was timed on")
    monkeypatch.setattr(timing, "machine_kind", lambda: dict(_MACHINE))
    profile = tmp_path / "params" / "default.yaml"
    kept = profile.read_text()
    profile.write_text(kept.replace("n_elements: 1000000", "n_elements: 999999"))
    refused(["--out", new], "the profile's activation_cost parameters are not those of")
    profile.write_text(kept)
    # uncommitted changes; an unreadable boot id; a record that cannot be read
    state["repository"] = ("abc123", "the repository has uncommitted changes ( M x.py ...)")
    refused(["--out", new], "the repository has uncommitted changes")
    state["repository"] = ("abc123", "")
    monkeypatch.setattr(timing, "boot_id", lambda: None)
    refused(["--out", new], "boot id cannot be read")
    timing_check.RECORD.write_text("not json\n")
    refused(["--out", new], "checks.jsonl cannot be read")
    assert made == [] and state["commits"] == []


def test_timing_check_commits_its_record_from_a_clean_repository(tmp_path, monkeypatch):
    import timing_check
    root = tmp_path / "repo"
    (root / "preregistrations").mkdir(parents=True)
    monkeypatch.setattr(timing_check, "ROOT", root)
    monkeypatch.setattr(timing_check, "RECORD", root / "preregistrations" / "checks.jsonl")
    for key, value in {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b",
                       "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}.items():
        monkeypatch.setenv(key, value)
    assert timing_check.repository()[1].startswith("git cannot commit the record here")
    timing_check._git("init", "-q")
    (root / "x.py").write_text("x = 1\n")
    timing_check._git("add", "x.py")
    timing_check._git("commit", "-q", "-m", "x")
    head, why = timing_check.repository()
    assert why == "" and head == timing_check._git("rev-parse", "HEAD")
    (root / "x.py").write_text("x = 2\n")
    assert "the repository has uncommitted changes (M x.py" in timing_check.repository()[1]
    timing_check._git("checkout", "-q", "x.py")
    timing_check.RECORD.write_text("{}\n")
    assert timing_check.repository()[1] == "checks.jsonl exists but is not committed"
    # the record alone is committed, whatever else is staged
    (root / "y.py").write_text("y = 1\n")
    timing_check._git("add", "y.py")
    timing_check.commit_record("the check started")
    assert timing_check._git("log", "-1", "--format=%s") == "the check started"
    assert timing_check._git("show", "--name-only", "--format=", "HEAD") == \
        "preregistrations/checks.jsonl"


def test_timing_check_build_holds_the_lock_and_times_into_its_folder(tmp_path, monkeypatch):
    # run_build with a stand-in `actstudy` beside the interpreter: it waits for the lock (held
    # here for 0.3 s), runs `actstudy timing --profile default` with ACTSTUDY_TIMING_DIR set to
    # the build's folder, and keeps its output in the folder's log.
    import fcntl
    import threading

    import timing_check
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "actstudy"
    fake.write_text('#!/bin/sh\necho "$@"\necho "{}" > "$ACTSTUDY_TIMING_DIR/timing-default.json"\n')
    fake.chmod(0o755)
    monkeypatch.setattr(timing_check.sys, "executable", str(bin_dir / "python"))
    monkeypatch.setattr(timing_check, "LOCK", tmp_path / "lock")
    held = open(tmp_path / "lock", "a")
    fcntl.flock(held, fcntl.LOCK_EX)
    threading.Timer(0.3, held.close).start()  # closing the file releases the lock
    done = timing_check.run_build(tmp_path / "build01")
    assert done["code"] == 0 and done["waited"] >= 0.25
    assert (tmp_path / "build01" / "timing-default.json").read_text().strip() == "{}"
    assert (tmp_path / "build01" / "log").read_text().strip() == "timing --profile default"
