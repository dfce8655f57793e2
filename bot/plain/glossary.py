"""The acronym glossary: expansions and FALC explanations for the sector's acronyms.

The data is ``glossary.tsv`` next to this module (a copy of the shared domain file, so the
bot does not read ``../shared`` at run time). Acronyms are matched case-insensitively because
pasted documents write « CoPil » or « Copil » for COPIL. Two acronyms (ETP, MSP) have two
rows each: lookups return every row and the caller chooses by context or shows both.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["GLOSSARY_FILE", "Entry", "Glossary", "TermMatch"]

GLOSSARY_FILE = Path(__file__).with_name("glossary.tsv")

_SPACES = re.compile(r"\s+")


def _key(token: str) -> str:
    """Lookup key: upper case, single spaces (« dt  ars » and « DT ARS » are one key)."""
    return _SPACES.sub(" ", token.strip()).upper()


@dataclass(frozen=True, slots=True)
class Entry:
    """One glossary row. ``confidence`` is ``source`` (seed documents) or ``usual``."""

    acronym: str
    expansion: str
    plain_explanation: str
    confidence: str


@dataclass(frozen=True, slots=True)
class TermMatch:
    """A glossary acronym found in a text: where, as written, and every row for it."""

    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]

    @property
    def acronym(self) -> str:
        return self.entries[0].acronym


class Glossary:
    """Acronym lookups over a fixed list of entries (use :meth:`load` for the bundled file)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        by_key: dict[str, list[Entry]] = {}
        for entry in self.entries:
            by_key.setdefault(_key(entry.acronym), []).append(entry)
        self._by_key = {key: tuple(rows) for key, rows in by_key.items()}
        # Longest first, so that « DT ARS » wins over « ARS » at the same position. Inner
        # spaces match any whitespace (no-break spaces come from word processors).
        alternatives = sorted(self._by_key, key=len, reverse=True)
        pattern = "|".join(r"\s+".join(map(re.escape, key.split(" "))) for key in alternatives)
        self._pattern = re.compile(rf"(?<![\w])(?:{pattern})(?![\w])", re.IGNORECASE)

    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        """The glossary from ``path`` (default: the bundled TSV), parsed once per path."""
        return _load(path or GLOSSARY_FILE)

    @classmethod
    def from_tsv(cls, path: Path) -> Glossary:
        """Parse a TSV with the header ``acronym expansion plain_explanation confidence``."""
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            return cls(
                Entry(
                    acronym=row["acronym"].strip(),
                    expansion=row["expansion"].strip(),
                    plain_explanation=row["plain_explanation"].strip(),
                    confidence=row["confidence"].strip(),
                )
                for row in reader
            )

    def terms(self) -> list[str]:
        """Distinct acronyms, in file order (ETP and MSP once each)."""
        return [entries[0].acronym for entries in self._by_key.values()]

    def lookup(self, token: str) -> list[Entry]:
        """Every row for ``token``, case-insensitively (« CoPil » → COPIL); [] if unknown."""
        return list(self._by_key.get(_key(token), ()))

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and _key(token) in self._by_key

    def matches(self, text: str) -> list[TermMatch]:
        """Glossary acronyms in ``text``, in order, each occurrence, longest match first.

        Any case is accepted (« CoPil », « Copil », « copil ») except an all-lower-case token
        of 2 letters: « ru », « mg » and « gt » are too often ordinary words or units.
        """
        found: list[TermMatch] = []
        for match in self._pattern.finditer(text):
            written = match.group(0)
            letters = [char for char in written if char.isalpha()]
            if len(letters) <= 2 and all(char.islower() for char in letters):
                continue
            entries = self._by_key[_key(written)]
            found.append(TermMatch(match.start(), match.end(), written, entries))
        return found

    def find_terms(self, text: str) -> list[Entry]:
        """Rows of the acronyms present in ``text``, by first appearance, each acronym once.

        An ambiguous acronym (ETP, MSP) contributes all its rows, next to each other.
        """
        seen: set[str] = set()
        entries: list[Entry] = []
        for match in self.matches(text):
            if match.acronym not in seen:
                seen.add(match.acronym)
                entries.extend(match.entries)
        return entries

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """Institutions a text names, spelled out or as an acronym: (as written, acronym).

        FALC texts spell « commission des usagers » out instead of « CDU »; the reader may still
        not know what it is, so both forms are found, by first appearance, each acronym once.
        """
        found: list[tuple[int, str, str]] = [
            (m.start, m.text, m.acronym) for m in self.matches(text)
        ]
        for entry, pattern in self._expansion_patterns():
            match = pattern.search(text)
            if match:
                found.append((match.start(), match.group(0), entry.acronym))
        result: list[tuple[str, str]] = []
        seen: set[str] = set()
        for _, written, acronym in sorted(found):
            if acronym not in seen:
                seen.add(acronym)
                result.append((written, acronym))
        return result

    def _expansion_patterns(self) -> list[tuple[Entry, re.Pattern[str]]]:
        cached = getattr(self, "_expansions", None)
        if cached is None:
            cached = [
                (entry, re.compile(rf"(?<!\w){re.escape(entry.expansion)}(?!\w)", re.IGNORECASE))
                for entry in self.entries
                if " " in entry.expansion and "(" not in entry.expansion
            ]
            object.__setattr__(self, "_expansions", cached)
        return cached


@cache
def _load(path: Path) -> Glossary:
    return Glossary.from_tsv(path)
