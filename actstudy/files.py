"""Atomic file writes shared by the cache, the dataset converter and the reports.

Written by hand because the standard library has the two pieces (mkstemp and
os.replace) but not the pattern: a reader sees the old file or the new one,
never half of one, and a failed write leaves nothing behind.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from actstudy import settings


def _default_mode() -> int:
    # mkstemp creates 0600 files; a report or a cached run should get the
    # permissions any other file written here would get (0644 under umask 022).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = settings.temporary_tag()  # a report build's kernel names its own (see settings)
    prefix = f".{path.name}.{tag}." if tag else f".{path.name}."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp)
    try:
        write(tmp)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def set_aside(path: Path) -> Path | None:
    """Rename a bad file of ours to ``<name>.unreadable`` (``.unreadable-2``, ... where that is
    taken, so nothing is overwritten) and return the new path; None where it is not a plain
    file or cannot be renamed (a read-only folder): it is then left as it was."""
    path = Path(path)
    if not path.is_file():
        return None
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}.unreadable" + (f"-{n}" if n > 1 else ""))
        if aside.exists():
            continue
        try:
            os.link(path, aside)  # fails rather than replace a file that appeared meanwhile
            os.unlink(path)
        except FileExistsError:
            continue
        except OSError:
            return None
        return aside
    return None


def write_text_atomic(path: Path, text: str) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_text(text))


def write_bytes_atomic(path: Path, content: bytes) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_bytes(content))
