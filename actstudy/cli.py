"""The ``actstudy`` command: the registry, ad-hoc grids, the run cache, reports and data.

    actstudy list
    actstudy run --dataset mnist --activation relu,gelu,sigmoid --seeds 3 --epochs 5
    actstudy cache ls
    actstudy cache clear --older-than 7d
    actstudy report render notebooks/04_mnist_convergence.ipynb --profile default
    actstudy report index --profile default
    actstudy data fetch                  # MNIST and Fashion-MNIST into data/
    actstudy data fetch fashion_mnist
    actstudy timing --profile default    # measure activation costs into reports/timing-default.json
    actstudy timing-builds --profile default B1/timing-default.json B2/...   # their spread

The Makefile calls ``report``, ``timing`` and ``data``. Heavy modules are imported inside
the subcommands, so ``actstudy --help`` answers at once.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

import actstudy  # noqa: F401  (selects the JAX backend before keras loads)
from actstudy.report.build import PROGRESS_STYLES  # light: report loads papermill when it renders


def _timedelta(text: str) -> datetime.timedelta:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhdw])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            f"--older-than {text!r} is not allowed: give a number and a unit, e.g. 30m, 12h, 7d, 2w"
        )
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
    return datetime.timedelta(**{unit: float(match[1])})


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def cmd_list(args) -> int:
    from actstudy import analysis

    table = analysis.property_table()
    columns = ["name", "family", "range", "monotonic", "smooth", "zero_centred",
               "saturating", "parameters", "year"]
    table = table[[c for c in columns if c in table.columns]]
    print(table.to_string(index=False))
    print(f"\n{len(table)} activations")
    return 0


def cmd_run(args) -> int:
    from actstudy import stats
    from actstudy.run.config import Config
    from actstudy.runner import grid, run_grid

    if args.seeds < 1:
        raise ValueError(f"--seeds {args.seeds} is not allowed: must be an integer >= 1")
    if args.n_train is not None and args.n_train < 1:
        raise ValueError(f"--n-train {args.n_train} is not allowed: give a number of training "
                         "samples >= 1, or leave it out for the whole training split")
    if args.jobs < 1 and args.jobs != -1:
        raise ValueError(f"--jobs {args.jobs} is not allowed: give 1 or more worker processes, "
                         "or -1 for one per CPU core")
    base = Config(
        dataset=args.dataset, architecture=args.architecture, depth=args.depth, width=args.width,
        learning_rate=args.lr, batch_size=args.batch_size, epochs=args.epochs,
        optimizer=args.optimizer, dropout=args.dropout,
        dataset_options={"n_train": args.n_train} if args.n_train else {},
    )
    names = _names(args.activation)
    count = len(names) * args.seeds  # counted before any Config is made: 10^9 would take hours
    if count > LARGE_REQUEST and not args.yes:
        print(_estimate(base, count), file=sys.stderr)
        return 2
    configs = grid(base, activation=names, seed=range(args.seeds))
    results = run_grid(configs, n_jobs=args.jobs)
    if not results.runs:
        print("no run finished", file=sys.stderr)
        return 1
    summary = results.summary
    metric = "test_accuracy" if summary["test_accuracy"].notna().any() else "test_loss"
    rows = []
    for activation, part in summary.groupby("activation", sort=False):
        interval = stats.mean_ci(part[metric])
        rows.append({
            "activation": activation,
            metric: f"{interval.mean:.4f} ± {(interval.high - interval.mean):.4f}"
            if interval.n > 1 else f"{interval.mean:.4f}",
            "seeds": interval.n,
            # NaN where activations shared a program: no activation has seconds of its own.
            "s/epoch": f"{part['seconds_per_epoch'].median():.2f}"
            if part["seconds_per_epoch"].notna().any() else "shared",
            "diverged": int(part["diverged"].sum()),
        })
    import pandas as pd

    print(f"\n{metric}: mean ± 95% CI half-width over seeds")
    print(pd.DataFrame(rows).to_string(index=False))
    if len(results.failures):
        print(f"\n{len(results.failures)} run(s) failed:", file=sys.stderr)
        for _, failure in results.failures.iterrows():
            print(f"  {failure['config']}: {failure['error']}", file=sys.stderr)
        return 1
    return 0


# More runs than this in one `actstudy run` is far beyond the usual size (the README's examples
# ask for 6 to 60): the command says what it would cost and waits for --yes.
LARGE_REQUEST = 500
# Rough costs for the estimate, measured here (2 CPU cores): an 8x128 MLP trains about 80,000
# MNIST samples a second, and a run of a small MLP stores about 20 kB per 1,000 recorded steps.
SAMPLES_PER_SECOND = 80_000
BYTES_PER_STEP = 20


def _estimate(config, count: int) -> str:
    """What a large request would cost: runs, time and disk, roughly."""
    n_train = dict(config.dataset_options).get("n_train") or (55_000 if config.dataset in (
        "mnist", "fashion_mnist") else 10_000)
    steps = config.epochs * -(-n_train // config.batch_size)
    hours = count * config.epochs * n_train / SAMPLES_PER_SECOND / 3600
    gigabytes = count * (5_000 + steps * BYTES_PER_STEP * (config.depth + 1)) / 1e9
    return (f"{count:,} runs is far beyond the usual size (more than {LARGE_REQUEST}): "
            f"roughly {hours:,.1f} hours on 2 CPU cores and {gigabytes:,.1f} GB in the run cache "
            f"({config.epochs} epochs of {n_train:,} samples each). Add --yes to run it.")


def cmd_cache(args) -> int:
    from actstudy.runner import cache_dir, cached_runs, clear_cache

    if args.cache_command == "ls":
        frame = cached_runs()
        if frame.empty:
            print(f"no cached runs in {cache_dir()}")
        else:
            print(frame.to_string(index=False))
            stale = int(frame["stale"].sum())
            print(f"\n{len(frame)} runs, {frame['bytes'].sum() / 1e6:.1f} MB in {cache_dir()}"
                  + (f"; {stale} stale (`actstudy cache clear --stale` removes them)"
                     if stale else ""))
    else:
        removed = clear_cache(args.older_than, stale=args.stale)
        print(f"removed {removed} {'stale ' if args.stale else ''}cached run(s) from "
              f"{cache_dir()}")
    return 0


def cmd_report(args) -> int:
    from actstudy import studies
    from actstudy.report import build

    if args.report_command == "render":
        build.render(args.notebook, args.profile, progress=args.progress)
    elif args.report_command == "check":
        print(f"profile {args.profile!r}: {len(studies.check_profile(args.profile))} studies, "
              "every parameter allowed")
    else:
        studies.load_profile(args.profile)  # index() would accept any name
        build.index(args.profile)
    return 0


def cmd_timing(args) -> int:
    from actstudy import studies
    from actstudy.runner import timing

    costs = studies.build_costs(args.profile, force=not args.if_needed,
                               by=f"actstudy timing --profile {args.profile}", progress=True)
    print(f"reports/{timing.stored_path(args.profile).name}: {costs.measured}")
    return 0


def cmd_timing_builds(args) -> int:
    from actstudy import studies
    from actstudy.claims.measures import TIMING_CONTRASTS
    from actstudy.runner import timing_builds
    from actstudy.studies.cost import parameters

    wanted = parameters(studies.get("activation_cost", args.profile))
    spread = timing_builds.make(args.files, TIMING_CONTRASTS, wanted,
                                by=f"actstudy timing-builds --profile {args.profile}")
    clash = timing_builds.clash(spread, args.profile, args.machine or "")
    if clash:
        raise ValueError(f"files: {clash}")
    where = timing_builds.store(spread, args.profile, args.machine or "")
    print(f"{where}: {spread.describe()}")
    for build in spread.excluded:
        print(f"  left out {build['file']} (measured {build['measured']}): {build['why']}")
    for measure, slow, fast in TIMING_CONTRASTS:
        key = timing_builds.contrast_key(measure, slow, fast)
        occasions = spread.occasion_estimates(key)
        print(f"  {key}: {10 ** occasions.mean():.3f}x (the mean occasion), SD between "
              f"occasions {occasions.std(ddof=1):.4f} (log10)")
    return 0


def _machine_label(text: str) -> str:
    """``--machine``: a label a file name can carry (letters and digits only)."""
    if not (text.isascii() and text.isalnum()):
        raise argparse.ArgumentTypeError(f"--machine={text!r} is not allowed: give a label of "
                                         "letters and digits, such as b")
    return text


# sources.IMAGE_SETS, spelled out so that parsing does not import numpy.
IMAGE_SETS = ("mnist", "fashion_mnist")


def cmd_data(args) -> int:
    from actstudy.sources import DatasetError, load_image_arrays

    status = 0
    for name in [args.name] if args.name else IMAGE_SETS:
        try:
            arrays, origin = load_image_arrays(name, fetch=True)
        except DatasetError as error:  # a ValueError, but a missing dataset is not a usage error
            print(f"actstudy: error: {error}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {len(arrays['x_train'])} training and {len(arrays['x_test'])} test "
              f"images ({origin}), verified")
    return status


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="actstudy", description="Activation-function study.")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the activation registry as a table").set_defaults(func=cmd_list)

    run = sub.add_parser("run", help="train (or load) a grid and print a summary")
    run.add_argument("--dataset", default="mnist")
    run.add_argument("--activation", default="relu", help="comma-separated names")
    run.add_argument("--seeds", type=int, default=3)
    run.add_argument("--epochs", type=int, default=5)
    run.add_argument("--depth", type=int, default=2)
    run.add_argument("--width", type=int, default=128)
    run.add_argument("--architecture", default="mlp")
    run.add_argument("--lr", type=float, default=1e-3)
    run.add_argument("--batch-size", type=int, default=128)
    run.add_argument("--optimizer", default="adam")
    run.add_argument("--dropout", type=float, default=0.0)
    run.add_argument("--n-train", type=int, default=None, help="train on a subset")
    run.add_argument("--jobs", type=int, default=1, help="parallel worker processes")
    run.add_argument("--yes", action="store_true",
                     help=f"run a request of more than {LARGE_REQUEST} runs without asking")
    run.set_defaults(func=cmd_run)

    cache = sub.add_parser("cache", help="inspect or clear the run cache")
    cache_sub = cache.add_subparsers(dest="cache_command", required=True)
    cache_sub.add_parser("ls", help="list cached runs")
    clear = cache_sub.add_parser("clear", help="delete cached runs")
    clear.add_argument("--older-than", type=_timedelta, default=None,
                       help="only runs written before this long ago, e.g. 7d")
    clear.add_argument("--stale", action="store_true",
                       help="only runs that are never loaded: stored by other run code or in "
                            "an older layout")
    cache.set_defaults(func=cmd_cache)

    report = sub.add_parser("report", help="run notebooks under a profile and render HTML")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    render = report_sub.add_parser(
        "render", help="execute one notebook and write reports/<notebook>.html")
    render.add_argument("notebook", type=Path)
    render.add_argument("--progress", choices=PROGRESS_STYLES, default="bars",
                        help="bars: progress bars on stderr (default); lines: the bars go to "
                             "reports/executed/<notebook>.log and a line a minute says how far "
                             "it got (for renders that share a terminal)")
    index = report_sub.add_parser("index", help="write reports/index.html")
    check = report_sub.add_parser("check", help="check a whole profile, every value included "
                                                "(make report does, before any notebook)")
    for command in (render, index, check):
        command.add_argument("--profile", default="default",
                             help="a notebooks/params/<profile>.yaml (default: default)")
    report.set_defaults(func=cmd_report)

    timing = sub.add_parser(
        "timing", help="measure each activation's compute cost once for a build and store it",
        description="Time every activation element-wise and in a training epoch, relative to "
                    "ReLU, and store both in reports/timing-<profile>.json, which the reports "
                    "read instead of timing again.")
    timing.add_argument("--profile", default="default",
                        help="a notebooks/params/<profile>.yaml (default: default)")
    timing.add_argument("--if-needed", action="store_true",
                        help="keep the stored timings where they were measured with the "
                             "profile's parameters")
    timing.set_defaults(func=cmd_timing)

    builds = sub.add_parser(
        "timing-builds",
        help="measure how much the timing ratios move between builds, from earlier builds' "
             "stored timings",
        description="Read the stored timings of separate builds on one machine (each build's "
                    "reports/timing-<profile>.json, timed with the profile's parameters with "
                    "no other work beside them, in at least 8 occasions: builds less than 5 "
                    "minutes apart are one) and store each ratio the claims test, per process, "
                    "with ReLU's epoch time, in notebooks/params/timing-builds-<profile>.json. "
                    "A build whose ReLU epoch is more than 1.10x slower or faster than the "
                    "median build's is left out, and named. The claims decide each timing "
                    "ratio over these builds' occasions and this build's, where this build "
                    "meets the same rule.")
    builds.add_argument("--profile", default="default",
                        help="a notebooks/params/<profile>.yaml (default: default)")
    builds.add_argument("--machine", default=None, type=_machine_label,
                        help="store the study as another machine's, under this label "
                             "(letters and digits), beside the profile's own study: a timing "
                             "verdict holds only where every studied machine gives it")
    builds.add_argument("files", nargs="+", metavar="FILE",
                        help="stored timings of separate builds (reports/timing-<profile>.json)")
    builds.set_defaults(func=cmd_timing_builds)

    data = sub.add_parser("data", help="fetch and verify the image datasets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    fetch = data_sub.add_parser("fetch", help="fetch, verify and keep a dataset in data/")
    fetch.add_argument("name", nargs="?", choices=IMAGE_SETS, help="default: both")
    data.set_defaults(func=cmd_data)
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OverflowError) as error:  # bad parameters: one clear line
        print(f"actstudy: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a disk, a folder or a permission: say which
        print(f"actstudy: error: {error.strerror or error}"
              + (f": {error.filename}" if error.filename else ""), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
