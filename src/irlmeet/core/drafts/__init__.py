"""Short, personal, low-pressure invitations (and thank-yous), per channel.

irlmeet never sends anything: it writes the text, the user copies it and sends it.

:func:`draft` writes one person's note for a trip: the channel's form and length cap
(:mod:`.channels`), two or three concrete times from the plan's free slots in the reader's own
zone and clock style (:func:`irlmeet.core.planner.options_for`, :mod:`irlmeet.core.wording`),
sentences built from the contact's structured fields (:mod:`.sentences`), poured into a
template (:mod:`.templates`, the user's own overriding the built-in ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from irlmeet.core.errors import ValidationError
from irlmeet.core.models import Channel, Contact, Meetup, MeetupKind, Profile, zone
from irlmeet.core.planner import Plan, Proposal, options_for
from irlmeet.core.settings import DraftSettings
from irlmeet.core.wording import style_for

from . import sentences, templates
from .channels import cap_for, default_channel, missing_address, parse_channel, route

__all__ = ["Draft", "Option", "default_channel", "draft", "parse_channel"]

LINKEDIN_NOTE_HINT = (
    "LinkedIn's free accounts can send only about 5 personalised invitation notes a month "
    "(Premium: unlimited, and 300 characters: set linkedin_note_cap = 300 under [drafts])"
)


@dataclass(frozen=True, slots=True)
class Option:
    """One concrete time offered, with ``start``/``end`` in the reader's zone."""

    kind: MeetupKind
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Draft:
    channel: Channel
    contact_id: str
    to: str  # where it goes: an email address, a handle, a URL, a number; "" when irlmeet has none
    subject: str  # email only
    body: str
    options: tuple[Option, ...] = ()  # the times offered, in the reader's zone
    variant: int = 1  # 1-based: which wording (``--variant N``)
    variants: int = sentences.VARIANTS  # how many wordings there are to cycle through
    cap: int | None = None  # characters (linkedin-note, dm, sms, post); None for email
    cap_words: int | None = None  # email: the body's word cap
    case: str = ""  # never-met, new-connection, old-friend, colleague, group, follow-up
    template: str = ""  # the template file used ("built-in:email.txt" or a path)
    hints: tuple[str, ...] = field(default=())  # what would make it better, never blocking

    @property
    def warnings(self) -> tuple[str, ...]:
        """Kept for older callers: the drafting hints (the etiquette check is separate)."""
        return self.hints

    def text(self) -> str:
        """What goes on the clipboard and to stdout: for email ``Subject: ...``, a blank line,
        then the body; else the body alone."""
        if self.subject:
            return f"Subject: {self.subject}\n\n{self.body}"
        return self.body


def _reader_zone(proposal: Proposal, trip_tz: str):
    contact = proposal.contact
    return zone(contact.tz or proposal.candidate.place.tz or contact.zone_name or trip_tz)


def _reader_country(proposal: Proposal) -> str:
    return proposal.candidate.place.country_code or (proposal.contact.home.country_code if proposal.contact.home else "")


# (sentence level, number of options) to try in order until the text fits the channel's cap.
_FITS = {
    Channel.EMAIL: ((0, 3), (0, 2), (1, 2), (2, 2)),
    Channel.DM: ((0, 3), (0, 2), (1, 3), (1, 2), (2, 2), (3, 2), (4, 2)),
    Channel.LINKEDIN_NOTE: ((1, 3), (1, 2), (2, 2), (3, 2), (4, 2)),
    Channel.SMS: ((1, 3), (1, 2), (2, 2), (3, 2), (4, 2)),
    Channel.POST: ((1, 3), (1, 2), (2, 2)),
}


def _fits(channel: Channel, subject: str, body: str, cap: int | None, cap_words: int | None) -> bool:
    if cap is not None:
        return len(body) <= cap
    return cap_words is None or len(body.split()) <= cap_words


def draft(
    the_plan: Plan,
    contact_id: str,
    profile: Profile,
    *,
    now: datetime,
    channel: Channel | str | None = None,
    variant: int | None = None,
    follow_up: Meetup | None = None,
    caps: DraftSettings | None = None,
    templates_dir: Path | None = None,
) -> Draft:
    """One person's invitation for the plan's trip (or, with ``follow_up``, the thank-you after
    that meetup). ``channel`` None: the contact's default (:func:`default_channel`).
    ``variant`` (1-based, cycles) picks the wording; None: a stable one per person and trip.
    Raises ValidationError when the person has no slot on this trip (an invitation needs times)."""
    proposal = the_plan.for_contact(contact_id)
    if proposal is None:
        raise ValidationError("contact", f"{contact_id} is not among the people near this trip")
    contact: Contact = proposal.contact
    trip = the_plan.trip
    channel = default_channel(contact) if channel is None else parse_channel(channel)
    key = f"{contact.id}:{trip.id}"
    v = sentences.default_variant(key) if variant is None else (int(variant) - 1) % sentences.VARIANTS
    pick = sentences.Picker(key, v)
    reader = _reader_zone(proposal, trip.destination.tz)
    the_route = route(contact, channel)
    caps = caps or DraftSettings()
    cap = cap_for(channel, caps, the_route.service)
    cap_words = caps.email_max_words if channel is Channel.EMAIL else None
    hints: list[str] = []
    my_name = profile.name.strip()
    if not my_name:
        hints.append("set your name (irlmeet me --name) so drafts are signed")
    if channel is not Channel.POST and (miss := missing_address(contact, channel)):
        hints.append(miss)
    if channel is Channel.LINKEDIN_NOTE:
        hints.append(LINKEDIN_NOTE_HINT)

    if follow_up is not None:
        return _follow_up(proposal, follow_up, channel, the_route.to, cap, cap_words, pick, v, my_name, reader,
                          hints, templates_dir, trip.destination.name)

    if channel is Channel.POST:
        kinds: tuple[MeetupKind, ...] | None = (MeetupKind.DRINKS, MeetupKind.DINNER)
        reader = trip.zone  # a post is read by people in the city
        country = trip.destination.country_code
    else:
        kinds = None
        country = _reader_country(proposal)
    picked = options_for(the_plan, contact.id, now=now, n=3, kinds=kinds,
                         include_proposed=channel is not Channel.POST)
    if not picked:
        raise ValidationError("slot", f"{contact.name} has no free slot on this trip to propose"
                              + (f" ({proposal.note})" if proposal.note else ""))
    style = style_for(country)
    case = "group" if channel is Channel.POST else sentences.case_of(contact, trip.start)
    names = _names(channel.value, case, contact)
    template, problems = templates.find(names, templates_dir)
    hints.extend(problems)
    first_kind = picked[0].kind
    short_days = (trip.end - trip.start).days < 6
    subject = body = ""
    for level, n in _FITS[channel]:
        chosen = _spread(picked, n)
        shown = [
            sentences.option_text(p.start, p.kind, first_kind, reader, trip.zone, trip.destination.name, style,
                                  short=level >= 1,
                                  weekday_only=short_days and (channel is Channel.POST or level >= 3))
            for p in chosen
        ]
        how, how_hints = sentences.how_we_know(contact, case, trip.start, first_kind, pick, level) \
            if channel is not Channel.POST else ("", [])
        fields = sentences.invitation_fields(
            contact=contact, case=case, trip_city=trip.destination.name, trip_start=trip.start, trip_end=trip.end,
            my_name=my_name, options=shown, first_kind=first_kind, where=proposal.where, style=style,
            channel=channel.value, pick=pick, level=level, how=how,
        )
        subject, body = template.render(fields)
        if channel is not Channel.EMAIL:
            subject = ""
        if _fits(channel, subject, body, cap, cap_words):
            break
    else:
        chosen = _spread(picked, 2)
    for h in how_hints:
        if h not in hints:
            hints.append(h)
    if not _fits(channel, subject, body, cap, cap_words):
        size = f"{len(body)} characters" if cap is not None else f"{len(body.split())} words"
        hints.append(f"{size}, over this channel's cap of {cap or cap_words}: shorten it before sending")
    return Draft(
        channel, contact.id, the_route.to, subject, body,
        options=tuple(Option(p.kind, p.start.astimezone(reader), p.end.astimezone(reader)) for p in chosen),
        variant=v + 1, cap=cap, cap_words=cap_words, case=case, template=template.source, hints=tuple(hints),
    )


def _spread(picked: list[Proposal], n: int) -> list[Proposal]:
    """``n`` of the options, keeping the proposed one (the first offered by the planner)."""
    return picked[:n]


def _names(channel: str, case: str, contact: Contact) -> list[str]:
    circle = "personal" if sentences.personal(contact) else "professional"
    return [f"{channel}.{case}", f"{channel}.{circle}", channel]


def _follow_up(proposal, meetup, channel, to, cap, cap_words, pick, v, my_name, reader, hints, templates_dir,
               trip_city) -> Draft:
    contact = proposal.contact
    base = "follow-up-email" if channel is Channel.EMAIL else "follow-up"
    template, problems = templates.find(_names(base, "follow-up", contact), templates_dir)
    hints.extend(problems)
    fields, more = sentences.follow_up_fields(contact=contact, meetup=meetup, reader=reader, trip_city=trip_city,
                                              my_name=my_name, channel=channel.value, pick=pick)
    hints.extend(more)
    subject, body = template.render(fields)
    if channel is not Channel.EMAIL:
        subject = ""
    if not _fits(channel, subject, body, cap, cap_words):
        hints.append(f"{len(body)} characters, over this channel's cap of {cap}: shorten it before sending")
    return Draft(channel, contact.id, to, subject, body, options=(), variant=v + 1, cap=cap, cap_words=cap_words,
                 case="follow-up", template=template.source, hints=tuple(hints))

