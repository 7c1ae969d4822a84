"""The address book's rules: changing a contact's fields, spotting duplicates, merging two.

Pure functions over :class:`Contact` and :class:`Meetup` records (the city resolver and "now"
are parameters); :class:`irlmeet.core.service.Service` runs them on fresh stored state.

Changes use the contact's field names (see :func:`apply`); the CLI's flag names map onto them
(``--met-at`` -> ``met_at``, ``--city`` -> ``places``, ``--cadence`` -> ``cadence_days``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from irlmeet.core.errors import ValidationError
from irlmeet.core.models import (
    Contact,
    ContactPlace,
    Meetup,
    MeetupStatus,
    Place,
    PlaceLabel,
    handle,
    parse_cadence,
    parse_date,
    parse_handle,
    service_name,
)

__all__ = ["CLEARABLE", "Duplicate", "apply", "field_for", "find_duplicates", "merge_contact_records", "repoint_meetups"]

Resolve = Callable[[str | Place], Place]

_LISTS = ("emails", "phones", "tags", "handles", "places")
_DATES = ("met_on", "last_seen", "last_contacted")
_FIELDS = tuple(f.name for f in fields(Contact) if f.name != "id")

#: Other names a field goes by: the CLI's flag names, singulars.
_ALIASES = {
    "city": "places", "cities": "places", "place": "places",
    "email": "emails", "phone": "phones", "tag": "tags", "handle": "handles",
    "prefer": "preferred", "cadence": "cadence_days", "reason": "do_not_invite_reason",
}

#: What ``clear`` (``--clear FIELD``) takes, by the flag's name.
CLEARABLE = (
    "nickname", "company", "role", "city", "tz", "email", "phone", "linkedin", "handle", "prefer",
    "met-at", "met-via", "met-on", "topic", "how-we-met", "closeness", "cadence", "last-seen",
    "last-contacted", "do-not-invite", "reason", "tag", "tags", "notes",
)


def field_for(name: str, what: str = "field") -> str:
    """The Contact field a field or flag name means (``met-at``, ``--city``, ``tags``)."""
    key = str(name).strip().lstrip("-").lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _FIELDS:
        raise ValidationError(what, f"{name!r} is not a contact field; one of: {', '.join(CLEARABLE)}")
    return key


def _empty(name: str) -> Any:
    if name in _LISTS:
        return {} if name == "handles" else ()
    if name in _DATES or name in ("closeness", "cadence_days"):
        return None
    if name == "do_not_invite":
        return False
    if name in ("name", "circle"):
        raise ValidationError(name, "cannot be cleared" + ("; set another one" if name == "name" else "; set --circle"))
    return ""


def _place(spec: Any, resolve: Resolve, default: PlaceLabel) -> ContactPlace:
    """``"Munich"``, ``"work=Munich"``, a Place, a ContactPlace or ``(label, city)``."""
    if isinstance(spec, ContactPlace):
        return spec
    label: Any = default
    city = spec
    if isinstance(spec, tuple) and len(spec) == 2:
        label, city = spec
    elif isinstance(spec, str) and "=" in spec:
        label, city = spec.split("=", 1)
    label = PlaceLabel.parse(label.strip() if isinstance(label, str) else label, "places.label")
    if isinstance(city, str) and not city.strip():
        raise ValidationError("places", "a city must not be empty (write LABEL=CITY, e.g. work=Munich)")
    return ContactPlace(resolve(city.strip() if isinstance(city, str) else city), label)


def _handles(value: Any, what: str = "handles") -> dict[str, str]:
    """A mapping ``{service: handle}`` or ``SERVICE:HANDLE`` strings."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            svc = service_name(k, what)
            out[svc] = handle(svc, v, what)
        return out
    if isinstance(value, str):
        value = [value]
    return dict(parse_handle(v, what) for v in value)


def _set(name: str, value: Any, resolve: Resolve, places: list[ContactPlace]) -> Any:
    if value is None or (value == "" and name not in ("name",)):
        return _empty(name)
    if name == "places":
        specs = [value] if isinstance(value, (str, Place, ContactPlace, tuple)) else list(value)
        out: list[ContactPlace] = []
        for spec in specs:
            out.append(_place(spec, resolve, _default_label(out)))
        return tuple(out)
    if name == "handles":
        return _handles(value)
    if name in ("emails", "phones", "tags"):
        return (value,) if isinstance(value, str) else tuple(value)
    if name == "cadence_days":
        return parse_cadence(value, "cadence")
    if name in _DATES:
        return parse_date(value, name)
    if name == "do_not_invite":
        return bool(value)
    return value


def _default_label(places: Iterable[ContactPlace]) -> PlaceLabel:
    """The first city is home; later ones without a label are "other"."""
    return PlaceLabel.OTHER if any(p.label is PlaceLabel.HOME for p in places) else PlaceLabel.HOME


def _remove(name: str, current: Any, items: Any, contact: Contact) -> Any:
    items = [items] if isinstance(items, str) else list(items)
    if name == "handles":
        out = dict(current)
        for item in items:
            svc = service_name(str(item).split(":", 1)[0], "handles")
            if out.pop(svc, None) is None:
                have = ", ".join(out) or "none"
                raise ValidationError("remove_handles", f"{contact.name} has no {svc} handle (handles: {have})")
        return out
    if name == "places":
        out_p = list(current)
        for item in items:
            key = _fold(str(item))
            match = [p for p in out_p if key in (_fold(p.label.value), _fold(p.place.name),
                                                  _fold(f"{p.label.value}={p.place.name}"))]
            if not match:
                have = ", ".join(f"{p.label.value}={p.place.name}" for p in out_p) or "none"
                raise ValidationError("remove_places", f"{item!r} is not one of {contact.name}'s cities ({have})")
            out_p = [p for p in out_p if p not in match]
        return tuple(out_p)
    out_l = list(current)
    for item in items:
        key = str(item).strip().casefold()
        kept = [v for v in out_l if v.casefold() != key]
        if len(kept) == len(out_l):
            have = ", ".join(out_l) or "none"
            raise ValidationError(f"remove_{name}", f"{item!r} is not one of {contact.name}'s {name} ({have})")
        out_l = kept
    return tuple(out_l)


def apply(contact: Contact, changes: Mapping[str, Any], resolve: Resolve, now: datetime) -> Contact:
    """``contact`` with ``changes`` applied, validated; ``contact`` itself is unchanged.

    Keys are Contact field names (or flag names, see :func:`field_for`): the value sets the
    field, ``None``/"" clears it. ``add_<list>``/``remove_<list>`` for emails, phones, tags,
    handles and places add or remove items; ``clear`` is a list of fields to clear. Clears run
    first, then sets, then adds and removes. Removing the preferred channel clears
    ``preferred``; un-marking do-not-invite clears its reason. Dates may not be in the future.
    """
    work: dict[str, Any] = {name: getattr(contact, name) for name in _FIELDS}
    changes = dict(changes)
    touched: set[str] = set()
    for name in changes.pop("clear", None) or ():
        f = field_for(name, "clear")
        work[f] = _empty(f)
        touched.add(f)
    edits = [(k, v) for k, v in changes.items() if not k.startswith(("add_", "remove_"))]
    for key, value in edits:
        f = field_for(key)
        work[f] = _set(f, value, resolve, [])
        touched.add(f)
    for key, value in changes.items():
        if not key.startswith(("add_", "remove_")) or value is None:
            continue
        op, _, rest = key.partition("_")
        f = field_for(rest)
        if f not in _LISTS:
            raise ValidationError(key, f"only {', '.join(_LISTS)} can be added to or removed from")
        touched.add(f)
        if op == "remove":
            work[f] = _remove(f, work[f], value, contact)
        elif f == "places":
            specs = [value] if isinstance(value, (str, Place, ContactPlace, tuple)) else list(value)
            places = list(work["places"])
            for spec in specs:
                places.append(_place(spec, resolve, _default_label(places)))
            work[f] = tuple(places)
        elif f == "handles":
            work[f] = {**work[f], **_handles(value)}
        else:
            work[f] = (*work[f], *([value] if isinstance(value, str) else value))
    if not work["do_not_invite"]:
        work["do_not_invite_reason"] = ""
    if "preferred" not in touched and work["preferred"]:
        probe = replace(contact, **{k: work[k] for k in ("emails", "phones", "linkedin", "handles")}, preferred="")
        if work["preferred"] not in probe.channels:
            work["preferred"] = ""
    new = replace(contact, **work)
    today = now.date()
    for f in _DATES:
        value: date | None = getattr(new, f)
        if f in touched and value is not None and value > today:
            raise ValidationError(f, f"{value.isoformat()} is in the future")
    return new


# --------------------------------------------------------------------------------------------
# Duplicates


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A stored contact that looks like the same person, and why."""

    contact: Contact
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        cities = "; ".join(p.place.short_label() for p in self.contact.places)
        return f"{self.contact.name} ({cities})" if cities else self.contact.name


def _fold(text: str) -> str:
    """A name for comparing: no case, accents or punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.split())


def _place_key(p: Place) -> tuple:
    return ("g", p.geonameid) if p.geonameid else ("n", _fold(p.name), p.country_code)


def find_duplicates(contact: Contact, others: Iterable[Contact]) -> list[Duplicate]:
    """Contacts in ``others`` with the same email, the same LinkedIn URL, or the same name
    (ignoring case, accents and punctuation) and a shared city."""
    emails = {e.casefold() for e in contact.emails}
    name = _fold(contact.name)
    places = {_place_key(p.place): p.place for p in contact.places}
    out: list[Duplicate] = []
    for other in others:
        if other.id == contact.id:
            continue
        reasons = [f"same email {e}" for e in other.emails if e.casefold() in emails]
        if contact.linkedin and other.linkedin == contact.linkedin:
            reasons.append("same LinkedIn profile")
        if _fold(other.name) == name:
            shared = [places[k].name for k in (_place_key(p.place) for p in other.places) if k in places]
            if shared:
                reasons.append(f"same name and city ({shared[0]})")
            elif not places and not other.places:
                reasons.append("same name, and neither has a city")
        if reasons:
            out.append(Duplicate(other, tuple(reasons)))
    return sorted(out, key=lambda d: (d.contact.name.casefold(), d.contact.id))


# --------------------------------------------------------------------------------------------
# Merging


def merge_contact_records(a: Contact, b: Contact) -> Contact:
    """A with B folded in: lists united (A's first), A's fields win and B's fill A's blanks;
    last seen and last contacted take the later date, met on the earlier; notes keep both;
    do-not-invite if either is; import sources are united."""
    work: dict[str, Any] = {}
    for name in _FIELDS:
        av, bv = getattr(a, name), getattr(b, name)
        if name in ("emails", "phones", "tags", "places"):
            work[name] = (*av, *bv)
        elif name == "handles":
            work[name] = {**bv, **av}
        elif name in ("last_seen", "last_contacted"):
            work[name] = max((d for d in (av, bv) if d), default=None)
        elif name == "met_on":
            work[name] = min((d for d in (av, bv) if d), default=None)
        elif name == "notes":
            work[name] = av if not bv or bv == av else (f"{av}\n\n{bv}" if av else bv)
        elif name == "do_not_invite":
            work[name] = av or bv
        elif name == "name":
            work[name] = av
        elif name == "circle":  # A's, unless an import left A's open and B's is known
            work[name] = bv if a.circle_open and not b.circle_open else av
        elif name == "circle_open":
            work[name] = av and bv
        elif name == "sources":  # where each came from: both, once per source
            work[name] = (*av, *(src for src in bv if src.key not in {s.key for s in av}))
        else:
            work[name] = av if av not in (None, "") else bv
    if not work["do_not_invite"]:
        work["do_not_invite_reason"] = ""
    return replace(a, **work)


def repoint_meetups(meetups: Iterable[Meetup], gone_id: str, keep_id: str, now: datetime) -> list[Meetup]:
    """The changes that make B's meetups A's (same UID, sequence + 1).

    Two meetups for the same people on one trip would confuse re-planning, so where A already
    has one: B's idea is cancelled (A's stays); B's real meetup (invited, confirmed, met) wins
    over A's idea, which is cancelled; two real ones are both kept; B's cancelled or declined
    one is left as it was (history)."""
    meetups = list(meetups)
    live = (MeetupStatus.IDEA, MeetupStatus.INVITED, MeetupStatus.CONFIRMED, MeetupStatus.MET)
    by_people: dict[tuple[str, frozenset[str]], list[Meetup]] = {}
    for m in meetups:
        if gone_id not in m.contact_ids:
            by_people.setdefault((m.trip_id, frozenset(m.contact_ids)), []).append(m)
    changed: dict[str, Meetup] = {}

    def bump(m: Meetup, **kw: Any) -> Meetup:
        return replace(m, **kw, sequence=m.sequence + 1, updated=now)

    for m in meetups:
        if gone_id not in m.contact_ids:
            continue
        ids = tuple(dict.fromkeys(keep_id if cid == gone_id else cid for cid in m.contact_ids))
        theirs = by_people.get((m.trip_id, frozenset(ids)), [])
        if theirs and m.status not in live:
            continue
        theirs_live = [t for t in theirs if t.status in live and t.id not in changed]
        if m.status is MeetupStatus.IDEA and theirs_live:
            changed[m.id] = bump(m, status=MeetupStatus.CANCELLED)
            continue
        for t in theirs_live:
            if t.status is MeetupStatus.IDEA:
                changed[t.id] = bump(t, status=MeetupStatus.CANCELLED)
        changed[m.id] = bump(m, contact_ids=ids)
    return list(changed.values())
