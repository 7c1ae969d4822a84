"""Where irlmeet keeps things, and the user's preferences.

Nothing here runs at import time: :func:`default_paths` reads the environment it is given and
asks platformdirs, :meth:`Settings.load` reads the config file it is given. The composition
root (``irlmeet.cli``) calls them once and passes the results down.

Config file (TOML, optional), e.g. ``~/.config/irlmeet/config.toml``::

    radius_km = 40          # how far "near" reaches, default 50
    theme = "irlmeet-light" # a bundled theme or one in the themes folder beside this file

    [drafts]                # length caps of invitation drafts (characters; email: words)
    linkedin_note_cap = 200 # 300 with LinkedIn Premium
    dm_cap = 500            # LinkedIn message, Mastodon, Signal...; Bluesky (300) and X (280) stay lower
    sms_cap = 320           # two SMS
    post_cap = 280          # the group post
    email_max_words = 125   # the body of an email
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
        known = {"radius_km", "theme", "drafts"}
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
        drafts = DraftSettings.parse(data.get("drafts", {}), paths.config_file)
        return cls(paths, radius_km=float(radius), theme=theme.strip(), drafts=drafts)
