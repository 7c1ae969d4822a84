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
