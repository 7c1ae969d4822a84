"""The composition root: builds settings, store and services, then runs a command or the TUI.

Nothing else in irlmeet reads the environment, the clock or the platform's directories: they
are read here once and passed down, so every other module can be tested with fixed values.
The TUI is imported only when it is opened, so scripted commands start fast and never load
Textual.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from irlmeet import __version__
from irlmeet.core import wording
from irlmeet.core.contactbook import CLEARABLE
from irlmeet.core.errors import IrlmeetError, LikelyDuplicate, ValidationError
from irlmeet.core.models import MAX_RADIUS_KM, zone
from irlmeet.core.settings import Paths, Settings, default_paths
from irlmeet.core.text import visible

PROG = "irlmeet"

EPILOG = """\
examples:
  irlmeet --demo                                   open the app on invented demo data
  irlmeet me --name "Sam Rivera" --home Lisbon      who signs the drafts, where home is
  irlmeet contact add "Ada Lovelace" --city Berlin --how-we-met "PyCon 2023"
  irlmeet trip add Berlin --from 2026-04-14 --to 2026-04-17
  irlmeet plan Berlin                              who to see, why, when and where
  irlmeet draft Berlin Ada                         the invitation for one person
  irlmeet export Berlin -o berlin.ics              the trip's meetups for your calendar

TRIP and CONTACT take an id or a name (any unique part of one).
The data file is chosen by --data, else $IRLMEET_DATA, else the platform's data folder
(see `irlmeet locate data`).
"""


# --------------------------------------------------------------------------------------------
# Argument parsing


class _Parser(argparse.ArgumentParser):
    """argparse echoes what was typed ("unrecognized arguments: ..."): shown escaped, like all
    output (subcommand parsers are made of this class too)."""

    def _print_message(self, message: str, file: Any = None) -> None:
        super()._print_message(visible(message, lines=True) if message else message, file)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Turn work trips into real relationships: see who you know near a trip, "
        "when to meet them, and a note worth sending. Without a command, opens the app.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data", metavar="FILE", type=Path, help="the data file to use (default: $IRLMEET_DATA or the platform data folder)")
    parser.add_argument("--demo", action="store_true", help="use bundled demo data in a temporary copy; your own data is never touched")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    me = sub.add_parser("me", help="show or set your name and home city", description="Show or set who you are: the name drafts are signed with, and your home city (your time zone, and the country preferred when a city name is ambiguous).")
    me.add_argument("--name", help="your name, used to sign drafts")
    me.add_argument("--home", metavar="CITY", help="your home city, e.g. 'Lisbon' or 'Portland, OR'")
    me.add_argument("--json", action="store_true", help="print as JSON")

    contact = sub.add_parser("contact", help="add, show, edit, remove, merge or list contacts", description="The people you know: add, show, edit, remove, merge or list them.")
    csub = contact.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = csub.add_parser("add", help="add a contact", description="Add a contact and say what was understood. Cities are resolved once, offline, and stored with their coordinates and time zone. A likely duplicate (same email, same LinkedIn URL, or same name and city) is refused unless --force.", epilog=CONTACT_FIELDS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add.add_argument("name", metavar="NAME")
    _contact_flags(add, edit=False)
    add.add_argument("--force", action="store_true", help="add even if it looks like a contact you already have")
    add.add_argument("--json", action="store_true", help="print the new record as JSON")
    edit = csub.add_parser("edit", help="change, add to or clear a contact's fields", description="Change a contact's fields. Single-value flags replace the value; repeatable flags (--city, --email, --phone, --handle, --tag) ADD to the list. Remove one item with --remove-city, --remove-email, --remove-phone, --remove-handle or --untag, or a whole field with --clear FIELD.", epilog=CONTACT_FIELDS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    edit.add_argument("contact", metavar="CONTACT", help="an id or a unique part of a name")
    edit.add_argument("--name", metavar="TEXT", help="their full name")
    _contact_flags(edit, edit=True)
    edit.add_argument("--clear", action="append", default=[], metavar="FIELD", choices=CLEARABLE, help="empty a field, named as its flag without dashes (repeat for more): " + ", ".join(CLEARABLE))
    edit.add_argument("--invite", action="store_true", help="undo --do-not-invite (and its reason)")
    edit.add_argument("--remove-city", action="append", default=[], metavar="CITY|LABEL", help="remove a city by its name or label (repeat for more)")
    edit.add_argument("--remove-email", action="append", default=[], metavar="E", help="remove an email address (repeat for more)")
    edit.add_argument("--remove-phone", action="append", default=[], metavar="NUMBER", help="remove a phone number (repeat for more)")
    edit.add_argument("--remove-handle", action="append", default=[], metavar="SERVICE", help="remove the handle on a service (repeat for more)")
    edit.add_argument("--untag", action="append", default=[], metavar="TAG", help="remove a tag (repeat for more)")
    edit.add_argument("--json", action="store_true", help="print the changed record as JSON")
    show = csub.add_parser("show", help="every field of one contact, and their meetups", description="Print every field of one contact, and the meetups with them.", epilog=CONTACT_FIELDS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    show.add_argument("contact", metavar="CONTACT", help="an id or a unique part of a name")
    show.add_argument("--json", action="store_true", help="print the record as JSON (every field; keys listed below)")
    rm = csub.add_parser("rm", help="remove a contact (their meetups are cancelled)", description="Remove a contact. Their planned meetups are kept as cancelled, with the same calendar UID, so the next `irlmeet export` of that trip makes calendars drop them; a group meetup goes on without them.")
    rm.add_argument("contact", metavar="CONTACT", help="an id or a unique part of a name")
    merge = csub.add_parser("merge", help="fold one contact into another", description="Fold contact B into contact A: emails, phones, handles, tags and cities are united; A's other fields win and B's fill A's blanks (last seen/contacted: the later date; met on: the earlier; notes: both); B's meetups move to A; B is removed.")
    merge.add_argument("keep", metavar="A", help="the contact to keep")
    merge.add_argument("gone", metavar="B", help="the contact folded into A and removed")
    merge.add_argument("--json", action="store_true", help="print the merged record as JSON")
    cexp = csub.add_parser("export", help="write every contact to a vCard 4.0 file", description="Write every contact to a vCard 4.0 file (names, nickname, company and role, emails, phones, cities with coordinates, time zone, LinkedIn and other handles, tags, birthday). Private notes are never exported. Also `irlmeet export vcard -o FILE.vcf`.")
    cexp.add_argument("-o", "--output", required=True, metavar="FILE.vcf", help="where to write it; - for standard output")
    lst = csub.add_parser("list", help="list contacts", description="List contacts, optionally only those near a city.")
    lst.add_argument("--near", metavar="CITY", help="only contacts within the radius of this city (or in its metro area)")
    lst.add_argument("--radius", type=_radius, metavar="KM", help="how far 'near' reaches, in km (default: 50, or radius_km in the config)")
    lst.add_argument("--json", action="store_true", help="print as JSON")

    trip = sub.add_parser("trip", help="add, edit, remove or list trips", description="Add, edit, remove or list trips.")
    tsub = trip.add_subparsers(dest="action", metavar="ACTION", required=True)
    tadd = tsub.add_parser("add", help="add a trip; prints its id", description="Add a trip to a city. Dates are the first and last day there, inclusive, in the destination's time zone.")
    tadd.add_argument("city", metavar="CITY")
    tadd.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day there")
    tadd.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day there")
    tadd.add_argument("--name", metavar="TEXT", help="a name for the trip (default: city and month)")
    _trip_time_flags(tadd, edit=False)
    tedit = tsub.add_parser("edit", help="rename a trip, or move its dates or city", description="Change a trip's name, dates or city. Meetup ideas follow on the next plan or export; invited and confirmed meetups stay as they are.")
    tedit.add_argument("trip", metavar="TRIP")
    tedit.add_argument("--name", metavar="TEXT", help="a new name")
    tedit.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="new first day there")
    tedit.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="new last day there")
    tedit.add_argument("--city", metavar="CITY", help="a new destination")
    _trip_time_flags(tedit, edit=True)
    tedit.add_argument("--json", action="store_true", help="print the changed trip as JSON")
    trm = tsub.add_parser("rm", help="remove a trip and its meetups", description="Remove a trip and its meetups. A trip with invited, confirmed or met meetups is refused unless --force: those are real arrangements, and calendars that imported them keep the events (export the trip after cancelling them first if you want calendars to drop them).")
    trm.add_argument("trip", metavar="TRIP")
    trm.add_argument("--force", action="store_true", help="remove it even with invited, confirmed or met meetups")
    tlst = tsub.add_parser("list", help="list trips", description="List trips, soonest first.")
    tlst.add_argument("--json", action="store_true", help="print as JSON")

    plan = sub.add_parser("plan", help="who to see on a trip, why, when and where", description="Rank the people near a trip's destination and propose a slot to each, in the destination's time zone.")
    plan.add_argument("trip", metavar="TRIP")
    plan.add_argument("--radius", type=_radius, metavar="KM", help="how far 'near' reaches, in km")
    plan.add_argument("--json", action="store_true", help="print as JSON (times are ISO 8601 with offset)")

    _busy_parsers(sub)

    lint = sub.add_parser("lint", help="check any text for etiquette problems", description="Run the etiquette check on any text (a file, or - for stdin): job or favour asks, \"pick your brain\", LinkedIn's default greeting, stacked asks, no easy out, over the channel's cap, nothing personal, a phrase said twice, the reader in the third person, mixed circles, shouting. Each warning is printed as FILE:LINE:COL: CODE: TITLE — WHY. Exit status: 0 when clean, 1 when there are warnings, 2 when the file can't be read.")
    lint.add_argument("file", metavar="FILE|-", help="the text to check; - reads stdin")
    lint.add_argument("--channel", default="email", choices=["email", "linkedin-note", "dm", "sms", "post"], help="what the text is for: sets the length cap (default: email; a leading 'Subject:' line is the subject)")
    lint.add_argument("--cap", type=_cap, metavar="N", help="the channel's cap instead of the default (e.g. 300 for a Premium LinkedIn note)")
    lint.add_argument("--reader", default="", metavar="NAME", help="the reader's name, to catch speaking of them in the third person")
    lint.add_argument("--circle", action="append", default=[], choices=["professional", "personal", "both"], help="a circle a group post goes to (repeatable)")
    lint.add_argument("--json", action="store_true", help="print as JSON")

    draft = sub.add_parser("draft", help="the invitation (or thank-you) for one person on a trip", description="Print a short, personal, low-pressure invitation for one person on a trip, offering two or three times in their own zone and clock style. The draft alone goes to stdout (email: 'Subject: ...', a blank line, the body); hints go to stderr. irlmeet sends nothing: copy it and send it yourself.", epilog=DRAFT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    draft.add_argument("trip", metavar="TRIP")
    draft.add_argument("contact", metavar="PERSON")
    draft.add_argument("--channel", choices=["email", "linkedin-note", "dm", "sms", "post"], help="where it will be sent (default: their preferred channel, else email, a handle or LinkedIn (dm), a phone (sms))")
    draft.add_argument("--variant", type=_variant, metavar="N", help="another wording: 1, 2, 3 (cycles; default: a stable one per person)")
    draft.add_argument("--follow-up", action="store_true", help="the thank-you after the meetup with them, once marked met")
    draft.add_argument("--json", action="store_true", help="print as JSON (keys listed below)")

    export = sub.add_parser("export", help="write a trip's meetups to an .ics file (or: export vcard)", description="Write the trip's meetups to an .ics file any calendar can import: planned and invited meetups as tentative (titled '(pencilled in)'), confirmed ones as confirmed, and those cancelled, declined or skipped since an earlier export as cancelled, so calendars drop them. Exporting again updates the same events instead of adding new ones. Descriptions are share-safe (kind, place, status, your time) unless --details. `irlmeet export vcard -o FILE.vcf` instead writes every contact as vCard 4.0 (the same as `irlmeet contact export`); the word vcard always means that, so a trip named \"vcard\" is exported by its id.")
    export.add_argument("trip", metavar="TRIP", help="a trip's id or name, or the word vcard for the contacts")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.ics", help="the file to write (a symlink's target is replaced); - writes to standard output")
    export.add_argument("--ideas", action="store_true", help="add the current proposals too, as tentative events titled '(idea)'")
    export.add_argument("--details", action="store_true", help="add who is coming and how you know them to the descriptions (not for calendars you share)")

    _meetup_parsers(sub)
    agenda = sub.add_parser("agenda", help="what to do now: invitations to send, upcoming meetups, conflicts, debriefs", description="What needs doing now, across trips: invitations to send this week (about 10 days before a 1:1 and 3 before a group, see send_by_days_1to1 and send_by_days_group in the config), upcoming meetups, conflicts to resolve and debriefs due.")
    agenda.add_argument("--json", action="store_true", help="print as JSON (times are ISO 8601 with offset)")
    debrief = sub.add_parser("debrief", help="after a trip: record which meetups happened", description="List a trip's meetups once their time has come, to record each as met (`irlmeet meetup met`), missed, declined or cancelled. Marking one met sets last seen and last contacted for everyone there.")
    debrief.add_argument("trip", metavar="TRIP")
    debrief.add_argument("--json", action="store_true", help="print as JSON")

    imp = sub.add_parser("import", help="bring contacts in from LinkedIn, vCard or Google", description="Import contacts from an export. The same person (same email, same LinkedIn profile, or same name and city) is merged, never duplicated: lists are united and nothing you typed in irlmeet is overwritten. Importing a newer export updates what changed and adds who is new; importing the same file again changes nothing. Bad rows are reported on stderr with file and line; all good rows still come in, in one write.")
    isub = imp.add_subparsers(dest="action", metavar="KIND", required=True)
    for kind, what, meta in (
        ("linkedin", "LinkedIn's Connections.csv (or the export's .zip as downloaded)", "FILE"),
        ("vcard", "a .vcf file with one or many cards (vCard 2.1, 3.0, 4.0), or a folder of them (a khard/vdirsyncer vdir)", "PATH"),
        ("google", "a Google Contacts CSV export", "FILE"),
    ):
        kp = isub.add_parser(kind, help=what, description=f"Import {what}.")
        kp.add_argument("path", metavar=meta, type=Path)
        kp.add_argument("--dry-run", action="store_true", help="show what would be created, merged and skipped; write nothing")
        kp.add_argument("--json", action="store_true", help="print the summary as JSON")

    tri = sub.add_parser("triage", help="contacts without a city or circle, and placing them", description="List the contacts the planner cannot use yet (no city) or whose circle an import could not tell, imported ones first. With --city, --circle or --how-we-met, answer for all of them listed (narrow with --company or --contact first).")
    tri.add_argument("--company", metavar="TEXT", help="only people at this company (any case)")
    tri.add_argument("--contact", action="append", default=[], metavar="CONTACT", help="only this contact (repeat for more)")
    tri.add_argument("--city", metavar="CITY", help="give them this city (as home, if they have none)")
    tri.add_argument("--circle", choices=["professional", "personal", "both"], help="set their circle")
    tri.add_argument("--how-we-met", metavar="TEXT", help="how you know them")
    tri.add_argument("--json", action="store_true", help="print as JSON")

    locate = sub.add_parser("locate", help="print where irlmeet keeps things", description="Print the path of the data file, the config file, the user themes folder, the user draft templates folder or the cache.")
    locate.add_argument("what", choices=["data", "config", "themes", "templates", "cache"])
    return parser


def _from_one(too_small: str) -> Callable[[str], int]:
    """An argparse type: a whole number of at least 1. ``too_small`` words the refusal of a
    smaller one (``{text}``: as typed, ``{value}``: as a number)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(too_small.format(text=repr(text), value=value))
        return value

    return parse


_cap = _from_one("{value} is not a cap: give a number above 0")
_variant = _from_one("{text}: variants count from 1")


def _trip_time_flags(p: argparse.ArgumentParser, *, edit: bool) -> None:
    """--arrive, --leave and --weekends, the same on `trip add` and `trip edit`."""
    back = ' ("" goes back to the default)' if edit else ""
    p.add_argument("--arrive", metavar="HH:MM", help="when you arrive on the first day; no meetup before it plus an hour (default 12:00, or planning.arrive in the config)" + back)
    p.add_argument("--leave", metavar="HH:MM", help="when you leave on the last day; no meetup after it minus an hour (default 17:00, or planning.leave)" + back)
    if edit:
        p.add_argument("--weekends", action=argparse.BooleanOptionalAction, default=None, help="allow work meetups on Saturday and Sunday (--no-weekends: weekdays only)")
    else:
        p.add_argument("--weekends", action="store_true", help="allow work meetups on Saturday and Sunday (personal ones may fall on any day)")


def _busy_parsers(sub) -> None:
    busy = sub.add_parser("busy", help="add, list or remove busy time on a trip", description="Time on a trip that is not free (talks, client meetings, flights). Plans keep meetups and their travel buffer off it.")
    bsub = busy.add_subparsers(dest="action", metavar="ACTION", required=True)
    badd = bsub.add_parser("add", help="block time on a trip; prints its id", description="Block time on a trip. Times are in the trip's time zone.")
    badd.add_argument("trip", metavar="TRIP")
    badd.add_argument("--from", dest="start", required=True, metavar='"YYYY-MM-DD HH:MM"', help="when it starts, in the trip's time zone")
    badd.add_argument("--to", dest="end", required=True, metavar='"YYYY-MM-DD HH:MM"', help="when it ends, in the trip's time zone")
    badd.add_argument("--title", default="", metavar="TEXT", help="what it is, e.g. 'Conference talks'")
    blst = bsub.add_parser("list", help="a trip's busy time", description="List a trip's busy time, earliest first.")
    blst.add_argument("trip", metavar="TRIP")
    blst.add_argument("--json", action="store_true", help="print as JSON (times are ISO 8601 with offset)")
    brm = bsub.add_parser("rm", help="remove busy time by its id", description="Remove a busy block by its id (see `irlmeet busy list TRIP`).")
    brm.add_argument("id", metavar="ID")


MEETUP_REF_HELP = "a meetup's id, or a trip (id or name) followed by a person on it: `Berlin Ada`"


def _meetup_parsers(sub) -> None:
    meetup = sub.add_parser("meetup", help="follow a meetup from idea to 'we met'", description="Follow each meetup of a trip: accept a proposal into your plan, mark it invited, confirmed, declined, cancelled or skipped ('not this trip'), move it, and record that you met (or that it did not happen: missed). A planned meetup never moves by itself: when its time becomes impossible it is flagged as a conflict.", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=MEETUP_EPILOG)
    msub = meetup.add_subparsers(dest="action", metavar="ACTION", required=True)
    mlist = msub.add_parser("list", help="a trip's meetups, their status and conflicts", description="List a trip's meetups, earliest first, with their status and any conflict.")
    mlist.add_argument("trip", metavar="TRIP")
    mlist.add_argument("--all", action="store_true", help="also ideas the planner dropped")
    mlist.add_argument("--json", action="store_true", help="print as JSON (id, people, kind, status, start, end, conflict; times ISO 8601 with offset)")
    helps = {
        "accept": "take the current proposal into your plan (or reopen a declined, cancelled or skipped one)",
        "invite": "you sent the invitation", "confirm": "they said yes", "decline": "they said no",
        "cancel": "call it off", "skip": "not this trip", "move": "give it a new time: lists the free slots, or --to / --slot",
        "met": "you met (after its time): sets last seen and last contacted",
        "missed": "its time passed and it did not happen",
    }
    for verb, text in helps.items():
        p = msub.add_parser(verb, help=text, description=f"{text[0].upper()}{text[1:]}.")
        p.add_argument("ref", metavar="MEETUP|TRIP", help=MEETUP_REF_HELP)
        p.add_argument("person", metavar="PERSON", nargs="?", help="someone on the meetup, when TRIP is given")
        if verb == "move":
            p.add_argument("--to", metavar="'YYYY-MM-DD HH:MM'", help="the new start, in the trip's time zone (the length stays)")
            p.add_argument("--slot", type=int, metavar="N", help="the N-th free slot as listed by `meetup move` without --to")
        p.add_argument("--json", action="store_true", help="print the meetup as JSON")
    _meetup_group_parsers(msub)  # group evenings: `meetup group`, `meetup rsvp`


MEETUP_EPILOG = """\
moves (from -> to):
  accept   idea, declined, cancelled, skipped, missed -> planned
  invite   idea, planned -> invited
  confirm  planned, invited -> confirmed
  decline  planned, invited, confirmed -> declined
  cancel   planned, invited, confirmed -> cancelled
  skip     idea, planned -> skipped
  move     idea, planned, invited, confirmed -> same status at a new time (an idea becomes planned)
  met      any status you acted on, once its time has come -> met
  missed   planned, invited, confirmed, once its time has come -> missed

examples:
  irlmeet meetup accept Berlin Ada
  irlmeet meetup invite Berlin Ada
  irlmeet meetup move Berlin Ada                 lists the free slots
  irlmeet meetup move Berlin Ada --slot 2
  irlmeet meetup move 3f9c0a1b2c4d --to "2027-05-12 18:00"
  irlmeet meetup met Berlin Ada
"""


DRAFT_HELP = """\
JSON keys (draft --json):
  channel       email, linkedin-note, dm, sms or post
  to            the address, handle, URL or number ("" when irlmeet has none)
  subject       email only ("" otherwise); body: the text
  options       [{"kind", "start", "end"}], ISO 8601 with the reader's offset
  variant       the wording used (1-based); variants: how many there are
  cap           the channel's cap in characters (null for email); cap_words: email's word cap
  case          never-met, new-connection, old-friend, colleague, group or follow-up
  template      the template file used; hints: what would make it better
  warnings      the etiquette check's findings ([] when it is not available)
templates: `irlmeet locate templates` is the folder for your own (see the README).
"""


def _radius(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of km") from None
    if not 0 < value <= MAX_RADIUS_KM:  # "not" also refuses nan
        raise argparse.ArgumentTypeError(
            f"{text!r}: the radius must be more than 0 and at most {MAX_RADIUS_KM:g} km "
            "(half the way round the Earth)"
        )
    return value


CONTACT_FIELDS_HELP = """\
JSON fields (contact show --json, contact list --json, contact add/edit --json):
  id, name, nickname, company, role       text
  places        [{"label": "home"|"work"|"other", "place": {name, region, country_code,
                country, lat, lon, tz, geonameid, metro, population}}]
  tz            IANA time zone overriding the home city's, "" for none
  emails, phones, tags                    lists of text
  linkedin      https://www.linkedin.com/in/<name>, "" for none
  handles       {"mastodon": "@ana@example.social", "bluesky": "...", "x": "@ana", ...}
  preferred     "email", "phone", "linkedin", a handle's service, or ""
  met_at, met_via, topic, how_we_met      text ("" for none)
  met_on, last_seen, last_contacted       YYYY-MM-DD or null
  circle        "professional" | "personal" | "both"
  closeness     1-5 or null
  cadence_days  days between meetings you aim for (--cadence 6m = 180), or null
  do_not_invite true/false; do_not_invite_reason  text
  notes         private, multi-line; never put in a draft or a calendar file

examples:
  irlmeet contact add "Ada Brandt" --city Berlin --city work=Potsdam --email ada@example.org \\
      --handle mastodon:@ada@example.social --prefer email --met-at "PyCon DE 2024 sprints" \\
      --met-via Mastodon --topic "property-based testing" --closeness 4 --cadence 6m
  irlmeet contact edit Ada --nickname Adi --tag python --untag old --clear phone
"""


def _contact_flags(p: argparse.ArgumentParser, *, edit: bool) -> None:
    """The field flags, the same on `contact add` and `contact edit`."""
    more = " (adds to the list)" if edit else ""
    p.add_argument("--nickname", metavar="TEXT", help="what you call them; drafts greet them with it")
    p.add_argument("--company", metavar="TEXT")
    p.add_argument("--role", metavar="TEXT", help="their job title or role")
    p.add_argument("--city", action="append", default=[], metavar="[LABEL=]CITY", help="where they live or work, e.g. 'Brooklyn, NY' or work=Munich (labels: home, work, other); repeat for more" + more)
    p.add_argument("--tz", metavar="ZONE", help="their IANA time zone when it is not their city's, e.g. America/New_York")
    p.add_argument("--email", action="append", default=[], metavar="E", help="an email address; repeat for more" + more)
    p.add_argument("--phone", action="append", default=[], metavar="NUMBER", help="a phone number, e.g. '+49 30 1234567'; repeat for more" + more)
    p.add_argument("--linkedin", metavar="URL", help="their LinkedIn profile URL (stored as https://www.linkedin.com/in/<name>)")
    p.add_argument("--handle", action="append", default=[], metavar="SERVICE:HANDLE", help="a handle elsewhere, e.g. mastodon:@ana@example.social, bluesky:ana.bsky.social, x:@ana, signal:..., telegram:@ana, matrix:@ana:example.org; repeat for more" + more)
    p.add_argument("--prefer", metavar="CHANNEL", help="the channel that reaches them best: email, phone, linkedin or a handle's service (it must be on the contact)")
    p.add_argument("--met-at", metavar="TEXT", help="where you met: an event or place, e.g. 'PyCon DE 2024 sprints'")
    p.add_argument("--met-via", metavar="TEXT", help="through what or whom, e.g. Mastodon, 'my friend Lea'")
    p.add_argument("--met-on", metavar="YYYY-MM-DD", help="when you first met or connected")
    p.add_argument("--topic", metavar="TEXT", help="the last topic or a shared interest, e.g. 'property-based testing'")
    p.add_argument("--how-we-met", metavar="TEXT", help="how you know each other as one free line, worded to follow 'we know each other from', e.g. 'the PyCon 2023 sprints'; drafts quote it")
    p.add_argument("--circle", choices=["professional", "personal", "both"], help="which part of your life they belong to (default: professional)")
    p.add_argument("--closeness", type=int, choices=range(1, 6), metavar="1-5", help="how close you are, 1 (acquaintance) to 5 (closest)")
    p.add_argument("--cadence", metavar="EVERY", help="how often you'd like to see them: 90d, 2w, 6m, 1y")
    p.add_argument("--last-seen", metavar="YYYY-MM-DD", help="the last time you saw them in person (leave out if never)")
    p.add_argument("--last-contacted", metavar="YYYY-MM-DD", help="the last time you were in touch")
    p.add_argument("--do-not-invite", action="store_true", help="never propose meetups with them")
    p.add_argument("--reason", metavar="TEXT", help="why, with --do-not-invite (kept private)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag; repeat for more" + more)
    p.add_argument("--notes", metavar="TEXT", help="private notes (may span lines); never put in a draft or a calendar file")


# --------------------------------------------------------------------------------------------
# Speaking the user's language: output that cannot drive the terminal, errors that name flags


class _Visible:
    """A text stream whose every write shows control characters escaped (see core.text.visible):
    names, notes and error messages hold whatever was stored, and print() would pass an ESC
    sequence to the terminal. Line breaks and tabs stay; JSON output is escaped before it gets
    here, so it passes unchanged."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text, lines=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, buffer, encoding...
        return getattr(self._stream, name)


def _leaf_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub)parser that read this command's options."""
    for key in ("command", "action"):
        subparsers = [a for a in parser._actions if isinstance(a.choices, dict) and a.dest == key]
        name = getattr(args, key, None)
        if not subparsers or name not in subparsers[0].choices:
            break
        parser = subparsers[0].choices[name]
    return parser


#: Model fields whose flag is not their name (the rest are found from the parser itself).
_FLAG_ALIASES = {
    "places": "--city", "handles": "--handle", "preferred": "--prefer", "cadence_days": "--cadence",
    "do_not_invite_reason": "--reason", "remove_places": "--remove-city", "remove_emails": "--remove-email",
    "remove_phones": "--remove-phone", "remove_handles": "--remove-handle", "remove_tags": "--untag",
}


def flag_for(parser: argparse.ArgumentParser, field: str) -> str | None:
    """The option (``--last-seen``) or argument (``NAME``) the user typed for a model field
    (``last_seen``, ``emails[0]``, ``handles.linkedin``, ``start``), or None."""
    base = field.split("[", 1)[0]
    alias = _FLAG_ALIASES.get(base.split(".", 1)[0])
    if alias is not None and any(alias in a.option_strings for a in parser._actions):
        return alias
    tried = [base, base.rsplit(".", 1)[-1]]
    tried += [t[:-1] for t in tried if t.endswith("s")]  # emails -> --email, tags -> --tag
    for want in tried:
        for action in parser._actions:
            long = [o for o in action.option_strings if o.startswith("--")]
            if action.dest == want or f"--{want.replace('_', '-')}" in long:
                if long:
                    return long[0]
                if not action.option_strings:
                    return action.metavar or action.dest.upper()
    return None


def describe(exc: IrlmeetError, parser: argparse.ArgumentParser | None = None) -> str:
    """The message for the user: a ValidationError names the flag typed, not the model field."""
    if isinstance(exc, ValidationError) and parser is not None and not exc.where:
        flag = flag_for(parser, exc.field)
        if flag is not None:
            return f"{flag}: {exc.message}"
    return str(exc)


# --------------------------------------------------------------------------------------------
# Composition


class Context:
    """What a command needs, built lazily so `locate` and `--help` never open the data file."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime], out: TextIO, err: TextIO) -> None:
        self.settings = settings
        self.clock = clock
        self.out = out
        self.err = err
        self._service = None

    def open_service(self):
        from irlmeet.core.service import Service
        from irlmeet.core.store import Store

        store = Store(self.settings.paths.data_file)
        return Service(
            store,
            places=self._load_places,
            settings=self.settings,
            clock=self.clock,
            new_id=_new_id,
        )

    def _load_places(self):
        from irlmeet.core.places import PlaceIndex  # only a command that resolves a city loads it

        return PlaceIndex.load(self.settings.paths.cache_dir / "places")

    @property
    def service(self):
        if self._service is None:
            self._service = self.open_service()
            for warning in self._service.repair():
                print(f"{PROG}: warning: {warning}", file=self.err)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            # A command is short: a small journal is left for a later fold rather than
            # rewriting the whole data file after a one-line edit (issue 10).
            self._service.store.close(fold_small=False)
            self._service = None


def _new_id() -> str:
    import uuid  # here, not at the top: it loads `platform`, which most commands never need

    return uuid.uuid4().hex[:12]


def _system_clock() -> datetime:
    return datetime.now(UTC)


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = _system_clock,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = _Visible(out or sys.stdout)
    err = _Visible(err or sys.stderr)
    env = os.environ if env is None else env
    parser = build_parser()
    args = parser.parse_args(argv)
    collecting = gc.isenabled()
    if args.command is not None:
        # A command lives for a fraction of a second: the cycle collector would only rescan
        # the records just read (~30 ms at 30k contacts) to free memory the exit frees anyway.
        gc.disable()
    demo_dir: Path | None = None
    ctx: Context | None = None
    restore_signals: Callable[[], None] = _nothing
    try:
        paths = default_paths(env, data_file=args.data)
        settings = Settings.load(paths)
        if args.demo:
            from irlmeet.core import demo

            restore_signals = _exit_on_signals()
            demo_file = demo.start_copy(
                Path(tempfile.gettempdir()), pid=os.getpid(), now=clock(), new_id=_new_id
            )
            demo_dir = demo_file.parent
            settings = replace(settings, paths=replace(paths, data_file=demo_file))
        ctx = Context(settings, clock=clock, out=out, err=err)
        if args.command is None:
            on_hangup = (lambda: demo.remove_copy(demo_dir)) if demo_dir else _nothing
            return _run_tui(ctx, demo=args.demo, env=env, on_hangup=on_hangup)
        handler = COMMANDS[(args.command, getattr(args, "action", None))]
        return handler(ctx, args) or 0
    except IrlmeetError as exc:
        print(f"{PROG}: error: {describe(exc, _leaf_parser(parser, args))}", file=err)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=err)
        return 130
    except BrokenPipeError:
        return 0
    finally:
        if ctx is not None:
            try:
                ctx.close()
            except IrlmeetError as exc:
                print(f"{PROG}: error: {exc}", file=err)
        if demo_dir is not None:
            demo.remove_copy(demo_dir)
        restore_signals()
        if collecting:
            gc.enable()


def _nothing() -> None:
    pass


def _exit_on_signals() -> Callable[[], None]:
    """Turn SIGTERM and SIGHUP (the terminal was closed) into SystemExit, so the `finally`
    blocks run: the stores close and the demo's temporary copy is removed. A second signal
    during that clean-up is ignored. Returns a function that puts the old handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return _nothing
    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]

    def leave(signum, _frame):
        for sig in wanted:
            signal.signal(sig, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    old = {sig: signal.signal(sig, leave) for sig in wanted}

    def restore() -> None:
        for sig, handler in old.items():
            signal.signal(sig, handler)

    return restore


def _run_tui(
    ctx: Context, *, demo: bool, env: Mapping[str, str] | None = None, on_hangup: Callable[[], None] = _nothing
) -> int:
    import asyncio  # only the TUI needs an event loop: scripted commands never load asyncio

    from irlmeet.tui.app import IrlmeetApp

    opened: list[Any] = []
    # The data file is opened by a worker thread. Opening creates the data file's folder, so
    # it must not run after the demo's copy is removed (that would leave an empty copy
    # behind): opening and shutting down take turns on `gate`, and nothing opens once closed.
    gate = threading.Lock()
    closed = threading.Event()
    open_data = tui_opener(ctx, opened)

    def open_service():
        with gate:
            if closed.is_set():
                raise IrlmeetError("irlmeet is closing")
            return open_data()

    def hang_up() -> None:
        gate.acquire(timeout=10)  # let a data file being opened finish first
        closed.set()
        on_hangup()

    app = IrlmeetApp(open_service, settings=ctx.settings, demo=demo, env=env)
    try:
        asyncio.run(_run_app_until_signalled(app, hang_up))
    finally:
        with gate:
            closed.set()
        for service in opened:
            service.store.close()
    return app.return_code or 0


def tui_opener(ctx: Context, opened: list[Any]) -> Callable[[], Any]:
    """The TUI's ``open_service``: opens the data file (in the app's opening worker, off the UI
    thread), appends the service to ``opened`` for closing, and freezes what was read.
    bench/bench_table.py times the TUI through this same function."""

    def open_service():
        service = ctx.open_service()
        opened.append(service)
        # What was just read lives as long as the app: move it out of the collector's way,
        # so no later collection rescans it while the user waits (issue 10).
        gc.freeze()
        return service

    return open_service


async def _run_app_until_signalled(app, on_hangup: Callable[[], None]) -> None:
    """``app.run()``, except for two signals, handled inside the app's event loop (raising from
    a plain signal handler would land in the middle of Textual's code):

    * SIGTERM ends the app the way `q` does: the terminal is restored, and the `finally`
      blocks (closing the data file, removing the demo's copy) run.
    * SIGHUP means the terminal is gone. Textual's orderly shutdown writes to it, and once a
      write fails (EIO) its writer thread is dead and the next writes block for ever, so
      ``on_hangup()`` (remove the demo's copy) runs and the process leaves at once, as SIGHUP's
      default action would. The data file needs nothing: every change is already durable.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    before = {sig: signal.getsignal(sig) for sig in wanted}
    installed = []
    for sig in wanted:
        try:
            if sig == getattr(signal, "SIGHUP", None):
                loop.add_signal_handler(sig, _hung_up, on_hangup)
            else:
                loop.add_signal_handler(sig, lambda sig=sig: app.exit(return_code=128 + sig))
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            continue
        installed.append(sig)
    try:
        await app.run_async()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
            if before[sig] is not None:
                signal.signal(sig, before[sig])


def _hung_up(cleanup: Callable[[], None]) -> None:
    try:
        cleanup()
    finally:
        os._exit(128 + signal.SIGHUP)


# --------------------------------------------------------------------------------------------
# Commands


def _print_json(ctx: Context, data: Any) -> None:
    # orjson: the stdlib encoder falls back to pure Python with indent (6 s for 30k contacts).
    ctx.out.write(_json_escape(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")))
    ctx.out.write("\n")


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _json_escape(text: str) -> str:
    """orjson writes C0 controls as \\u001b but DEL, C1 controls, bidi controls and U+2028/9
    raw. They only occur inside JSON strings, where \\uXXXX is the same value: a script reads
    exactly what is stored, a terminal sees only ASCII escapes."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def cmd_me(ctx: Context, args) -> int:
    svc = ctx.service
    if args.name is not None or args.home is not None:
        profile = svc.set_profile(name=args.name, home=args.home)
    else:
        profile = svc.profile()
    if args.json:
        _print_json(ctx, profile.to_dict())
        return 0
    name = profile.name or '(not set: irlmeet me --name "Your Name")'
    home = f"{profile.home.label()} ({profile.home.tz})" if profile.home else "(not set: irlmeet me --home CITY)"
    print(f"name: {name}", file=ctx.out)
    print(f"home: {home}", file=ctx.out)
    return 0


def _field_changes(args, *, edit: bool) -> dict[str, Any]:
    """The flags given, as Service change keys (lists are added to)."""
    ch: dict[str, Any] = {}
    for flag, key in (
        ("nickname", "nickname"), ("company", "company"), ("role", "role"), ("tz", "tz"),
        ("linkedin", "linkedin"), ("prefer", "preferred"), ("met_at", "met_at"), ("met_via", "met_via"),
        ("met_on", "met_on"), ("topic", "topic"), ("how_we_met", "how_we_met"), ("circle", "circle"),
        ("closeness", "closeness"), ("cadence", "cadence"), ("last_seen", "last_seen"),
        ("last_contacted", "last_contacted"), ("notes", "notes"), ("name", "name"),
    ):
        value = getattr(args, flag, None)
        if value is not None and not (flag == "name" and not edit):
            ch[key] = value
    for flag, key in (("city", "add_places"), ("email", "add_emails"), ("phone", "add_phones"),
                      ("handle", "add_handles"), ("tag", "add_tags")):
        if getattr(args, flag):
            ch[key] = list(getattr(args, flag))
    if args.do_not_invite:
        ch["do_not_invite"] = True
    if args.reason is not None:
        ch["do_not_invite_reason"] = args.reason
    if edit:
        if args.invite:
            if args.do_not_invite:
                raise ValidationError("--invite", "cannot go with --do-not-invite")
            if args.reason:
                raise ValidationError("--reason", "goes with --do-not-invite, not --invite")
            ch["do_not_invite"] = False
        for flag, key in (("remove_city", "remove_places"), ("remove_email", "remove_emails"),
                          ("remove_phone", "remove_phones"), ("remove_handle", "remove_handles"),
                          ("untag", "remove_tags")):
            if getattr(args, flag):
                ch[key] = list(getattr(args, flag))
        if args.clear:
            ch["clear"] = list(args.clear)
    elif args.reason is not None and not args.do_not_invite:
        raise ValidationError("--reason", "goes with --do-not-invite")
    return ch


def _where_label(contact) -> str:
    if not contact.places:
        return ""
    parts = []
    for i, p in enumerate(contact.places):
        parts.append(p.place.label() if i == 0 and p.label.value == "home" else f"{p.label.value}: {p.place.label()}")
    return "; ".join(parts)


def _show_rows(contact) -> list[tuple[str, str]]:
    """Every field as (label, text); "-" for an empty one."""
    def d(value) -> str:
        return value.isoformat() if value else "-"

    handles = ", ".join(f"{svc} {h}" for svc, h in contact.handles.items())
    dni = "yes" + (f" ({contact.do_not_invite_reason})" if contact.do_not_invite_reason else "") if contact.do_not_invite else "no"
    zone_text = contact.tz or (f"{contact.zone_name} (from the city)" if contact.zone_name else "")
    rows = [
        ("id", contact.id), ("name", contact.name), ("nickname", contact.nickname), ("company", contact.company),
        ("role", contact.role),
        ("cities", "; ".join(f"{p.label.value}: {p.place.label()}" for p in contact.places)),
        ("time zone", zone_text), ("emails", ", ".join(contact.emails)), ("phones", ", ".join(contact.phones)),
        ("linkedin", contact.linkedin), ("handles", handles), ("preferred", contact.preferred),
        ("met at", contact.met_at), ("met via", contact.met_via), ("met on", d(contact.met_on)),
        ("topic", contact.topic), ("how we met", contact.how_we_met), ("circle", contact.circle.value),
        ("closeness", f"{contact.closeness}/5" if contact.closeness else ""), ("cadence", contact.cadence_label),
        ("last seen", d(contact.last_seen) if contact.last_seen else "never in person"),
        ("last contacted", d(contact.last_contacted)), ("do not invite", dni), ("tags", ", ".join(contact.tags)),
    ]
    return [(k, v or "-") for k, v in rows]


def _print_rows(ctx: Context, rows: list[tuple[str, str]], *, indent: str = "") -> None:
    width = max(len(k) for k, _ in rows) + 1
    for k, v in rows:
        print(f"{indent}{k + ':':<{width}} {v}", file=ctx.out)


def cmd_contact_add(ctx: Context, args) -> int:
    try:
        changes = _field_changes(args, edit=False)
        contact = ctx.service.add_contact(args.name, force=args.force, **changes)
    except LikelyDuplicate as exc:
        print(f"{PROG}: error: {exc}", file=ctx.err)
        print(f"{PROG}: hint: add it anyway with --force, or fold two contacts together with "
              "`irlmeet contact merge A B`", file=ctx.err)
        return 1
    if args.json:
        _print_json(ctx, contact.to_dict())
        return 0
    where = _where_label(contact)
    print(f"Added {contact.name}" + (f", {where}" if where else "") + f" (id {contact.id})", file=ctx.out)
    if not contact.places:
        print(f"  no city yet: add one with `irlmeet contact edit {contact.id} --city CITY` to see them in plans", file=ctx.out)
    given = [(k, v) for k, v in _show_rows(contact) if v != "-" and k not in ("id", "name", "cities", "circle", "last seen", "do not invite")]
    if contact.do_not_invite:
        given.append(("do not invite", dict(_show_rows(contact))["do not invite"]))
    if given:
        _print_rows(ctx, given, indent="  ")
    return 0


def cmd_contact_edit(ctx: Context, args) -> int:
    svc = ctx.service
    changes = _field_changes(args, edit=True)
    if not changes:
        raise IrlmeetError("nothing to change: give a field flag, --clear FIELD or --invite (see `irlmeet contact edit --help`)")
    before = svc.find_contact(args.contact)
    contact = svc.edit_contact(before.id, **changes)
    if args.json:
        _print_json(ctx, contact.to_dict())
        return 0
    old, new = before.to_dict(), contact.to_dict()
    changed = [k for k in new if old.get(k) != new[k]]
    if changed:
        print(f"Updated {contact.name} (id {contact.id}): {', '.join(changed)}", file=ctx.out)
    else:
        print(f"{contact.name} (id {contact.id}) already had those values; nothing changed", file=ctx.out)
    return 0


def cmd_contact_show(ctx: Context, args) -> int:
    from irlmeet.core.wording import iso_when, kind_noun

    svc = ctx.service
    contact = svc.find_contact(args.contact)
    if args.json:
        _print_json(ctx, contact.to_dict())
        return 0
    _print_rows(ctx, _show_rows(contact))
    print("notes:" + ("" if contact.notes else " -"), file=ctx.out)
    for line in contact.notes.splitlines():
        print(f"  {line}", file=ctx.out)
    meetups = svc.meetups_with(contact.id)
    trips = {t.id: t for t in svc.trips()}
    print("meetups:" + ("" if meetups else " -"), file=ctx.out)
    for m in meetups:
        trip = trips.get(m.trip_id)
        local = m.start.astimezone(trip.zone) if trip else m.start
        print(f"  {iso_when(local)} {kind_noun(m.kind)} ({m.status.value})  {trip.name if trip else m.trip_id}", file=ctx.out)
    return 0


def _trip_names(svc, meetups) -> str:
    names = {t.id: t.name for t in svc.trips()}
    return ", ".join(dict.fromkeys(names.get(m.trip_id, m.trip_id) for m in meetups))


def cmd_contact_rm(ctx: Context, args) -> int:
    svc = ctx.service
    result = svc.remove_contact(args.contact)
    c = result.contact
    print(f"Removed {c.name} (id {c.id})", file=ctx.out)
    if result.cancelled:
        n = len(result.cancelled)
        print(f"  cancelled {n} meetup{'s' if n != 1 else ''} ({_trip_names(svc, result.cancelled)}): export "
              "the trip again so calendars drop them", file=ctx.out)
    if result.dropped_from:
        n = len(result.dropped_from)
        print(f"  {n} group meetup{'s go' if n != 1 else ' goes'} on without them", file=ctx.out)
    return 0


def cmd_contact_merge(ctx: Context, args) -> int:
    result = ctx.service.merge_contacts(args.keep, args.gone)
    if args.json:
        _print_json(ctx, result.contact.to_dict())
        return 0
    a, b = result.contact, result.removed
    moved = len(result.moved)
    print(f"Merged {b.name} (id {b.id}) into {a.name} (id {a.id})"
          + (f"; {moved} meetup{'s' if moved != 1 else ''} updated" if moved else ""), file=ctx.out)
    return 0


def _contact_json(contact, *, distance_km: float | None = None) -> dict[str, Any]:
    data = contact.to_dict()
    if distance_km is not None:
        data["distance_km"] = round(distance_km, 1)
    return data


def cmd_contact_list(ctx: Context, args) -> int:
    svc = ctx.service
    if args.near:
        place = svc.resolve(args.near)
        rows = [(n.contact, n.place, n.distance_km) for n in svc.near(place, args.radius)]
    elif args.radius is not None:
        raise IrlmeetError("--radius goes with --near CITY")
    else:
        rows = [(c, c.home, None) for c in svc.contacts()]
    if args.json:
        _print_json(ctx, [_contact_json(c, distance_km=km) for c, _p, km in rows])
        return 0
    if not rows:
        radius = args.radius or ctx.settings.radius_km
        msg = f"nobody within {radius:g} km of {place.label()}" if args.near else "no contacts yet: add one with `irlmeet contact add NAME --city CITY`"
        print(msg, file=ctx.out)
        return 0
    for c, p, km in rows:
        where = p.short_label() if p else "(no city)"
        dist = f"  {km:5.1f} km" if km is not None else ""
        seen = f"last seen {c.last_seen.isoformat()}" if c.last_seen else "never met in person"
        print(f"{c.id}  {c.name:<28} {where:<26}{dist}  {seen}", file=ctx.out)
    return 0


def cmd_trip_add(ctx: Context, args) -> int:
    trip = ctx.service.add_trip(args.city, args.start, args.end, name=args.name, arrive=args.arrive,
                                leave=args.leave, weekends=args.weekends)
    print(trip.id, file=ctx.out)
    if ctx.service.trip_is_over(trip):
        print(
            f"{PROG}: warning: this trip ended on {trip.end.isoformat()}; it was added, "
            "but there is nothing left to plan for it",
            file=ctx.err,
        )
    return 0


def cmd_trip_list(ctx: Context, args) -> int:
    trips = ctx.service.trips()
    if args.json:
        _print_json(ctx, [t.to_dict() for t in trips])
        return 0
    if not trips:
        print("no trips yet: add one with `irlmeet trip add CITY --from YYYY-MM-DD --to YYYY-MM-DD`", file=ctx.out)
    for t in trips:
        print(f"{t.id}  {t.start.isoformat()} to {t.end.isoformat()}  {t.name}  ({t.destination.label()})", file=ctx.out)
    return 0


def cmd_trip_edit(ctx: Context, args) -> int:
    from irlmeet.core.wording import days_label

    svc = ctx.service
    if all(v is None for v in (args.name, args.start, args.end, args.city, args.arrive, args.leave, args.weekends)):
        raise IrlmeetError("nothing to change: give --name, --from, --to, --city, --arrive, --leave or --weekends")
    trip = svc.edit_trip(args.trip, name=args.name, start=args.start, end=args.end, city=args.city,
                         arrive=args.arrive, leave=args.leave, weekends=args.weekends)
    if args.json:
        _print_json(ctx, trip.to_dict())
        return 0
    print(f"Updated {trip.name}: {trip.destination.label()}, {days_label(trip)} (id {trip.id})", file=ctx.out)
    first, after = trip.window()
    outside = [m for m in svc.meetups(trip.id)
               if m.status.value in ("invited", "confirmed") and not (first <= m.start < after)]
    if outside:
        print(f"{PROG}: warning: {len(outside)} invited or confirmed meetup{'s fall' if len(outside) != 1 else ' falls'} "
              "outside the new dates; they were kept as they are", file=ctx.err)
    return 0


def cmd_trip_rm(ctx: Context, args) -> int:
    from irlmeet.core.errors import TripHasMeetups

    try:
        result = ctx.service.remove_trip(args.trip, force=args.force)
    except TripHasMeetups as exc:
        print(f"{PROG}: error: {exc}", file=ctx.err)
        print(f"{PROG}: hint: remove it anyway with --force", file=ctx.err)
        return 1
    n = len(result.meetups)
    print(f"Removed trip {result.trip.name} (id {result.trip.id})" + (f" and its {n} meetup{'s' if n != 1 else ''}" if n else ""), file=ctx.out)
    if n:
        print("  calendars that imported this trip keep its events until you delete them there", file=ctx.out)
    return 0


def _proposal_json(p, user_tz: str) -> dict[str, Any]:
    cand = p.candidate
    contact_tz = cand.place.tz
    return {
        "contact_id": p.contact.id,
        "name": p.contact.name,
        "score": cand.score,
        "reasons": list(cand.reasons),
        "breakdown": [{"points": r.points, "text": r.text} for r in cand.breakdown],
        "lives_in": cand.place.label(),
        "distance_km": round(cand.distance_km, 1),
        "kind": p.kind.value if p.kind else None,
        "start": p.start.isoformat() if p.start else None,
        "end": p.end.isoformat() if p.end else None,
        "start_their_time": p.start.astimezone(zone(p.contact.tz or contact_tz)).isoformat() if p.start else None,
        "start_your_time": p.start.astimezone(zone(user_tz)).isoformat() if p.start else None,
        "where": p.where,
        "note": p.note,
    }


def cmd_plan(ctx: Context, args) -> int:
    from irlmeet.core.wording import clock, days_label, kind_noun, short_when, style_for

    svc = ctx.service
    trip = svc.find_trip(args.trip)
    the_plan = svc.plan(trip, radius_km=args.radius)
    user_tz = svc.user_tz()
    # Held meetups whose time became impossible: flagged, never rescheduled (issue 7).
    conflicts = {cid: v.conflict for v in svc.meetup_views(trip) if v.conflict for cid in v.meetup.contact_ids}
    if args.json:
        _print_json(
            ctx,
            {
                "trip": trip.to_dict(),
                "your_time_zone": user_tz,
                "over": svc.trip_is_over(trip),
                "proposals": [{**_proposal_json(p, user_tz),
                               "conflict": conflicts[p.contact.id].reason if p.contact.id in conflicts else None}
                              for p in the_plan.proposals],
                "busy": [_busy_json(b) for b in trip.busy],
                "groups": [_group_json(g) for g in the_plan.groups],
            },
        )
        return 0
    radius = args.radius or ctx.settings.radius_km
    home = svc.profile().home
    style = style_for(home.country_code if home else None)  # you read this: your own clock
    print(f"{trip.name}: {trip.destination.label()}, {days_label(trip)} ({trip.destination.tz})", file=ctx.out)
    if svc.trip_is_over(trip):
        print(f"This trip is over (it ended on {trip.end.isoformat()}): there is nothing left to plan.", file=ctx.out)
        return 0
    if not the_plan.proposals:
        print(f"Nobody you know within {radius:g} km. Add contacts with `irlmeet contact add`.", file=ctx.out)
        return 0
    _print_busy(ctx, trip)
    for i, p in enumerate(the_plan.proposals, 1):
        print(f"\n{i:>2}. {p.contact.name}  ({p.candidate.place.short_label()})  score {p.candidate.score:g}", file=ctx.out)
        print(f"    why:   {'; '.join(r.label() for r in p.candidate.breakdown)}", file=ctx.out)
        if p.has_slot:
            local = p.start.astimezone(trip.zone)
            when = f"{short_when(local, style)}-{clock(p.end.astimezone(trip.zone), style)} {kind_noun(p.kind)}"
            mine = p.start.astimezone(zone(user_tz))
            if mine.utcoffset() != local.utcoffset():
                when += f"  ({short_when(mine, style)} your time)"
            print(f"    when:  {when}", file=ctx.out)
            print(f"    where: {p.where}", file=ctx.out)
        if p.note:
            print(f"    note:  {p.note}", file=ctx.out)
        if p.contact.id in conflicts:
            print(f"    conflict: {conflicts[p.contact.id].reason} (see `irlmeet meetup list {trip.id}`)", file=ctx.out)
    _print_groups(ctx, trip, the_plan.groups)
    return 0


def _busy_json(b) -> dict[str, Any]:
    return {"id": b.id, "start": b.start.isoformat(), "end": b.end.isoformat(), "title": b.title}


def _group_json(g) -> dict[str, Any]:
    return {
        "circle": g.circle.value,
        "kind": g.kind.value if g.kind else None,
        "start": g.start.isoformat() if g.start else None,
        "end": g.end.isoformat() if g.end else None,
        "where": g.where,
        "note": g.note,
        "people": [{"contact_id": c.contact.id, "name": c.contact.name, "score": c.score} for c in g.candidates],
    }


def _span(trip, start, end) -> str:
    return wording.span(start.astimezone(trip.zone), end.astimezone(trip.zone))


def _print_busy(ctx: Context, trip) -> None:
    if not trip.busy:
        return
    print("\nbusy:", file=ctx.out)
    for b in trip.busy:
        print(f"    {_span(trip, b.start, b.end)}  {b.title or '(busy)'}" + (f"  [{b.id}]" if b.id else ""), file=ctx.out)


def _print_groups(ctx: Context, trip, groups) -> None:
    for g in groups:
        names = ", ".join(c.contact.name for c in g.candidates)
        print(f"\ngroup evening ({g.circle.value}), instead of {len(g.candidates)} 1:1s: {names}", file=ctx.out)
        if g.has_slot:
            print(f"    when:  {_span(trip, g.start, g.end)} {g.kind.value}", file=ctx.out)
            print(f"    where: {g.where}", file=ctx.out)
            print(f"    keep it: irlmeet meetup group {trip.id} --circle {g.circle.value}", file=ctx.out)
        else:
            print(f"    note:  {g.note}", file=ctx.out)


def cmd_busy_add(ctx: Context, args) -> int:
    svc = ctx.service
    block = svc.add_busy(args.trip, args.start, args.end, args.title)
    print(block.id, file=ctx.out)
    return 0


def cmd_busy_list(ctx: Context, args) -> int:
    trip = ctx.service.find_trip(args.trip)
    if args.json:
        _print_json(ctx, [_busy_json(b) for b in trip.busy])
        return 0
    if not trip.busy:
        print(f'no busy time on {trip.name}: add some with `irlmeet busy add TRIP --from "YYYY-MM-DD HH:MM" --to ...`', file=ctx.out)
    for b in trip.busy:
        print(f"{b.id or '-':<12}  {_span(trip, b.start, b.end)}  {b.title}", file=ctx.out)
    return 0


def cmd_busy_rm(ctx: Context, args) -> int:
    b = ctx.service.remove_busy(args.id)
    print(f"Removed busy time {b.id}: {wording.iso_span(b.start, b.end)} {b.title}".rstrip(), file=ctx.out)
    return 0


def _warnings(text: str, channel: str) -> list[Any]:
    """The etiquette check's findings for a draft, as JSON-able values; [] while
    irlmeet.core.etiquette is not there (the hook the check plugs into)."""
    try:
        from irlmeet.core import etiquette  # type: ignore[attr-defined]
    except ImportError:
        return []
    out = []
    for w in etiquette.check(text, channel=channel):
        to_dict = getattr(w, "to_dict", None)
        out.append(to_dict() if callable(to_dict) else str(w))
    return out


def cmd_draft(ctx: Context, args) -> int:
    svc = ctx.service
    trip = svc.find_trip(args.trip)
    contact = svc.find_contact(args.contact)
    d = svc.draft(trip, contact, channel=args.channel, variant=args.variant, follow_up=args.follow_up)
    if args.json:
        _print_json(ctx, {
            "channel": d.channel.value, "contact_id": d.contact_id, "to": d.to, "subject": d.subject,
            "body": d.body,
            "options": [{"kind": o.kind.value, "start": o.start.isoformat(), "end": o.end.isoformat()}
                        for o in d.options],
            "variant": d.variant, "variants": d.variants, "cap": d.cap, "cap_words": d.cap_words,
            "case": d.case, "template": d.template, "hints": list(d.hints),
            "warnings": _warnings(d.text(), d.channel.value),
        })
        return 0
    print(d.text(), file=ctx.out)
    if d.to:
        print(f"{PROG}: to: {d.to} ({d.channel.value})", file=ctx.err)
    for w in d.hints:
        print(f"{PROG}: hint: {w}", file=ctx.err)
    return 0


#: The most `irlmeet lint` reads: any invitation is far shorter; a bigger file is a wrong path.
LINT_MAX_BYTES = 1_000_000


def _read_lint_text(name: str) -> str:
    """The text to lint, or an OSError/ValueError whose message names the problem."""
    if name == "-":
        data = sys.stdin.buffer.read(LINT_MAX_BYTES + 1)
    else:
        path = Path(name).expanduser()
        if path.is_dir():
            raise ValueError("is a folder, not a text file")
        with path.open("rb") as f:
            data = f.read(LINT_MAX_BYTES + 1)
    if len(data) > LINT_MAX_BYTES:
        raise ValueError(f"is over {LINT_MAX_BYTES // 1_000_000} MB: that is no note (wrong file?)")
    if b"\0" in data:
        raise ValueError("looks binary (it holds NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"is not UTF-8 text (byte {data[exc.start]:#04x} on line {line})") from None
    return text.replace("\r\n", "\n")


def cmd_lint(ctx: Context, args) -> int:
    """Exit 0 when clean, 1 with warnings, 2 when the file can't be read."""
    from irlmeet.core import etiquette

    shown = "<stdin>" if args.file == "-" else args.file
    try:
        text = _read_lint_text(args.file)
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"{PROG}: error: {shown}: {why}", file=ctx.err)
        return 2
    found = etiquette.check(text, channel=args.channel, cap=args.cap, circles=args.circle, reader_name=args.reader)
    size = etiquette.measure(text, channel=args.channel, cap=args.cap)
    rows = []
    for w in found:
        line, col = etiquette.position(text, w.start) if w.start is not None else (1, 1)
        rows.append({**w.to_dict(), "line": line, "col": col, "text": text[w.start : w.end] if w.start is not None else ""})
    if args.json:
        _print_json(ctx, {"file": shown, "channel": args.channel, "length": {"count": size.count, "cap": size.cap, "unit": size.unit}, "warnings": rows})
        return 1 if found else 0
    for row in sorted(rows, key=lambda r: (r["line"], r["col"])):
        quoted = " ".join(row["text"].split())
        quoted = "" if quoted.casefold() in row["title"].casefold() else quoted
        quoted = f' ("{quoted[:57]}…")' if len(quoted) > 60 else f' ("{quoted}")' if quoted else ""
        print(f"{shown}:{row['line']}:{row['col']}: {row['code']}: {row['title']}{quoted} — {row['explain']}", file=ctx.out)
    n = len(found)
    summary = f"{n} etiquette warning{'s' if n != 1 else ''}" if n else "no etiquette problems"
    print(f"{shown}: {summary} ({size.label()})", file=ctx.err)
    return 1 if found else 0


def cmd_export(ctx: Context, args) -> int:
    if args.trip == "vcard":  # `irlmeet export vcard -o FILE.vcf`: the contacts, never a trip
        return _export_vcard(ctx, str(args.output))
    svc = ctx.service
    trip = svc.find_trip(args.trip)
    kw = {"ideas": args.ideas, "details": args.details}
    if str(args.output) == "-":  # the .ics on stdout; the summary goes to stderr
        ctx.out.flush()
        sink = getattr(ctx.out, "buffer", None) or io.BytesIO()
        result = svc.export_ics(trip, sink, **kw)
        if isinstance(sink, io.BytesIO):  # out is a text stream without bytes underneath
            ctx.out.write(sink.getvalue().decode("utf-8"))
        _export_summary(ctx, result, "standard output", args, ctx.err)
        return 0
    result = svc.export_ics(trip, args.output.expanduser(), **kw)
    _export_summary(ctx, result, str(result.path), args, ctx.out)
    return 0


def _export_summary(ctx: Context, result, where: str, args, stream) -> None:
    line = f"wrote {result.events} meetup{'s' if result.events != 1 else ''}"
    if result.cancelled:
        line += f" and {result.cancelled} cancelled one{'s' if result.cancelled != 1 else ''} (calendars drop those)"
    print(f"{line} to {where}", file=stream)
    if not result.events and not args.ideas:
        print(f"{PROG}: hint: nothing is planned yet; accept proposals with `irlmeet meetup accept TRIP PERSON`, "
              "or add them as ideas with --ideas", file=ctx.err)


def _local(dt: datetime, trip) -> datetime:
    return dt.astimezone(trip.zone)


def _when_text(m, trip) -> str:
    return _span(trip, m.start, m.end)


def _view_json(v) -> dict[str, Any]:
    m = v.meetup
    return {
        "id": m.id,
        "trip_id": m.trip_id,
        "people": [{"id": cid, "name": p.name if p else None} for cid, p in zip(m.contact_ids, v.people, strict=True)],
        "kind": m.kind.value,
        "status": m.status.value,
        "start": _local(m.start, v.trip).isoformat(),
        "end": _local(m.end, v.trip).isoformat(),
        "place": m.place,
        "conflict": v.conflict.reason if v.conflict else None,
    }


def _view_line(v) -> str:
    m = v.meetup
    line = f"{m.id}  {m.status.value:<9}  {_when_text(m, v.trip)}  {m.kind.value:<9}  {', '.join(v.names)}"
    return line


def cmd_meetup_list(ctx: Context, args) -> int:
    svc = ctx.service
    trip = svc.find_trip(args.trip)
    views = svc.meetup_views(trip, dropped=args.all, sync=True)
    if args.json:
        _print_json(ctx, [_view_json(v) for v in views])
        return 0
    if not views:
        print(f"no meetups on {trip.name} yet: see the proposals with `irlmeet plan {trip.id}` and take one with "
              f"`irlmeet meetup accept {trip.id} PERSON`", file=ctx.out)
        return 0
    print(f"{trip.name} ({trip.destination.tz}):", file=ctx.out)
    for v in views:
        print(_view_line(v), file=ctx.out)
        if v.conflict:
            print(f"    conflict: {v.conflict.reason}; move it (`irlmeet meetup move {v.meetup.id}`) or cancel it",
                  file=ctx.out)
    return 0


_NEXT = {
    "accept": "send the invitation (`irlmeet draft {trip} {person}`), then `irlmeet meetup invite {ref}`",
    "invite": "when they answer: `irlmeet meetup confirm {ref}` or `irlmeet meetup decline {ref}`",
    "confirm": "export the trip again so your calendar shows it confirmed",
    "move": "tell them the new time, and export the trip again",
    "decline": "export the trip again so calendars drop it",
    "cancel": "export the trip again so calendars drop it",
}


def cmd_meetup_action(ctx: Context, args) -> int:
    svc = ctx.service
    verb = args.action
    to = getattr(args, "to", None)
    slot = getattr(args, "slot", None)
    if verb == "move" and to is None and slot is None:
        return _list_move_options(ctx, args)
    result = svc.meetup_action(args.ref, verb, args.person, to=to, slot=slot)
    v = result.view
    if args.json:
        _print_json(ctx, _view_json(v))
        return 0
    m = result.meetup
    label = v.label[0].upper() + v.label[1:]
    print(f"{label}: {m.status.value}, {_when_text(m, v.trip)} {v.trip.destination.tz} (id {m.id})", file=ctx.out)
    for c in result.contacts:
        print(f"  {c.name}: last seen {c.last_seen.isoformat() if c.last_seen else '-'}", file=ctx.out)
    if v.conflict:
        print(f"{PROG}: warning: conflict: {v.conflict.reason}", file=ctx.err)
    hint = _NEXT.get(verb)
    if hint:
        first = v.people[0] if v.people and v.people[0] else None
        print(f"  next: {hint.format(trip=v.trip.id, person=first.id if first else 'PERSON', ref=m.id)}", file=ctx.out)
    return 0


def _list_move_options(ctx: Context, args) -> int:
    svc = ctx.service
    m = svc.find_meetup(args.ref, args.person)
    (v,) = [x for x in svc.meetup_views(m.trip_id, dropped=True) if x.meetup.id == m.id]
    options = svc.move_options(m.id)
    if args.json:
        _print_json(ctx, [{"slot": i, "kind": o.kind.value, "start": _local(o.start, v.trip).isoformat(),
                           "end": _local(o.end, v.trip).isoformat()} for i, o in enumerate(options, 1)])
        return 0
    print(f"{v.label[0].upper() + v.label[1:]} is {m.status.value} for {_when_text(m, v.trip)} (id {m.id}).", file=ctx.out)
    if not options:
        print(f"No free slot left on {v.trip.name}; give a time with --to \"YYYY-MM-DD HH:MM\" ({v.trip.destination.tz}).",
              file=ctx.out)
        return 0
    print(f"Free slots ({v.trip.destination.tz}):", file=ctx.out)
    for i, o in enumerate(options, 1):
        s_, e_ = _local(o.start, v.trip), _local(o.end, v.trip)
        print(f"  {i:>2}. {wording.span(s_, e_)}  {o.kind.value}", file=ctx.out)
    print(f"Move it with `irlmeet meetup move {m.id} --slot N` or --to \"YYYY-MM-DD HH:MM\".", file=ctx.out)
    return 0


def cmd_agenda(ctx: Context, args) -> int:
    a = ctx.service.agenda()
    if args.json:
        _print_json(ctx, {
            "today": a.today.isoformat(),
            "to_send": [{**_view_json(s.view), "send_by": s.send_by.isoformat(), "overdue": s.overdue} for s in a.to_send],
            "upcoming": [_view_json(v) for v in a.upcoming],
            "conflicts": [_view_json(v) for v in a.conflicts],
            "debriefs": [{"trip_id": d.trip.id, "trip": d.trip.name, "ended": d.trip.end.isoformat(), "open": d.open}
                         for d in a.debriefs],
        })
        return 0
    if a.empty:
        print("Nothing to do: no invitations to send, no meetups coming up, no conflicts, no debriefs due.", file=ctx.out)
        return 0
    sections = (
        ("Invitations to send", [f"{'OVERDUE ' if s.overdue else ''}send by {wording.date_short(s.send_by)}: "
                                 + _view_line(s.view) for s in a.to_send]),
        ("Upcoming", [_view_line(v) for v in a.upcoming]),
        ("Conflicts", [f"{_view_line(v)}\n    {v.conflict.reason}" for v in a.conflicts]),
        ("Debriefs due", [f"{d.trip.name}: {d.open} meetup{'s' if d.open != 1 else ''} to record "
                          f"(`irlmeet debrief {d.trip.id}`)" for d in a.debriefs]),
    )
    first = True
    for title, rows in sections:
        if not rows:
            continue
        print(("" if first else "\n") + f"{title}:", file=ctx.out)
        first = False
        for row in rows:
            print(f"  {row}", file=ctx.out)
    return 0


def cmd_debrief(ctx: Context, args) -> int:
    d = ctx.service.debrief(args.trip)
    if args.json:
        _print_json(ctx, {"trip_id": d.trip.id, "over": d.over, "to_record": [_view_json(v) for v in d.to_record],
                          "recorded": [_view_json(v) for v in d.recorded]})
        return 0
    if not d.over and not d.to_record:
        print(f"{d.trip.name} ends on {d.trip.end.isoformat()}; debrief it after that.", file=ctx.out)
        return 0
    if d.to_record:
        print(f"{d.trip.name}: how did these go? Record each with `irlmeet meetup met ID` or `irlmeet meetup missed ID` "
              "(or decline / cancel).", file=ctx.out)
        for v in d.to_record:
            print(f"  {_view_line(v)}", file=ctx.out)
    else:
        print(f"{d.trip.name}: every meetup is recorded.", file=ctx.out)
    if d.recorded:
        print("Recorded:", file=ctx.out)
        for v in d.recorded:
            print(f"  {_view_line(v)}", file=ctx.out)
    return 0


def _export_vcard(ctx: Context, output: str) -> int:
    if output == "-":
        data, n = ctx.service.export_vcard()
        ctx.out.flush()
        buffer = getattr(ctx.out, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            ctx.out.write(data.decode("utf-8"))
    else:
        path = Path(output).expanduser()
        _data, n = ctx.service.export_vcard(path)
        print(f"wrote {n} contact{'s' if n != 1 else ''} to {path} (vCard 4.0; private notes are not included)", file=ctx.out)
    return 0


def cmd_contact_export(ctx: Context, args) -> int:
    return _export_vcard(ctx, args.output)


class _ProgressLine:
    """A one-line progress bar on stderr, redrawn in place; silent when stderr is no terminal."""

    def __init__(self, err: TextIO, label: str) -> None:
        self._err = err
        self._label = label
        self._on = bool(getattr(err, "isatty", lambda: False)())
        self._shown = -1

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self._on or total <= 0:
            return
        pct = min(100, done * 100 // total)
        if pct == self._shown:
            return
        self._shown = pct
        bar = "#" * (pct // 4) + "." * (25 - pct // 4)
        self._err.write(f"\r{phase} {self._label} [{bar}] {pct:3d}% {done:,}/{total:,}\x1b[K")
        self._err.flush()

    def close(self) -> None:
        if self._on and self._shown >= 0:
            self._err.write("\r\x1b[K")
            self._err.flush()


def cmd_import(ctx: Context, args) -> int:
    svc = ctx.service
    bar = _ProgressLine(ctx.err, args.path.name)
    try:
        report = svc.import_contacts(args.action, args.path.expanduser(), dry_run=args.dry_run, progress=bar)
    finally:
        bar.close()
    for problem in report.problems:
        print(f"{PROG}: problem: {problem}", file=ctx.err)
    for skip in report.skips:
        print(f"{PROG}: {skip}", file=ctx.err)
    if args.json:
        _print_json(ctx, report.to_dict())
    else:
        if args.dry_run:
            print("dry run: nothing was written", file=ctx.out)
        print(report.summary(), file=ctx.out)
        for note in report.merges[:50]:
            print(f"  merged: {note}", file=ctx.out)
        if len(report.merges) > 50:
            print(f"  ... and {len(report.merges) - 50} more merged (see --json)", file=ctx.out)
        if report.needs_place or report.needs_circle:
            print("  place them with `irlmeet triage` (or the app's triage queue, key t)", file=ctx.out)
    return 1 if report.problems and not report.read else 0


def cmd_triage(ctx: Context, args) -> int:
    svc = ctx.service
    queue = svc.triage()
    if args.company:
        want = args.company.strip().casefold()
        queue = [c for c in queue if c.company.casefold() == want]
    if args.contact:
        ids = {svc.find_contact(ref).id for ref in args.contact}
        queue = [c for c in queue if c.id in ids]
    answering = any(v is not None for v in (args.city, args.circle, args.how_we_met))
    if answering:
        changed = svc.answer_triage([c.id for c in queue], city=args.city, circle=args.circle, how_we_met=args.how_we_met)
        if args.json:
            _print_json(ctx, [c.to_dict() for c in changed])
            return 0
        print(f"updated {len(changed)} of {len(queue)} contact{'s' if len(queue) != 1 else ''}; "
              f"{len(svc.triage())} left to place", file=ctx.out)
        return 0
    if args.json:
        _print_json(ctx, [{**_contact_json(c), "needs": _needs(c)} for c in queue])
        return 0
    if not queue:
        print("nobody to place: every contact has a city and a circle", file=ctx.out)
        return 0
    for c in queue:
        what = " ".join(x for x in (c.role, "at " + c.company if c.company else "") if x)
        came = ",".join(dict.fromkeys(s.kind for s in c.sources))
        print(f"{c.id}  {c.name:<28} {what[:40]:<40}  needs {' and '.join(_needs(c))}"
              + (f"  ({came})" if came else ""), file=ctx.out)
    print(f"{len(queue)} to place", file=ctx.out)
    return 0


def _needs(c) -> list[str]:
    return [w for w, missing in (("city", not c.places), ("circle", c.circle_open)) if missing]


def cmd_locate(ctx: Context, args) -> int:
    paths: Paths = ctx.settings.paths
    target = {
        "data": paths.data_file,
        "config": paths.config_file,
        "themes": paths.themes_dir,
        "templates": paths.templates_dir,
        "cache": paths.cache_dir,
    }[args.what]
    print(target, file=ctx.out)
    return 0


COMMANDS: dict[tuple[str, str | None], Callable[[Context, Any], int]] = {
    ("me", None): cmd_me,
    ("contact", "add"): cmd_contact_add,
    ("contact", "list"): cmd_contact_list,
    ("contact", "edit"): cmd_contact_edit,
    ("contact", "show"): cmd_contact_show,
    ("contact", "rm"): cmd_contact_rm,
    ("contact", "merge"): cmd_contact_merge,
    ("contact", "export"): cmd_contact_export,
    ("import", "linkedin"): cmd_import,
    ("import", "vcard"): cmd_import,
    ("import", "google"): cmd_import,
    ("triage", None): cmd_triage,
    ("trip", "add"): cmd_trip_add,
    ("trip", "list"): cmd_trip_list,
    ("trip", "edit"): cmd_trip_edit,
    ("trip", "rm"): cmd_trip_rm,
    ("plan", None): cmd_plan,
    ("draft", None): cmd_draft,
    ("export", None): cmd_export,
    ("lint", None): cmd_lint,
    ("meetup", "list"): cmd_meetup_list,
    **{("meetup", verb): cmd_meetup_action for verb in ("accept", "invite", "confirm", "decline", "cancel", "skip",
                                                         "move", "met", "missed")},
    ("agenda", None): cmd_agenda,
    ("debrief", None): cmd_debrief,
    ("locate", None): cmd_locate,
    ("busy", "add"): cmd_busy_add,
    ("busy", "list"): cmd_busy_list,
    ("busy", "rm"): cmd_busy_rm,
}


# --------------------------------------------------------------------------------------------
# Group evenings: `meetup group`, `meetup rsvp` (kept apart from the other meetup actions)


def _meetup_group_parsers(msub) -> None:
    grp = msub.add_parser("group", help="keep the plan's group evening as a planned meetup", description="Store the group evening the plan offers (see `irlmeet plan TRIP`) as a planned meetup, with an RSVP per person (invited until they answer). Circles are never mixed.")
    grp.add_argument("trip", metavar="TRIP")
    grp.add_argument("--circle", choices=["professional", "personal"], help="which circle's group (default: the first offered)")
    grp.add_argument("--json", action="store_true", help="print the stored meetup as JSON")
    rsvp = msub.add_parser("rsvp", help="record one person's answer to a group meetup", description="Record one person's answer to a meetup: yes, maybe or no (invited: no answer yet).")
    rsvp.add_argument("meetup", metavar="MEETUP", help="the meetup's id")
    rsvp.add_argument("person", metavar="PERSON", help="one of its people, by id or name")
    rsvp.add_argument("answer", choices=["yes", "maybe", "no", "invited"], metavar="yes|maybe|no")
    rsvp.add_argument("--json", action="store_true", help="print the changed meetup as JSON")


def _rsvp_lines(ctx: Context, m) -> None:
    names = {c.id: c.name for c in ctx.service.contacts() if c.id in m.contact_ids}
    for cid in m.contact_ids:
        print(f"    {names.get(cid, cid)}: {m.rsvp.get(cid, 'invited')}", file=ctx.out)


def cmd_meetup_group(ctx: Context, args) -> int:
    svc = ctx.service
    m = svc.store_group(args.trip, args.circle)
    if args.json:
        _print_json(ctx, m.to_dict())
        return 0
    trip = svc.find_trip(m.trip_id)
    print(f"Planned a group {m.kind.value} (id {m.id}): {_span(trip, m.start, m.end)}, {m.place}", file=ctx.out)
    _rsvp_lines(ctx, m)
    return 0


def cmd_meetup_rsvp(ctx: Context, args) -> int:
    m = ctx.service.rsvp(args.meetup, args.person, args.answer)
    if args.json:
        _print_json(ctx, m.to_dict())
        return 0
    yes = sum(1 for a in m.rsvp.values() if a == "yes")
    print(f"Recorded; {yes} of {len(m.contact_ids)} said yes (meetup {m.id}):", file=ctx.out)
    _rsvp_lines(ctx, m)
    return 0


COMMANDS.update({("meetup", "group"): cmd_meetup_group, ("meetup", "rsvp"): cmd_meetup_rsvp})
