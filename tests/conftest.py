"""Shared pytest setup: markers live in pyproject.toml; runs go to a temporary cache."""

import pytest

import actstudy  # noqa: F401  (selects Keras's JAX backend before any test imports keras)


@pytest.fixture(autouse=True)
def _isolated_run_cache(tmp_path_factory, monkeypatch):
    # Tests must never read or fill the user's data/runs cache.
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(tmp_path_factory.mktemp("runs")))
