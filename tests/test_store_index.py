"""The contacts index beside the data file: a cache that is never trusted when stale or damaged,
never makes a search miss anyone, and leaves the data file a TinyDB database (issue 10)."""

from __future__ import annotations

import inspect
import os
import signal
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson
import pytest
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage
from tinydb.table import Table

from irlmeet.core.errors import CorruptDataFile
from irlmeet.core.models import Contact, ContactPlace, Place, Trip
from irlmeet.core.service import Service
from irlmeet.core.settings import Paths, Settings
from irlmeet.core.store import Store

from .conftest import NOW

BERLIN = Place(name="Berlin", country_code="DE", country="Germany", lat=52.52, lon=13.405, tz="Europe/Berlin")
POTSDAM = Place(name="Potsdam", country_code="DE", country="Germany", lat=52.39, lon=13.06, tz="Europe/Berlin")
LISBON = Place(name="Lisbon", country_code="PT", country="Portugal", lat=38.72, lon=-9.14, tz="Europe/Lisbon")
ROOT = Path(__file__).resolve().parents[1]


def person(cid: str, where: Place = LISBON, name: str | None = None) -> Contact:
    return Contact(id=cid, name=name or f"Person {cid}", places=(ContactPlace(where),))


def index_of(db: Path) -> Path:
    return db.with_name(db.name + ".index")


def service(store: Store, db: Path) -> Service:
    paths = Paths(data_file=db, config_file=db.parent / "none.toml", cache_dir=db.parent, themes_dir=db.parent)
    return Service(store, places=lambda: pytest.fail("no place index needed"), settings=Settings(paths), clock=lambda: NOW, new_id=iter(range(10**6)).__next__)


def near_ids(db: Path, where: Place = BERLIN) -> list[str]:
    with Store(db) as s:
        return sorted(n.contact.id for n in service(s, db).near(where, 50))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "irlmeet.json"
    with Store(path) as s:
        s.put_contacts([person(f"c{i}") for i in range(200)] + [person("b1", BERLIN, "Ada"), person("b2", POTSDAM)])
        s.put_trip(Trip(id="t1", name="Berlin", destination=BERLIN, start=date(2026, 12, 1), end=date(2026, 12, 3)))
    return path


def test_a_compaction_writes_a_private_index_and_opening_decodes_no_contact(db: Path) -> None:
    idx = index_of(db)
    assert idx.exists() and stat.S_IMODE(idx.stat().st_mode) == 0o600
    with Store(db) as s:
        assert [t.id for t in s.trips()] == ["t1"]
        assert s.count("contacts") == 202
        assert s._models["contacts"].cache == {}  # trips needed no contact
        svc = service(s, db)
        assert sorted(n.contact.id for n in svc.near(BERLIN, 50)) == ["b1", "b2"]
        assert sorted(s._models["contacts"].cache) == ["b1", "b2"]  # only the people near Berlin
        assert len(s.contacts()) == 202  # the public API still gives everyone


def test_plan_sees_exactly_the_people_near_the_destination(db: Path) -> None:
    with Store(db) as s:
        the_plan = service(s, db).plan(s.trip("t1"))
        assert sorted(p.candidate.contact.id for p in the_plan.proposals) == ["b1", "b2"]


def test_a_writer_killed_between_the_data_write_and_the_index_write_misses_no_one(db: Path) -> None:
    """A real process folds a new Berlin contact into the data file and is SIGKILLed right
    before it writes the index: the next search must find the new contact."""
    code = (
        "import os, signal, sys\n"
        "from irlmeet.core.models import Contact, ContactPlace, Place\n"
        "from irlmeet.core.store import Store, database\n"
        "def killed(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "database._write_index = killed\n"
        "berlin = Place(name='Berlin', country_code='DE', lat=52.52, lon=13.405, tz='Europe/Berlin')\n"
        "s = Store(sys.argv[1])\n"
        "s.put_contact(Contact(id='new', name='Grace', places=(ContactPlace(berlin),)))\n"
        "s.compact()\n"
        "print('not killed')\n"
    )
    old_index = index_of(db).read_bytes()
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not db.with_name(db.name + ".journal").exists()  # folded: the new contact is only in the data file
    assert index_of(db).read_bytes() == old_index  # the index still describes the old file
    assert near_ids(db) == ["b1", "b2", "new"]
    assert index_of(db).read_bytes() != old_index  # rebuilt and saved on that open
    assert near_ids(db) == ["b1", "b2", "new"]


def test_a_write_in_the_journal_only_is_found_through_an_old_index(db: Path) -> None:
    s = Store(db)
    s.put_contact(person("j1", BERLIN))
    s.delete_contact("b2")
    s._closed = True  # as if killed: never folded, the index is the old file's
    assert near_ids(db) == ["b1", "j1"]


def test_a_damaged_index_is_rebuilt_not_trusted(db: Path) -> None:
    idx = index_of(db)
    data = bytearray(idx.read_bytes())
    at = data.index(b'"b1"')
    data[at + 1 : at + 3] = b"zz"  # bit rot in a row: the checksum no longer matches
    idx.write_bytes(bytes(data))
    assert near_ids(db) == ["b1", "b2"]
    idx.write_bytes(b"garbage")
    assert near_ids(db) == ["b1", "b2"]
    idx.unlink()
    assert near_ids(db) == ["b1", "b2"]
    assert idx.exists()


def test_an_index_for_another_file_is_stale(db: Path, tmp_path: Path) -> None:
    """Another tool rewrote the data file (same generation, other content): the index is
    tied to the file's size, mtime and inode too, so the new content is what is searched."""
    raw = orjson.loads(db.read_bytes())
    raw["contacts"]["c1"]["places"] = [ContactPlace(BERLIN).to_dict()]
    tmp = db.with_name("other.json")
    tmp.write_bytes(orjson.dumps(raw))
    os.replace(tmp, db)
    assert near_ids(db) == ["b1", "b2", "c1"]


def test_a_record_damaged_in_place_is_an_error_not_a_wrong_contact(db: Path) -> None:
    """Bytes of one record changed under a matching index (as bit rot would): decoding it
    says so, naming the file; other contacts still read."""
    data = bytearray(db.read_bytes())
    st = db.stat()
    at = data.index(b'"id":"b1"')
    data[at : at + 9] = b'"id":"x1"'
    db.write_bytes(bytes(data))
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime: the index matches
    with Store(db) as s:
        with pytest.raises(CorruptDataFile, match="b1"):
            s.contact("b1")
        assert s.contact("b2").name == "Person b2"


def test_stock_tinydb_reads_the_data_file(db: Path) -> None:
    """A user's own script: stock TinyDB and JSONStorage, read-only. Our ids are strings, so
    the script says so with TinyDB's documented ``document_id_class``."""

    class StrIds(Table):
        document_id_class = str

    class ReadOnly(TinyDB):
        table_class = StrIds

    before = db.read_bytes()
    with ReadOnly(db, storage=JSONStorage, access_mode="r") as tdb:
        contacts = tdb.table("contacts")
        assert len(contacts) == 202
        (ada,) = contacts.search(Query().name == "Ada")
        assert ada.doc_id == "b1" and ada["places"][0]["place"]["name"] == "Berlin"
        assert [t["name"] for t in tdb.table("trips").all()] == ["Berlin"]
    with TinyDB(db, access_mode="r") as plain:  # even with no options, every table is there
        assert set(plain.tables()) >= {"contacts", "trips", "meetups", "profile"}
        assert plain.storage.read()["contacts"]["b1"]["name"] == "Ada"
    assert db.read_bytes() == before


def test_the_tinydb_internals_we_override_are_still_there() -> None:
    """store.storage.IdTable overrides ``Table._update_table`` and calls ``_read_table``
    (private: TinyDB has no public hook for an in-place update). tinydb is pinned exactly in
    pyproject.toml; this fails on an upgrade that renames or reshapes them."""
    assert list(inspect.signature(Table._update_table).parameters) == ["self", "updater"]
    assert list(inspect.signature(Table._read_table).parameters) == ["self"]
    import tinydb

    pin = next(line for line in (ROOT / "pyproject.toml").read_text().splitlines() if '"tinydb' in line)
    assert f"tinydb=={tinydb.__version__}" in pin, (pin, tinydb.__version__)


SAN_JOSE = Place(name="San Jose", country_code="US", lat=37.34, lon=-121.89, tz="America/Los_Angeles", metro="San Francisco Bay Area")
SF = Place(name="San Francisco", country_code="US", lat=37.77, lon=-122.42, tz="America/Los_Angeles", metro="San Francisco Bay Area")
SACRAMENTO = Place(name="Sacramento", country_code="US", lat=38.58, lon=-121.49, tz="America/Los_Angeles")
OSLO = Place(name="Oslo", country_code="NO", lat=59.91, lon=10.75, tz="Europe/Oslo")


def _exact(store: Store, where: Place, radius: float) -> list:
    from irlmeet.core.places import near_filter

    return near_filter(where, store.contact_points(), radius)


def _banded(store: Store, where: Place, radius: float) -> list:
    from irlmeet.core.places import near_filter

    return near_filter(where, store.contact_points_near(where.lat, radius, where.metro), radius)


def test_the_latitude_band_never_misses_what_the_full_scan_finds(tmp_path: Path) -> None:
    """contact_points_near is read from the index's latitude order; filtered with near_filter
    it gives exactly what filtering every point gives (same people, same order), for radii
    from 1 km to the whole globe, for a metro area wider than the radius, and after writes
    that only the journal holds (put, change of city, delete, a new contact)."""
    path = tmp_path / "irlmeet.json"
    places = [BERLIN, POTSDAM, LISBON, SAN_JOSE, SF, SACRAMENTO, OSLO]
    with Store(path) as s:
        s.put_contacts([
            Contact(id=f"p{i}", name=f"P{i}", places=tuple(ContactPlace(places[(i * k) % len(places)]) for k in range(1, 1 + i % 3)))
            for i in range(300)
        ])
    assert index_of(path).exists()

    def check(s: Store) -> None:
        for where in places:
            for radius in (1, 50, 120, 900, 20_000):
                assert _banded(s, where, radius) == _exact(s, where, radius), (where.name, radius)

    with Store(path) as s:
        assert s._rows._base is not None  # read from the index, not rebuilt
        check(s)
    s = Store(path)
    s.put_contact(Contact(id="p1", name="moved", places=(ContactPlace(SF),)))
    s.put_contact(Contact(id="new", name="new", places=(ContactPlace(BERLIN), ContactPlace(SAN_JOSE))))
    s.delete_contact("p2")
    check(s)
    s._closed = True  # never folded: the next open reads the old index plus the journal
    with Store(path) as s2:
        assert s2._rows._base is not None
        check(s2)
        assert [cid for cid, _p, _km in _banded(s2, SF, 50)].count("new") == 1  # San Jose: same metro


def test_an_index_with_a_short_column_is_rebuilt(db: Path) -> None:
    """A column whose length disagrees with the header (a bug, or an index from elsewhere
    with a valid checksum) is never read: the index is rebuilt."""
    import zlib

    idx = index_of(db)
    data = idx.read_bytes()
    nl = data.index(b"\n")
    header = orjson.loads(data[9:nl])
    header["p"] += 1
    payload = orjson.dumps(header) + data[nl:]
    idx.write_bytes(b"%08x " % zlib.crc32(payload) + payload)
    assert near_ids(db) == ["b1", "b2"]
    assert idx.read_bytes() != b"%08x " % zlib.crc32(payload) + payload  # rewritten


def test_a_plan_builds_the_points_list_once(db: Path) -> None:
    """contact_points() is kept until the next change (a plan at 30k used to rebuild 35k)."""
    with Store(db) as s:
        first = s.contact_points()
        assert s.contact_points() is first
        s.put_contact(person("x1", BERLIN))
        again = s.contact_points()
        assert again is not first and ("x1", again[-1][1]) == again[-1]


def test_a_command_leaves_a_small_journal_beside_a_big_file_and_the_next_one_reads_it(db: Path, monkeypatch, capsys) -> None:
    """A one-line edit from the command line does not rewrite the whole data file (~19 MB at
    30k): the change stays durable in the journal, the next command sees it, and the journal
    is folded once it grows past the close limit. (The limit for "big" is lowered here; a
    small data file is still folded on close, which the fault tests rely on.)"""
    from irlmeet import cli

    monkeypatch.setattr(Store, "CLOSE_FOLD_MAIN_BYTES", 0)
    monkeypatch.setattr(Store, "CLOSE_FOLD_RECORDS", 3)
    journal = db.with_name(db.name + ".journal")
    main_before = db.read_bytes()
    assert cli.main(["--data", str(db), "trip", "edit", "t1", "--name", "Berlin one"]) == 0
    assert journal.exists() and db.read_bytes() == main_before  # durable, main file untouched
    assert cli.main(["--data", str(db), "trip", "list"]) == 0
    assert "Berlin one" in capsys.readouterr().out
    assert cli.main(["--data", str(db), "trip", "edit", "t1", "--name", "Berlin two"]) == 0
    assert cli.main(["--data", str(db), "trip", "edit", "t1", "--name", "Berlin three"]) == 0
    assert not journal.exists() and db.read_bytes() != main_before  # 3 records: folded on close
    with Store(db) as s:
        assert s.trip("t1").name == "Berlin three"


def test_meetup_views_decode_only_the_people_in_the_meetups(db: Path) -> None:
    """`plan --json` and `meetup list` show each meetup's people: they decode those, not all
    202 contacts (issue 10: at 30k contacts this was 2 s of `plan --json`)."""
    with Store(db) as s:
        svc = service(s, db)
        views = svc.meetup_views("t1", sync=True)  # stores the plan's ideas: b1 and b2
        assert sorted(c.id for v in views for c in v.people if c is not None) == ["b1", "b2"]
        assert sorted(s._models["contacts"].cache) == ["b1", "b2"]
