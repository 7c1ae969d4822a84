"""vCard 2.1 / 3.0 / 4.0: one .vcf holding many cards, or a folder of them (khard/vdirsyncer).

vobject does the format: unfolding, quoted-printable (``allowQP``), parameters, charsets of
QP values, and unescaping (its ``stringToTextValues``/``splitFields``). We feed it one card at a
time (see :mod:`.cardfile`) and read each property's *raw* value rather than vobject's native
objects, whose text behaviour splits FN, TITLE and ORG at commas ("VP, Engineering" -> "VP").

What comes in: FN (else N), NICKNAME, ORG, TITLE, EMAIL, TEL, ADR (locality, region, country),
GEO, TZ, NOTE, CATEGORIES (tags and a circle hint), URL, X-SOCIALPROFILE/SOCIALPROFILE, IMPP
and the X-SKYPE-style IM properties (handles or the LinkedIn URL), BDAY, UID. Apple's
``item1.X-ABLabel`` names the group's address. Group cards and organisation cards are not people
and are counted as skipped, as are cards with no name at all.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from vobject.base import ContentLine, VObjectError, getLogicalLines, parseLine
from vobject.icalendar import stringToTextValues
from vobject.vcard import splitFields

from irlmeet.core.errors import ImportFileError
from irlmeet.core.imports.cardfile import RawCard, Stray, decode_lines, split_cards
from irlmeet.core.imports.channels import (
    clean_email,
    clean_phone,
    handle_from_impp,
    handle_from_url,
    linkedin_url,
    service_name,
)
from irlmeet.core.imports.dates import parse_birthday
from irlmeet.core.imports.filetype import looks_like, read_bytes, text_kind
from irlmeet.core.imports.labels import apple_label, circle_hint, clean_tags, place_label
from irlmeet.core.imports.record import (
    SKIP_GROUP,
    SKIP_NO_NAME,
    SKIP_ORGANISATION,
    ImportedContact,
    ImportedPlace,
    ImportProblem,
    ImportResult,
    Item,
    Progress,
    Skipped,
    SourceRef,
    Ticker,
)

__all__ = ["VCARD_SUFFIXES", "read_vcard", "scan_vcard"]

VCARD_SUFFIXES = (".vcf", ".vcard")

# X- properties some clients use for instant messaging, by the service they name.
_IM_PROPERTIES = {
    "X-SKYPE": "skype", "X-SKYPE-USERNAME": "skype", "X-JABBER": "xmpp", "X-GTALK": "xmpp",
    "X-GOOGLE-TALK": "xmpp", "X-AIM": "aim", "X-ICQ": "icq", "X-MSN": "msn", "X-YAHOO": "yahoo",
    "X-QQ": "qq", "X-TWITTER": "x", "X-MASTODON": "mastodon", "X-TELEGRAM": "telegram",
    "X-SIGNAL": "signal", "X-MATRIX": "matrix", "X-GADUGADU": "gadugadu", "X-WECHAT": "wechat",
    "X-BLUESKY": "bluesky",
}


def read_vcard(path: Path | str, *, progress: Progress | None = None) -> ImportResult:
    """Every card in ``path`` (a .vcf file or a folder of them), collected."""
    return ImportResult.collect(scan_vcard(path, progress=progress))


def scan_vcard(path: Path | str, *, progress: Progress | None = None) -> Iterator[Item]:
    """Yield one item per card: an :class:`ImportedContact`, a :class:`Skipped` (group,
    organisation, nobody named) or an :class:`ImportProblem` (file, card number, line, reason).

    ``path`` may be a folder: every ``*.vcf``/``*.vcard`` under it is read, in name order, and a
    file in it that is not a vCard becomes a problem. A single file that is not a vCard (a
    picture, an .ics, empty, no card in it) raises :class:`ImportFileError` before anything is
    yielded. ``progress(done, total)`` counts cards.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*")
            if p.suffix.lower() in VCARD_SUFFIXES and not p.name.startswith(".") and p.is_file()
        )
        if not files:
            raise ImportFileError(path, "this folder holds no .vcf files")
        prepared: list[tuple[Path, list[RawCard | Stray]]] = []
        file_problems: list[ImportProblem] = []
        for file in files:
            try:
                prepared.append((file, _cards(file)))
            except ImportFileError as error:
                file_problems.append(ImportProblem(file, None, error.reason))
    else:
        prepared, file_problems = [(path, _cards(path))], []
    yield from file_problems
    total = sum(1 for _, parts in prepared for part in parts if isinstance(part, RawCard))
    ticker = Ticker(progress, total)
    for file, parts in prepared:
        for part in parts:
            if isinstance(part, Stray):
                yield ImportProblem(file, part.line, "END:VCARD without a BEGIN:VCARD before it")
                continue
            yield _safe_card(file, part)
            ticker.tick()
    ticker.finish()


def _cards(file: Path) -> list[RawCard | Stray]:
    data = read_bytes(file)
    what = looks_like(data)
    if what is not None:
        raise ImportFileError(file, f"this is {what}, not a vCard file")
    lines = decode_lines(data)
    parts = [p for p in split_cards(lines) if isinstance(p, RawCard) or _is_end(p)]
    if not any(isinstance(p, RawCard) for p in parts):
        other = text_kind("\n".join(lines[:50]))
        ends = [p for p in parts if isinstance(p, Stray)]
        if ends:
            raise ImportFileError(
                file, f"no vCard in it: END:VCARD on line {ends[0].line} has no BEGIN:VCARD before it"
            )
        if other:
            raise ImportFileError(file, f"this is {other}, not a vCard file")
        raise ImportFileError(file, "no vCard in it (no BEGIN:VCARD line)")
    return parts


def _is_end(stray: Stray) -> bool:
    return stray.text.strip().upper() == "END:VCARD"


def _safe_card(file: Path, card: RawCard) -> Item:
    if card.unclosed:
        return ImportProblem(file, card.line, "BEGIN:VCARD without END:VCARD; card not imported", card.number)
    try:
        return _card(file, card)
    except Exception as error:  # noqa: BLE001 - one bad card never stops the others
        return ImportProblem(file, card.line, f"could not be read ({type(error).__name__}: {error})", card.number)


# --- one card ----------------------------------------------------------------------------------


class _Prop:
    """One property as vobject's ``parseLine`` reads it: like its ContentLine, without the cost
    (ContentLine's attribute hooks were half the time of a card). Quoted-printable lines still
    go through ContentLine, which decodes them by their CHARSET."""

    __slots__ = ("name", "group", "params", "singletonparams", "value")

    def __init__(self, name: str, params: list[list[str]], value: str, group: str | None) -> None:
        self.name = name.upper()
        self.group = group
        self.params: dict[str, list[str]] = {}
        self.singletonparams: list[str] = []
        self.value = value
        for param in params:
            if len(param) == 1:
                self.singletonparams.append(param[0])
            else:
                self.params.setdefault(param[0].upper(), []).extend(param[1:])

    @classmethod
    def of(cls, line: _Prop) -> _Prop:
        prop = cls(line.name, [], line.value, line.group)
        prop.params, prop.singletonparams = line.params, line.singletonparams
        return prop


def _content_lines(text: str) -> list[_Prop]:
    out: list[_Prop] = []
    for line, number in getLogicalLines(io.StringIO(text), True):
        try:
            parsed = parseLine(line, number)
            if "QUOTED-PRINTABLE" in line.upper().split(":", 1)[0]:
                out.append(_Prop.of(ContentLine(*parsed, encoded=True, lineNumber=number)))
            else:
                out.append(_Prop(*parsed))
        except VObjectError:
            continue  # a junk line (an old phone's AGENT remnant, a '#' comment): not a property
        except (UnicodeDecodeError, LookupError):
            fixed = _qp_fallback(line, number)
            if fixed is not None:
                out.append(_Prop.of(fixed))
    return out


def _qp_fallback(line: str, number: int) -> ContentLine | None:
    """A quoted-printable value whose bytes are not in its (missing or wrong) CHARSET."""
    try:
        name, params, value, group = parseLine(line, number)
    except VObjectError:
        return None
    raw = codecs.decode(value.encode("latin-1", errors="replace"), "quoted-printable")
    for charset in ("utf-8", "cp1252"):
        try:
            text = raw.decode(charset)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    kept = [p for p in params if not any(v.upper() in ("QUOTED-PRINTABLE", "CHARSET") for v in p)]
    return ContentLine(name, kept, text, group, encoded=True, lineNumber=number)


# Escapes some clients add that vCard does not define (``http\://``, ``B\'C``, ``Inc\.``).
_STRAY_ESCAPE = re.compile(r"\\([:'\"./])")


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _unescape_one(match: re.Match[str]) -> str:
    char = match.group(1)
    return "\n" if char in "nN" else char


def _text(line: _Prop) -> str:
    if not line.value:
        return ""
    if "\\" not in line.value:
        return line.value
    # RFC 6350 3.4 / RFC 2426 4: \n or \N is a newline, any other escaped character is itself.
    # (vobject's stringToTextValues does the same, a character at a time: 3x slower.)
    return _ESCAPE.sub(_unescape_one, line.value)


def _list(line: _Prop) -> list[str]:
    """A comma-separated text list (CATEGORIES, NICKNAME), each item unescaped."""
    if not line.value:
        return []
    if "\\" not in line.value:
        return line.value.split(",")
    return stringToTextValues(_STRAY_ESCAPE.sub(r"\1", line.value))


def _fields(value: str) -> list[str]:
    """A structured value (N, ADR, ORG) split at unescaped ``;``, each part unescaped; a part
    vobject split at unescaped commas is joined back."""
    if not value:
        return []
    if "\\" not in value:
        return value.split(";")
    return [",".join(f) if isinstance(f, list) else f for f in splitFields(value)]


def _types(line: _Prop) -> list[str]:
    types: list[str] = []
    for value in line.params.get("TYPE", []) + line.singletonparams:
        types.extend(t.strip().lower() for t in value.split(",") if t.strip())
    return types


def _preferred(line: _Prop) -> bool:
    return "pref" in _types(line) or line.params.get("PREF", ["100"])[0] == "1"


def _by_preference(lines: list[_Prop]) -> list[_Prop]:
    return sorted(lines, key=lambda line: not _preferred(line))


def _param(line: _Prop, name: str) -> str:
    values = line.params.get(name)
    return values[0].strip() if values else ""


_SPACE = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _card(file: Path, card: RawCard) -> Item:
    props: dict[str, list[_Prop]] = {}
    labels: dict[str, str] = {}
    for line in _content_lines(card.text):
        props.setdefault(line.name, []).append(line)
        if line.name == "X-ABLABEL" and line.group:
            labels[line.group.lower()] = apple_label(_text(line))

    cache: dict[str, list[str]] = {}

    def texts(name: str) -> list[str]:
        found = cache.get(name)
        if found is None:
            lines = props.get(name)
            found = [t for t in (_text(line).strip() for line in _by_preference(lines)) if t] if lines else []
            cache[name] = found
        return found

    def first(name: str) -> str:
        found = texts(name)
        return found[0] if found else ""

    kind = (first("KIND") or first("X-ADDRESSBOOKSERVER-KIND")).lower()
    emails = _unique(e for e in (clean_email(t) for t in texts("EMAIL")) if e)
    if kind == "group":
        return Skipped(file, card.line, SKIP_GROUP, card.number, first("FN"))

    name = _name(first("FN"), props.get("N", []))
    if kind in ("org", "organization", "location") or (
        not name and first("X-ABSHOWAS").upper() == "COMPANY"
    ) or (first("X-ABSHOWAS").upper() == "COMPANY" and not _person_in_n(props.get("N", []))):
        return Skipped(file, card.line, SKIP_ORGANISATION, card.number, first("FN") or first("ORG"))
    if not name:
        hint = emails[0] if emails else first("TEL")
        return Skipped(file, card.line, SKIP_NO_NAME, card.number, hint)

    company = ""
    for line in _by_preference(props.get("ORG", [])):
        parts = [p.strip() for p in _fields(line.value)]
        company = next((p for p in parts if p), "")
        if company:
            break
    nickname = ""
    for line in props.get("NICKNAME", []):
        values = [v.strip() for v in _list(line) if v.strip()]
        if values:
            nickname = values[0]
            break

    places = [p for p in (_place(line, labels) for line in _by_preference(props.get("ADR", []))) if p]
    geo = next((g for g in (_geo(t) for t in texts("GEO")) if g), None)
    if geo is not None:
        if places and places[0].geo is None:
            places[0] = replace(places[0], geo=geo)
        elif not places:
            places.append(ImportedPlace("other", "", geo=geo))

    linkedin: str | None = None
    handles: list[tuple[str, str]] = []
    urls: list[str] = []
    for text in texts("URL"):
        profile = linkedin_url(text)
        handle = None if profile else handle_from_url(text)
        if profile:
            linkedin = linkedin or profile
        elif handle:
            handles.append(handle)
        else:
            urls.append(text)
    for line in props.get("X-SOCIALPROFILE", []) + props.get("SOCIALPROFILE", []):
        value = _text(line).strip()
        hint = _param(line, "SERVICE-TYPE") or next((t for t in _types(line) if t != "pref"), "")
        user = _param(line, "X-USER")
        profile = linkedin_url(value) if value else None
        if profile or service_name(hint) == "linkedin":
            linkedin = linkedin or profile or (linkedin_url(f"linkedin.com/in/{user}") if user else None)
            continue
        handle = handle_from_url(value, hint) if value else None
        if handle is None and user and hint:
            handle = (service_name(hint), user)
        if handle:
            handles.append(handle)
    for line in props.get("IMPP", []):
        service = _param(line, "X-SERVICE-TYPE") or labels.get((line.group or "").lower(), "")
        handle = handle_from_impp(_text(line), service)
        if handle:
            handles.append(handle)
    for prop, service in _IM_PROPERTIES.items():
        for text in texts(prop):
            handles.append((service, text))

    tags: list[str] = []
    for line in props.get("CATEGORIES", []):
        tags.extend(_list(line))
    kept_tags = clean_tags(tags)

    role = first("TITLE") or first("ROLE")
    uid = first("UID") or None
    return ImportedContact(
        name=name,
        source=SourceRef("vcard", uid, file, card.line, card.number),
        nickname=_one_line(nickname),
        company=_one_line(company),
        role=_one_line(role),
        places=tuple(places),
        tz=next((z for z in (_iana(t) for t in texts("TZ")) if z), None),
        emails=emails,
        phones=_unique_phones(p for p in (clean_phone(t) for t in texts("TEL")) if p),
        linkedin=linkedin,
        handles=_unique_handles(handles),
        notes="\n\n".join(texts("NOTE")),
        tags=kept_tags,
        circle=circle_hint(kept_tags),
        birthday=next((b for b in (parse_birthday(t) for t in texts("BDAY")) if b), None),
        urls=tuple(dict.fromkeys(urls)),
    )


_EMAILISH = re.compile(r"^\S+@\S+\.\S+$")


def _n_parts(lines: list[_Prop]) -> list[str]:
    for line in lines:
        parts = [p.strip() for p in _fields(line.value)]
        if any(parts):
            return parts + [""] * (5 - len(parts))
    return [""] * 5


def _person_in_n(lines: list[_Prop]) -> bool:
    family, given = _n_parts(lines)[:2]
    return bool(family or given)


def _name(fn: str, n_lines: list[_Prop]) -> str:
    """FN as written, unless it is empty or an e-mail address: then given, middle, family."""
    full = _one_line(fn)
    if full and not _EMAILISH.match(full):
        return full
    family, given, additional = _n_parts(n_lines)[:3]
    from_n = _one_line(" ".join(p.replace(",", " ") for p in (given, additional, family) if p))
    return from_n


def _place(line: _Prop, labels: dict[str, str]) -> ImportedPlace | None:
    parts = [_one_line(p) for p in _fields(line.value)]
    parts += [""] * (7 - len(parts))
    locality, region, country = parts[3], parts[4], parts[6]
    geo = _geo(_param(line, "GEO"))
    if not (locality or region or country or geo):
        return None
    shown = [locality]
    if region and region.lower() != locality.lower():
        shown.append(region)
    if country and country.lower() not in (s.lower() for s in shown):
        shown.append(country)
    label = place_label(*_types(line), labels.get((line.group or "").lower(), ""))
    return ImportedPlace(label, ", ".join(s for s in shown if s), locality, region, country, geo)


_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_GEO = re.compile(rf"^(?:geo:)?\s*({_NUMBER})\s*[;,]\s*({_NUMBER})", re.IGNORECASE)


def _geo(text: str) -> tuple[float, float] | None:
    """``37.3;-122.0`` (3.0) or ``geo:37.3,-122.0`` (4.0) -> ``(lat, lon)``."""
    match = _GEO.match(text.strip().strip('"'))
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0):
        return (lat, lon)
    return None


@lru_cache(maxsize=256)
def _iana(text: str) -> str | None:
    """An IANA zone name as is; an offset (``-05:00``) or unknown name -> ``None``."""
    name = text.strip().removeprefix("tzid:").strip()
    if not name or not name[0].isalpha() or "/" not in name and name not in ("UTC", "GMT"):
        return None
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None
    return name


def _unique(values) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def _unique_phones(values) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(re.sub(r"[^\d+]", "", value), value)
    return tuple(seen.values())


def _unique_handles(values: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for service, handle in values:
        handle = handle.strip()
        if handle:
            seen.setdefault((service, handle.casefold()), (service, handle))
    return tuple(seen.values())

