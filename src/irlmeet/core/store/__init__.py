"""The user's data file (see :mod:`irlmeet.core.store.database` for the whole story).

A package of nouns: :mod:`.database` (the :class:`Store`), :mod:`.journal` (the append-only
journal's framing, parsing and appending), :mod:`.codec` (raw documents to models, and their
checks) and :mod:`.migrations` (schema versions, steps and backups). Import from here.
"""

from irlmeet.core.store.database import MIGRATIONS, SCHEMA_VERSION, Store

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store"]
