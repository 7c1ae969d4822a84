"""The journal's size test before encoding (``journal.exceeds``): a write it calls too big for
the journal is one whose framed record really is, so a bulk import skips framing 30k records
without changing which path (append or full rewrite) a write takes."""

from __future__ import annotations

from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from irlmeet.core.models import Contact, ContactPlace, Place
from irlmeet.core.store import Store
from irlmeet.core.store.journal import exceeds, frame

_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_docs = st.lists(st.dictionaries(st.text(), _values, max_size=8) | st.none(), max_size=6)


@settings(max_examples=300, deadline=None)
@given(_docs, st.integers(min_value=0, max_value=400))
def test_exceeds_only_says_so_when_the_framed_record_is_longer(docs, limit) -> None:
    record = frame({"ops": [["put", "contacts", str(i), d] for i, d in enumerate(docs) if d is not None]})
    if exceeds(docs, limit):
        assert len(record) > limit
        assert sum(len(orjson.dumps(d)) for d in docs if d is not None) > limit


def test_exceeds_tells_a_bulk_import_apart_from_an_edit() -> None:
    docs = [Contact(id=f"c{i:07d}", name=f"Person {i}").to_dict() for i in range(30_000)]
    assert exceeds(docs, Store.JOURNAL_MAX_BYTES)
    assert not exceeds(docs[:10], Store.JOURNAL_MAX_BYTES)
    assert not exceeds([], 0)


BERLIN = Place("Berlin", "DE", 52.52, 13.405, "Europe/Berlin", geonameid=2950159)


def test_a_bulk_write_is_a_rewrite_and_a_small_one_a_journal_record(tmp_path: Path) -> None:
    db = tmp_path / "data.json"
    journal = db.with_name(db.name + ".journal")
    s = Store(db)
    s.JOURNAL_MAX_BYTES = 64 * 1024
    s.put_contacts([Contact(id=f"c{i}", name=f"Person {i}", places=(ContactPlace(BERLIN),)) for i in range(1000)])
    assert not journal.exists()  # straight into the main file
    assert len(orjson.loads(db.read_bytes())["contacts"]) == 1000
    s.put_contact(Contact(id="c1", name="Renamed"))
    assert journal.exists() and b"Renamed" in journal.read_bytes()
    s.close()
    again = Store(db)
    assert again.count("contacts") == 1000 and again.contact("c1").name == "Renamed"
    again.close()
