"""The timing verdicts replicated on new builds alone (claims 4, 7 and 8), as pre-registered in
preregistrations/2026-12-06-timing-replication-on-new-builds.md (seven builds on the study's
machine) and 2026-12-06-timing-replication-powered.md (16 on a second machine). Claim 4's two
components are tested each at 95%, without the Holm adjustment the claims apply (at their
distances from the margin it changes nothing); the pre-registrations name this script as is.

    .venv/bin/python scripts/timing_replication.py [--decide NAME,...] DIR_OR_FILE...

Each argument is a build's stored timing of the default profile (a timing-default.json, or
the folder holding it), or a file of builds made from such timings by `actstudy timing-builds`
(each build's per-process ratios and speed, as preregistrations/ keeps the replications'
builds). Every build given counts, one occasion each, whatever its speed or scatter; nothing
from the committed study is used. Each build's estimate is the median over its
processes of each one's median log10 ratio over its rounds, as the claims take it; the
interval is Student's t over the builds, tested against the claims' 1.1x margin with the
claims' own verdict rule. Prints each build's estimates and the four verdicts; exits 1 unless
they are the study's (sigmoid, tanh and GELU contradicted, softplus supported). With
``--decide sigmoid,tanh,softplus`` only those ratios decide (design 6's check,
preregistrations/2026-12-06-timing-design-6-machines.md: GELU is reported and decides nothing).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from actstudy import stats
from actstudy.claims.timing_ratios import COST_MARGIN
from actstudy.claims.verdicts import Test, verdict
from actstudy.runner import timing, timing_builds

# Each ratio the check decides, with the verdict the study gives it.
EXPECTED = {"sigmoid": "contradicted", "tanh": "contradicted", "softplus": "supported",
            "gelu": "contradicted"}


def estimates(paths) -> pd.DataFrame:
    """One row per build: when it was measured, ReLU's epoch (ms), and each ratio's estimate
    (log10)."""
    rows = []
    for given in paths:
        path = Path(given)
        path = path / "timing-default.json" if path.is_dir() else path
        stored = json.loads(path.read_text())
        if "builds" in stored:  # builds kept by `actstudy timing-builds`: the same estimates
            if stored.get("excluded"):
                raise SystemExit(f"{given}: its speed rule left out {len(stored['excluded'])} "
                                 "build(s), and a replication counts every build: give their "
                                 "stored timings instead")
            rows.extend(_kept(build) for build in stored["builds"])
            continue
        if stored["provenance"].get("profile", "default") != "default":
            raise SystemExit(f"{given}: timed for profile {stored['provenance']['profile']!r}; "
                             "the claims' verdicts are the default profile's")
        epoch = pd.DataFrame(stored["epoch"])
        rows.append({"build": str(given), "measured": stored["provenance"]["measured"],
                     "relu_ms": 1000 * timing_builds.speed(epoch),
                     **{name: float(np.median(timing.process_log_ratios(epoch, name, "relu")))
                        for name in EXPECTED}})
    return pd.DataFrame(rows)


def _kept(build: dict) -> dict:
    """One row from a build kept by `actstudy timing-builds`: its processes' log10 ratios are
    those :func:`actstudy.runner.timing.process_log_ratios` gave, so their median is the
    estimate :func:`estimates` takes from the build's stored timing."""
    return {"build": build["file"], "measured": build["measured"],
            "relu_ms": 1000 * build["speed"],
            **{name: float(np.median(build["log_ratios"][
                timing_builds.contrast_key("epoch", name, "relu")])) for name in EXPECTED}}


def replicate(table: pd.DataFrame) -> dict[str, tuple[stats.Interval, str]]:
    """Each ratio's interval over the builds (log10) and its verdict against the margin."""
    test = Test("one training epoch, new builds alone (×)", "x", "above", COST_MARGIN)
    found = {}
    for name in EXPECTED:
        interval = stats.mean_ci(table[name].to_numpy())
        found[name] = (interval, verdict(interval, test))
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decide", default=",".join(EXPECTED),
                        help="the ratios whose verdicts decide, comma-separated (default: all)")
    parser.add_argument("paths", nargs="*", metavar="DIR_OR_FILE")
    args = parser.parse_args(argv)
    decide = args.decide.split(",") if args.decide else []
    if not decide or any(name not in EXPECTED for name in decide):
        print(f"--decide={args.decide!r} is not allowed: give one or more of "
              f"{', '.join(EXPECTED)}, comma-separated", file=sys.stderr)
        return 2
    if not args.paths:
        usage = next(line for line in __doc__.splitlines() if "scripts/timing_replication" in line)
        print(usage.strip(), file=sys.stderr)
        return 2
    table = estimates(args.paths)
    shown = table.copy()
    for name in EXPECTED:
        shown[name] = (10 ** shown[name]).round(4)
    print(shown.round({"relu_ms": 1}).to_string(index=False))
    found = replicate(table)
    for name, (interval, said) in found.items():
        print(f"{name} / relu over {interval.n} builds: {10 ** interval.mean:.4f}x "
              f"[{10 ** interval.low:.4f}x, {10 ** interval.high:.4f}x]: {said} "
              + (f"(the study: {EXPECTED[name]})" if name in decide else "(reported only)"))
    same = all(said == EXPECTED[name] for name, (_, said) in found.items() if name in decide)
    print(f"the study's verdicts ({', '.join(decide)}):", "replicated" if same
          else "NOT replicated")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
