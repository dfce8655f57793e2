"""The lexicon's small phrase language, compiled to regular expressions over normalised text.

A reviewer writes ordinary French; `normalise` brings both the phrase and the message to the
same form. Syntax (also in `data/README.md`):

    mot mot        words that follow each other, whole words
    frapp*         any word that starts with « frapp » (« l'infirmi* »: an elided article first)
    (a|b c|)       one of the alternatives; an empty one makes the group optional; groups nest
    (a & b)        all of the parts, in any order, with up to 6 words between them
    !(a|b)         the next words are not one of these (« en peux plus !(de|des) »)
    {0,3}          0 to 3 words of any kind (never a negation: « ne », « pas », « jamais »…)
    <name>         one of the phrases of the set `name`

Every element compiles to a regex matching its words *each followed by one space*; the text is
searched as « word word … word » padded with spaces, so elements simply concatenate and word
boundaries come for free. A masked stretch of the message (an idiom, a story) is a `|`, which
no word and no gap can cross.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from bot.safety.text import fold, normalise

NEGATIONS = ("pas", "jamais", "not", "never")
# One word of a gap: any word but a negation, so « veux {0,2} mourir » does not read
# « je veux pas mourir » as « je veux mourir » (the negation-free view does, see detector).
# « ne » alone may be skipped: it stands before the verb (« je ne sais »).
_GAP_WORD = "(?:(?!" + "|".join(w + " " for w in NEGATIONS) + ")[a-z0-9*]+ )"
_SYNTAX = re.compile(r"\s+|!\(|[()|&]|\{(\d+),(\d+)\}|<([a-z_]+)>|[^\s()|&{}<>!]+|.")
_STEM = re.compile(r"[a-z0-9]+")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"([a-z])\1+")
MAX_GAP = 12
NEAR = 6  # words allowed between the parts of an (a & b) group
MAX_NEAR_PARTS = 3


class LexiconError(ValueError):
    """The lexicon cannot be used; the message says where and why."""


class Rx(NamedTuple):
    """A compiled piece: its regex, the letters a match can start with, and if it may be empty.

    `first` lets `alternation` put each phrase in a bucket per first letter: Python's `re`
    tries every alternative at every word, so dispatching on the first letter saves work
    without changing what matches.
    """

    regex: str
    first: frozenset[str]
    nullable: bool


_ANY_FIRST = frozenset(string.ascii_lowercase + string.digits)


def concat(parts: list[Rx]) -> Rx:
    first: set[str] = set()
    for part in parts:
        first |= part.first
        if not part.nullable:
            return Rx("".join(p.regex for p in parts), frozenset(first), False)
    return Rx("".join(p.regex for p in parts), frozenset(first), True)


def union(alternatives: Iterable[Rx]) -> Rx:
    """Alternatives as one non-capturing group, longest first (an empty one comes last)."""
    unique = {alt.regex: alt for alt in alternatives}
    ordered = sorted(unique, key=lambda r: (-len(r), r))
    return Rx(
        "(?:" + "|".join(ordered) + ")",
        frozenset().union(*(alt.first for alt in unique.values())),
        any(alt.nullable for alt in unique.values()),
    )


def _gap(low: int, high: int) -> Rx:
    return Rx(f"{_GAP_WORD}{{{low},{high}}}", _ANY_FIRST, low == 0)


def _literal(words: list[str]) -> Rx:
    return Rx("".join(re.escape(w) + " " for w in words), frozenset(words[0][0]), False)


class Parser:
    """Recursive descent over one phrase: sequence := item* ; group := ( seq (|seq)* )."""

    def __init__(self, phrase: str, sets: Mapping[str, Rx], where: str) -> None:
        self.where = where
        self.sets = sets
        self.tokens: list[tuple[str, re.Match[str]]] = []
        for match in _SYNTAX.finditer(phrase):
            text = match.group(0)
            if text.isspace():
                continue
            if text in ("(", ")", "|", "&", "!("):
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

    def parse(self) -> Rx:
        compiled = self.sequence()
        if self.peek() == "&":  # « a & b » at the top: the whole phrase is one (a & b) group
            parts = [compiled]
            while self.peek() == "&":
                self.position += 1
                parts.append(self.sequence())
            compiled = self.near(parts)
        if self.peek() is not None:
            raise self.error(f"unexpected {self.tokens[self.position][1].group(0)!r}")
        if compiled.nullable:
            raise self.error("the phrase can match nothing at all")
        return compiled

    def sequence(self) -> Rx:
        parts: list[Rx] = []
        literal: list[str] = []  # plain words are normalised together (« c est », « j ai »)

        def flush() -> None:
            if literal:
                words = normalise(" ".join(literal)).split()
                if not words:
                    raise self.error(f"{' '.join(literal)!r} normalises to nothing")
                parts.append(_literal(words))
                literal.clear()

        while (kind := self.peek()) not in (None, ")", "|", "&"):
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
                if low > high or high > MAX_GAP:
                    raise self.error(f"gap {text} must have n ≤ m ≤ {MAX_GAP}")
                parts.append(_gap(low, high))
            elif kind == "set":
                name = match.group(3)
                if name not in self.sets:
                    raise self.error(f"unknown set <{name}> (a set can only use those above it)")
                parts.append(self.sets[name])
            elif kind == "(":
                parts.append(self.group())
            elif kind == "!(":
                inner = self.group()  # a zero-width check: the next words are not these
                parts.append(Rx(f"(?!{inner.regex})", frozenset(), True))
            else:
                raise self.error(f"unexpected {text!r}")
        flush()
        return concat(parts) if parts else Rx("", frozenset(), True)

    def group(self) -> Rx:
        alternatives = [self.sequence()]
        separators = set()
        while self.peek() in ("|", "&"):
            separators.add(self.peek())
            self.position += 1
            alternatives.append(self.sequence())
        if self.peek() != ")":
            raise self.error("a group ( … ) is not closed")
        self.position += 1
        if separators == {"|", "&"}:
            raise self.error("a group uses | or &, not both (nest them)")
        if separators == {"&"}:
            return self.near(alternatives)
        return union(alternatives)

    def near(self, parts: list[Rx]) -> Rx:
        """(a & b): every order of the parts, each separated by up to NEAR words."""
        if len(parts) > MAX_NEAR_PARTS:
            raise self.error(f"an (a & b) group has at most {MAX_NEAR_PARTS} parts")
        if any(part.nullable for part in parts):
            raise self.error("each part of an (a & b) group must match something")
        orders = []
        for order in itertools.permutations(parts):
            pieces: list[Rx] = []
            for index, part in enumerate(order):
                if index:
                    pieces.append(_gap(0, NEAR))
                pieces.append(part)
            orders.append(concat(pieces))
        return union(orders)

    def stem(self, word: str) -> Rx:
        """`frapp*` → any word that starts with the normalised stem (« frap… »).

        An elided article may come first (`l'infirmi*`): it is normalised like any word.
        """
        *before, stem = _SEPARATORS.split(fold(word[:-1]))
        if not _STEM.fullmatch(stem):
            raise self.error(f"{word!r}: a stem is letters or digits before one final *")
        stem = _REPEATS.sub(r"\1", stem)
        prefix = normalise(" ".join(before)).split()
        regex = "".join(re.escape(w) + " " for w in prefix) + re.escape(stem) + "[a-z0-9*]* "
        return Rx(regex, frozenset((prefix[0] if prefix else stem)[0]), False)


def compile_phrase(phrase: str, sets: Mapping[str, Rx] | None = None, where: str = "") -> str:
    """One lexicon phrase → a regex over padded normalised text (for tests and tooling)."""
    return Parser(phrase, sets or {}, where or repr(phrase)).parse().regex


def parse(phrase: str, sets: Mapping[str, Rx], where: str) -> Rx:
    return Parser(phrase, sets, where).parse()


def alternation(phrases: Iterable[Rx]) -> re.Pattern[str] | None:
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


def literal_words(phrase: str) -> Iterable[str]:
    """The whole words and stems a phrase names (for the spelling corrector's vocabulary)."""
    for match in _SYNTAX.finditer(phrase):
        text = match.group(0)
        if (
            match.group(1) is not None
            or match.group(3) is not None
            or text in ("(", ")", "|", "&", "!(")
        ):
            continue
        if text.endswith("*"):
            stem = _REPEATS.sub(r"\1", _SEPARATORS.split(fold(text[:-1]))[-1])
            if stem:
                yield stem + "*"
        else:
            yield from normalise(text).split()
