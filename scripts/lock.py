"""Keep the pinned environment in one place: requirements.lock.

``python scripts/lock.py``        re-resolves the lock in a throw-away venv from
                                  pyproject.toml (runtime + dev extras) and rewrites
                                  requirements.lock and environment.yml.
``python scripts/lock.py --yml``  only rewrites environment.yml from the lock.

environment.yml is generated, never edited: conda users get exactly the pins
that ``make env`` installs, and tests/test_environment.py fails if they drift.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"
PYTHON = "3.11"


def lock_pins(lock_text: str) -> list[str]:
    """The ``name==version`` lines of a lock file, comments and blanks dropped."""
    return [
        line.strip()
        for line in lock_text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def environment_yml(lock_text: str) -> str:
    pins = "\n".join(f"      - {pin}" for pin in lock_pins(lock_text))
    return (
        "# Generated from requirements.lock by scripts/lock.py; do not edit.\n"
        "name: actstudy\n"
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        f"  - python={PYTHON}\n"
        "  - pip\n"
        "  - pip:\n"
        f"{pins}\n"
        "      - -e .\n"
    )


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def resolve_lock() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "-q", f"{ROOT}[dev]"], check=True)
        frozen = subprocess.run(
            [*pip, "freeze", "--exclude", "actstudy"], check=True, capture_output=True, text=True
        ).stdout
    header = "# Pinned environment for actstudy (Python 3.11). Regenerate: make lock\n"
    return header + "".join(sorted(f"{line}\n" for line in lock_pins(frozen)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yml", action="store_true", help="only regenerate environment.yml")
    args = parser.parse_args()
    if not args.yml:
        write_atomic(LOCK, resolve_lock())
    write_atomic(ENVIRONMENT, environment_yml(LOCK.read_text()))
    print(f"wrote {LOCK.name} and {ENVIRONMENT.name}")


if __name__ == "__main__":
    main()
