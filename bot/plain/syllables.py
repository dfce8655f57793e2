"""French syllable counter: the vowel-group algorithm of falc.md §5.

Why our own: textstat and pyphen count hyphenation points, not syllables, and undercount
French badly (été → 1, réunion → 1). This counter is spelling-based and deterministic.

Two conventions (falc.md §5):

- **written** (default, *syllabes écrites*): a final mute *e*, *es* or *ent* after a
  consonant counts (*ta-ble* = 2, *par-lent* = 2);
- **spoken** (``spoken=True``): an approximation of standard pronunciation that drops a final
  *e*/*es* after a consonant (*table* = 1). It cannot know that the verb ending *-ent* is
  silent (*parlent*) or that an inner schwa drops (*établissement*).

Conventions decided here:

- a token containing a digit (« 14 », « 2028 », « 0 800 235 236 », « 14h30 », « 1er ») counts
  **1** syllable, whatever the number;
- a ``{placeholder}`` counts 1 (its value is unknown when the template is checked);
- a token with letters but no vowel group (« SMS », « M ») counts 1: acronyms are not spelt
  out letter by letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["ELISIONS", "EXCEPTIONS", "VOWELS", "count_syllables", "normalize_word", "syllables"]

VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")

#: Elided words: before the apostrophe they are a separate, silent-or-merged clitic.
ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)

#: Words the rules get wrong: word → (written, spoken). Step 9 of the algorithm.
EXCEPTIONS: dict[str, tuple[int, int]] = {
    "pays": (2, 2),  # pa-ys: y = i + i
    "paysage": (3, 3),  # values as given in falc.md §5
    "paysages": (3, 3),
    "paysan": (3, 3),
    "paysans": (3, 3),
    "paysanne": (4, 3),
    "abbaye": (3, 3),  # value as given in falc.md §5
    "client": (2, 2),  # cli-ent; the -ent rule of step 6 is written for verbs (ils oublient)
    "clients": (2, 2),
    "cliente": (3, 2),
    "clientes": (3, 2),
}

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})
_HYPHENS = re.compile(r"[-‐‑‒–—]+")
_SOFT_U = re.compile(r"(?<=q)u(?=[aeiouyàâäéèêëîïôöùûüÿœæ])|(?<=g)u(?=[eéèêiîy])")
_GROUPS = re.compile(r"[aeiouyàâäéèêëîïôöùûüÿœæ]+")
_OBSTRUENT_LIQUID_I = re.compile(r"[pbtdkgfvc][rl]i(?=[aeiouyàâäéèêëîïôöùûüÿœæ])")
_MUTE_FINAL = re.compile(r"(?<=[^aeiouyàâäéèêëîïôöùûüÿœæ])es?$")
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")


def normalize_word(word: str) -> list[str]:
    """Steps 1–2: NFC, lower case, split on hyphens, strip elisions, keep letters only.

    ``l'hôpital`` → ``["hôpital"]``; ``aujourd'hui`` → ``["aujourdhui"]``;
    ``pair-aidant`` → ``["pair", "aidant"]``.
    """
    word = unicodedata.normalize("NFC", word).lower().translate(_APOSTROPHES)
    parts: list[str] = []
    for part in _HYPHENS.split(word):
        pieces = part.split("'")
        while len(pieces) > 1 and pieces[0].strip('«"(') in ELISIONS:
            pieces = pieces[1:]
        letters = "".join(char for char in "".join(pieces) if char.isalpha())
        if letters:
            parts.append(letters)
    return parts


def _hiatus(char: str, following: str, rest: str) -> bool:
    """Step 5: two vowels of one group that are two syllables."""
    return (
        (char in "éè" and rest not in ("e", "es"))  # ré-u-nion, cré-er, but i-dée
        or (char in "ao" and following in "éè")  # a-é-ro-port, po-è-me
        or following in "ïëü"  # na-ïf, No-ël
    )


def _count_part(part: str, spoken: bool) -> int:
    """Steps 3–9 on one normalised, hyphen-free part of a word."""
    if part in EXCEPTIONS:
        written, oral = EXCEPTIONS[part]
        return oral if spoken else written
    word = _SOFT_U.sub("", part)  # step 3: consonantal u in qu/gu
    if spoken and len(_GROUPS.findall(word)) >= 2:
        word = _MUTE_FINAL.sub("", word)  # step 10: drop a final mute e/es
    groups = list(_GROUPS.finditer(word))
    count = len(groups)  # step 4
    for group in groups:
        text = group.group(0)
        for index, char in enumerate(text[:-1]):
            following = text[index + 1]
            rest = word[group.start() + index + 1 :]
            if _hiatus(char, following, rest):
                count += 1
            if char == "y" and index > 0:  # step 7: y between two vowels (ci-to-yen)
                count += 1
    if word.startswith("coo"):  # step 5: co-or-di-na-teur
        count += 1
    for match in _OBSTRUENT_LIQUID_I.finditer(word):  # step 6: fé-vri-er
        if word[match.end() :] not in ("e", "es", "ent"):
            count += 1
    return max(count, 1)


def syllables(word: str, *, spoken: bool = False) -> int:
    """Syllables in one word token (written convention unless ``spoken``).

    Hyphenated compounds are summed (pair-aidant = 1 + 2); digits and placeholders count 1.
    Returns 0 for a token with neither letters nor digits (punctuation, emoji).
    """
    if _PLACEHOLDER.search(word) or any(char.isdigit() for char in word):
        return 1
    return sum(_count_part(part, spoken) for part in normalize_word(word))


def count_syllables(words: Iterable[str], *, spoken: bool = False) -> int:
    """Total syllables of already-split words (see :func:`bot.plain.text.words`)."""
    return sum(syllables(word, spoken=spoken) for word in words)
