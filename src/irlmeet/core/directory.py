"""The address book as a searchable list: find anyone in a keystroke at 30,000 contacts.

A :class:`Directory` is built once from the contacts (sorted by name) and keeps, per contact, one
prebuilt search string: every searchable field (:data:`SEARCH_FIELDS`, the one list of them),
lower-cased and accent-folded, so "muller" finds "Müller" and "sao paulo" finds "São Paulo".

:meth:`Directory.search` matches every word of the query anywhere in that string (so "ada berl"
finds Ada in Berlin). Typing usually extends the query, and a longer query can only match fewer
contacts, so when the new query starts with the previous one only the previous result is scanned
again: the first letter scans everyone (a few ms at 30k), each further letter a shrinking set,
and deleting a letter goes back to the result kept for the shorter query.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence

from irlmeet.core.models import Contact

__all__ = ["SEARCH_FIELDS", "Directory", "fold", "search_text"]


def _places(c: Contact) -> str:
    parts: list[str] = []
    for cp in c.places:
        p = cp.place
        parts += [p.name, p.region, p.country]
    return " ".join(parts)


#: What a search looks at, field by field (name, nickname, company, city, tags, how you met).
#: The one place to add a field to the search: add ``(field, getter)`` here.
SEARCH_FIELDS: tuple[tuple[str, Callable[[Contact], str]], ...] = (
    ("name", lambda c: c.name),
    ("nickname", lambda c: c.nickname),
    ("company", lambda c: f"{c.company} {c.role}"),
    ("city", _places),
    ("tags", lambda c: " ".join(c.tags)),
    ("how_we_met", lambda c: f"{c.how_we_met} {c.met_at} {c.met_via} {c.topic}"),
)


def fold(text: str) -> str:
    """Lower case without accents: ``"São Paulo"`` -> ``"sao paulo"``, ``"Straße"`` -> ``"strasse"``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_text(contact: Contact) -> str:
    """The folded text a query is matched against (fields joined by newlines)."""
    return fold("\n".join(get(contact) for _field, get in SEARCH_FIELDS))


def _words(query: str) -> tuple[str, ...]:
    return tuple(fold(query).split())


class Directory:
    """All contacts sorted by name, with their search strings; :meth:`search` filters them."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.contacts: list[Contact] = sorted(contacts, key=lambda c: (c.name.casefold(), c.id))
        self._texts: list[str] = [search_text(c) for c in self.contacts]
        # The results of the query being typed and of each shorter query it grew from, so
        # typing narrows the previous result and deleting a letter finds its result here.
        self._trail: list[tuple[str, list[int]]] = []

    def __len__(self) -> int:
        return len(self.contacts)

    def search(self, query: str) -> list[Contact]:
        """The contacts matching every word of ``query``, in name order (all for an empty query)."""
        return [self.contacts[i] for i in self.search_indices(query)]

    def search_indices(self, query: str) -> Sequence[int]:
        """Like :meth:`search`, as positions in :attr:`contacts` (no new objects: cheapest)."""
        folded = " ".join(_words(query))
        if query[-1:].isspace() and folded:
            folded += " "  # "ada " is on its way to "ada b": keep narrowing from "ada"
        words = folded.split()
        trail = self._trail
        while trail and not folded.startswith(trail[-1][0]):
            trail.pop()
        if not words:
            trail.clear()
            return range(len(self.contacts))
        if trail and trail[-1][0] == folded:
            return trail[-1][1]
        # A query that extends an earlier one matches a subset of its result.
        pool: Iterable[int] = trail[-1][1] if trail else range(len(self.contacts))
        texts = self._texts
        if len(words) == 1:
            word = words[0]
            result = [i for i in pool if word in texts[i]]
        else:
            result = [i for i in pool if all(w in texts[i] for w in words)]
        trail.append((folded, result))
        return result

    def index_of(self, contact_id: str, within: Sequence[int]) -> int | None:
        """Where the contact ``contact_id`` is in a result of :meth:`search_indices`, if there."""
        for row, i in enumerate(within):
            if self.contacts[i].id == contact_id:
                return row
        return None
