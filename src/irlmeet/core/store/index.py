"""The contacts index beside the data file, and the lazy contacts table it makes possible.

Why
---
At 30,000 contacts the main file is ~19 MB. Parsing it whole (0.14 s) and decoding every record
into a model (0.46 s) is what every command used to pay before doing anything, and the parsed
documents (89 MB) sat beside the models (21 MB) for the cycle collector to rescan. Most commands
need far less: ``trip list`` needs no contact at all, a near search or a plan the few hundred
people near one city, the contacts screen only names.

So the main file is kept in memory as its raw bytes (one object the collector never scans) and
each contact record is decoded from its byte span only when asked for (:class:`LazyDocs`,
:class:`LazyModels`). The spans, and what a near search or a list needs without decoding
(display name, each place's coordinates, metro and zone), live in ``<name>.index``:

    <crc32 of the payload as 8 hex digits> <orjson payload>

    payload = {"index": 1, "gen": G, "size": S, "mtime_ns": M, "ino": I, "contacts": [off, end],
               "rows": [[id, name, off, len, [[lat, lon, metro, tz], ...]], ...]}

The index is a cache of the main file, never the truth:

* it is tied to one main file: its generation, size, mtime and inode must all match the file just
  read, or it is stale; its checksum must match, or it is damaged. Either way it is rebuilt from
  a full parse of the main file (validating every record, as every open used to) and rewritten.
* it describes only the main file. The journal's records are replayed on top in memory at every
  open, exactly as before, so a write that reached the journal but no index is still seen.
* a compaction writes the new main file first and the index after it (temp file, fsync, rename,
  0600, like every file of ours). A failure to write the index is logged and ignored: the save
  is already durable, and the next open finds the index stale (old generation) and rebuilds it.
  A writer killed between the two leaves exactly that state.
* every span is checked when it is decoded (it must hold a record with that id), so a main file
  damaged in place under a matching index is :class:`CorruptDataFile`, never a wrong contact.

Records are validated when written (``put_*`` takes models; the journal's records are decoded at
replay) and when the index is rebuilt, so a record first read through the index needs no check
beyond its id.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from irlmeet.core.errors import CorruptDataFile
from irlmeet.core.fsutil import PRIVATE, atomic_write, describe_os_error
from irlmeet.core.store.codec import META, META_ID, BadRecord, decode_record

__all__ = [
    "FORMAT", "ContactPoint", "IndexRow", "LazyDocs", "LazyModels", "read_index", "row_from_model",
    "serialise", "write_index",
]

log = logging.getLogger(__name__)

FORMAT = 1
CONTACTS = "contacts"

_Span = tuple[int, int]
Fingerprint = tuple[int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns


class ContactPoint(NamedTuple):
    """One of a contact's places, as much as a near search needs (what ``near_filter`` reads)."""

    lat: float
    lon: float
    metro: str | None
    tz: str


class IndexRow(NamedTuple):
    """What is known about a contact without decoding it."""

    name: str
    points: tuple[ContactPoint, ...]


def row_from_model(contact: Any) -> IndexRow:
    return IndexRow(
        contact.name,
        tuple(ContactPoint(cp.place.lat, cp.place.lon, cp.place.metro, cp.place.tz) for cp in contact.places),
    )


# --------------------------------------------------------------------------------------------
# Writing the main file with its spans


def serialise(meta: Mapping[str, Any], tables: Mapping[str, Any], *, contacts_last: bool = True) -> tuple[bytes, dict[str, _Span], _Span]:
    """Main-file bytes (``_meta`` first, ``meta`` in place of the stored one), each contact's
    byte span in them, and the span of the whole contacts table.

    Contacts already in memory as bytes (a :class:`LazyDocs` span) are copied, not re-encoded.
    With ``contacts_last=False`` the tables keep their order, which makes the output identical
    to ``orjson.dumps`` of the same dict (used to check a file we did not just write).
    """
    head: dict[str, Any] = {META: {META_ID: dict(meta)}}
    order = [k for k in tables if k != META]
    if contacts_last and CONTACTS in order:
        order.remove(CONTACTS)
        order.append(CONTACTS)
    parts: list[Any] = []
    pos = 0
    spans: dict[str, _Span] = {}
    table_span: _Span = (0, 0)

    def put(b: Any) -> None:
        nonlocal pos
        parts.append(b)
        pos += len(b)

    pending: dict[str, Any] = dict(head)
    first = True
    for name in order:
        if name != CONTACTS:
            pending[name] = tables[name]
            continue
        # flush the tables before contacts as one orjson call, then write contacts by hand
        chunk = orjson.dumps(pending)[:-1]  # "{...": without its closing brace
        put(chunk)
        first = False
        pending = {}
        put(b',"contacts":{')
        start = pos - 1
        docs = tables[name]
        items = docs.raw_items() if isinstance(docs, LazyDocs) else docs.items()
        sep = b""
        for doc_id, doc in items:
            put(sep + orjson.dumps(doc_id) + b":")
            sep = b","
            if isinstance(doc, memoryview):
                spans[doc_id] = (pos, len(doc))
                put(doc)
            else:
                b = orjson.dumps(doc)
                spans[doc_id] = (pos, len(b))
                put(b)
        put(b"}")
        table_span = (start, pos)
    if first:
        return orjson.dumps(pending), spans, table_span
    if pending:
        rest = orjson.dumps(pending)  # "{...}" -> ",..." + "}"
        put(b"," + rest[1:])
    else:
        put(b"}")
    return b"".join(parts), spans, table_span


# --------------------------------------------------------------------------------------------
# The index file


def index_path(main: Path) -> Path:
    return main.with_name(main.name + ".index")


def write_index(
    main: Path, gen: str, fp: Fingerprint, table_span: _Span, spans: Mapping[str, _Span],
    rows: Mapping[str, IndexRow],
) -> bool:
    """Write the index for the main file just written or read (``fp``: its device, inode, size
    and mtime). Never raises OSError: the index is a cache, rebuilt on the next open if missing."""
    try:
        payload = orjson.dumps({
            "index": FORMAT, "gen": gen, "size": fp[2], "mtime_ns": fp[3], "ino": fp[1],
            "contacts": list(table_span),
            "rows": [
                [cid, row.name, span[0], span[1], [list(p) for p in row.points]]
                for cid, span in spans.items()
                for row in (rows[cid],)
            ],
        })
    except KeyError:  # a row is missing: write no index rather than a short one
        return False
    path = index_path(main)
    try:
        atomic_write(path, b"%08x " % zlib.crc32(payload) + payload, mode=PRIVATE)
    except OSError as exc:
        log.info("%s: the contacts index was not written (%s); it is rebuilt next time", main, describe_os_error(exc, path))
        return False
    return True


class Index(NamedTuple):
    table_span: _Span
    spans: dict[str, _Span]
    rows: dict[str, IndexRow]


def read_index(main: Path, gen: str, fp: Fingerprint) -> Index | None:
    """The index of the main file with generation ``gen`` and fingerprint ``fp``, or None if
    there is none, or it is for another file (stale), or it is damaged."""
    try:
        with open(index_path(main), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < 10 or data[8:9] != b" ":
        return None
    payload = memoryview(data)[9:]
    try:
        if int(data[:8], 16) != zlib.crc32(payload):
            return None
        doc = orjson.loads(payload)
    except (ValueError, orjson.JSONDecodeError):
        return None
    try:
        if (
            doc["index"] != FORMAT or doc["gen"] != gen or doc["size"] != fp[2]
            or doc["mtime_ns"] != fp[3] or doc["ino"] != fp[1]
        ):
            return None
        start, end = doc["contacts"]
        spans: dict[str, _Span] = {}
        rows: dict[str, IndexRow] = {}
        make = ContactPoint._make
        for cid, name, off, n, points in doc["rows"]:
            if not (start < off and off + n < end):
                return None
            spans[cid] = (off, n)
            rows[cid] = IndexRow(name, tuple(map(make, points)))
    except (KeyError, TypeError, ValueError):
        return None
    if not (0 < start < end <= fp[2]):
        return None
    return Index((start, end), spans, rows)


# --------------------------------------------------------------------------------------------
# The lazy contacts table


class LazyDocs(MutableMapping):
    """id -> raw contact document, decoded from the main file's bytes only when asked for.

    Each entry is a span into ``buf`` (as read from disk) or a document put since (journal
    replay, writes). Iteration order is the file's, then new ids, like a dict.
    """

    __slots__ = ("_entries", "buf", "path")

    def __init__(self, buf: bytes, spans: Mapping[str, _Span], path: Path) -> None:
        self.buf = buf
        self.path = path
        self._entries: dict[str, Any] = dict(spans)

    def span_bytes(self, doc_id: str) -> memoryview | None:
        v = self._entries[doc_id]
        if type(v) is tuple:
            return memoryview(self.buf)[v[0] : v[0] + v[1]]
        return None

    def __getitem__(self, doc_id: str) -> Any:
        v = self._entries[doc_id]
        if type(v) is not tuple:
            return v
        try:
            return orjson.loads(memoryview(self.buf)[v[0] : v[0] + v[1]])
        except orjson.JSONDecodeError:
            raise CorruptDataFile(
                self.path, f"contacts record {doc_id!r} is damaged (not JSON at byte {v[0]})"
            ) from None

    def __setitem__(self, doc_id: str, doc: Any) -> None:
        self._entries[doc_id] = doc

    def __delitem__(self, doc_id: str) -> None:
        del self._entries[doc_id]

    def pop(self, doc_id: str, *default: Any) -> Any:  # no decoding for a delete
        return self._entries.pop(doc_id, *default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._entries

    def copy(self) -> LazyDocs:
        new = LazyDocs.__new__(LazyDocs)
        new.buf, new.path, new._entries = self.buf, self.path, dict(self._entries)
        return new

    def raw_items(self) -> Iterator[tuple[str, Any]]:
        """(id, bytes as a memoryview, or the document) without decoding anything."""
        view = memoryview(self.buf)
        for doc_id, v in self._entries.items():
            if type(v) is tuple:
                yield doc_id, view[v[0] : v[0] + v[1]]
            else:
                yield doc_id, v

    def rebase(self, buf: bytes, spans: Mapping[str, _Span]) -> None:
        """After a rewrite: the new main file's bytes and spans hold every record."""
        self.buf = buf
        self._entries = dict(spans)


class LazyModels(MutableMapping):
    """id -> Contact, decoded from ``docs`` on first use and kept (a view over :class:`LazyDocs`:
    membership and order are the documents')."""

    __slots__ = ("cache", "cls", "docs")

    def __init__(self, docs: LazyDocs, cls: type, cache: dict[str, Any] | None = None) -> None:
        self.docs = docs
        self.cls = cls
        self.cache: dict[str, Any] = {} if cache is None else cache

    def __getitem__(self, doc_id: str) -> Any:
        try:
            return self.cache[doc_id]
        except KeyError:
            pass
        doc = self.docs[doc_id]  # KeyError if there is no such record
        try:
            model = decode_record(CONTACTS, self.cls, doc_id, doc)
        except BadRecord as exc:
            raise CorruptDataFile(self.docs.path, str(exc)) from None
        self.cache[doc_id] = model
        return model

    def __setitem__(self, doc_id: str, model: Any) -> None:
        self.cache[doc_id] = model

    def __delitem__(self, doc_id: str) -> None:
        self.cache.pop(doc_id, None)

    def pop(self, doc_id: str, *default: Any) -> Any:
        return self.cache.pop(doc_id, *default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.docs)

    def __len__(self) -> int:
        return len(self.docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.docs

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[i] for i in self.docs]

    def copy(self) -> dict[str, Any]:
        return dict(self.cache)
