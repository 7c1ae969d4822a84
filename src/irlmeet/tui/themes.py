"""Colour themes as TOML files: irlmeet's own (shipped in the package) and the user's.

A theme file defines one Textual :class:`~textual.theme.Theme`::

    name = "irlmeet-dark"
    dark = true
    primary = "#E0A458"
    secondary = "#5FA8A0"
    accent = "#8FB8DE"
    foreground = "#E8E3D9"
    background = "#181B21"
    surface = "#20242C"
    panel = "#2A2F39"
    success = "#8CC084"
    warning = "#E8C35A"
    error = "#E57373"

``name`` and ``primary`` are required; Textual derives any colour left out. Colours are
anything Textual's CSS understands (``#rrggbb``, ``rgb(...)``, ``hsl(...)``, named colours).

Files are validated one at a time: a broken file is reported (file, field, what is wrong) and
skipped, never raised, so one typo cannot stop the app from starting.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

import irlmeet

__all__ = ["ThemeLoad", "bundled_themes_dir", "load_theme_file", "load_themes", "theme_dirs"]

COLOR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)
KNOWN_FIELDS = frozenset({"name", "dark", *COLOR_FIELDS})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def bundled_themes_dir() -> Path:
    """The themes shipped with irlmeet.

    An installed wheel carries them as ``irlmeet/themes`` (hatch force-include); an editable
    install sees the repository's top-level ``themes/`` folder instead.
    """
    package = Path(irlmeet.__file__).resolve().parent
    inside = package / "themes"
    if inside.is_dir():
        return inside
    repo = package.parent.parent / "themes"  # src/irlmeet -> src -> the repository
    if repo.is_dir():
        return repo
    return inside


def theme_dirs(user_themes_dir: Path | None) -> list[Path]:
    """Where themes are looked for, in order: bundled first, so the user's override them."""
    dirs = [bundled_themes_dir()]
    if user_themes_dir is not None:
        dirs.append(Path(user_themes_dir))
    return dirs


@dataclass
class ThemeLoad:
    themes: dict[str, Theme] = field(default_factory=dict)  # by name; later files win
    sources: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "file: field: what is wrong"


def load_theme_file(path: Path) -> tuple[Theme | None, list[str]]:
    """One theme file to a Theme, or ``None`` and the problems found (each naming file and field)."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [f"{where}: cannot be read ({exc.strerror or exc})"]
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [f"{where}: is not UTF-8 text"]
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{where}: is not valid TOML ({exc})"]

    problems: list[str] = []
    for key in sorted(set(data) - KNOWN_FIELDS):
        problems.append(f"{where}: {key}: unknown field; known fields: name, dark, {', '.join(COLOR_FIELDS)}")

    name = data.get("name")
    if name is None:
        problems.append(f"{where}: name: is missing")
    elif not isinstance(name, str) or not _NAME.match(name):
        problems.append(
            f"{where}: name: {name!r} is not a usable theme name (letters, digits, '-', '_' or '.', up to 64)"
        )

    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        problems.append(f"{where}: dark: must be true or false, got {dark!r}")

    colors: dict[str, str] = {}
    if "primary" not in data:
        problems.append(f"{where}: primary: is missing")
    for key in COLOR_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            problems.append(f"{where}: {key}: must be a colour in quotes, e.g. \"#1F6F8B\", got {value!r}")
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            problems.append(f"{where}: {key}: {value!r} is not a colour (try \"#rrggbb\")")
            continue
        colors[key] = value

    if problems:
        return None, problems
    theme = Theme(name=name, dark=dark, **colors)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - whatever Textual rejects is reported, not raised
        return None, [f"{where}: the colours do not make a theme ({exc})"]
    return theme, []


def load_themes(dirs: Iterable[Path]) -> ThemeLoad:
    """Every ``*.toml`` theme in ``dirs`` (a missing folder is fine), reporting bad files."""
    out = ThemeLoad()
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file())
        except OSError as exc:
            out.problems.append(f"{folder}: cannot be listed ({exc.strerror or exc})")
            continue
        for path in files:
            theme, problems = load_theme_file(path)
            out.problems.extend(problems)
            if theme is not None:
                out.themes[theme.name] = theme
                out.sources[theme.name] = path
    return out
