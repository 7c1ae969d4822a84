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
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from irlmeet.core.errors import IrlmeetError, ValidationError
from irlmeet.core.models import Contact

__all__ = ["SEARCH_FIELDS", "Directory", "FetchedContacts", "fold", "search_text"]


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _places(doc: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for cp in doc.get("places") or ():
        place = cp.get("place") if isinstance(cp, Mapping) else None
        if isinstance(place, Mapping):
            parts += [_str(place.get("name")), _str(place.get("region")), _str(place.get("country"))]
    return " ".join(parts)


#: What a search looks at, field by field (name, nickname, company, city, tags, how you met),
#: read from a contact's stored document (the shape of ``Contact.to_dict()``): the directory of
#: 30,000 contacts is built from the data file's documents without decoding one of them.
#: The one place to add a field to the search: add ``(field, getter)`` here.
SEARCH_FIELDS: tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...] = (
    ("name", lambda d: _str(d.get("name"))),
    ("nickname", lambda d: _str(d.get("nickname"))),
    ("company", lambda d: f"{_str(d.get('company'))} {_str(d.get('role'))}"),
    ("city", _places),
    ("tags", lambda d: " ".join(t for t in d.get("tags") or () if isinstance(t, str))),
    ("how_we_met", lambda d: " ".join(_str(d.get(k)) for k in ("how_we_met", "met_at", "met_via", "topic"))),
)


def fold(text: str) -> str:
    """Lower case without accents: ``"São Paulo"`` -> ``"sao paulo"``, ``"Straße"`` -> ``"strasse"``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_text(contact: Contact | Mapping[str, Any]) -> str:
    """The folded text a query is matched against (fields joined by newlines), from a Contact
    or its stored document."""
    doc = contact.to_dict() if isinstance(contact, Contact) else contact
    return fold("\n".join(get(doc) for _field, get in SEARCH_FIELDS))


def _words(query: str) -> tuple[str, ...]:
    return tuple(fold(query).split())


class Directory:
    """All contacts sorted by name, with their search strings; :meth:`search` filters them."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        ordered = sorted(contacts, key=lambda c: (c.name.casefold(), c.id))
        self.ids: list[str] = [c.id for c in ordered]
        #: The contacts in name order (a sequence: from :meth:`from_documents`, each one is
        #: decoded when it is first looked at).
        self.contacts: Sequence[Contact] = ordered
        self._texts: list[str] = [search_text(c) for c in ordered]
        # The results of the query being typed and of each shorter query it grew from, so
        # typing narrows the previous result and deleting a letter finds its result here.
        self._trail: list[tuple[str, list[int]]] = []

    @classmethod
    def from_documents(
        cls, documents: Iterable[tuple[str, Mapping[str, Any]]], fetch: Callable[[str], Contact]
    ) -> Directory:
        """The directory of stored ``(id, document)`` pairs, decoding none of them: a contact is
        ``fetch(id)``-ed (decoded and checked) only when it is shown. A contact that is gone
        by then, or whose record cannot be read, is shown as a stand-in that says so (see
        :class:`FetchedContacts`)."""
        rows = sorted((_str(doc.get("name")).casefold(), cid, _str(doc.get("name")), search_text(doc)) for cid, doc in documents)
        new = cls.__new__(cls)
        new.ids = [cid for _key, cid, _name, _text in rows]
        new.contacts = FetchedContacts(new.ids, [name for _key, _cid, name, _text in rows], fetch)
        new._texts = [text for *_rest, text in rows]
        new._trail = []
        return new

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
        ids = self.ids
        for row, i in enumerate(within):
            if ids[i] == contact_id:
                return row
        return None


class FetchedContacts(Sequence[Contact]):
    """Contacts by position, each decoded by ``fetch(id)`` when first asked for (and kept).

    Drawing a list must not fail: a contact removed since the directory was built, or whose
    stored record cannot be read, comes back as a stand-in with its id and stored name whose
    notes say what went wrong (acting on it reports the error itself). The next directory
    (built after every change) no longer holds a removed contact.
    """

    __slots__ = ("_fetch", "_got", "_ids", "_names")

    def __init__(self, ids: Sequence[str], names: Sequence[str], fetch: Callable[[str], Contact]) -> None:
        self._ids = ids
        self._names = names
        self._fetch = fetch
        self._got: dict[int, Contact] = {}

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> Contact: ...
    @overload
    def __getitem__(self, i: slice) -> list[Contact]: ...
    def __getitem__(self, i: int | slice) -> Contact | list[Contact]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._ids)
        got = self._got.get(i)
        if got is None:
            got = self._got[i] = self._get(self._ids[i], self._names[i])
        return got

    def _get(self, cid: str, name: str) -> Contact:
        try:
            return self._fetch(cid)
        except IrlmeetError as exc:
            why = f"irlmeet could not read this contact: {exc}"
            try:
                return Contact(id=cid, name=name or cid, notes=why)
            except ValidationError:  # the stored id or name itself is unreadable
                return Contact(id="unreadable", name="(an unreadable record)", notes=why)
