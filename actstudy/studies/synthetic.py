"""The synthetic studies: sin(x) regression and two-dimensional classification, easy and hard.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.run import data
from actstudy.run.config import Config
from actstudy.studies.base import (
    Study,
    _check_rate_grid,
    activation_names,
    choose_rates,
    grown,
    rates_beyond,
)

__all__ = ["Sine", "Classification", "ClassificationHard", "hardest_reaching"]


@dataclass(frozen=True)
class Sine(Study, network={"depth": 3, "width": 32, "epochs": 80, "learning_rate": 0.01,
                           "batch_size": 32, "n_train": 512}):
    """y = sin(x) on [-2pi, 2pi]: the same MLP with each activation (identity = none)."""

    name: ClassVar[str] = "sine"
    activations: str | list[str] = "all"

    def configs(self) -> list[Config]:
        return self._grid(self.network(dataset="sine"),
                          activation=activation_names(self.activations))


@dataclass(frozen=True)
class Classification(Study, network={"depth": 3, "width": 32, "epochs": 30,
                                     "learning_rate": 0.01, "batch_size": 32}):
    """Two-dimensional toy problems: decision boundaries per activation."""

    name: ClassVar[str] = "classification"
    datasets: list[str] = ("moons", "circles", "spirals", "xor")
    activations: str | list[str] = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                    "selu", "gelu", "swish", "mish")

    def configs(self) -> list[Config]:
        return self._grid(self.network(dataset=self.datasets[0]), dataset=list(self.datasets),
                          activation=activation_names(self.activations))


def _tasks(study: Study) -> dict[str, dict]:
    """``tasks`` as ``{dataset: {option: value}}``, the difficulty option a list of levels.

    Each dataset must have a difficulty option (:data:`actstudy.run.data.SHAPE_OPTIONS`:
    spirals' ``turns``, checkerboard's ``cells``), given as a non-empty list of
    distinct levels (a larger level is harder); its other options (``noise``, ``n_train``)
    are single values. Every level is checked by generating its set, so a bad
    value is a ValueError that names it.
    """
    given = study.tasks
    sets = ", ".join(f"{name} ({spec[0]})" for name, spec in data.SHAPE_OPTIONS.items())
    allowed = (f"a mapping from a dataset with a difficulty option ({sets}) to its options, "
               "the difficulty option a list of levels")
    try:
        tasks = {name: dict(options or {}) for name, options in dict(given).items()}
    except (TypeError, ValueError):
        tasks = None
    if not tasks or isinstance(given, str):
        raise ValueError(f"tasks={given!r} is not allowed for study {study.name!r}: give {allowed}")
    for name, options in tasks.items():
        if name not in data.SHAPE_OPTIONS:
            raise ValueError(f"tasks names dataset {name!r}, which is not allowed for study "
                             f"{study.name!r}: give {allowed}")
        option = data.SHAPE_OPTIONS[name][0]
        taken = [option, "noise", "n_train"]
        unknown = [o for o in options if o not in taken]
        if unknown:
            raise ValueError(f"tasks[{name!r}] has option {unknown[0]!r}, which is not allowed "
                             f"for study {study.name!r}: {name} takes {', '.join(taken)}")
        levels = options.get(option)
        if isinstance(levels, str) or not isinstance(levels, list | tuple) or not levels or len(
                set(levels)) < len(levels):
            raise ValueError(f"tasks[{name!r}][{option!r}]={levels!r} is not allowed for study "
                             f"{study.name!r}: give a non-empty list of distinct levels (a larger "
                             "level is harder)")
        options[option] = list(levels)
        for level in levels:
            try:  # synthetic: generated, no I/O
                data.load(name, n_val=1, n_test=1, **{**options, option: level})
            except ValueError as error:
                raise ValueError(f"tasks[{name!r}]: {error} (study {study.name!r})") from None
    return tasks


@dataclass(frozen=True)
class ClassificationHard(Study, network={"depth": 3, "width": 32, "epochs": 30,
                                         "learning_rate": 0.01, "batch_size": 32}):
    """Harder 2-D tasks in the easy tasks' network, each as hard as a stated rule allows.

    The easy tasks (:class:`Classification`) sit at the ceiling: every
    activation but identity scores 0.95 to 1.00, so nothing separates them.
    Here each task is a family of sets, from easier to harder along its
    difficulty option (``tasks``: spirals with 2 to 3 turns, checkerboards of
    4 x 4 to 6 x 6 cells), and the level compared is chosen by this rule,
    fixed with the study before any of its default-profile runs and not to be
    changed after:

    1. The ``reference`` activation (ReLU) alone trains at every level of every
       task, in the same MLP as the easy tasks (depth 3, width 32, the same
       epochs, optimiser, batch size and seeds).
    2. The chosen level is the hardest at which its mean validation accuracy
       over the seeds (last epoch) reaches ``threshold`` (0.90), every seed
       with a finite value (:func:`hardest_reaching`).
    3. Every activation trains at that level; they are compared on the test
       set. Where no level reaches the threshold, the task is reported as
       such and nothing is compared on it.

    The rule reads only ReLU's runs, so it cannot pick a setting that suits
    another activation; ReLU as the reference is a choice (the usual default
    hidden activation), and it puts each task at the edge of what ReLU
    manages: an activation that fits intricate boundaries less readily than
    ReLU falls behind there, one that fits them more readily comes out ahead.
    0.90 is well above chance (0.50) and below every level's noise ceiling,
    the accuracy of the true boundary on noisy points (spirals at noise 0.05:
    0.999 at 2 and at 3 turns, 0.955 at 5; checkerboard at its noise 0.005:
    0.988 at 4 x 4, 0.980 at 6 x 6, 0.965 at 10 x 10), so the threshold
    measures what the network learnt, not the noise. Validation chooses; the test set only compares.

    The levels were refined once, after the first default-profile run of the
    sweep and before any other activation's result was looked at: ReLU's mean
    validation accuracy fell from 0.999 at 2 turns to 0.670 at 3 (4 and 5:
    0.592, 0.546), and from 0.931 on the 4 x 4 board to 0.702 on 6 x 6 (8 x 8,
    10 x 10: 0.574, 0.551); so spirals got steps of a quarter turn between 2 and
    3, the board a 5 x 5 level, and the levels far below the threshold went.
    The rule and the threshold did not change.

    Why the task and not the width: a network of another width is another
    compiled program (measured here: about 17 CPU seconds to compile each, 2
    for one compiled already), and the default build holds about a minute for
    this study; in the easy tasks' network every run reuses their programs,
    and only the task changes between the easy and the hard comparison.

    :meth:`configs` is step 1 (the sweep); :meth:`run` takes all three steps.
    """

    name: ClassVar[str] = "classification_hard"
    tasks: dict = (("spirals", (("turns", (2, 2.25, 2.5, 2.75, 3)), ("noise", 0.05))),
                   ("checkerboard", (("cells", (4, 5, 6)),)))
    activations: str | list[str] = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                    "selu", "gelu", "swish", "mish")
    reference: str = "relu"
    threshold: float = 0.90
    # Step 3's rates: each activation trains at each, and its rate is chosen per task on mean
    # validation accuracy (the smaller on a tie), so no activation is compared at a rate
    # chosen for another. Half a decade apart around the sweep's 0.01; the grid grows past
    # an edge by the rule of studies.base.rates_beyond, up to `extensions` times.
    learning_rates: list[float] = (0.003, 0.01, 0.03)
    extensions: int = 1

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "tasks", _tasks(self))  # one spelling: {dataset: {option: value}}
        threshold = self.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not (
                0 < threshold <= 1):
            raise ValueError(f"threshold={threshold!r} is not allowed for study {self.name!r}: "
                             "give a validation accuracy in (0, 1]")
        try:
            activation_names([self.reference])
        except ValueError as error:
            raise ValueError(f"reference={self.reference!r} is not allowed for study "
                             f"{self.name!r}: {error}") from None
        _check_rate_grid(self)
        self.configs()  # the Config checks the rest, naming the parameter

    def _base(self, dataset: str, level) -> Config:
        option = data.SHAPE_OPTIONS[dataset][0]
        return self.network(dataset=dataset,
                            dataset_options={**self.tasks[dataset], option: level})

    def _levels(self, dataset: str) -> list:
        return self.tasks[dataset][data.SHAPE_OPTIONS[dataset][0]]

    def configs(self) -> list[Config]:
        """Step 1, the sweep: the reference activation at every level of every task."""
        reference = activation_names([self.reference])
        return [config for dataset in self.tasks for level in self._levels(dataset)
                for config in self._grid(self._base(dataset, level), activation=reference)]

    @staticmethod
    def summary(results):
        """``results.summary`` with each run's task ``level`` (its turns or cells)."""
        import pandas as pd

        summary = results.summary
        levels = [dict(run.config["dataset_options"]).get(
            data.SHAPE_OPTIONS.get(run.config["dataset"], (None,))[0]) for run in results.runs]
        summary["level"] = pd.Series(levels, index=summary.index, dtype=object)  # 4 stays 4
        return summary

    def rule(self, summary):
        """Step 2 on a :meth:`summary`: :func:`hardest_reaching`'s frame."""
        reference = activation_names([self.reference])[0]
        # The sweep's runs only: the comparison trains the reference at other rates too.
        sweep = summary[summary["learning_rate"] == self.learning_rate]
        rule = hardest_reaching(sweep, self.threshold, reference)
        rule["setting"] = [self.level_label(dataset, level)
                           for dataset, level in zip(rule["dataset"], rule["level"], strict=True)]
        return rule

    def chosen(self, summary) -> dict:
        """Each task's chosen level, or None where no level reached the threshold."""
        rule = self.rule(summary)
        picked = dict(zip(rule.loc[rule["chosen"], "dataset"], rule.loc[rule["chosen"], "level"],
                          strict=True))
        # The level as the study spells it (a frame may hold 4 as 4.0 or numpy's int64).
        return {dataset: next((level for level in self._levels(dataset)
                               if dataset in picked and level == picked[dataset]), None)
                for dataset in self.tasks}

    def comparison_configs(self, chosen: dict) -> list[Config]:
        """Step 3: every activation at each task's chosen level (none where it is None), at
        each of ``learning_rates``."""
        names = activation_names(self.activations)
        return [config for dataset, level in chosen.items() if level is not None
                for config in self._grid(self._base(dataset, level), activation=names,
                                         learning_rate=list(self.learning_rates))]

    def _at_levels(self, summary):
        """The summary's runs of the compared activations at each task's chosen level, every
        rate."""
        chosen = self.chosen(summary)
        names = activation_names(self.activations)
        keep = [chosen.get(dataset) == level and activation in names for dataset, level, activation
                in zip(summary["dataset"], summary["level"], summary["activation"], strict=True)]
        return summary[keep], chosen

    def rates(self, summary):
        """Each task's and activation's rate, chosen on mean final validation accuracy
        (:func:`actstudy.studies.base.choose_rates`'s frame)."""
        at_levels, _ = self._at_levels(summary)
        return choose_rates(at_levels, ["dataset", "activation"], "final_val_accuracy")

    def beyond(self, results) -> list[Config]:
        """One round of the growth rule on the comparison so far: the configs it adds."""
        summary = self.summary(results)
        at_levels, chosen = self._at_levels(summary)
        return [config for (dataset, activation), rate in rates_beyond(
                    at_levels, ["dataset", "activation"], "final_val_accuracy")
                for config in self._grid(self._base(dataset, chosen[dataset]),
                                         activation=[activation], learning_rate=[rate])]

    def run(self, progress: bool = True, **run_options):
        """The sweep, the rule, and the comparison: one GridResult holding every run.

        The reference's runs at a chosen level are the sweep's own, so they
        train once; :meth:`compared` picks the comparison's runs from the summary.
        """
        import pandas as pd

        from actstudy.runner import GridResult, run_grid

        sweep = run_grid(self.configs(), progress=progress, **run_options)
        configs = self.comparison_configs(self.chosen(self.summary(sweep)))
        if not configs:
            return sweep
        comparison = run_grid(configs, progress=progress, **run_options)
        comparison = grown(self, comparison, self.beyond, self.extensions, progress,
                           **run_options)
        # The comparison's runs first, in the order of `activations` (as figures show them).
        runs = {run.key: run for run in [*comparison.runs, *sweep.runs]}
        return GridResult(runs=list(runs.values()),
                          failures=pd.concat([sweep.failures, comparison.failures],
                                             ignore_index=True))

    def compared(self, summary):
        """The rows of a :meth:`summary` in the comparison: each task at its chosen level, each
        activation at its chosen rate there (:meth:`rates`).

        A ``task`` column names it for people ("spirals, 2.5 turns"; :meth:`task_names`).
        """
        at_levels, chosen = self._at_levels(summary)
        rates = self.rates(summary)[["dataset", "activation", "learning_rate"]]
        compared = at_levels.reset_index().merge(rates, on=["dataset", "activation",
                                                            "learning_rate"]).set_index("index")
        compared.index.name = None
        compared["task"] = compared["dataset"].map(self.task_names(chosen))
        return compared

    def task_names(self, chosen: dict) -> dict[str, str]:
        """Each compared task's name for people, ``{dataset: "spirals, 2.5 turns"}``."""
        return {dataset: f"{dataset}, {self.level_label(dataset, level)}"
                for dataset, level in chosen.items() if level is not None}

    @staticmethod
    def level_label(dataset: str, level) -> str:
        """A task's level for people: "3 turns", "6 x 6 cells"."""
        if dataset == "checkerboard":
            return f"{level:g} x {level:g} cells"
        return f"{level:g} {data.SHAPE_OPTIONS[dataset][0]}"


def hardest_reaching(summary: pd.DataFrame, threshold: float, reference: str = "relu",
                     level: str = "level", by: str = "dataset",
                     value: str = "final_val_accuracy") -> pd.DataFrame:
    """Per ``by`` group, the hardest ``level`` at which ``reference`` still reaches ``threshold``.

    The rule of :class:`actstudy.studies.ClassificationHard` (a larger level is
    harder). Only the reference activation's runs are read, so the choice
    cannot depend on how any other activation did. Per group and level: the
    mean of ``value`` over seeds with a 95% t-interval; the level *reaches*
    when that mean is at least ``threshold`` and every seed has a finite value
    (a run that failed counts against its level); the largest level that
    reaches is *chosen*. Where no level reaches, the group keeps its rows and
    none is chosen: an outcome to report, not an error.

    Returns
    -------
    DataFrame
        One row per group and level, easier levels first: ``by``, ``level``,
        ``mean``, ``ci_low``, ``ci_high``, ``seeds``, ``reaches``, ``chosen``.

    Examples
    --------
    >>> summary = pd.DataFrame({"dataset": ["a"] * 6 + ["b"] * 2, "activation": "relu",
    ...     "seed": [0, 1] * 4, "level": [4, 4, 2, 2, 3, 3, 2, 2],
    ...     "final_val_accuracy": [0.70, 0.80, 0.97, 0.95, 0.94, 0.88, 0.6, 0.7]})
    >>> rule = hardest_reaching(summary, 0.9)
    >>> rule[["dataset", "level", "reaches", "chosen"]].values.tolist()
    [['a', 2, True, False], ['a', 3, True, True], ['a', 4, False, False], ['b', 2, False, False]]
    """
    if isinstance(threshold, bool) or not (isinstance(threshold, numbers.Real)
                                           and np.isfinite(threshold)):
        raise ValueError(f"threshold={threshold!r} is not allowed: must be a finite number")
    runs = summary[summary["activation"] == reference]
    if runs.empty:
        raise ValueError(f"reference={reference!r} is not allowed: the summary has no runs of it; "
                         f"it has {', '.join(map(str, dict.fromkeys(summary['activation'])))}")
    rows = []
    for group, part in runs.groupby(by, sort=False):
        for setting, at_level in part.groupby(level):  # easier levels first
            values = at_level[value].astype(float)
            interval = stats.mean_ci(values)
            rows.append({by: group, level: setting, "mean": interval.mean,
                         "ci_low": interval.low, "ci_high": interval.high, "seeds": interval.n,
                         "reaches": bool(np.isfinite(values).all()
                                         and interval.mean >= threshold)})
    rule = pd.DataFrame(rows)
    rule[level] = pd.Series([row[level] for row in rows], dtype=object)  # 4 stays 4, not 4.0
    hardest = rule[rule["reaches"]].groupby(by, sort=False).tail(1).index
    rule["chosen"] = rule.index.isin(hardest)
    return rule
