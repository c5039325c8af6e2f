"""Profiles: ``notebooks/params/<name>.yaml`` sets study parameters by study name.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys

import yaml

from actstudy import settings
from actstudy.runner import timing
from actstudy.studies.arithmetic import Arithmetic
from actstudy.studies.base import Study, _check_names
from actstudy.studies.cost import ActivationCost, parameters
from actstudy.studies.gradients import (
    ClassicSettings,
    DepthSweep,
    Dying,
    InitializerActivation,
    LargeInit,
    Learned,
    SelfNormalising,
    SwishDepth,
)
from actstudy.studies.images import (
    BinaryStep,
    DepthTuned,
    EluSetting,
    Images,
    LearningRate,
    PreluOverfitting,
)
from actstudy.studies.synthetic import Classification, ClassificationHard, Sine

__all__ = ["STUDIES", "profiles", "load_profile", "get", "check_profile", "build_costs"]


STUDIES: dict[str, type[Study]] = {
    cls.name: cls for cls in (Sine, Classification, ClassificationHard, Images, DepthSweep, Dying,
                              LargeInit, Learned, InitializerActivation, ClassicSettings,
                              SelfNormalising, LearningRate, BinaryStep, PreluOverfitting,
                              DepthTuned, EluSetting, SwishDepth, ActivationCost, Arithmetic)
}


# -- profiles --------------------------------------------------------------------------


def profiles() -> list[str]:
    return sorted(p.stem for p in settings.profiles_dir().glob("*.yaml"))


def load_profile(profile: str) -> dict:
    """A profile's ``{"common": {...}, "studies": {name: {...}}}``, checked against the studies."""
    if profile not in profiles():  # a name, never a path: "../x" reads nothing
        raise ValueError(f"profile={profile!r} is not allowed: choose one of "
                         f"{', '.join(profiles())}")
    path = settings.profiles_dir() / f"{profile}.yaml"
    try:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(f"profile {profile!r} ({path}{where}) is not valid YAML: "
                         f"{getattr(error, 'problem', None) or error}") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"profile {profile!r} ({path}) is not UTF-8 text (byte "
                         f"{error.start})") from None
    if not isinstance(spec, dict):
        raise ValueError(f"profile {profile!r} ({path}) must be a mapping with the sections "
                         "common and studies")
    unknown = set(spec) - {"common", "studies"}
    if unknown:
        raise ValueError(f"profile {profile!r} has a section {sorted(unknown)[0]!r}; allowed: "
                         "common, studies")
    spec["common"] = spec.get("common") or {}
    spec["studies"] = spec.get("studies") or {}
    for section in ("common", "studies"):
        if not isinstance(spec[section], dict):
            raise ValueError(f"profile {profile!r} ({path}): {section} must be a mapping of "
                             f"names to values, not {type(spec[section]).__name__}")
    for name, values in spec["studies"].items():
        if values is not None and not isinstance(values, dict):
            raise ValueError(f"profile {profile!r} ({path}): study {name!r} must be a mapping "
                             f"of parameters to values, not {type(values).__name__}")
    taken = sorted({f.name for study in STUDIES.values() for f in dataclasses.fields(study)})
    for name in spec["common"]:
        if name not in taken:
            raise ValueError(f"profile {profile!r} sets common parameter {name!r}, which no study "
                             f"takes{_close(name, taken)}; the studies take: {', '.join(taken)}")
    for name, section in spec["studies"].items():
        if name not in STUDIES:
            raise ValueError(f"profile {profile!r} names study {name!r}{_close(name, STUDIES)}; "
                             f"known studies: {', '.join(STUDIES)}")
        _check_names(STUDIES[name], section or {})
    return spec


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last,
    silently); a profile that sets a parameter twice is a mistake to name. LibYAML's parser
    where PyYAML was built with it: the pure-Python one took 0.09 s a profile, and the findings
    read it 39 times."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _close(name: str, allowed) -> str:
    """" (did you mean 'seeds'?)" where a close match exists, else nothing."""
    close = difflib.get_close_matches(str(name), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def get(name: str, profile: str = "default", overrides: dict | None = None) -> Study:
    """The study ``name`` as the profile sets it, with the reader's ``overrides[name]`` on top."""
    if name not in STUDIES:
        raise ValueError(f"study={name!r} is not allowed: choose one of {', '.join(STUDIES)}")
    overrides = overrides or {}
    unknown = [n for n in overrides if n not in STUDIES]
    if unknown:
        raise ValueError(f"overrides name study {unknown[0]!r}; known studies: "
                         f"{', '.join(STUDIES)}")
    cls = STUDIES[name]
    spec = load_profile(profile)
    taken = {f.name for f in dataclasses.fields(cls)}
    common = {k: v for k, v in spec["common"].items() if k in taken}
    changes = overrides.get(name) or {}
    _check_names(cls, changes)
    return cls(**{**common, **(spec["studies"].get(name) or {}), **changes})


def check_profile(profile: str) -> list[Study]:
    """Every study as the profile sets it: the whole profile checked, every value included.

    A bad value is an error naming the profile's file, the study and the parameter;
    ``make report`` runs this before any notebook starts.
    """
    load_profile(profile)
    built = []
    for name in STUDIES:
        try:
            study = get(name, profile)
            study.configs()  # every run's Config, each value checked where it lands
            built.append(study)
        except ValueError as error:
            path = settings.profiles_dir() / f"{profile}.yaml"
            raise ValueError(f"{path}, study {name!r}: {error}") from None
    return built


def build_costs(profile: str, overrides: dict | None = None, force: bool = False,
                by: str = "actstudy.studies.build_costs", progress: bool = False) -> timing.Costs:
    """The profile's stored costs; measured and stored first only where they must be.

    Reads ``reports/timing-<profile>.json`` and returns it when it was
    measured with the parameters the profile's ``activation_cost`` section
    (with ``overrides`` on top) asks for. Otherwise (no file, an unreadable
    one, other parameters, or ``force``) it measures both benchmarks once,
    says why on stderr, stores the result atomically and returns it, so the
    next reader gets the same numbers without timing again.

    Parameters
    ----------
    profile : str
        A profile in ``notebooks/params/``.
    overrides : dict, optional
        ``{"activation_cost": {...}}`` on top of the profile, as the notebooks take it.
    force : bool
        Measure even where the stored costs would do (``actstudy timing`` does).
    by : str
        Who asked, for the provenance line.
    progress : bool
        Progress bars on stderr while measuring.
    """
    study = get("activation_cost", profile, overrides)
    stored, reason = (None, "measured for this build") if force else timing.load(profile)
    if stored is not None:
        wanted = parameters(study)
        if stored.provenance.get("parameters") == wanted:
            return stored
        reason = timing._difference(stored.provenance.get("parameters") or {}, wanted)
        stored = None
    print(f"timing activations for profile {profile!r} ({reason}); the result goes to "
          f"reports/{timing.stored_path(profile).name}", file=sys.stderr, flush=True)
    costs = study.measure(by=by, reason=reason, progress=progress)
    timing.store(costs, profile)
    return timing.load(profile)[0]
