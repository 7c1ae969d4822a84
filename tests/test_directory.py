"""Search as you type over the address book (core.directory), and the Service's live-data check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from irlmeet.core.directory import Directory, fold
from irlmeet.core.models import Contact, ContactPlace
from irlmeet.core.store import Store

from .conftest import BERLIN, LISBON, NEW_YORK

ROOT = Path(__file__).resolve().parents[1]


def people() -> list[Contact]:
    return [
        Contact("1", "Jörg Müller", places=(ContactPlace(BERLIN),), tags=("rust",), how_we_met="RustFest sprints"),
        Contact("2", "Ana São", places=(ContactPlace(LISBON),), tags=("python", "ml")),
        Contact("3", "Bob Stone", places=(ContactPlace(NEW_YORK),), how_we_met="my friend Lea"),
        Contact("4", "ada lovelace", places=(ContactPlace(BERLIN),)),
    ]


def names(found: list[Contact]) -> list[str]:
    return [c.name for c in found]


def test_fold_drops_accents_and_case():
    assert fold("São Paulo") == "sao paulo"
    assert fold("Straße") == "strasse"


def test_search_matches_every_word_across_name_city_tags_and_how_you_met():
    d = Directory(people())
    assert names(d.search("")) == ["ada lovelace", "Ana São", "Bob Stone", "Jörg Müller"]  # by name, any case
    assert names(d.search("muller")) == ["Jörg Müller"]
    assert names(d.search("berlin")) == ["ada lovelace", "Jörg Müller"]
    assert names(d.search("PYTHON")) == ["Ana São"]
    assert names(d.search("lea")) == ["Bob Stone"]
    assert names(d.search("berlin rust")) == ["Jörg Müller"]
    assert names(d.search("germany sprints")) == ["Jörg Müller"]
    assert d.search("nobody") == []


def test_typing_narrows_and_deleting_widens_with_the_same_answers_as_a_fresh_search():
    d = Directory(people())
    typed = "berlin r"
    for n in [*range(1, len(typed) + 1), *range(len(typed) - 1, -1, -1)]:
        query = typed[:n]
        assert names(d.search(query)) == names(Directory(people()).search(query)), query


def test_a_directory_of_stored_documents_finds_the_same_people_in_the_same_order():
    by_docs = Directory.from_documents([(c.id, c.to_dict()) for c in people()], {c.id: c for c in people()}.__getitem__)
    by_contacts = Directory(people())
    for query in ["", "muller", "berlin", "PYTHON", "lea", "berlin rust", "germany sprints", "nobody", "a"]:
        assert names(by_docs.search(query)) == names(by_contacts.search(query)), query
    assert by_docs.ids == by_contacts.ids == ["4", "2", "3", "1"]


def test_the_service_directory_decodes_a_contact_only_when_it_is_shown(tmp_path):
    """The contacts screen's list at 30k must not decode 30k records first (issue 10): what
    it is built from is the stored documents; a contact is decoded when it is looked at."""
    path = tmp_path / "d.json"
    with Store(path) as store:
        store.put_contacts(people())
    store = Store(path)
    try:
        decoded: list[str] = []

        def fetch(cid: str) -> Contact:
            decoded.append(cid)
            return store.contact(cid)

        d = Directory.from_documents(store.contact_documents(), fetch)
        assert names(d.search("berlin")) == ["ada lovelace", "Jörg Müller"]
        assert sorted(decoded) == ["1", "4"], "only the two shown were decoded"
        assert d.contacts[0].places[0].place.name == "Berlin" and decoded.count("4") == 1, "and each only once"
    finally:
        store.close()


def test_a_contact_removed_after_the_list_was_built_is_shown_as_gone_not_a_crash(tmp_path):
    path = tmp_path / "d.json"
    with Store(path) as store:
        store.put_contacts(people())
    with Store(path) as mine, Store(path) as theirs:
        d = Directory.from_documents(mine.contact_documents(), mine.contact)
        theirs.delete_contact("3")
        mine.reload()
        [row] = d.search_indices("bob")
        stand_in = d.contacts[row]
        assert (stand_in.id, stand_in.name) == ("3", "Bob Stone")
        assert "could not read this contact" in stand_in.notes and "3" in stand_in.notes
        assert [c.id for c in d.contacts[:2]] == ["4", "2"]


def test_changed_on_disk_sees_another_process_write_and_not_our_own(tmp_path):
    path = tmp_path / "d.json"
    store = Store(path)
    try:
        store.put_contact(Contact("mine", "Me Myself", places=(ContactPlace(BERLIN),)))
        assert not store.changed_on_disk()
        code = (
            "import sys; from irlmeet.core.store import Store; from irlmeet.core.models import Contact;"
            "s = Store(__import__('pathlib').Path(sys.argv[1])); s.put_contact(Contact('theirs', 'Them')); s.close()"
        )
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
        assert store.changed_on_disk()
        store.reload()
        assert not store.changed_on_disk()
        assert {c.id for c in store.contacts()} == {"mine", "theirs"}
    finally:
        store.close()
