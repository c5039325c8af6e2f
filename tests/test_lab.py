"""`make lab` starts JupyterLab on notebooks/ with the actstudy kernel, as root or not."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)  # the environment running the tests, where `make env` put jupyter
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(process: subprocess.Popen) -> None:
    """Terminate make and the server it started (one process group); kill what lingers."""
    group = process.pid
    if _group_alive(group):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _group_alive(group) and time.monotonic() < deadline:
        process.poll()
        time.sleep(0.2)
    if _group_alive(group):
        os.killpg(group, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture
def lab_server(tmp_path):
    """Run the real front door, `make lab`, headless on a free local port.

    The test goes through make rather than copying the jupyter command line, so the
    flags it checks (the notebook directory, --allow-root when root) are the Makefile's
    own. VENV points make at the environment running the tests, and `-o` treats its
    install stamp as up to date, so the test never installs anything (in a git worktree
    there is no .venv of its own). LAB_ARGS adds only what a headless test needs.
    """
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if not (VENV / "bin" / "jupyter").exists():
        pytest.skip(f"no jupyter in {VENV}; run `make env`")
    port, token = _free_port(), secrets.token_hex(16)
    lab_args = [
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log_path = tmp_path / "lab.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"VENV={VENV}", "-o", f"{VENV}/.installed",
             f"LAB_ARGS={' '.join(lab_args)}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"make lab exited early:\n{log_path.read_text()}"
            try:
                _get(f"{base_url}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, (
                    f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n"
                    f"{log_path.read_text()}")
                time.sleep(0.5)
        yield base_url, token
    finally:
        _stop(process)


@pytest.mark.slow
def test_make_lab_serves_the_notebooks_with_the_actstudy_kernel(lab_server):
    base_url, token = lab_server
    listed = {item["name"] for item in _get(f"{base_url}/api/contents", token)["content"]}
    notebooks = {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert len(notebooks) == 7  # 01 to 07
    assert notebooks <= listed, f"served notebooks/ lists {sorted(listed)}"
    kernels = _get(f"{base_url}/api/kernelspecs", token)["kernelspecs"]
    assert "actstudy" in kernels, f"kernels offered: {sorted(kernels)}"
