"""Characters a params file may not hold, because a reader cannot see what they do.

* invisible and direction-control characters (U+202E RIGHT-TO-LEFT OVERRIDE and kin,
  zero-width spaces and joiners, invisible fillers): in a browser they can make 142
  display as 241 and 2022 as 2202, or hide text; refused in every key and text value;
* a figure written with look-alike digits (full-width ２, Arabic-Indic ٢, superscript ²,
  mathematical 𝟐): Python would read some of them as digits silently; refused wherever a
  value consists of a number only.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterator, Optional

# Format characters (category Cf: bidi embeddings/overrides/isolates, zero-width space,
# joiners, word joiner, invisible operators, soft hyphen, tags), plus invisible letters
# and marks: combining grapheme joiner, Hangul fillers, Mongolian vowel separator.
_INVISIBLE_EXTRA = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u180e"}


def is_invisible(ch: str) -> bool:
    """True for characters that change or hide text without showing themselves."""
    return unicodedata.category(ch) == "Cf" or ch in _INVISIBLE_EXTRA


def char_name(ch: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()


def invisible(text: str) -> Optional[str]:
    """The first invisible or direction-control character of ``text``, if any."""
    return next((ch for ch in text if is_invisible(ch)), None)


def lookalike_digit(text: str) -> Optional[str]:
    """The first non-ASCII digit of ``text`` when ``text`` is a number and nothing else."""
    stripped = text.strip()
    if not stripped or not all(_is_digitlike(c) or c in " +-.,，．" for c in stripped):
        return None
    return next((c for c in stripped if _is_digitlike(c) and not ("0" <= c <= "9")), None)


def _is_digitlike(ch: str) -> bool:
    return ("0" <= ch <= "9") or unicodedata.numeric(ch, None) is not None and \
        unicodedata.category(ch) in ("Nd", "No")


def walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str, bool]]:
    """Every string of a parsed YAML document: (field path, text, is_key)."""
    if isinstance(data, str):
        yield path, data, False
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(key, str):
            yield path + (key,), key, True
        yield from walk(value, path + (key,))


def first_problem(data: Any) -> Optional[tuple[tuple, str, str]]:
    """(field path, character, kind) of the first refused character; kind is 'invisible' or 'digit'."""
    for path, text, is_key in walk(data):
        ch = invisible(text)
        if ch:
            return path, ch, "invisible"
        if not is_key:
            ch = lookalike_digit(text)
            if ch:
                return path, ch, "digit"
    return None
