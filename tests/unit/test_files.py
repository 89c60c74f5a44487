"""provider/files.py: the lock between processes, the atomic write, the deterministic zip and the
package site that `install`, the warm server and `release/` share."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from provider import files

# A second process asks for the lock: `try` answers at once, `wait` prints when it got it.
_OTHER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from provider import files
path = Path(sys.argv[3])
if sys.argv[2] == "try":
    print("held" if files.try_lock(path) is None else "taken")
else:
    files.lock(path)
    print(time.time())
"""


def other_process(how: str, path: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-I", "-c", _OTHER, files.package_site(), how, str(path)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def test_the_package_site_is_where_a_python_without_paths_finds_this_provider() -> None:
    site = Path(files.package_site())
    assert (site / "provider" / "files.py").resolve() == Path(files.__file__).resolve()
    find = "import sys; sys.path.append(sys.argv[1]); import provider; print(provider.__file__)"
    found = subprocess.run(
        [sys.executable, "-I", "-c", find, str(site)], capture_output=True, text=True, timeout=30, check=True
    )
    assert Path(found.stdout.strip()).parent.parent == site


def test_a_held_lock_is_refused_to_another_process_until_it_is_released(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    held = files.try_lock(path)
    assert held is not None
    assert other_process("try", path).communicate(timeout=30)[0].strip() == "held"
    held.close()
    assert other_process("try", path).communicate(timeout=30)[0].strip() == "taken"


def test_lock_waits_for_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    held = files.lock(path)
    waiting = other_process("wait", path)
    time.sleep(0.5)
    released = time.time()
    held.close()
    got = float(waiting.communicate(timeout=30)[0])
    assert got >= released


def test_an_atomic_write_replaces_the_file_with_its_mode_and_leaves_no_partial(tmp_path: Path) -> None:
    path = tmp_path / "record"
    path.write_bytes(b"old")
    files.write_atomically(path, b"new", mode=0o755)
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o755
    assert [p.name for p in tmp_path.iterdir()] == ["record"]


def test_a_failed_atomic_write_keeps_the_old_file_and_removes_its_partial(tmp_path: Path) -> None:
    path = tmp_path / "package.zip"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), files.atomic_output(path) as out:
        out.write(b"half of the new")
        raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["package.zip"]


def test_a_zip_is_the_same_bytes_whatever_the_order_the_times_or_the_source(tmp_path: Path) -> None:
    tool, data = tmp_path / "tool", tmp_path / "data.txt"
    tool.write_bytes(b"#!/bin/sh\n")
    data.write_bytes(b"data" * 1000)
    os.utime(tool, (0, 0))

    def packed(members: list[tuple[str, bytes | Path, bool]]) -> bytes:
        buffer = io.BytesIO()
        files.write_zip(buffer, members, compresslevel=6)
        return buffer.getvalue()

    first = packed([("tool", tool, True), ("lib/data.txt", data, False)])
    os.utime(tool, None)
    assert packed([("lib/data.txt", b"data" * 1000, False), ("tool", b"#!/bin/sh\n", True)]) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        entries = archive.infolist()
        assert [e.filename for e in entries] == ["lib/data.txt", "tool"]  # name order, no directory entries
        assert [e.external_attr >> 16 for e in entries] == [0o100644, 0o100755]
        assert {e.date_time for e in entries} == {files.ZIP_DATE_TIME} and {e.create_system for e in entries} == {3}
        assert archive.read("tool") == b"#!/bin/sh\n"
