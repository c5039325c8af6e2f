"""Which runs train as one compiled program: groups, and chunks of one activation.

Runs whose configs differ only in :data:`GROUP_FIELDS` (seed, learning rate,
initial scale, initializer) share a program as members under ``jax.vmap``
(:func:`group_key`). Runs whose activation *shares programs*
(:func:`shares_program`) may also differ in :data:`SHARED_FIELDS`: such a
program holds chunks of members, one activation each, and its activation
layers switch on the chunk's activation (:mod:`actstudy.run.training`).
:func:`groups` splits a list of configs into such programs.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

import numpy as np

from actstudy.run import activations
from actstudy.run.config import Config

# Config fields that may differ between the members of one group: inside the compiled
# program they are array values (initial weights and random keys, the optimizer's
# learning-rate variable), so they need no program of their own. The initializer only
# decides the initial weights.
GROUP_FIELDS = ("seed", "learning_rate", "init_scale", "initializer")
# Config fields that may also differ between the chunks of one program, where every member's
# activation shares programs (:func:`shares_program`): the activation is a switch.
SHARED_FIELDS = ("activation", "activation_options")


def group_key(config: Config) -> Config:
    """What members of one group share: the config with :data:`GROUP_FIELDS` at defaults.

    >>> a, b = Config(dataset="xor", seed=1), Config(dataset="xor", seed=2, learning_rate=0.1)
    >>> group_key(a) == group_key(b), group_key(a) == group_key(a.replace(depth=3))
    (True, False)
    """
    fields = Config.__dataclass_fields__
    return dataclasses.replace(config, **{name: fields[name].default for name in GROUP_FIELDS})


def shares_program(config: Config) -> bool:
    """Whether a config's activation can be one branch of a shared program's switch.

    Built-in activations without trainable parameters can: they are pure
    functions and leave the model's variables as they are. Learnable ones
    (PReLU, Swish-beta, the mixture) have variables of their own, so their
    models differ in shape; a user's activation, registered in code or reached
    by import path, keeps its own program so that its code never runs inside
    another's (and an error in it fails its runs alone). The arithmetic
    networks (NAC, NALU) have the identity only.

    >>> shares_program(Config(activation="gelu")), shares_program(Config(activation="prelu"))
    (True, False)
    """
    entry = activations.spec(config.activation)
    return (activations.is_builtin(entry.name) and not entry.makes_layer
            and not entry.learnable and not entry.output_only
            and config.architecture not in ("nac", "nalu"))


def branch(config: Config) -> tuple:
    """The activation a config's layers apply, with its options: one branch of a switch."""
    return (config.activation, config.activation_options)


def program_key(config: Config) -> tuple:
    """What configs trained in one program share: the group key, and for a config whose
    activation shares programs, the group key without the activation.

    >>> a, b = Config(dataset="xor", activation="relu"), Config(dataset="xor", activation="elu")
    >>> program_key(a) == program_key(b), group_key(a) == group_key(b)
    (True, False)
    """
    if not shares_program(config):
        return (group_key(config), False)
    fields = Config.__dataclass_fields__
    return (dataclasses.replace(group_key(config), **{
        name: fields[name].default for name in SHARED_FIELDS}), True)


def layout(configs: list[Config]) -> tuple[list[int], list[tuple], int]:
    """The members' order in the program, its branches, and its number of chunks.

    Members are ordered by activation (stably), and every activation's members
    split into chunks of one size, the greatest common divisor of their counts
    (:func:`groups` makes groups whose activations have chunks of one size; a
    caller of ``fit_group`` who mixes counts of 1 and 16 gets 17 chunks of one,
    trained one after another). The branches are sorted, so the same
    activations compile to the same program whatever order a grid lists them in.
    """
    branches = sorted(dict.fromkeys(branch(c) for c in configs), key=repr)
    order = sorted(range(len(configs)), key=lambda i: branches.index(branch(configs[i])))
    counts = [sum(branch(c) == b for c in configs) for b in branches]
    return order, branches, len(configs) // functools.reduce(math.gcd, counts)


# The most runs trained at once, as one chunk under vmap: more members share more overhead but
# need memory for every member's state and records, and leave fewer groups to spread over
# workers.
MAX_GROUP = 16
# The most runs in one program, over all its chunks (they train one chunk after another, so
# this bounds the memory of the records a program keeps until it ends, and what one failure
# takes with it).
MAX_PROGRAM = 128


def _parts(items: list, most: int) -> list[list]:
    """items split into as few parts of at most ``most`` as can be, as equal in size as can be."""
    return [[items[i] for i in part]
            for part in np.array_split(np.arange(len(items)), math.ceil(len(items) / most))]


def groups(configs: Sequence[Config], max_group: int = MAX_GROUP,
           max_program: int = MAX_PROGRAM) -> list[list[Config]]:
    """Configs that can train as one program (see :func:`program_key`), in order.

    Configs that share a group key but are more than ``max_group`` are split into
    chunks as equal in size as can be (30 into 15 and 15, not 16 and 14): groups
    of one size compile to one program, which JAX's persistent cache then serves
    to the others (measured: 0.4 s against 4.4 s to compile a 4x64 MNIST MLP's).
    Where the activation shares programs, chunks of one size, each of another
    activation, go into one program of at most ``max_program`` runs (a chunk
    larger than that is a program alone). With ``max_program=max_group`` no
    program is larger than before activations shared them: what a caller
    whose workers each train a program, or whose memory holds ``max_group``
    runs' records, wants.

    >>> configs = [Config(dataset="xor", activation=a, seed=s) for a in ("relu", "elu")
    ...            for s in range(3)]
    >>> [[(c.activation, c.seed) for c in g] for g in groups(configs, max_group=2)]
    [[('relu', 0), ('relu', 1), ('elu', 0), ('elu', 1)], [('relu', 2), ('elu', 2)]]
    >>> [len(g) for g in groups([Config(dataset="xor", seed=s) for s in range(30)])]
    [15, 15]
    """
    for name, value in (("max_group", max_group), ("max_program", max_program)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r} is not allowed: must be an integer >= 1")
    by_key: dict[tuple, list[Config]] = {}
    for config in configs:
        by_key.setdefault(program_key(config), []).append(config)
    found = []
    for (_, shared), members in by_key.items():
        if not shared:
            found += _parts(members, max_group)
            continue
        by_branch: dict[tuple, list[Config]] = {}
        for config in members:
            by_branch.setdefault(branch(config), []).append(config)
        # Each chunk joins the first program of its size that has no chunk of its activation
        # yet and has room: every activation then has one chunk in a program, so the chunks
        # fit_group lays out are these (an activation's 30 runs are two programs of 15 each,
        # which the persistent cache compiles once, not one of 30).
        programs: list[tuple[int, set, list[Config]]] = []
        for key, same in by_branch.items():
            for chunk in _parts(same, max_group):
                program = next((p for p in programs if p[0] == len(chunk) and key not in p[1]
                                and len(p[2]) + len(chunk) <= max_program),
                               None)
                if program is None:
                    program = (len(chunk), set(), [])
                    programs.append(program)
                program[1].add(key)
                program[2].extend(chunk)
        found += [members for _, _, members in programs]
    return found
