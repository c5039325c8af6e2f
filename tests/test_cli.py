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
