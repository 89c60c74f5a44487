"""Files the launch side and the release write: a lock between processes, an atomic write, a zip
that is the same bytes on every machine, and where this `provider` package lies.

Used by `install` (the mirror package, the Python record), the warm server (its one-server lock,
the package site it starts Python with) and `release/` (the provider package's zip). Standard
library only, each module imported where it is used: the warm server imports this at start.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TYPE_CHECKING = False  # typing costs ~7 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import BinaryIO, TextIO

# Zip entries carry a fixed time (the earliest a zip can hold) and a Unix mode, so that the same files
# always pack to the same bytes, whatever the machine, its clock or its umask.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_CREATED_ON_UNIX = 3  # the "version made by" system whose mode bits Terraform's unzip honours
_REGULAR_FILE = 0o100644
_EXECUTABLE_FILE = 0o100755


def package_site() -> str:
    """The sys.path entry holding this `provider` package: what a Python started with `-I` (no user
    site, no PYTHONPATH) adds to find it."""
    return str(Path(__file__).resolve().parent.parent)


def lock(path: Path) -> TextIO:
    """An exclusive lock (fcntl) on `path`, created if missing, waited for: the open file that holds it
    (closing it, or the process ending, releases it). OSError when the file cannot be opened."""
    import fcntl

    held = open(path, "a")  # noqa: SIM115 (the caller closes it: the lock lives as long as the file)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
    except BaseException:
        held.close()
        raise
    return held


def try_lock(path: Path) -> TextIO | None:
    """`lock` without waiting: None at once when another process holds it."""
    import fcntl

    held = open(path, "a")  # noqa: SIM115 (as in lock)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        held.close()
        return None
    except BaseException:
        held.close()
        raise
    return held


@contextlib.contextmanager
def atomic_output(path: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary file that becomes `path` when the block ends without an exception (else it is removed).
    Readers see the old file or the new one, never half; concurrent writers each write under their
    own temporary name beside `path` (the rename is atomic only within one filesystem)."""
    import tempfile

    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.chmod(partial, mode)  # mkstemp creates 0600
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """`data` as `path`, atomically (see `atomic_output`)."""
    with atomic_output(path, mode) as out:
        out.write(data)


def write_zip(sink: BinaryIO, members: Iterable[tuple[str, bytes | Path, bool]], compresslevel: int) -> None:
    """A deflated zip of `members` (name in the zip, its bytes or the file holding them, executable)
    into `sink`, in name order, with regular-file entries only (no directories), a fixed time and
    Unix modes 0755/0644: the same members always give the same bytes."""
    import shutil
    import zipfile

    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, source, executable in sorted(members, key=lambda member: member[0]):
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            entry.create_system = _ZIP_CREATED_ON_UNIX
            entry.external_attr = (_EXECUTABLE_FILE if executable else _REGULAR_FILE) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as out:
                if isinstance(source, bytes):
                    out.write(source)
                else:
                    with source.open("rb") as data:
                        shutil.copyfileobj(data, out, 1 << 20)
