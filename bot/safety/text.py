"""One plain form for what people type and for the lexicon's phrases, so both meet.

People in distress rarely type the dictionary form: « jveux mourrir », « su1c1de »,
« s u i c i d e », « $uicide », « ⚰️ bientôt », « J’ai » with a curly apostrophe, no accents.
`tokens` turns any of these into lower-case unaccented words, with repeated letters collapsed,
SMS forms written out (`data/spelling.yaml`), letters hidden behind digits and symbols read back,
spaced letters joined, and the death and harm emoji turned into words. Sentence ends are kept
as a `.` token and commas as a `,` token, so that a story (a film, a book) can be set aside
clause by clause; the matcher itself never sees them (`normalise`).

Letters masked by `*`, `#` or `_` (« s*icide ») stay in the word as `*`: only the lexicon's
own vocabulary can tell which word it was (`bot.safety.spelling`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

SPELLING_FILE = Path(__file__).with_name("data") / "spelling.yaml"
SENTENCE_END = "."  # the token a sentence end becomes
CLAUSE_END = ","  # the token a comma becomes
BOUNDARIES = frozenset({SENTENCE_END, CLAUSE_END})
MASK = "*"  # a masked letter inside a word

# Zero-width, bidi and other format characters: invisible, but they split words
# (« mou\u200brir ») and can be typed or pasted on purpose; variation selectors and skin tones
# too, so an emoji is one character.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U0001f3fb-\U0001f3ff]"
)
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters NFKD does not decompose, and every apostrophe-like mark folded to « ' ».
_FOLD = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ß": "ss",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u02b9": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u2032": "'",
        "\uff07": "'",
        "\u2026": ".",  # …
    }
)
# Digits and symbols that stand for letters inside a word (« su1c1de », « m0rt », « $uicide »).
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
_LEET_INNER = str.maketrans({"!": "i", "|": "i"})  # only between letters: else punctuation
_MASKS = "*#_"
# A run of letters, digits and the symbols above: the unit leetspeak and masks work on.
_RUN = re.compile(r"[a-z0-9@$€!|*#_]+")
_DIGITS_THEN_LETTERS = re.compile(r"(\d+)([a-z]+)")  # « 5min », « 10h », « 2eme »: a number
_LETTERS_THEN_DIGITS = re.compile(r"([a-z]+)(\d+)")  # « h24 », « covid19 »
# Four or more single letters or digits with one separator between each: « s u i c i d e »,
# « m.o.r.t », « s-u-i-c-i-d-e ».
_SPACED = re.compile(
    r"(?<![a-z0-9])[a-z0-9*](?:([ .\-_/·])[a-z0-9*])(?:\1[a-z0-9*]){2,}(?![a-z0-9])"
)
_SENTENCE = re.compile(r"[.!?;\n\r]+")
_CLAUSE = re.compile(r"[,:()\u2013\u2014]+|(?<= )- ")
_SEPARATORS = re.compile(r"[^a-z0-9*.,]+")
_REPEATS = re.compile(r"([a-z])\1+")
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")
# « c » alone: the elided « c' » before « est »/« était »/« en », else the SMS « c » (c'est).
_C_THEN_VERB = frozenset({"est", "etait", "etais", "en", "etre"})


@dataclass(frozen=True)
class Spelling:
    """The tables of `data/spelling.yaml`, ready to use."""

    sms: dict[str, tuple[str, ...]]
    doubled: re.Pattern[str] | None  # SMS keys with a doubled letter (« mm »): replaced first
    raw_sms: dict[str, str]
    emoji: dict[str, str]  # one emoji character → its word
    emoji_pattern: re.Pattern[str] | None


def _load_spelling(path: Path) -> Spelling:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raw = {str(k): str(v) for k, v in (data.get("sms") or {}).items()}
    collapsed = {
        key: tuple(_REPEATS.sub(r"\1", word) for word in value.split())
        for key, value in raw.items()
    }
    doubled_keys = sorted((k for k in raw if _REPEATS.search(k)), key=len, reverse=True)
    doubled = (
        re.compile("(?<![a-z0-9])(?:" + "|".join(doubled_keys) + ")(?![a-z0-9])")
        if doubled_keys
        else None
    )
    emoji: dict[str, str] = {}
    for word, characters in (data.get("emoji") or {}).items():
        for character in characters:
            emoji[_INVISIBLE.sub("", str(character))] = str(word)
    pattern = (
        re.compile("|".join(re.escape(e) for e in sorted(emoji, key=len, reverse=True)))
        if emoji
        else None
    )
    return Spelling(collapsed, doubled, raw, emoji, pattern)


@lru_cache(maxsize=1)
def spelling() -> Spelling:
    """The reviewed tables, read once per process."""
    return _load_spelling(SPELLING_FILE)


def fold(text: str) -> str:
    """Lower case, no accents, no invisible marks, one kind of apostrophe."""
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text.casefold().translate(_FOLD)


def _unleet(match: re.Match[str]) -> str:
    """One run of letters, digits and symbols → words (« su1c1de » → « suicide »)."""
    run = match.group(0)
    letters = sum(c.isalpha() for c in run)
    if letters == len(run):
        return run
    core = run.strip("!|#_")  # « mourir!!! », « #suicide »: punctuation, not letters
    end = " . " if run.endswith("!") else " "
    if (m := _DIGITS_THEN_LETTERS.fullmatch(core)) or (m := _LETTERS_THEN_DIGITS.fullmatch(core)):
        return f" {m.group(1)} {m.group(2)}{end}"
    if letters < 2 or core.isdigit():
        return " " + core.translate({ord(c): " " for c in "!|*#_@$€"}) + end
    inner = core[0] + core[1:-1].translate(_LEET_INNER) + core[-1] if len(core) > 2 else core
    word = inner.translate(_LEET)
    for mask in _MASKS:
        word = word.replace(mask, MASK)
    return (" " + word + end) if word.strip(MASK) else end


# English contractions, written out before apostrophes become spaces (French elisions come
# before a word, these after one): « I'm » → « i am », « don't » → « do not ».
_ENGLISH = (
    (re.compile(r"(?<![a-z])i'm(?![a-z])"), "i am"),
    (re.compile(r"(?<![a-z])(can|won)'t(?![a-z])"), r"\1 not"),
    (re.compile(r"(?<=[a-z])n't(?![a-z])"), " not"),
    (re.compile(r"(?<=[a-z])'(ll|re|ve|s)(?![a-z])"), r" '\1"),
)
_ENGLISH_WORDS = {"'ll": "will", "'re": "are", "'ve": "have", "'s": "is"}


def _english(text: str) -> str:
    if "'" not in text:
        return text
    for pattern, replacement in _ENGLISH:
        text = pattern.sub(replacement, text)
    return re.sub(r" ('ll|'re|'ve|'s)", lambda m: " " + _ENGLISH_WORDS[m.group(1)], text)


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[ .\-_/·]", "", match.group(0))


def _emoji_words(text: str, table: Spelling) -> str:
    if table.emoji_pattern is None or text.isascii():
        return text
    return table.emoji_pattern.sub(lambda m: f" {table.emoji[m.group(0)]} ", text)


def _expand(token: str, sms: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """One collapsed token → its normalised words (SMS table, glued « je »)."""
    hit = sms.get(token)
    if hit is not None:
        return hit
    # « jveux », « jsuis », « jme »: an elided « je » glued to a word that starts with a
    # consonant. No French word starts with j + consonant, so the rule is safe.
    if len(token) > 1 and token[0] == "j" and token[1] in _CONSONANTS:
        return ("je", *_expand(token[1:], sms))
    return (token,)


def tokens(text: str) -> list[str]:
    """The message as plain words, with `.` where a sentence ends (see the module's doc)."""
    table = spelling()
    text = _english(fold(_emoji_words(_INVISIBLE.sub("", text), table)))
    text = _SPACED.sub(_join_spaced, text)
    text = _RUN.sub(_unleet, text)
    text = _SENTENCE.sub(" . ", text)
    text = _CLAUSE.sub(" , ", text)
    text = _SEPARATORS.sub(" ", text)
    if table.doubled is not None:
        text = table.doubled.sub(lambda m: table.raw_sms[m.group(0)], text)
    words: list[str] = []
    for token in _REPEATS.sub(r"\1", text).split():
        if token in BOUNDARIES:
            if words and words[-1] == CLAUSE_END:
                words[-1] = token  # « , . » is one sentence end
            elif words and words[-1] != SENTENCE_END:
                words.append(token)
            continue
        words.extend(_expand(token, table.sms))
    if "c" in words:
        for index, word in enumerate(words):
            if word == "c":
                follows = words[index + 1] if index + 1 < len(words) else ""
                words[index] = "ce" if follows in _C_THEN_VERB else "ce est"
    while words and words[-1] in BOUNDARIES:
        words.pop()
    return " ".join(words).split()


def normalise(text: str) -> str:
    """The one form both messages and lexicon phrases are matched in: words and single spaces.

    Lower case; accents stripped (NFKD); typographic apostrophes folded; zero-width and bidi
    marks removed; every run of a repeated letter collapsed to one (« mourrir », « mourirrr » and
    « mourir » all give « mourir »); SMS forms and elisions written out (« jveux » → « je veux »,
    « chui » → « je suis », « j'ai » → « je ai »); leetspeak read back; punctuation becomes a
    space. Masked letters (« s*icide ») are dropped here (`tokens` keeps them).
    """
    return " ".join(
        word.replace(MASK, "") for word in tokens(text) if word not in BOUNDARIES and word != MASK
    )
