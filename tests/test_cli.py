import subprocess
from pathlib import Path

import pytest

from actstudy import activations
from actstudy.cli import main


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
])
def test_make_report_refuses_bad_choices_before_running_anything(tmp_path, variables, named):
    root = Path(__file__).resolve().parents[1]
    # VENV points somewhere empty: had make started setting up, it would show there.
    result = subprocess.run(["make", "report", *variables, f"VENV={tmp_path}/venv"], cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and named in result.stderr
    assert result.stdout == "" and not (tmp_path / "venv").exists()
