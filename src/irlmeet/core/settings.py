"""Where irlmeet keeps things, and the user's preferences.

Nothing here runs at import time: :func:`default_paths` reads the environment it is given and
asks platformdirs, :meth:`Settings.load` reads the config file it is given. The composition
root (``irlmeet.cli``) calls them once and passes the results down.

Config file (TOML, optional), e.g. ``~/.config/irlmeet/config.toml``::

    radius_km = 40          # how far "near" reaches, default 50
    theme = "irlmeet-light" # a bundled theme or one in the themes folder beside this file
    send_by_days_1to1 = 10  # send a 1:1 invitation this many days before (the agenda says when)
    send_by_days_group = 3  # the same for a group meetup

    [drafts]                # length caps of invitation drafts (characters; email: words)
    linkedin_note_cap = 200 # 300 with LinkedIn Premium
    dm_cap = 500            # LinkedIn message, Mastodon, Signal...; Bluesky (300) and X (280) stay lower
    sms_cap = 320           # two SMS
    post_cap = 280          # the group post
    email_max_words = 125   # the body of an email

    [planning]              # how plans are made (defaults shown)
    buffer_minutes = 30     # travel time between meetups and around busy time
    max_per_day = 3
    min_notice_minutes = 180
    arrive = "12:00"        # a trip's arrival and departure unless the trip sets them
    leave = "17:00"
    travel_day_buffer_minutes = 60   # no meetup before arrival + this, or after departure - this
    group_min = 3           # people of one circle near before a group evening is offered
    group_max = 8

    [day_parts.lunch]       # breakfast, coffee, lunch, afternoon_coffee, drinks, dinner
    from = "12:00"          # a meetup starts between from and to minus its length
    to = "14:00"
    minutes = 60
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from irlmeet.core.errors import ConfigError, ValidationError
from irlmeet.core.models import parse_clock
from irlmeet.core.plan_rules import DAY_PART_KINDS, PlanRules

APP_NAME = "irlmeet"
DATA_ENV = "IRLMEET_DATA"
DEFAULT_THEME = "irlmeet-dark"


@dataclass(frozen=True, slots=True)
class Paths:
    data_file: Path
    config_file: Path
    cache_dir: Path
    themes_dir: Path  # the user's own themes

    @property
    def templates_dir(self) -> Path:
        """The user's own draft templates, beside the config file."""
        return self.config_file.parent / "templates"


def default_paths(env: Mapping[str, str], *, data_file: Path | None = None) -> Paths:
    """The platform's directories (XDG on Linux), with ``--data`` / ``IRLMEET_DATA`` winning."""
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    config_dir = Path(dirs.user_config_dir)
    if data_file is None and env.get(DATA_ENV):
        data_file = Path(env[DATA_ENV])
    return Paths(
        data_file=(data_file or Path(dirs.user_data_dir) / "irlmeet.json").expanduser(),
        config_file=config_dir / "config.toml",
        cache_dir=Path(dirs.user_cache_dir),
        themes_dir=config_dir / "themes",
    )


@dataclass(frozen=True, slots=True)
class DraftSettings:
    """The ``[drafts]`` section: each channel's length cap."""

    linkedin_note_cap: int = 200
    dm_cap: int = 500
    sms_cap: int = 320
    post_cap: int = 280
    email_max_words: int = 125

    @classmethod
    def parse(cls, data: object, where: Path) -> DraftSettings:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: [drafts] must be a table of settings")
        known = {f: getattr(cls, f) for f in ("linkedin_note_cap", "dm_cap", "sms_cap", "post_cap", "email_max_words")}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"{where}: [drafts] has an unknown setting {key!r}; known: {', '.join(known)}")
            if isinstance(value, bool) or not isinstance(value, int) or not 20 <= value <= 5000:
                raise ConfigError(f"{where}: [drafts] {key} must be a whole number from 20 to 5000, got {value!r}")
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Settings:
    paths: Paths
    radius_km: float = 50.0
    theme: str = DEFAULT_THEME
    planning: PlanRules = field(default_factory=PlanRules)
    send_by_days_1to1: int = 10  # a 1:1 invitation goes out about this many days before
    send_by_days_group: int = 3  # a group one closer to the day: it is lighter to say yes to
    drafts: DraftSettings = DraftSettings()

    @classmethod
    def load(cls, paths: Paths) -> Settings:
        """Read the config file if there is one. A broken file is a ConfigError naming it."""
        try:
            raw = paths.config_file.read_bytes()
        except FileNotFoundError:
            return cls(paths)
        except OSError as exc:
            raise ConfigError(f"{paths.config_file}: cannot read the config file ({exc.strerror})") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ConfigError(f"{paths.config_file}: not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{paths.config_file}: {exc}") from None
        known = {"radius_km", "theme", "send_by_days_1to1", "send_by_days_group", "planning", "day_parts", "drafts"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{paths.config_file}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        radius = data.get("radius_km", 50.0)
        if not isinstance(radius, int | float) or isinstance(radius, bool) or not 0 < radius <= 500:
            raise ConfigError(f"{paths.config_file}: radius_km must be a number of km between 0 and 500, got {radius!r}")
        theme = data.get("theme", DEFAULT_THEME)
        if not isinstance(theme, str) or not theme.strip():
            raise ConfigError(f"{paths.config_file}: theme must be a theme's name, got {theme!r}")
        planning = plan_rules(data.get("planning", {}), data.get("day_parts", {}), paths.config_file)
        send_by = {}
        for key, default in (("send_by_days_1to1", 10), ("send_by_days_group", 3)):
            value = data.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 90:
                raise ConfigError(f"{paths.config_file}: {key} must be a whole number of days from 0 to 90, got {value!r}")
            send_by[key] = value
        drafts = DraftSettings.parse(data.get("drafts", {}), paths.config_file)
        return cls(paths, radius_km=float(radius), theme=theme.strip(), planning=planning, drafts=drafts, **send_by)


#: ``[planning]`` keys: (lowest, highest) for whole numbers, None for a time of day.
_PLANNING: dict[str, tuple[int, int] | None] = {
    "buffer_minutes": (0, 240),
    "max_per_day": (1, 12),
    "min_notice_minutes": (0, 7 * 24 * 60),
    "arrive": None,
    "leave": None,
    "travel_day_buffer_minutes": (0, 600),
    "step_minutes": (5, 120),
    "group_min": (2, 50),
    "group_max": (2, 50),
}


def _whole(value: Any, key: str, lo: int, hi: int, file: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{file}: {key} must be a whole number from {lo} to {hi}, got {value!r}")
    return value


def _clock(value: Any, key: str, file: Path):
    if not isinstance(value, str):
        raise ConfigError(f'{file}: {key} must be a time of day as "HH:MM", got {value!r}')
    try:
        return parse_clock(value, key)
    except ValidationError as exc:
        raise ConfigError(f"{file}: {key}: {exc.message}") from None


def plan_rules(planning: Any, day_parts: Any, file: Path) -> PlanRules:
    """The ``[planning]`` and ``[day_parts.<name>]`` tables as PlanRules, each value checked on
    its own; a bad one is a ConfigError naming the file and the key."""
    if not isinstance(planning, dict):
        raise ConfigError(f"{file}: planning must be a table ([planning])")
    if not isinstance(day_parts, dict):
        raise ConfigError(f"{file}: day_parts must be a table ([day_parts.lunch] ...)")
    rules = PlanRules()
    changes: dict[str, Any] = {}
    for key, value in planning.items():
        if key not in _PLANNING:
            raise ConfigError(f"{file}: unknown setting planning.{key!s}; known: {', '.join(_PLANNING)}")
        bounds = _PLANNING[key]
        changes[key] = _clock(value, f"planning.{key}", file) if bounds is None else _whole(value, f"planning.{key}", *bounds, file)
    if changes.get("group_max", rules.group_max) < changes.get("group_min", rules.group_min):
        raise ConfigError(f"{file}: planning.group_max must be at least planning.group_min")
    parts = {p.name: p for p in rules.day_parts}
    for name, table in day_parts.items():
        where = f"day_parts.{name}"
        if name not in DAY_PART_KINDS:
            raise ConfigError(f"{file}: unknown day part {where}; known: {', '.join(DAY_PART_KINDS)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: {where} must be a table with from, to and minutes")
        for key in table:
            if key not in ("from", "to", "minutes"):
                raise ConfigError(f"{file}: unknown setting {where}.{key!s}; known: from, to, minutes")
        old = parts[name]
        start = _clock(table["from"], f"{where}.from", file) if "from" in table else old.start
        end = _clock(table["to"], f"{where}.to", file) if "to" in table else old.end
        minutes = _whole(table["minutes"], f"{where}.minutes", 10, 600, file) if "minutes" in table else old.minutes
        if end <= start:
            raise ConfigError(f"{file}: {where}.to ({end:%H:%M}) must be after {where}.from ({start:%H:%M})")
        span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        if minutes > span:
            raise ConfigError(f"{file}: {where}.minutes ({minutes}) does not fit between from and to ({span} minutes)")
        parts[name] = replace(old, start=start, end=end, minutes=minutes)
    return replace(rules, day_parts=tuple(parts.values()), **changes)
