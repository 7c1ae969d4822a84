"""Dates as exports write them: ``14 Oct 2026`` (LinkedIn), birthdays in every vCard form.

Month names are matched from a table, never through ``strptime`` (whose ``%b`` follows the
process's locale).
"""

from __future__ import annotations

import functools
import re
from datetime import date

from irlmeet.core.imports.record import MonthDay

__all__ = ["parse_birthday", "parse_day_month_year"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_DMY = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]+)\.?,?[ \-](\d{4})$")
_MDY = re.compile(r"^([A-Za-z]+)\.? (\d{1,2}),? (\d{4})$")


@functools.lru_cache(maxsize=8192)
def parse_day_month_year(text: str) -> date | None:
    """``"14 Oct 2026"`` (also ``"5 March 2024"``, ``"Oct 14, 2026"``, ISO) -> a date, else ``None``.

    Cached: a LinkedIn export of 30,000 connections holds a few thousand distinct days, and
    the answer (a date or None) is immutable."""
    value = text.strip()
    if not value:
        return None
    if m := _DMY.match(value):
        day, month, year = m.group(1), m.group(2), m.group(3)
    elif m := _MDY.match(value):
        month, day, year = m.group(1), m.group(2), m.group(3)
    else:
        iso = parse_birthday(value)
        return iso if isinstance(iso, date) else None
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    try:
        return date(int(year), number, int(day))
    except ValueError:
        return None


_FULL = re.compile(r"^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})(?:[T ].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


def parse_birthday(text: str) -> date | MonthDay | None:
    """``1990-02-03``, ``19900203``, ``1995/05/05``, ``--0203``, ``--02-03``, with or without a
    time part; a year-less date becomes :class:`MonthDay`. Free text ("circa 1800") -> ``None``."""
    value = text.strip()
    try:
        if m := _FULL.match(value):
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if year <= 1604:  # Apple writes 1604 (and some clients 0000/0001) for "no year"
                return MonthDay(month, day)
            return date(year, month, day)
        if m := _NO_YEAR.match(value):
            return MonthDay(int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None
    return None
