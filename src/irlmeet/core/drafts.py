"""Short, personal, low-pressure invitations.

A draft must read like a thoughtful person wrote it, not like a mail merge: it says how the two
people know each other, offers one concrete time in the reader's own time zone, makes moving or
declining easy, and never asks for anything but the meeting. Phrasing varies from contact to
contact (chosen by a stable hash of the contact's id, so the same draft comes back each time),
and professional and personal circles get different tones.

Only email is written by this module for now; the other channels (LinkedIn note, DM, SMS, a
public post) slot in as further ``_render_*`` functions with their own length limits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from irlmeet.core.errors import ValidationError
from irlmeet.core.models import Channel, Circle, Contact, MeetupKind, Profile, Trip
from irlmeet.core.planner import Proposal, days_label

__all__ = ["Draft", "draft", "format_when"]


@dataclass(frozen=True, slots=True)
class Draft:
    channel: Channel
    contact_id: str
    to: str  # where it goes: an email address, a handle, or "" when irlmeet has none
    subject: str
    body: str
    warnings: tuple[str, ...] = ()  # what would make it better, e.g. "add how you met"

    def text(self) -> str:
        """What goes on the clipboard."""
        if self.subject:
            return f"Subject: {self.subject}\n\n{self.body}"
        return self.body


#: How each kind reads inside a sentence, and as a subject line's first word.
_KIND_PHRASE = {
    MeetupKind.BREAKFAST: ("breakfast", "Breakfast"),
    MeetupKind.COFFEE: ("a coffee", "Coffee"),
    MeetupKind.LUNCH: ("lunch", "Lunch"),
    MeetupKind.DRINKS: ("a drink after work", "Drinks"),
    MeetupKind.DINNER: ("dinner", "Dinner"),
    MeetupKind.WALK: ("a walk", "A walk"),
    MeetupKind.GROUP: ("a get-together", "Get-together"),
}


def format_when(start: datetime, tz: str | ZoneInfo) -> str:
    """``Wednesday 15 April at 10:30`` in the given zone (the reader's)."""
    z = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    local = start.astimezone(z)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


_MET_PREFIX = re.compile(r"^(?:we\s+)?(?:met|connected|know each other)\s+(?:at|through|via|in|on|from)\s+", re.I)


def _how_phrase(contact: Contact) -> str:
    """``PyCon 2023`` from ``met at PyCon 2023``; "" when irlmeet does not know."""
    how = contact.how_we_met.strip().rstrip(".")
    return _MET_PREFIX.sub("", how) if how else ""


def _stay_phrase(trip: Trip) -> str:
    """``from 4 to 7 December`` / ``from 30 April to 2 May`` / ``on 4 December``."""
    s, e = trip.start, trip.end
    if s == e:
        return f"on {s.day} {s:%B}"
    if (s.year, s.month) == (e.year, e.month):
        return f"from {s.day} to {e.day} {e:%B}"
    return f"from {s.day} {s:%B} to {e.day} {e:%B}"


def _where_phrase(where: str) -> str:
    """The planner's ``central Berlin`` / ``near Potsdam`` as the end of a sentence to the reader."""
    if where.startswith("near "):
        return f"somewhere {where} so it's easy for you"
    return f"somewhere in {where}"


def _pick(contact: Contact, options: tuple[str, ...], salt: str) -> str:
    digest = hashlib.sha256(f"{salt}:{contact.id}".encode()).digest()
    return options[digest[0] % len(options)]


def _connection_sentence(contact: Contact, today: date) -> tuple[str, list[str]]:
    how = _how_phrase(contact)
    warnings: list[str] = []
    if contact.last_seen is None:
        if how:
            options = (
                f"We've been in touch since {how}, but we've never actually met in person.",
                f"Ever since {how} I've meant to meet you in person.",
                f"We know each other from {how}, and it would be good to finally meet face to face.",
            )
        elif contact.met_on:
            options = (f"We connected in {contact.met_on:%B %Y} and have never met in person.",)
            warnings.append("add how you met to make this personal")
        else:
            options = ("We've never actually met in person.",)
            warnings.append("add how you met to make this personal")
        return _pick(contact, options, "conn"), warnings
    months = (today - contact.last_seen).days // 30
    since = f"{contact.last_seen:%B %Y}"
    if months >= 12:
        options = (
            f"I realised we haven't seen each other since {since}, which is far too long.",
            f"It's been since {since} that we last saw each other, and I'd love to catch up.",
        )
    else:
        options = (
            "It would be good to catch up properly.",
            "I'd love to hear what you've been up to.",
        )
    sentence = _pick(contact, options, "conn")
    if how and contact.circle is not Circle.PERSONAL:
        sentence += f" It's been good staying in touch since {how}."
    elif not how and contact.circle is not Circle.PERSONAL:
        warnings.append("add how you met to make this personal")
    return sentence, warnings


def draft(
    proposal: Proposal,
    trip: Trip,
    profile: Profile,
    *,
    channel: Channel | str = Channel.EMAIL,
    today: date,
) -> Draft:
    """The invitation for one proposal. Raises ValidationError for a channel not written yet."""
    channel = Channel.parse(channel, "channel")
    if channel is not Channel.EMAIL:
        raise ValidationError("channel", f"{channel.value} drafts are not available yet; use email")
    contact = proposal.contact
    if proposal.start is None or proposal.kind is None:
        raise ValidationError("slot", f"{contact.name} has no free slot on this trip to propose")
    reader_tz = contact.zone_name or trip.destination.tz
    when = format_when(proposal.start, reader_tz)
    if reader_tz != trip.destination.tz:
        when += f" ({format_when(proposal.start, trip.destination.tz).split(' at ')[1]} {trip.destination.name} time)"
    what, subject_what = _KIND_PHRASE[proposal.kind]
    city = trip.destination.name
    dates = days_label(trip)
    connection, warnings = _connection_sentence(contact, today)
    personal = contact.circle is Circle.PERSONAL

    greeting = _pick(contact, ("Hi", "Hello") if not personal else ("Hey", "Hi"), "greet")
    opener = f"I'll be in {city} {_stay_phrase(trip)}" + (" for work." if not personal else ".")
    ask = _pick(
        contact,
        (
            f"Would you be up for {what} while I'm there?",
            f"Any chance you'd have time for {what}?",
            f"If you're around, it would be great to meet for {what}.",
        ),
        "ask",
    )
    offer = f"{when} would suit me, {_where_phrase(proposal.where)}." if proposal.where else f"{when} would suit me."
    easy_out = _pick(
        contact,
        (
            "Happy to move it if another time works better, and if the week is packed, no worries at all.",
            "If that doesn't work, suggest another time, or just say no: no explanation needed.",
            "No pressure at all: if it's a busy week, there will be other trips.",
        ),
        "out",
    )
    sign = profile.name.strip()
    sign_off = _pick(contact, ("Best,", "All the best,", "Cheers,") if not personal else ("See you soon, hopefully,", "Cheers,"), "sign")
    body = "\n\n".join(
        [
            f"{greeting} {contact.greeting_name},",
            f"{opener} {connection}",
            f"{ask} {offer}",
            easy_out,
            f"{sign_off}\n{sign}" if sign else sign_off,
        ]
    )
    subject = _pick(
        contact,
        (
            f"{subject_what} in {city}, {dates}?",
            f"In {city} {dates}: {subject_what.lower()}?",
        ),
        "subj",
    )
    if not sign:
        warnings.append("set your name (irlmeet me --name) so drafts are signed")
    to = contact.emails[0] if contact.emails else ""
    if not to:
        warnings.append(f"no email address for {contact.name}")
    return Draft(channel, contact.id, to, subject, body, tuple(warnings))
