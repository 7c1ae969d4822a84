"""Labels and categories as exports write them: place labels, tags, and circle hints.

"Coworkers", "work", "Business" say the person is professional; "Friends", "Family" that they
are personal; both kinds on one person make ``"both"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["apple_label", "circle_hint", "clean_tags", "place_label"]

_PROFESSIONAL = {
    "work", "business", "coworkers", "co-workers", "coworker", "colleagues", "colleague",
    "clients", "client", "customers", "customer", "professional", "office", "job", "jobs",
    "networking", "network", "partners", "vendors", "suppliers", "investors", "recruiters",
    "team", "company", "linkedin", "conference", "conferences",
}
_PERSONAL = {
    "friends", "friend", "family", "personal", "private", "relatives", "relative", "home",
    "close friends", "neighbours", "neighbors", "school", "university", "uni", "kids",
    "partner", "spouse",
}
# Google's own system groups: not the user's words, so not tags.
_SYSTEM = {"mycontacts", "starred", "other contacts", "othercontacts", "imported", "frequently contacted"}

_APPLE = re.compile(r"^_\$!<(.*)>!\$_$")


def apple_label(text: str) -> str:
    """``_$!<HomePage>!$_`` -> ``HomePage``; other labels unchanged."""
    match = _APPLE.match(text.strip())
    return match.group(1) if match else text.strip()


def place_label(*hints: str) -> str:
    """``"home"``, ``"work"`` or ``"other"`` from TYPE params or a label (first that says)."""
    for hint in hints:
        word = apple_label(hint).strip().lower()
        if word in ("home", "work"):
            return word
        if word in ("business", "office", "company"):
            return "work"
        if word in ("private", "personal", "residence"):
            return "home"
    return "other"


def _key(tag: str) -> str:
    return re.sub(r"\s+", " ", tag.strip().lstrip("*").strip()).lower()


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags in order without blanks, repeats (any case) or Google's system groups."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        text = re.sub(r"\s+", " ", tag.strip().lstrip("*").strip())
        key = text.lower()
        if not text or key in seen or key.replace(" ", "") in _SYSTEM:
            continue
        seen.add(key)
        out.append(text)
    return tuple(out)


def circle_hint(labels: Iterable[str]) -> str | None:
    """``"professional"``, ``"personal"``, ``"both"`` or ``None`` from categories or labels."""
    professional = personal = False
    for label in labels:
        key = _key(label)
        professional = professional or key in _PROFESSIONAL
        personal = personal or key in _PERSONAL
    if professional and personal:
        return "both"
    if professional:
        return "professional"
    if personal:
        return "personal"
    return None
