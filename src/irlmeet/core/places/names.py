"""Place names as index keys: case and accent folding, punctuation, "Saint"/"St." spelled one way.

Both sides of every lookup go through :func:`normalize`: the names and alternate names when the
index is built, and whatever the user typed. :func:`alternate_key` decides which of GeoNames'
alternate names are worth a key at all.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["FOLD_TABLE", "WORD_ABBREVIATIONS", "alternate_key", "normalize"]

# Letters NFKD does not decompose into a base letter plus marks.
FOLD_TABLE = {
    "ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
    "ı": "i", "ħ": "h", "Ħ": "h",
}
_FOLD = str.maketrans(FOLD_TABLE)
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_DROP = re.compile(r"[.'’‘`´ʻʼ]")  # "D.C." -> "dc", "St. John's" -> "st johns"
_NON_WORD = re.compile(r"[\W_]+")
WORD_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_ABBREVIATED = re.compile(r"\b(?:saint|sainte|mount|fort)\b")


def normalize(text: str) -> str:
    """Fold accents and case, drop dots and apostrophes, turn other punctuation into spaces.

    ``"São Paulo"`` and ``"Sao Paulo"`` both become ``"sao paulo"``; ``"Washington, D.C."``
    becomes ``"washington dc"``; "Saint"/"St." and "Fort"/"Ft." compare equal. Letters of other
    scripts are kept (so such text is not mistaken for empty), they just match nothing.
    """
    if text.isascii():
        text = text.casefold()
        if text.replace(" ", "").isalnum():  # the common case, without regular expressions
            text = " ".join(text.split())
        else:
            text = _NON_WORD.sub(" ", _DROP.sub("", text)).strip()
    else:
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD)).casefold())
        text = _NON_WORD.sub(" ", _DROP.sub("", text)).strip()
    if _ABBREVIATED.search(text):
        text = _ABBREVIATED.sub(lambda m: WORD_ABBREVIATIONS[m.group()], text)
    return text


_DIGIT = re.compile(r"\d")


def alternate_key(name: str) -> str | None:
    """The index key for an alternate name, or None for names not worth indexing.

    Only Latin-script names people could type are kept, which keeps the index small. GeoNames'
    all-lowercase alternates are machine transliterations ("lndn", "nyw ywrq", "rondon") that only
    add false matches; names with digits are postcodes and district numbers. Cheap tests first:
    this runs over half a million names when the index is built.
    """
    if name.islower() or _DIGIT.search(name):
        return None
    first = name[0] if name else ""
    if first > "\u024f" and not ("\u1e00" <= first <= "\u1eff"):
        return None  # starts in a non-Latin script
    folded = normalize(name)
    if 1 < len(folded) <= 60 and folded.isascii():
        return folded
    return None

