"""Where irlmeet keeps things, and the user's preferences.

Nothing here runs at import time: :func:`default_paths` reads the environment it is given and
asks platformdirs, :meth:`Settings.load` reads the config file it is given. The composition
root (``irlmeet.cli``) calls them once and passes the results down.

Config file (TOML, optional), e.g. ``~/.config/irlmeet/config.toml``::

    radius_km = 40          # how far "near" reaches, default 50
    theme = "irlmeet-light" # a bundled theme or one in the themes folder beside this file
    send_by_days_1to1 = 10  # send a 1:1 invitation this many days before (the agenda says when)
    send_by_days_group = 3  # the same for a group meetup
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from irlmeet.core.errors import ConfigError

APP_NAME = "irlmeet"
DATA_ENV = "IRLMEET_DATA"
DEFAULT_THEME = "irlmeet-dark"


@dataclass(frozen=True, slots=True)
class Paths:
    data_file: Path
    config_file: Path
    cache_dir: Path
    themes_dir: Path  # the user's own themes


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
class Settings:
    paths: Paths
    radius_km: float = 50.0
    theme: str = DEFAULT_THEME
    send_by_days_1to1: int = 10  # a 1:1 invitation goes out about this many days before
    send_by_days_group: int = 3  # a group one closer to the day: it is lighter to say yes to

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
        known = {"radius_km", "theme", "send_by_days_1to1", "send_by_days_group"}
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
        send_by = {}
        for key, default in (("send_by_days_1to1", 10), ("send_by_days_group", 3)):
            value = data.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 90:
                raise ConfigError(f"{paths.config_file}: {key} must be a whole number of days from 0 to 90, got {value!r}")
            send_by[key] = value
        return cls(paths, radius_km=float(radius), theme=theme.strip(), **send_by)
