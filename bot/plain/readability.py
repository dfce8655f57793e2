"""Readability scores of falc.md §4: Kandel–Moles and LIX, for reporting only.

They measure surface length, never meaning, so they are never the only gate (the lint and,
above all, reader validation are). Counting follows :mod:`bot.plain.text` and
:mod:`bot.plain.syllables`; both scores raise ``ValueError`` on a text without words.

Advisory thresholds (falc.md §4): KM ≥ 70 with spoken counts (about ≥ 60 with written
counts, to recalibrate on reviewed templates); LIX ≤ 40.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.plain.syllables import count_syllables
from bot.plain.text import long_words, sentences, words

__all__ = ["TextCounts", "counts", "kandel_moles", "lix"]


@dataclass(frozen=True, slots=True)
class TextCounts:
    """The raw counts behind both scores, so a test or a reviewer can check them by hand."""

    sentences: int
    words: int
    syllables_written: int
    syllables_spoken: int
    long_words: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences

    def kandel_moles(self, *, spoken: bool = False) -> float:
        """KM from these counts; ``ValueError`` without words."""
        self._require_words()
        syllables = self.syllables_spoken if spoken else self.syllables_written
        return 207 - 1.015 * self.words_per_sentence - 73.6 * syllables / self.words

    def lix(self) -> float:
        """LIX from these counts; ``ValueError`` without words."""
        self._require_words()
        return self.words_per_sentence + 100 * self.long_words / self.words

    def _require_words(self) -> None:
        if self.words == 0:
            raise ValueError("readability of a text without words")


def counts(text: str, *, count_elided: bool = False) -> TextCounts:
    """Sentences, words, syllables (both conventions) and long words of ``text``."""
    all_words: list[str] = []
    parts = sentences(text)
    for sentence in parts:
        all_words.extend(words(sentence))
    return TextCounts(
        sentences=len(parts),
        words=len(all_words),
        syllables_written=count_syllables(all_words),
        syllables_spoken=count_syllables(all_words, spoken=True),
        long_words=len(long_words(all_words, count_elided=count_elided)),
    )


def kandel_moles(text: str, spoken: bool = False) -> float:
    """KM = 207 − 1.015 × words/sentences − 73.6 × syllables/words (higher = easier).

    Written syllables by default; ``spoken=True`` drops final mute *e* (scores ~15 higher on
    FALC text, see falc.md §4).
    """
    return counts(text).kandel_moles(spoken=spoken)


def lix(text: str, *, count_elided: bool = False) -> float:
    """LIX = words/sentences + 100 × (words of more than 6 letters)/words (lower = easier).

    The elided clitic (« s' » in « s'arrête ») is not counted as a letter unless
    ``count_elided``; see :mod:`bot.plain.text`.
    """
    return counts(text, count_elided=count_elided).lix()
