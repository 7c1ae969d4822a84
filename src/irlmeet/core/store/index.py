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
(display name, each place's coordinates, metro and zone), live in ``<name>.index``, stored
by column so that reading it costs next to nothing and a command reads only the columns it
uses (``trip list`` none; a near search the points in one latitude band)::

    <crc32 of the rest as 8 hex digits> <orjson header>\n<columns>

    header = {"index": 2, "gen": G, "size": S, "mtime_ns": M, "ino": I, "contacts": [off, end],
              "n": contacts, "p": points, "order": "little"|"big", "cols": {name: [off, len]}}

    columns: ids, names, metros, tzs (orjson lists of strings); spans (int64 off, len per
    contact); pcount (uint32 points per contact); owner (uint32 contact of each point);
    lat, lon (float64 per point); metro, tz (int32 per point: position in metros/tzs, -1 none);
    bylat (uint32 points in latitude order) and latsorted (their latitudes, for bisect).

Format 1 (one orjson document of rows) cost 0.27 s to read at 30k, paid by every command.

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
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, KeysView, Mapping, MutableMapping
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from irlmeet.core.errors import CorruptDataFile
from irlmeet.core.fsutil import PRIVATE, atomic_write, describe_os_error
from irlmeet.core.store.codec import META, META_ID, BadRecord, decode_record

__all__ = [
    "FORMAT", "ContactPoint", "IndexRow", "LazyDocs", "LazyModels", "RowTable", "read_index",
    "row_from_model", "serialise", "write_index",
]

log = logging.getLogger(__name__)

FORMAT = 2
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
        ids = list(spans)
        names = [rows[cid].name for cid in ids]
    except KeyError:  # a row is missing: write no index rather than a short one
        return False
    span_col = array("q")
    pcount, owner = array("I"), array("I")
    lat, lon, metro, tz = array("d"), array("d"), array("i"), array("i")
    metros: dict[str, int] = {}
    tzs: dict[str, int] = {}
    for i, cid in enumerate(ids):
        span_col.extend(spans[cid])
        points = rows[cid].points
        pcount.append(len(points))
        for p in points:
            owner.append(i)
            lat.append(p.lat)
            lon.append(p.lon)
            metro.append(-1 if p.metro is None else metros.setdefault(p.metro, len(metros)))
            tz.append(tzs.setdefault(p.tz, len(tzs)))
    bylat = array("I", sorted(range(len(lat)), key=lat.__getitem__))
    latsorted = array("d", (lat[i] for i in bylat))
    cols: dict[str, bytes] = {
        "ids": orjson.dumps(ids), "names": orjson.dumps(names),
        "metros": orjson.dumps(list(metros)), "tzs": orjson.dumps(list(tzs)),
        "spans": span_col.tobytes(), "pcount": pcount.tobytes(), "owner": owner.tobytes(),
        "lat": lat.tobytes(), "lon": lon.tobytes(), "metro": metro.tobytes(), "tz": tz.tobytes(),
        "bylat": bylat.tobytes(), "latsorted": latsorted.tobytes(),
    }
    where: dict[str, list[int]] = {}
    pos = 0
    for name, b in cols.items():
        where[name] = [pos, len(b)]
        pos += len(b)
    header = orjson.dumps({
        "index": FORMAT, "gen": gen, "size": fp[2], "mtime_ns": fp[3], "ino": fp[1],
        "contacts": list(table_span), "n": len(ids), "p": len(lat), "order": sys.byteorder, "cols": where,
    })
    payload = b"".join([header, b"\n", *cols.values()])
    path = index_path(main)
    try:
        atomic_write(path, b"%08x " % zlib.crc32(payload) + payload, mode=PRIVATE)
    except OSError as exc:
        log.info("%s: the contacts index was not written (%s); it is rebuilt next time", main, describe_os_error(exc, path))
        return False
    return True


_TYPECODES = {"spans": "q", "pcount": "I", "owner": "I", "lat": "d", "lon": "d", "metro": "i", "tz": "i",
              "bylat": "I", "latsorted": "d"}
_LENGTHS = {"spans": lambda n, p: 2 * n, "pcount": lambda n, p: n, "owner": lambda n, p: p, "lat": lambda n, p: p,
            "lon": lambda n, p: p, "metro": lambda n, p: p, "tz": lambda n, p: p, "bylat": lambda n, p: p,
            "latsorted": lambda n, p: p}


class Columns:
    """The index's columns, each decoded on first use from the (checksummed) file bytes.

    Any column that does not have the length the header says makes the whole index invalid;
    :func:`read_index` checks all of that before a Columns is handed out, so no use can fail.
    """

    def __init__(self, body: memoryview, cols: Mapping[str, list[int]], n: int, p: int) -> None:
        self._body = body
        self._cols = cols
        self.n = n
        self.p = p

    def raw(self, name: str) -> memoryview:
        off, length = self._cols[name]
        return self._body[off : off + length]

    def _array(self, name: str) -> array:
        a = array(_TYPECODES[name])
        a.frombytes(self.raw(name))
        return a

    @cached_property
    def ids(self) -> list[str]:
        return orjson.loads(self.raw("ids"))

    @cached_property
    def names(self) -> list[str]:
        return orjson.loads(self.raw("names"))

    @cached_property
    def metros(self) -> list[str]:
        return orjson.loads(self.raw("metros"))

    @cached_property
    def tzs(self) -> list[str]:
        return orjson.loads(self.raw("tzs"))

    @cached_property
    def position(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids)}

    def __getattr__(self, name: str) -> array:  # the numeric columns, decoded once
        if name not in _TYPECODES:
            raise AttributeError(name)
        value = self._array(name)
        setattr(self, name, value)
        return value

    def spans(self) -> dict[str, _Span]:
        s = self._array("spans")
        return dict(zip(self.ids, zip(s[0::2], s[1::2], strict=True), strict=True))

    def point(self, i: int) -> ContactPoint:
        m, t = self.metro[i], self.tz[i]  # type: ignore[attr-defined]
        return ContactPoint(self.lat[i], self.lon[i], None if m < 0 else self.metros[m], self.tzs[t])  # type: ignore[attr-defined]

    def rows(self) -> dict[str, IndexRow]:
        """Every row as a dict (what a full list needs): built here, not stored in the file."""
        lat, lon, metro, tz = self.lat, self.lon, self.metro, self.tz  # type: ignore[attr-defined]
        metros, tzs = self.metros, self.tzs
        out: dict[str, IndexRow] = {}
        i = 0
        for cid, name, k in zip(self.ids, self.names, self.pcount, strict=True):  # type: ignore[attr-defined]
            pts = []
            for j in range(i, i + k):
                m = metro[j]
                pts.append(ContactPoint(lat[j], lon[j], None if m < 0 else metros[m], tzs[tz[j]]))
            i += k
            out[cid] = IndexRow(name, tuple(pts))
        return out

    def near_points(self, lat0: float, half_band: float, metro: str | None) -> list[int]:
        """The points within ``half_band`` degrees of latitude of ``lat0``, or in ``metro``:
        their indexes, in file order."""
        lats = self.latsorted  # type: ignore[attr-defined]
        lo = bisect_left(lats, lat0 - half_band)
        hi = bisect_right(lats, lat0 + half_band)
        found = set(self.bylat[lo:hi])  # type: ignore[attr-defined]
        if metro is not None:
            try:
                code = self.metros.index(metro)
            except ValueError:
                code = None
            if code is not None:
                found.update(i for i, m in enumerate(self.metro) if m == code)  # type: ignore[attr-defined]
        return sorted(found)


class Index(NamedTuple):
    table_span: _Span
    spans: Callable[[], dict[str, _Span]]
    columns: Columns


def read_index(main: Path, gen: str, fp: Fingerprint) -> Index | None:
    """The index of the main file with generation ``gen`` and fingerprint ``fp``, or None if
    there is none, or it is for another file (stale), or it is damaged. Reads the header and
    checks every column's checksum and length; decodes no column."""
    try:
        with open(index_path(main), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < 10 or data[8:9] != b" ":
        return None
    payload = memoryview(data)[9:]
    nl = data.find(b"\n", 9)
    try:
        if nl < 0 or int(data[:8], 16) != zlib.crc32(payload):
            return None
        doc = orjson.loads(payload[: nl - 9])
    except (ValueError, orjson.JSONDecodeError):
        return None
    body = payload[nl - 9 + 1 :]
    try:
        if (
            doc["index"] != FORMAT or doc["gen"] != gen or doc["size"] != fp[2]
            or doc["mtime_ns"] != fp[3] or doc["ino"] != fp[1] or doc["order"] != sys.byteorder
        ):
            return None
        start, end = doc["contacts"]
        n, p, cols = doc["n"], doc["p"], doc["cols"]
        for name, code in _TYPECODES.items():
            off, length = cols[name]
            if off < 0 or off + length > len(body) or length != _LENGTHS[name](n, p) * array(code).itemsize:
                return None
        for name in ("ids", "names", "metros", "tzs"):
            off, length = cols[name]
            if off < 0 or off + length > len(body):
                return None
    except (KeyError, TypeError, ValueError):
        return None
    if not (isinstance(start, int) and isinstance(end, int) and 0 < start < end <= fp[2]):
        return None
    columns = Columns(body, cols, n, p)

    def spans() -> dict[str, _Span]:
        """id -> span, each checked to lie inside the contacts table (else: damaged)."""
        try:
            got = columns.spans()
        except ValueError:
            raise CorruptDataFile(main, "the contacts index is damaged (its columns disagree); delete the .index file") from None
        for off, length in got.values():
            if not (start < off and off + length < end):
                raise CorruptDataFile(main, "the contacts index points outside the contacts table; delete the .index file")
        return got

    return Index((start, end), spans, columns)


class RowTable:
    """contact id -> :class:`IndexRow` for every contact: the index's columns (the main file as
    read) plus the changes made since (journal replay, writes), without building 30,000 rows
    until something needs them all (a full list). A near search reads only the points in a
    latitude band from the columns (:meth:`points_near`)."""

    def __init__(self, base: Columns | None = None, rows: dict[str, IndexRow] | None = None) -> None:
        self._base = base
        self._changes: dict[str, IndexRow | None] = {}  # since base; None: deleted
        self._rows = rows if rows is not None or base is not None else {}
        self._ids: dict[str, None] | None = None
        self._points: list[tuple[str, ContactPoint]] | None = None

    def rows(self) -> dict[str, IndexRow]:
        if self._rows is None:
            assert self._base is not None
            rows = self._base.rows()
            for cid, row in self._changes.items():
                if row is None:
                    rows.pop(cid, None)
                else:
                    rows[cid] = row
            self._rows = rows
        return self._rows

    def ids(self) -> KeysView[str]:
        """A live view of the ids (building no rows)."""
        if self._rows is not None:
            return self._rows.keys()
        if self._ids is None:
            assert self._base is not None
            ids = dict.fromkeys(self._base.ids)
            for cid, row in self._changes.items():
                if row is None:
                    ids.pop(cid, None)
                else:
                    ids[cid] = None
            self._ids = ids
        return self._ids.keys()

    def put(self, cid: str, row: IndexRow) -> None:
        self._points = None
        if self._base is not None:
            self._changes[cid] = row
        if self._rows is not None:
            self._rows[cid] = row
        if self._ids is not None:
            self._ids[cid] = None

    def delete(self, cid: str) -> None:
        self._points = None
        if self._base is not None:
            self._changes[cid] = None
        if self._rows is not None:
            self._rows.pop(cid, None)
        if self._ids is not None:
            self._ids.pop(cid, None)

    def copy(self) -> RowTable:
        new = RowTable.__new__(RowTable)
        new._base, new._changes = self._base, dict(self._changes)
        new._rows = None if self._rows is None else dict(self._rows)
        new._ids = None if self._ids is None else dict(self._ids)
        new._points = self._points
        return new

    def points(self) -> list[tuple[str, ContactPoint]]:
        """``(id, point)`` for every place of every contact (kept until the next change)."""
        if self._points is None:
            self._points = [(cid, p) for cid, row in self.rows().items() for p in row.points]
        return self._points

    def points_near(self, lat0: float, radius_km: float, metro: str | None) -> list[tuple[str, ContactPoint]]:
        """Every point within ``radius_km`` of latitude ``lat0`` (a band: a superset of those
        within ``radius_km`` of any place at that latitude) or in ``metro``, in stored order.
        A superset: the caller applies the exact test."""
        base = self._base
        if base is None or self._rows is not None and len(self._changes) > 64:
            return self.points()
        half_band = radius_km / 111.0 + 1e-6  # one degree of latitude is 111.19 km or more
        changes = self._changes
        owner, ids = base.owner, base.ids  # type: ignore[attr-defined]
        found: list[tuple[int, int, str, ContactPoint]] = []
        for i in base.near_points(lat0, half_band, metro):
            cid = ids[owner[i]]
            if cid not in changes:
                found.append((owner[i], i, cid, base.point(i)))
        if changes:
            position, n = base.position, base.n
            for k, (cid, row) in enumerate(changes.items()):
                if row is None:
                    continue
                at = position.get(cid, n + k)
                for j, p in enumerate(row.points):
                    found.append((at, j, cid, p))
            found.sort(key=lambda f: (f[0], f[1]))
        return [(cid, p) for _at, _j, cid, p in found]


# --------------------------------------------------------------------------------------------
# The lazy contacts table


class LazyDocs(MutableMapping):
    """id -> raw contact document, decoded from the main file's bytes only when asked for.

    Each entry is a span into ``buf`` (as read from disk) or a document put since (journal
    replay, writes). Iteration order is the file's, then new ids, like a dict.
    """

    __slots__ = ("_entries", "_spans", "buf", "path")

    def __init__(self, buf: bytes, spans: Mapping[str, _Span] | Callable[[], dict[str, _Span]], path: Path) -> None:
        self.buf = buf
        self.path = path
        if callable(spans):  # from the index: built when a contact is first needed
            self._spans = spans
        else:
            self._entries: dict[str, Any] = dict(spans)

    def __getattr__(self, name: str) -> Any:
        if name == "_entries":  # the slot is still empty: build it from the index now
            entries = self._spans()
            self._entries = entries
            self._spans = None
            return entries
        raise AttributeError(name)

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
        new.buf, new.path, new._entries, new._spans = self.buf, self.path, dict(self._entries), None
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
        self._spans = None


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
