"""How a timing ratio is decided on one kind of machine: a study of earlier builds' timings,
pooled with this build's.

A build times the activations in a few fresh processes, one after another, in a minute or
two (:mod:`actstudy.runner.timing`). What moves between builds over hours is more than those
processes show: measured on a 2-core machine, GELU's epoch ratio to ReLU moved with an SD of
0.0067 (log10) over 15 builds, against a median within-build standard error of 0.0037. And one
build's ratio, with an interval as wide as builds move (about ±2%), cannot decide a ratio that
lies 1.5% from its margin: the verdict flips from build to build. So the claims pool: this
build's ratio joins the earlier builds' on the same kind of machine with the same timing
parameters, each *occasion* (builds run back to back, less than :data:`OCCASION_GAP` apart)
counted once, and the interval is Student's t over the occasions
(:func:`actstudy.stats.over_builds`). A build that the study's own rules would leave out
(below), or whose processes scatter more than any study build's, is not counted, and the
study's occasions decide alone. This build's own ratio, with the spread between occasions as
its interval (:func:`actstudy.stats.between_builds`), is shown beside it.

The study is stored in ``notebooks/params/timing-builds-<profile>.json`` beside the profile:
for each earlier build, when it was measured, ReLU's epoch time (its speed), and, for each
ratio the claims test, its processes' log10 ratios; and the builds left out, with why.
``actstudy timing-builds --profile P FILE...`` makes it from the stored timings of separate
builds (``reports/timing-<profile>.json``, or the file in each build's
``ACTSTUDY_TIMING_DIR``) measured in one boot of one machine (their recorded boot id, where
they record one) with no other work beside them. A build
whose ReLU epoch is more than :data:`SPEED_TOLERANCE` times slower or faster than the
median build's is left out: something else shared the cores, or it is another machine. The
rule looks at ReLU's time alone, never at a ratio (pre-registered in
``preregistrations/2026-12-06-timing-pooled-over-builds.md``).
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import median_abs_deviation

from actstudy import settings
from actstudy.files import write_text_atomic
from actstudy.runner import timing

__all__ = ["MINIMUM_BUILDS", "MACHINE", "SPEED_TOLERANCE", "OCCASION_GAP", "BuildSpread",
           "deviation", "speed", "contrast_key", "path", "make", "store", "load", "usable",
           "speed_fits", "other_machines", "of_another_kind", "same_machine", "clash", "boots"]

# Fewer earlier occasions than this leave the spread between them too uncertain to decide on
# (t(7) is 2.36 against t(14)'s 2.14).
MINIMUM_BUILDS = 8
# A build whose ReLU epoch is more than this many times slower (or faster) than the study's
# median build ran beside other work, or on another machine: measured, builds beside a
# spinning process or other work took 61 to 93 ms a ReLU epoch, quiet ones 53 to 59 ms.
SPEED_TOLERANCE = 1.10
# Builds measured less than this many seconds after the one before ran back to back, in one
# state of the machine: they count as one occasion.
OCCASION_GAP = 300
# What a timing's provenance says of its machine, and what two machines must share for one's
# spread between builds to stand for the other's.
MACHINE = ("cpu_count", "platform", "device", "jax")
FORMAT = 2


def deviation(values) -> float:
    """How far a build's processes scatter: the median absolute deviation of their log10
    ratios from their median (SciPy's, unscaled). With five processes, two on a busy machine
    leave it unmoved, as they leave the median; it grows when three or more scatter."""
    return float(median_abs_deviation(np.asarray(values, dtype=float)))


def speed(epoch: pd.DataFrame, fast: str = "relu") -> float:
    """A build's speed: ``fast``'s epoch time in seconds, the median over its processes of
    each one's median round."""
    times = epoch[epoch["activation"] == fast]
    if "process" in times:
        return float(times.groupby("process")["seconds"].median().median())
    return float(times["seconds"].median())


def contrast_key(measure: str, slow: str, fast: str) -> str:
    """How a ratio is named in the study: ``"epoch gelu/relu"``, ``"forward+backward
    gelu/relu"``."""
    return f"{measure} {slow}/{fast}"


def _frame(costs: timing.Costs, measure: str) -> pd.DataFrame:
    if measure == "epoch":
        return costs.epoch
    elementwise = costs.elementwise
    return elementwise[elementwise["pass"] == measure]


def _machine(provenance: dict) -> dict:
    return {name: provenance.get(name) for name in MACHINE}


@dataclass(frozen=True)
class BuildSpread:
    """Earlier builds' timings on one kind of machine: each build's speed and its processes'
    log10 ratios, and the builds left out by the speed rule."""

    machine: dict
    parameters: dict
    # each: {"measured", "file", "speed" (ReLU's epoch seconds), "log_ratios": {key: [values]}}
    builds: list[dict]
    made: dict = field(default_factory=dict)  # when, and by what command
    excluded: list[dict] = field(default_factory=list)  # each: {"measured", "file", "why"}
    # the hashed boot id its builds share (:func:`actstudy.runner.timing.boot_id`), None for
    # builds timed before timings recorded one
    boot: str | None = None

    def __post_init__(self):
        # The builds in time order: occasions are runs of builds close in time.
        object.__setattr__(self, "builds", sorted(self.builds, key=lambda b: b["measured"]))

    def estimates(self, key: str) -> np.ndarray:
        """Each build's estimate of the log10 ratio ``key`` (:func:`contrast_key`): the median
        over its processes."""
        return np.array([np.median(build["log_ratios"][key]) for build in self.builds])

    def occasions(self) -> np.ndarray:
        """Each build's occasion number, 0 upwards in time: a build measured less than
        :data:`OCCASION_GAP` seconds after the one before shares that one's occasion."""
        times = [datetime.datetime.fromisoformat(build["measured"]) for build in self.builds]
        gaps = [math.inf] + [(later - earlier).total_seconds()
                             for earlier, later in itertools.pairwise(times)]
        return np.cumsum([gap >= OCCASION_GAP for gap in gaps]) - 1

    def occasion_estimates(self, key: str) -> np.ndarray:
        """Each occasion's estimate of ``key``: the mean of its builds' estimates."""
        return pd.Series(self.estimates(key)).groupby(self.occasions()).mean().to_numpy()

    def speed(self) -> float:
        """The median build's speed: ReLU's epoch time in seconds (:func:`speed`)."""
        return float(np.median([build["speed"] for build in self.builds]))

    def largest_deviation(self, key: str) -> float:
        """The largest median absolute deviation over one build's processes among the builds,
        for ``key`` (:func:`deviation`)."""
        return float(max(deviation(build["log_ratios"][key]) for build in self.builds))

    def has(self, key: str) -> bool:
        return all(key in build["log_ratios"] for build in self.builds)

    def describe(self) -> str:
        """One line: how many builds and occasions, over what dates, on what machine, and how
        many were left out."""
        dates = [build["measured"][:16].replace("T", " ") for build in self.builds]
        machine = ", ".join(f"{name} {self.machine[name]}" for name in MACHINE) + (
            f", boot {self.boot}" if self.boot else "")
        left = f"; {len(self.excluded)} left out by the speed rule" if self.excluded else ""
        occasions = len(set(self.occasions()))
        return (f"{len(self.builds)} builds ({occasions} occasions) from {dates[0]} to "
                f"{dates[-1]} UTC on one machine ({machine}){left}")


def path(profile: str, machine: str = "") -> Path:
    """Where the profile's study is kept: ``timing-builds-<profile>.json`` for the machine the
    claims' interval is over, ``timing-builds-<profile>.<machine>.json`` for each other studied
    machine (design 6)."""
    suffix = f".{machine}" if machine else ""
    return settings.profiles_dir() / f"timing-builds-{profile}{suffix}.json"


def other_machines(profile: str) -> tuple[dict[str, BuildSpread], str]:
    """The studies of the profile's other machines (:func:`path` with a machine label), each
    by its label, or ``({}, why)`` where one cannot be read: a timing verdict holds only where
    every studied machine gives it, so an unreadable one leaves it undecided."""
    kept = _kept(profile)
    for label, (spread, why) in kept.items():
        if label and spread is None:
            return {}, why
    studies = {label: spread for label, (spread, _) in kept.items() if spread is not None}
    for (one, first), (other, second) in itertools.combinations(sorted(studies.items()), 2):
        why = same_machine(first, second)
        if why:
            return {}, (f"notebooks/params/{path(profile, one).name} and notebooks/params/"
                        f"{path(profile, other).name} hold one machine's builds ({why}): each "
                        "machine is studied once")
    return {label: spread for label, spread in studies.items() if label}, ""


def _kept(profile: str) -> dict[str, tuple[BuildSpread | None, str]]:
    """Every study kept beside the profile, read once: the claims' machine's under "" (where
    its file exists) and each other machine's under its label, as :func:`_read` gives it. A
    file whose label is not letters and digits (``timing-builds-default.b.old.json``) is not
    read; a copy named with letters only (``timing-builds-default.bak.json``) is, and holding
    another study's builds it leaves the timing verdicts undecided (:func:`other_machines`)."""
    labels = (where.name[len(f"timing-builds-{profile}."):-len(".json")]
              for where in settings.profiles_dir().glob(f"timing-builds-{profile}.*.json"))
    kept = [""] if path(profile).exists() else []
    kept += sorted(label for label in labels if label.isascii() and label.isalnum())
    return {label: _read(path(profile, label)) for label in kept}


def boots(profile: str) -> dict[str, str]:
    """The boot id each readable study of ``profile`` records, by its machine's label ("" for
    the claims' machine); studies timed before timings recorded one are left out."""
    return {label: spread.boot for label, (spread, _) in _kept(profile).items()
            if spread is not None and spread.boot is not None}


def same_machine(one: BuildSpread, other: BuildSpread) -> str:
    """Why two studies are of one machine, or "" where nothing shows it: they share a build
    (a copy of a study), or their builds' boot id."""
    shared = sorted({b["measured"] for b in one.builds} & {b["measured"] for b in other.builds})
    if shared:
        return f"both hold the build measured at {shared[0]}"
    if one.boot is not None and one.boot == other.boot:
        return f"both were timed in the boot {one.boot}"
    return ""


def clash(spread: BuildSpread, profile: str, machine: str = "") -> str:
    """Why ``spread`` cannot be stored as ``machine``'s study of ``profile`` (the claims'
    machine where ``machine`` is ""), or "": another study kept beside the profile holds the
    same machine's builds (:func:`same_machine`). The study it would replace is not compared."""
    for label, (other, _) in _kept(profile).items():
        why = same_machine(spread, other) if label != machine and other is not None else ""
        if why:
            return (f"notebooks/params/{path(profile, label).name} holds this machine's builds "
                    f"already ({why}): each machine is studied once; a new machine's builds "
                    "make a new study")
    return ""


def make(files, contrasts, parameters: dict, by: str) -> BuildSpread:
    """The study from the stored timing files of separate builds, for ``contrasts`` ((measure,
    slow, fast) each, measure ``"epoch"`` or an element-wise pass). Every file must have been
    measured with ``parameters`` (the profile's now) on one kind of machine, each at its own
    time; at least :data:`MINIMUM_BUILDS`."""
    builds, machines, boot_of = [], {}, {}
    for name in files:
        try:
            stored = json.loads(Path(name).read_text())
            costs = timing.Costs(pd.DataFrame(stored["elementwise"]),
                                 pd.DataFrame(stored["epoch"]), stored["provenance"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"files: {name!r} is not a stored timing ({type(error).__name__}: "
                             f"{error}); give reports/timing-<profile>.json files") from None
        provenance = costs.provenance
        if provenance.get("format") != timing.FORMAT:
            raise ValueError(f"files: {name!r} is in an older timing layout (format "
                             f"{provenance.get('format')!r}, now {timing.FORMAT}); time again")
        if provenance.get("parameters") != parameters:
            raise ValueError(f"files: {name!r} was timed with other parameters than the "
                             f"profile's activation_cost section now gives ("
                             f"{timing._difference(provenance.get('parameters') or {}, parameters)})")
        machines[name] = _machine(provenance)
        boot_of[name] = provenance.get("boot_id")
        log_ratios = {}
        for measure, slow, fast in contrasts:
            values = timing.process_log_ratios(_frame(costs, measure), slow, fast)
            log_ratios[contrast_key(measure, slow, fast)] = [float(v) for v in values]
        builds.append({"measured": provenance["measured"], "file": str(name),
                       "speed": speed(costs.epoch), "log_ratios": log_ratios})
    kinds = {json.dumps(machine, sort_keys=True) for machine in machines.values()}
    if len(kinds) > 1:
        raise ValueError(f"files: timed on {len(kinds)} kinds of machine ({'; '.join(sorted(kinds))});"
                         " the spread between builds is one machine's: give one machine's files")
    if len(set(boot_of.values())) > 1:
        shown = "; ".join(f"{name}: {boot or 'not recorded (timed before timings recorded it)'}"
                          for name, boot in boot_of.items())
        raise ValueError(f"files: timed on {len(set(boot_of.values()))} machines, or across a "
                         f"restart (their boot ids differ: {shown}); a study is one machine's "
                         "builds in one boot: give those files only")
    times = [build["measured"] for build in builds]
    if len(set(times)) < len(times):
        twice = sorted({t for t in times if times.count(t) > 1})[0]
        raise ValueError(f"files: two files hold the build measured at {twice}: give each "
                         "build's timing once")
    median = float(np.median([build["speed"] for build in builds]))
    kept = [build for build in builds if speed_fits(build["speed"], median)]
    excluded = [{"measured": build["measured"], "file": build["file"],
                 "why": f"ReLU's epoch took {build['speed'] * 1000:.1f} ms, "
                        f"{build['speed'] / median:.3f}x the median build's "
                        f"{median * 1000:.1f} ms (allowed: {1 / SPEED_TOLERANCE:.3f}x to "
                        f"{SPEED_TOLERANCE:.2f}x)"}
                for build in builds if not speed_fits(build["speed"], median)]
    spread = BuildSpread(next(iter(machines.values())), parameters, kept,
                         {"made": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                          "by": by}, excluded, next(iter(boot_of.values())))
    occasions = len(set(spread.occasions())) if kept else 0
    if occasions < MINIMUM_BUILDS:
        raise ValueError(f"files: {len(builds)} build(s) given, {len(kept)} kept by the speed "
                         f"rule, in {occasions} occasion(s) (builds less than {OCCASION_GAP} s "
                         f"apart are one); at least {MINIMUM_BUILDS} occasions are needed (the "
                         "spread between fewer is too uncertain)")
    return spread


def speed_fits(seconds: float, median: float) -> bool:
    """Whether a build whose ReLU epoch took ``seconds`` ran as fast as the median build
    (``median`` seconds), within :data:`SPEED_TOLERANCE` either way."""
    return 1 / SPEED_TOLERANCE <= seconds / median <= SPEED_TOLERANCE


def store(spread: BuildSpread, profile: str, machine: str = "") -> Path:
    """Write the study to :func:`path` whole or not at all."""
    text = json.dumps({"format": FORMAT, "profile": profile, **spread.made,
                       "machine": spread.machine, "boot": spread.boot,
                       "parameters": spread.parameters,
                       "builds": spread.builds, "excluded": spread.excluded}, indent=1)
    return write_text_atomic(path(profile, machine), text + "\n")


def load(profile: str) -> tuple[BuildSpread | None, str]:
    """The profile's study, or None and why there is none usable."""
    where = path(profile)
    if not where.exists():
        return None, (f"no spread between builds has been measured for profile {profile!r} "
                      f"(notebooks/params/{where.name} is absent)")
    return _read(where)


def _read(where: Path) -> tuple[BuildSpread | None, str]:
    shown = f"notebooks/params/{where.name}"
    try:
        stored = json.loads(where.read_text())
        if stored.get("format") != FORMAT:
            return None, f"{shown} is in another layout (format {stored.get('format')!r})"
        made = {key: stored[key] for key in ("made", "by", "boot_recorded") if key in stored}
        spread = BuildSpread(stored["machine"], stored["parameters"], stored["builds"], made,
                             stored["excluded"], stored.get("boot"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return None, f"{shown} could not be read ({type(error).__name__})"
    return spread, ""


def of_another_kind(spread: BuildSpread, provenance: dict) -> bool:
    """Whether ``spread`` was timed on another kind of machine, or with other timing
    parameters, than a build timed as ``provenance`` says."""
    return bool(_another_kind(spread, provenance))


def _another_kind(spread: BuildSpread, provenance: dict) -> str:
    """How ``spread``'s machine kind or timing parameters differ from a build's, or ""."""
    machine = _machine(provenance)
    if machine != spread.machine:
        def shown(m):
            return ", ".join(f"{name} {m[name]}" for name in MACHINE)
        return (f"the spread between builds was measured on another kind of machine "
                f"({shown(spread.machine)}; this build: {shown(machine)})")
    if provenance.get("parameters") != spread.parameters:
        return ("the spread between builds was measured with other timing parameters ("
                f"{timing._difference(spread.parameters, provenance.get('parameters') or {})})")
    return ""


def usable(spread: BuildSpread, provenance: dict, key: str) -> str:
    """Why ``spread`` cannot set the interval of ``key`` for a build timed as ``provenance``
    says, or "" where it can: the same kind of machine, the same parameters, a build not
    in the study, the ratio in every build, at least :data:`MINIMUM_BUILDS` occasions."""
    other = _another_kind(spread, provenance)
    if other:
        return other
    if provenance.get("measured") in {build["measured"] for build in spread.builds}:
        return (f"this build (measured {provenance['measured']}) is one of the study's own "
                "builds: its interval would be in-sample")
    if not spread.has(key):
        return f"the spread between builds does not hold the ratio {key}"
    occasions = len(set(spread.occasions()))
    if occasions < MINIMUM_BUILDS:
        return (f"the study holds {occasions} occasions, fewer than {MINIMUM_BUILDS}")
    if not all(math.isfinite(m) for m in spread.estimates(key)):
        return f"the spread between builds has a non-finite ratio for {key}"
    return ""
