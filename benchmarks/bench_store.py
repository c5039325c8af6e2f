"""The run store against the JSON store it replaced, on the same runs, side by side: `make bench`.

Takes the runs in the run cache (``data/runs``, or ``--cache``; ``make report`` fills
it), writes each record also as the JSON file the older store wrote (orjson, one file
a run, non-finite numbers as null), and reports:

- bytes: the whole cache and the median run, in both forms;
- loading every run as a notebook does (``run_grid`` over cached runs: file to
  :class:`~actstudy.run.record.Run`), the JSON store's way (``orjson.loads``, then
  ``Run.from_dict``, the collector running as it did) against the run store's
  (:func:`actstudy.runner.cache.load_cached`'s reading, the collector paused as
  ``run_grid`` pauses it), alternating over rounds after one untimed pass each;
  the ratio is taken within each round, mean [95% CI] over rounds;
- that both give the same records.

With fewer than ``--minimum`` runs cached, it first trains a small mixed set into a
temporary cache (sine curves, moons boundaries, MNIST gradient records).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import orjson

from actstudy import settings
from actstudy.run.record import Run
from actstudy.stats import mean_ci


def _small_set(folder: Path) -> None:
    """A mixed set of runs, for a machine whose cache is empty."""
    os.environ["ACTSTUDY_CACHE_DIR"] = str(folder)
    from actstudy.run.config import Config
    from actstudy.runner import grid, run_grid

    configs = (grid(Config(dataset="sine", depth=3, width=32, epochs=20, batch_size=32,
                           dataset_options={"n_train": 512}),
                    activation=["relu", "tanh", "gelu"], seed=range(5))
               + grid(Config(dataset="moons", depth=3, width=32, epochs=10),
                      activation=["relu", "tanh"], seed=range(5))
               + grid(Config(dataset="mnist", depth=4, width=64, epochs=3,
                             dataset_options={"n_train": 10000}),
                      activation=["relu", "tanh"], seed=range(5)))
    run_grid(configs, progress=False)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="a run cache (data/runs)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--minimum", type=int, default=50,
                        help="fewer cached runs than this: train a small set first")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="actstudy-bench-store-"))
    folder = args.cache or settings.cache_dir()
    from actstudy.runner import cache

    runs = [p for p in sorted(Path(folder).glob(f"*{cache.SUFFIX}")) if p.stem.isalnum()]
    if len(runs) < args.minimum:
        print(f"{len(runs)} runs in {folder}: training a small set into {scratch / 'runs'}")
        _small_set(scratch / "runs")
        folder = scratch / "runs"
        runs = sorted(folder.glob(f"*{cache.SUFFIX}"))
    as_json = scratch / "json"
    as_json.mkdir()
    records = []
    for path in runs:
        record = cache._read(path)
        records.append(record)
        (as_json / f"{path.stem}.json").write_bytes(orjson.dumps(record))
    jsons = [as_json / f"{p.stem}.json" for p in runs]

    def load_json():
        return [Run.from_dict(orjson.loads(p.read_bytes())) for p in jsons]

    def load_store():
        with cache.without_collector():
            return [Run.from_dict(cache._read(p)) for p in runs]

    assert load_json() == load_store(), "the two stores give different records"
    times = {"json": [], "store": []}
    for round_ in range(args.rounds):
        order = ("json", "store") if round_ % 2 == 0 else ("store", "json")
        for name in order:
            started = time.perf_counter()
            (load_json if name == "json" else load_store)()
            times[name].append(time.perf_counter() - started)
    ratios = [s / j for s, j in zip(times["store"], times["json"], strict=True)]
    ratio = mean_ci(ratios)
    sizes = {"json": [p.stat().st_size for p in jsons], "store": [p.stat().st_size for p in runs]}
    print(f"run store: {len(runs)} runs from {folder}, {args.rounds} rounds")
    print("| store | bytes, all runs | median bytes a run | seconds to load all (median) |")
    print("|---|---|---|---|")
    for name, label in (("json", "JSON (the older store)"), ("store", ".npz (the run store)")):
        print(f"| {label} | {sum(sizes[name]) / 1e6:.1f} MB | "
              f"{statistics.median(sizes[name]):,.0f} | {statistics.median(times[name]):.2f} |")
    print(f"loading time, run store / JSON: {ratio.mean:.2f} [{ratio.low:.2f}, {ratio.high:.2f}]x;"
          f" bytes: {sum(sizes['store']) / sum(sizes['json']):.3f}x")


if __name__ == "__main__":
    main()
