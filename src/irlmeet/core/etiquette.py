"""The etiquette check: what a reader would notice in an invitation, each warning explained.

:func:`check` reads any text (a generated draft, the user's own edit, a file given to
``irlmeet lint``) and returns :class:`EtiquetteWarning` objects. It never blocks anything: the
user decides. Every warning has a stable ``code`` (for ``--json`` and tests), a short ``title``
and an ``explain`` sentence saying why it matters and what to do, and, when it is about a phrase,
the span ``[start, end)`` of that phrase in the text as given.

The codes (stable; documented in the README's etiquette section):

=================  ==========================================================================
favour-ask         a job, referral, introduction or favour ask ("are you hiring", "refer me")
pick-your-brain    "pick your brain"
default-greeting   LinkedIn's stock "I'd like to add you to my professional network"
stacked-asks       more than one ask: several question or request sentences
no-easy-out        an invitation with none of the easy-out phrasings ("no worries if not")
over-cap           longer than the channel's cap (email body words, characters elsewhere)
nothing-personal   no greeting with a name AND no reference to anything shared (see below)
repeated-phrase    the same 4+ word phrase said twice
third-person       the reader spoken of as "she"/"his"/"Ada's" in a note to Ada
mixed-circles      a group post to professional and personal circles at once
shouting           a 4+ letter word in capitals that is no known acronym, or several "!"
=================  ==========================================================================

All phrase lists live in :data:`LEXICON` (regular expressions, matched case-insensitively
unless the entry is in :data:`CASED`), so they are read, reviewed and extended in one place.

Heuristics, documented because a user may wonder why a warning did or did not fire:

* *asks* are sentences ending in "?" (small-talk like "how are you?" and easy-out sentences
  do not count) plus request sentences without one ("let me know…", "please send…"). More than
  one is "stacked"; a question that only offers times for the meeting just proposed ("Would
  Tuesday at 14:30 or Wednesday at 9 am work?") is part of that ask, not another. A text *invites* when it has an ask or proposes meeting ("up for a coffee",
  "it would be great to meet"); only an invitation needs an easy out, and a group post never
  does (nobody is singled out).
* *personal* means: the first line greets someone by name ("Hi Ada,"), or the text refers to
  something the two share: how or where they met ("we met at PyCon", "since FOSDEM"), what the
  reader did or said ("you mentioned", "your talk"), or a time they share ("last summer",
  "since March"). Group posts are not checked.
* *third person* needs the reader's name: their name with "'s" or a verb after it ("Ada's
  talk", "Ada gave"), or he/she with a verb, or his/her before a noun. If the sentence is about
  someone else, the warning can be ignored: it says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CASED",
    "CHANNEL_CAPS",
    "CODES",
    "LEXICON",
    "EtiquetteWarning",
    "Measure",
    "check",
    "measure",
    "position",
]


@dataclass(frozen=True, slots=True)
class EtiquetteWarning:
    code: str
    title: str
    explain: str
    start: int | None = None  # the phrase found, as offsets into the checked text
    end: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "title": self.title, "explain": self.explain, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Measure:
    """How long a text is in its channel's unit, against the cap (``87 / 125 words``)."""

    count: int
    cap: int
    unit: str  # "words" or "characters"

    @property
    def over(self) -> bool:
        return self.count > self.cap

    def label(self) -> str:
        return f"{self.count} / {self.cap} {self.unit}"


#: Each channel's cap and its unit. Email: Boomerang's 40M-email study found bodies of 50-125
#: words got the most replies. LinkedIn connection note: 200 characters on a free account (300
#: with Premium: pass ``cap=300``). DM: short enough to read on a phone without scrolling. SMS:
#: two 160-character segments. Group post: 280 characters, the shortest common post limit.
CHANNEL_CAPS: dict[str, tuple[int, str]] = {
    "email": (125, "words"),
    "linkedin-note": (200, "characters"),
    "dm": (100, "words"),
    "sms": (320, "characters"),
    "post": (280, "characters"),
}

#: Other spellings of the channels (today's ``Channel`` enum says "linkedin").
_CHANNEL_ALIASES = {"linkedin": "linkedin-note", "note": "linkedin-note", "message": "dm", "text": "sms"}

#: code -> (title, explain). The explain sentences say why it matters and what to do.
CODES: dict[str, tuple[str, str]] = {
    "favour-ask": (
        "asks for a job, referral or favour",
        ("A first meeting with an ask attached reads as a transaction and often goes unanswered; "
        "keep this note to meeting, and bring anything else up once you have met."),
    ),
    "pick-your-brain": (
        '"pick your brain"',
        ("It tells the reader they'll be working for free; say what you'd like to hear about, "
        "or just suggest catching up."),
    ),
    "default-greeting": (
        "LinkedIn's default greeting",
        "The stock line says you didn't write this note; replace it with a sentence about how you know each other.",
    ),
    "stacked-asks": (
        "several asks at once",
        "More than one question or request makes the reader work to answer; keep one small proposal.",
    ),
    "no-easy-out": (
        "no easy out",
        "Make saying no painless (\"no worries if the week is packed\"); people answer more readily when they can decline.",
    ),
    "over-cap": (
        "longer than the channel allows",
        "",  # filled in with the numbers
    ),
    "nothing-personal": (
        "nothing personal",
        ("This could be sent to anyone: greet the reader by name and mention something you share "
        "(where you met, what they told you, the last time you saw each other)."),
    ),
    "repeated-phrase": (
        "a phrase said twice",
        "Saying the same thing twice reads like a form letter; keep one and cut the other.",
    ),
    "third-person": (
        "the reader in the third person",
        "This note is to them: say \"you\" and \"your\" instead (ignore this if the sentence is about someone else).",
    ),
    "mixed-circles": (
        "mixes professional and personal circles",
        "A post that invites colleagues and friends at once suits neither; post to one circle, or write to the others separately.",
    ),
    "shouting": (
        "shouting",
        "Capitals and stacked exclamation marks read as shouting or pressure; one \"!\" at most, and no words in capitals.",
    ),
}

#: Every phrase list the check uses: name -> regular expressions (matched case-insensitively,
#: at word boundaries where the pattern says so; curly apostrophes are read as straight ones).
LEXICON: dict[str, tuple[str, ...]] = {
    # A job, referral, introduction or favour ask.
    "favour_ask": (
        r"\b(?:are|is) (?:you|your (?:team|company|group)|y'all|you guys|you folks) (?:still |currently )?hiring\b",
        r"\bany (?:open )?(?:roles|positions|openings|vacancies)\b",
        r"\b(?:open|available) (?:roles|positions|vacancies)\b",
        r"\brefer(?:ring)? me\b",
        r"\b(?:a|any|the|your) referral\b",
        r"\b(?:could|can|would|will) you (?:please |kindly |maybe )?(?:introduce|intro|connect) me\b",
        r"\bintroduce me to\b",
        r"\bput in a (?:good )?word\b",
        r"\b(?:do|grant) me a (?:small |quick |big |little |huge )?fav(?:ou|o)r\b",
        r"\b(?:ask|asking) (?:you )?(?:for )?a (?:small |quick |big |little |huge )?fav(?:ou|o)r\b",
        r"\blooking for (?:a )?(?:job|new (?:job|role|position)|work|opportunities)\b",
        r"\b(?:look at|review|forward|pass on|share) my (?:cv|resume|résumé)\b",
        r"\b(?:invest in|investing in) (?:my|our)\b",
    ),
    "pick_brain": (r"\bpick (?:at )?your brains?\b", r"\bbrain ?storm(?:ing)? with you\b", r"\bborrow your brain\b"),
    "default_greeting": (
        r"\bI'?d like to (?:add you to|join) my professional network\b",
        r"\bI'?d like to join your (?:linkedin |professional )?network\b",
        r"\bI want to add you to my professional network\b",
        r"\badd you to my professional network\b",
    ),
    # Phrasings that make declining easy. One is enough.
    "easy_out": (
        r"\bno worries\b",
        r"\bno pressure\b",
        r"\bno problem if\b",
        r"\bno stress\b",
        r"\b(?:totally|completely|perfectly|absolutely)? ?(?:fine|ok|okay|good|understandable) if (?:not|you can't|it doesn't|you're)\b",
        r"\bif not,? (?:no (?:problem|worries)|that's (?:fine|ok|okay|totally fine))\b",
        r"\bif (?:you're|you are) (?:busy|swamped|slammed|not around|away)\b",
        r"\bif (?:it's|the week is|your week is) (?:a busy|busy|packed|full|hectic)\b",
        r"\bif (?:that|it|this|the time) (?:doesn't|does not|won't|wouldn't) (?:work|suit)\b",
        r"\b(?:just )?say no\b",
        r"\bno (?:explanation|need to reply|need to explain|obligation)\b",
        r"\b(?:another|other) (?:time|trips?|day|week)\b",
        r"\bhappy to (?:move|find another|change|shift|reschedule)\b",
        r"\b(?:i'd|i would|i'll|i will|i) (?:totally |completely )?understand if\b",
        r"\bfeel free to (?:say no|skip|ignore|decline|pass)\b",
        r"\bif (?:now|this week|this time) (?:isn't|is not|doesn't)\b",
        r"\bnext time\b",
        r"\beither way\b",
    ),
    # Request sentences that need no "?" to be an ask.
    "ask": (
        r"\blet me know\b",
        r"\bplease (?:let|send|tell|share|reply|confirm|get back|introduce|call|check|look)\b",
        r"\bi (?:was|am) wondering (?:if|whether)\b",
        r"\b(?:could|would|can|will) you (?:please |kindly )?(?:send|share|tell|introduce|help|check|look|reply|confirm)\b",
        r"\bi(?:'d| would) appreciate (?:it )?if you\b",
    ),
    # Questions that are small talk, not asks.
    "pleasantry": (
        r"\bhow (?:are|have) you(?: been| doing)?\??",
        r"\bhow(?:'s| is) (?:it going|life|everything|things)\b",
        r"\bhope (?:you're|you are|all is|things are) (?:well|good)\b",
    ),
    # Offering times for the meeting just proposed ("Would Tuesday 8 December at 14:30 or
    # Wednesday at 9 am work?"): choosing a time is part of that one ask, not another.
    "time_choice": (
        r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b.*\b(?:work|suit|fit|be (?:good|better|easier|ok|okay))\b",
        r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm)?\b.*\b(?:work|suit|fit|be (?:good|better|easier|ok|okay))\b",
        r"\b(?:which|what) (?:day|time|one)\b",
    ),
    # Proposing to meet, without a question mark.
    "invite": (
        r"\b(?:up for|fancy|free for|time for)\b",
        r"\b(?:would|'d) be (?:great|good|lovely|nice|fun) to (?:meet|see you|catch up|get together|have)\b",
        r"\b(?:would|'d) love to (?:meet|see you|catch up|get together|grab)\b",
        r"\blet's (?:meet|grab|get|have|catch up)\b",
        r"\b(?:meet|meeting) (?:for|up)\b",
        r"\bjoin (?:me|us)\b",
    ),
    # Greeting lines: a greeting word followed by a name (matched case-sensitively on the name).
    "greeting": (r"^\s*(?:hi|hello|hey|hiya|dear|morning|good (?:morning|afternoon|evening)|greetings)\b[\s,]*",),
    # Something the two people share: where/how they met, what the reader said or did, a time.
    "shared": (
        r"\bwe (?:met|talked|spoke|chatted|worked|studied|shared|were|saw each other|last saw|first met|both)\b",
        r"\b(?:you|you've) (?:mentioned|said|told me|wrote|posted|shared|gave|showed|recommended|introduced|were working|are working)\b",
        r"\byour (?:talk|post|article|book|paper|project|team|startup|band|newsletter|work on|new|thread|podcast|keynote|workshop|move|kids?|family)\b",
        r"\b(?:last|that) (?:time|year|month|week|summer|winter|spring|autumn|fall|conference|meetup|trip|evening|dinner)\b",
        r"\bremember\b",
        r"\bsince we\b",
        r"\b(?:haven't|have not|never) (?:seen|met)\b",
        r"\bin touch since\b",
        r"\bthrough (?:our|your|a mutual)\b",
    ),
    # Same, with a capitalised name after it (an event, a place, a person): case-sensitive.
    "shared_cased": (
        r"\b(?:[Ss]ince|[Aa]t|[Ff]rom|[Tt]hrough|[Vv]ia|[Aa]fter) (?:the )?(?:[A-Z][\w'-]*[A-Za-z0-9])",
        r"\b(?:[Ss]ince|[Ii]n) (?:January|February|March|April|May|June|July|August|September|October|November|December)\b",
    ),
    # Speaking of the reader in the third person (the reader's name is added at check time).
    "third_person": (
        r"\b(?:she|he)(?:'s| is| was| has| had| gave| said| told| works| worked| wrote| will| would| and I| mentioned| did)\b",
        r"\b(?:his|her) (?:talk|post|article|book|paper|project|team|startup|company|band|keynote|work|new|own|kids?|family|partner|wife|husband)\b",
    ),
    "third_person_name": (
        r"{name}(?:'s)\b",
        r"{name} (?:is|was|has|had|gave|said|told|works|worked|wrote|will|would|mentioned|did|and I)\b",
    ),
    # Words in capitals that are not shouting (4+ letters; shorter ones are never flagged).
    "acronyms": (
        "ASAP", "APAC", "EMEA", "NASA", "NATO", "UNESCO", "UNICEF", "FOSDEM", "SXSW", "OSCON", "GUADEC",
        "HTML", "HTTP", "HTTPS", "JSON", "YAML", "TOML", "REST", "GDPR", "IEEE", "ICANN", "NASDAQ",
        "CEST", "AEST", "AEDT", "EEST", "BRST", "NZST", "NZDT", "WEST", "MESZ", "OKRS", "KPIS", "SDKS",
        "APIS", "LGTM", "ACLU", "NYSE", "NHS", "UCLA", "MOMA", "ETH", "EPFL", "INSEAD", "CERN",
        "IKEA", "LEGO", "FIFA", "UEFA", "NBA", "NFL", "BBQ", "DIY", "RSVP", "TODO", "FYI", "IIRC", "AFAIK",
    ),
}

#: Lexicon entries matched case-sensitively.
CASED = frozenset({"shared_cased"})

_FLAGS = {name: 0 if name in CASED else re.IGNORECASE for name in LEXICON}
_RX = {
    name: [re.compile(p, _FLAGS[name]) for p in patterns]
    for name, patterns in LEXICON.items()
    if name not in ("acronyms", "third_person_name")
}
_ACRONYMS = frozenset(LEXICON["acronyms"])

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’-]*[A-Z]\b")
_SUBJECT = re.compile(r"\A[ \t]*Subject:[^\n]*(?:\n|\Z)", re.IGNORECASE)
_PROFESSIONAL, _PERSONAL = "professional", "personal"


def channel_name(channel: str) -> str:
    """``linkedin`` -> ``linkedin-note``; an unknown channel is refused with a ValueError."""
    name = str(getattr(channel, "value", channel)).strip().lower()
    name = _CHANNEL_ALIASES.get(name, name)
    if name not in CHANNEL_CAPS:
        raise ValueError(f"unknown channel {channel!r}; one of: {', '.join(CHANNEL_CAPS)}")
    return name


def _body_start(text: str, channel: str) -> int:
    """Where the body starts: after a leading ``Subject:`` line in an email."""
    if channel != "email":
        return 0
    m = _SUBJECT.match(text)
    return m.end() if m else 0


def measure(text: str, *, channel: str = "email", cap: int | None = None) -> Measure:
    """The text's length in its channel's unit (an email's body words; characters elsewhere)."""
    name = channel_name(channel)
    default_cap, unit = CHANNEL_CAPS[name]
    body = text[_body_start(text, name) :]
    count = len(_WORD.findall(body)) if unit == "words" else len(body.strip())
    return Measure(count, cap if cap is not None else default_cap, unit)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _warn(code: str, start: int | None = None, end: int | None = None, explain: str | None = None) -> EtiquetteWarning:
    title, default = CODES[code]
    return EtiquetteWarning(code, title, explain or default, start, end)


def _first(name: str, text: str) -> re.Match[str] | None:
    hits = [m for rx in _RX[name] if (m := rx.search(text))]
    return min(hits, key=lambda m: m.start()) if hits else None


def _any(name: str, text: str) -> bool:
    return any(rx.search(text) for rx in _RX[name])


def _sentences(text: str, offset: int) -> list[tuple[int, int, str]]:
    out = []
    for m in _SENTENCE.finditer(text, offset):
        s = m.group()
        if s.strip():
            lead = len(s) - len(s.lstrip())
            out.append((m.start() + lead, m.end(), s.strip()))
    return out


def check(
    text: str,
    *,
    channel: str = "email",
    cap: int | None = None,
    subject: str = "",
    circles: Iterable[str] = (),
    reader_name: str = "",
) -> list[EtiquetteWarning]:
    """Every etiquette problem in ``text`` written for ``channel``, in the order of the codes
    table above. ``cap`` replaces the channel's default cap (e.g. 300 for a Premium LinkedIn
    note). An email may start with a ``Subject:`` line (as copied drafts do) or pass ``subject``.
    ``circles`` are the circles a group post goes to; ``reader_name`` enables the third-person check.
    Spans index ``text`` as given."""
    name = channel_name(channel)
    # Read curly apostrophes as straight ones (same length, so spans stay right).
    flat = text.replace("’", "'").replace("‘", "'")
    body_at = _body_start(flat, name)
    body = flat[body_at:]
    found: list[EtiquetteWarning] = []

    def phrase(code: str, lexicon: str) -> None:
        m = _first(lexicon, flat)
        if m:
            found.append(_warn(code, m.start(), m.end()))

    phrase("favour-ask", "favour_ask")
    phrase("pick-your-brain", "pick_brain")
    phrase("default-greeting", "default_greeting")

    sentences = _sentences(flat, body_at)
    asks = []
    for start, end, s in sentences:
        if _any("easy_out", s):
            continue
        question = s.endswith("?") and not _any("pleasantry", s)
        if question or _any("ask", s):
            if asks and _any("time_choice", s):
                continue  # the times for the meeting just proposed: the same ask, made easy to answer
            asks.append((start, end))
    if len(asks) > 1:
        found.append(_warn("stacked-asks", *asks[1]))
    invites = bool(asks) or _any("invite", body)
    if invites and name != "post" and not _any("easy_out", body):
        found.append(_warn("no-easy-out"))

    size = measure(text, channel=name, cap=cap)
    if size.over:
        start = None
        if size.unit == "characters":
            lead = len(body) - len(body.lstrip())
            start = body_at + lead + size.cap
        explain = f"{size.label()}: {_CAP_ADVICE[name]}"
        found.append(_warn("over-cap", start, len(text) if start is not None else None, explain))

    if name != "post" and not _personal(flat, body_at, reader_name):
        found.append(_warn("nothing-personal"))

    found.extend(_repeats(flat, body_at))

    if reader_name.strip() and name != "post":
        m = _third_person(body, reader_name)
        if m:
            found.append(_warn("third-person", body_at + m[0], body_at + m[1]))

    circle_set = {str(getattr(c, "value", c)).lower() for c in circles}
    if _PROFESSIONAL in circle_set and _PERSONAL in circle_set:
        found.append(_warn("mixed-circles"))

    shout = _shouting(flat)
    if shout:
        found.append(_warn("shouting", *shout))
    if subject:  # a subject given apart from the text: its problems have no span in the text
        have = {w.code for w in found}
        subject_flat = subject.replace("’", "'")
        for code, lexicon in (("favour-ask", "favour_ask"), ("pick-your-brain", "pick_brain")):
            if code not in have and _first(lexicon, subject_flat):
                found.append(_warn(code))
        if "shouting" not in have and _shouting(subject_flat):
            found.append(_warn("shouting"))
    return found


_CAP_ADVICE = {
    "email": "bodies of 50-125 words get the most replies; cut to one reason and one proposal.",
    "linkedin-note": "LinkedIn cuts a connection note at 200 characters on a free account (300 with Premium); shorten it.",
    "dm": "a direct message is read on a phone; keep it to a few lines.",
    "sms": "over two SMS segments it arrives in pieces; shorten it.",
    "post": "posts over 280 characters are cut or folded on most networks; shorten it.",
}


def _personal(text: str, body_at: int, reader_name: str) -> bool:
    """A greeting with a name on the first line, or a reference to something shared."""
    body = text[body_at:]
    first = next((ln for ln in body.splitlines() if ln.strip()), "")
    for rx in _RX["greeting"]:
        m = rx.match(first)
        if m:
            rest = first[m.end() :]
            names = [w for w in reader_name.split() if w] if reader_name.strip() else []
            if names and any(rest.casefold().startswith(n.casefold()) for n in names):
                return True
            if not names and re.match(r"[^\W\d_][\w'-]*", rest) and rest[:1].isupper():
                return True
    return _any("shared", body) or _any("shared_cased", body)


#: Words a list of dates and times is made of: a phrase of only these is not "said twice".
_CALENDAR_WORD = re.compile(
    r"\d+|at|on|or|and|am|pm|noon|midnight|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)


def _repeats(text: str, body_at: int) -> list[EtiquetteWarning]:
    words = [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text, body_at)]
    n = 4
    seen: dict[tuple[str, ...], int] = {}
    out: list[EtiquetteWarning] = []
    i = 0
    while i + n <= len(words):
        gram = tuple(w for _, _, w in words[i : i + n])
        if all(_CALENDAR_WORD.fullmatch(w) for w in gram):
            i += 1  # dates and times in a list of options repeat by nature ("9 December at 09:30")
            continue
        j = seen.get(gram)
        if j is not None and j + n <= i:
            k = n
            while i + k < len(words) and j + k < i and words[i + k][2] == words[j + k][2]:
                k += 1
            out.append(_warn("repeated-phrase", words[i][0], words[i + k - 1][1]))
            i += k
            continue
        seen.setdefault(gram, i)
        i += 1
    return out


def _third_person(body: str, reader_name: str) -> tuple[int, int] | None:
    lines = body.splitlines(keepends=True)
    # Skip the greeting line ("Hi Ada,") and the body is searched from there on.
    skip = 0
    if lines and any(rx.match(lines[0]) for rx in _RX["greeting"]):
        skip = len(lines[0])
    rest = body[skip:]
    hits: list[tuple[int, int]] = []
    for rx in _RX["third_person"]:
        m = rx.search(rest)
        if m:
            hits.append((m.start(), m.end()))
    names = {w for w in reader_name.split() if len(w) > 1}
    for who in names:
        for pattern in LEXICON["third_person_name"]:
            rx = re.compile(r"\b" + pattern.format(name=re.escape(who)))
            m = rx.search(rest)
            if m:
                hits.append((m.start(), m.end()))
    if not hits:
        return None
    start, end = min(hits)
    return skip + start, skip + end


def _shouting(text: str) -> tuple[int, int] | None:
    for m in _CAPS_WORD.finditer(text):
        word = m.group()
        letters = sum(ch.isalpha() for ch in word)
        if letters >= 4 and word.replace("'", "").replace("-", "") not in _ACRONYMS:
            return m.start(), m.end()
    m = re.search(r"!{2,}", text)
    if m:
        return m.start(), m.end()
    bangs = [m.start() for m in re.finditer("!", text)]
    if len(bangs) > 1:
        return bangs[1], bangs[1] + 1
    return None
