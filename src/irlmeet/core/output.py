"""Where an exported file may be written: a regular file that is not one of irlmeet's own.

An export path is user input. Pointed at the data file, or at anything the store keeps beside
it (``<name>.journal``, ``<name>.lock``, ``<name>.v<N>.bak``, ``.<name>.*.tmp``), directly,
through a symlink or through a hard link, it would replace someone's contacts with a calendar.
:func:`export_target` refuses that before anything is written or changed, and refuses a folder,
FIFO, device or socket too. A symlink is followed: the file it points at is replaced
atomically and the link stays a link. A folder that cannot be entered or written is reported
by name.

The store's sibling files are matched by name prefix (every file the store makes is named
``<name>.…`` or ``.<name>.…``, see :mod:`irlmeet.core.store`), so a new kind of sibling is
protected without a change here, and by inode, so a hard link under any name is caught.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from irlmeet.core.errors import ExportError
from irlmeet.core.fsutil import describe_os_error

__all__ = ["export_target", "write_stream"]


def export_target(path: Path | str, *, data_file: Path, also_protected: Iterable[Path] = ()) -> Path:
    """The real file to write for the output path ``path`` (a symlink resolved to its target).

    Raises :class:`ExportError`, naming ``path`` and the reason, when it is irlmeet's data file
    or a file the store keeps beside it (also through a symlink or a hard link), one of
    ``also_protected`` (the config file), not a regular file, or in a folder that is missing,
    not a folder, or not writable.
    """
    given = Path(path).expanduser()
    real = Path(os.path.realpath(given))
    folder = real.parent
    try:
        folder_st = os.stat(folder)
    except FileNotFoundError:
        raise _refuse(given, f"the folder {folder} does not exist") from None
    except NotADirectoryError:
        raise _refuse(given, f"{_first_file_in(folder)} is a file, not a folder") from None
    except PermissionError:
        raise _refuse(given, f"the folder {folder} cannot be reached (permission denied)") from None
    except OSError as exc:
        raise _refuse(given, f"the folder {folder} cannot be reached ({exc.strerror or exc})") from None
    if not stat.S_ISDIR(folder_st.st_mode):
        raise _refuse(given, f"{folder} is not a folder")

    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None  # a new file (or a dangling symlink's target): fine
    except PermissionError:
        raise _refuse(given, "it cannot be read (permission denied)") from None
    except OSError as exc:  # ELOOP: a symlink loop, ENAMETOOLONG, ...
        raise _refuse(given, exc.strerror or str(exc)) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _refuse(given, _not_a_file(st.st_mode))

    data_file = Path(data_file)
    for base in _data_names(data_file):
        if _same_folder(folder, base.parent) and _is_sibling_name(real.name, base.name):
            kind = _kind_of(real.name, base.name, data_file)
            raise _refuse(given, f"it is {kind}; choose another file, e.g. trip.ics")
    if st is not None:  # a hard link to one of them, under any name, anywhere
        for kind, candidate in _own_files(data_file):
            if _same_inode(st, candidate):
                raise _refuse(given, f"it is another name (a hard link) for {kind}; choose another file, e.g. trip.ics")
    for candidate in also_protected:
        if _same_place(real, Path(candidate)) or (st is not None and _same_inode(st, Path(candidate))):
            raise _refuse(given, f"it is irlmeet's own file {candidate}; choose another file, e.g. trip.ics")
    _probe(given, folder, real.name)
    return real


# --------------------------------------------------------------------------------------------


def _refuse(path: Path, why: str) -> ExportError:
    return ExportError(f"{path}: will not write the calendar file there: {why}")


def _probe(given: Path, folder: Path, name: str) -> None:
    """Refuse early, before any meetup is synced, a folder the atomic write cannot create a file
    in: the one honest test is creating one (permission bits, ACLs, read-only mounts, sysfs, root).
    Where the system has them, an unnamed O_TMPFILE file is used: it vanishes on close, so a
    failing disk can never leave the probe behind."""
    try:
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)
        except (AttributeError, OSError) as exc:  # no O_TMPFILE here, or not on this file system
            if isinstance(exc, OSError) and exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with suppress(OSError):
                os.unlink(tmp)
        os.close(fd)
    except PermissionError:
        raise _refuse(given, f"the folder {folder} is not writable (permission denied)") from None
    except OSError as exc:
        why = describe_os_error(exc, folder / name)  # the same plain words as every other save
        raise _refuse(given, f"cannot create a file in the folder {folder}: {why}") from None


def _not_a_file(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "it is a folder; add a file name ending in .ics"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO (named pipe), not a file; use -o - to write to standard output"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a file; use -o - to write to standard output"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a file"
    return "it is not a regular file"


def _first_file_in(folder: Path) -> Path:
    """The ancestor of ``folder`` that exists but is a file (``notes.txt/out.ics``)."""
    for parent in [folder, *folder.parents]:
        if parent.exists() and not parent.is_dir():
            return parent
    return folder


def _data_names(data_file: Path) -> list[Path]:
    """The data file as configured (siblings are made beside this name) and its real path."""
    configured = Path(os.path.abspath(data_file.expanduser()))
    names = [configured, Path(os.path.realpath(configured.parent)) / configured.name]
    real = Path(os.path.realpath(configured))
    if real not in names:
        names.append(real)
    return names


def _is_sibling_name(name: str, data_name: str) -> bool:
    return name == data_name or name.startswith(f"{data_name}.") or name.startswith(f".{data_name}.")


def _own_files(data_file: Path) -> list[tuple[str, Path]]:
    """Every file the store has beside the data file now, with what it is."""
    found: dict[Path, str] = {}
    for base in _data_names(data_file):
        found.setdefault(base, f"irlmeet's data file {data_file}")
        try:
            entries = list(os.scandir(base.parent))
        except OSError:
            continue
        for entry in entries:
            if entry.name != base.name and _is_sibling_name(entry.name, base.name):
                found.setdefault(Path(entry.path), _kind_of(entry.name, base.name, data_file))
    return [(kind, path) for path, kind in found.items()]


def _kind_of(name: str, data_name: str, data_file: Path) -> str:
    if name == data_name:
        return f"irlmeet's data file {data_file}"
    rest = name[len(data_name):] if name.startswith(data_name) else name
    if rest == ".journal":
        return f"the journal of irlmeet's data file {data_file}"
    if rest == ".lock":
        return f"the lock file of irlmeet's data file {data_file}"
    if rest.endswith(".bak"):
        return f"a backup of irlmeet's data file {data_file}"
    return f"a file irlmeet keeps beside its data file {data_file}"


def _same_place(real: Path, candidate: Path) -> bool:
    return real == Path(os.path.realpath(candidate))


def _same_inode(st: os.stat_result, candidate: Path) -> bool:
    try:
        other = os.stat(candidate)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino)


def _same_folder(a: Path, b: Path) -> bool:
    if Path(os.path.realpath(a)) == Path(os.path.realpath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_stream(stream: BinaryIO, data: bytes) -> None:
    """Write ``data`` to an open binary stream (``-o -``: standard output) and flush it."""
    stream.write(data)
    stream.flush()
