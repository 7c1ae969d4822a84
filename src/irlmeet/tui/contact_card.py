"""How one contact reads in the detail pane: every field, then the meetups with them.

:data:`DETAIL_ROWS` is the one list of the rows shown (label, and how to read the value off a
contact); a row whose value is empty is left out. Everything the user typed goes in as plain
``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from irlmeet.core import wording
from irlmeet.core.models import Contact, Meetup, MeetupStatus, Trip

__all__ = ["DETAIL_ROWS", "Hanging", "card_text", "meetups_text"]


def _places(c: Contact) -> str:
    return "\n".join(f"{cp.label.value}: {cp.place.label()}" for cp in c.places)


def _date(d: date | None) -> str:
    return d.isoformat() if d else ""


def _handles(c: Contact) -> str:
    return "\n".join(f"{service}: {handle}" for service, handle in sorted(c.handles.items()))


#: The rows of the detail pane, in order: (label, value of a contact as text; "" hides the row).
#: The one place to add a field to the detail pane.
DETAIL_ROWS: tuple[tuple[str, Callable[[Contact], str]], ...] = (
    ("Nickname", lambda c: c.nickname),
    ("Work", lambda c: ", ".join(x for x in (c.role, c.company) if x)),
    ("Places", _places),
    ("Time zone", lambda c: c.tz),
    ("Circle", lambda c: c.circle.value),
    ("Closeness", lambda c: f"{c.closeness}/5" if c.closeness else ""),
    ("Met at", lambda c: c.met_at),
    ("Met via", lambda c: c.met_via),
    ("How you met", lambda c: c.how_we_met),
    ("Met on", lambda c: _date(c.met_on)),
    ("Last topic", lambda c: c.topic),
    ("Last seen", lambda c: _date(c.last_seen) or "never in person"),
    ("Last contacted", lambda c: _date(c.last_contacted)),
    ("See them", lambda c: c.cadence_label),
    ("Emails", lambda c: "\n".join(c.emails)),
    ("Phones", lambda c: "\n".join(c.phones)),
    ("LinkedIn", lambda c: c.linkedin),
    ("Handles", _handles),
    ("Prefers", lambda c: c.preferred),
    ("Tags", lambda c: ", ".join(c.tags)),
    ("Do not invite", lambda c: (f"yes: {c.do_not_invite_reason}" if c.do_not_invite_reason else "yes") if c.do_not_invite else ""),
    ("Notes", lambda c: c.notes),
)

def card_text(contact: Contact) -> Group:
    """The contact's name, then every field that has a value: label on the left, value wrapped beside it."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(ratio=1)
    for label, value_of in DETAIL_ROWS:
        value = value_of(contact)
        if value:
            grid.add_row(Text(label), Text(value))
    return Group(Text(contact.name, style="bold"), grid)


class Hanging:
    """``text`` indented by ``first`` cells, its wrapped lines by ``rest``: a list item whose
    second line is visibly part of the item, not the next one."""

    def __init__(self, text: Text, first: int = 2, rest: int = 4) -> None:
        self.text, self.first, self.rest = text, first, rest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - self.rest, 1)
        out = Text()
        for i, line in enumerate(self.text.wrap(console, width)):
            out.append("\n" + " " * self.rest if i else " " * self.first)
            out.append_text(line)
        yield out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.rest + 1, self.rest + self.text.cell_len)


_STATUS_STYLE = {MeetupStatus.CANCELLED: "dim strike", MeetupStatus.DECLINED: "dim", MeetupStatus.MET: "green"}


def meetups_text(meetups: Sequence[tuple[Meetup, Trip | None]], today: date) -> RenderableType:
    """Meetups with the person: planned ones first (soonest first), then past ones (latest first);
    a meetup too long for the pane wraps under itself (:class:`Hanging`)."""
    if not meetups:
        return Text("No meetups yet. Plan one from a trip (press 1).", style="dim italic")
    planned = [(m, t) for m, t in meetups if m.start.date() >= today]
    past = [(m, t) for m, t in meetups if m.start.date() < today][::-1]
    parts: list[RenderableType] = []
    for title, rows in (("Planned", planned), ("Past", past)):
        if not rows:
            continue
        if parts:
            parts.append(Text())
        parts.append(Text(title, style="bold"))
        for m, trip in rows:
            local = m.start.astimezone(trip.zone) if trip is not None else m.start
            text = Text(f"{wording.date_short(local.date())} {local.year} {wording.clock(local)}  ")
            text.append(f"{m.kind.value}, {m.status.value}", style=_STATUS_STYLE.get(m.status, ""))
            if trip is not None:
                text.append(" · ", style="dim")
                text.append(trip.name, style="dim")
            parts.append(Hanging(text))
    return Group(*parts)
