"""Design 6's check, run as pre-registered (preregistrations/2026-12-06-timing-design-6-machines.md,
"The check", and its addendum), on a machine no study of the default profile holds:

    .venv/bin/python scripts/timing_check.py --out DIR [--machine c]

1. It refuses to start:
   - where this machine's boot id cannot be read;
   - where a kept study holds this boot's builds;
   - where the record of checks (:data:`RECORD`) shows a check already started in this boot;
   - where ``DIR`` holds anything;
   - where the label is not letters and digits, or names a study already kept.
   A restarted machine has a new boot id and cannot be told from a new one (the addendum says
   so). The record therefore gives each check's boot time and host name, and it is committed
   whatever the check gives.
2. It writes to the record that a check started, then runs exactly :data:`BUILDS` timing
   builds, ``actstudy timing --profile default``. Each holds :data:`LOCK` (the lock other
   heavy work here takes; work that does not take it is not kept out) and starts at least
   :data:`SPACING` seconds after the one before began, counted from when that one held the
   lock. Each build's folder is ``DIR/buildNN``. Until the last has finished, only when each
   began, its wait for the lock and its exit status are shown: no ratio is looked at before
   then. A build that fails stops the check, which then failed: every build counts.
3. It runs the replication from these builds alone (scripts/timing_replication.py with
   ``--decide sigmoid,tanh,softplus``: GELU is reported and decides nothing). Its table, each
   build's load average and the verdicts are written to ``DIR/replication.txt``.
4. These builds become the machine's study (``actstudy timing-builds --machine LABEL``),
   whatever the replication said. Then render 06 and the index again (README, Profiles).

Exits 0 where the check passed and its study was made, 1 where it failed or its study was
not made, and 2 where it could not start. Every outcome is written to the record, an
interruption included. Written by hand: the spacing, the lock, the record and the refusal
to show a ratio early are the protocol itself.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import timing_replication

from actstudy.cli import _machine_label
from actstudy.cli import main as actstudy_main
from actstudy.files import write_text_atomic
from actstudy.runner import timing, timing_builds

PROFILE = "default"
BUILDS = 10
SPACING = 330.0
LOCK = Path("/tmp/cpu.lock")
DECIDE = "sigmoid,tanh,softplus"
# Every check started, and how it ended, one JSON line each; committed with the check's result.
RECORD = Path(__file__).resolve().parents[1] / "preregistrations" / \
    "2026-12-06-timing-design-6-checks.jsonl"


def _utc(seconds: float | None = None) -> str:
    moment = datetime.datetime.fromtimestamp(time.time() if seconds is None else seconds,
                                             datetime.UTC)
    return moment.isoformat(timespec="seconds")


def _booted() -> str | None:
    """When this machine last started (the kernel's btime), or None where unreadable."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open("/proc/stat") as held:
            line = next(line for line in held if line.startswith("btime "))
        return _utc(int(line.split()[1]))
    return None


def _record(**entry) -> None:
    """Add one line to :data:`RECORD` (appended, so earlier lines are never rewritten)."""
    with open(RECORD, "a") as held:
        held.write(json.dumps({"at": _utc(), **entry}) + "\n")


def _recorded_boots() -> set[str]:
    if not RECORD.exists():
        return set()
    return {json.loads(line).get("boot") for line in RECORD.read_text().splitlines() if line}


def cannot_start(boot: str | None, out: Path, machine: str) -> str:
    """Why the check may not start here, or ""."""
    if boot is None:
        return ("this machine's boot id cannot be read (/proc/sys/kernel/random/boot_id): "
                "the check must record which machine it ran on")
    for label, theirs in timing_builds.boots(PROFILE).items():
        if theirs == boot:
            name = f"machine {label}" if label else "the claims' machine"
            return (f"this machine is {name}'s (boot {boot}, as its study records): design 6's "
                    "check needs a machine no study holds")
    if boot in _recorded_boots():
        return (f"a check already started in this boot ({boot}; {RECORD.name}): each machine "
                "is checked once")
    try:
        _machine_label(machine)
    except argparse.ArgumentTypeError as error:
        return str(error)
    if timing_builds.path(PROFILE, machine).exists():
        return (f"--machine={machine!r} is not allowed: notebooks/params/"
                f"{timing_builds.path(PROFILE, machine).name} is kept already; give a new label")
    if out.exists() and any(out.iterdir()):
        return f"--out={str(out)!r} is not allowed: it holds files; give a new folder"
    return ""


def run_build(folder: Path) -> tuple[float, float, int]:
    """One timing build into ``folder``, holding :data:`LOCK` while it runs: when it began
    (after taking the lock), how long it waited for the lock, and its exit status. Its output
    goes to ``folder/log``, unread until the check ends."""
    folder.mkdir(parents=True)
    command = [str(Path(sys.executable).with_name("actstudy")), "timing", "--profile", PROFILE]
    asked = time.time()
    with open(LOCK, "a") as held, open(folder / "log", "w") as log:
        fcntl.flock(held, fcntl.LOCK_EX)
        began = time.time()
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "ACTSTUDY_TIMING_DIR": str(folder)})
    return began, began - asked, code


def _builds(out: Path, build, sleep, clock) -> tuple[list[Path], str]:
    """The builds, spaced and one at a time: their stored timings, or why the check failed."""
    stored, previous = [], None
    for n in range(1, BUILDS + 1):
        if previous is not None and previous + SPACING > clock():
            sleep(previous + SPACING - clock())
        folder = out / f"build{n:02d}"
        previous, waited, code = build(folder)
        found = folder / f"timing-{PROFILE}.json"
        print(f"build {n:02d} of {BUILDS}: began {_utc(previous)} after {waited:.0f} s waiting "
              f"for the lock, ended {_utc()}, exit {code}", flush=True)
        if code != 0 or not found.exists():
            return stored, (f"build {n:02d} failed (exit {code}; {folder / 'log'}), and every "
                            "build counts")
        stored.append(found)
    return stored, ""


def _replication(stored: list[Path]) -> tuple[bool, str]:
    """The replication's output and whether it passed, each build's load average beside it."""
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown):
        try:
            passed = timing_replication.main(["--decide", DECIDE, *map(str, stored)]) == 0
        except SystemExit as error:
            print(f"the replication could not be computed: {error}")
            passed = False
    for path in stored:
        provenance = json.loads(path.read_text())["provenance"]
        shown.write(f"{path.parent.name}: measured {provenance['measured']}, load average "
                    f"{provenance.get('load_average')} as it began\n")
    return passed, shown.getvalue()


def main(argv: list[str] | None = None, build=run_build, sleep=time.sleep,
         clock=time.time) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    parser.add_argument("--machine", default="c", help="the study's label (default: c)")
    args = parser.parse_args(argv)
    boot = timing.boot_id()
    why = cannot_start(boot, args.out, args.machine)
    if why:
        print(f"the check cannot start: {why}", file=sys.stderr)
        return 2
    _record(event="started", boot=boot, booted=_booted(), host=socket.gethostname(),
            machine=args.machine, out=str(args.out), builds=BUILDS, spacing=SPACING)
    try:
        stored, failed = _builds(args.out, build, sleep, clock)
    except BaseException as error:  # Ctrl-C included: the record says the check did not end
        _record(event="interrupted", boot=boot, why=type(error).__name__)
        raise
    if failed:
        print(f"the check failed: {failed}", file=sys.stderr)
        _record(event="failed", boot=boot, why=failed)
        return 1
    passed, shown = _replication(stored)
    write_text_atomic(args.out / "replication.txt", shown)
    print(shown, end="")
    study = ["timing-builds", "--profile", PROFILE, "--machine", args.machine,
             *map(str, stored)]
    print(f"$ actstudy {' '.join(study[:5])} {args.out}/build*/{stored[0].name}", flush=True)
    made = actstudy_main(study) == 0
    said = "passed" if passed else "FAILED"
    print(f"design 6's check: {said}" + ("" if made else "; its study was NOT made (above)"))
    _record(event="passed" if passed else "failed", boot=boot, study_made=made,
            why="" if passed else "the replication's verdicts (replication.txt)")
    return 0 if passed and made else 1


if __name__ == "__main__":
    sys.exit(main())
