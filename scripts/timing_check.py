"""Design 6's check, run as pre-registered (preregistrations/2026-12-06-timing-design-6-machines.md,
"The check", and its addendum), once, on a machine no study of the default profile holds:

    .venv/bin/python scripts/timing_check.py --out DIR [--machine c]

Run it under nohup or tmux: it takes about an hour.

1. It refuses to start (exit 2, nothing written) where:
   - the record of checks (:data:`RECORD`) shows a check already started: the design has one;
   - the repository's tracked files have uncommitted changes, or git cannot commit here;
   - a kept study of the profile cannot be read;
   - this machine's boot id cannot be read, or a kept study holds this boot's builds;
   - this machine is of another kind than the claims' study (cores, platform, JAX device,
     JAX version), or the profile's timing parameters are not the study's;
   - the label is not letters and digits, or names a kept study;
   - ``DIR`` is a file or holds anything.
   A restarted machine has a new boot id and cannot be told from a new one (the addendum
   says so): the record gives each check's boot time and host name.
2. It adds a line to the record that the check started (with the commit it ran from) and
   commits the record, before any build.
3. It runs exactly :data:`BUILDS` timing builds, ``actstudy timing --profile default``. Each
   holds :data:`LOCK`: heavy work that takes the same lock waits, other work is not kept out.
   Each starts at least :data:`SPACING` seconds after the one before began, counted from when
   that one held the lock. Each build's folder is ``DIR/buildNN``. Until the last has ended,
   only when each began, its wait for the lock and its exit status are shown. The script shows
   no ratio before then, though nothing stops a person reading ``DIR``. A build that fails
   stops the check, which then failed: every build counts.
4. These builds become the machine's study (``actstudy timing-builds --machine LABEL``) before
   any verdict is shown, so the study is made whatever the check gives.
5. It runs the replication from these builds alone (scripts/timing_replication.py with
   ``--decide sigmoid,tanh,softplus``: GELU is reported and decides nothing). Its table, each
   build's start, lock wait and load average, and the verdicts go to ``DIR/replication.txt``.
6. It adds how the check ended to the record (passed, failed or interrupted, with the
   replication's text) and commits it, Ctrl-C, SIGTERM and SIGHUP included. A kill that
   Python cannot catch leaves only the "started" line, which still stops a second check.

Exits 0 where the check passed and its study was made, 1 where it failed or its study was not
made, and 2 where it could not start. Written by hand: the spacing, the lock, the record and
the refusal to show a ratio early are the protocol itself.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import timing_replication

from actstudy import studies
from actstudy.cli import _machine_label
from actstudy.cli import main as actstudy_main
from actstudy.files import write_text_atomic
from actstudy.runner import timing, timing_builds
from actstudy.studies.cost import parameters

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "default"
BUILDS = 10
SPACING = 330.0
LOCK = Path("/tmp/cpu.lock")
DECIDE = "sigmoid,tanh,softplus"
# Every check started, and how it ended, one JSON line each, committed as it is written.
RECORD = ROOT / "preregistrations" / "2026-12-06-timing-design-6-checks.jsonl"


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


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def repository() -> tuple[str, str]:
    """The commit the check runs from, and why it may not run from here ("" where it may): its
    tracked files must be as committed, and git must be able to commit the record."""
    try:
        head = _git("rev-parse", "HEAD")
        changed = _git("status", "--porcelain", "--untracked-files=no")
        _git("var", "GIT_COMMITTER_IDENT")
    except (OSError, subprocess.CalledProcessError) as error:
        return "", f"git cannot commit the record here ({error})"
    if changed:
        return head, (f"the repository has uncommitted changes ({changed.splitlines()[0]} ...): "
                      "the check runs from a commit")
    if RECORD.exists() and not _git("ls-files", str(RECORD.relative_to(ROOT))):
        return head, f"{RECORD.name} exists but is not committed"
    return head, ""


def commit_record(message: str) -> None:
    """Commit the record alone."""
    _git("add", str(RECORD.relative_to(ROOT)))
    _git("commit", "-q", "-m", message, "--", str(RECORD.relative_to(ROOT)))


def _record(**entry) -> None:
    """Add one line to :data:`RECORD` (appended, so earlier lines are never rewritten)."""
    with open(RECORD, "a") as held:
        held.write(json.dumps({"at": _utc(), **entry}) + "\n")


def cannot_start(boot: str | None, out: Path, machine: str) -> str:
    """Why the check may not start here, or ""."""
    if RECORD.exists():
        try:
            started = [entry for entry in map(json.loads, RECORD.read_text().splitlines())
                       if entry.get("event") == "started"]
        except (ValueError, AttributeError):
            return f"{RECORD.name} cannot be read: repair it from the repository's history"
        if started:
            return (f"a check was already started ({started[0]['at']}, boot "
                    f"{started[0].get('boot')}; {RECORD.name}): the design has one check")
    _, why = repository()
    if why:
        return why
    try:
        _machine_label(machine)
    except argparse.ArgumentTypeError as error:
        return str(error)
    if timing_builds.path(PROFILE, machine).exists():
        return (f"--machine={machine!r} is not allowed: notebooks/params/"
                f"{timing_builds.path(PROFILE, machine).name} is kept already; give a new label")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return f"--out={str(out)!r} is not allowed: give a new or empty folder"
    spread, why = timing_builds.load(PROFILE)
    _, unread = timing_builds.other_machines(PROFILE)
    if spread is None or unread:
        return why or unread
    if boot is None:
        return ("this machine's boot id cannot be read (/proc/sys/kernel/random/boot_id): "
                "the check must record which machine it ran on")
    for label, theirs in timing_builds.boots(PROFILE).items():
        if theirs == boot:
            name = f"machine {label}" if label else "the claims' machine"
            return (f"this machine is {name}'s (boot {boot}, as its study records): design 6's "
                    "check needs a machine no study holds")
    kind = timing.machine_kind()
    if kind != spread.machine:
        return (f"this machine ({kind}) is not of the kind the claims' study was timed on "
                f"({spread.machine}): design 6's check is on a machine of the same kind")
    if parameters(studies.get("activation_cost", PROFILE)) != spread.parameters:
        return ("the profile's activation_cost parameters are not those of the claims' study: "
                "its check would time something else")
    return ""


def run_build(folder: Path) -> dict:
    """One timing build into ``folder``, holding :data:`LOCK` while it runs: when it began
    (after taking the lock; ``time.monotonic()`` and UTC), how long it waited for the lock, and
    its exit status. Its output goes to ``folder/log``, unread until the check ends."""
    folder.mkdir(parents=True)
    command = [str(Path(sys.executable).with_name("actstudy")), "timing", "--profile", PROFILE]
    asked = time.monotonic()
    with open(LOCK, "a") as held, open(folder / "log", "w") as log:
        fcntl.flock(held, fcntl.LOCK_EX)
        began = time.monotonic()
        at = _utc()
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "ACTSTUDY_TIMING_DIR": str(folder)})
    return {"began": began, "at": at, "waited": began - asked, "code": code}


def _builds(out: Path, build, sleep, clock, shown: list[str]) -> tuple[list[Path], str]:
    """The builds, spaced and one at a time: their stored timings, or why the check failed.
    Each build's line goes to ``shown`` too."""
    stored, previous = [], None
    for n in range(1, BUILDS + 1):
        if previous is not None and previous + SPACING > clock():
            sleep(previous + SPACING - clock())
        folder = out / f"build{n:02d}"
        done = build(folder)
        previous = done["began"]
        found = folder / f"timing-{PROFILE}.json"
        shown.append(f"build {n:02d} of {BUILDS}: began {done['at']} after {done['waited']:.0f} "
                     f"s waiting for the lock, ended {_utc()}, exit {done['code']}")
        print(shown[-1], flush=True)
        if done["code"] != 0 or not found.exists():
            return stored, (f"build {n:02d} failed (exit {done['code']}; {folder / 'log'}), "
                            "and every build counts")
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


def _stop(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: list[str] | None = None, build=run_build, sleep=time.sleep,
         clock=time.monotonic) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    parser.add_argument("--machine", default="c", help="the study's label (default: c)")
    args = parser.parse_args(argv)
    boot = timing.boot_id()
    why = cannot_start(boot, args.out, args.machine)
    if why:
        print(f"the check cannot start: {why}", file=sys.stderr)
        return 2
    head, _ = repository()
    _record(event="started", boot=boot, booted=_booted(), host=socket.gethostname(),
            commit=head, machine=args.machine, out=str(args.out), builds=BUILDS,
            spacing=SPACING)
    commit_record(f"Design 6's check started on machine {args.machine} (boot {boot})")
    before = {name: signal.signal(getattr(signal, name), _stop) for name in ("SIGTERM", "SIGHUP")}
    ended, shown = {"event": "interrupted"}, []
    try:
        stored, failed = _builds(args.out, build, sleep, clock, shown)
        if failed:
            print(f"the check failed: {failed}", file=sys.stderr)
            ended = {"event": "failed", "why": failed, "builds": shown}
            return 1
        study = ["timing-builds", "--profile", PROFILE, "--machine", args.machine,
                 *map(str, stored)]
        print(f"$ actstudy {' '.join(study[:5])} {args.out}/build*/{stored[0].name}", flush=True)
        made = actstudy_main(study) == 0
        passed, replicated = _replication(stored)
        text = "\n".join(shown) + "\n" + replicated
        write_text_atomic(args.out / "replication.txt", text)
        print(replicated, end="")
        print(f"design 6's check: {'passed' if passed else 'FAILED'}"
              + ("" if made else "; its study was NOT made (above)"))
        ended = {"event": "passed" if passed else "failed", "study_made": made,
                 "replication": text}
        return 0 if passed and made else 1
    except BaseException as error:  # Ctrl-C, SIGTERM, SIGHUP and anything else: recorded
        ended["why"] = f"{type(error).__name__}: {error}"
        raise
    finally:
        _record(boot=boot, **ended)
        commit_record(f"Design 6's check on machine {args.machine}: {ended['event']}")
        for name, handler in before.items():
            signal.signal(getattr(signal, name), handler)


if __name__ == "__main__":
    sys.exit(main())
