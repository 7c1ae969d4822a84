"""The sentences of a draft, built from the contact's structured fields.

Every sentence is a fixed frame with a field dropped in where a noun phrase belongs (``met_at``
after "at", ``met_via`` after "through", ``topic`` after "about"), so the grammar holds for
any value, and the reader is always "you". The free ``notes`` are never used; ``how_we_met`` is
used only as a fallback after "from", and only when it reads like a phrase rather than a note
(no he/she/they about the reader, no "never met in person" of its own).

Each sentence has several variants. Which one is used is fixed by the variant number and a
stable digest of the contact's and trip's ids (SHA-256, never ``hash()``), so the same inputs
always give the same draft, different people get different wording, and ``--variant N`` cycles.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from irlmeet.core.models import Circle, Contact, Meetup, MeetupKind
from irlmeet.core.wording import (
    WEEKDAYS,
    Style,
    clock,
    date_long,
    date_short,
    day_range,
    kind_noun,
    kind_object,
    kind_phrase,
    kind_title,
    month_year,
    weekday_range,
)

__all__ = ["CASES", "VARIANTS", "Picker", "case_of", "usable_how"]

VARIANTS = 3
CASES = ("never-met", "new-connection", "old-friend", "colleague")
NEW_DAYS = 182  # connected within about six months: a new connection


def case_of(contact: Contact, on: date) -> str:
    """The relationship a note is written for, as of ``on`` (the trip's first day)."""
    if contact.last_seen is None:
        if contact.met_on is not None and 0 <= (on - contact.met_on).days <= NEW_DAYS:
            return "new-connection"
        return "never-met"
    if contact.circle is not Circle.PROFESSIONAL or (contact.closeness or 0) >= 4:
        return "old-friend"
    return "colleague"


def personal(contact: Contact) -> bool:
    return contact.circle is not Circle.PROFESSIONAL


@dataclass(frozen=True, slots=True)
class Picker:
    """Chooses one variant of each sentence: ``(variant + digest(key, slot)) % len``."""

    key: str
    variant: int  # 0-based

    def __call__(self, slot: str, options: tuple[str, ...] | list[str]) -> str:
        if not options:
            return ""
        digest = hashlib.sha256(f"{self.key}:{slot}".encode()).digest()
        return options[(self.variant + int.from_bytes(digest[:4], "big")) % len(options)]


def default_variant(key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{key}:variant".encode()).digest()[:4], "big") % VARIANTS


_MET_PREFIX = re.compile(
    r"^(?:we\s+)?(?:first\s+)?(?:met|connected|know each other|got to know each other)\s+(?:at|through|via|in|on|from|over)\s+",
    re.IGNORECASE,
)
_THIRD_PERSON = re.compile(r"\b(?:he|she|him|his|her|hers|they|them|their)\b", re.IGNORECASE)
_NOTE_LIKE = re.compile(r"never met|haven't met|have not met|not met|in person|\bTODO\b|[.!?;]\s|\n", re.IGNORECASE)


def usable_how(contact: Contact) -> tuple[str, str]:
    """``how_we_met`` as a phrase to follow "from", and a hint when it had to be left out."""
    how = contact.how_we_met.strip().rstrip(".")
    if not how:
        return "", ""
    how = _MET_PREFIX.sub("", how)
    if _THIRD_PERSON.search(how) or _NOTE_LIKE.search(how) or len(how) > 80:
        return "", (
            "how-we-met reads like a note, so no draft quotes it; say where and how you met with "
            "--met-at and --met-via instead"
        )
    return how, ""


def safe_field(value: str) -> str:
    """A structured field fit to drop into a sentence to the reader: "" when it speaks of them
    in the third person (a draft talks to "you", never about "her")."""
    return "" if _THIRD_PERSON.search(value) else value


def _origin(contact: Contact, short: bool = False) -> str:
    """``at PyCon DE 2024 through Lea`` / ``through Mastodon``: where and how, for "connected ..."
    (``short``: only the first of the two)."""
    parts = []
    if safe_field(contact.met_at):
        parts.append(f"at {contact.met_at}")
    if safe_field(contact.met_via):
        parts.append(f"through {contact.met_via}")
    return " ".join(parts[:1] if short else parts)


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def join_or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


# --------------------------------------------------------------------------------------------
# The invitation


def how_we_know(contact: Contact, case: str, on: date, kind: MeetupKind, pick: Picker, level: int) -> tuple[str, list[str]]:
    """The sentence(s) saying how you know each other; level 0 full, 1-3 short, 4 none."""
    hints: list[str] = []
    if level >= 4:
        return "", hints
    origin = _origin(contact, short=level >= 1)
    how, how_hint = ("", "") if origin else usable_how(contact)
    if how_hint:
        hints.append(how_hint)
    short = level >= 1
    topic = safe_field(contact.topic)
    if contact.topic and not topic:
        hints.append("the topic speaks of them as he/she/they, so it was left out: word it as a subject, e.g. 'your new flat'")
    out: list[str] = []
    if case in ("never-met", "new-connection"):
        if case == "new-connection" and not origin and not how and contact.met_on:
            origin = f"in {month_year(contact.met_on)}"
        if origin:
            if case == "new-connection":
                options = (
                    (f"Great to have connected {origin}.", f"Good to be in touch since connecting {origin}.",
                     f"It was good to connect {origin}.")
                    if short else
                    (f"It was good to connect {origin}, and it would be nice to meet properly.",
                     f"Since we connected {origin}, I've been meaning to say hello in person.",
                     f"Great to have connected {origin}; meeting in person would be even better.")
                )
            else:
                options = (
                    (f"We connected {origin} but haven't met in person yet.",
                     f"Since we connected {origin}, I've wanted to meet in person.",
                     f"It'd be great to meet in person after connecting {origin}.")
                    if short else
                    (f"We connected {origin}, and I'd love to finally meet you in person.",
                     f"Ever since we connected {origin}, I've wanted to meet you in person.",
                     f"It would be great to finally meet face to face after connecting {origin}.")
                )
        elif how:
            options = (
                (f"We know each other from {how}.", f"Since {how}, I've wanted to meet in person.",
                 f"We know each other from {how} but haven't met yet.")
                if short else
                (f"We know each other from {how}, and I'd love to finally meet you in person.",
                 f"Ever since {how}, I've wanted to meet you in person.",
                 f"After {how}, it would be great to finally meet face to face.")
            )
        else:
            hints.append("add where or how you met (--met-at, --met-via) to make this personal")
            options = (
                ("It'd be great to meet in person.", "Would love to meet in person.", "Time we met in person.")
                if short else
                ("It would be great to finally meet you in person.", "I'd love to finally meet you in person.",
                 "It's about time we met face to face.")
            )
        out.append(pick("how", options))
        if topic and not short:
            out.append(pick("topic", (f"I'd love to hear more about {topic}.",
                                      f"It would be fun to talk about {topic} over {kind_phrase(kind)}.",
                                      f"I'm keen to hear your take on {topic}.")))
        elif topic and level == 1:
            out.append(pick("topic", (f"Keen to hear more about {topic}.", f"Would love to talk {topic}.",
                                      f"Curious about your take on {topic}.")))
        return " ".join(out), hints

    assert contact.last_seen is not None
    last = month_year(contact.last_seen)
    long_gap = (on - contact.last_seen).days >= 365
    if case == "old-friend":
        if long_gap:
            options = (
                (f"It's been too long since {last}.", f"Haven't seen you since {last}!", f"Far too long since {last}.")
                if short else
                (f"I can't believe we haven't seen each other since {last}.", f"It's been far too long since {last}.",
                 f"We haven't seen each other since {last}, which is far too long.")
            )
        else:
            options = (
                ("Would love to catch up.", "Been too long!", "Time for a catch-up.")
                if short else
                ("It would be great to catch up again.", "I'd love to hear how you've been.",
                 f"It's been a while since {last}, and I'd love to catch up.")
            )
        out.append(pick("how", options))
        if safe_field(contact.met_at) and not short:
            out.append(pick("history", (f"I often think back to {contact.met_at}.",
                                        f"So much has happened since {contact.met_at}.",
                                        f"Hard to believe we first met at {contact.met_at}.")))
        if topic and level <= 1:
            out.append(pick("topic", (f"Last time we talked about {topic}, and I want to hear how that's going.",
                                      f"I want to hear everything about {topic}.",
                                      f"Tell me what's new with {topic}.")
                            if not short else
                            (f"Want to hear about {topic}.", f"Tell me all about {topic}.", f"Keen to hear about {topic}.")))
        return " ".join(out), hints

    # a colleague or work contact seen before
    if long_gap:
        options = (
            (f"We haven't caught up since {last}.", f"Not seen you since {last}!", f"Our last catch-up was in {last}.")
            if short else
            (f"I realised we haven't seen each other since {last}.",
             f"We haven't caught up since {last}, and I'd like to change that.",
             f"Our last catch-up was in {last}, far too long ago.")
        )
    else:
        options = (
            ("Would be good to catch up.", "Time for a catch-up.", "Keen to hear what you're working on.")
            if short else
            ("It would be good to catch up properly.", "I'd love to hear what you've been working on.",
             "It'd be great to pick up where we left off.")
        )
    out.append(pick("how", options))
    if not short and safe_field(contact.met_at):
        out.append(f"It's been good staying in touch since {contact.met_at}.")
    elif not short and how:
        out.append(f"It's been good staying in touch since {how}.")
    if topic and level <= 1:
        out.append(pick("topic", (f"I'd love to compare notes on {topic}.",
                                  f"I'm curious where you've got to with {topic}.",
                                  f"I'd love to hear your latest thinking on {topic}.")
                        if not short else
                        (f"Keen to compare notes on {topic}.", f"Curious about your work on {topic}.",
                         f"Would love your latest on {topic}.")))
    return " ".join(out), hints


def option_text(
    start: datetime, kind: MeetupKind, first_kind: MeetupKind, reader: tzinfo, there: tzinfo, city: str,
    style: Style, *, short: bool, weekday_only: bool = False,
) -> str:
    """One option in the reader's zone and style: ``Tuesday 8 December at 10:30``, short
    ``Tue 8 Dec at 10:30``; the trip's own time beside it when the two clocks differ."""
    local = start.astimezone(reader)
    if weekday_only:
        text = f"{WEEKDAYS[local.weekday()]} {clock(local, style)}"
    elif short:
        text = f"{date_short(local.date(), style)} at {clock(local, style)}"
    else:
        text = f"{date_long(local.date(), style)} at {clock(local, style)}"
    if kind is not first_kind:
        text += f" for {kind_noun(kind)}"
    theirs = start.astimezone(there)
    if theirs.replace(tzinfo=None) != local.replace(tzinfo=None):
        text += f" ({clock(theirs, style)} {city} time)"
    return text


def where_phrase(where: str) -> str:
    if not where:
        return ""
    if where.startswith("near "):
        return f"somewhere {where} so it's easy for you"
    return f"somewhere in {where}"


def invitation_fields(
    *, contact: Contact, case: str, trip_city: str, trip_start: date, trip_end: date, my_name: str,
    options: list[str], first_kind: MeetupKind, where: str, style: Style, channel: str, pick: Picker, level: int,
    how: str,
) -> dict[str, str]:
    """Every placeholder's value for an invitation (see templates.PLACEHOLDERS)."""
    warm = personal(contact)
    short = level >= 1
    name = contact.greeting_name
    kind = kind_phrase(first_kind)
    dates = day_range(trip_start, trip_end, style)
    days = weekday_range(trip_start, trip_end)
    first = my_name.split()[0] if my_name.strip() else ""
    listed = join_or(options)
    place = where_phrase(where) if level < 2 else ""
    tail = f", {place}" if place else ""

    greeting = pick("greet", ("Hey", "Hi", "Hi") if warm else ("Hi", "Hello", "Hi")) + f" {name},"
    if channel == "post":
        opener = f"In {trip_city} {days}."
        ask = pick("ask", (f"{trip_city} friends, up for {kind}" if warm else f"Anyone in {trip_city} up for {kind}",
                           f"Who's around for {kind}" if warm else f"{trip_city} folks, anyone up for {kind}",
                           f"Fancy {kind}" if warm else f"Up for {kind}"))
        return {
            "opener": opener, "ask": ask, "options": f"{listed}?", "city": trip_city, "dates": dates, "days": days,
            "kind": kind, "easy_out": pick("out", ("Reply or DM, no pressure.", "Reply or DM if you can make it.",
                                                   "Drop me a line if you're around.")),
            "me": my_name, "sign_off": "", "greeting": "", "how_we_know": "", "name": "", "subject": "",
        }
    if short:
        opener = pick("open", (f"I'll be in {trip_city} {dates}.", f"I'm in {trip_city} {dates}.",
                               f"I'm visiting {trip_city} {dates}.") if level < 2 else
                      (f"I'm in {trip_city} {days}.", f"I'll be in {trip_city} {days}.", f"I'm visiting {trip_city} {days}."))
        ask = pick("ask", (f"Up for {kind}?", f"Time for {kind}?", f"{kind_title(first_kind)}?"))
        offer = pick("offer", (f"I'm free {listed}{tail}.", f"{_sentence_start(listed)} would suit me{tail}.",
                               f"How about {listed}{tail}?"))
        easy_out = pick("out", ("No worries if not.", "No pressure if you're busy.", "No worries if the week is full.")
                        if level < 3 else ("No worries if not.",))
        sign_off = f"– {first}" if first else ""
    else:
        if warm:
            opener = pick("open", (f"I'm coming to {trip_city} {dates}.", f"I'll be in {trip_city} {dates}.",
                                   f"I'm heading to {trip_city} {dates}."))
            ask = pick("ask", (f"Up for {kind}?", f"Shall we get {kind}?", f"Fancy {kind} while I'm in town?"))
        else:
            opener = pick("open", (f"I'll be in {trip_city} {dates} for work.", f"I'm heading to {trip_city} {dates} for work.",
                                   f"Work is taking me to {trip_city} {dates}."))
            ask = pick("ask", (f"Would you be up for {kind}?", f"Any chance you'd have time for {kind}?",
                               f"How about {kind} while I'm there?"))
        offer = pick("offer", (f"I'm free {listed}{tail}.", f"{_sentence_start(listed)} would suit me{tail}.",
                               f"Would {listed} work{tail}?"))
        easy_out = pick("out", ("If the week is packed, no worries at all: there will be other trips.",
                                "Happy to find another time, and if it's a busy week, no worries at all.",
                                "If none of these suit you, no worries: just say so, or suggest another time."))
        word = pick("sign", ("Cheers,", "Take care,", "See you soon, I hope,") if warm else ("Best,", "All the best,", "Cheers,"))
        sign_off = f"{word}\n{my_name}" if my_name else word
    subject = pick("subject", (f"{trip_city}, {days}: {kind_noun(first_kind)}?", f"{kind_title(first_kind)} in {trip_city}?",
                               f"In {trip_city} {days}") if warm else
                   (f"{kind_title(first_kind)} in {trip_city}?", f"In {trip_city} {days}",
                    f"{kind_title(first_kind)} while in {trip_city}?"))
    return {
        "greeting": greeting, "name": name, "opener": opener, "how_we_know": how, "ask": ask, "options": offer,
        "easy_out": easy_out, "sign_off": sign_off, "me": my_name, "city": trip_city, "dates": dates, "days": days,
        "kind": kind, "subject": subject, "thanks": "", "talked_about": "", "next_time": "",
    }


# --------------------------------------------------------------------------------------------
# The thank-you after a meetup


def follow_up_fields(
    *, contact: Contact, meetup: Meetup, reader: tzinfo, trip_city: str, my_name: str, channel: str, pick: Picker,
) -> tuple[dict[str, str], list[str]]:
    hints: list[str] = []
    warm = personal(contact)
    short = channel != "email"
    name = contact.greeting_name
    what = kind_object(meetup.kind)
    day = WEEKDAYS[meetup.start.astimezone(reader).weekday()]
    thanks = pick("thanks", (f"Thank you for {what} on {day}, it was really good to see you.",
                             f"Thanks again for {what} on {day}; it was great to see you.",
                             f"It was lovely to see you on {day}, thanks for making the time."))
    if contact.topic:
        talked = pick("talked", (f"I really enjoyed talking about {contact.topic}.",
                                 f"I'm still thinking about our chat on {contact.topic}.",
                                 f"Thanks for sharing your thoughts on {contact.topic}."))
    else:
        talked = "I really enjoyed our conversation."
        hints.append("add what you talked about (irlmeet contact edit --topic) so the thank-you names it")
    next_time = pick("next", ("Let's not leave it so long next time.", f"Hope to see you next time I'm in {trip_city}.",
                              "Let's stay in touch."))
    first = my_name.split()[0] if my_name.strip() else ""
    if short:
        sign_off = f"– {first}" if first else ""
    else:
        word = pick("sign", ("Cheers,", "Take care,") if warm else ("Best,", "All the best,", "Warm regards,"))
        sign_off = f"{word}\n{my_name}" if my_name else word
    fields = {
        "greeting": pick("greet", ("Hey", "Hi") if warm else ("Hi", "Hello")) + f" {name},",
        "name": name, "thanks": thanks, "talked_about": talked, "next_time": next_time, "sign_off": sign_off,
        "me": my_name, "city": trip_city, "kind": kind_phrase(meetup.kind),
        "subject": pick("subject", ("Thank you", "Great to see you", f"Thanks for {what}")),
        "opener": "", "how_we_know": "", "ask": "", "options": "", "easy_out": "", "dates": "", "days": "",
    }
    return fields, hints
