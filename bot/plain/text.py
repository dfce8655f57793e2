"""Counting conventions of falc.md §3: what a sentence, a word and a long word are.

Readability scores and the sentence-length rule are only comparable if everybody counts the
same way, so the conventions are pinned here (and in ``tests/plain/test_text.py``):

- **Markup**: Telegram HTML tags (``<b>``…) are formatting, not words: they are removed and
  HTML entities are decoded (``&amp;`` → ``&``) before counting.
- **Sentence**: split on ``. ! ?`` followed by a space or the end, and on line breaks. These
  do not end a sentence: titles and abbreviations (M., Mme., Dr., p. ex., « etc. » unless a
  capital follows), decimals (3.5), times (14h30, 14.30), ellipses (« ... », « … »). A line
  without any word (a lone pictogram) is not a sentence; a one-word line (« Bonjour. ») is.
- **Word**: a whitespace-separated token containing a letter or a digit, or a
  ``{placeholder}``. Elided forms (« l'hôpital ») and hyphenated compounds (« rendez-vous »)
  are 1 word; a run of digit groups (« 14 000 », « 0 800 235 236 », « 01 23 45 67 89 ») is 1
  word; tokens without letters or digits (« : », « ? », « ! », « — », emoji) are not words.
- **Long word (LIX)**: more than 6 letters, digits and punctuation excluded. The elided
  clitic is **not** counted: « l'hôpital » has 7 letters, « s'arrête » 6. Reason: the
  syllable counter strips it too (falc.md §5 step 2), and « l'ami » is no harder than
  « ami ». A placeholder is never long (its value is unknown).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from bot.plain.syllables import ELISIONS

__all__ = [
    "PLACEHOLDER_RE",
    "TAG_RE",
    "letter_count",
    "long_words",
    "normalize_apostrophes",
    "sentences",
    "strip_markup",
    "words",
]

#: A Telegram-HTML tag: ``<b>``, ``</b>``, ``<a href="…">``, ``<tg-spoiler>``. « < 5 » is not one.
TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?/?>")
#: A python-brace-format field: ``{label}``, ``{n}``, ``{0}``.
PLACEHOLDER_RE = re.compile(r"\{[^{}\s]*\}")

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
_PROTECT = "\ue001"  # stands for a dot that does not end a sentence
# Abbreviations whose dot never ends a sentence (a name or an example follows).
_ABBREVIATIONS = re.compile(
    r"(?<![\w.])(?:M|MM|Mme|Mmes|Mlle|Mlles|Dr|Drs|Pr|Me|St|Ste|ex|Ex|cf|Cf|p|tél|Tél|env|av|bd)\.",
)
_ETC = re.compile(r"(?<![\w.])[Ee]tc\.(?!\s+[A-ZÀ-ÖØ-Þ])")
_ELLIPSIS = re.compile(r"\.{2,}")
_BOUNDARY = re.compile(r"[.!?]+(?:[ \u00a0\u202f]?[»”\"')\]])*(?=\s|$)")
_EDGE_LEFT = re.compile(r"^[^\w{/]+")
_EDGE_RIGHT = re.compile(r"[^\w}]+$")
_DIGITS = re.compile(r"\d+")


def normalize_apostrophes(text: str) -> str:
    """NFC and ASCII apostrophes, so that regexes see one form of « l'hôpital »."""
    return unicodedata.normalize("NFC", text).translate(_APOSTROPHES)


def strip_markup(text: str) -> str:
    """Remove HTML tags and decode entities: what the reader sees, without formatting."""
    return html.unescape(TAG_RE.sub("", text))


def _split_line(line: str) -> list[str]:
    protected = _ELLIPSIS.sub(lambda m: _PROTECT * len(m.group(0)), line)
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0)[:-1] + _PROTECT, protected)
    protected = _ETC.sub(lambda m: m.group(0)[:-1] + _PROTECT, protected)
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(protected):
        pieces.append(protected[start : match.end()])
        start = match.end()
    pieces.append(protected[start:])
    return [piece.replace(_PROTECT, ".").strip() for piece in pieces]


def sentences(text: str) -> list[str]:
    """Sentences of a message, markup removed, in order; pieces without words are dropped."""
    found: list[str] = []
    for line in strip_markup(text).splitlines():
        found.extend(piece for piece in _split_line(line) if words(piece))
    return found


def _clean(token: str) -> str:
    if PLACEHOLDER_RE.fullmatch(token):
        return token
    return _EDGE_RIGHT.sub("", _EDGE_LEFT.sub("", token))


def _is_word(token: str) -> bool:
    return bool(PLACEHOLDER_RE.search(token)) or any(char.isalnum() for char in token)


def words(sentence: str) -> list[str]:
    """Words of a sentence (or any text), edge punctuation removed; digit groups joined."""
    found: list[str] = []
    previous_raw = ""
    for raw in strip_markup(sentence).split():
        if not _is_word(raw):
            previous_raw = raw
            continue
        token = _clean(raw)
        if (
            found
            and token.isdigit()
            and 2 <= len(token) <= 3
            and previous_raw == found[-1].rsplit(" ", 1)[-1]
            and _DIGITS.fullmatch(previous_raw)
            and (len(found[-1]) <= 3 or " " in found[-1])
        ):
            found[-1] = f"{found[-1]} {token}"  # « 14 000 », « 0 800 235 236 »
        else:
            found.append(token)
        previous_raw = raw
    return found


def letter_count(word: str, *, count_elided: bool = False) -> int:
    """Letters of a word, hyphens and digits excluded; the elided clitic only if asked."""
    word = normalize_apostrophes(word)
    if not count_elided:
        pieces = word.split("'")
        while len(pieces) > 1 and pieces[0].lower() in ELISIONS:
            pieces = pieces[1:]
        word = "'".join(pieces)
    return sum(char.isalpha() for char in word)


def long_words(words_: Iterable[str], *, count_elided: bool = False) -> list[str]:
    """Words of more than 6 letters (LIX); placeholders are never long."""
    return [
        word
        for word in words_
        if not PLACEHOLDER_RE.search(word) and letter_count(word, count_elided=count_elided) > 6
    ]
