"""The composition root: builds settings, store and services, then runs a command or the TUI.

Nothing else in irlmeet reads the environment, the clock or the platform's directories: they
are read here once and passed down, so every other module can be tested with fixed values.
The TUI is imported only when it is opened, so scripted commands start fast and never load
Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from irlmeet import __version__
from irlmeet.core.errors import IrlmeetError
from irlmeet.core.models import zone
from irlmeet.core.settings import Paths, Settings, default_paths

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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

    contact = sub.add_parser("contact", help="add or list contacts", description="Add or list the people you know.")
    csub = contact.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = csub.add_parser("add", help="add a contact", description="Add a contact. The city is resolved once, offline, and stored with its coordinates and time zone.")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--city", required=True, metavar="TEXT", help="where they live, e.g. 'Brooklyn, NY', 'München', 'SF Bay Area'")
    add.add_argument("--email", action="append", default=[], metavar="E", help="an email address (repeat for more)")
    add.add_argument("--circle", default="professional", choices=["professional", "personal", "both"], help="which part of your life they belong to (default: professional)")
    add.add_argument("--how-we-met", default="", metavar="TEXT", help="how you know each other, worded to follow 'we know each other from', e.g. 'the PyCon 2023 sprints'; drafts quote it")
    add.add_argument("--met-on", metavar="YYYY-MM-DD", help="when you first met or connected")
    add.add_argument("--last-seen", metavar="YYYY-MM-DD", help="the last time you saw them in person (leave out if never)")
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for more)")
    add.add_argument("--notes", default="", metavar="TEXT")
    lst = csub.add_parser("list", help="list contacts", description="List contacts, optionally only those near a city.")
    lst.add_argument("--near", metavar="CITY", help="only contacts within the radius of this city (or in its metro area)")
    lst.add_argument("--radius", type=_radius, metavar="KM", help="how far 'near' reaches, in km (default: 50, or radius_km in the config)")
    lst.add_argument("--json", action="store_true", help="print as JSON")

    trip = sub.add_parser("trip", help="add or list trips", description="Add or list trips.")
    tsub = trip.add_subparsers(dest="action", metavar="ACTION", required=True)
    tadd = tsub.add_parser("add", help="add a trip; prints its id", description="Add a trip to a city. Dates are the first and last day there, inclusive, in the destination's time zone.")
    tadd.add_argument("city", metavar="CITY")
    tadd.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day there")
    tadd.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day there")
    tadd.add_argument("--name", metavar="TEXT", help="a name for the trip (default: city and month)")
    tlst = tsub.add_parser("list", help="list trips", description="List trips, soonest first.")
    tlst.add_argument("--json", action="store_true", help="print as JSON")

    plan = sub.add_parser("plan", help="who to see on a trip, why, when and where", description="Rank the people near a trip's destination and propose a slot to each, in the destination's time zone.")
    plan.add_argument("trip", metavar="TRIP")
    plan.add_argument("--radius", type=_radius, metavar="KM", help="how far 'near' reaches, in km")
    plan.add_argument("--json", action="store_true", help="print as JSON (times are ISO 8601 with offset)")

    draft = sub.add_parser("draft", help="the invitation for one person on a trip", description="Print a short, personal, low-pressure invitation for one person on a trip.")
    draft.add_argument("trip", metavar="TRIP")
    draft.add_argument("contact", metavar="CONTACT")
    draft.add_argument("--channel", default="email", choices=["email"], help="where it will be sent (default: email)")
    draft.add_argument("--json", action="store_true", help="print as JSON")

    export = sub.add_parser("export", help="write a trip's meetups to an .ics file", description="Write the trip's meetups to an .ics file any calendar can import. Current proposals go in as tentative ideas; exporting again updates the same events instead of adding new ones.")
    export.add_argument("trip", metavar="TRIP")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.ics", help="the file to write (a symlink's target is replaced); - writes to standard output")

    locate = sub.add_parser("locate", help="print where irlmeet keeps things", description="Print the path of the data file, the config file, the user themes folder or the cache.")
    locate.add_argument("what", choices=["data", "config", "themes", "cache"])
    return parser


def _radius(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of km") from None
    if not 0 < value <= 20_000:
        raise argparse.ArgumentTypeError(f"{text!r}: the radius must be more than 0 km")
    return value


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
        from irlmeet.core.places import PlaceIndex
        from irlmeet.core.service import Service
        from irlmeet.core.store import Store

        store = Store(self.settings.paths.data_file)
        return Service(
            store,
            places=lambda: PlaceIndex.load(self.settings.paths.cache_dir / "places"),
            settings=self.settings,
            clock=self.clock,
            new_id=lambda: uuid.uuid4().hex[:12],
        )

    @property
    def service(self):
        if self._service is None:
            self._service = self.open_service()
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.store.close()
            self._service = None


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
    out = out or sys.stdout
    err = err or sys.stderr
    env = os.environ if env is None else env
    parser = build_parser()
    args = parser.parse_args(argv)
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
                Path(tempfile.gettempdir()), pid=os.getpid(), now=clock(), new_id=lambda: uuid.uuid4().hex[:12]
            )
            demo_dir = demo_file.parent
            settings = replace(settings, paths=replace(paths, data_file=demo_file))
        ctx = Context(settings, clock=clock, out=out, err=err)
        if args.command is None:
            return _run_tui(ctx, demo=args.demo)
        handler = COMMANDS[(args.command, getattr(args, "action", None))]
        return handler(ctx, args) or 0
    except IrlmeetError as exc:
        print(f"{PROG}: error: {exc}", file=err)
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
            shutil.rmtree(demo_dir, ignore_errors=True)
        restore_signals()


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


def _run_tui(ctx: Context, *, demo: bool) -> int:
    from irlmeet.tui.app import IrlmeetApp

    opened: list[Any] = []

    def open_service():
        service = ctx.open_service()
        opened.append(service)
        return service

    app = IrlmeetApp(open_service, settings=ctx.settings, demo=demo)
    try:
        asyncio.run(_run_app_until_signalled(app))
    finally:
        for service in opened:
            service.store.close()
    return app.return_code or 0


async def _run_app_until_signalled(app) -> None:
    """``app.run()``, except that SIGTERM and SIGHUP (the terminal was closed) end the app the
    way `q` does, from inside its event loop: the terminal is restored and the `finally` blocks
    (closing the data file, removing the demo's copy) run. Raising from a plain signal handler
    instead lands in the middle of Textual's code."""
    loop = asyncio.get_running_loop()
    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    before = {sig: signal.getsignal(sig) for sig in wanted}
    installed = []
    for sig in wanted:
        try:
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


# --------------------------------------------------------------------------------------------
# Commands


def _print_json(ctx: Context, data: Any) -> None:
    # orjson: the stdlib encoder falls back to pure Python with indent (6 s for 30k contacts).
    ctx.out.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8"))
    ctx.out.write("\n")


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


def cmd_contact_add(ctx: Context, args) -> int:
    contact = ctx.service.add_contact(
        args.name,
        args.city,
        emails=args.email,
        circle=args.circle,
        how_we_met=args.how_we_met,
        met_on=args.met_on,
        last_seen=args.last_seen,
        tags=args.tag,
        notes=args.notes,
    )
    print(contact.id, file=ctx.out)
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
    trip = ctx.service.add_trip(args.city, args.start, args.end, name=args.name)
    print(trip.id, file=ctx.out)
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


def _proposal_json(p, user_tz: str) -> dict[str, Any]:
    cand = p.candidate
    contact_tz = cand.place.tz
    return {
        "contact_id": p.contact.id,
        "name": p.contact.name,
        "score": cand.score,
        "reasons": list(cand.reasons),
        "lives_in": cand.place.label(),
        "distance_km": round(cand.distance_km, 1),
        "kind": p.kind.value if p.kind else None,
        "start": p.start.isoformat() if p.start else None,
        "end": p.end.isoformat() if p.end else None,
        "start_their_time": p.start.astimezone(zone(contact_tz)).isoformat() if p.start else None,
        "start_your_time": p.start.astimezone(zone(user_tz)).isoformat() if p.start else None,
        "where": p.where,
        "note": p.note,
    }


def cmd_plan(ctx: Context, args) -> int:
    from irlmeet.core.planner import days_label

    svc = ctx.service
    trip = svc.find_trip(args.trip)
    the_plan = svc.plan(trip, radius_km=args.radius)
    user_tz = svc.user_tz()
    if args.json:
        _print_json(
            ctx,
            {
                "trip": trip.to_dict(),
                "your_time_zone": user_tz,
                "proposals": [_proposal_json(p, user_tz) for p in the_plan.proposals],
            },
        )
        return 0
    radius = args.radius or ctx.settings.radius_km
    print(f"{trip.name}: {trip.destination.label()}, {days_label(trip)} ({trip.destination.tz})", file=ctx.out)
    if not the_plan.proposals:
        print(f"Nobody you know within {radius:g} km. Add contacts with `irlmeet contact add`.", file=ctx.out)
        return 0
    for i, p in enumerate(the_plan.proposals, 1):
        print(f"\n{i:>2}. {p.contact.name}  ({p.candidate.place.short_label()})", file=ctx.out)
        print(f"    why:   {p.candidate.why}", file=ctx.out)
        if p.has_slot:
            local = p.start.astimezone(trip.zone)
            when = f"{local:%a} {local.day} {local:%b %H:%M}-{p.end.astimezone(trip.zone):%H:%M} {p.kind.value}"
            mine = p.start.astimezone(zone(user_tz))
            if mine.utcoffset() != local.utcoffset():
                when += f"  ({mine:%a %H:%M} your time)"
            print(f"    when:  {when}", file=ctx.out)
            print(f"    where: {p.where}", file=ctx.out)
        if p.note:
            print(f"    note:  {p.note}", file=ctx.out)
    return 0


def cmd_draft(ctx: Context, args) -> int:
    svc = ctx.service
    trip = svc.find_trip(args.trip)
    contact = svc.find_contact(args.contact)
    d = svc.draft(trip, contact, channel=args.channel)
    if args.json:
        _print_json(ctx, {"channel": d.channel.value, "contact_id": d.contact_id, "to": d.to, "subject": d.subject, "body": d.body, "warnings": list(d.warnings)})
        return 0
    if d.to:
        print(f"To: {d.to}", file=ctx.out)
    print(d.text(), file=ctx.out)
    for w in d.warnings:
        print(f"{PROG}: hint: {w}", file=ctx.err)
    return 0


def cmd_export(ctx: Context, args) -> int:
    svc = ctx.service
    trip = svc.find_trip(args.trip)
    if str(args.output) == "-":  # the .ics on stdout; the summary goes to stderr
        ctx.out.flush()
        sink = getattr(ctx.out, "buffer", None) or io.BytesIO()
        result = svc.export_ics(trip, sink)
        if isinstance(sink, io.BytesIO):  # out is a text stream without bytes underneath
            ctx.out.write(sink.getvalue().decode("utf-8"))
        print(f"wrote {result.events} meetup{'s' if result.events != 1 else ''} to standard output", file=ctx.err)
        return 0
    result = svc.export_ics(trip, args.output.expanduser())
    print(f"wrote {result.events} meetup{'s' if result.events != 1 else ''} to {result.path}", file=ctx.out)
    return 0


def cmd_locate(ctx: Context, args) -> int:
    paths: Paths = ctx.settings.paths
    target = {
        "data": paths.data_file,
        "config": paths.config_file,
        "themes": paths.themes_dir,
        "cache": paths.cache_dir,
    }[args.what]
    print(target, file=ctx.out)
    return 0


COMMANDS: dict[tuple[str, str | None], Callable[[Context, Any], int]] = {
    ("me", None): cmd_me,
    ("contact", "add"): cmd_contact_add,
    ("contact", "list"): cmd_contact_list,
    ("trip", "add"): cmd_trip_add,
    ("trip", "list"): cmd_trip_list,
    ("plan", None): cmd_plan,
    ("draft", None): cmd_draft,
    ("export", None): cmd_export,
    ("locate", None): cmd_locate,
}
