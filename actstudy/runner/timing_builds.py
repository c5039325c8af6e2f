"""How much a timing ratio moves from build to build on one kind of machine: a precision study of earlier builds' timings, which sets the width of each build's timing intervals.

A build times the activations in a few fresh processes, one after another, in a minute or
two (:mod:`actstudy.runner.timing`). The interval over those processes does not hold what
moves between builds over hours: measured on a 2-core machine, GELU's epoch ratio to ReLU moved
with an SD of 0.0067 (log10) over 15 builds, against a median within-build standard error of
0.0037. So the claims take a build's ratio from its own processes and its interval from the
spread of earlier builds' ratios on the same kind of machine with the same timing parameters
(:func:`actstudy.stats.between_builds`): an intermediate-precision standard deviation, from a
study of repeated occasions.

The study is stored in ``notebooks/params/timing-builds-<profile>.json`` beside the profile:
for each earlier build, when it was measured and, for each ratio the claims test, its
processes' log10 ratios. ``actstudy timing-builds --profile P FILE...`` makes it from the
stored timings of separate builds (``reports/timing-<profile>.json``, or the file in each
build's ``ACTSTUDY_TIMING_DIR``), measured on one machine, as far apart as can be (the
default profile's: 15 builds over six hours of 2026-12-05 and 06, in about eight clusters).
"""

from __future__ import annotations

import datetime
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

__all__ = ["MINIMUM_BUILDS", "MACHINE", "BuildSpread", "deviation", "contrast_key", "path", "make", "store",
           "load", "usable"]

# Fewer earlier builds than this leave the spread between them too uncertain to decide on
# (t(7) is 2.36 against t(14)'s 2.14).
MINIMUM_BUILDS = 8
# What a timing's provenance says of its machine, and what two machines must share for one's
# spread between builds to stand for the other's.
MACHINE = ("cpu_count", "platform", "device", "jax")
FORMAT = 1


def deviation(values) -> float:
    """How far a build's processes scatter: the median absolute deviation of their log10
    ratios from their median (SciPy's, unscaled). With five processes, two on a busy machine
    leave it unmoved, as they leave the median; it grows when three or more scatter."""
    return float(median_abs_deviation(np.asarray(values, dtype=float)))


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
    """Earlier builds' timings on one kind of machine: each build's processes' log10 ratios."""

    machine: dict
    parameters: dict
    builds: list[dict]  # each: {"measured", "file", "log_ratios": {contrast key: [values]}}
    made: dict = field(default_factory=dict)  # when, and by what command

    def estimates(self, key: str) -> np.ndarray:
        """Each build's estimate of the log10 ratio ``key`` (:func:`contrast_key`): the median
        over its processes, as :func:`actstudy.stats.between_builds` takes a build's."""
        return np.array([np.median(build["log_ratios"][key]) for build in self.builds])

    def largest_deviation(self, key: str) -> float:
        """The largest median absolute deviation over one build's processes among the builds,
        for ``key`` (:func:`deviation`)."""
        return float(max(deviation(build["log_ratios"][key]) for build in self.builds))

    def has(self, key: str) -> bool:
        return all(key in build["log_ratios"] for build in self.builds)

    def describe(self) -> str:
        """One line: how many builds, over what dates, on what machine."""
        dates = sorted(build["measured"][:16].replace("T", " ") for build in self.builds)
        machine = ", ".join(f"{name} {self.machine[name]}" for name in MACHINE)
        return (f"{len(self.builds)} builds from {dates[0]} to {dates[-1]} UTC on one machine "
                f"({machine})")


def path(profile: str) -> Path:
    return settings.profiles_dir() / f"timing-builds-{profile}.json"


def make(files, contrasts, parameters: dict, by: str) -> BuildSpread:
    """The study from the stored timing files of separate builds, for ``contrasts`` ((measure,
    slow, fast) each, measure ``"epoch"`` or an element-wise pass). Every file must have been
    measured with ``parameters`` (the profile's now) on one kind of machine, each at its own
    time; at least :data:`MINIMUM_BUILDS`."""
    builds, machines = [], {}
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
        log_ratios = {}
        for measure, slow, fast in contrasts:
            values = timing.process_log_ratios(_frame(costs, measure), slow, fast)
            log_ratios[contrast_key(measure, slow, fast)] = [float(v) for v in values]
        builds.append({"measured": provenance["measured"], "file": str(name),
                       "log_ratios": log_ratios})
    kinds = {json.dumps(machine, sort_keys=True) for machine in machines.values()}
    if len(kinds) > 1:
        raise ValueError(f"files: timed on {len(kinds)} kinds of machine ({'; '.join(sorted(kinds))});"
                         " the spread between builds is one machine's: give one machine's files")
    times = [build["measured"] for build in builds]
    if len(set(times)) < len(times):
        twice = sorted({t for t in times if times.count(t) > 1})[0]
        raise ValueError(f"files: two files hold the build measured at {twice}: give each "
                         "build's timing once")
    if len(builds) < MINIMUM_BUILDS:
        raise ValueError(f"files: {len(builds)} build(s) given, at least {MINIMUM_BUILDS} "
                         "are needed (the spread between fewer is too uncertain)")
    made = {"made": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "by": by}
    return BuildSpread(next(iter(machines.values())), parameters, builds, made)


def store(spread: BuildSpread, profile: str) -> Path:
    """Write the study to :func:`path` whole or not at all."""
    text = json.dumps({"format": FORMAT, "profile": profile, **spread.made,
                       "machine": spread.machine, "parameters": spread.parameters,
                       "builds": spread.builds}, indent=1)
    return write_text_atomic(path(profile), text + "\n")


def load(profile: str) -> tuple[BuildSpread | None, str]:
    """The profile's study, or None and why there is none usable."""
    where = path(profile)
    shown = f"notebooks/params/{where.name}"
    if not where.exists():
        return None, (f"no spread between builds has been measured for profile {profile!r} "
                      f"({shown} is absent)")
    try:
        stored = json.loads(where.read_text())
        spread = BuildSpread(stored["machine"], stored["parameters"], stored["builds"],
                             {"made": stored.get("made"), "by": stored.get("by")})
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, f"{shown} could not be read ({type(error).__name__})"
    if stored.get("format") != FORMAT:
        return None, f"{shown} is in another layout (format {stored.get('format')!r})"
    return spread, ""


def usable(spread: BuildSpread, provenance: dict, key: str) -> str:
    """Why ``spread`` cannot set the interval of ``key`` for a build timed as ``provenance``
    says, or "" where it can: the same kind of machine, the same parameters, a build not
    in the study, the ratio in every build, at least :data:`MINIMUM_BUILDS` builds."""
    machine = _machine(provenance)
    if machine != spread.machine:
        def shown(m):
            return ", ".join(f"{name} {m[name]}" for name in MACHINE)
        return (f"the spread between builds was measured on another kind of machine "
                f"({shown(spread.machine)}; this build: {shown(machine)})")
    if provenance.get("parameters") != spread.parameters:
        return ("the spread between builds was measured with other timing parameters ("
                f"{timing._difference(spread.parameters, provenance.get('parameters') or {})})")
    if provenance.get("measured") in {build["measured"] for build in spread.builds}:
        return (f"this build (measured {provenance['measured']}) is one of the study's own "
                "builds: its interval would be in-sample")
    if not spread.has(key):
        return f"the spread between builds does not hold the ratio {key}"
    if len(spread.builds) < MINIMUM_BUILDS:
        return (f"the spread between builds is from {len(spread.builds)} builds, fewer than "
                f"{MINIMUM_BUILDS}")
    if not all(math.isfinite(m) for m in spread.estimates(key)):
        return f"the spread between builds has a non-finite ratio for {key}"
    return ""
