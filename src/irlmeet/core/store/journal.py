"""The journal beside the data file: its framing, parsing and appending.

One record per line, ``<crc32 as 8 hex digits> <orjson payload>\\n`` (orjson never emits a raw
newline). The first record is a header ``{"journal": 1, "gen": G, "schema": S}``; each later
one is ``{"ops": [...]}``, one Store call. A journal is created whole (header in a temp file,
fsync, rename, folder fsync) and appended to with one ``write`` and ``fdatasync`` per record.
See :mod:`irlmeet.core.store` for how the Store uses it and why.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from irlmeet.core.errors import CorruptDataFile
from irlmeet.core.fsutil import PRIVATE, atomic_write, sync_data, write_all

__all__ = ["FORMAT", "JournalRead", "JournalState", "append", "create", "exceeds", "frame", "parse", "unframe"]

#: The journal format this irlmeet writes (the header's ``"journal"``).
FORMAT = 1


def frame(payload: Mapping[str, Any]) -> bytes:
    """One journal line: CRC32 of the payload, a space, the payload, a newline."""
    body = orjson.dumps(payload)
    return b"%08x %s\n" % (zlib.crc32(body), body)


def exceeds(docs: Iterable[Any], limit: int) -> bool:
    """Whether a record putting ``docs`` is surely longer than ``limit`` bytes, told without
    encoding it: a write that big goes straight to a full rewrite, so framing it first
    (encoding every document, 0.1 s at 30k contacts) would be thrown away.

    Sums a lower bound of each document's JSON: its keys with their quotes, colons and commas,
    at least one byte per value and the braces (escaping and UTF-8 only make it longer). False
    means "not sure": the caller frames the record and measures it, as before.
    """
    floors: dict[tuple, int] = {}
    total = 0
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        keys = tuple(doc)
        floor = floors.get(keys)
        if floor is None:
            # {"k1":v,"k2":v}: 2 braces, per key its text + 2 quotes + colon + >= 1 value byte,
            # and a comma between pairs
            floor = floors[keys] = 2 + sum(len(k) + 4 for k in keys) + max(len(keys) - 1, 0)
        total += floor
        if total > limit:
            return True
    return False


def unframe(line: bytes) -> dict | None:
    """The payload of a journal line, or None if the line is torn or fails its CRC."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:]
    try:
        crc = int(line[:8], 16)
    except ValueError:
        return None
    if zlib.crc32(body) != crc:
        return None
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


@dataclass
class JournalRead:
    """The valid records in a stretch of journal bytes."""

    records: list[dict]
    end: int  # offset just after the last valid record
    torn: bool  # bytes after ``end`` that are not a record (an unacknowledged, cut-off write)


_RECORD_START = re.compile(rb"[0-9a-f]{0,8}\Z|[0-9a-f]{8} (\{|\Z)")


def parse(data: bytes, base: int, jpath: Path) -> JournalRead:
    """Split journal bytes into records.

    Only an *incomplete* last record (no newline yet: a write cut off by a crash, never
    acknowledged) is torn and ignored; it must still start like a record. A complete record
    that fails its checksum was acknowledged once and has rotted since, and bytes that are not
    records at all are not a journal: both are :class:`CorruptDataFile`, naming the offset.
    The one exception is a last line holding NUL bytes: the disk lost the pages of a write
    that was never flushed (orjson never writes a NUL), which is a torn write too.
    """
    records: list[dict] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            tail = data[pos:].rstrip(b"\0")
            if not _RECORD_START.match(tail[:10]):
                raise CorruptDataFile(
                    jpath,
                    f"the journal holds {len(data) - pos} bytes at byte {base + pos} that are not an "
                    "irlmeet journal record; the data file and journal were left as they are",
                )
            return JournalRead(records, base + pos, True)
        line = data[pos:nl]
        payload = unframe(line)
        if payload is None:
            if nl + 1 == len(data) and b"\0" in line and records:
                return JournalRead(records, base + pos, True)
            raise CorruptDataFile(
                jpath,
                f"journal record at byte {base + pos} is damaged (bad checksum or not a record); "
                "nothing was changed: restore the journal from a backup, or move it away to "
                "lose the changes it holds",
            )
        records.append(payload)
        pos = nl + 1
    return JournalRead(records, base + pos, False)


@dataclass
class JournalState:
    """What we know of the journal file: which inode, how far we have read, is it ours."""

    ino: int | None = None  # None: no journal on disk (as far as we know)
    off: int = 0  # end of the last record we have applied
    records: int = 0  # records after the header
    live: bool = False  # its header names our main file's generation; False: stale or absent


def append(path: Path, off: int, record: bytes) -> None:
    """Append ``record`` to the journal at ``path`` (which our state reads up to ``off``) and
    fdatasync it. Raises on failure, after cutting the record back.

    Bytes past ``off`` are a cut-off record from a writer that crashed (never acknowledged)
    and are cut away first. After a failed write or sync, cutting the record back is the last
    write through this file: never a second fsync hoping it works this time, which may
    "succeed" over pages the kernel dropped. The caller re-reads the disk before writing again.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    try:
        if os.fstat(fd).st_size != off:
            os.ftruncate(fd, off)
        try:
            write_all(fd, record)
            sync_data(fd)
        except BaseException:
            with suppress(OSError):  # rolling back, and already failing with the first error
                os.ftruncate(fd, off)
            raise
    finally:
        os.close(fd)


def create(path: Path, header: bytes) -> os.stat_result:
    """Put a new journal holding just ``header`` at ``path``, whole: temp file, fsync, rename,
    folder fsync. Returns its stat. Raises on failure, leaving no journal of ours behind: if
    only the folder's fsync failed, the journal's name may not survive a power cut, so no
    record may go into it; it is removed, and the next save creates it (and syncs) again.
    """
    return atomic_write(path, header, mode=PRIVATE, remove_if_unsynced=True)
