"""Raw documents to models and back: the main file's shape, journal operations, and records.

Every record is checked as it is decoded, so a bad one is an error at open naming the table,
id and field, never a surprise later: a wrong type or value (the model's own validation), a
missing field, and a key irlmeet does not write (``"]mails"`` for ``"emails"``: bit rot that
would otherwise load as a contact that silently lost its emails).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import orjson

from irlmeet.core.errors import CorruptDataFile, ValidationError
from irlmeet.core.models import (
    BusyBlock,
    Contact,
    ContactPlace,
    ContactSource,
    Meetup,
    Place,
    Profile,
    Trip,
)

__all__ = [
    "APP", "HEAD", "KINDS", "META", "META_ID", "PROFILE", "PROFILE_ID", "BadRecord", "apply_raw",
    "check_op", "check_shape", "decode_all", "decode_record", "describe_json_error", "meta_from_head",
    "type_name",
]

APP = "irlmeet"
META = "_meta"
META_ID = "meta"
PROFILE = "profile"
PROFILE_ID = "me"

# Tables holding model records, the singular used in NotFound, and the model class.
KINDS: dict[str, tuple[str, type]] = {
    "contacts": ("contact", Contact),
    "trips": ("trip", Trip),
    "meetups": ("meetup", Meetup),
}


HEAD = b'{"_meta":{"meta":'


def meta_from_head(head: bytes) -> dict[str, Any] | None:
    """The ``_meta`` document from the first bytes of a main file we wrote, or None.

    orjson writes keys in insertion order and :meth:`_MemoryStorage.serialise` puts ``_meta``
    first, so the file starts ``{"_meta":{"meta":{...}}``; its values hold no braces.
    """
    if not head.startswith(HEAD):
        return None
    depth = 0
    for i in range(len(HEAD), len(head)):
        ch = head[i]
        if ch == 0x7B:  # {
            depth += 1
        elif ch == 0x7D:  # }
            depth -= 1
            if depth == 0:
                try:
                    meta = orjson.loads(head[len(HEAD) : i + 1])
                except orjson.JSONDecodeError:
                    return None
                return meta if isinstance(meta, dict) else None
    return None


def describe_json_error(exc: orjson.JSONDecodeError, size: int) -> str:
    where = f"line {exc.lineno}, column {exc.colno}"
    if "end of data" in exc.msg:
        return f"is not valid JSON: it ends early at {where} (the file looks truncated)"
    return f"is not valid JSON ({exc.msg} at {where})"


def type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "true/false", type(None): "null"}.get(type(value), type(value).__name__)


class BadRecord(Exception):
    """A record that does not decode; the caller knows which file it came from."""

    def __init__(self, table: str, doc_id: str, message: str) -> None:
        self.table = table
        self.doc_id = doc_id
        super().__init__(f"{table} record {doc_id!r}: {message}")


def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


# The keys each stored object may have (a model's to_dict() writes its dataclass fields), and
# where nested models sit: field -> (model, is a list of them).
_NESTED: dict[type, dict[str, tuple[type, bool]]] = {
    Contact: {"places": (ContactPlace, True), "sources": (ContactSource, True)},
    ContactPlace: {"place": (Place, False)},
    Trip: {"destination": (Place, False), "busy": (BusyBlock, True)},
    Profile: {"home": (Place, False)},
}
_KNOWN_KEYS: dict[type, frozenset[str]] = {
    cls: _field_names(cls) for cls in (Contact, ContactPlace, ContactSource, Place, Trip, BusyBlock, Meetup, Profile)
}


def _unknown_key(cls: type, doc: Mapping[str, Any], where: str = "") -> str | None:
    """The first key in ``doc`` (or a nested object) that ``cls`` does not have, as a path.

    from_dict() reads the keys it knows and defaults the rest, so a damaged key (``"]mails"``
    for ``"emails"``) would otherwise load as a contact that silently lost its emails.
    """
    known = _KNOWN_KEYS[cls]
    if not known.issuperset(doc):
        bad = next(k for k in doc if k not in known)
        return f"{where}{bad}"
    for name, (sub, many) in _NESTED.get(cls, {}).items():
        value = doc.get(name)
        items = enumerate(value) if many and isinstance(value, list) else [(None, value)]
        for i, item in items:
            if isinstance(item, dict):
                found = _unknown_key(sub, item, f"{where}{name}{'' if i is None else f'[{i}]'}.")
                if found:
                    return found
    return None


def decode_record(table: str, cls: type, doc_id: str, doc: Any) -> Any:
    if not isinstance(doc, dict):
        raise BadRecord(table, doc_id, f"expected an object, found {type_name(doc)}")
    bad_key = _unknown_key(cls, doc)
    if bad_key is not None:
        raise BadRecord(
            table, doc_id, f"field {bad_key!r} is not one irlmeet writes (a damaged key?); nothing was changed"
        )
    try:
        model = cls.from_dict(doc)
    except ValidationError as exc:
        raise BadRecord(table, doc_id, str(exc)) from None
    except KeyError as exc:
        raise BadRecord(table, doc_id, f"{exc.args[0]}: is missing") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadRecord(table, doc_id, f"malformed record ({exc})") from None
    if table != PROFILE and model.id != doc_id:
        raise BadRecord(table, doc_id, f"id: the record's own id is {model.id!r}")
    return model


def decode_all(
    raw: Mapping[str, Any],
    previous_raw: Mapping[str, Any] | None = None,
    previous_models: Mapping[str, dict[str, Any]] | None = None,
) -> tuple[dict[str, dict[str, Any]], Profile]:
    """Every record as a model (validating all of them), reusing unchanged ones from before.

    Building 30k models costs ~0.4 s; comparing a document with its previous version is
    several times cheaper, which matters when another process has compacted the file.
    """
    models: dict[str, dict[str, Any]] = {}
    for table, (_, cls) in KINDS.items():
        docs = raw.get(table) or {}
        old_docs = (previous_raw or {}).get(table) or {}
        old_models = (previous_models or {}).get(table) or {}
        out: dict[str, Any] = {}
        for doc_id, doc in docs.items():
            old = old_docs.get(doc_id)
            if old is not None and doc_id in old_models and (old is doc or old == doc):
                out[doc_id] = old_models[doc_id]
            else:
                out[doc_id] = decode_record(table, cls, doc_id, doc)
        models[table] = out
    profile_doc = (raw.get(PROFILE) or {}).get(PROFILE_ID)
    profile = Profile() if profile_doc is None else decode_record(PROFILE, Profile, PROFILE_ID, profile_doc)
    return models, profile


def check_shape(raw: Any, path: Path) -> dict[str, Any]:
    """The ``_meta`` document of a parsed main file, after checking the file is ours."""
    if not isinstance(raw, dict):
        raise CorruptDataFile(path, f"expected a JSON object at the top level, found {type_name(raw)}")
    meta_table = raw.get(META)
    meta = meta_table.get(META_ID) if isinstance(meta_table, dict) else None
    if not isinstance(meta, dict):
        raise CorruptDataFile(path, f"is not an irlmeet data file (it has no {META} entry)")
    if meta.get("app") != APP:
        raise CorruptDataFile(path, f"is not an irlmeet data file ({META}.app is {meta.get('app')!r})")
    schema = meta.get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 0:
        raise CorruptDataFile(path, f"{META}.schema is {schema!r}, expected a whole number")
    for table in (*KINDS, PROFILE):
        if table in raw and not isinstance(raw[table], MutableMapping):
            raise CorruptDataFile(
                path, f"the {table} table is {type_name(raw[table])}, expected an object of records"
            )
    return meta


def apply_raw(raw: dict[str, Any], ops: Iterable[list], jpath: Path, touched: set[tuple[str, str]]) -> None:
    """Replay journal ops onto plain dicts (before anything is decoded)."""
    for op in ops:
        kind, table, doc_id = check_op(op, jpath)
        target = raw.get(table)
        if not isinstance(target, MutableMapping):  # a dict, or the lazy contacts table
            target = raw[table] = {}
        if kind == "put":
            target[doc_id] = op[3]
        else:
            target.pop(doc_id, None)
        touched.add((table, doc_id))


def check_op(op: Any, jpath: Path) -> tuple[str, str, str]:
    if (
        isinstance(op, list)
        and len(op) >= 3
        and op[0] in ("put", "del")
        and isinstance(op[1], str)
        and isinstance(op[2], str)
        and (op[0] == "del" or len(op) == 4)
    ):
        return op[0], op[1], op[2]
    raise CorruptDataFile(jpath, f"journal holds an operation irlmeet does not know: {str(op)[:80]}")
