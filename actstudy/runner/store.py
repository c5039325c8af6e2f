"""Runs as data: the run cache, experiment grids, and local or Dask execution.

A finished run is a JSON file ``<cache>/<key>.json`` (``key`` is
:meth:`Config.key`), readable with nothing but ``json`` (non-finite numbers
are null). Notebooks ask for results with :func:`run_grid`; it trains only
what the cache lacks, in groups that share one compiled program
(:func:`actstudy.run.training.fit_group`).

>>> from actstudy.run.config import Config
>>> from actstudy.runner import grid, run_grid
>>> configs = grid(Config(dataset="moons", depth=2, width=16, epochs=5),
...                activation=["relu", "tanh"], seed=[0, 1])
>>> results = run_grid(configs)  # doctest: +SKIP
>>> results.summary.groupby("activation").test_accuracy.mean()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import orjson
import pandas as pd

from actstudy import settings
from actstudy.files import write_bytes_atomic

# Imported here, not inside functions: Config's activation registry already brings in Keras
# and JAX, and the training loop adds about 5 ms to importing this module (measured).
from actstudy.run import training
from actstudy.run.config import Config
from actstudy.run.record import Run

__all__ = ["CacheWarning", "cache_dir", "cache_path", "load_cached", "store", "run", "cached_runs",
           "clear_cache"]


_reported_corrupt: set[Path] = set()


class CacheWarning(UserWarning):
    """A cached run file could not be read and is being recomputed."""


cache_dir = settings.cache_dir


def cache_path(key: str) -> Path:
    return cache_dir() / f"{key}.json"


def load_cached(config: Config, key: str | None = None) -> Run | None:
    """The cached Run for a config, or None; a corrupt file is reported once and removed."""
    path = cache_path(key or config.key())
    if not path.exists():
        return None
    try:
        run = Run.from_json(path.read_bytes())
        if run.key != path.stem:
            raise ValueError(f"the file holds run {run.key!r}")
        return run
    except (OSError, ValueError, TypeError) as error:  # orjson.JSONDecodeError is a ValueError
        if path not in _reported_corrupt:
            _reported_corrupt.add(path)
            warnings.warn(
                f"cached run {path.name} is unreadable ({error}); recomputing it",
                CacheWarning, stacklevel=2,
            )
        path.unlink(missing_ok=True)
        return None


def store(run: Run) -> Path:
    """Write a run to the cache atomically: a temporary file, then a rename."""
    return write_bytes_atomic(cache_path(run.key), run.to_json())


def run(config: Config, progress: bool = False, fit: Callable[..., Run] = training.fit
        ) -> Run:
    """The Run for a config: from the cache, or trained by ``fit`` and stored."""
    cached = load_cached(config)
    if cached is not None:
        return cached
    result = fit(config, progress=progress)
    store(result)
    return result


def cached_runs() -> pd.DataFrame:
    """One row per cached run: key, label, size, age."""
    rows = []
    for path in sorted(cache_dir().glob("*.json")):
        stat = path.stat()
        row = {"key": path.stem, "bytes": stat.st_size,
               "modified": datetime.datetime.fromtimestamp(stat.st_mtime)}
        try:
            record = orjson.loads(path.read_bytes())
            config = record["config"]
            row.update({k: config[k] for k in ("dataset", "architecture", "depth", "width",
                                               "activation", "epochs", "seed")})
            row["diverged"] = record["diverged"]
        except (OSError, ValueError, KeyError, TypeError):
            row["dataset"] = "(unreadable)"
        rows.append(row)
    return pd.DataFrame(rows)


def clear_cache(older_than: datetime.timedelta | None = None) -> int:
    """Delete cached runs (only those last written more than ``older_than`` ago)."""
    cutoff = None if older_than is None else time.time() - older_than.total_seconds()
    removed = 0
    for path in cache_dir().glob("*.json"):
        if cutoff is None or path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
