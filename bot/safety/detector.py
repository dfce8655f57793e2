"""Does this message need the crisis numbers, and how urgently? Two levels, never the text.

- **full**: a clear danger (explicit intent, a plan or means, imminence, self-harm now, a child
  in danger, another person about to act): the numbers interrupt, emergency ones first when
  it is happening now. Also two different possible signs of one family together (farewells
  and affairs put in order), or a possible sign with an imminence marker (« ce soir »).
- **gentle**: a possible warning sign (indirect wording, hopelessness, a negated intent): the
  3114 and a gentle line come with the normal reply; the flow goes on.

Negation never switches a sign off: « je ne vais pas me tuer » is a gentle answer, not none.
Idioms (« mort de rire ») and the sentences of a story (a film, a book, the news) are masked,
but only when the rest of the message carries no sign of its own; a story whose sign the
person takes as their own (« moi aussi ») still fires.

The result holds no text, no matched phrase, no position: the bot may store a `Detection` and
must never store what the person wrote in crisis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from bot.safety.lexicon import Lexicon
from bot.safety.text import BOUNDARIES, CLAUSE_END, SENTENCE_END, tokens

MASKED = "|"
# Words that make what follows negative, and words that show a phrase is already about the
# negative itself (« plus envie de vivre »: no extra negation there).
_NEGATING = frozenset({"ne", "pas", "jamais", "point", "guere", "not", "never", "no"})
_AFTER = frozenset({"pas", "jamais", "point", "not"})
_POLARITY = frozenset(
    {"pas", "plus", "jamais", "rien", "personne", "aucun", "aucune", "ni", "sans"}
    | {"not", "never", "no", "nothing", "nobody", "nowhere"}
)
_NEGATION_WORDS = re.compile(r" (?:ne|pas|point|guere|nullement|aucunement|not)(?= )")
LOOK_BEFORE = 3


class Level(IntEnum):
    NONE = 0
    GENTLE = 1
    FULL = 2


@dataclass(frozen=True, slots=True)
class Detection:
    """What the net saw: the level, the warning signs and the categories of numbers to show.

    `complaint`: words of abuse by care staff, which a réclamation is for (never an alarm).
    """

    level: Level
    signs: tuple[str, ...]
    categories: tuple[str, ...]
    imminent: bool
    complaint: bool = False

    @property
    def fired(self) -> bool:
        return self.level > Level.NONE


NOT_FIRED = Detection(Level.NONE, (), (), False)


def detect(text: str, lexicon: Lexicon | None = None) -> Detection:
    """Run the net over one message; see the module's doc."""
    lexicon = lexicon or Lexicon.load()
    words = lexicon.speller.tokens(tokens(text))
    plain = " " + " ".join(w for w in words if w not in BOUNDARIES) + " "
    masked = _mask(words, lexicon)
    found = _assess(masked, lexicon)
    if masked == plain:
        return found
    if found.fired or found.complaint:
        return _assess(plain, lexicon)  # the rest has a sign of its own: nothing is masked
    hidden = _assess(plain, lexicon)
    if hidden.fired and lexicon.echo is not None and lexicon.echo.search(masked):
        # A story's sign taken as one's own (« dans le film il se tue, moi aussi j'y pense »).
        return Detection(
            max(Level.GENTLE, found.level), hidden.signs, hidden.categories, hidden.imminent
        )
    return found


# Words that show a clause is about the person or someone close, not a character.
_SELF = frozenset({"je", "me", "moi", "mon", "ma", "mes", "i", "my", "myself", "mine"})
_CONNECTORS = frozenset({"mais", "depuis", "alors", "donc", "car", "parce", "puis", "but", "and"})


def _clauses(sentence: list[str]) -> list[list[str]]:
    """A sentence cut at commas and at words that start a new clause (« mais », « depuis »)."""
    clauses: list[list[str]] = [[]]
    for word in sentence:
        if word == CLAUSE_END:
            clauses.append([])
            continue
        if word in _CONNECTORS and clauses[-1]:
            clauses.append([])
        clauses[-1].append(word)
    return [c for c in clauses if c]


def _mask_story(sentence: list[str], lexicon: Lexicon) -> list[str]:
    """A sentence that names a story (« dans le film, le héros se tue ») with its story masked.

    The clause naming it is masked from that word on; another clause is masked when it
    speaks of nobody close (no « je », no relative): it is the story going on.
    """
    assert lexicon.stories is not None
    if lexicon.proche is not None and lexicon.proche.search(" " + " ".join(sentence) + " "):
        close = True
    else:
        close = False
    out: list[str] = []
    for clause in _clauses(sentence):
        view = " " + " ".join(clause) + " "
        found = lexicon.stories.search(view)
        if found is not None:
            kept = view[: found.start() + 1].split()
            out += [*kept, MASKED]
        elif close or _SELF.intersection(clause):
            out += clause
        else:
            out.append(MASKED)
    return out


def _mask(words: list[str], lexicon: Lexicon) -> str:
    """The text with story clauses and idioms replaced by `|`, padded with spaces."""
    sentences: list[list[str]] = [[]]
    for word in words:
        if word == SENTENCE_END:
            sentences.append([])
        else:
            sentences[-1].append(word)
    parts: list[str] = []
    for sentence in sentences:
        plain = [w for w in sentence if w != CLAUSE_END]
        if not plain:
            continue
        if lexicon.stories is not None and lexicon.stories.search(" " + " ".join(plain) + " "):
            parts += _mask_story(sentence, lexicon)
        else:
            parts += plain
    view = " " + " ".join(parts) + " "
    if lexicon.idioms is not None:
        # Cut out, not a veto; « | » keeps the words on either side from joining into a phrase.
        view = lexicon.idioms.sub(f" {MASKED} ", view)
    return view


# « il me frappe pas souvent »: not a negation, a frequency.
_ATTENUATORS = frozenset(
    {"souvent", "tous", "toujours", "tout", "trop", "beaucoup", "vraiment", "tres", "que"}
)
_CONTRAST = frozenset({"mais", "pourtant", "but"})


def _negated(view: str, match: re.Match[str]) -> bool:
    """A negation just before the phrase (or just after), and none inside it.

    « je ne vais pas me tuer » is negated; « je ne veux plus vivre » is not (the phrase is
    about the negative itself); nor « je ne l'ai pas fait mais j'y pense » (a contrast).
    """
    said = match.group(0).split()
    if _POLARITY.intersection(said) or _CONTRAST.intersection(said):
        return False
    before = view[: match.start()].split()[-LOOK_BEFORE:]
    for stop in (MASKED, *_CONTRAST):  # « je ne l'ai pas fait mais j'y pense »
        if stop in before:
            before = before[len(before) - before[::-1].index(stop) :]
    after = view[match.end() :].split()[:2]
    negated_after = bool(after) and after[0] in _AFTER
    if negated_after and len(after) > 1 and after[1] in _ATTENUATORS:
        negated_after = False
    return bool(_NEGATING.intersection(before)) or negated_after


def _strength(pattern: re.Pattern[str] | None, view: str, free: str | None) -> str | None:
    """'plain' when the phrase is said, 'negated' when only under a negation, else None."""
    if pattern is None:
        return None
    negated = False
    for match in pattern.finditer(view):
        if not _negated(view, match):
            return "plain"
        negated = True
    if negated or (free is not None and pattern.search(free)):
        return "negated"
    return None


def _assess(view: str, lexicon: Lexicon) -> Detection:
    free = _NEGATION_WORDS.sub("", view) if _NEGATION_WORDS.search(view) else None
    clear: set[str] = set()
    possible: set[str] = set()
    negated: set[str] = set()
    complaint = False
    categories: set[str] = set()
    found: dict[str, tuple[str | None, str | None]] = {}
    for sign in lexicon.signs:
        said = _strength(sign.clear, view, free)
        maybe = _strength(sign.possible, view, free)
        if said is not None or maybe is not None:
            found[sign.name] = (said, maybe)
    for sign in lexicon.signs:
        if sign.name not in found:
            continue
        said, maybe = found[sign.name]
        if sign.kind == "complaint":
            complaint = True
            categories.add(sign.category)
            continue
        if said == "plain" and sign.gentle_with in found:
            said, maybe = None, "plain"  # a complaint's subject: the group must read it
        categories.add(sign.category)
        if said == "plain":
            clear.add(sign.name)
        elif maybe == "plain":
            possible.add(sign.name)
        else:
            negated.add(sign.name)
    signs = clear | possible | negated
    if not signs:
        return Detection(Level.NONE, (), tuple(sorted(categories)), False, complaint)
    imminent = lexicon.imminence is not None and bool(lexicon.imminence.search(view))
    if clear and not imminent and lexicon.history is not None and lexicon.history.search(view):
        possible |= clear  # told about long ago: the gentle line, not the interruption
        clear = set()
    by_family: dict[str, set[str]] = {}
    for sign in lexicon.signs:
        if sign.name in possible:
            by_family.setdefault(sign.family, set()).add(sign.name)
    if clear or (possible and imminent) or any(len(s) >= 2 for s in by_family.values()):
        level = Level.FULL
    else:
        level = Level.GENTLE
    return Detection(
        level,
        tuple(sorted(signs)),
        tuple(sorted(categories)),
        imminent and level == Level.FULL,
        complaint,
    )
