import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from actstudy import cli, sources
from actstudy.cli import main
from actstudy.report import build
from actstudy.run import activations

ROOT = Path(__file__).resolve().parents[1]


def test_list_shows_every_activation(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    everything = activations.names(include_output_only=True)
    assert len(everything) >= 22
    for name in everything:
        assert name in out
    assert f"{len(everything)} activations" in out
    assert "rectifier" in out and "sigmoidal" in out


@pytest.mark.slow
def test_run_prints_summary_and_uses_cache(capsys):
    argv = ["run", "--dataset", "moons", "--activation", "relu,tanh", "--seeds", "2",
            "--epochs", "2", "--width", "8", "--batch-size", "50", "--n-train", "300"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "relu" in out and "tanh" in out and "±" in out and "95% CI" in out
    assert main(["cache", "ls"]) == 0
    assert "4 runs" in capsys.readouterr().out
    assert main(["cache", "clear", "--older-than", "1d"]) == 0
    assert "removed 0" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "removed 4" in capsys.readouterr().out


def test_bad_parameters_give_one_clear_line(capsys):
    assert main(["run", "--dataset", "moons", "--activation", "relo", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("actstudy: error:") and "relu" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["cache", "clear", "--older-than", "soon"])
    assert "--older-than" in capsys.readouterr().err


@pytest.mark.parametrize("argv, named", [
    (["--seeds", "0"], "--seeds 0"),
    (["--activation", ","], "activation=[]"),
])
def test_empty_grids_are_errors_that_name_the_parameter(capsys, argv, named):
    assert main(["run", "--dataset", "moons", "--epochs", "1", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("actstudy: error:") and named in err and "Traceback" not in err


@pytest.mark.parametrize("variables, named", [
    (["PROFILE=nope"], "PROFILE=nope is not allowed: choose one of default full smoke"),
    (["ONLY=99"], "ONLY=99 matches no notebook"),
    (["JOBS=0"], "JOBS=0 is not allowed: give how many notebooks to render at once, 1 or more"),
])
def test_make_report_refuses_bad_choices_before_running_anything(tmp_path, variables, named):
    # VENV points somewhere empty: had make started setting up, it would show there.
    # As a user types it: not as a sub-make of `make test`, which would announce directories.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(["make", "report", *variables, f"VENV={tmp_path}/venv"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0 and named in result.stderr
    assert result.stdout == "" and not (tmp_path / "venv").exists()


def _planned(*variables):
    """The commands `make report` would run, in order (make -n), as a user types it."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(["make", "-n", "report", "PROFILE=smoke", "VENV=.venv",
                             "-o", ".venv/.installed", *variables], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env=env, check=True)
    return [line for line in result.stdout.splitlines() if "actstudy " in line]


def test_make_report_times_first_then_renders_two_notebooks_at_once_longest_first():
    planned = _planned()
    assert "report check --profile smoke" in planned[0]  # the whole profile, before anything
    assert "timing" in planned[1]
    renders = [line.split("notebooks/")[1][:2] for line in planned if " render " in line]
    assert renders[:2] == ["04", "05"] and sorted(renders) == ["01", "02", "03", "04", "05",
                                                                "06", "07"]
    assert renders.index("02") < renders.index("07") and renders[-1] == "06"
    # Two renders share the terminal: each says how far it got in whole lines.
    assert all(line.endswith("--progress lines") for line in planned if " render " in line)
    assert "report index" in planned[-1]


@pytest.mark.parametrize("variables", [["JOBS=1"], ["ONLY=02"]])
def test_one_render_at_a_time_keeps_its_progress_bars(variables):
    renders = [line for line in _planned(*variables) if " render " in line]
    assert renders and all(line.endswith("--progress bars") for line in renders)


def test_a_build_without_01_or_06_does_not_time():
    assert not any("timing" in line for line in _planned("ONLY=02,04"))


def test_report_index_writes_the_index(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "REPORTS", tmp_path)
    monkeypatch.setattr(build, "HEADLINE", tmp_path / "headline.json")
    assert main(["report", "index", "--profile", "smoke"]) == 0
    assert capsys.readouterr().out == "wrote reports/index.html\n"
    page = (tmp_path / "index.html").read_text()
    assert "make report PROFILE=smoke" in page and "(not built)" in page


@pytest.mark.parametrize("command", [["index"], ["render", "notebooks/01_activation_gallery.ipynb"]])
def test_report_with_unknown_profile_gives_one_clear_line(tmp_path, monkeypatch, capsys, command):
    monkeypatch.setattr(build, "REPORTS", tmp_path)
    assert main(["report", *command, "--profile", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("actstudy: error: profile='nope' is not allowed: choose one of ")
    assert "smoke" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stop", [SystemExit("notebook x failed in cell 3"),
                                  build.BuildInterrupted(130)])
def test_report_render_keeps_the_exit_of_a_failed_or_interrupted_build(monkeypatch, stop):
    def render(notebook, profile, progress):
        raise stop

    monkeypatch.setattr(build, "render", render)
    with pytest.raises(SystemExit) as info:
        main(["report", "render", "notebooks/01_activation_gallery.ipynb", "--profile", "smoke"])
    assert info.value is stop


def test_data_fetch_refuses_unknown_names(capsys):
    with pytest.raises(SystemExit) as info:
        main(["data", "fetch", "nope"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nope'" in err and "'mnist', 'fashion_mnist'" in err
    assert cli.IMAGE_SETS == sources.IMAGE_SETS


@pytest.mark.parametrize("argv, failures", [(["mnist"], 1), ([], 2)])
def test_data_fetch_without_any_source_says_where_to_put_the_file(no_fallbacks, capsys, argv,
                                                                  failures):
    assert main(["data", "fetch", *argv]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == failures and captured.out == ""
    assert all(line.startswith("actstudy: error:") and "make data" in line for line in lines)


def test_data_fetch_names_counts_and_source(monkeypatch, capsys):
    def fake_load(name, fetch=False):
        assert fetch
        arrays = {"x_train": np.zeros((6, 28, 28)), "x_test": np.zeros((2, 28, 28))}
        return arrays, f"fake {name}"

    monkeypatch.setattr(sources, "load_image_arrays", fake_load)
    assert main(["data", "fetch"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "mnist: 6 training and 2 test images (fake mnist), verified",
        "fashion_mnist: 6 training and 2 test images (fake fashion_mnist), verified",
    ]


@pytest.mark.slow
def test_help_imports_nothing_heavy():
    # `actstudy --help` should answer at once: numpy, keras and jax load in the subcommands.
    code = ("import sys\nfrom actstudy.cli import parser\nparser().format_help()\n"
            "print(sorted({'numpy', 'keras', 'jax', 'yaml'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout == "[]\n"


HOSTILE = ["`touch {marker}`", "$$(touch {marker})", "$(shell touch {marker})", "1; touch {marker}",
           "1 && touch {marker}", "1 | touch {marker}", "1\ntouch {marker}"]


@pytest.mark.parametrize("variable, goal", [
    ("JOBS", "report"), ("PROFILE", "report"), ("ONLY", "report"), ("PYTEST_ARGS", "test"),
    ("LAB_ARGS", "lab"), ("PYTHON", "env"),
])
@pytest.mark.parametrize("template", HOSTILE)
def test_no_make_variable_runs_shell_code(tmp_path, variable, goal, template):
    marker = tmp_path / "ran"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    value = template.format(marker=marker)
    done = subprocess.run(["make", "-n", goal, f"{variable}={value}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert not marker.exists(), f"{variable}={value} ran"
    assert done.returncode != 0 and f"{variable}=" in done.stderr and "not allowed" in done.stderr


@pytest.mark.parametrize("setting", ["JOBS=0", "JOBS=02", "JOBS=-1", "JOBS=", "PROFILE=%",
                                     "PROFILE=default full", "ONLY=2x", "ONLY=99"])
def test_make_refuses_bad_values_by_name(setting):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(["make", "-n", "report", setting], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and f"{setting.split('=')[0]}=" in done.stderr, done.stderr


@pytest.mark.parametrize("argv, named", [
    (["--n-train", "0"], "--n-train 0 is not allowed"),
    (["--n-train", "-5"], "--n-train -5 is not allowed"),
    (["--jobs", "0"], "--jobs 0 is not allowed"),
    (["--jobs", "-3"], "--jobs -3 is not allowed"),
    (["--seeds", "0"], "--seeds 0 is not allowed"),
])
def test_run_refuses_values_that_make_no_sense(argv, named, capsys):
    assert main(["run", "--dataset", "xor", *argv]) == 2
    assert named in capsys.readouterr().err


def test_a_request_far_beyond_the_usual_size_says_what_it_costs_and_waits(capsys, monkeypatch):
    from actstudy import runner

    monkeypatch.setattr(runner, "run_grid", lambda *a, **k: pytest.fail("started the runs"))
    assert main(["run", "--dataset", "mnist", "--seeds", "100000"]) == 2
    err = capsys.readouterr().err
    assert "100,000 runs" in err and "hours" in err and "GB" in err and "--yes" in err
