"""Draft templates: plain text with ``{placeholder}`` fields, no code.

A template is a UTF-8 text file named after what it writes: ``CHANNEL[.CASE].txt`` where
CHANNEL is ``email``, ``linkedin-note``, ``dm``, ``sms``, ``post`` or ``follow-up-email`` /
``follow-up`` and CASE (optional) is a relationship (``never-met``, ``new-connection``,
``old-friend``, ``colleague``) or a circle (``personal``, ``professional``). The most specific
one found wins: ``email.old-friend``, then ``email.personal``, then ``email``. A user's file in
the templates folder (``irlmeet locate templates``) overrides the built-in file of that name.

Syntax: ``{name}`` is replaced by the field of that name (see :data:`PLACEHOLDERS`); ``{{`` and
``}}`` are literal braces; a line starting with ``#`` is a comment. An email template's first
line is ``Subject: ...``. A line left empty because its fields were empty is dropped. Nothing
else is interpreted, so a template cannot run code. A broken template (an unknown field, a lone
brace) raises :class:`TemplateError` naming its file and line; the caller falls back to the
built-in template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from irlmeet.core.errors import IrlmeetError

__all__ = ["PLACEHOLDERS", "Template", "TemplateError", "find", "parse"]

#: Every field a template may use, with what it holds.
PLACEHOLDERS: dict[str, str] = {
    "greeting": "the salutation with their name: 'Hi Ada,'",
    "name": "what you call them: the nickname, else the first name",
    "opener": "why you write: 'I'll be in Berlin from 8 to 10 December for work.'",
    "how_we_know": "a sentence from where, how and when you met and what you last talked about",
    "ask": "the one small proposal: 'Would you be up for a coffee?'",
    "options": "two or three concrete times in their zone and style, with the place",
    "easy_out": "a friendly way to say no or suggest another time",
    "sign_off": "'Best,' and your name on the next line (short channels: your first name)",
    "me": "your name (irlmeet me --name)",
    "city": "the trip's city",
    "dates": "the trip's days: 'from 8 to 10 December'",
    "days": "the trip's weekdays: 'Tue–Thu'",
    "kind": "the meetup: 'a coffee', 'lunch', 'a drink after work'",
    "thanks": "follow-up only: the thank-you sentence naming the meetup",
    "talked_about": "follow-up only: what you talked about, as a sentence",
    "next_time": "follow-up only: a light 'until next time' line",
    "subject": "email only: the short subject line irlmeet would write",
}

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(IrlmeetError):
    """A template that cannot be used, with the file and line to fix."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        self.path, self.line, self.problem = path, line, problem
        super().__init__(f"{path}, line {line}: {problem}")


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    source: str  # the file it came from ("built-in:email.txt" for the bundled ones)
    subject: str  # "" when the template has no Subject line
    body: str

    def render(self, fields: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with the fields filled in."""
        return _fill(self.subject, fields).strip(), _tidy(_fill(self.body, fields))


def _check(text: str, path: str, first_line: int) -> None:
    for offset, line in enumerate(text.split("\n")):
        for m in _FIELD.finditer(line):
            token = m.group(0)
            if token in ("{{", "}}"):
                continue
            if m.group(1) is None:
                raise TemplateError(path, first_line + offset, f"a lone {token!r}; write {token * 2} for a literal brace")
            name = m.group(1).strip()
            if name not in PLACEHOLDERS:
                known = ", ".join("{" + k + "}" for k in PLACEHOLDERS)
                raise TemplateError(path, first_line + offset, f"unknown placeholder {{{name}}}; known: {known}")


def _fill(text: str, fields: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return fields.get(m.group(1).strip(), "")

    return _FIELD.sub(sub, text)


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


def parse(text: str, name: str, source: str) -> Template:
    """A template from its text; :class:`TemplateError` names ``source`` and the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[tuple[int, str]] = [(i + 1, line) for i, line in enumerate(lines) if not line.lstrip().startswith("#")]
    subject = ""
    while kept and not kept[0][1].strip():
        kept.pop(0)
    if kept and kept[0][1].lower().startswith("subject:"):
        number, line = kept.pop(0)
        subject = line.split(":", 1)[1].strip()
        _check(subject, source, number)
    for number, line in kept:
        _check(line, source, number)
    body = "\n".join(line for _, line in kept)
    if not body.strip():
        raise TemplateError(source, 1, "the template has no body")
    return Template(name, source, subject, body)


def _builtin(name: str) -> Template | None:
    res = resources.files("irlmeet").joinpath("templates", f"{name}.txt")
    if not res.is_file():
        return None
    return parse(res.read_text(encoding="utf-8"), name, f"built-in:{name}.txt")


def find(names: list[str], user_dir: Path | None) -> tuple[Template, list[str]]:
    """The most specific template of ``names`` (most specific first), a user's file before the
    built-in one of the same name; a broken user file is reported in the returned problems
    and skipped."""
    problems: list[str] = []
    for name in names:
        if user_dir is not None:
            path = user_dir / f"{name}.txt"
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = None
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: cannot read the template ({exc}); the built-in one was used")
                text = None
            if text is not None:
                try:
                    return parse(text, name, str(path)), problems
                except TemplateError as exc:
                    problems.append(f"{exc}; the built-in template was used meanwhile")
        built = _builtin(name)
        if built is not None:
            return built, problems
    raise LookupError(f"no template among {names}")  # the bundled set always has the plain CHANNEL one
