"""The data file: durability, speed at 30k, corruption, schema migration, several processes, crashes.

Every test uses a real file under ``tmp_path``; failures are produced for real (garbage bytes,
RLIMIT_FSIZE, a second process holding the lock, SIGKILL), not by mocking the filesystem.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import resource
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from irlmeet.core.errors import (
    CorruptDataFile,
    NotFound,
    SchemaTooNew,
    StoreClosed,
    StoreError,
    StoreLocked,
)
from irlmeet.core.models import Contact, ContactPlace, Meetup, Place, Profile, Trip
from irlmeet.core.store import MIGRATIONS, SCHEMA_VERSION, Store

BERLIN = Place(name="Berlin", country_code="DE", country="Germany", lat=52.52, lon=13.405, tz="Europe/Berlin")
LISBON = Place(name="Lisbon", country_code="PT", country="Portugal", lat=38.72, lon=-9.14, tz="Europe/Lisbon")
TOKYO = Place(name="Tokyo", country_code="JP", country="Japan", lat=35.68, lon=139.65, tz="Asia/Tokyo")
PLACES = (BERLIN, LISBON, TOKYO)


def contact(i: int | str, name: str | None = None, **kw) -> Contact:
    cid = i if isinstance(i, str) else f"c{i}"
    place = PLACES[zlib.crc32(cid.encode()) % 3]  # not hash(): it changes per run (PYTHONHASHSEED)
    return Contact(
        id=cid,
        name=name or f"Person {cid}",
        places=(ContactPlace(place),),
        emails=(f"{cid}@example.org",),
        how_we_met="a conference hallway",
        tags=("conf",),
        last_seen=date(2025, 5, 1),
        **kw,
    )


def trip(tid: str = "t1") -> Trip:
    return Trip(id=tid, name="Berlin offsite", destination=BERLIN, start=date(2026, 4, 10), end=date(2026, 4, 13))


def meetup(mid: str, trip_id: str = "t1") -> Meetup:
    z = ZoneInfo("Europe/Berlin")
    return Meetup(
        id=mid,
        trip_id=trip_id,
        contact_ids=("c1",),
        kind="coffee",
        start=datetime(2026, 4, 11, 9, 0, tzinfo=z),
        end=datetime(2026, 4, 11, 10, 0, tzinfo=z),
        uid=f"{mid}@irlmeet",
    )


def snapshot(path: Path) -> tuple[bytes, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "irlmeet.json"


# Child processes build their contacts with this (importing the test module would import pytest).
CHILD_PRELUDE = """
import json, os, sys
from pathlib import Path
from irlmeet.core.models import Contact, ContactPlace, Place
from irlmeet.core.store import Store
BERLIN = Place(name="Berlin", country_code="DE", lat=52.52, lon=13.405, tz="Europe/Berlin")
def contact(cid):
    return Contact(id=cid, name=f"Person {cid}", places=(ContactPlace(BERLIN),), emails=(f"{cid}@example.org",))
"""


def run_py(code: str, *args: str, **kw) -> subprocess.Popen:
    """``python -c CHILD_PRELUDE + code args...`` with pipes for stdin/stdout."""
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_PRELUDE + textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        **kw,
    )


# --------------------------------------------------------------------------------------------
# Basics


def test_new_store_round_trips_every_kind_in_insertion_order(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "irlmeet.json"
    with Store(path) as s:
        assert path.exists() and s.count("contacts") == 0 and s.profile() == Profile()
        s.put_contacts([contact(3), contact(1), contact(2)])
        s.put_trip(trip())
        s.put_meetups([meetup("m1"), meetup("m2")])
        s.set_profile(Profile(name="Me", home=LISBON))
    with Store(path) as s:
        assert [c.id for c in s.contacts()] == ["c3", "c1", "c2"]
        assert s.contact("c1") == contact(1)
        assert s.trips() == [trip()] and s.trip("t1") == trip()
        assert s.meetups() == [meetup("m1"), meetup("m2")] and s.meetup("m2") == meetup("m2")
        assert s.meetups("t1") == s.meetups() and s.meetups("nope") == []
        assert s.profile() == Profile(name="Me", home=LISBON)
        assert (s.count("contacts"), s.count("trips"), s.count("meetups")) == (3, 1, 2)
    raw = orjson.loads(path.read_bytes())
    assert raw["_meta"]["meta"]["schema"] == SCHEMA_VERSION and raw["_meta"]["meta"]["app"] == "irlmeet"


def test_put_replaces_by_id_and_keeps_its_place(db: Path) -> None:
    with Store(db) as s:
        s.put_contacts([contact(1), contact(2), contact(3)])
        s.put_contact(contact(2, "Renamed"))
        assert [c.id for c in s.contacts()] == ["c1", "c2", "c3"]
        assert s.count("contacts") == 3 and s.contact("c2").name == "Renamed"
    with Store(db) as s:
        assert [c.name for c in s.contacts()] == ["Person c1", "Renamed", "Person c3"]


def test_non_model_objects_raise_typeerror_and_write_nothing(db: Path) -> None:
    with Store(db) as s:
        s.put_contact(contact(1))
        before = snapshot(db), snapshot(db.with_name(db.name + ".journal"))
        with pytest.raises(TypeError):
            s.put_contact(trip())  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            s.put_contacts([contact(2), {"id": "c3", "name": "dict"}])  # type: ignore[list-item]
        with pytest.raises(TypeError):
            s.put_meetups([meetup("m1"), contact(4)])  # type: ignore[list-item]
        with pytest.raises(TypeError):
            s.set_profile({"name": "x"})  # type: ignore[arg-type]
        assert s.count("contacts") == 1 and s.count("meetups") == 0
        assert (snapshot(db), snapshot(db.with_name(db.name + ".journal"))) == before


def test_lookups_and_deletes(db: Path) -> None:
    with Store(db) as s:
        s.put_contacts([contact(1), contact(2)])
        s.put_trip(trip("t1"))
        s.put_trip(trip("t2"))
        s.put_meetups([meetup("m1", "t1"), meetup("m2", "t2"), meetup("m3", "t1")])
        with pytest.raises(NotFound, match="no contact matches 'zz'"):
            s.contact("zz")
        with pytest.raises(NotFound):
            s.trip("zz")
        with pytest.raises(NotFound):
            s.meetup("zz")
        with pytest.raises(NotFound):
            s.delete_contact("zz")
        with pytest.raises(ValueError):
            s.count("people")
        s.delete_contact("c1")
        s.delete_trip("t1")  # takes m1 and m3 with it
        s.delete_meetup("m2")
        assert [c.id for c in s.contacts()] == ["c2"]
        assert [t.id for t in s.trips()] == ["t2"] and s.meetups() == []
    with Store(db) as s:
        assert [c.id for c in s.contacts()] == ["c2"] and [t.id for t in s.trips()] == ["t2"]
        assert s.meetups() == []


def test_closed_store_refuses_use(db: Path) -> None:
    s = Store(db)
    s.close()
    s.close()  # idempotent
    for call in (s.contacts, lambda: s.contact("c1"), lambda: s.put_contact(contact(1)), s.reload):
        with pytest.raises(StoreClosed):
            call()


# --------------------------------------------------------------------------------------------
# 1. Durable and fast at 30k


def test_one_edit_at_30k_is_durable_when_it_returns(db: Path) -> None:
    # How fast (target: 50 ms) is measured in bench/bench_store.py, not here: no timed tests.
    cs = [contact(i) for i in range(30_000)]
    journal = db.with_name(db.name + ".journal")
    with Store(db) as s:
        s.put_contacts(cs)
        assert db.stat().st_size > 5_000_000
        for n in range(25):
            edited = dataclasses.replace(cs[n * 997], notes=f"edit {n}")
            size = journal.stat().st_size if journal.exists() else 0
            s.put_contact(edited)
            assert journal.stat().st_size > size  # on disk (journal) when it returned
        # Durable: another reader of the files (no close, no compaction) sees every edit.
        other = Store(db)
        assert [other.contact(f"c{n * 997}").notes for n in range(25)] == [f"edit {n}" for n in range(25)]
        assert other.count("contacts") == 30_000


# --------------------------------------------------------------------------------------------
# 2. Corrupt or truncated main file


def _valid_file(db: Path) -> bytes:
    with Store(db) as s:
        s.put_contacts([contact(1), contact(12)])
    return db.read_bytes()


def _bad_email(data: bytes) -> bytes:
    raw = orjson.loads(data)
    raw["contacts"]["c12"]["emails"] = ["x"]
    return orjson.dumps(raw)


def _drop_meta(data: bytes) -> bytes:
    raw = orjson.loads(data)
    del raw["_meta"]
    return orjson.dumps(raw)


def _table_as_list(data: bytes) -> bytes:
    raw = orjson.loads(data)
    raw["contacts"] = list(raw["contacts"].values())
    return orjson.dumps(raw)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: b"garbage, not JSON", r"is not valid JSON \(unexpected character.* line 1, column 1\)"),
        (lambda d: b"\x00\x17\xff\xfe", r"is not valid JSON \(.*not valid UTF-8"),
        (lambda d: d[: len(d) // 2], r"ends early .* looks truncated"),
        (lambda d: b"[1, 2, 3]", r"expected a JSON object at the top level, found a list"),
        (lambda d: b"", r"is empty \(0 bytes\)"),
        (_bad_email, r"contacts record 'c12': emails\[0\]: 'x' is not an email address"),
        (_drop_meta, r"is not an irlmeet data file \(it has no _meta entry\)"),
        (_table_as_list, r"the contacts table is a list, expected an object of records"),
    ],
    ids=["garbage", "binary", "half", "list", "empty", "bad-record", "no-meta", "table-type"],
)
def test_corrupt_main_file_is_refused_and_left_untouched(db: Path, damage, expected: str) -> None:
    db.write_bytes(damage(_valid_file(db)))
    before = snapshot(db)
    names = sorted(os.listdir(db.parent))
    with pytest.raises(CorruptDataFile, match=expected) as err:
        Store(db)
    assert str(db) in str(err.value)
    assert snapshot(db) == before
    assert sorted(os.listdir(db.parent)) == names  # no backup, temp file or new journal either


def test_missing_data_file_with_a_journal_is_refused(db: Path) -> None:
    Store(db).put_contact(contact(1))  # not closed: the journal stays
    journal = db.with_name(db.name + ".journal")
    kept = journal.read_bytes()
    db.unlink()
    with pytest.raises(CorruptDataFile, match="data file is missing but its journal"):
        Store(db)
    assert not db.exists() and journal.read_bytes() == kept


# --------------------------------------------------------------------------------------------
# The journal: torn tails, damaged middles, stale journals, compaction


def test_torn_trailing_journal_record_is_ignored_then_cut_off(db: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    s = Store(db)  # never closed, like a killed process
    s.put_contact(contact(1))
    s.put_contact(contact(2))
    good = journal.read_bytes()
    # A crash in the middle of appending the third write: half a record, never acknowledged.
    s.put_contact(contact(3))
    full = journal.read_bytes()
    torn = full[: len(good) + (len(full) - len(good)) // 2]
    journal.write_bytes(torn)
    s2 = Store(db)
    assert [c.id for c in s2.contacts()] == ["c1", "c2"]
    assert journal.read_bytes() == torn  # opening writes nothing
    s2.put_contact(contact(4))
    assert journal.read_bytes().startswith(good) and b"c3@" not in journal.read_bytes()
    assert [c.id for c in Store(db).contacts()] == ["c1", "c2", "c4"]


def test_damaged_journal_record_in_the_middle_is_corruption(db: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    s = Store(db)
    for i in range(3):
        s.put_contact(contact(i))
    lines = journal.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Person", b"Persom")  # the CRC no longer matches
    journal.write_bytes(b"\n".join(lines))
    before = snapshot(db), snapshot(journal)
    with pytest.raises(CorruptDataFile, match=r"journal record at byte \d+ is damaged") as err:
        Store(db)
    assert str(journal) in str(err.value)
    assert (snapshot(db), snapshot(journal)) == before


def test_damaged_complete_last_journal_record_is_an_error_not_a_torn_write(db: Path) -> None:
    # Complete (it ends in a newline) yet failing its checksum: bit rot in an acknowledged
    # write, not a crash mid-append (that leaves an incomplete record). Never silent.
    journal = db.with_name(db.name + ".journal")
    s = Store(db)
    s.put_contact(contact(1))
    s.put_contact(contact(2))
    data = journal.read_bytes()
    offset = data.rindex(b"\n", 0, len(data) - 1) + 1
    journal.write_bytes(data[:-5] + b"XXXX\n")
    before = snapshot(db), snapshot(journal)
    with pytest.raises(CorruptDataFile, match=rf"journal record at byte {offset} is damaged") as err:
        Store(db)
    assert str(journal) in str(err.value)
    assert (snapshot(db), snapshot(journal)) == before  # nothing folded or rewritten


def test_stale_journal_left_by_a_crash_after_compaction_is_not_replayed(db: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    with Store(db) as s:
        s.put_contact(contact(1, "v1"))
        stale = journal.read_bytes()
        s.compact()
        assert not journal.exists()
        s.put_contact(contact(1, "v2"))
        s.compact()
    journal.write_bytes(stale)  # as if the crash came between os.replace and removing it
    with Store(db) as s:
        assert s.contact("c1").name == "v2"
        s.put_contact(contact(2))
        assert s.contact("c1").name == "v2"
    assert Store(db).contact("c1").name == "v2"


def test_journal_is_folded_into_the_file_past_its_threshold_and_on_close(db: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    s = Store(db)
    s.JOURNAL_MAX_RECORDS = 5
    for i in range(4):
        s.put_contact(contact(i))
    assert journal.exists()
    s.put_contact(contact(4))
    assert not journal.exists()
    assert len(orjson.loads(db.read_bytes())["contacts"]) == 5
    s.put_contact(contact(5))
    assert journal.exists()
    s.close()
    assert not journal.exists() and len(orjson.loads(db.read_bytes())["contacts"]) == 6


# --------------------------------------------------------------------------------------------
# 3. Schema version and migrations


def _schema0_file(db: Path) -> bytes:
    """What an imaginary irlmeet 0.0 wrote: a contact's city as free text."""
    data = orjson.dumps(
        {
            "_meta": {"meta": {"app": "irlmeet", "schema": 0}},
            "contacts": {
                "c1": {"id": "c1", "name": "Ada Lovelace", "city": "Berlin"},
                "c2": {"id": "c2", "name": "Grace Hopper", "city": "Tokyo"},
            },
        }
    )
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(data)
    return data


def _city_to_places(raw: dict) -> dict:
    by_name = {p.name: p for p in PLACES}
    for doc in raw["contacts"].values():
        doc["places"] = [{"label": "home", "place": by_name[doc.pop("city")].to_dict()}]
    return raw


def test_older_schema_is_migrated_after_a_backup(db: Path) -> None:
    original = _schema0_file(db)
    with Store(db, migrations={**MIGRATIONS, 0: _city_to_places}) as s:
        assert s.contact("c1").home == BERLIN and s.contact("c2").home == TOKYO
    bak = db.with_name(db.name + ".v0.bak")
    assert bak.read_bytes() == original and mode(bak) == 0o600
    raw = orjson.loads(db.read_bytes())
    assert raw["_meta"]["meta"]["schema"] == SCHEMA_VERSION
    assert "city" not in raw["contacts"]["c1"] and raw["contacts"]["c1"]["places"][0]["place"]["name"] == "Berlin"
    assert Store(db).contact("c2").home == TOKYO  # opens with the default (empty) registry now


def test_older_schema_without_a_migration_step_is_refused_untouched(db: Path) -> None:
    _schema0_file(db)
    before = snapshot(db)
    with pytest.raises(StoreError, match="no migration from schema 0 to 1"):
        Store(db)
    assert snapshot(db) == before and not db.with_name(db.name + ".v0.bak").exists()


def test_migration_that_produces_bad_records_is_refused_untouched(db: Path) -> None:
    _schema0_file(db)
    before = snapshot(db)
    with pytest.raises(CorruptDataFile, match=r"after migrating from data schema 0 .*contacts record 'c1'"):
        Store(db, migrations={**MIGRATIONS, 0: lambda raw: {**raw, "contacts": {"c1": {"id": "c1", "name": ""}}}})
    assert snapshot(db) == before


def test_newer_schema_is_refused_untouched(db: Path) -> None:
    raw = orjson.loads(_valid_file(db))
    raw["_meta"]["meta"]["schema"] = SCHEMA_VERSION + 1
    db.write_bytes(orjson.dumps(raw))
    before = snapshot(db)
    with pytest.raises(SchemaTooNew, match=rf"written by a newer irlmeet \(data schema {SCHEMA_VERSION + 1}; "
                       rf"this irlmeet reads schema {SCHEMA_VERSION}"):
        Store(db)
    assert snapshot(db) == before


# --------------------------------------------------------------------------------------------
# 4. Two processes

WRITER = """
s = Store(Path(sys.argv[1]))
print("opened", flush=True)
sys.stdin.readline()
s.put_contact(contact(sys.argv[2]))
print(json.dumps([c.id for c in s.contacts()]), flush=True)
if sys.argv[3] == "close":
    s.close()
else:
    os._exit(0)  # leave the journal as it is
"""


@pytest.mark.parametrize("how", ["close", "exit"])
def test_a_second_process_does_not_lose_the_first_ones_writes(db: Path, how: str) -> None:
    a = Store(db)
    a.put_contact(contact("w"))
    b = run_py(WRITER, str(db), "y", how)
    assert b.stdout.readline().strip() == "opened"
    a.put_contact(contact("x"))  # B opened before this write
    out, err = b.communicate("go\n", timeout=30)
    assert b.returncode == 0, err
    assert json.loads(out) == ["w", "x", "y"]  # B caught up before writing
    a.put_contact(contact("z"))  # A catches up too
    assert [c.id for c in a.contacts()] == ["w", "x", "y", "z"]
    b2 = run_py(WRITER, str(db), "v", how)
    assert b2.stdout.readline().strip() == "opened"
    b2.communicate("go\n", timeout=30)
    assert a.count("contacts") == 4  # reads come from memory ...
    a.reload()  # ... until asked
    assert [c.id for c in a.contacts()] == ["w", "x", "y", "z", "v"]
    a.close()
    assert [c.id for c in Store(db).contacts()] == ["w", "x", "y", "z", "v"]


def test_a_compaction_by_another_store_is_adopted_or_reloaded_correctly(db: Path) -> None:
    a = Store(db)
    a.put_contact(contact(1))
    b = Store(db)  # at the same point as a
    b.compact()  # a can take the new file as is: same records
    a.put_contact(contact(2))
    assert [c.id for c in a.contacts()] == ["c1", "c2"]
    b.put_contact(contact(3))
    assert [c.id for c in b.contacts()] == ["c1", "c2", "c3"]
    a.reload()
    assert [c.id for c in a.contacts()] == ["c1", "c2", "c3"]  # a and b at the same point again
    # A bulk write that skips the journal rewrites the file with records nobody else has
    # seen: a must read them, not adopt the file as "the same as mine".
    b.JOURNAL_MAX_BYTES = 4096
    b.put_contacts([contact(i) for i in range(100, 140)])
    a.put_contact(contact(4))
    assert a.count("contacts") == 44 and a.contact("c120") == contact(120)
    a.close()
    b.close()
    final = [c.id for c in Store(db).contacts()]
    assert final == ["c1", "c2", "c3", *[f"c{i}" for i in range(100, 140)], "c4"]


HOLDER = """
import sys, time
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_lock_held_too_long_is_storelocked(db: Path) -> None:
    s = Store(db, lock_timeout=0.2)
    s.put_contact(contact(1))
    holder = run_py(HOLDER, str(db.with_name(db.name + ".lock")))
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.perf_counter()
        held = r"another irlmeet process has held irlmeet.json.lock for more than 0.2 s"
        with pytest.raises(StoreLocked, match=held):
            s.put_contact(contact(2))
        assert time.perf_counter() - t0 < 2
        assert [c.id for c in s.contacts()] == ["c1"]  # reads need no lock
        assert [c.id for c in Store(db).contacts()] == ["c1"]  # nor does opening
    finally:
        holder.communicate("done\n", timeout=30)
    s.put_contact(contact(2))
    s.close()


# --------------------------------------------------------------------------------------------
# 5. Permissions, and no temp file left behind


def test_file_and_directory_modes(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "deeper" / "irlmeet.json"
        s = Store(path)
        s.put_contact(contact(1))
        assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "deeper") == 0o700
        for p in (path, path.with_name(path.name + ".journal"), path.with_name(path.name + ".lock")):
            assert mode(p) == 0o600, p
        s.compact()
        assert mode(path) == 0o600
        s.close()
        assert leftovers(path.parent) == []
    finally:
        os.umask(old)


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Make writes past ``limit`` bytes fail with EFBIG (a real full-disk-like failure)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def test_failed_rewrite_leaves_no_temp_file_and_changes_nothing(db: Path) -> None:
    s = Store(db)
    s.put_contacts([contact(i) for i in range(10)])
    s.compact()
    s.JOURNAL_MAX_BYTES = 16_384  # so a bulk write goes straight to a full rewrite
    before = snapshot(db)
    listing = sorted(os.listdir(db.parent))
    with file_size_limit(db.stat().st_size + 4096), pytest.raises(StoreError) as info:
        s.put_contacts([contact(i, "Changed") for i in range(5)] + [contact(i) for i in range(100, 400)])
    assert str(db) in str(info.value) and "could not save the change" in str(info.value)
    assert isinstance(info.value.__cause__, OSError)
    assert snapshot(db) == before and sorted(os.listdir(db.parent)) == listing
    assert s.count("contacts") == 10 and s.contact("c1").name == "Person c1"  # all or nothing
    s.put_contact(contact(1, "After"))
    s.close()
    reopened = Store(db)
    assert reopened.count("contacts") == 10 and reopened.contact("c1").name == "After"


def test_failed_journal_append_is_cut_off_and_changes_nothing(db: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    s = Store(db)
    s.put_contact(contact(1))
    before = journal.read_bytes()
    batch = [contact(i) for i in range(2, 50)]
    with file_size_limit(len(before) + 1000), pytest.raises(StoreError, match="could not save the change"):
        s.put_contacts(batch)
    assert journal.read_bytes() == before
    assert s.count("contacts") == 1
    s.put_contacts(batch)
    assert Store(db).count("contacts") == 49


# --------------------------------------------------------------------------------------------
# 7. Reads never touch the disk after open


def test_reads_come_from_memory(db: Path) -> None:
    s = Store(db)
    s.put_contacts([contact(1), contact(2)])
    s.put_trip(trip())
    db.write_bytes(b"not json any more")
    db.with_name(db.name + ".journal").unlink()
    assert [c.id for c in s.contacts()] == ["c1", "c2"] and s.contact("c2") == contact(2)
    assert s.trip("t1") == trip() and s.count("contacts") == 2 and s.profile() == Profile()
    with pytest.raises(CorruptDataFile):
        s.reload()


# --------------------------------------------------------------------------------------------
# 9. SIGKILL at random moments

CRASHER = """
Store.JOURNAL_MAX_RECORDS = 6  # compact often, so some kills land in a compaction
s = Store(Path(sys.argv[1]))
i = s.count("contacts")
out = sys.stdout
out.write("ready\\n"); out.flush()
while True:
    if i % 5 == 3:
        ids = [f"k{j:05d}" for j in range(i, i + 3)]
        s.put_contacts([contact(x) for x in ids])
    else:
        ids = [f"k{i:05d}"]
        s.put_contact(contact(ids[0]))
    out.write(" ".join(ids) + "\\n"); out.flush()
    i += len(ids)
"""


def _op_size(i: int) -> int:
    return 3 if i % 5 == 3 else 1


def test_sigkill_at_random_moments_keeps_a_prefix_of_acknowledged_writes(db: Path) -> None:
    rng = random.Random(20260410)
    Store(db).close()
    acked = 0
    for _ in range(30):
        child = run_py(CRASHER, str(db), stderr=subprocess.DEVNULL)
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.04))
        child.send_signal(signal.SIGKILL)
        # Read through the same buffered stream as readline() above (communicate() would read
        # the pipe underneath it and miss acks that readline() had already buffered).
        out = child.stdout.read()
        child.wait(timeout=30)
        child.stdin.close()
        child.stdout.close()
        lines = out.split("\n")
        complete = lines[:-1]  # the last piece has no newline: cut off by the kill
        acked += sum(len(line.split()) for line in complete)
        ids = [c.id for c in Store(db).contacts()]
        assert ids == [f"k{j:05d}" for j in range(len(ids))], "not a prefix"
        # Everything acknowledged is there; at most the one write in flight is there too.
        assert len(ids) in (acked, acked + _op_size(acked)), (len(ids), acked)
        acked = len(ids)
    assert acked > 30
    s = Store(db)
    s.compact()  # under the lock, temp files of killed writers are cleared away
    assert leftovers(db.parent) == []
    assert [c.id for c in s.contacts()] == [f"k{j:05d}" for j in range(acked)]


@pytest.mark.parametrize("make", ["folder", "file-as-parent"])
def test_a_data_path_that_cannot_be_a_file_is_a_clear_error(tmp_path: Path, make: str) -> None:
    if make == "folder":
        path = tmp_path / "data.json"
        path.mkdir()
        says = "it is a folder, not a file"
    else:
        (tmp_path / "afile").write_text("x")
        path = tmp_path / "afile" / "data.json"
        says = "is a file, not a folder"
    with pytest.raises(StoreError) as info:
        Store(path)
    assert str(path) in str(info.value) and says in str(info.value)


# --------------------------------------------------------------------------------------------
# Bit rot is never silent (issue 5, item 6)


def _journal_with_three(db: Path) -> Path:
    s = Store(db)
    for i in range(3):
        s.put_contact(contact(i))
    return db.with_name(db.name + ".journal")


@pytest.mark.parametrize("garbage", ["random", "text"])
def test_a_journal_of_garbage_is_an_error_not_a_partial_load(db: Path, garbage: str) -> None:
    journal = _journal_with_three(db)
    good = journal.read_bytes()
    if garbage == "random":
        journal.write_bytes(good[:200] + random.Random(5).randbytes(4000))
    else:
        journal.write_bytes(b"this is not a journal at all")  # no newline: one 'incomplete record'
    before = snapshot(db), snapshot(journal)
    with pytest.raises(CorruptDataFile, match=r"at byte \d+") as err:
        Store(db)
    assert str(journal) in str(err.value)
    assert (snapshot(db), snapshot(journal)) == before  # nothing folded or rewritten


def test_a_torn_last_record_is_still_a_torn_write(db: Path) -> None:
    journal = _journal_with_three(db)
    data = journal.read_bytes()
    journal.write_bytes(data[:-40])  # the last write cut off: no newline
    assert [c.id for c in Store(db).contacts()] == ["c0", "c1"]


@pytest.mark.parametrize(
    ("where", "damage", "field"),
    [
        ("main", (b'"emails"', b'"]mails"'), "]mails"),
        ("journal", (b'"emails"', b'"]mails"'), "]mails"),
        ("main", (b'"lat"', b'"lbt"'), "places[0].place.lbt"),
    ],
)
def test_a_damaged_key_is_an_error_naming_table_id_and_field(db: Path, where: str, damage, field: str) -> None:
    journal = db.with_name(db.name + ".journal")
    with Store(db) as s:
        s.put_contact(contact(1))
    if where == "journal":
        s = Store(db)
        s.put_contact(contact(2))
        s._closed = True  # killed: the journal is not folded
        # The damaged key inside a record whose checksum still matches (rot before framing).
        lines = journal.read_bytes().split(b"\n")
        body = lines[1][9:].replace(*damage)
        lines[1] = b"%08x %s" % (__import__("zlib").crc32(body), body)
        journal.write_bytes(b"\n".join(lines))
        target, cid = journal, "c2"
    else:
        db.write_bytes(db.read_bytes().replace(*damage, 1))
        target, cid = db, "c1"
    before = snapshot(db)
    with pytest.raises(CorruptDataFile) as err:
        Store(db)
    message = str(err.value)
    assert str(target) in message and "contacts" in message and repr(cid) in message
    assert repr(field) in message
    assert snapshot(db) == before


# --------------------------------------------------------------------------------------------
# The user's file is the user's (issue 5, item 7)


def _writes_refused(db: Path, says: str) -> None:
    s = Store(db)
    assert [c.id for c in s.contacts()] == ["c1"]  # reading works
    for write in (lambda: s.put_contact(contact(2)), lambda: s.set_profile(Profile(name="X")), s.compact):
        with pytest.raises(StoreError, match=says) as err:
            write()
        assert str(db) in str(err.value)
    s.close()


def test_a_read_only_data_file_is_read_only(db: Path) -> None:
    with Store(db) as s:
        s.put_contact(contact(1))
    s = Store(db)
    s.put_contact(contact(9))
    s.delete_contact("c9")  # leave a live journal, so close() would fold
    s._closed = True
    os.chmod(db, 0o444)
    before = snapshot(db), db.stat().st_ino
    # root (CI) could write it anyway: the store must go by the mode bits, not EACCES
    _writes_refused(db, r"is read-only \(mode 0444\).*chmod u\+w")
    assert (snapshot(db), db.stat().st_ino) == before and mode(db) == 0o444
    os.chmod(db, 0o600)
    with Store(db) as s:
        s.put_contact(contact(2))
    assert sorted(c.id for c in Store(db).contacts()) == ["c1", "c2"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_data_file_owned_by_someone_else_is_never_replaced_by_ours(db: Path) -> None:
    with Store(db) as s:
        s.put_contact(contact(1))
    os.chown(db, 4242, 4242)
    before = snapshot(db), db.stat().st_ino
    _writes_refused(db, r"belongs to another user \(uid 4242\)")
    assert (snapshot(db), db.stat().st_ino) == before and db.stat().st_uid == 4242


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_as_the_data_file_is_a_clear_error_at_once(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "data.json"
        os.mkfifo(path)
        says = "is a named pipe"
    else:
        if not stat.S_ISCHR(os.stat("/dev/zero").st_mode):
            pytest.skip("/dev/zero is not a device here")
        path = tmp_path / "zero.json"
        os.symlink("/dev/zero", path)  # read whole, it would never end
        says = "is a device"
    code = f"from irlmeet.core.store import Store\nStore({str(path)!r})"
    # In a child with a timeout: a hang (blocking open of a FIFO) fails the test, not the suite.
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert r.returncode != 0 and says in r.stderr and str(path) in r.stderr
    assert "point --data at a regular file" in r.stderr
