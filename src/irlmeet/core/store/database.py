"""The :class:`Store`: the user's data in memory, every write durable on disk when it returns.

How the data file, its journal and the lock work together (crash safety, several processes,
memory) is told once, in the package's docstring: :mod:`irlmeet.core.store`. This module holds
the Store; what it reads from disk is :mod:`.snapshot`, its tables :mod:`.storage`.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, Self

import orjson
from filelock import FileLock, Timeout

from irlmeet.core.errors import (
    CorruptDataFile,
    NotFound,
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
from irlmeet.core.store.codec import check_op as _check_op
from irlmeet.core.store.codec import decode_all as _decode_all
from irlmeet.core.store.codec import decode_record as _decode_record
from irlmeet.core.store.codec import meta_from_head as _meta_from_head
from irlmeet.core.store.index import ContactPoint
from irlmeet.core.store.index import LazyDocs as _LazyDocs
from irlmeet.core.store.index import LazyModels as _LazyModels
from irlmeet.core.store.index import RowTable as _RowTable
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
from irlmeet.core.store.snapshot import Fingerprint as _Fingerprint
from irlmeet.core.store.snapshot import Snapshot as _Snapshot
from irlmeet.core.store.snapshot import fingerprint as _fingerprint
from irlmeet.core.store.snapshot import journal_matches as _journal_matches
from irlmeet.core.store.snapshot import open_regular as _open_regular
from irlmeet.core.store.snapshot import read_snapshot as _read_snapshot
from irlmeet.core.store.storage import MemoryDB, MemoryStorage

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store"]

log = logging.getLogger(__name__)

# How long close() waits for the lock to fold the journal in; skipping it loses nothing.
_CLOSE_LOCK_TIMEOUT = 0.5

# One change: ("put", table, id, raw doc, model) or ("del", table, id, None, None).
_Op = tuple[str, str, str, Any, Any]


# --------------------------------------------------------------------------------------------
# Small file helpers


def _new_meta() -> dict[str, Any]:
    """The ``_meta`` document for a file written now: a fresh generation token."""
    return {"app": APP, "schema": SCHEMA_VERSION, "generation": secrets.token_hex(8)}


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
    #: An unlocked read that a fold overtook (see "Several processes" in :mod:`irlmeet.core.store`)
    #: is read again this many times before reading under the lock, which always succeeds.
    READ_RETRIES = 3

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
        self._db = MemoryDB(storage=MemoryStorage)
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

    def contact_documents(self) -> list[tuple[str, Mapping[str, Any]]]:
        """``(id, stored document)`` of every contact, in stored order: parsed, not decoded into
        Contacts nor checked (what a search index over 30k contacts needs: a few fields of each,
        not 30k validated models). Do not mutate them; decode one with :meth:`contact`."""
        with self._mutex:
            self._check_open()
            docs = self._storage.data.get("contacts") or {}
            return [(cid, docs[cid]) for cid in list(docs)]

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

    def _read_main(self) -> tuple[bytes, _Fingerprint]:
        try:
            fd = _open_regular(self.path)
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

    def _read_all(self, *, locked: bool) -> _Snapshot:
        """Main file + its journal, replayed onto plain dicts (contacts: lazy). Writes nothing.

        Without the lock, a fold by another process may land between reading the main file and
        its journal; such a read is thrown away and done again (see "Several processes" in
        :mod:`irlmeet.core.store`).
        """
        if locked:
            return self._read_both()
        for _ in range(self.READ_RETRIES):
            loaded = self._read_both()
            if not self._main_moved(loaded.fingerprint):
                return loaded
        with self._locked():
            return self._read_both()

    def _read_both(self) -> _Snapshot:
        return _read_snapshot(self.path, self._journal_path, *self._read_main())

    def _main_moved(self, fp: _Fingerprint) -> bool:
        """Whether the main file is no longer the one with fingerprint ``fp`` (replaced or gone)."""
        try:
            return _fingerprint(os.stat(self.path)) != fp
        except FileNotFoundError:
            return True

    def _load(self, *, locked: bool) -> None:
        """(Re)load everything from disk, migrating an older schema first."""
        with _gc_paused():
            self._load_unpaused(locked=locked)

    def _load_unpaused(self, *, locked: bool) -> None:
        loaded = self._read_all(locked=locked)
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

    def _install(self, loaded: _Snapshot, models: dict[str, dict[str, Any]], profile: Profile) -> None:
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

    def _migrate(self, loaded: _Snapshot) -> None:
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
        """Catch up with other processes: reload a replaced main file, replay new journal records.

        Without the lock (:meth:`reload`), what the journal showed is trusted only if the main
        file is still the one we stand on after reading it: a fold in between may have removed
        the journal, or put a new one in its place under the same inode number, and its bytes
        past our offset are then not our journal's next records (see "Several processes" in
        :mod:`irlmeet.core.store`).
        """
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
        news = self._journal_news()
        if not locked and self._main_moved(self._main_fp):
            self._load(locked=False)  # a fold overtook this read: start from the disk's view
        elif news == "load":
            self._load(locked=locked)
        elif news == "none":
            self._journal = _Journal()
        elif news is not None:
            data, base, ino = news
            self._replay(_parse_journal(data, base, self._journal_path), ino, fresh=base == 0)

    def _journal_news(self) -> tuple[bytes, int, int] | str | None:
        """What the journal holds that we have not applied, judged against what we know of it.

        ``None``: nothing new; ``"none"``: there is no journal; ``"load"``: it is not the one we
        were reading (removed or replaced): reload from the disk; else ``(bytes, offset they
        start at, inode)`` to replay (offset 0: a journal we have not read yet).
        """
        j = self._journal
        try:
            fd = os.open(self._journal_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            # Our live journal removed without the file being rewritten: trust the disk.
            return "load" if j.live else "none"
        with open(fd, "rb") as f:
            jst = os.fstat(f.fileno())
            if jst.st_ino == j.ino and not j.live:
                return None  # the stale journal we already know about
            if jst.st_ino != j.ino:
                if j.live:
                    return "load"  # replaced under us
                base = 0
            else:
                if jst.st_size == j.off:
                    return None
                if jst.st_size < j.off:
                    return "load"
                base = j.off
                f.seek(base)
            return f.read(), base, jst.st_ino

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
            if not _journal_matches(self._journal_path, header, self._gen, SCHEMA_VERSION):
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
    def _storage(self) -> MemoryStorage:
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
