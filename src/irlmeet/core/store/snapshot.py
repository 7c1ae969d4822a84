"""What is on disk, read: the main file and its journal as one snapshot of plain dicts.

The Store (:mod:`irlmeet.core.store.database`) reads a snapshot when it opens, after another
process folded the journal, or when its memory cannot be trusted; it checks whether the two
reads form one state (an unlocked read may be overtaken by a fold between them: see "Several
processes" in :mod:`irlmeet.core.store`). Nothing here writes.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from irlmeet.core.errors import CorruptDataFile, SchemaTooNew, StoreError
from irlmeet.core.models import Contact
from irlmeet.core.store.codec import (
    META,
    META_ID,
    BadRecord,
    apply_raw,
    check_shape,
    decode_record,
    describe_json_error,
    meta_from_head,
)
from irlmeet.core.store.index import Index, IndexRow, LazyDocs, read_index, row_from_model, serialise
from irlmeet.core.store.journal import FORMAT as JOURNAL_FORMAT
from irlmeet.core.store.journal import JournalState
from irlmeet.core.store.journal import parse as parse_journal
from irlmeet.core.store.migrations import SCHEMA_VERSION

__all__ = ["Fingerprint", "Rebuilt", "Snapshot", "fingerprint", "journal_matches", "open_regular", "read_snapshot"]

#: What tells us the main file was replaced by someone else: (device, inode, size, mtime ns).
Fingerprint = tuple[int, int, int, int]
#: A contacts index rebuilt from a main file parsed whole: the contacts table's byte span, each
#: contact's span and row, and whether the file is byte for byte what we would write (only
#: then do the spans address the file, so the index may be saved beside it).
Rebuilt = tuple[tuple[int, int], dict[str, tuple[int, int]], dict[str, IndexRow], bool]


def fingerprint(st: os.stat_result) -> Fingerprint:
    """What tells us the main file was replaced by someone else."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class Snapshot:
    """A main file plus its journal, read and replayed, not yet decoded."""

    raw: dict[str, Any]
    meta: dict[str, Any]
    schema: int
    fingerprint: Fingerprint
    main_bytes: bytes
    journal: JournalState
    journal_bytes: bytes
    touched: set[tuple[str, str]] = field(default_factory=set)
    # The contacts index: read from disk, or rebuilt from a full parse (then ``rebuilt``:
    # table span, spans and rows, and whether they may be saved as the file's index).
    index: Index | None = None
    rebuilt: Rebuilt | None = None


def parse_main(path: Path, data: bytes, fp: Fingerprint) -> tuple[Any, Index | None]:
    """The main file parsed without its contacts table, through the index if it is this
    file's (see :mod:`irlmeet.core.store.index`); else parsed whole (index None)."""
    head = meta_from_head(data[:4096])
    if head is not None and head.get("schema") == SCHEMA_VERSION and isinstance(head.get("generation"), str):
        index = read_index(path, head["generation"], fp)
        if index is not None:
            start, end = index.table_span
            try:
                raw = orjson.loads(data[:start] + b"{}" + data[end:])
            except orjson.JSONDecodeError:
                raw = None
            if isinstance(raw, dict) and raw.get("contacts") == {}:
                raw["contacts"] = LazyDocs(data, index.spans, path)
                return raw, index
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError as exc:
        raise CorruptDataFile(path, describe_json_error(exc, len(data))) from None

def rebuild_index(path: Path, raw: dict[str, Any], data: bytes) -> Rebuilt:
    """Validate every contact of a main file parsed whole and index them; the contacts
    table becomes lazy over the file's bytes. Also says whether the file is byte for byte
    what we would write (only then do its spans address the file, so the index may be saved)."""
    docs = raw.setdefault("contacts", {})
    rows: dict[str, IndexRow] = {}
    for cid, doc in docs.items():
        try:
            rows[cid] = row_from_model(decode_record("contacts", Contact, cid, doc))
        except BadRecord as exc:
            raise CorruptDataFile(path, str(exc)) from None
    canon, spans, table_span = serialise(raw[META][META_ID], raw, contacts_last=False)
    same = canon == data
    raw["contacts"] = LazyDocs(data if same else canon, spans, path)
    return table_span, spans, rows, same


def read_snapshot(path: Path, jpath: Path, data: bytes, fp: Fingerprint) -> Snapshot:
    """The main file (its bytes ``data``, fingerprint ``fp``) and its journal read now,
    replayed onto plain dicts (contacts: lazy). Writes nothing; whether the two reads form one
    state is the caller's to check (see ``Store._read_all``)."""
    raw, index = parse_main(path, data, fp)
    meta = check_shape(raw, path)
    schema = meta["schema"]
    if schema > SCHEMA_VERSION:
        raise SchemaTooNew(
            path,
            f"was written by a newer irlmeet (data schema {schema}; this irlmeet reads schema "
            f"{SCHEMA_VERSION} and older). Update irlmeet to open it; the file was not changed",
        )
    loaded = Snapshot(raw, meta, schema, fp, data, JournalState(), b"", index=index)
    if index is None and schema == SCHEMA_VERSION:
        loaded.rebuilt = rebuild_index(path, raw, data)
    gen = str(meta.get("generation", ""))
    try:
        fd = open_regular(jpath)
    except FileNotFoundError:
        return loaded
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        jdata = f.read()
    loaded.journal_bytes = jdata
    loaded.journal = JournalState(ino=st.st_ino)
    parsed = parse_journal(jdata, 0, jpath)
    if not parsed.records:
        return loaded  # empty, or only a cut-off header: nothing was ever acknowledged
    header, records = parsed.records[0], parsed.records[1:]
    if not journal_matches(jpath, header, gen, schema):
        return loaded  # stale: already folded into the main file by a compaction
    for rec in records:
        apply_raw(raw, rec.get("ops") or (), jpath, loaded.touched)
    loaded.journal = JournalState(ino=st.st_ino, off=parsed.end, records=len(records), live=True)
    return loaded


def journal_matches(jpath: Path, header: dict, gen: str, schema: int) -> bool:
    """Whether a journal header belongs to the main file we read (False: stale journal)."""
    if header.get("journal") != JOURNAL_FORMAT:
        raise CorruptDataFile(
            jpath, f"the journal does not start with an irlmeet journal header ({str(header)[:80]})"
        )
    if header.get("gen") != gen:
        return False
    if header.get("schema") != schema:
        raise CorruptDataFile(
            jpath,
            f"the journal is for data schema {header.get('schema')!r} but the data file is schema {schema}",
        )
    return True


def open_regular(path: Path) -> int:
    """Open ``path`` for reading; a FIFO or device is an error at once, never a hang."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        what = (
            "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode)
            else None
        )
        if what is None:  # a folder: the OSError's own words (see describe_os_error)
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        raise StoreError(path, f"is {what}, not a data file; point --data at a regular file")
    return fd
