"""Typos and masked letters read back as the lexicon's own words, before matching.

« suiside », « scarrifié », « medicamments », « s*icide », « m**rir »: a keyword net misses them
all. Only words that are not ordinary French or English (a frequency list from `wordfreq`, the
same form as the messages) are corrected, and only towards a word or stem of the lexicon, so
« nourrir » never becomes « mourir » and « poignées » never « poignets ».

- A long word (6 letters or more) at one edit of a lexicon word (two edits from 10 letters),
  counting a swap of two letters as one edit (Damerau–Levenshtein, `rapidfuzz`), becomes it.
- A word that starts one edit away from a lexicon stem of 6 letters or more (« suisidaire »
  against `suicid*`) has its start replaced.
- A masked letter (`*`) stands for one or two letters of any lexicon word of 4 letters or more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.safety.text import MASK, fold

LONG_WORD = 6  # words this long or longer may have one typo
VERY_LONG_WORD = 10  # … or two
LONG_STEM = 6
MASKED_WORD = 4
COMMON_FRENCH = 80_000  # the most frequent words of each language are never corrected
COMMON_ENGLISH = 40_000
_REPEATS = re.compile(r"([a-z])\1+")


def _plain(word: str) -> str:
    return _REPEATS.sub(r"\1", fold(word))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Frequent French and English words, in the normalised form (no accents, no doubles)."""
    from wordfreq import top_n_list  # a 0.1 s load: once, when the lexicon is compiled

    words = top_n_list("fr", COMMON_FRENCH) + top_n_list("en", COMMON_ENGLISH)
    return frozenset(_plain(w) for w in words if w.isalpha())


class Speller:
    """Corrects tokens towards a vocabulary; results are cached per token."""

    def __init__(self, words: Iterable[str], stems: Iterable[str], common: frozenset[str]) -> None:
        self.words = frozenset(w for w in words if w.isalpha())
        self.stems = tuple(sorted({s for s in stems if len(s) >= LONG_STEM and s.isalnum()}))
        self.all_stems = tuple(sorted({s for s in stems if s.isalnum()}, key=len, reverse=True))
        self.common = common
        self.by_length: dict[int, list[str]] = {}
        for word in self.words:
            if len(word) >= LONG_WORD - 1:
                self.by_length.setdefault(len(word), []).append(word)
        self.masked = sorted(w for w in self.words if len(w) >= MASKED_WORD)
        self.correct = lru_cache(maxsize=50_000)(self._correct)

    def _known(self, token: str) -> bool:
        return token in self.words or token in self.common

    def _correct(self, token: str) -> str:
        if MASK in token:
            return self._unmask(token)
        if len(token) < LONG_WORD or not token.isalpha() or self._known(token):
            return token
        if any(token.startswith(stem) for stem in self.all_stems):
            return token  # already a lexicon word's form (« suicidaires »)
        limit = 2 if len(token) >= VERY_LONG_WORD else 1
        candidates = [
            w
            for n in range(len(token) - limit, len(token) + limit + 1)
            for w in self.by_length.get(n, ())
        ]
        best = process.extractOne(
            token, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        if best is not None:
            return best[0]
        for stem in self.stems:
            for cut in (len(stem) - 1, len(stem), len(stem) + 1):
                if cut <= len(token) and (
                    DamerauLevenshtein.distance(token[:cut], stem, score_cutoff=1) <= 1
                ):
                    return stem + token[cut:]
        return token

    def _unmask(self, token: str) -> str:
        """« s*icide » → « suicide »: each `*` is one or two letters of a lexicon word."""
        letters = token.replace(MASK, "")
        if len(token) < MASKED_WORD or len(letters) < 2:
            return letters
        shape = _shape(token)
        for word in self.masked:
            if shape.fullmatch(word):
                return word
        for stem in self.all_stems:  # « sc*rifiee » against `scarif*`
            if len(stem) < MASKED_WORD:
                continue
            for cut in range(len(stem) - 2, min(len(token), len(stem) + 2) + 1):
                if MASK in token[:cut] and _shape(token[:cut]).fullmatch(stem):
                    return stem + token[cut:].replace(MASK, "")
        return letters

    def tokens(self, tokens: list[str]) -> list[str]:
        return [self.correct(t) for t in tokens]


@lru_cache(maxsize=4096)
def _shape(token: str) -> re.Pattern[str]:
    return re.compile(re.escape(token).replace(re.escape(MASK), "[a-z]{1,2}"))
