"""TinyDB over memory: the store's tables, kept in memory and updated in place.

Durability is not TinyDB's job here but the Store's (journal + atomic rewrite, see
:mod:`irlmeet.core.store.database`), done once per Store call rather than once per TinyDB table
operation. The data file itself stays a TinyDB database that ``TinyDB(path)`` can read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from irlmeet.core.store.index import serialise

__all__ = ["IdTable", "MemoryDB", "MemoryStorage"]


class MemoryStorage(Storage):
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
        return serialise(meta, self.data)[0]


class IdTable(Table):
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


class MemoryDB(TinyDB):
    """TinyDB with our tables (use with ``storage=MemoryStorage``)."""

    table_class = IdTable
