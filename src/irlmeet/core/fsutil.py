"""File helpers shared by the store, the .ics export and the place cache.

One implementation of "write a file so that a crash leaves the old or the new one, never half
of either", used everywhere irlmeet writes a file, so a fix to it reaches them all.

Every durability barrier here (write, fsync/fdatasync of a file or of its folder, rename) lets
its OSError through: a failed barrier is a failed write, never a warning, and the caller words
it with :func:`describe_os_error`. Only clean-up of our own temp files may fail quietly.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

try:  # macOS: fsync stops at the drive's cache; F_FULLFSYNC does not.
    import fcntl

    _FULLFSYNC: int | None = getattr(fcntl, "F_FULLFSYNC", None)
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    _FULLFSYNC = None

PRIVATE = 0o600
PRIVATE_DIR = 0o700

__all__ = [
    "PRIVATE", "PRIVATE_DIR", "atomic_write", "describe_os_error", "fsync_dir", "gc_paused", "make_private_dirs",
    "sync_data", "write_all", "write_new", "write_temp",
]


def describe_os_error(exc: OSError, path: Path) -> str:
    """What went wrong writing or reading ``path``, in words for the user."""
    parent = path.parent
    if isinstance(exc, FileNotFoundError):
        return f"the folder {parent} does not exist"
    if isinstance(exc, NotADirectoryError):
        return f"{parent} is not a folder"
    if isinstance(exc, FileExistsError) and exc.filename and Path(exc.filename) != path:
        return f"{exc.filename} is a file, not a folder"  # mkdir of a parent found a file
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, PermissionError):
        return f"permission denied ({exc.strerror or 'not allowed'})"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno == errno.EIO:
        return "input/output error: the disk may be failing"
    if exc.errno == errno.EFBIG:
        return "the file is larger than this system allows"
    return exc.strerror or str(exc)


def sync_data(fd: int) -> None:
    """Flush a file's data to the disk itself (fdatasync covers an append's size change).

    Raises on failure: the caller must treat the data as not written, and never call this
    again on the same data hoping for success (after a failed flush the kernel may have
    dropped the dirty pages, so a second flush "succeeds" over lost data).
    """
    if _FULLFSYNC is not None:
        try:
            fcntl.fcntl(fd, _FULLFSYNC)
        except OSError:
            pass  # not supported on this file system: fsync below, and *its* error counts
        else:
            return
    getattr(os, "fdatasync", os.fsync)(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable (not possible, nor needed, on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_temp(path: Path, data: bytes, mode: int = PRIVATE) -> tuple[str, os.stat_result]:
    """A temp file beside ``path`` holding ``data``, on disk, with ``mode``: the first half of
    every atomic write. The caller renames or links it into place; on failure it is removed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            write_all(fd, data)
            sync_data(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp, st


def atomic_write(
    path: Path, data: bytes, *, mode: int | None = PRIVATE, remove_if_unsynced: bool = False
) -> os.stat_result:
    """Replace ``path`` with ``data``: a temp file beside it, fsync, ``os.replace``, fsync dir.

    ``mode`` is the new file's permissions; ``None`` keeps those of the file being replaced
    (0600 for a new file). Returns the new file's stat. On any failure the OSError propagates
    for the caller to word and the temp file is removed. If the failure is the folder's fsync
    after the rename, ``path`` already holds the new (complete) data but its name may not
    survive a power cut: the caller must report the write as failed; ``remove_if_unsynced``
    then removes the new file again (for a file nothing may be built on, like a new journal).
    """
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = PRIVATE
    tmp, st = write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        fsync_dir(path.parent)
    except BaseException:
        if remove_if_unsynced:
            with suppress(OSError):
                os.unlink(path)
        raise
    return st


def write_new(path: Path, data: bytes, mode: int = PRIVATE) -> bool:
    """Write ``data`` to ``path`` only if no file is there (temp file + link). False if taken."""
    tmp, _st = write_temp(path, data, mode)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            # No hard links here (FAT, some network shares). The store's callers hold its lock,
            # so check-then-rename races with no other irlmeet.
            if path.exists():
                return False
            os.replace(tmp, path)
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    try:
        fsync_dir(path.parent)
    except BaseException:
        # Its name may not survive a power cut: take the file back, so the next try creates it
        # (and syncs the folder) again instead of trusting a name the disk did not confirm.
        with suppress(OSError):
            os.unlink(path)
        raise
    return True


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and missing parents, each 0700 (umask cannot widen it)."""
    missing: list[Path] = []
    p = directory
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, PRIVATE_DIR)
        except FileExistsError:
            continue
        try:
            os.chmod(d, PRIVATE_DIR)
            fsync_dir(d.parent)
        except BaseException:
            # Not durably there: remove it (it is empty), so the next run makes it again.
            with suppress(OSError):
                os.rmdir(d)
            raise


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many acyclic containers (loads, index builds).

    Each generation-0 overflow would otherwise rescan the growing heap: measured 0.7 s of a
    1.8 s store open, and 3.1 s -> 2.0 s for the place index build. The flag is process-wide
    and restored even on failure.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
