"""Design 6's check, run as pre-registered (preregistrations/2026-12-06-timing-design-6-machines.md,
"The check"), on a machine no study of the profile holds:

    .venv/bin/python scripts/timing_check.py --out DIR [--machine c] [--profile default]

1. It refuses to start on a machine a study already holds (its builds' boot id, recorded by
   every timing since design 6; a new virtual machine always has a new one), where the boot id
   cannot be read, or where ``DIR`` holds anything.
2. Exactly ``--builds`` (10) timing builds, ``actstudy timing --profile P``, each
   ``--spacing`` (330) seconds after the one before began, each holding ``--lock``
   (/tmp/cpu.lock, the lock other heavy work here takes) so nothing else computes beside it.
   Each build's folder is ``DIR/buildNN``; only when each began, ended and its exit status are
   shown until the last has finished: no ratio is looked at before. A build that fails stops
   the check, which then failed (every build counts).
3. The replication from these builds alone (scripts/timing_replication.py with ``--decide
   sigmoid,tanh,softplus``: GELU is reported and decides nothing), its table and verdicts
   written to ``DIR/replication.txt``.
4. These builds become the machine's study (``actstudy timing-builds --machine LABEL``),
   whatever the replication said. Then render 06 and the index again (README, Profiles).

Exits 0 where the check passed, 1 where it failed, 2 where it could not start. Written by hand:
the spacing, the lock and the refusal to show a ratio early are the protocol itself.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import timing_replication

from actstudy.cli import main as actstudy_main
from actstudy.runner import timing, timing_builds

DECIDE = "sigmoid,tanh,softplus"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")


def studied_here(profile: str, boot: str | None) -> str:
    """Why this machine may not run the check, or "": its boot id cannot be read, or a study of
    ``profile`` kept beside it holds this boot's builds."""
    if boot is None:
        return ("this machine's boot id cannot be read (/proc/sys/kernel/random/boot_id): "
                "the check must record which machine it ran on")
    for label, theirs in timing_builds.boots(profile).items():
        if theirs == boot:
            name = f"machine {label}" if label else "the claims' machine"
            return (f"this machine is {name}'s (boot {boot}, as its study records): design 6's "
                    "check needs a machine no study holds")
    return ""


def run_build(profile: str, folder: Path, lock: Path) -> int:
    """One timing build into ``folder``, holding ``lock`` while it runs; its exit status. Its
    output goes to ``folder/log``, unread until the check ends."""
    folder.mkdir(parents=True)
    command = [str(Path(sys.executable).with_name("actstudy")), "timing", "--profile", profile]
    with open(lock, "a") as held, open(folder / "log", "w") as log:
        fcntl.flock(held, fcntl.LOCK_EX)
        return subprocess.call(command, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "ACTSTUDY_TIMING_DIR": str(folder)})


def main(argv: list[str] | None = None, build=run_build, sleep=time.sleep,
         clock=time.monotonic) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="an empty or new folder")
    parser.add_argument("--machine", default="c", help="the study's label (default: c)")
    parser.add_argument("--profile", default="default")
    parser.add_argument("--builds", type=int, default=10)
    parser.add_argument("--spacing", type=float, default=330.0, help="seconds between starts")
    parser.add_argument("--lock", type=Path, default=Path("/tmp/cpu.lock"))
    args = parser.parse_args(argv)
    why = studied_here(args.profile, timing.boot_id())
    if not why and args.out.exists() and any(args.out.iterdir()):
        why = f"--out={str(args.out)!r} is not allowed: it holds files; give a new folder"
    if not why and args.builds < timing_builds.MINIMUM_BUILDS:
        why = (f"--builds={args.builds} is not allowed: a study needs at least "
               f"{timing_builds.MINIMUM_BUILDS}; the pre-registration says 10")
    if why:
        print(f"the check cannot start: {why}", file=sys.stderr)
        return 2
    start, folders = clock(), []
    for n in range(1, args.builds + 1):
        wait = start + (n - 1) * args.spacing - clock()
        if wait > 0:
            sleep(wait)
        folder = args.out / f"build{n:02d}"
        began = _now()
        code = build(args.profile, folder, args.lock)
        print(f"build {n:02d} of {args.builds}: began {began}, ended {_now()} UTC, exit {code}",
              flush=True)
        stored = folder / f"timing-{args.profile}.json"
        if code != 0 or not stored.exists():
            print(f"the check failed: build {n:02d} failed (exit {code}; {folder / 'log'}), "
                  "and every build counts", file=sys.stderr)
            return 1
        folders.append(str(stored))
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        passed = timing_replication.main(["--decide", DECIDE, *folders]) == 0
    (args.out / "replication.txt").write_text(shown.getvalue())
    print(shown.getvalue(), end="")
    study = ["timing-builds", "--profile", args.profile, "--machine", args.machine, *folders]
    print(f"$ actstudy {' '.join(study[:5])} {args.out}/build*/{Path(folders[0]).name}",
          flush=True)
    made = actstudy_main(study)
    print("design 6's check:", "passed" if passed else "FAILED",
          "" if made == 0 else f"(the study was not made: exit {made})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
