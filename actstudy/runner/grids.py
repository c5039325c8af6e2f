"""Experiment grids: every combination of some Config fields, trained in groups that share one compiled program, locally, in joblib workers or on a Dask cluster.
"""

from __future__ import annotations

import functools
import itertools
import json
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from actstudy import settings, sources
from actstudy.files import write_text_atomic

# Imported here, not inside functions: Config's activation registry already brings in Keras
# and JAX, and the training loop adds about 5 ms to importing this module (measured).
from actstudy.run import training
from actstudy.run.config import Config
from actstudy.run.grouping import MAX_GROUP, MAX_PROGRAM, groups
from actstudy.run.record import Run
from actstudy.runner import tidy
from actstudy.runner.cache import (
    CacheWarning,
    cache_dir,
    load_cached,
    store,
    without_collector,
)

__all__ = ["RunFailedWarning", "grid", "GridResult", "run_grid", "record_datasets"]


class RunFailedWarning(UserWarning):
    """One run of a grid raised; the others' results are kept."""


# -- grids ---------------------------------------------------------------------


def grid(base: Config, **axes: Sequence) -> list[Config]:
    """Every combination of the given field values, applied to ``base``.

    >>> len(grid(Config(dataset="xor", epochs=2), activation=["relu", "elu"], seed=range(3)))
    6
    """
    for name, values in axes.items():
        if name not in Config.__dataclass_fields__:
            allowed = ", ".join(Config.__dataclass_fields__)
            raise ValueError(f"grid axis {name!r} is not a Config field; allowed: {allowed}")
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise ValueError(f"grid axis {name}={values!r} is not allowed: give a list of values")
        values = axes[name] = list(values)
        if not values:
            raise ValueError(f"grid axis {name}=[] is not allowed: give at least one value")
    names = list(axes)
    return [
        base.replace(**dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*(list(axes[n]) for n in names))
    ]


@dataclass
class GridResult:
    """Tidy frames over the runs of a grid (failed runs appear only in ``failures``)."""

    runs: list = field(default_factory=list)
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([tidy.summary(r) for r in self.runs])

    @property
    def history(self) -> pd.DataFrame:
        return tidy.tagged(self.runs, tidy.history_rows)

    @property
    def gradients(self) -> pd.DataFrame:
        return tidy.tagged(self.runs, tidy.gradient_rows)

    @property
    def activations(self) -> pd.DataFrame:
        return tidy.tagged(self.runs, tidy.activation_rows)

    @property
    def step_activations(self) -> pd.DataFrame:
        """Probe statistics every ``probe_every`` steps, for runs that asked for them."""
        return tidy.tagged([r for r in self.runs if r.step_activation_stats],
                           tidy.step_activation_rows)

    @property
    def datasets(self) -> list[dict]:
        """The provenance of each distinct dataset the runs used (source, sizes, checksum)."""
        seen = {(r.dataset["name"], r.dataset["checksum"]): r.dataset for r in self.runs}
        return list(seen.values())

    @property
    def learned(self) -> pd.DataFrame:
        return tidy.tagged([r for r in self.runs if r.learned_parameters], tidy.learned_rows)


def _fit_group_safe(configs: list[Config], fit_group: Callable[[list[Config]], list[Run]]):
    """Train one group in a worker; an exception comes back as data, not a crash."""
    try:
        return fit_group(configs)
    except Exception as error:  # a user's custom activation may raise anything
        return {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}


def run_grid(configs: Sequence[Config], n_jobs: int = 1, client=None, progress: bool = True,
             fit_group: Callable[[list[Config]], list[Run]] = training.fit_group,
             max_group: int = MAX_GROUP, max_program: int | None = None) -> GridResult:
    """Results for every config: cached ones loaded, missing ones trained.

    Missing runs that differ only in seed, learning rate, initial scale or
    initializer train together as one group (chunks of at most ``max_group``
    runs), and runs that also differ in a built-in parameter-free activation
    share one program, a chunk per activation, of at most ``max_program``
    runs (see :func:`groups`); each is still stored as its own run.
    ``max_program`` defaults to :data:`MAX_PROGRAM` in this process and to
    ``max_group`` with workers (joblib or Dask), where one large program
    would leave the other workers idle: its chunks train one after another. Groups train in this
    process (``n_jobs=1``), in joblib worker processes (``n_jobs > 1`` or
    -1), or on a Dask cluster when ``client`` is given or
    ``ACTSTUDY_DASK_SCHEDULER`` names a scheduler. Either way, results come
    back here and are written to this machine's cache. A group that raises
    is reported with its configs and the others go on.

    ``fit_group(configs) -> [Run]`` trains one group; tests pass a stand-in.
    Worker processes receive it pickled; a module-level function always pickles.
    """
    # Plain text bars: in a notebook they go to stderr, which reports leave out, not
    # to a widget that a standalone HTML page could not show.
    from tqdm import tqdm

    configs = list(configs)
    if not configs:
        raise ValueError("configs=[] is not allowed: give at least one Config to run")
    keys = [c.key() for c in configs]
    results: dict[str, object] = {}
    with without_collector():
        for config, key in zip(configs, keys, strict=True):
            if key not in results:
                cached = load_cached(config, key)
                if cached is not None:
                    results[key] = cached
    missing = list({k: c for c, k in zip(configs, keys, strict=True) if k not in results}.values())
    workers = client is not None or settings.dask_scheduler() or n_jobs != 1
    if max_program is None:
        max_program = max_group if workers else MAX_PROGRAM
    batches = groups(missing, max_group, max_program)
    for name in sorted({config.dataset for config in missing}):
        sources.fetch(name)  # the one step that may download; loading reads local files
    failures, unstored = [], []
    counts = {"done": 0, "cached": len(results), "failed": 0}
    bar = tqdm(total=len(set(keys)), initial=len(results), unit="run", disable=not progress,
               desc="runs")
    bar.set_postfix(counts)
    for batch, outcome in _execute(batches, n_jobs, client, fit_group, progress):
        if isinstance(outcome, dict):
            counts["failed"] += len(batch)
            for config in batch:
                failures.append({"key": config.key(), "config": config.label, **config.to_dict(),
                                 **outcome})
            labels = ", ".join(c.label for c in batch)
            warnings.warn(f"runs {labels} failed: {outcome['error']}",
                          RunFailedWarning, stacklevel=2)
        else:
            counts["done"] += len(batch)
            for run in outcome:
                results[run.key] = run  # trained: it is in the results, stored or not
                try:
                    store(run)
                except OSError as error:  # disk full, read-only, a file where the folder is
                    unstored.append(error)
                    counts["not stored"] = len(unstored)
        bar.update(len(batch))
        bar.set_postfix(counts)
    bar.close()
    if unstored:
        error = unstored[0]
        warnings.warn(f"{len(unstored)} of {counts['done']} trained run(s) could not be stored in "
                      f"{cache_dir()} ({error.strerror or error}): they are in these results but "
                      "will train again next time; free space there or set ACTSTUDY_CACHE_DIR to "
                      "a writable folder", CacheWarning, stacklevel=2)
    ordered = list(dict.fromkeys(k for k in keys if k in results))
    result = GridResult(runs=[results[k] for k in ordered], failures=pd.DataFrame(failures))
    record_datasets(result.datasets)
    return result


def record_datasets(datasets: list[dict]) -> None:
    """Add datasets to the report's provenance, where a build asks for it (else nothing).

    A report build names a file in the kernel's environment
    (:func:`actstudy.settings.provenance_file`); every grid a notebook runs adds
    the datasets its runs used, so no notebook has to.
    """
    path = settings.provenance_file()
    if path is None:
        return
    seen = json.loads(path.read_text()) if path.exists() else []
    known = {(d.get("name"), d.get("checksum")) for d in seen}
    for item in datasets:
        if (item.get("name"), item.get("checksum")) not in known:
            known.add((item.get("name"), item.get("checksum")))
            seen.append(item)
    write_text_atomic(path, json.dumps(seen))


def _execute(batches: list[list[Config]], n_jobs: int, client,
             fit_group: Callable[[list[Config]], list[Run]], progress: bool = False):
    """Yield (group, [Run] or error dict) as groups finish."""
    if not batches:
        return
    address = settings.dask_scheduler()
    if client is None and address:
        from dask.distributed import Client

        client = Client(address)
    if client is not None:
        from dask.distributed import as_completed

        futures = {client.submit(_fit_group_safe, batch, fit_group, pure=False): i
                   for i, batch in enumerate(batches)}
        for future in as_completed(futures):
            batch = batches[futures[future]]
            try:
                outcome = future.result()
            except Exception as error:  # the worker itself died
                outcome = {"error": f"{type(error).__name__}: {error}", "traceback": ""}
            yield batch, outcome
    elif n_jobs == 1 or len(batches) == 1:
        if progress and fit_group is training.fit_group:  # a group's epochs get a bar too
            fit_group = functools.partial(training.fit_group, progress=True)
        for batch in batches:
            yield batch, _fit_group_safe(batch, fit_group)
    else:
        from joblib import Parallel, delayed

        outcomes = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_fit_group_safe)(batch, fit_group) for batch in batches
        )
        yield from zip(batches, outcomes, strict=True)
