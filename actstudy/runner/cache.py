"""The run store: each finished run in one compact, atomically written file, found by its key.

A run is ``<cache>/<key>.npz`` (``key`` is :meth:`Config.key`): NumPy's
``.npz``, a zip archive of ``.npy`` arrays that ``numpy.load`` opens with
nothing else installed. It holds two members:

- ``meta``: the record as UTF-8 JSON, small and readable, in which every
  numeric list (gradient norms, probe statistics, surfaces, learned
  parameters, the per-epoch history) is replaced by a reference
  ``{"$a": dtype, "at": index, "shape": [...]}`` into
- ``data``: every numeric list of the record, flat, as bytes: a float64, an
  int64 and a float32 block (their byte offsets in ``meta["blocks"]``), each
  list in the narrowest of the three that holds it exactly (a float32 from the
  device stays 4 bytes). Lists of records (one dict per epoch and layer) are
  stored column by column (``{"$records": [names], "columns": [...]}``).

Why ``.npz`` and not Parquet: the record is a handful of ragged, nested
arrays, not one table; ``.npz`` keeps each array as it is and needs no
dependency beyond NumPy, and two members keep a load to two member reads. Reading a record gives exactly what the JSON store gave: lists
of Python numbers, ``None`` where a value was not finite.

Writes are atomic (a temporary file, then a rename). A file that cannot be
read as a run is reported once and trained again; it is never deleted here.
Runs whose key the code would no longer give them (stored by other run code,
other library versions, another version of a user's activation) or in the older
JSON form are stale: they are never loaded, the first miss says how many there
are, and ``actstudy cache clear --stale`` removes them.

>>> from actstudy.run.config import Config
>>> from actstudy.runner import grid, run_grid
>>> configs = grid(Config(dataset="moons", depth=2, width=16, epochs=5),
...                activation=["relu", "tanh"], seed=[0, 1])
>>> results = run_grid(configs)  # doctest: +SKIP
>>> results.summary.groupby("activation").test_accuracy.mean()  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import io
import math
import re
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from actstudy import files, settings
from actstudy.files import write_bytes_atomic

# Imported here, not inside functions: Config's activation registry already brings in Keras
# and JAX, and the training loop adds about 5 ms to importing this module (measured).
from actstudy.run import training
from actstudy.run.config import Config
from actstudy.run.record import Run

__all__ = ["FORMAT", "SUFFIX", "CacheWarning", "cache_dir", "cache_path", "encode", "decode",
           "without_collector", "load_cached", "check_contents", "store", "run", "cached_runs",
           "stale_runs", "clear_cache"]

# The layout of a stored run; a file in another layout is not loaded.
FORMAT = 1
SUFFIX = ".npz"
# What a run's file name looks like: its key (Config.key: 20 hex digits) and a suffix. Only
# such files that also read as run records are ever listed or removed as runs.
_KEY = re.compile(r"[0-9a-f]{20}")
_TYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64}
_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError,
           zipfile.BadZipFile, zlib.error)

_reported_corrupt: set[Path] = set()
_reported_stale: set[Path] = set()


class CacheWarning(UserWarning):
    """A cached run file could not be read and is being recomputed, or stale runs were found."""


cache_dir = settings.cache_dir


def cache_path(key: str) -> Path:
    return cache_dir() / f"{key}{SUFFIX}"


# -- the format --------------------------------------------------------------------------


def _numeric(value: list) -> str | None:
    """"int64" or "float" where ``value`` is a rectangular nested list of one kind of number
    (floats may be None: not finite); None where it must stay JSON (strings, bools, mixed
    ints and floats, nothing but None), so reading it back gives the same Python types."""
    kinds = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif item is None:
            kinds.add("none")
        elif isinstance(item, bool) or not isinstance(item, int | float):
            return None
        else:
            kinds.add("int" if isinstance(item, int) else "float")
    if kinds == {"int"}:
        return "int64"
    return "float" if "float" in kinds and "int" not in kinds else None


def encode(record: dict) -> dict[str, np.ndarray]:
    """A plain record (:meth:`Run.to_dict`) as the two arrays of one ``.npz``.

    >>> arrays = encode({"key": "k", "norms": [[1.5, None], [2.0, 0.25]], "steps": [0, 1]})
    >>> decode(arrays) == {"key": "k", "norms": [[1.5, None], [2.0, 0.25]], "steps": [0, 1]}
    True
    >>> arrays["data"].nbytes  # four float32 values and two int64 ones
    32
    """
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _TYPES}
    counts = dict.fromkeys(_TYPES, 0)

    def add(array: np.ndarray, dtype: str) -> dict:
        ref = {"$a": dtype, "at": counts[dtype], "shape": list(array.shape)}
        if dtype != "int64" and not np.isfinite(array).all():
            ref["none"] = True  # some values were None (not finite)
        parts[dtype].append(array.astype(_TYPES[dtype]).ravel())
        counts[dtype] += array.size
        return ref

    def walk(value):
        if isinstance(value, dict):
            if any(str(k).startswith("$") for k in value):  # a key the layout itself uses
                return {"$dict": [[k, walk(v)] for k, v in value.items()]}
            return {k: walk(v) for k, v in value.items()}
        if not isinstance(value, list) or not value:
            return value
        if (all(isinstance(row, dict) for row in value) and value[0]
                and len({tuple(row) for row in value}) == 1):
            names = list(value[0])
            return {"$records": names, "columns": [walk([row[n] for row in value]) for n in names]}
        kind = _numeric(value)
        if kind is None:
            return [walk(v) for v in value]
        try:
            array = np.array(value, dtype=np.float64 if kind == "float" else np.int64)
        except (ValueError, OverflowError):  # ragged, or an integer beyond int64
            return [walk(v) for v in value]
        if kind == "int64":
            return add(array, "int64")
        narrow = array.astype(np.float32)
        exact = np.array_equal(narrow.astype(np.float64), array, equal_nan=True)
        return add(array, "float32" if exact else "float64")

    meta = {"format": FORMAT, "record": walk(record), "blocks": {}}
    blocks, at = [], 0
    for name in ("float64", "int64", "float32"):  # 8-byte types first: every view aligned
        block = np.concatenate(parts[name]) if parts[name] else np.zeros(0, _TYPES[name])
        meta["blocks"][name] = at
        blocks.append(block.view(np.uint8))
        at += block.nbytes
    return {"meta": np.frombuffer(orjson.dumps(meta), dtype=np.uint8),
            "data": np.concatenate(blocks)}


def decode(arrays) -> dict:
    """The plain record :func:`encode` stored: lists of numbers, None where not finite."""
    meta = orjson.loads(np.asarray(arrays["meta"]).tobytes())
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"not a run record in layout {FORMAT}")
    data = np.asarray(arrays["data"])
    blocks = meta["blocks"]

    def walk(value):
        if isinstance(value, dict):
            if "$a" in value:
                dtype, shape = value["$a"], value["shape"]
                count = math.prod(shape)
                itemsize = np.dtype(_TYPES[dtype]).itemsize
                part = np.frombuffer(data, dtype=_TYPES[dtype], count=count,
                                     offset=blocks[dtype] + value["at"] * itemsize)
                part = part.reshape(shape)
                if "none" not in value:
                    return part.tolist()
                values = part.astype(object)
                values[~np.isfinite(part)] = None
                return values.tolist()
            if "$dict" in value:
                return {k: walk(v) for k, v in value["$dict"]}
            if "$records" in value:
                names, columns = value["$records"], [walk(c) for c in value["columns"]]
                return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(meta["record"])


@contextlib.contextmanager
def without_collector():
    """Python's cyclic garbage collector paused, as while many runs are read.

    A record is many small lists, whose allocation triggers the collector again and
    again; each pass scans every list read so far, though none can form a cycle.
    Loading many runs (:func:`actstudy.runner.grids.run_grid`) pauses it: the 2,812 runs
    of a default build then load in less than half the time (measured, `make bench`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> dict:
    with without_collector(), np.load(path, allow_pickle=False) as archive:
        return decode(archive)


def _write(path: Path, record: dict) -> Path:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **encode(record))
    return write_bytes_atomic(path, buffer.getvalue())


# -- the cache ---------------------------------------------------------------------------


def load_cached(config: Config, key: str | None = None) -> Run | None:
    """The cached Run for a config, or None.

    A file under the run's name that does not read as its run record (truncated,
    another shape, another run) is named in one warning and set aside, renamed to
    ``<key>.npz.unreadable`` (never deleted), and the run is trained again.
    """
    path = cache_path(key or config.key())
    if not path.exists():
        _report_stale()
        return None
    try:
        run = Run.from_dict(check_contents(_read(path)))
        if run.key != path.stem:
            raise ValueError(f"the file holds run {run.key!r}")
        return run
    except _ERRORS as error:
        # NumPy's own message is left out: for some garbage it suggests allow_pickle, which
        # would run whatever the file holds.
        said = str(error) if isinstance(error, ValueError) and "pickle" not in str(
            error) else type(error).__name__
        aside = files.set_aside(path)
        if path not in _reported_corrupt:
            _reported_corrupt.add(path)
            where = f"set aside as {aside.name}" if aside else "left in place (it could not be renamed)"
            warnings.warn(f"cached run {path} is unreadable ({said}); {where}, training it "
                          "again", CacheWarning, stacklevel=2)
        return None


def check_contents(fields: dict) -> dict:
    """A stored record's contents as this code can use them, else a ValueError naming what is
    wrong; :meth:`Run.from_dict` checks the fields' presence and types.

    Beyond that: a count is not a bool, every epoch has its number and seconds, and the config
    is one this code accepts (a record of other shape would load and fail far from its file).
    """
    if not isinstance(fields, dict):
        raise ValueError(f"not a run record: a {type(fields).__name__}, not a mapping")
    for name in ("steps_per_epoch", "group_size", "program_activations", "diverged_epoch",
                 "best_epoch"):
        if isinstance(fields.get(name), bool):
            raise ValueError(f"not a run record: {name} is a bool, not a count")
    history, config = fields.get("history"), fields.get("config")
    if isinstance(history, list) and not all(
            isinstance(row, dict) and {"epoch", "seconds"} <= row.keys() for row in history):
        raise ValueError("not a run record: history is not a list of epochs")
    if isinstance(config, dict):
        absent = {"dataset", "architecture", "depth", "width", "activation", "seed"} - config.keys()
        if absent:
            raise ValueError(f"not a run record: its config is missing {sorted(absent)}")
        Config.from_dict(config)  # a config this code accepts, or a ValueError naming it
    return fields


def store(run: Run) -> Path:
    """Write a run to the cache atomically: a temporary file, then a rename."""
    return _write(cache_path(run.key), run.to_dict())


def run(config: Config, progress: bool = False, fit: Callable[..., Run] = training.fit
        ) -> Run:
    """The Run for a config: from the cache, or trained by ``fit`` and stored."""
    cached = load_cached(config)
    if cached is not None:
        return cached
    result = fit(config, progress=progress)
    store(result)
    return result


# -- listing and clearing ----------------------------------------------------------------


def _run_files() -> list[Path]:
    """Files named like a run, in this layout (``<key>.npz``) or the older one (``.json``)."""
    folder = cache_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (SUFFIX, ".json")
                  and _KEY.fullmatch(p.stem) and p.is_file())


def _describe(path: Path) -> dict | None:
    """What a run file holds, or None where it is not a run record at all.

    A run is stale when its config's key today is not its name: it was stored by
    other run code, other library versions or another version of a user's
    activation, so no config asks for it again. Records of the older JSON store are
    stale too.
    """
    try:
        if path.suffix == SUFFIX:  # the metadata alone: every array stays unread
            with np.load(path, allow_pickle=False) as archive:
                meta = orjson.loads(archive["meta"].tobytes())
            record = meta["record"]
            layout = meta["format"] == FORMAT
        else:  # the older store: one JSON file per run
            record = orjson.loads(path.read_bytes())
            layout = False
        config = record["config"]
        if record.get("key") != path.stem or not isinstance(config, dict):
            return None
    except _ERRORS:
        return None
    try:
        stale = not layout or Config.from_dict(config).key() != path.stem
    except (ValueError, TypeError):  # a config this code no longer accepts
        stale = True
    return {**{k: config.get(k) for k in ("dataset", "architecture", "depth", "width",
                                            "activation", "epochs", "seed")},
            "diverged": record.get("diverged"), "stale": stale}


def cached_runs() -> pd.DataFrame:
    """One row per file in the cache named like a run: key, size, age, what it trained, and
    whether it is stale; a file so named that is not a run record reads "(not a run)"."""
    rows = []
    for path in _run_files():
        stat = path.stat()
        row = {"key": path.stem, "bytes": stat.st_size,
               "modified": datetime.datetime.fromtimestamp(stat.st_mtime)}
        described = _describe(path)
        rows.append({**row, **(described or {"dataset": "(not a run)", "stale": False})})
    return pd.DataFrame(rows)


def stale_runs() -> list[Path]:
    """Run files that are never loaded again (see :func:`_describe`)."""
    return [p for p in _run_files() if (_describe(p) or {}).get("stale")]


def _report_stale() -> None:
    """Say once per cache folder, at its first miss, how many stale runs it holds."""
    folder = cache_dir()
    if folder in _reported_stale:
        return
    _reported_stale.add(folder)
    stale = stale_runs()
    if stale:
        size = sum(p.stat().st_size for p in stale) / 1e6
        warnings.warn(f"{len(stale)} run(s) in {folder} ({size:.0f} MB) were stored by other run "
                      "code or library versions, or in an older layout, and will not be used; "
                      "`actstudy cache clear --stale` removes them", CacheWarning, stacklevel=3)


def clear_cache(older_than: datetime.timedelta | None = None, stale: bool = False) -> int:
    """Delete cached runs: all, those last written more than ``older_than`` ago, or the stale.

    Only files that are run records are deleted: a file named otherwise, or one
    that does not read as a run, is left where it is.
    """
    cutoff = None if older_than is None else time.time() - older_than.total_seconds()
    removed = 0
    for path in _run_files():
        described = _describe(path)
        if described is None:
            warnings.warn(f"{path} is named like a run but is not a run record; left in place",
                          CacheWarning, stacklevel=2)
            continue
        if stale and not described["stale"]:
            continue
        if cutoff is None or path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
