"""Contacts out as vCard 4.0 (RFC 6350), so the address book can leave irlmeet (issue 9).

vobject builds and serialises the cards: it escapes text (``\\,`` ``\\;`` ``\\n``), folds long
lines at 75 octets and writes CRLF; nothing here joins a content line by hand.

What goes in, per contact: FN, N (family name = the last word), NICKNAME, ORG, TITLE, EMAIL,
TEL, ADR per city (locality, region, country; TYPE home/work), GEO (the first city's
coordinates), TZ (only an override: a city's zone follows from the city), the LinkedIn profile
as URL and ``X-SOCIALPROFILE;TYPE=linkedin``, handles on web networks as X-SOCIALPROFILE URLs
and the others as IMPP with ``X-SERVICE-TYPE``, CATEGORIES (tags), BDAY, and a UID from the
contact's id. Never the private notes (issue 9: "free-form notes stay private and are never
pasted into a draft or an export"), nor irlmeet's own relationship fields (circle, cadence,
how you met), which vCard has no property for.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

import vobject

from irlmeet.core.errors import ExportError
from irlmeet.core.fsutil import atomic_write, describe_os_error
from irlmeet.core.models import Contact

__all__ = ["PRODID", "build_vcards", "check_target", "contact_card", "write_vcards"]

PRODID = "-//irlmeet//irlmeet//EN"

# Handles that have a profile URL: written as X-SOCIALPROFILE (Apple, Google and khard read it).
_PROFILE_URLS = {
    "x": "https://x.com/{}",
    "bluesky": "https://bsky.app/profile/{}",
    "github": "https://github.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "threads": "https://www.threads.net/{}",
    "telegram": "https://t.me/{}",
}
# IMPP URI schemes by service (RFC 6350 IMPP; Apple's x-apple: for the rest).
_IMPP_SCHEMES = {"xmpp": "xmpp", "skype": "skype", "sip": "sip", "signal": "sgnl", "matrix": "matrix"}


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return "", name
    return parts[-1], " ".join(parts[:-1])


def _profile_url(service: str, handle: str) -> str | None:
    if service == "mastodon":
        user, _, host = handle.lstrip("@").partition("@")
        return f"https://{host}/@{user}" if host else None
    pattern = _PROFILE_URLS.get(service)
    return pattern.format(handle.lstrip("@")) if pattern else None


def contact_card(c: Contact) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = f"urn:irlmeet:contact:{c.id}"
    card.add("fn").value = c.name
    family, given = _split_name(c.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if c.nickname:
        card.add("nickname").value = c.nickname
    if c.company:
        card.add("org").value = [c.company]
    if c.role:
        card.add("title").value = c.role
    for e in c.emails:
        card.add("email").value = e
    for ph in c.phones:
        card.add("tel").value = ph
    for cp in c.places:
        adr = card.add("adr")
        p = cp.place
        adr.value = vobject.vcard.Address(city=p.name, region=p.region, country=p.country or p.country_code)
        if cp.label.value in ("home", "work"):
            adr.type_param = cp.label.value
    if c.places:
        home = c.places[0].place
        card.add("geo").value = f"geo:{home.lat:.6f},{home.lon:.6f}"
    if c.tz:
        card.add("tz").value = c.tz
    if c.linkedin:
        card.add("url").value = c.linkedin
        social = card.add("x-socialprofile")
        social.value = c.linkedin
        social.type_param = "linkedin"
    for service, handle in c.handles.items():
        url = _profile_url(service, handle)
        if url is not None:
            social = card.add("x-socialprofile")
            social.value = url
            social.type_param = service
        else:
            impp = card.add("impp")
            scheme = _IMPP_SCHEMES.get(service, "x-apple")
            impp.value = f"{scheme}:{handle}"
            impp.params["X-SERVICE-TYPE"] = [service]
    if c.tags:
        card.add("categories").value = list(c.tags)
    if c.birthday:
        card.add("bday").value = c.birthday.replace("-", "") if not c.birthday.startswith("--") else "--" + c.birthday[2:].replace("-", "")
    return card


def build_vcards(contacts: Iterable[Contact]) -> bytes:
    """Every contact as one vCard 4.0, in one UTF-8 stream (CRLF line ends)."""
    return "".join(contact_card(c).serialize() for c in contacts).encode("utf-8")


def check_target(path: Path, protected: Iterable[Path]) -> None:
    """Refuse an output path that is irlmeet's own data (the data file, its journal, lock or
    backups), a folder, or anything but a regular file (a device, a pipe)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the vCard file: {describe_os_error(exc, path)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{path}: cannot write the vCard file: it is a folder, not a file")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise ExportError(f"{path}: cannot write the vCard file: it is not a regular file (a device or a pipe?)")
    target = path.resolve()
    for data in protected:
        data = Path(data).resolve()
        if target.parent == data.parent and target.name.startswith(data.name):
            raise ExportError(f"{path}: that is irlmeet's own data file (or one beside it); choose another name")


def write_vcards(path: Path, data: bytes, *, protected: Iterable[Path] = ()) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename); on failure ``path`` is
    left as it was and an :class:`ExportError` says why."""
    path = Path(path)
    check_target(path, protected)
    try:
        atomic_write(path, data, mode=None)
    except OSError as exc:
        raise ExportError(f"{path}: could not write the vCard file: {describe_os_error(exc, path)}") from exc
