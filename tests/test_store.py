"""The run store: compact, lossless against the plain record, atomic."""

import json
import math

import numpy as np
import pytest

from actstudy import runner
from actstudy.run.config import Config
from actstudy.run.record import Run
from actstudy.run.training import fit
from actstudy.runner import cache as store


def test_round_trip_keeps_types_and_non_finite_values():
    record = {
        "key": "k", "flags": [True, False], "names": ["a", "b"], "empty": [], "nothing": None,
        "ints": [[1, 2], [3, 4]], "mixed": [1, 2.5], "ragged": [[1.0], [2.0, 3.0]],
        "wide": [0.1, 1e300], "narrow": [0.5, None, 2.0],
        "rows": [{"epoch": 1, "loss": 0.25, "q": [0.0, 1.0]},
                 {"epoch": 2, "loss": None, "q": [0.5, 1.5]}],
        "nested": {"p": [[0.125, 0.25]], "kind": "boundary"},
    }
    arrays = store.encode(record)
    again = store.decode(arrays)
    assert again == record
    assert [type(v) for v in again["mixed"]] == [int, float]  # mixed stays JSON, types kept
    assert again["narrow"][1] is None and again["rows"][1]["loss"] is None
    # float32-exact values take 4 bytes, the rest 8, integers 8
    meta = json.loads(arrays["meta"].tobytes())
    assert meta["record"]["wide"]["$a"] == "float64" and meta["record"]["ints"]["$a"] == "int64"
    # float32: narrow 3, loss 2, q 4, p 2, the ragged rows' 1 + 2; float64: wide 2;
    # int64: ints 4, epoch 2
    assert arrays["data"].nbytes == 2 * 8 + 6 * 8 + 14 * 4


@pytest.mark.parametrize("value", [
    [{}, {}], [2**63, 1], {"$a": 1, "x": [1.5]}, [{"a": 1}, {"b": 2}], [[], []], [True, 1],
    [float("inf")], {"$records": ["a"]},
])
def test_shapes_the_layout_does_not_expect_come_back_as_they_were(value):
    expected = json.loads(json.dumps({"v": value}).replace("Infinity", "null"))
    assert store.decode(store.encode(expected)) == expected


def test_a_float_that_float32_cannot_hold_is_kept_exactly():
    values = [0.1, 1 / 3, math.pi]
    assert store.decode(store.encode({"v": values}))["v"] == values


@pytest.mark.slow
def test_a_stored_run_reads_back_as_its_plain_record():
    run = fit(Config(dataset="moons", depth=3, width=16, epochs=3, probe_every=5))
    runner.store(run)
    loaded = runner.load_cached(Config.from_dict(run.config))
    assert loaded.to_dict() == run.to_dict()
    assert json.dumps(loaded.to_dict()) == json.dumps(run.to_dict())
    assert Run.from_dict(json.loads(json.dumps(run.to_dict()))) == loaded


@pytest.mark.slow
def test_the_stored_file_is_an_npz_any_numpy_reads():
    run = fit(Config(dataset="sine", depth=2, width=8, epochs=2))
    path = runner.store(run)
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == {"meta", "data"}
        meta = json.loads(archive["meta"].tobytes())
    assert meta["record"]["key"] == run.key and meta["record"]["config"]["dataset"] == "sine"
    assert meta["record"]["surface"]["prediction"]["$a"] == "float32"


@pytest.mark.slow
@pytest.mark.mnist
def test_a_run_of_the_readme_command_stores_in_at_most_20000_bytes():
    # actstudy run --dataset mnist --activation relu,tanh --seeds 2 --epochs 3 --depth 4
    #   --width 64 --n-train 10000 stored about 67,000 bytes a run as JSON.
    run = fit(Config(dataset="mnist", activation="tanh", depth=4, width=64, epochs=3,
                     dataset_options={"n_train": 10000}))
    path = runner.store(run)
    assert path.stat().st_size <= 20000, path.stat().st_size


@pytest.mark.slow
def test_a_failed_write_leaves_the_cache_as_it_was(monkeypatch):
    run = fit(Config(dataset="xor", depth=1, width=4, epochs=1))
    before = runner.store(run).read_bytes()

    def half_then_fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", lambda buffer, **arrays: (
        buffer.write(b"PK\x03\x04 half"), half_then_fail()))
    with pytest.raises(OSError):
        runner.store(run)
    assert runner.cache_path(run.key).read_bytes() == before
    assert [p.name for p in runner.cache_dir().iterdir()] == [runner.cache_path(run.key).name]




def test_a_bit_flipped_record_is_set_aside_without_clobbering(tmp_path, monkeypatch):
    from actstudy.run.config import Config

    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(tmp_path))
    key = "0" * 20
    path = tmp_path / f"{key}.npz"
    with path.open("wb") as handle:
        np.savez_compressed(handle, **store.encode({"key": key, "v": list(np.linspace(0, 1, 999))}))
    data = bytearray(path.read_bytes())
    data[300:500] = bytes(200)  # inside the compressed data: zlib's error, not a zip's
    path.write_bytes(bytes(data))
    (tmp_path / f"{key}.npz.unreadable").write_text("the user's own")
    with pytest.warns(store.CacheWarning, match="unreadable.*set aside as .*unreadable-2"):
        assert runner.load_cached(Config(dataset="xor"), key) is None
    assert (tmp_path / f"{key}.npz.unreadable").read_text() == "the user's own"
    assert (tmp_path / f"{key}.npz.unreadable-2").read_bytes() == bytes(data)
    assert runner.cached_runs().empty  # nothing named like a run is left; nothing crashed


def test_set_aside_renames_only_plain_files(tmp_path):
    from actstudy.files import set_aside

    folder = tmp_path / "key.npz"
    folder.mkdir()
    assert set_aside(folder) is None and folder.is_dir()
    assert set_aside(tmp_path / "absent.npz") is None


@pytest.mark.parametrize("change, named", [
    ({"config": {}}, "config|dataset|missing"), ({"history": [{}]}, "history"),
    ({"steps_per_epoch": True}, "steps_per_epoch"), ({"diverged": 0}, "diverged"),
])
def test_a_record_with_the_right_keys_but_wrong_contents_is_refused(change, named):
    from actstudy.run.config import Config

    record = {"key": "k", "config": Config(dataset="xor").to_dict(), "task": "classification",
              "layers": [], "blocks": [], "history": [{"epoch": 1, "seconds": 0.1}],
              "initial": {}, "test": {}, "gradient_steps": [], "gradient_norms": [],
              "activation_stats": [], "learned_parameters": [], "diverged": False,
              "diverged_epoch": None, "compile_seconds": 0.0, "train_seconds": 0.0,
              "steps_per_epoch": 1, "dataset": {}, "versions": {}, "created": ""}
    Run.from_dict(store.check_contents(record))  # the plain record is one
    with pytest.raises((ValueError, TypeError), match=named):
        Run.from_dict(store.check_contents({**record, **change}))


def test_tagging_a_grid_at_once_gives_what_tagging_each_run_gave():
    # The per-run tagging tidy.tagged replaced: the key first, then each tag put on the frame
    # (overwriting an own column of the same name), then the label; the frames concatenated.
    from types import SimpleNamespace

    import pandas as pd

    from actstudy.runner import tidy

    def one_at_a_time(run):
        frame = run.frame.copy()
        frame.insert(0, "key", run.key)
        for name, value in tidy.tags(run).items():
            frame[name] = value
        frame["activation_label"] = tidy.label(run)
        return frame

    def made_up(key, initializer, activation, own):
        config = {"dataset": "moons", "architecture": "mlp", "depth": 2, "width": 8,
                  "activation": activation, "initializer": initializer, "seed": 1}
        return SimpleNamespace(key=key, config=config,
                               frame=pd.DataFrame({"epoch": [1, 2], **own}))

    # a tag None in one run and a string in another; a later run with an own column more, and
    # one that shares a tag's name
    runs = [made_up("a", None, "relu", {}),
            made_up("b", "he_normal", "tanh", {"extra": [0.5, 0.6], "depth": [9, 9]}),
            made_up("c", "glorot_uniform", "prelu", {"extra": [0.1, 0.2]})]
    expected = pd.concat([one_at_a_time(run) for run in runs], ignore_index=True)
    pd.testing.assert_frame_equal(tidy.tagged(runs, lambda run: run.frame), expected)
    assert tidy.tagged([], lambda run: run.frame).empty
