import os
import stat

import pytest

from actstudy.files import write_atomic, write_text_atomic


def test_write_text_atomic_replaces_with_usual_permissions(tmp_path):
    target = tmp_path / "sub" / "report.html"
    old = os.umask(0o022)
    try:
        write_text_atomic(target, "first")
        write_text_atomic(target, "second")
    finally:
        os.umask(old)
    assert target.read_text() == "second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_failed_write_leaves_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "run.json"
    target.write_text("previous")

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, broken)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
