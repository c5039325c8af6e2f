"""The package's layers, as pyproject.toml's import-linter contract states them, hold."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contract_is_kept():
    # lint-imports reads [tool.importlinter] from pyproject.toml: a wrong-way import fails here.
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    # The contract can fail: the same check on a copy with one upward import is broken.
    import shutil

    shutil.copytree(ROOT / "actstudy", tmp_path / "actstudy",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    training = tmp_path / "actstudy" / "run" / "training.py"
    training.write_text(training.read_text() + "\nfrom actstudy.runner import cache  # noqa\n")
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0
    assert "actstudy.run is not allowed to import actstudy.runner" in done.stdout


def test_no_module_is_over_800_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "actstudy").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 800}
    assert not long, long
