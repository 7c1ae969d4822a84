"""The user's data file: contacts, trips, meetups and the profile, kept in memory and on disk.

The package, by noun: :mod:`.database` (the :class:`Store`), :mod:`.snapshot` (the main file
and journal as read from disk), :mod:`.storage` (TinyDB tables in memory), :mod:`.journal` (the
append-only journal's framing, parsing and appending), :mod:`.index` (the contacts index beside
the file), :mod:`.codec` (raw documents to models, and their checks) and :mod:`.migrations` with
:mod:`.steps` (schema versions, steps and backups). Import from here.

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
(never changed in place) and the journal only appended; a half-appended record looks torn and
is simply not read yet. Reading the main file and then its journal is two reads, though, and a
fold may land between them (new main file renamed in, journal removed, maybe a new journal
created, on ext4 often under the old journal's inode number): the reader would then hold the
old main file without the journal that completed it, and miss writes acknowledged before it
began. So an unlocked reader checks, after reading the journal and before trusting anything
in it, that the main file is still the one it read (:func:`_fingerprint`); if not, it reads
again (:attr:`Store.READ_RETRIES` times, then under the lock).

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


from irlmeet.core.store.database import MIGRATIONS, SCHEMA_VERSION, Store

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store"]
