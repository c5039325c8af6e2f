"""The compute cost of each activation, measured once per build and stored with it.

Two measurements, each relative to ReLU timed in the same round:

- **element-wise** (:func:`activation_cost`): each activation compiled with
  ``jax.jit`` alone, forward and forward+backward (the gradient of the sum),
  on one float32 vector; seconds per million elements;
- **in a training epoch** (:func:`epoch_cost`): one epoch of an MLP on MNIST
  with recording off (the training loop's own compiled epoch,
  :func:`actstudy.run.training.epoch_trainer`), where the activation shares the
  time with the matrix products; seconds per epoch.

Both run in rounds with the activations interleaved, so a busy moment on the
machine hits them all alike, and each ratio to ReLU is taken within its round.

Timings move with the machine's load, so the reports never time anything:
``make report`` measures once per build (``actstudy timing --profile P``,
before the notebooks) into ``reports/timing-<profile>.json``, and
:func:`actstudy.studies.build_costs` reads that file. Where it is missing (a notebook run in
JupyterLab) or was measured with other parameters than the profile's
``activation_cost`` section now asks for, :func:`actstudy.studies.build_costs` measures once,
says so, and stores the result, so the next render reads the same numbers.

>>> from actstudy.runner import timing
>>> frame = timing.activation_cost(["relu", "tanh"], n_elements=10_000, repeats=2)
>>> sorted(frame["pass"].unique())
['forward', 'forward+backward']
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

import actstudy
from actstudy import settings, sources, stats
from actstudy.files import write_text_atomic
from actstudy.run import activations
from actstudy.run.config import Config
from actstudy.run.training import epoch_trainer

# Each timing is the best of this many back-to-back calls: one call on a
# million elements takes well under a millisecond, below the timer's noise.
CALLS_PER_TIMING = 10
# Each epoch timing is the best of this many consecutive epochs: a 2x128 MLP's epoch on 10000
# samples takes under 0.1 s, and on a shared machine single epochs vary by a factor of two
# (measured: 0.06 to 0.2 s within one run), mostly upwards, when another process takes a core.
EPOCHS_PER_TIMING = 3
# How the measurements are named in the summary, its table and its figure.
MEASUREMENTS = ("element-wise forward", "element-wise forward+backward", "training epoch")
# Bumped when the stored file's layout changes: an older file is then measured again.
FORMAT = 2


def _positive_integer(name: str, value, allowed: str = "an integer >= 1") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} is not allowed: give {allowed}")


def _with_relu(names) -> list[str]:
    if isinstance(names, str) or not names:
        raise ValueError(f"names={names!r} is not allowed: give a non-empty list of activation "
                         "names")
    names = [activations.spec(name).source or activations.spec(name).name for name in names]
    # ReLU is the reference every cost is divided by; a name given twice is timed once.
    return list(dict.fromkeys(["relu", *names] if "relu" not in names else names))


def _relative_to_relu(frame: pd.DataFrame, value: str, within: list[str]) -> np.ndarray:
    """``value`` over ReLU's ``value`` in the same ``within`` group (the same round)."""
    reference = frame.loc[frame["activation"] == "relu", [*within, value]]
    matched = frame[within].merge(reference.rename(columns={value: "relu"}), on=within,
                                  how="left")
    return frame[value].to_numpy(float) / matched["relu"].to_numpy(float)


def _timed(fn, x) -> float:
    jax.block_until_ready(fn(x))  # compile and warm up
    best = np.inf
    for _ in range(CALLS_PER_TIMING):
        started = time.perf_counter()
        jax.block_until_ready(fn(x))
        best = min(best, time.perf_counter() - started)
    return best


def activation_cost(names=None, n_elements: int = 1_000_000, repeats: int = 20,
                    seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """One row per (activation, pass, repeat): seconds per million elements, and vs ReLU.

    Parameters
    ----------
    names : list of str, optional
        Activations to time (default: every hidden-layer activation); ReLU is
        always added, as the reference.
    n_elements : int
        Length of the float32 vector (standard normal times 3) each pass runs on.
    repeats : int
        Rounds; each times every (activation, pass) once, as the best of
        :data:`CALLS_PER_TIMING` calls.
    seed : int
        Seed of the input vector.
    progress : bool
        A progress bar over rounds on stderr.

    Returns
    -------
    pandas.DataFrame
        Columns ``activation``, ``pass`` ("forward" or "forward+backward"),
        ``repeat``, ``us_per_million`` (microseconds per million elements) and
        ``relative_to_relu`` (over ReLU's time in the same pass and round).
    """
    _positive_integer("n_elements", n_elements)
    _positive_integer("repeats", repeats)
    names = _with_relu(activations.names() if names is None else names)
    x = jax.random.normal(jax.random.PRNGKey(seed), (n_elements,), dtype=jnp.float32) * 3
    passes = {}
    for name in names:
        f = activations.function(name)
        passes[(name, "forward")] = jax.jit(f)
        passes[(name, "forward+backward")] = jax.jit(jax.grad(lambda v, f=f: jnp.sum(f(v))))
    rows = []
    for repeat in _rounds(repeats, "element-wise", progress):
        for (name, kind), fn in passes.items():
            seconds = _timed(fn, x)
            rows.append({"activation": name, "pass": kind, "repeat": repeat,
                         "us_per_million": seconds / n_elements * 1e12})
    frame = pd.DataFrame(rows)
    frame["relative_to_relu"] = _relative_to_relu(frame, "us_per_million", ["pass", "repeat"])
    return frame


def operation_counts(names, n_elements: int = 1 << 16) -> pd.DataFrame:
    """Per activation: floating-point and transcendental operations per element of its forward
    and of its forward+backward pass (the gradient of the sum), from XLA's cost analysis of the
    compiled program (``jax.jit(...).lower(x).compile().cost_analysis()``). Deterministic: a
    machine's load moves timings, not these counts; nor do they weigh a transcendental (an
    exp, a tanh) against a multiply-add, which the timings do.

    >>> counts = operation_counts(["relu", "sigmoid"]).set_index("activation")
    >>> float(counts.loc["relu", "transcendentals_forward_backward"])
    0.0
    >>> bool(counts.loc["sigmoid", "operations_forward_backward"]
    ...      > counts.loc["relu", "operations_forward_backward"])
    True
    """
    _positive_integer("n_elements", n_elements)
    x = jnp.zeros((n_elements,), dtype=jnp.float32)
    rows = []
    for name in _with_relu(names):
        f = activations.function(name)
        row = {"activation": name}
        for label, fn in (("forward", f),
                          ("forward_backward", jax.grad(lambda v, f=f: jnp.sum(f(v))))):
            cost = jax.jit(fn).lower(x).compile().cost_analysis()
            cost = (cost[0] if isinstance(cost, list) else cost) or {}
            flops = float(cost.get("flops", 0.0)) / n_elements
            transcendentals = float(cost.get("transcendentals", 0.0)) / n_elements
            row |= {f"flops_{label}": flops, f"transcendentals_{label}": transcendentals,
                    f"operations_{label}": flops + transcendentals}
        rows.append(row)
    return pd.DataFrame(rows)


def epoch_cost(names, *, dataset: str = "mnist", depth: int = 2,
               width: int = 128, batch_size: int = 128, n_train: int | None = 10000,
               repeats: int = 10, seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """One row per (activation, repeat): seconds of one training epoch of an MLP, and vs ReLU.

    Each activation's epoch is the training loop's own compiled program for
    ``Config(dataset, depth, width, activation, batch_size, n_train)``, with
    recording off (no gradient norms, no probes): the mini-batch steps and
    the validation pass (:func:`actstudy.run.training.epoch_trainer`). Every
    program is compiled and trains one untimed epoch before any timing; then
    round ``r`` times every activation once (the best of
    :data:`EPOCHS_PER_TIMING` consecutive epochs), in the order rotated by ``r``, so
    the activations take the first place in turn and a machine that speeds
    up or slows down within a round favours none of them.

    Parameters
    ----------
    names : list of str
        Activations to time; ReLU is always added, as the reference.
    dataset, depth, width, batch_size : str, int, int, int
        The MLP and its data, as the :class:`~actstudy.run.config.Config` fields.
    n_train : int or None
        Training samples per epoch (None: the whole training split).
    repeats : int
        Rounds.
    seed : int
        The runs' seed (initial weights, batch order).
    progress : bool
        A progress bar over rounds on stderr.

    Returns
    -------
    pandas.DataFrame
        Columns ``activation``, ``repeat``, ``seconds`` (one epoch, the best of the round's) and
        ``relative_to_relu`` (over ReLU's epoch in the same round).

    Examples
    --------
    >>> frame = epoch_cost(["tanh"], dataset="moons", depth=1, width=8, batch_size=32,
    ...                    n_train=None, repeats=2)
    >>> frame.groupby("activation").size().to_dict()
    {'relu': 2, 'tanh': 2}
    """
    _positive_integer("repeats", repeats)
    if n_train is not None:
        _positive_integer("n_train", n_train, "an integer >= 1, or None for the whole split")
    names = _with_relu(names)
    base = Config(dataset=dataset, depth=depth, width=width, batch_size=batch_size, seed=seed,
                  dataset_options={"n_train": n_train} if n_train else {})
    configs = {name: base.replace(activation=name) for name in names}
    # On a fresh machine the timing step is the first to need the data: fetch it (the one step
    # that may download) before loading.
    if dataset in sources.IMAGE_SETS:
        sources.fetch(dataset)
    base.load_dataset()  # checks batch_size against the training set before anything compiles
    trainers = {name: epoch_trainer(config) for name, config in configs.items()}
    for train_epoch in trainers.values():
        train_epoch()  # warm-up: the first call of a program pays for more than its epoch
    rows = []
    for repeat in _rounds(repeats, "training epochs", progress):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            rows.append({"activation": name, "repeat": repeat,
                         "seconds": _best_epoch(trainers[name])})
    frame = pd.DataFrame(rows).sort_values(["repeat", "activation"], ignore_index=True)
    frame["relative_to_relu"] = _relative_to_relu(frame, "seconds", ["repeat"])
    return frame


def _best_epoch(train_epoch) -> float:
    best = np.inf
    for _ in range(EPOCHS_PER_TIMING):
        started = time.perf_counter()
        train_epoch()
        best = min(best, time.perf_counter() - started)
    return best


def _rounds(repeats: int, label: str, progress: bool, unit: str = "round"):
    if not progress:
        return range(repeats)
    from tqdm import tqdm

    return tqdm(range(repeats), desc=f"timing {label}", unit=unit, leave=False)


# -- measured once per build ------------------------------------------------------------------


def log_ratios(frame: pd.DataFrame) -> pd.Series:
    """One activation's log10 ratio to ReLU, one value per fresh process: the median over that
    process's rounds. Rounds within one process share its state (its compiled programs, where
    its memory lies, the machine's load at the time) and vary less than processes do, so a
    process, not a round, is the replicate. Processes run one after another in one build's
    minute or two, so the interval over them does not hold what varies from build to build;
    the claims take that spread from earlier builds (:mod:`actstudy.runner.timing_builds`).
    The median, because
    a round in which the machine stalled one activation's timing (measured: ReLU's epoch
    0.097 s against its usual 0.053 s) moves every ratio of that round by a factor of two; of
    five rounds, two such go unnoticed. Frames without a ``process`` column (one process) give
    one value per round.

    >>> frame = pd.DataFrame({"process": [0, 0, 0, 1, 1, 1], "repeat": [0, 1, 2] * 2,
    ...                       "relative_to_relu": [10.0, 10.0, 0.5, 100.0, 100.0, 100.0]})
    >>> log_ratios(frame).tolist()
    [1.0, 2.0]
    """
    logs = np.log10(frame["relative_to_relu"].astype(float))
    if "process" not in frame:
        return logs.reset_index(drop=True)
    return logs.groupby(frame["process"].to_numpy()).median()


def process_log_ratios(cost: pd.DataFrame, slow: str, fast: str = "relu") -> pd.Series:
    """log10(cost of ``slow`` / cost of ``fast``) in a timing frame (:func:`epoch_cost`'s, or
    one pass of :func:`activation_cost`'s), one value per fresh process (:func:`log_ratios`):
    each round's ratio of the two, then each process's median over its rounds."""
    value = "seconds" if "seconds" in cost else "us_per_million"
    within = ["process", "repeat"] if "process" in cost else ["repeat"]
    table = cost.pivot_table(index=within, columns="activation", values=value)
    ratio = (table[slow] / table[fast]).rename("relative_to_relu").reset_index()
    return log_ratios(ratio)



@dataclass(frozen=True)
class Costs:
    """Both cost measurements of one build, and where, when and how they were taken.

    ``elementwise`` is :func:`activation_cost`'s frame, ``epoch``
    :func:`epoch_cost`'s; ``provenance`` holds the date, the machine, the
    library versions, the study's parameters and why they were measured.
    """

    elementwise: pd.DataFrame
    epoch: pd.DataFrame
    provenance: dict

    def relative(self) -> pd.DataFrame:
        """Each activation's time as a ×-ratio to ReLU's, per measurement, with a 95% interval.

        The ratio is the geometric mean over the fresh processes it was measured
        in of each process's median within-round ratio (:func:`log_ratios`: a
        process is one replicate), and its interval Student's t over those
        processes, back-transformed: a ratio of times is skewed, its log roughly
        symmetric. This is the build's own spread, what 01 shows; the claims
        take a build's median over processes and decide each ratio over this
        machine's builds (:mod:`actstudy.runner.timing_builds`). ReLU's own
        ratio is 1 in every round by construction; it has no interval and is marked ``reference``.

        Returns
        -------
        pandas.DataFrame
            One row per (measurement, activation): ``measurement`` (one of
            :data:`MEASUREMENTS`), ``activation``, ``ratio``, ``ci_low``,
            ``ci_high``, ``rounds``, ``processes`` and ``reference``.
        """
        parts = {MEASUREMENTS[0]: self.elementwise[self.elementwise["pass"] == "forward"],
                 MEASUREMENTS[1]: self.elementwise[self.elementwise["pass"] == "forward+backward"],
                 MEASUREMENTS[2]: self.epoch}
        rows = []
        for measurement, frame in parts.items():
            for name, part in frame.groupby("activation", sort=False):
                interval = stats.mean_ci(log_ratios(part))
                bounded = name != "relu" and interval.n >= 2
                rows.append({"measurement": measurement, "activation": name,
                             "ratio": 10 ** interval.mean,
                             "ci_low": 10 ** interval.low if bounded else math.nan,
                             "ci_high": 10 ** interval.high if bounded else math.nan,
                             "rounds": len(part), "processes": interval.n,
                             "reference": name == "relu"})
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """:meth:`relative` for people: one row per activation, sorted by forward+backward cost.

        Cells read "1.23× [1.10, 1.38]"; ReLU's read "1× (reference)"; an
        activation a benchmark does not time reads "not timed". The last two
        columns are medians over rounds of the times themselves.
        """
        summary = self.relative()
        text = ["1× (reference)" if row.reference
                else f"{row.ratio:.3g}× (one round: no interval)" if row.rounds < 2
                else f"{row.ratio:.3g}× [{row.ci_low:.3g}, {row.ci_high:.3g}]"
                for row in summary.itertuples()]
        table = (summary.assign(text=text)
                 .pivot(index="activation", columns="measurement", values="text")
                 .reindex(columns=list(MEASUREMENTS)).fillna("not timed"))
        backward = self.elementwise[self.elementwise["pass"] == "forward+backward"]
        micro = backward.groupby("activation")["us_per_million"].median()
        seconds = self.epoch.groupby("activation")["seconds"].median()
        table["forward+backward, µs per million elements"] = [
            f"{micro[name]:.0f}" if name in micro.index else "not timed" for name in table.index]
        table["training epoch, ms"] = [
            f"{1000 * seconds[name]:.3g}" if name in seconds.index else "not timed"
            for name in table.index]
        ratio = (summary[summary["measurement"] == MEASUREMENTS[1]].set_index("activation")["ratio"]
                 .reindex(table.index).fillna(math.inf))
        table = table.iloc[np.argsort(ratio.to_numpy(), kind="stable")]
        return table.rename_axis(index="activation", columns=None).reset_index()

    @property
    def measured(self) -> str:
        """One line: when, by what, why, over how many rounds, on what machine, stored where."""
        p = self.provenance
        when = datetime.datetime.fromisoformat(p["measured"]).strftime("%Y-%m-%d %H:%M UTC")
        processes = p["parameters"].get("processes", 1)
        rounds = (f"{processes} fresh processes of {p['parameters']['repeats']} element-wise and "
                  f"{p['parameters']['epoch_repeats']} training-epoch rounds each")
        load = (f", load average {p['load_average']:.1f} as it began"
                if p.get("load_average") is not None else "")
        stored = (f"; stored in {p['file']}, which every render reads" if p.get("file")
                  else "; not stored")
        return (f"Measured once, {when}, by {p['by']} ({p['reason']}): {rounds} in "
                f"{p['seconds']:.0f} s on {p['cpu_count']} CPU cores ({p['platform']}; JAX "
                f"{p['jax']} on {p['device']}{load}){stored}.")


def stored_path(profile: str) -> Path:
    """Where a profile's costs are stored: ``reports/timing-<profile>.json``.

    The folder is ``ACTSTUDY_TIMING_DIR`` where set (:func:`actstudy.settings.timing_dir`).
    """
    return settings.timing_dir() / f"timing-{profile}.json"


def _one_process(activations: list[str], epoch_activations: list[str], n_elements: int,
                 repeats: int, epoch_depth: int, epoch_width: int, epoch_batch_size: int,
                 epoch_n_train: int | None, epoch_repeats: int
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both measurements in the calling process (one replicate of :func:`measure`)."""
    elementwise = activation_cost(activations, n_elements=n_elements, repeats=repeats)
    epoch = epoch_cost(epoch_activations, depth=epoch_depth, width=epoch_width,
                       batch_size=epoch_batch_size, n_train=epoch_n_train, repeats=epoch_repeats)
    return elementwise, epoch


def _in_fresh_process(task: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`_one_process` in a new Python process (spawned: nothing of this one's state)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_one_process, **task).result()


def measure(activations: list[str], epoch_activations: list[str], *, n_elements: int,
            repeats: int, epoch_depth: int, epoch_width: int, epoch_batch_size: int,
            epoch_n_train: int | None, epoch_repeats: int, parameters: dict,
            processes: int = 1, by: str = "actstudy.runner.timing.measure",
            reason: str = "asked for", progress: bool = False) -> Costs:
    """Both measurements of the named activations, now, with provenance.

    With ``processes`` above 1, each is taken in that many fresh Python
    processes, one after another (the standard library's spawning process
    pool, one task per process), each timing ``repeats`` and
    ``epoch_repeats`` interleaved rounds: the rows carry their ``process``,
    and the intervals are over processes (:func:`log_ratios`). With 1, in
    this process. ``parameters`` are stored with the result, so a later
    reader can tell whether it was measured as it asks
    (:func:`actstudy.studies.profile.build_costs`).
    """
    _positive_integer("processes", processes)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    started = time.perf_counter()
    measured = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    task = {"activations": activations, "epoch_activations": epoch_activations,
            "n_elements": n_elements, "repeats": repeats, "epoch_depth": epoch_depth,
            "epoch_width": epoch_width, "epoch_batch_size": epoch_batch_size,
            "epoch_n_train": epoch_n_train, "epoch_repeats": epoch_repeats}
    if processes == 1:
        results = [_one_process(**task)]
    else:
        results = [_in_fresh_process(task)
                   for _ in _rounds(processes, "in fresh processes", progress, unit="process")]
    elementwise = pd.concat([frame.assign(process=k) for k, (frame, _) in enumerate(results)],
                            ignore_index=True)
    epoch = pd.concat([frame.assign(process=k) for k, (_, frame) in enumerate(results)],
                      ignore_index=True)
    provenance = {
        "format": FORMAT, "measured": measured, "by": by, "reason": reason,
        "seconds": time.perf_counter() - started, **machine_kind(), "cpu_model": _cpu_model(),
        "machine_id": _machine_id(), "boot_id": boot_id(), "load_average": load,
        "actstudy": actstudy.__version__, "python": platform.python_version(),
        "parameters": parameters,
    }
    return Costs(elementwise, epoch, provenance)


def _cpu_model() -> str | None:
    """The processor's model name as Linux reports it (``platform.processor()`` is empty
    there), or None elsewhere: recorded with a timing, not compared (builds timed before it was
    recorded lack it)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_kind() -> dict:
    """This machine's kind as a timing records it: its cores, platform, JAX device and JAX
    version (what :data:`actstudy.runner.timing_builds.MACHINE` compares)."""
    device = jax.devices()[0]
    return {"cpu_count": os.cpu_count(), "platform": f"{platform.system()} {platform.machine()}",
            "device": device.platform if device.device_kind.lower() == device.platform
            else f"{device.platform} ({device.device_kind})", "jax": jax.__version__}


def _hashed(raw: str) -> str | None:
    """An identifier hashed with this package's name, as machine-id(5) asks of anything that
    records one; None for an empty one."""
    return hashlib.sha256(f"actstudy:{raw}".encode()).hexdigest()[:16] if raw else None


def _read_id(where: str) -> str | None:
    try:
        with open(where) as held:
            return _hashed(held.read().strip())
    except OSError:
        return None


def _machine_id() -> str | None:
    """systemd's ``/etc/machine-id``, hashed (:func:`_hashed`), or None where it cannot be
    read. Not enough to tell machines apart: virtual machines started from one image share the
    image's (the machine this was written on carries one dated 18 months before it started), so
    :func:`boot_id` is what a study's builds must share (design 6)."""
    return _read_id("/etc/machine-id")


def boot_id() -> str | None:
    """The kernel's ``/proc/sys/kernel/random/boot_id``, new at every boot, hashed
    (:func:`_hashed`), or None where it cannot be read: builds that share it ran on one
    machine, without a restart between them. A freshly started virtual machine has a new one;
    a restarted machine has one too, so it cannot be told from a new machine, and one restored
    from a memory snapshot keeps its old one."""
    return _read_id("/proc/sys/kernel/random/boot_id")


def store(costs: Costs, profile: str) -> Path:
    """Write ``costs`` to :func:`stored_path` whole or not at all (a temporary file, renamed)."""
    path = stored_path(profile)
    provenance = {**costs.provenance, "profile": profile, "file": f"reports/{path.name}"}
    text = json.dumps({"provenance": provenance,
                       "elementwise": costs.elementwise.to_dict(orient="records"),
                       "epoch": costs.epoch.to_dict(orient="records")})
    return write_text_atomic(path, text)


def load(profile: str) -> tuple[Costs | None, str]:
    """The stored costs of a profile, or None and why there are none usable."""
    path = stored_path(profile)
    if not path.exists():
        return None, f"no reports/{path.name} yet"
    try:
        stored = json.loads(path.read_text())
        costs = Costs(pd.DataFrame(stored["elementwise"]), pd.DataFrame(stored["epoch"]),
                      stored["provenance"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, f"reports/{path.name} could not be read ({type(error).__name__})"
    if costs.provenance.get("format") != FORMAT:
        return None, f"reports/{path.name} is in an older layout"
    return costs, ""


def _difference(stored: dict, wanted: dict) -> str:
    """How the stored parameters differ, e.g. "stored with epoch_repeats 3, now 10"."""
    changed = []
    for name, value in wanted.items():
        before = stored.get(name)
        if before == value:
            continue
        if isinstance(before, list) and isinstance(value, list):
            lacking = [a for a in value if a not in before]
            extra = [a for a in before if a not in value]
            changed.append(f"{name} lacking {', '.join(lacking)}" if lacking
                           else f"{name} also with {', '.join(extra)}" if extra
                           else f"{name} in another order")
        else:
            changed.append(f"{name} {before!r}, now {value!r}")
    return "stored with " + "; ".join(changed)
