import datetime
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from actstudy import runner
from actstudy.run import training
from actstudy.run.config import Config
from actstudy.runner import CacheWarning, grid, run_grid

BASE = Config(dataset="xor", depth=2, width=8, epochs=2, batch_size=50,
              dataset_options={"n_train": 200, "n_val": 100, "n_test": 100})


def test_grid_expands_every_combination():
    configs = grid(BASE, activation=["relu", "tanh", "elu"], seed=range(2), depth=[1, 2])
    assert len(configs) == 12 and len({c.key() for c in configs}) == 12
    assert {c.activation for c in configs} == {"relu", "tanh", "elu"}


def test_grid_rejects_unknown_axis_and_scalar():
    with pytest.raises(ValueError, match="colour"):
        grid(BASE, colour=["red"])
    with pytest.raises(ValueError, match="activation"):
        grid(BASE, activation="relu")


def _no_training(*args, **kwargs):
    pytest.fail("retrained a cached run")


@pytest.mark.slow
def test_cache_hit_skips_training():
    first = runner.run(BASE)
    assert runner.cache_path(first.key).exists()
    again = runner.run(BASE, fit=_no_training)
    assert again.history == json.loads(json.dumps(first.to_dict()))["history"]


@pytest.mark.slow
def test_a_run_in_the_older_json_store_is_stale_reported_once_and_cleared():
    record = training.fit(BASE).to_dict()
    old = runner.cache_dir() / f"{BASE.key()}.json"  # as the JSON store wrote it
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text(json.dumps(record))
    with pytest.warns(CacheWarning, match=r"1 run\(s\) .* cache clear --stale"):
        again = runner.run(BASE)  # never loaded: trained again, stored in the new layout
    assert again.history[0]["val_loss"] == record["history"][0]["val_loss"]
    assert runner.cache_path(BASE.key()).exists() and old.exists()
    assert sorted(runner.cached_runs()["stale"]) == [False, True]
    assert runner.clear_cache(stale=True) == 1
    assert not old.exists() and runner.cache_path(BASE.key()).exists()


@pytest.mark.slow
def test_cache_write_is_atomic(monkeypatch):
    run = training.fit(BASE)

    def half_then_fail(self, content, *args, **kwargs):
        with open(self, "wb") as handle:
            handle.write(content[: len(content) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", half_then_fail)
    with pytest.raises(OSError):
        runner.store(run)
    assert list(runner.cache_dir().iterdir()) == []  # no partial file, no temporary left


@pytest.mark.slow
@pytest.mark.parametrize("content", [
    b'{"key": "trunc', b"", b'{"some": "json"}', b"PK\x03\x04 a truncated zip",
    "json: [1, 2, 3]", 'json: "a string"', 'json: {"format": 1, "record": [1, 2]}',
    'json: {"format": 1, "record": {"key": "x", "history": null}}',
])
def test_corrupt_file_is_reported_once_and_recomputed(content):
    path = runner.cache_path(BASE.key())
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):  # a well-formed .npz whose record has the wrong shape
        meta = np.frombuffer(content.removeprefix("json: ").encode(), dtype=np.uint8)
        empty = {"data": np.zeros(0, dtype=np.uint8)}
        with path.open("wb") as handle:
            np.savez(handle, meta=meta, **empty)
    else:
        path.write_bytes(content)
    written = path.read_bytes()
    with pytest.warns(CacheWarning, match=f"{path.name} is unreadable.*set aside"):
        run = runner.run(BASE)
    assert run.key == BASE.key()
    assert runner.load_cached(BASE).key == BASE.key()
    assert path.with_name(path.name + ".unreadable").read_bytes() == written  # kept, not lost
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runner.run(BASE)  # now a clean hit: no second report


@pytest.mark.slow
def test_run_grid_frames_and_cache_counts():
    configs = grid(BASE, activation=["relu", "tanh"], seed=[0, 1])
    results = run_grid(configs, progress=False)
    assert len(results.runs) == 4 and results.failures.empty
    summary = results.summary
    assert set(summary["activation"]) == {"relu", "tanh"} and len(summary) == 4
    assert {"epoch", "train_loss", "val_accuracy", "activation", "seed"} <= set(results.history)
    assert {"step", "layer", "gradient_norm"} <= set(results.gradients)
    assert {"dead_fraction", "saturated_fraction", "layer"} <= set(results.activations)
    assert len(list(runner.cache_dir().glob("*.npz"))) == 4


@pytest.mark.slow
def test_one_failing_group_keeps_the_others():
    def flaky(configs):
        if configs[0].activation == "tanh":
            raise RuntimeError("custom activation exploded")
        return training.fit_group(configs)

    configs = grid(BASE, activation=["relu", "tanh"], seed=[0, 1])
    # Programs of at most two runs: relu and tanh, which would share one, train apart.
    with pytest.warns(runner.RunFailedWarning, match="tanh"):
        results = run_grid(configs, progress=False, fit_group=flaky, max_program=2)
    assert [r.config["activation"] for r in results.runs] == ["relu", "relu"]
    assert len(results.failures) == 2
    failure = results.failures.iloc[0]
    assert failure["activation"] == "tanh" and "custom activation exploded" in failure["error"]


@pytest.mark.slow
def test_run_grid_with_joblib_processes():
    configs = grid(BASE, activation=["relu", "sigmoid"])
    results = run_grid(configs, n_jobs=2, progress=False)
    assert len(results.runs) == 2
    serial = training.fit(configs[0])
    parallel = next(r for r in results.runs if r.key == configs[0].key())
    assert parallel.history[-1]["val_loss"] == pytest.approx(serial.history[-1]["val_loss"])


@pytest.mark.slow
def test_run_grid_on_dask_local_cluster():
    distributed = pytest.importorskip("dask.distributed")
    configs = grid(BASE, activation=["relu", "elu"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            results = run_grid(configs, client=client, progress=False)
    assert len(results.runs) == 2
    # Results come back into this machine's cache.
    assert all(runner.cache_path(c.key()).exists() for c in configs)


@pytest.mark.slow
def test_cache_ls_and_clear_older_than():
    run = runner.run(BASE)
    listing = runner.cached_runs()
    assert list(listing["key"]) == [run.key]
    old = time.time() - 3 * 86400
    os.utime(runner.cache_path(run.key), (old, old))
    runner.run(BASE.replace(seed=5))
    assert runner.clear_cache(datetime.timedelta(days=1)) == 1
    assert len(runner.cached_runs()) == 1
    assert runner.clear_cache() == 1


@pytest.mark.slow
def test_clear_and_ls_touch_only_run_records(tmp_path, monkeypatch):
    # A mis-set ACTSTUDY_CACHE_DIR (a home folder, a project) must lose nothing of the user's.
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(tmp_path))
    keep = {"package.json": b'{"name": "x"}', "settings.json": b"{}", "notes.npz": b"PK",
            "0123456789abcdef0123.json": b'{"key": "not this one"}',
            "0123456789abcdef0124.npz": b"not a zip"}
    for name, content in keep.items():
        (tmp_path / name).write_bytes(content)
    run = runner.run(BASE)
    listing = runner.cached_runs().set_index("key")["dataset"]
    assert listing.to_dict() == {run.key: BASE.dataset, "0123456789abcdef0123": "(not a run)",
                                 "0123456789abcdef0124": "(not a run)"}
    with pytest.warns(CacheWarning, match="0123456789abcdef0124.npz is named like a run but"):
        assert runner.clear_cache() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)


def test_empty_grids_are_refused():
    with pytest.raises(ValueError, match="grid axis seed=\\[\\] is not allowed"):
        grid(Config(dataset="xor", epochs=1), seed=[])
    with pytest.raises(ValueError, match="configs=\\[\\] is not allowed"):
        run_grid([])


@pytest.mark.slow
def test_a_full_disk_keeps_every_trained_run_and_says_so_in_one_line(monkeypatch):
    from actstudy.runner import grids

    stored = []

    def fills_up(run):
        if len(stored) == 2:
            raise OSError(28, "No space left on device")
        stored.append(run.key)
        return runner.cache_path(run.key)

    monkeypatch.setattr(grids, "store", fills_up)
    configs = grid(BASE, seed=range(5))
    with pytest.warns(CacheWarning) as caught:
        results = run_grid(configs, progress=False)
    assert len(results.runs) == 5 and results.failures.empty  # trained and kept, all five
    message = str(caught[-1].message)
    assert "3 of 5 trained run(s) could not be stored in" in message
    assert "No space left on device" in message and "ACTSTUDY_CACHE_DIR" in message
    assert "\n" not in message


@pytest.mark.slow
def test_a_file_where_the_cache_folder_should_be_is_named(tmp_path, monkeypatch):
    blocker = tmp_path / "runs"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(blocker))
    with pytest.warns(CacheWarning, match=f"could not be stored in {blocker}"):
        results = run_grid(grid(BASE, seed=range(2)), progress=False)
    assert len(results.runs) == 2 and blocker.read_text() == "a file, not a folder"
