"""Ctrl-C (SIGINT) or SIGTERM to make's process group stops a build within seconds, cleanly.

The build runs in a copy of the repository, so the test never touches the
user's reports or run cache; make uses the environment running the tests.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from actstudy.runner import cache

ROOT = Path(__file__).resolve().parents[1]
STAMP = Path(sys.prefix) / ".installed"
# A notebook long enough to be caught in the middle: 02 with many epochs.
PROFILE = """
common: {seeds: 3}
studies:
  sine: {activations: all, depth: 2, width: 16, epochs: 400, n_train: 256}
"""
# The kernel gets a grace period to stop its cell (actstudy.report.build.INTERRUPT_GRACE_SECONDS).
STOP_WITHIN_S = 15


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is `folder` (the notebook kernels run there)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and Path(os.readlink(proc / "cwd")) == folder:
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_stops_the_build_and_keeps_what_was_there(tmp_path, signum):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", "data", "reports", "__pycache__", ".*_cache"))
    (repo / "notebooks" / "params" / "interrupt.yaml").write_text(PROFILE)
    reports = repo / "reports"
    reports.mkdir()
    previous = {"02_synthetic_regression.html": "previous report", "index.html": "previous index"}
    for name, text in previous.items():
        (reports / name).write_text(text)
        os.utime(reports / name, (0, 0))  # older than every source: make rebuilds them
    runs = tmp_path / "runs"
    env = {**os.environ, "PYTHONPATH": str(repo), "ACTSTUDY_CACHE_DIR": str(runs),
           "ACTSTUDY_JAX_CACHE_DIR": str(tmp_path / "jax-cache")}
    build = subprocess.Popen(
        ["make", "report", "ONLY=02", "PROFILE=interrupt", f"VENV={sys.prefix}", "-o", str(STAMP)],
        cwd=repo, env=env, start_new_session=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180
        while not list(runs.glob("*.npz")):  # in the middle: some runs done, more to go
            assert build.poll() is None, build.stdout.read()
            assert time.monotonic() < deadline, "no run finished within 3 minutes"
            time.sleep(0.2)
        os.killpg(build.pid, signum)
        sent = time.monotonic()
        output, _ = build.communicate(timeout=STOP_WITHIN_S + 30)
        stopped_after = time.monotonic() - sent
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    print(output)
    assert stopped_after < STOP_WITHIN_S, f"took {stopped_after:.1f} s\n{output}"
    assert build.returncode != 0
    said = [line for line in output.splitlines() if line.startswith("interrupted")]
    assert len(said) == 1 and signal.Signals(signum).name in said[0], output
    assert "02_synthetic_regression" in said[0]
    # No report, no index, no executed notebook; the previous files as they were.
    for name, text in previous.items():
        assert (reports / name).read_text() == text
    written = {str(p.relative_to(reports)) for p in reports.rglob("*") if p.is_file()}
    assert written == set(previous) | {".profile-interrupt"}  # make's profile stamp
    # Nothing half-written anywhere; the runs that finished are whole and kept.
    assert list(tmp_path.rglob(".*.tmp")) == []
    kept = list(runs.glob("*.npz"))
    assert kept and all(cache._read(p)["key"] == p.stem for p in kept)  # whole, readable
    # The kernel is gone too.
    time.sleep(1)
    assert _processes_in(repo / "notebooks") == []
