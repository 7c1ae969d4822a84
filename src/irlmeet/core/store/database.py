"""The user's data file: contacts, trips, meetups and the profile, kept in memory and on disk.

Shape on disk
-------------
``<name>`` (the *main file*) is a TinyDB-shaped JSON object written with orjson::

    {"_meta":    {"meta": {"app": "irlmeet", "schema": 1, "generation": "9f2c..."}},
     "contacts": {"<id>": {...Contact.to_dict()...}, ...},
     "trips":    {"<id>": {...}}, "meetups": {"<id>": {...}},
     "profile":  {"me": {...Profile.to_dict()...}}}

Record keys are our own string ids (TinyDB's document ids), so "put" replaces by id and ids are
unique per table. ``schema`` is :data:`SCHEMA_VERSION`; an older file is migrated with
:data:`MIGRATIONS` (after copying it to ``<name>.v<N>.bak``), a newer one is refused with
:class:`SchemaTooNew`. A file without the ``_meta`` entry is not ours and is refused.

Why a journal, not only "temp file, fsync, os.replace"
------------------------------------------------------
The project's rule for the data file is: write a temp file in the same directory, fsync it,
``os.replace`` it over the old one, fsync the directory. That rule is kept for every rewrite of
the main file. But at 30,000 contacts the file is 13-19 MB: serialising it takes 35-80 ms and
writing and fsyncing it another ~50 ms, so a full rewrite per edit cannot make an edit durable
within the 50 ms the UI can afford. So each write is first made durable in an append-only journal
beside the file, ``<name>.journal``, and the full atomic rewrite ("compaction") happens only
now and then: when the journal passes :attr:`Store.JOURNAL_MAX_BYTES` or
:attr:`Store.JOURNAL_MAX_RECORDS`, when one write is larger than the byte limit (a bulk import
goes straight to a rewrite), after a migration, and on :meth:`Store.close`.

Journal format: one record per line, ``<crc32 as 8 hex digits> <orjson payload>\\n`` (orjson never
emits a raw newline). The first record is a header ``{"journal": 1, "gen": G, "schema": S}``;
each later one is ``{"ops": [["put", table, id, doc] | ["del", table, id], ...]}``, i.e. one
Store call, so a many-record call is all-or-nothing. A new journal is created whole (header in a
temp file, fsync, ``os.replace``); records are appended with one ``write`` and ``fdatasync``.

Crash safety, case by case (a crash may happen at any instant):

* during an append: the record is incomplete (no newline yet); it was never acknowledged. On
  open it is ignored; the next writer truncates it away before appending. A *complete* record
  that fails its CRC cannot come from a crash, so that is :class:`CorruptDataFile` (see
  :func:`irlmeet.core.store.journal.parse`).
* during a rewrite: the temp file is abandoned and the old main file is intact (``os.replace``
  is atomic); the journal still holds the changes.
* between the rewrite and removing the journal: the main file now carries a new random
  ``generation``; the old journal's header names the old one, so it is recognised as stale and
  ignored (it is already folded in), and replaced by the next writer. A journal is replayed only
  onto the main file whose generation it names, so it is never applied twice.

A save is done only when the disk says so
------------------------------------------
Every durability barrier on the way to a save (open, write, ftruncate, fsync/fdatasync of a file
or of its folder, rename, mkdir) that fails, fails the save: a :class:`StoreError` naming the
data file in plain words ("the disk is full", "the file system is read-only", "input/output
error: the disk may be failing; nothing was saved"), and the state before it is what the next
reader sees: an appended record is cut back, a journal or data file or folder just created is
removed again, the old main file is left in place. A failed fsync is never retried and trusted
(after one, the kernel may have dropped the dirty pages; PostgreSQL's "fsyncgate"): cutting the
record back is the last write through that file, and the next write re-reads the disk. A fold
(compaction) removes the journal only after the new main file *and* the folder's fsync after its
rename succeeded; if it fails, the journal keeps every acknowledged change, the temp file is
removed, one warning line is logged and the next irlmeet folds again (a journal left stale by
an unfinished fold is folded again before it is replaced). ``tests/test_store_faults.py`` fails
the 1st, 2nd, 3rd... system call of every kind of save and checks all of this, SQLite-style.

Bit rot is never silent: a complete journal record that fails its checksum, bytes that are
not records, or a record with a key irlmeet does not write is :class:`CorruptDataFile` naming
the file and offset (or table, id and field), and nothing is folded or rewritten while it
stands. Only an incomplete last record is a torn write, ignored and later cut off.

The user's file is the user's: a data file without its owner's write bit (0444), or owned by
another user, is opened read-only (reads work, writes are refused with a clear message, and it
is never chmod-ed, replaced or folded into); a FIFO or device is refused at once.

Several processes
-----------------
TinyDB is not made for several processes. Every write takes ``<name>.lock`` (filelock, fcntl),
then catches up with what other processes did since we last looked (main file replaced: its
inode, size or mtime changed -> reload it; journal grew -> replay the new records), then
appends. Nothing is lost: the second writer's journal record lands after the first's.

A compaction made after catching up records where it started (``_meta.base``: generation +
journal offset); a process standing at that same point adopts the new file from its first
4 KB instead of re-reading it all (~0.5 s at 30k). A rewrite that carries new changes (a bulk
write) records no base, so everyone else reloads it.

Opening and :meth:`Store.reload` read without the lock: the main file is only ever replaced
(never changed in place) and the journal only appended, so a reader always sees some state
that was real; a half-appended record looks torn and is simply not read yet.

Memory
------
TinyDB is the document store, over a storage that keeps the tables in memory (``read()``
returns them, ``write()`` swaps them): durability is this module's job, not the storage's.
TinyDB's stock ``Table`` rebuilds the whole table dict on every write (~19 ms at 30k); our
table class updates the dict in place instead, which is safe because no one else holds it.
Decoded model objects are cached beside the raw documents, so reads return ready objects and
never touch the disk after open (except :meth:`Store.reload`). Opening validates every record
(a bad one is :class:`CorruptDataFile` at open, not a surprise later); at 30k contacts that is
most of the ~1 s an open costs, so open the store off the UI thread.

Files are created 0600 (main file, journal, lock, temp files, backups) and directories this
module creates are 0700. An existing directory keeps its mode: it may be the user's own.

A 0-byte main file is refused as corrupt: this module never writes one (every write is a full
temp file renamed into place), so an empty file means something else truncated the data, and
starting a fresh database on top of it would hide that. Delete it to start afresh.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from irlmeet.core.errors import (
    CorruptDataFile,
    NotFound,
    SchemaTooNew,
    StoreClosed,
    StoreError,
    StoreLocked,
)
from irlmeet.core.fsutil import PRIVATE as _FILE_MODE
from irlmeet.core.fsutil import atomic_write as _atomic_write
from irlmeet.core.fsutil import describe_os_error as _describe_os_error
from irlmeet.core.fsutil import fsync_dir as _fsync_dir
from irlmeet.core.fsutil import gc_paused as _gc_paused
from irlmeet.core.fsutil import make_private_dirs as _make_private_dirs
from irlmeet.core.fsutil import write_new as _write_new
from irlmeet.core.fsutil import write_temp as _write_temp
from irlmeet.core.models import (
    Contact,
    Meetup,
    Profile,
    Trip,
)
from irlmeet.core.store.codec import APP
from irlmeet.core.store.codec import KINDS as _KINDS
from irlmeet.core.store.codec import META as _META
from irlmeet.core.store.codec import META_ID as _META_ID
from irlmeet.core.store.codec import PROFILE as _PROFILE
from irlmeet.core.store.codec import PROFILE_ID as _PROFILE_ID
from irlmeet.core.store.codec import BadRecord as _BadRecord
from irlmeet.core.store.codec import apply_raw as _apply_raw
from irlmeet.core.store.codec import check_op as _check_op
from irlmeet.core.store.codec import check_shape as _check_shape
from irlmeet.core.store.codec import decode_all as _decode_all
from irlmeet.core.store.codec import decode_record as _decode_record
from irlmeet.core.store.codec import describe_json_error as _describe_json_error
from irlmeet.core.store.codec import meta_from_head as _meta_from_head
from irlmeet.core.store.index import ContactPoint, IndexRow
from irlmeet.core.store.index import Index as _Index
from irlmeet.core.store.index import LazyDocs as _LazyDocs
from irlmeet.core.store.index import LazyModels as _LazyModels
from irlmeet.core.store.index import RowTable as _RowTable
from irlmeet.core.store.index import read_index as _read_index
from irlmeet.core.store.index import row_from_model as _row_from_model
from irlmeet.core.store.index import serialise as _serialise
from irlmeet.core.store.index import write_index as _write_index
from irlmeet.core.store.journal import FORMAT as _JOURNAL_FORMAT
from irlmeet.core.store.journal import JournalRead as _JournalRead
from irlmeet.core.store.journal import JournalState as _Journal
from irlmeet.core.store.journal import append as _append_record
from irlmeet.core.store.journal import create as _create_journal
from irlmeet.core.store.journal import exceeds as _exceeds
from irlmeet.core.store.journal import frame as _frame
from irlmeet.core.store.journal import parse as _parse_journal
from irlmeet.core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from irlmeet.core.store.migrations import backup as _backup
from irlmeet.core.store.migrations import run_steps as _run_steps

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store"]

log = logging.getLogger(__name__)

# How long close() waits for the lock to fold the journal in; skipping it loses nothing.
_CLOSE_LOCK_TIMEOUT = 0.5

# One change: ("put", table, id, raw doc, model) or ("del", table, id, None, None).
_Op = tuple[str, str, str, Any, Any]
_Fingerprint = tuple[int, int, int, int]


# --------------------------------------------------------------------------------------------
# TinyDB pieces


class _MemoryStorage(Storage):
    """TinyDB storage over a dict in memory: reads are free, writes swap the dict.

    Durability is the Store's job (journal + atomic rewrite), done once per Store call rather
    than once per TinyDB table operation.
    """

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, dict[str, Any]] = {}

    def read(self) -> dict[str, dict[str, Any]]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data

    def serialise(self, meta: Mapping[str, Any]) -> bytes:
        """The whole database as main-file bytes, with ``meta`` in place of the stored one.

        ``_meta`` goes first: another process reads just the file's head to see whether it can
        adopt a compaction without reloading (see ``Store._adopt_compaction``).
        """
        return _serialise(meta, self.data)[0]


class _Table(Table):
    """A TinyDB table keyed by our string ids, updated in place.

    The stock ``_update_table`` copies the table twice per write to convert id types; with
    string ids and a private in-memory storage there is nothing to convert, and at 30k
    records those copies are most of an edit's cost.
    """

    document_id_class = str

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        tables = self._storage.read()
        table = tables.get(self.name)
        if table is None:
            table = tables[self.name] = {}
        updater(table)
        self._storage.write(tables)
        self.clear_cache()

    def apply(self, changes: Iterable[tuple[str, str, Any]]) -> None:
        """Apply ``(op, id, doc)`` changes: "put" replaces or appends, "del" removes."""

        def updater(table: dict) -> None:
            for op, doc_id, doc in changes:
                if op == "put":
                    table[doc_id] = doc
                else:
                    table.pop(doc_id, None)

        self._update_table(updater)

    def raw(self) -> dict[str, Any]:
        """The live id -> document dict (do not mutate)."""
        return self._read_table()


class _DB(TinyDB):
    table_class = _Table


# --------------------------------------------------------------------------------------------
# Small file helpers


def _new_meta() -> dict[str, Any]:
    """The ``_meta`` document for a file written now: a fresh generation token."""
    return {"app": APP, "schema": SCHEMA_VERSION, "generation": secrets.token_hex(8)}


def _fingerprint(st: os.stat_result) -> _Fingerprint:
    """What tells us the main file was replaced by someone else."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class _Loaded:
    """A main file plus its journal, read and replayed, not yet decoded."""

    raw: dict[str, Any]
    meta: dict[str, Any]
    schema: int
    fingerprint: _Fingerprint
    main_bytes: bytes
    journal: _Journal
    journal_bytes: bytes
    touched: set[tuple[str, str]] = field(default_factory=set)
    # The contacts index: read from disk, or rebuilt from a full parse (then ``rebuilt``:
    # table span, spans and rows, and whether they may be saved as the file's index).
    index: _Index | None = None
    rebuilt: tuple[tuple[int, int], dict[str, tuple[int, int]], dict[str, IndexRow], bool] | None = None


# --------------------------------------------------------------------------------------------
# The store


class Store:
    """The user's data, loaded whole into memory; every write durable on disk when it returns.

    Open with ``Store(path)`` (creates a new database if the file is missing) and close with
    :meth:`close` or a ``with`` block. Thread-safe; several processes may share one file.
    """

    #: Fold the journal into the main file once it is this big (bytes) ...
    JOURNAL_MAX_BYTES = 4 * 1024 * 1024
    #: ... or holds this many records. A single write bigger than the byte limit skips the
    #: journal and rewrites the file directly.
    JOURNAL_MAX_RECORDS = 500
    #: ``close(fold_small=False)`` (a one-shot command) leaves a journal smaller than this
    #: (bytes, records) unfolded when the main file is at least CLOSE_FOLD_MAIN_BYTES: folding
    #: rewrites the whole main file (~19 MB at 30k), most of what a one-line edit from the
    #: command line would otherwise cost. A small main file is folded as before (it is cheap).
    CLOSE_FOLD_BYTES = 256 * 1024
    CLOSE_FOLD_RECORDS = 64
    CLOSE_FOLD_MAIN_BYTES = 1024 * 1024

    path: Path

    def __init__(
        self,
        path: Path,
        *,
        lock_timeout: float = 10.0,
        migrations: Mapping[int, Callable[[dict], dict]] | None = None,
    ) -> None:
        self.path = Path(path)
        self._journal_path = self.path.with_name(self.path.name + ".journal")
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_timeout = lock_timeout
        self._migrations = MIGRATIONS if migrations is None else migrations
        self._mutex = threading.RLock()
        self._closed = False
        self._db = _DB(storage=_MemoryStorage)
        self._models: dict[str, dict[str, Any]] = {t: {} for t in _KINDS}
        self._rows = _RowTable()  # contact id -> name and places, without decoding
        self._profile = Profile()
        self._gen = ""
        self._main_fp: _Fingerprint = (0, 0, 0, 0)
        self._journal = _Journal()
        self._tx: list[_Op] | None = None  # ops collected by an open transaction()
        # Set after any failed durability barrier: what is on disk is unknown, so the next
        # write re-reads it all rather than writing through a file the disk failed on.
        self._reread = False
        # Why the data file may not be written (read-only, someone else's), or None.
        self._read_only: str | None = None

        self._flock = FileLock(str(self._lock_path), timeout=lock_timeout, mode=_FILE_MODE, thread_local=False)
        with self._os_errors("cannot open the data file"):
            _make_private_dirs(self.path.parent)
            if not self.path.exists():
                with self._locked():
                    if not self.path.exists():
                        self._create_new()
            self._load(locked=False)

    @contextmanager
    def _os_errors(self, doing: str, tail: str = "") -> Iterator[None]:
        """An OSError (disk full, permissions, a folder where the file should be) becomes a
        StoreError naming the data file, like every other problem with it."""
        try:
            yield
        except OSError as exc:
            raise StoreError(self.path, f"{doing}: {_describe_os_error(exc, self.path)}{tail}") from exc

    # ---------------------------------------------------------------- lifecycle

    def close(self, *, fold_small: bool = True) -> None:
        """Fold the journal into the main file if the lock is free, then refuse further use.

        The compaction is a courtesy (the journal is already durable), so a busy lock or a
        failed rewrite is logged, not raised. ``fold_small=False`` (a one-shot command) leaves
        a small live journal beside a big main file for a later fold (see
        :attr:`CLOSE_FOLD_BYTES`); a stale journal left by an unfinished fold is always folded.
        """
        with self._mutex:
            if self._closed:
                return
            j = self._journal
            small = (
                j.live and j.records < self.CLOSE_FOLD_RECORDS and j.off < self.CLOSE_FOLD_BYTES
                and self._main_fp[2] >= self.CLOSE_FOLD_MAIN_BYTES and not self._reread
            )
            try:
                if fold_small is False and small:
                    pass  # durable in the journal; the next fold (a big journal, the app) takes it
                elif self._read_only is None and self._journal_path.exists():
                    with self._locked(timeout=_CLOSE_LOCK_TIMEOUT):
                        self._sync(locked=True)
                        if self._needs_fold() and self._read_only is None:
                            self._compact()
            except StoreError as exc:
                log.warning("%s: the journal was not folded into the data file on close: %s", self.path, exc)
            except OSError as exc:
                self._warn_fold_failed(exc)
            finally:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._models['contacts'])} contacts"
        return f"<Store {str(self.path)!r} {state}>"

    # ---------------------------------------------------------------- reads (memory only)

    def contacts(self) -> list[Contact]:
        self._check_open()
        return list(self._models["contacts"].values())

    def contact(self, id: str) -> Contact:
        return self._get("contacts", id)

    def contact_points(self) -> list[tuple[str, ContactPoint]]:
        """``(contact id, point)`` for every place of every contact, decoding none of them:
        what a near search filters on (``lat``, ``lon``, ``metro``, ``tz``)."""
        self._check_open()
        return self._rows.points()  # kept until the next change: a plan at 30k builds no list

    def contact_points_near(self, lat: float, radius_km: float, metro: str | None = None) -> list[tuple[str, ContactPoint]]:
        """``(contact id, point)`` for every place within ``radius_km`` of latitude ``lat`` or in
        ``metro``, in stored order: a superset of the points near any place at that latitude
        (apply the exact test, e.g. ``near_filter``), read from the index's latitude order."""
        self._check_open()
        return self._rows.points_near(lat, radius_km, metro)

    def contact_ids(self) -> KeysView[str]:
        """Every contact id (a live, read-only view: ``id in store.contact_ids()``)."""
        self._check_open()
        return self._rows.ids()

    def contact_names(self) -> list[tuple[str, str]]:
        """``(id, name)`` of every contact, in stored order, decoding none of them."""
        self._check_open()
        return [(cid, row.name) for cid, row in self._rows.rows().items()]

    def contacts_by_id(self, ids: Iterable[str]) -> list[Contact]:
        """The contacts with these ids (decoded now if not yet), skipping ids that are gone."""
        self._check_open()
        models = self._models["contacts"]
        return [models[i] for i in dict.fromkeys(ids) if i in models]

    def trips(self) -> list[Trip]:
        self._check_open()
        return list(self._models["trips"].values())

    def trip(self, id: str) -> Trip:
        return self._get("trips", id)

    def meetups(self, trip_id: str | None = None) -> list[Meetup]:
        self._check_open()
        meetups = list(self._models["meetups"].values())
        if trip_id is None:
            return meetups
        return [m for m in meetups if m.trip_id == trip_id]

    def meetup(self, id: str) -> Meetup:
        return self._get("meetups", id)

    def profile(self) -> Profile:
        self._check_open()
        return self._profile

    def count(self, kind: str) -> int:
        self._check_open()
        if kind not in _KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(_KINDS)}")
        return len(self._models[kind])

    # ---------------------------------------------------------------- writes

    def put_contact(self, c: Contact) -> None:
        self.put_contacts([c])

    def put_contacts(self, cs: Iterable[Contact]) -> None:
        self._commit(self._puts("contacts", cs))

    def delete_contact(self, id: str) -> None:
        self._commit(lambda: [self._delete_op("contacts", id)])

    def put_trip(self, t: Trip) -> None:
        self._commit(self._puts("trips", [t]))

    def delete_trip(self, id: str) -> None:
        """Delete a trip and every meetup planned on it, in one all-or-nothing write."""

        def ops() -> list[_Op]:
            first = self._delete_op("trips", id)
            return [first] + [
                ("del", "meetups", m.id, None, None)
                for m in self._models["meetups"].values()
                if m.trip_id == id
            ]

        self._commit(ops)

    def put_meetup(self, m: Meetup) -> None:
        self.put_meetups([m])

    def put_meetups(self, ms: Iterable[Meetup]) -> None:
        self._commit(self._puts("meetups", ms))

    def delete_meetup(self, id: str) -> None:
        self._commit(lambda: [self._delete_op("meetups", id)])

    def set_profile(self, p: Profile) -> None:
        if not isinstance(p, Profile):
            raise TypeError(f"set_profile() takes a Profile, not {type(p).__name__}")
        self._commit([("put", _PROFILE, _PROFILE_ID, p.to_dict(), p)])

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """Read-modify-write on fresh state: ``with store.transaction(): ...``.

        Takes the write lock (this process's and other processes'), catches up with what other
        processes wrote, and holds the lock for the whole block, so what the block reads
        (``contact()``, ``meetups()``, ``profile()``, ...) is current and nobody can write in
        between. The writes the block makes (``put_*``, ``delete_*``, ``set_profile``) are
        collected and committed when it ends, as ONE journal record: all of them or none. If
        the block raises, nothing is written. Reads inside the block see the state as it was
        when the block began, not the block's own pending writes. A transaction opened inside
        another (same thread) joins it. Keep blocks short: other irlmeet processes wait.
        """
        with self._mutex:
            self._check_open()
            if self._tx is not None:  # nested: part of the enclosing transaction
                yield self
                return
            with ExitStack() as held:
                with self._os_errors("cannot read the data file"):
                    held.enter_context(self._locked())
                    with _gc_paused():
                        self._sync(locked=True)
                self._tx = []
                try:
                    yield self
                    ops = self._tx
                finally:
                    self._tx = None
                if ops:
                    self._commit(ops)  # re-enters the lock we hold; catching up again is a stat

    def reload(self) -> None:
        """Pick up changes other processes made since we last looked (reads no more than needed)."""
        with self._mutex, self._os_errors("cannot read the data file"):
            self._check_open()
            self._sync(locked=False)

    def changed_on_disk(self) -> bool:
        """Cheap (two ``stat`` calls): has another process written since we last looked?

        True means :meth:`reload` has something to read; our own writes never make it True.
        """
        with self._mutex:
            self._check_open()
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                return True  # reload() says what is wrong
            if _fingerprint(st) != self._main_fp:
                return True
            j = self._journal
            try:
                jst = os.stat(self._journal_path)
            except FileNotFoundError:
                return j.live
            if jst.st_ino != j.ino:
                return True
            return j.live and jst.st_size != j.off

    def compact(self) -> None:
        """Fold the journal into the main file now (atomic rewrite), and drop the journal."""
        with self._mutex, self._os_errors(
            "cannot rewrite the data file", "; the journal still holds every saved change"
        ):
            self._check_open()
            with self._locked():
                self._sync(locked=True)
                self._check_writable()
                self._compact()

    # ---------------------------------------------------------------- write machinery

    def _puts(self, table: str, items: Iterable[Any]) -> list[_Op]:
        """Check and encode records before taking the lock (a bulk import encodes 30k dicts)."""
        self._check_open()
        cls = _KINDS[table][1]
        ops: list[_Op] = []
        with _gc_paused():
            for item in items:
                if not isinstance(item, cls):
                    raise TypeError(f"{table} takes {cls.__name__} objects, not {type(item).__name__}")
                ops.append(("put", table, item.id, item.to_dict(), item))
        return ops

    def _delete_op(self, table: str, doc_id: str) -> _Op:
        if doc_id not in self._models[table]:
            raise NotFound(_KINDS[table][0], doc_id)
        return ("del", table, doc_id, None, None)

    def _commit(self, build: list[_Op] | Callable[[], list[_Op]]) -> None:
        """Catch up with other processes, then make the ops durable and visible.

        A callable ``build`` runs under the lock, after catching up, so deletes see the
        current records.
        """
        with self._mutex, self._os_errors("could not save the change", "; nothing was saved"):
            self._check_open()
            if self._tx is not None:  # inside transaction() (this thread holds the mutex)
                self._tx.extend(build() if callable(build) else build)
                return
            with self._locked(), _gc_paused():
                self._sync(locked=True)
                self._check_writable()
                ops = build() if callable(build) else build
                if not ops:
                    return
                self._remove_orphan_temps()
                if _exceeds((d for k, _, _, d, _ in ops if k == "put"), self.JOURNAL_MAX_BYTES):
                    self._rewrite_with(ops)  # what the framed record's length would decide below
                    return
                record = _frame({"ops": [[k, t, i, d] if k == "put" else [k, t, i] for k, t, i, d, _ in ops]})
                if len(record) > self.JOURNAL_MAX_BYTES:
                    self._rewrite_with(ops)
                    return
                if self._journal.ino is not None and not self._journal.live:
                    # A stale journal: an earlier fold renamed the new main file in but did not
                    # finish. Fold again (fresh file, fsync, rename, folder fsync) before the
                    # journal is replaced, so nothing rests on a name the disk did not confirm.
                    self._compact()
                self._append(record)
                self._apply(ops)
                if self._journal.records >= self.JOURNAL_MAX_RECORDS or self._journal.off >= self.JOURNAL_MAX_BYTES:
                    try:
                        self._compact()
                    except OSError as exc:  # the write itself is durable in the journal
                        self._warn_fold_failed(exc)

    def _apply(self, ops: list[_Op]) -> None:
        """Apply ops to TinyDB and the model cache (cannot fail halfway: plain dict updates)."""
        by_table: dict[str, list[tuple[str, str, Any]]] = {}
        for kind, table, doc_id, doc, model in ops:
            by_table.setdefault(table, []).append((kind, doc_id, doc))
            if table == _PROFILE:
                self._profile = model if kind == "put" else Profile()
            elif table in self._models:
                if kind == "put":
                    self._models[table][doc_id] = model
                else:
                    self._models[table].pop(doc_id, None)
                if table == "contacts":
                    if kind == "put":
                        self._rows.put(doc_id, _row_from_model(model))
                    else:
                        self._rows.delete(doc_id)
        for table, changes in by_table.items():
            self._db.table(table).apply(changes)

    def _rewrite_with(self, ops: list[_Op]) -> None:
        """A write too big for the journal: apply in memory, rewrite the file, undo on failure."""
        storage = self._storage
        tables = {t for _, t, _, _, _ in ops}
        saved_raw = {t: storage.data[t].copy() if t in storage.data else None for t in tables}
        saved_models = {t: self._models[t].copy() for t in tables if t in self._models}
        saved_rows = self._rows.copy()
        saved_profile = self._profile
        old_meta = dict(self._db.table(_META).raw().get(_META_ID) or {})
        self._apply(ops)
        try:
            self._compact(as_on_disk=False)
        except BaseException:
            self._reread = True
            for t, docs in saved_raw.items():
                if docs is None:
                    storage.data.pop(t, None)
                else:
                    storage.data[t] = docs
            self._models.update(saved_models)
            if isinstance(storage.data.get("contacts"), _LazyDocs) and "contacts" in saved_models:
                self._models["contacts"] = _LazyModels(storage.data["contacts"], Contact, saved_models["contacts"])
            self._rows = saved_rows
            self._profile = saved_profile
            for t in tables:
                self._db.table(t).clear_cache()
            if self._main_replaced_by_us():
                # The rename happened but the folder's fsync failed: put the old state back
                # under its old generation (its journal stays valid), so the failed save is
                # not visible to the next command.
                with suppress(OSError):
                    tmp, _st = _write_temp(self.path, storage.serialise(old_meta), _FILE_MODE)
                    try:
                        os.replace(tmp, self.path)
                    finally:
                        with suppress(OSError):
                            os.unlink(tmp)
            raise

    def _append(self, record: bytes) -> None:
        """Append one record to the journal and fdatasync it; on failure, cut it off again."""
        if not self._journal.live:
            self._start_journal()
        j = self._journal
        try:
            _append_record(self._journal_path, j.off, record)
        except BaseException:
            # Not saved; what is on disk is unknown, so the next write re-reads it.
            self._reread = True
            raise
        j.off += len(record)
        j.records += 1

    def _start_journal(self) -> None:
        """A fresh journal for the current generation, created whole (temp + replace)."""
        header = _frame({"journal": _JOURNAL_FORMAT, "gen": self._gen, "schema": SCHEMA_VERSION})
        try:
            st = _create_journal(self._journal_path, header)
        except BaseException:
            self._reread = True
            raise
        self._journal = _Journal(ino=st.st_ino, off=len(header), records=0, live=True)

    def _compact(self, *, as_on_disk: bool = True) -> None:
        """Atomically rewrite the main file with everything, under a new generation; drop the journal.

        ``as_on_disk``: our state is exactly the old main file plus the journal up to our offset
        (true after catching up, false when the rewrite carries new changes). Then the new file
        names that point as its ``base``, and another process that was at the same point can
        adopt the new file without re-reading it (see :meth:`_adopt_compaction`).
        """
        meta = _new_meta()
        if as_on_disk:
            meta["base"] = self._position()
        data, spans, table_span = _serialise(meta, self._storage.data)
        try:
            st = _atomic_write(self.path, data)
        except BaseException:
            # The journal stays (it is removed only after the new file *and* the folder's
            # fsync after its rename succeeded), and what is on disk is re-read next time.
            self._reread = True
            raise
        self._db.table(_META).apply([("put", _META_ID, meta)])
        self._gen = meta["generation"]
        self._main_fp = _fingerprint(st)
        docs = self._storage.data.get("contacts")
        if isinstance(docs, _LazyDocs):
            docs.rebase(data, spans)  # one copy: the bytes just written
        del data
        self._drop_journal()
        # After the data file, never before: a writer stopped in between leaves an index that
        # names the old generation, which the next open rebuilds. A failure here is only logged.
        if spans:
            _write_index(self.path, self._gen, self._main_fp, table_span, spans, self._rows.rows())

    def _main_replaced_by_us(self) -> bool:
        """Whether the main file on disk is no longer the one we read (we hold the lock)."""
        try:
            return _fingerprint(os.stat(self.path)) != self._main_fp
        except OSError:
            return False

    def _needs_fold(self) -> bool:
        """A live journal with records, or a stale one left by a fold that did not finish."""
        j = self._journal
        return (j.live and j.records > 0) or (not j.live and j.ino is not None)

    def _warn_fold_failed(self, exc: OSError) -> None:
        """One line: the fold failed, nothing is lost, the next irlmeet tries again."""
        log.warning(
            "%s: could not fold the journal into the data file (%s); every saved change is kept "
            "in %s and the next irlmeet will try again",
            self.path, _describe_os_error(exc, self.path), self._journal_path.name,
        )

    def _check_writable(self) -> None:
        if self._read_only is not None:
            raise StoreError(self.path, f"{self._read_only}; nothing was saved")

    def _note_owner_and_mode(self, st: os.stat_result) -> None:
        """The user's file is the user's: never write over one that is read-only or not ours.

        Checked from the mode bits, not by trying: root (as in CI, or a sudo'd shell) may write
        anywhere, but a 0444 file still means "do not change this".
        """
        euid = os.geteuid() if hasattr(os, "geteuid") else None
        if euid is not None and st.st_uid != euid:
            self._read_only = (
                f"belongs to another user (uid {st.st_uid}), so irlmeet only reads it and will not "
                "replace it with a file of its own; run irlmeet as that user to make changes"
            )
        elif not st.st_mode & stat.S_IWUSR:
            self._read_only = (
                f"is read-only (mode {stat.S_IMODE(st.st_mode):04o}), so irlmeet only reads it; "
                f"to make changes, make it writable (chmod u+w {self.path})"
            )
        else:
            self._read_only = None

    def _drop_journal(self) -> None:
        """After a rewrite: the old journal names the old generation, so removing it is tidying."""
        self._journal = _Journal()
        try:
            os.unlink(self._journal_path)
            _fsync_dir(self.path.parent)
        except FileNotFoundError:
            pass
        except OSError as exc:
            # Harmless: the journal names the old generation, so it is stale whether or not its
            # removal lasts; the next irlmeet folds again and removes it. Said once, not hidden.
            self._reread = True
            log.warning(
                "%s: the data file was saved, but its old journal %s could not be removed (%s); "
                "it will be tidied next time",
                self.path, self._journal_path.name, _describe_os_error(exc, self._journal_path),
            )
        self._remove_orphan_temps()

    def _remove_orphan_temps(self) -> None:
        """Delete temp files that killed writers left behind (we hold the lock, so none is live).

        Every temp file of ours is written under the lock and removed before it is released,
        unless the process died (SIGKILL, power loss) in between.
        """
        pattern = re.compile(
            rf"\.{re.escape(self.path.name)}(\.journal|\.index|\.v\d+(-\d+)?\.bak)?\.[a-z0-9_]{{8}}\.tmp"
        )
        with suppress(OSError):
            for entry in os.scandir(self.path.parent):
                if pattern.fullmatch(entry.name):
                    with suppress(OSError):
                        os.unlink(entry.path)

    # ---------------------------------------------------------------- reading the files

    def _create_new(self) -> None:
        """A new empty database; refuses if a journal shows a data file used to be here."""
        if self._journal_path.exists() and self._journal_path.stat().st_size > 0:
            raise CorruptDataFile(
                self.path,
                f"the data file is missing but its journal {self._journal_path.name} is there; "
                "restore the data file, or delete the journal to start a new database",
            )
        data = {_META: {_META_ID: _new_meta()}, "contacts": {}, "trips": {}, "meetups": {}, _PROFILE: {}}
        _write_new(self.path, orjson.dumps(data), _FILE_MODE)

    def _open_regular(self, path: Path) -> int:
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

    def _read_main(self) -> tuple[bytes, _Fingerprint]:
        try:
            fd = self._open_regular(self.path)
        except FileNotFoundError:
            raise StoreError(self.path, "the data file is gone (moved or deleted while irlmeet was using it)") from None
        with open(fd, "rb") as f:
            st = os.fstat(f.fileno())
            self._note_owner_and_mode(st)
            data = f.read()
        if not data:
            raise CorruptDataFile(
                self.path,
                "is empty (0 bytes). irlmeet never writes an empty data file, so something else "
                "truncated it; restore it from a backup, or delete it to start a new database",
            )
        return data, _fingerprint(st)

    def _parse_main(self, data: bytes, fp: _Fingerprint) -> tuple[Any, _Index | None]:
        """The main file parsed without its contacts table, through the index if it is this
        file's (see :mod:`irlmeet.core.store.index`); else parsed whole (index None)."""
        head = _meta_from_head(data[:4096])
        if head is not None and head.get("schema") == SCHEMA_VERSION and isinstance(head.get("generation"), str):
            index = _read_index(self.path, head["generation"], fp)
            if index is not None:
                start, end = index.table_span
                try:
                    raw = orjson.loads(data[:start] + b"{}" + data[end:])
                except orjson.JSONDecodeError:
                    raw = None
                if isinstance(raw, dict) and raw.get("contacts") == {}:
                    raw["contacts"] = _LazyDocs(data, index.spans, self.path)
                    return raw, index
        try:
            return orjson.loads(data), None
        except orjson.JSONDecodeError as exc:
            raise CorruptDataFile(self.path, _describe_json_error(exc, len(data))) from None

    def _rebuild_index(self, raw: dict[str, Any], data: bytes) -> tuple[tuple[int, int], dict, dict[str, IndexRow], bool]:
        """Validate every contact of a main file parsed whole and index them; the contacts
        table becomes lazy over the file's bytes. Also says whether the file is byte for byte
        what we would write (only then do its spans address the file, so the index may be saved)."""
        docs = raw.setdefault("contacts", {})
        rows: dict[str, IndexRow] = {}
        for cid, doc in docs.items():
            try:
                rows[cid] = _row_from_model(_decode_record("contacts", Contact, cid, doc))
            except _BadRecord as exc:
                raise CorruptDataFile(self.path, str(exc)) from None
        canon, spans, table_span = _serialise(raw[_META][_META_ID], raw, contacts_last=False)
        same = canon == data
        raw["contacts"] = _LazyDocs(data if same else canon, spans, self.path)
        return table_span, spans, rows, same

    def _read_all(self) -> _Loaded:
        """Main file + its journal, replayed onto plain dicts (contacts: lazy). Writes nothing."""
        data, fp = self._read_main()
        raw, index = self._parse_main(data, fp)
        meta = _check_shape(raw, self.path)
        schema = meta["schema"]
        if schema > SCHEMA_VERSION:
            raise SchemaTooNew(
                self.path,
                f"was written by a newer irlmeet (data schema {schema}; this irlmeet reads schema "
                f"{SCHEMA_VERSION} and older). Update irlmeet to open it; the file was not changed",
            )
        loaded = _Loaded(raw, meta, schema, fp, data, _Journal(), b"", index=index)
        if index is None and schema == SCHEMA_VERSION:
            loaded.rebuilt = self._rebuild_index(raw, data)
        gen = str(meta.get("generation", ""))
        try:
            fd = self._open_regular(self._journal_path)
        except FileNotFoundError:
            return loaded
        with open(fd, "rb") as f:
            st = os.fstat(f.fileno())
            jdata = f.read()
        loaded.journal_bytes = jdata
        loaded.journal = _Journal(ino=st.st_ino)
        parsed = _parse_journal(jdata, 0, self._journal_path)
        if not parsed.records:
            return loaded  # empty, or only a cut-off header: nothing was ever acknowledged
        header, records = parsed.records[0], parsed.records[1:]
        if not self._journal_matches(header, gen, schema):
            return loaded  # stale: already folded into the main file by a compaction
        for rec in records:
            _apply_raw(raw, rec.get("ops") or (), self._journal_path, loaded.touched)
        loaded.journal = _Journal(ino=st.st_ino, off=parsed.end, records=len(records), live=True)
        return loaded

    def _journal_matches(self, header: dict, gen: str, schema: int) -> bool:
        """Whether a journal header belongs to the main file we read (False: stale journal)."""
        if header.get("journal") != _JOURNAL_FORMAT:
            raise CorruptDataFile(
                self._journal_path, f"the journal does not start with an irlmeet journal header ({str(header)[:80]})"
            )
        if header.get("gen") != gen:
            return False
        if header.get("schema") != schema:
            raise CorruptDataFile(
                self._journal_path,
                f"the journal is for data schema {header.get('schema')!r} but the data file is schema {schema}",
            )
        return True

    def _load(self, *, locked: bool) -> None:
        """(Re)load everything from disk, migrating an older schema first."""
        with _gc_paused():
            self._load_unpaused(locked=locked)

    def _load_unpaused(self, *, locked: bool) -> None:
        loaded = self._read_all()
        if loaded.schema < SCHEMA_VERSION:
            if not locked:
                with self._locked():
                    self._load(locked=True)
                return
            self._migrate(loaded)
            return
        raw, index, rebuilt = loaded.raw, loaded.index, loaded.rebuilt
        docs = raw["contacts"]
        contacts = _LazyModels(docs, Contact)
        if index is not None:
            rows = _RowTable(index.columns)
        else:
            assert rebuilt is not None  # the current schema always has one (read or rebuilt)
            rows = _RowTable(rows=dict(rebuilt[2]))
        try:
            others = {k: v for k, v in raw.items() if k != "contacts"}
            models, profile = _decode_all(others, self._storage.data, self._models)
            # Contacts are decoded when first used; the journal's ones now, to validate them.
            touched = [cid for table, cid in loaded.touched if table == "contacts"]
            for cid in touched:
                if cid in docs:
                    model = contacts.cache[cid] = _decode_record("contacts", Contact, cid, docs[cid])
                    rows.put(cid, _row_from_model(model))
                else:
                    rows.delete(cid)
        except _BadRecord as exc:
            source = self._journal_path if (exc.table, exc.doc_id) in loaded.touched else self.path
            raise CorruptDataFile(source, str(exc)) from None
        models["contacts"] = contacts
        self._install(loaded, models, profile)
        self._rows = rows
        if rebuilt is not None and rebuilt[3] and rebuilt[1] and self._read_only is None:
            _write_index(self.path, self._gen, loaded.fingerprint, rebuilt[0], rebuilt[1], rebuilt[2])

    def _install(self, loaded: _Loaded, models: dict[str, dict[str, Any]], profile: Profile) -> None:
        for table in (*_KINDS, _PROFILE):
            loaded.raw.setdefault(table, {})
        self._storage.write(loaded.raw)
        for table in (*_KINDS, _PROFILE, _META):
            self._db.table(table).clear_cache()
        self._models = models
        self._profile = profile
        self._gen = str(loaded.meta.get("generation", ""))
        self._main_fp = loaded.fingerprint
        self._journal = loaded.journal

    def _migrate(self, loaded: _Loaded) -> None:
        """Run migration steps in memory, check the result, back the old file up, rewrite it."""
        self._check_writable()
        raw = loaded.raw
        start = loaded.schema
        raw = _run_steps(raw, start, self._migrations, self.path)
        try:
            models, profile = _decode_all(raw)
        except _BadRecord as exc:
            raise CorruptDataFile(
                self.path, f"after migrating from data schema {start} to {SCHEMA_VERSION}: {exc}"
            ) from None
        _backup(self.path, loaded.main_bytes, start)
        if loaded.journal.live and loaded.journal.records:
            _backup(self._journal_path, loaded.journal_bytes, start)
        # Write first, then take the migrated data as ours: if the write fails, nothing changed.
        raw[_META][_META_ID] = {**raw[_META][_META_ID], **_new_meta()}
        del models, profile  # checked; the migrated file is read back below (contacts lazily)
        _atomic_write(self.path, _serialise(raw[_META][_META_ID], raw)[0])
        self._journal = loaded.journal
        self._drop_journal()
        self._load_unpaused(locked=True)

    def _sync(self, *, locked: bool) -> None:
        """Catch up with other processes: reload a replaced main file, replay new journal records."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreError(self.path, "the data file is gone (moved or deleted while irlmeet was using it)") from None
        self._note_owner_and_mode(st)
        if self._reread:
            self._load(locked=locked)
            self._reread = False
            return
        if _fingerprint(st) != self._main_fp and not self._adopt_compaction():
            self._load(locked=locked)
            return
        j = self._journal
        try:
            fd = os.open(self._journal_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            if j.live:  # someone removed our live journal without rewriting the file: trust the disk
                self._load(locked=locked)
            else:
                self._journal = _Journal()
            return
        with open(fd, "rb") as f:
            jst = os.fstat(f.fileno())
            if jst.st_ino == j.ino and not j.live:
                return  # the stale journal we already know about
            if jst.st_ino != j.ino:
                if j.live:
                    self._load(locked=locked)  # replaced under us: start from the disk's view
                    return
                base = 0
            else:
                if jst.st_size == j.off:
                    return
                if jst.st_size < j.off:
                    self._load(locked=locked)
                    return
                base = j.off
                f.seek(base)
            data = f.read()
        self._replay(_parse_journal(data, base, self._journal_path), jst.st_ino, fresh=base == 0)

    def _position(self) -> dict[str, Any]:
        """Where our state stands on disk: main file generation + bytes of its journal applied."""
        return {"gen": self._gen, "off": self._journal.off if self._journal.live else 0}

    def _adopt_compaction(self) -> bool:
        """Take a main file another process compacted from exactly our state, without reading it.

        A process that compacts after catching up writes what it had as ``_meta.base``
        (generation + journal offset). If that is where we stand too, the new file holds exactly
        our records, so only its generation and fingerprint change; otherwise (or if the head
        of the file is not what orjson writes for ``_meta``) the caller reloads it all. This
        turns the ~0.5 s reload at 30k, after another irlmeet closes, into a 4 KB read.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        with open(fd, "rb") as f:
            fp = _fingerprint(os.fstat(f.fileno()))
            head = f.read(4096)
        meta = _meta_from_head(head)
        if (
            meta is None
            or meta.get("app") != APP
            or meta.get("schema") != SCHEMA_VERSION
            or meta.get("base") != self._position()
            or not isinstance(meta.get("generation"), str)
        ):
            return False
        self._db.table(_META).apply([("put", _META_ID, meta)])
        self._gen = meta["generation"]
        self._main_fp = fp
        self._journal = _Journal()
        return True

    def _replay(self, parsed: _JournalRead, ino: int, *, fresh: bool) -> None:
        """Apply another process's journal records to the live state (all decoded first)."""
        records = parsed.records
        if fresh:
            if not records:
                self._journal = _Journal(ino=ino)  # nothing acknowledged in it yet
                return
            header, records = records[0], records[1:]
            if not self._journal_matches(header, self._gen, SCHEMA_VERSION):
                self._journal = _Journal(ino=ino)  # stale
                return
        ops: list[_Op] = []
        for rec in records:
            for op in rec.get("ops") or ():
                kind, table, doc_id = _check_op(op, self._journal_path)
                model = None
                if kind == "put":
                    try:
                        if table in _KINDS:
                            model = _decode_record(table, _KINDS[table][1], doc_id, op[3])
                        elif table == _PROFILE:
                            model = _decode_record(_PROFILE, Profile, doc_id, op[3])
                    except _BadRecord as exc:
                        raise CorruptDataFile(self._journal_path, str(exc)) from None
                ops.append((kind, table, doc_id, op[3] if kind == "put" else None, model))
        self._apply(ops)
        j = self._journal
        if fresh:
            self._journal = _Journal(ino=ino, off=parsed.end, records=len(records), live=True)
        else:
            j.off = parsed.end
            j.records += len(records)

    # ---------------------------------------------------------------- small helpers

    @property
    def _storage(self) -> _MemoryStorage:
        return self._db.storage  # type: ignore[return-value]

    def _get(self, table: str, doc_id: str) -> Any:
        self._check_open()
        try:
            return self._models[table][doc_id]
        except KeyError:
            raise NotFound(_KINDS[table][0], doc_id) from None

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed(self.path, "the data store was used after it was closed")

    @contextmanager
    def _locked(self, timeout: float | None = None) -> Iterator[None]:
        wait = self._lock_timeout if timeout is None else timeout
        try:
            self._flock.acquire(timeout=wait)
        except Timeout:
            raise StoreLocked(
                self.path,
                f"another irlmeet process has held {self._lock_path.name} for more than {wait:g} s; "
                "close the other irlmeet (or wait for its import to finish) and try again",
            ) from None
        except OSError as exc:
            raise StoreError(
                self.path, f"cannot lock {self._lock_path}: {_describe_os_error(exc, self._lock_path)}"
            ) from None
        try:
            yield
        finally:
            self._flock.release()
