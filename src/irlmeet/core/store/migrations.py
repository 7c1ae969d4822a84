"""The data schema: its version, the steps from older ones, and the backup kept first.

A file of an older schema is migrated in memory step by step, checked, backed up to
``<name>.v<N>.bak`` (and its journal beside it), then rewritten; a newer one is refused. See
:mod:`irlmeet.core.store`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from irlmeet.core.errors import StoreError
from irlmeet.core.fsutil import write_new
from irlmeet.core.store.codec import APP, META, META_ID
from irlmeet.core.store.steps import v1_to_v2, v2_to_v3, v3_to_v4, v4_to_v5, v5_to_v6

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "backup", "run_steps"]

#: The data schema this irlmeet writes. Bump it with a step in :data:`MIGRATIONS`.
SCHEMA_VERSION = 6

#: ``MIGRATIONS[n]`` turns a whole raw document (all tables, ``_meta`` included) of schema ``n``
#: into schema ``n + 1``. The Store sets ``_meta.schema`` after each step itself.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: v1_to_v2, 2: v2_to_v3, 3: v3_to_v4, 4: v4_to_v5, 5: v5_to_v6}


def run_steps(raw: dict[str, Any], start: int, steps: Mapping[int, Callable[[dict], dict]], path: Path) -> dict[str, Any]:
    """``raw`` (a whole main file of schema ``start``) migrated to :data:`SCHEMA_VERSION` in
    memory; a missing or failing step is a StoreError naming ``path`` (which is not changed)."""
    for version in range(start, SCHEMA_VERSION):
        step = steps.get(version)
        if step is None:
            raise StoreError(
                path,
                f"data schema {version} is too old: this irlmeet has no migration from schema "
                f"{version} to {version + 1}; the file was not changed",
            )
        try:
            raw = step(raw)
        except Exception as exc:
            raise StoreError(
                path, f"migrating from data schema {version} failed ({exc!r}); the file was not changed"
            ) from exc
        if not isinstance(raw, dict) or not isinstance(raw.get(META), dict):
            raise StoreError(
                path, f"migration from data schema {version} returned no data; the file was not changed"
            )
        raw[META][META_ID] = {**raw[META].get(META_ID, {}), "app": APP, "schema": version + 1}
    return raw


def backup(path: Path, data: bytes, version: int) -> Path:
    """Keep ``data`` as ``<name>.v<N>.bak`` (never overwriting an older, different backup)."""
    for n in range(1, 1000):
        suffix = f".v{version}.bak" if n == 1 else f".v{version}-{n}.bak"
        target = path.with_name(path.name + suffix)
        if target.exists() and target.read_bytes() == data:
            return target
        if write_new(target, data):
            return target
    raise StoreError(path, f"could not find a free name for a backup of schema {version}")
