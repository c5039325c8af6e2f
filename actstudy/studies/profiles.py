"""Profiles: ``notebooks/params/<name>.yaml`` sets study parameters by study name.
"""

from __future__ import annotations

import dataclasses

import yaml

from actstudy import settings
from actstudy.studies.arithmetic import Arithmetic
from actstudy.studies.base import Study, _check_names
from actstudy.studies.cost import ActivationCost
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

__all__ = ["STUDIES", "profiles", "load_profile", "get"]


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
    path = settings.profiles_dir() / f"{profile}.yaml"
    if not path.exists():
        raise ValueError(f"profile={profile!r} is not allowed: choose one of "
                         f"{', '.join(profiles())}")
    spec = yaml.safe_load(path.read_text()) or {}
    unknown = set(spec) - {"common", "studies"}
    if unknown:
        raise ValueError(f"profile {profile!r} has a section {sorted(unknown)[0]!r}; allowed: "
                         "common, studies")
    spec.setdefault("common", {})
    spec.setdefault("studies", {})
    for name, section in spec["studies"].items():
        if name not in STUDIES:
            raise ValueError(f"profile {profile!r} names study {name!r}; known studies: "
                             f"{', '.join(STUDIES)}")
        _check_names(STUDIES[name], section or {})
    return spec


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
