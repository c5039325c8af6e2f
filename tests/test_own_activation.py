"""A researcher's own activation, named by import path, goes through a study into a report."""

import os

import pytest

from actstudy.report import build
from actstudy.run import activations
from actstudy.run.config import Config

MODULE = '''
import jax.numpy as jnp


def wobbly(x):
    """x + sin(x) / 2: monotonic, smooth, unbounded; nothing the registry ships."""
    return x + 0.5 * jnp.sin(x)
'''


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "useracts.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    # Notebook kernels are other processes: they find the module through PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p))
    yield tmp_path
    if "useracts:wobbly" in {s.source for s in activations.REGISTRY.values()}:
        activations.unregister(activations.spec("useracts:wobbly").name)


def test_a_config_keeps_the_import_path_and_its_key_follows_the_code(user_module):
    config = Config(dataset="sine", activation="useracts:wobbly", epochs=1)
    assert config.activation == "useracts:wobbly"  # importable again in any worker process
    assert activations.spec("useracts:wobbly").monotonic  # measured, not declared
    key = config.key()
    (user_module / "useracts.py").write_text(MODULE.replace("0.5", "0.25"))
    assert config.key() != key  # an edited activation is another run


@pytest.mark.slow
def test_an_own_activation_appears_in_the_smoke_report(user_module, tmp_path, monkeypatch):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "mine.yaml").write_text(
        "common: {seeds: 2}\n"
        "studies:\n"
        "  sine: {activations: [relu, 'useracts:wobbly'], depth: 2, width: 8, epochs: 5,"
        " n_train: 128}\n")
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(profiles))
    monkeypatch.setattr(build, "REPORTS", tmp_path / "reports")
    monkeypatch.setattr(build, "EXECUTED", tmp_path / "reports" / "executed")
    page = build.render(build.NOTEBOOKS / "02_synthetic_regression.ipynb", "mine").read_text()
    assert "useracts:wobbly" in page and "relu" in page
