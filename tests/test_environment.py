"""The pinned environment has one source of truth: requirements.lock."""

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import lock  # noqa: E402


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_the_lock():
    lock_text = (ROOT / "requirements.lock").read_text()
    assert (ROOT / "environment.yml").read_text() == lock.environment_yml(lock_text), (
        "environment.yml drifted from requirements.lock: run `python scripts/lock.py --yml`")
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))
    assert [p for p in pip_section if p != "-e ."] == lock.lock_pins(lock_text)


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    pinned = {_name(p) for p in lock.lock_pins((ROOT / "requirements.lock").read_text())}
    assert all("==" in p for p in lock.lock_pins((ROOT / "requirements.lock").read_text()))
    missing = {_name(r) for r in wanted} - pinned
    assert not missing, f"not in requirements.lock: {missing} (run `make lock`)"
