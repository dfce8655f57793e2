"""Crisis safety net: a reviewed French keyword lexicon matched over normalised text.

Every free text goes through `detect` before anything else (DESIGN §9). The detector is a
keyword net on purpose (safety-and-privacy §3): high recall, false alarms accepted, negation
never switches a match off, and the word list is data (`safety_lexicon.yaml`) that a clinician
and a peer worker review. It answers only *whether* the net fired and *which* categories, never
the matched words, so nothing downstream can copy crisis text into logs, digests or routing.

Matching works on `normalise(text)`: lower case, no accents, no repeated letters, common SMS
forms expanded, elisions written out (« j'ai » → « je ai »). Lexicon phrases go through the same
function, so a reviewer writes ordinary French and both sides meet in the same form.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

DEFAULT_LEXICON = Path(__file__).with_name("safety_lexicon.yaml")

# The categories the bot knows how to answer (each has its own resources); the file must
# define exactly these, so a typo in a category name cannot silently drop a list of phrases.
CATEGORIES: tuple[str, ...] = (
    "suicide",
    "violence_received",
    "child_at_risk",
    "third_party",
    "staff_abuse",
)

# --- normalisation -----------------------------------------------------------------------

# Zero-width, bidi and other format characters: invisible, but they split words
# (« mou\u200brir ») and can be typed or pasted on purpose. Same set as Unicode category Cf
# for the ranges that occur in practice.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb]"
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
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u02b9": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u2032": "'",
        "\uff07": "'",
    }
)
# After folding, anything that is not a plain letter or digit separates words (apostrophes
# too: elided words are then written out by the token table below).
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"([a-z])\1+")

# Token → replacement, looked up after repeated letters are collapsed (« chuiii » → « chui »),
# except keys with a doubled letter (« mm », « tt »), replaced first. Replacements are plain
# words; they are collapsed too.
# Single letters are elisions whose apostrophe became a space (« j'ai » → « j ai » → « je ai »).
_TOKENS: dict[str, str] = {
    # elisions
    "j": "je",
    "m": "me",
    "t": "te",
    "s": "se",
    "l": "le",
    "d": "de",
    "n": "ne",
    "qu": "que",
    "jusqu": "jusque",
    "lorsqu": "lorsque",
    "puisqu": "puisque",
    "quoiqu": "quoique",
    "presqu": "presque",
    "quelqu": "quelque",
    "aujourd": "aujourd",
    "aujourdhui": "aujourd hui",
    "auj": "aujourd hui",
    "ajd": "aujourd hui",
    "aujd": "aujourd hui",
    # elisions written without apostrophe (explicit: « jamais » must stay « jamais »)
    "jai": "je ai",
    "g": "je ai",
    "jen": "je en",
    "jy": "je y",
    "javais": "je avais",
    "jaurais": "je aurais",
    "jetais": "je etais",
    "jarrive": "je arrive",
    "jarrete": "je arrete",
    "jaimerais": "je aimerais",
    "jaime": "je aime",
    "jhesite": "je hesite",
    "jessaie": "je essaie",
    "jirai": "je irai",
    "jallais": "je allais",
    "jattends": "je attends",
    "men": "me en",
    "cest": "ce est",
    "cetait": "ce etait",
    "ct": "ce etait",
    "lair": "le air",
    "dadieu": "de adieu",
    "dadieux": "de adieux",
    "dla": "de la",
    "qqn": "quelque un",
    "qqun": "quelque un",
    "quelquun": "quelque un",
    "qq": "quelque",
    "qqch": "quelque chose",
    "qqchose": "quelque chose",
    "ya": "il y a",
    # SMS spellings
    "chui": "je suis",
    "chuis": "je suis",
    "jsui": "je suis",
    "jss": "je suis",
    "sui": "suis",
    "jsp": "je sais pas",
    "jpp": "je en peux plus",
    "envi": "envie",
    "anvie": "envie",
    "anvi": "envie",
    "ptet": "peut etre",
    "ptete": "peut etre",
    "ptetre": "peut etre",
    "mm": "meme",
    "mem": "meme",
    "tlm": "tout le monde",
    "tt": "tout",
    "tte": "toute",
    "ttes": "toutes",
    "tts": "tous",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pkoi": "pourquoi",
    "pourkoi": "pourquoi",
    "koi": "quoi",
    "ke": "que",
    "ki": "qui",
    "kan": "quand",
    "qd": "quand",
    "pr": "pour",
    "ds": "dans",
    "ac": "avec",
    "avc": "avec",
    "ns": "nous",
    "vs": "vous",
    "vx": "veux",
    "veu": "veux",
    "veus": "veux",
    "pe": "peux",
    "pa": "pas",
    "po": "pas",
    "plu": "plus",
    "pu": "plus",
    "tro": "trop",
    "ve": "vais",
    "jamai": "jamais",
    "tjr": "toujours",
    "tjrs": "toujours",
    "tjs": "toujours",
    "bcp": "beaucoup",
    "mwa": "moi",
    "moa": "moi",
    "twa": "toi",
    "sa": "ca",
    "fo": "faut",
    "mtn": "maintenant",
    "mnt": "maintenant",
    "maint": "maintenant",
    "mourire": "mourir",
    "mouri": "mourir",
    "mourri": "mourir",
    "suicde": "suicide",
}
_TOKENS_COLLAPSED: dict[str, tuple[str, ...]] = {
    key: tuple(_REPEATS.sub(r"\1", word) for word in value.split())
    for key, value in _TOKENS.items()
}
# « c » alone: the elided « c' » before « est »/« était »/« en », else the SMS « c » (= c'est).
_C_THEN_VERB = frozenset({"est", "etait", "etais", "en", "etre"})

# Words dropped for the second, negation-free view: « je ne veux pas mourir » is also read as
# « je veux mourir ». « plus » and « jamais » stay: « plus envie de vivre » needs them.
_NEGATIONS = re.compile(r" (?:ne|pas|point|guere|nullement|aucunement)(?= )")


# SMS keys that themselves contain a doubled letter (« mm », « tt », « jpp ») are replaced
# before repeated letters are collapsed, or « mm » would become the elided « m ».
_DOUBLED_KEYS = re.compile(
    "(?<![a-z0-9])(?:"
    + "|".join(sorted((k for k in _TOKENS if _REPEATS.search(k)), key=len, reverse=True))
    + ")(?![a-z0-9])"
)
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def _expand(token: str) -> tuple[str, ...]:
    """One collapsed token → its normalised words (SMS table, glued « je »)."""
    hit = _TOKENS_COLLAPSED.get(token)
    if hit is not None:
        return hit
    # « jveux », « jsuis », « jme »: an elided « je » glued to a word that starts with a
    # consonant. No French word starts with j + consonant, so the rule is safe.
    if len(token) > 1 and token[0] == "j" and token[1] in _CONSONANTS:
        return ("je", *_expand(token[1:]))
    return (token,)


def _fold(text: str) -> str:
    """Lower case, no accents, no invisible marks, one kind of apostrophe."""
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text.casefold().translate(_FOLD)


def normalise(text: str) -> str:
    """The one form both messages and lexicon phrases are matched in.

    Lower case; accents stripped (NFKD); typographic apostrophes folded; zero-width and bidi
    marks removed; every run of a repeated letter collapsed to one (« mourrir », « mourirrr » and
    « mourir » all give « mourir » — doubled letters are dropped everywhere, on both sides, so
    spelling mistakes on double letters cannot cause a miss); SMS forms and elisions written
    out (« jveux » → « je veux », « chui » → « je suis », « j'ai » → « je ai »); punctuation
    becomes a space; words are separated by exactly one space.
    """
    text = _SEPARATORS.sub(" ", _fold(text))
    text = _DOUBLED_KEYS.sub(lambda m: _TOKENS[m.group(0)], text)
    words: list[str] = []
    for token in _REPEATS.sub(r"\1", text).split():
        words.extend(_expand(token))
    if "c" in words:
        for index, word in enumerate(words):
            if word == "c":
                follows = words[index + 1] if index + 1 < len(words) else ""
                words[index] = "ce" if follows in _C_THEN_VERB else "ce est"
    return " ".join(words)


# --- lexicon phrases → regular expressions -----------------------------------------------
#
# Every element compiles to a regex that matches its words *each followed by one space*; the
# text is searched as " word word … word " (padded), each phrase starting at the space before
# a word. Elements then simply concatenate, an empty alternative makes a group optional, and
# word boundaries come for free on both sides.

_WORD = "[a-z0-9]+ "
_SYNTAX = re.compile(r"\s+|[()|]|\{(\d+),(\d+)\}|<([a-z_]+)>|[^\s()|{}<>]+|.")
_STEM = re.compile(r"[a-z0-9]+")
_MAX_GAP = 12


class LexiconError(ValueError):
    """The lexicon file cannot be used; the message says where and why."""


class _Rx(NamedTuple):
    """A compiled piece: its regex, the letters a match can start with, and if it may be empty.

    `first` lets `_alternation` put each phrase in a bucket per first letter: Python's `re`
    tries every alternative at every word, so dispatching on the first letter saves work
    without changing what matches.
    """

    regex: str
    first: frozenset[str]
    nullable: bool


_ANY_FIRST = frozenset(string.ascii_lowercase + string.digits)


def _concat(parts: list[_Rx]) -> _Rx:
    first: set[str] = set()
    for part in parts:
        first |= part.first
        if not part.nullable:
            return _Rx("".join(p.regex for p in parts), frozenset(first), False)
    return _Rx("".join(p.regex for p in parts), frozenset(first), True)


def _union(alternatives: Iterable[_Rx]) -> _Rx:
    """Alternatives as one non-capturing group, longest first (an empty one comes last)."""
    unique = {alt.regex: alt for alt in alternatives}
    ordered = sorted(unique, key=lambda r: (-len(r), r))
    return _Rx(
        "(?:" + "|".join(ordered) + ")",
        frozenset().union(*(alt.first for alt in unique.values())),
        any(alt.nullable for alt in unique.values()),
    )


def _literal(words: Iterable[str]) -> _Rx:
    words = list(words)
    return _Rx("".join(re.escape(w) + " " for w in words), frozenset(words[0][0]), False)


class _Parser:
    """Recursive descent over one phrase: sequence := item* ; group := ( seq | seq … )."""

    def __init__(self, phrase: str, sets: Mapping[str, _Rx], where: str) -> None:
        self.where = where
        self.sets = sets
        self.tokens: list[tuple[str, re.Match[str]]] = []
        for match in _SYNTAX.finditer(phrase):
            text = match.group(0)
            if text.isspace():
                continue
            if text in ("(", ")", "|"):
                kind = text
            elif match.group(1) is not None:
                kind = "gap"
            elif match.group(3) is not None:
                kind = "set"
            elif set(text) & set("{}<>"):
                raise LexiconError(f"{where}: unexpected {text!r}")
            else:
                kind = "word"
            self.tokens.append((kind, match))
        self.position = 0

    def error(self, message: str) -> LexiconError:
        return LexiconError(f"{self.where}: {message}")

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def parse(self) -> _Rx:
        compiled = self.sequence()
        if self.peek() is not None:
            raise self.error(f"unexpected {self.tokens[self.position][1].group(0)!r}")
        if compiled.nullable:
            raise self.error("the phrase can match nothing at all")
        return compiled

    def sequence(self) -> _Rx:
        parts: list[_Rx] = []
        literal: list[str] = []  # plain words are normalised together (« c est », « j ai »)

        def flush() -> None:
            if literal:
                words = normalise(" ".join(literal)).split()
                if not words:
                    raise self.error(f"{' '.join(literal)!r} normalises to nothing")
                parts.append(_literal(words))
                literal.clear()

        while (kind := self.peek()) not in (None, ")", "|"):
            match = self.tokens[self.position][1]
            self.position += 1
            text = match.group(0)
            if kind == "word" and "*" in text[:-1]:
                raise self.error(f"{text!r}: a stem has one * and only at the end")
            if kind == "word" and not text.endswith("*"):
                literal.append(text)
                continue
            flush()
            if kind == "word":
                parts.append(self.stem(text))
            elif kind == "gap":
                low, high = int(match.group(1)), int(match.group(2))
                if low > high or high > _MAX_GAP:
                    raise self.error(f"gap {text} must have n ≤ m ≤ {_MAX_GAP}")
                parts.append(_Rx(f"(?:{_WORD}){{{low},{high}}}", _ANY_FIRST, low == 0))
            elif kind == "set":
                name = match.group(3)
                if name not in self.sets:
                    raise self.error(f"unknown set <{name}> (a set can only use those above it)")
                parts.append(self.sets[name])
            elif kind == "(":
                parts.append(self.group())
            else:
                raise self.error(f"unexpected {text!r}")
        flush()
        return _concat(parts) if parts else _Rx("", frozenset(), True)

    def group(self) -> _Rx:
        alternatives = [self.sequence()]
        while self.peek() == "|":
            self.position += 1
            alternatives.append(self.sequence())
        if self.peek() != ")":
            raise self.error("a group ( … ) is not closed")
        self.position += 1
        return _union(alternatives)

    def stem(self, word: str) -> _Rx:
        """`frapp*` → any word that starts with the normalised stem (« frap… »).

        An elided article may come first (`l'infirmi*`): it is normalised like any word.
        """
        *before, stem = _SEPARATORS.split(_fold(word[:-1]))
        if not _STEM.fullmatch(stem):
            raise self.error(f"{word!r}: a stem is letters or digits before one final *")
        stem = _REPEATS.sub(r"\1", stem)
        prefix = normalise(" ".join(before)).split()
        regex = "".join(re.escape(w) + " " for w in prefix) + re.escape(stem) + "[a-z0-9]* "
        return _Rx(regex, frozenset((prefix[0] if prefix else stem)[0]), False)


def compile_phrase(phrase: str, sets: Mapping[str, _Rx] | None = None, where: str = "") -> str:
    """One lexicon phrase → a regex over padded normalised text (syntax: YAML header).

    For tests and tooling: shows what a phrase becomes, raises LexiconError with the reason.

    Literal words must follow each other; `stem*` is any word starting with the stem;
    `(a|b c|)` is one of the alternatives, groups nest, an empty alternative makes the group
    optional; `{n,m}` is n to m words of any kind; `<name>` is a set from the file's `sets`.
    """
    return _Parser(phrase, sets or {}, where or repr(phrase)).parse().regex


def _alternation(phrases: Iterable[_Rx]) -> re.Pattern[str] | None:
    """Many phrases → one search over the padded text, starting at the space before a word.

    Python's `re` tries the alternatives one by one at every word, but skips at once an
    alternative that starts with a literal letter it does not see. So phrases that start
    with a letter are grouped under that letter (« m(?:e tuer |ourir |…) »), and phrases that
    start with a group go in one bucket per possible first letter, behind a one-letter
    lookahead. Same matches, far fewer attempts.
    """
    by_letter: dict[str, set[str]] = {}
    buckets: dict[str, set[str]] = {}
    for phrase in phrases:
        if phrase.regex[0].isalnum():  # re.escape leaves letters and digits as they are
            by_letter.setdefault(phrase.regex[0], set()).add(phrase.regex[1:])
        else:
            for letter in phrase.first:
                buckets.setdefault(letter, set()).add(phrase.regex)
    if not by_letter and not buckets:
        return None

    def ordered(regexes: Iterable[str]) -> str:
        return "|".join(sorted(regexes, key=lambda r: (-len(r), r)))

    branches = [f"{letter}(?:{ordered(rest)})" for letter, rest in sorted(by_letter.items())]
    branches += [f"(?={letter})(?:{ordered(rx)})" for letter, rx in sorted(buckets.items())]
    return re.compile(" (?:" + "|".join(branches) + ")")


# --- the lexicon and the detector --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detection:
    """What the net saw: whether it fired, the categories and whether it sounded imminent.

    Deliberately no text, no matched phrase, no position: the bot may store this object (or a
    counter) and must never store what the person wrote in crisis (safety-and-privacy §3).
    """

    fired: bool
    categories: tuple[str, ...]
    imminent: bool


NOT_FIRED = Detection(fired=False, categories=(), imminent=False)


@dataclass(frozen=True)
class Lexicon:
    """Compiled word list: one alternation per category, plus imminence and idioms."""

    version: str
    patterns: Mapping[str, re.Pattern[str]]
    imminence: re.Pattern[str] | None
    idioms: re.Pattern[str] | None
    # All categories in one search: most messages match nothing and need only this one.
    any_category: re.Pattern[str]

    @classmethod
    def load(cls, path: Path | str | None = None) -> Lexicon:
        """The lexicon at `path` (default: the reviewed file next to this module), cached."""
        if path is None:
            return _default_lexicon()
        return _load_cached(Path(path).resolve())

    @classmethod
    def from_mapping(cls, data: Any, source: str = "lexicon") -> Lexicon:
        """Build from already parsed YAML; every problem is a LexiconError naming the phrase."""
        if not isinstance(data, dict):
            raise LexiconError(f"{source}: expected a mapping at the top level")
        for key in ("version", "reviewed_by", "updated", "categories"):
            if key not in data:
                raise LexiconError(f"{source}: missing {key!r}")
        sets = _compile_sets(data.get("sets") or {}, source)
        categories = data["categories"]
        if not isinstance(categories, dict) or set(categories) != set(CATEGORIES):
            found = sorted(categories) if isinstance(categories, dict) else categories
            raise LexiconError(
                f"{source}: categories must be exactly {', '.join(CATEGORIES)} (found {found})"
            )
        patterns: dict[str, re.Pattern[str]] = {}
        everything: list[_Rx] = []
        for name in sorted(CATEGORIES):  # detect reports categories in this (sorted) order
            phrases = _phrases(categories[name], f"{source}: {name}", sets)
            compiled = _alternation(phrases)
            if compiled is None:
                raise LexiconError(f"{source}: category {name} has no phrase")
            patterns[name] = compiled
            everything += phrases
        imminence = _alternation(
            _phrases(data.get("imminence") or [], f"{source}: imminence", sets)
        )
        idioms = _alternation(_phrases(data.get("idioms") or [], f"{source}: idioms", sets))
        any_category = _alternation(everything)
        assert any_category is not None  # every category has phrases, checked above
        return cls(str(data["version"]), patterns, imminence, idioms, any_category)

    def detect(self, text: str) -> Detection:
        """Run the net over one message; see `detect`."""
        view = " " + normalise(text) + " "
        if self.idioms is not None:
            # Idioms are cut out, not used as a veto: « mort de rire mais envie de mourir »
            # still fires. « | » keeps words on either side from joining into a new phrase.
            view = self.idioms.sub(" | ", view)
        views = [view]
        # Negation never switches a match off: also read the message without « ne … pas ».
        if _NEGATIONS.search(view):
            without = _NEGATIONS.sub("", view)
            if self.idioms is not None:
                without = self.idioms.sub(" | ", without)
            views.append(without)
        if not any(self.any_category.search(v) for v in views):
            return NOT_FIRED
        found = tuple(
            name for name, pattern in self.patterns.items() if any(pattern.search(v) for v in views)
        )
        imminent = self.imminence is not None and any(self.imminence.search(v) for v in views)
        return Detection(fired=True, categories=found, imminent=imminent)


def _compile_sets(raw: Any, source: str) -> dict[str, _Rx]:
    """`sets: {name: [phrases]}` → name → one group regex, usable as `<name>` further on."""
    if not isinstance(raw, dict):
        raise LexiconError(f"{source}: sets must be a mapping of name → list")
    sets: dict[str, _Rx] = {}
    for name, items in raw.items():
        if not isinstance(name, str) or not re.fullmatch("[a-z_]+", name):
            raise LexiconError(f"{source}: set name {name!r} must be lower-case letters or _")
        where = f"{source}: sets.{name}"
        if not isinstance(items, list) or not items:
            raise LexiconError(f"{where}: expected a non-empty list")
        # A set may use the sets defined above it, never itself: no cycles.
        sets[name] = _union(_phrases(items, where, sets))
    return sets


def _phrases(items: Any, where: str, sets: Mapping[str, _Rx]) -> list[_Rx]:
    """A YAML list of phrases → compiled pieces, with the index of any bad one in the error."""
    if not isinstance(items, list):
        raise LexiconError(f"{where}: expected a list of phrases")
    compiled = []
    for index, item in enumerate(items):
        # YAML turns « non », « oui », « on » into booleans: insist on text.
        if not isinstance(item, str) or not item.strip():
            raise LexiconError(f"{where}[{index}]: expected a text, got {item!r}")
        compiled.append(_Parser(item, sets, f"{where}[{index}] {item!r}").parse())
    return compiled


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> Lexicon:
    """Parse and compile once per process: the bot calls `detect` on every free text."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LexiconError(f"{path}: {error}") from error
    return Lexicon.from_mapping(data, source=path.name)


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    """The reviewed file, resolved once (no path work on the hot path)."""
    return _load_cached(DEFAULT_LEXICON.resolve())


def detect(text: str, lexicon: Lexicon | None = None) -> Detection:
    """Does this message need the crisis resources first? Categories, imminence, no text.

    Idioms (« mort de rire ») are cut out before matching, negation is ignored, imminence
    markers (« ce soir ») count only when a category fired. `lexicon` defaults to the
    reviewed file; tests pass their own.
    """
    return (lexicon or _default_lexicon()).detect(text)
