"""Where actstudy keeps things, and the ``ACTSTUDY_*`` environment settings, read in one place.

- ``ACTSTUDY_CACHE_DIR``: the run cache (default ``data/runs``);
- ``ACTSTUDY_JAX_CACHE_DIR``: compiled XLA programs (default ``data/jax-cache``);
- ``ACTSTUDY_MNIST``, ``ACTSTUDY_FASHION_MNIST``: a dataset file or IDX folder
  (read by :mod:`actstudy.run.data`'s sources table);
- ``ACTSTUDY_PROFILES_DIR``: where profiles are read (default ``notebooks/params``);
- ``ACTSTUDY_TIMING_DIR``: where each build's activation timings are stored (default
  ``reports``; see :mod:`actstudy.runner.timing`);
- ``ACTSTUDY_DASK_SCHEDULER``: send missing runs to this Dask scheduler;
- ``ACTSTUDY_PROVENANCE_FILE``: set by a report build in its kernel: where the runner
  records the datasets the report's runs used (:func:`actstudy.runner.grids.run_grid`);
- ``ACTSTUDY_TEMPORARY_TAG``: set by a report build in its kernel: a name its temporary
  files carry, so an interrupted build removes those and no one else's.

Settings are read when asked for, not at import, so a test or a notebook can
change them with the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"


def cache_dir() -> Path:
    """``ACTSTUDY_CACHE_DIR`` if set, else ``data/runs``."""
    return Path(os.environ.get("ACTSTUDY_CACHE_DIR") or DATA_DIR / "runs")


def jax_cache_dir() -> Path:
    """``ACTSTUDY_JAX_CACHE_DIR`` if set, else ``data/jax-cache``."""
    return Path(os.environ.get("ACTSTUDY_JAX_CACHE_DIR") or DATA_DIR / "jax-cache")


def dask_scheduler() -> str | None:
    """``ACTSTUDY_DASK_SCHEDULER``: the address of a Dask scheduler, or None."""
    return os.environ.get("ACTSTUDY_DASK_SCHEDULER") or None


def profiles_dir() -> Path:
    """``ACTSTUDY_PROFILES_DIR`` if set, else ``notebooks/params``."""
    return Path(os.environ.get("ACTSTUDY_PROFILES_DIR") or ROOT / "notebooks" / "params")


def timing_dir() -> Path:
    """``ACTSTUDY_TIMING_DIR`` if set, else ``reports``: where a build's timings are stored."""
    return Path(os.environ.get("ACTSTUDY_TIMING_DIR") or ROOT / "reports")


# Set by a report build (actstudy.report.build.render) for its kernel.
PROVENANCE_ENV = "ACTSTUDY_PROVENANCE_FILE"
TEMPORARY_TAG_ENV = "ACTSTUDY_TEMPORARY_TAG"


def temporary_tag() -> str:
    """``ACTSTUDY_TEMPORARY_TAG``: a report build's name for the temporary files its kernel
    writes (:func:`actstudy.files.write_atomic`), so an interrupted build removes its own."""
    return os.environ.get(TEMPORARY_TAG_ENV, "")


def provenance_file() -> Path | None:
    """``ACTSTUDY_PROVENANCE_FILE``: where a build collects its report's datasets, or None."""
    value = os.environ.get(PROVENANCE_ENV)
    return Path(value) if value else None
