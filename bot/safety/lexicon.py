"""The reviewed word list, read from `data/` and compiled once: warning signs, masks, vocabulary.

The list is data, organised by the published warning signs of suicide and self-harm (talking
about dying, hopelessness, farewells, affairs put in order, a plan or means, a decision taken,
joining a dead person, self-harm) plus violence received, a child in danger, another person in
danger, and abuse by care staff (a complaint, not a crisis). Each sign file has `clear`
phrases (a clear danger: the full answer) and `possible` ones (a possible sign: a gentle line).
`lexicon.yaml` holds the sets the phrases share, imminence markers, and what is masked: idioms
and the sentences of a story (a film, a book, the news). See `data/README.md`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.safety.phrases import LexiconError, Rx, alternation, literal_words, parse, union
from bot.safety.spelling import Speller, common_words

DATA_DIR = Path(__file__).with_name("data")
# The categories the bot knows how to answer, each with its own numbers (`replies`).
CATEGORIES: tuple[str, ...] = (
    "suicide",
    "violence_received",
    "child_at_risk",
    "third_party",
    "staff_abuse",
)
KINDS = ("warning", "complaint")  # a complaint (abuse by staff) never interrupts
STRENGTHS = ("clear", "possible")


@dataclass(frozen=True)
class Sign:
    """One warning sign, compiled: its clear and possible phrases."""

    name: str
    category: str
    family: str  # different signs of one family add up (two possible signs: a clear danger)
    kind: str
    clear: re.Pattern[str] | None
    possible: re.Pattern[str] | None
    gentle_with: str | None = None  # with this (complaint) sign, a clear hit is only possible


@dataclass(frozen=True)
class Lexicon:
    """Everything the detector needs, compiled."""

    version: str
    signs: tuple[Sign, ...]
    imminence: re.Pattern[str] | None
    idioms: re.Pattern[str] | None
    stories: re.Pattern[str] | None
    echo: re.Pattern[str] | None
    history: re.Pattern[str] | None  # long ago: a clear danger told in the past is gentle
    proche: re.Pattern[str] | None  # the set `proche`: a story told about a relative is real
    speller: Speller

    @classmethod
    def load(cls, directory: Path | str | None = None) -> Lexicon:
        """The lexicon of `directory` (default: the reviewed one), compiled once per process."""
        return _load_cached(Path(directory or DATA_DIR).resolve())

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], signs: Iterable[Mapping[str, Any]], source: str = "lexicon"
    ) -> Lexicon:
        """Build from parsed YAML (`lexicon.yaml` and the sign files); errors name the phrase."""
        if not isinstance(data, Mapping):
            raise LexiconError(f"{source}: expected a mapping at the top level")
        for key in ("version", "reviewed_by", "updated"):
            if key not in data:
                raise LexiconError(f"{source}: missing {key!r}")
        sets = _compile_sets(data.get("sets") or {}, source)
        compiled: list[Sign] = []
        vocabulary: set[str] = set()
        for raw in signs:
            sign, words = _sign(raw, sets, source)
            if any(s.name == sign.name for s in compiled):
                raise LexiconError(f"{source}: sign {sign.name!r} is defined twice")
            compiled.append(sign)
            vocabulary |= words
        if not compiled:
            raise LexiconError(f"{source}: no sign file")
        names = {s.name for s in compiled}
        for sign in compiled:
            if sign.gentle_with is not None and sign.gentle_with not in names:
                raise LexiconError(
                    f"{source}: {sign.name}: gentle_with: no sign {sign.gentle_with!r}"
                )
        missing = set(CATEGORIES) - {s.category for s in compiled}
        if missing:
            raise LexiconError(f"{source}: no sign answers {', '.join(sorted(missing))}")

        def optional(key: str) -> re.Pattern[str] | None:
            return alternation(_phrases(data.get(key) or [], f"{source}: {key}", sets))

        stems = {w[:-1] for w in vocabulary if w.endswith("*")}
        words = {w for w in vocabulary if not w.endswith("*")}
        return cls(
            version=str(data["version"]),
            signs=tuple(sorted(compiled, key=lambda s: s.name)),
            imminence=optional("imminence"),
            idioms=optional("idioms"),
            stories=optional("stories"),
            echo=optional("echo"),
            history=optional("history"),
            proche=re.compile(" " + sets["proche"].regex) if "proche" in sets else None,
            speller=Speller(words, stems, common_words()),
        )


def _sign(raw: Any, sets: Mapping[str, Rx], source: str) -> tuple[Sign, set[str]]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("sign"), str):
        raise LexiconError(f"{source}: a sign file needs `sign: <name>`")
    name = raw["sign"]
    where = f"{source}: {name}"
    category = raw.get("category")
    if category not in CATEGORIES:
        raise LexiconError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    kind = raw.get("kind", "warning")
    if kind not in KINDS:
        raise LexiconError(f"{where}: kind must be one of {', '.join(KINDS)}")
    unknown = set(raw) - {"sign", "category", "family", "kind", "title", "gentle_with", *STRENGTHS}
    if unknown:
        raise LexiconError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    patterns: dict[str, re.Pattern[str] | None] = {}
    everything: list[Rx] = []
    words: set[str] = set()
    for strength in STRENGTHS:
        items = raw.get(strength) or []
        phrases = _phrases(items, f"{where}.{strength}", sets)
        patterns[strength] = alternation(phrases)
        everything += phrases
        for item in items:
            words.update(literal_words(item))
    if not everything:
        raise LexiconError(f"{where}: the sign has no phrase")
    sign = Sign(
        name=name,
        category=category,
        family=str(raw.get("family", name)),
        kind=kind,
        clear=patterns["clear"],
        possible=patterns["possible"],
        gentle_with=raw.get("gentle_with"),
    )
    return sign, words


def _compile_sets(raw: Any, source: str) -> dict[str, Rx]:
    """`sets: {name: [phrases]}` → name → one group regex, usable as `<name>` further on."""
    if not isinstance(raw, Mapping):
        raise LexiconError(f"{source}: sets must be a mapping of name → list")
    sets: dict[str, Rx] = {}
    for name, items in raw.items():
        if not isinstance(name, str) or not re.fullmatch("[a-z_]+", name):
            raise LexiconError(f"{source}: set name {name!r} must be lower-case letters or _")
        where = f"{source}: sets.{name}"
        if not isinstance(items, list) or not items:
            raise LexiconError(f"{where}: expected a non-empty list")
        # A set may use the sets defined above it, never itself: no cycles.
        sets[name] = union(_phrases(items, where, sets))
    return sets


def _phrases(items: Any, where: str, sets: Mapping[str, Rx]) -> list[Rx]:
    """A YAML list of phrases → compiled pieces, with the index of any bad one in the error."""
    if not isinstance(items, list):
        raise LexiconError(f"{where}: expected a list of phrases")
    compiled = []
    for index, item in enumerate(items):
        # YAML turns « non », « oui », « on » into booleans: insist on text.
        if not isinstance(item, str) or not item.strip():
            raise LexiconError(f"{where}[{index}]: expected a text, got {item!r}")
        compiled.append(parse(item, sets, f"{where}[{index}] {item!r}"))
    return compiled


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LexiconError(f"{path.name}: {error}") from error


@lru_cache(maxsize=8)
def _load_cached(directory: Path) -> Lexicon:
    """Parse and compile once per process: the bot calls `detect` on every free text."""
    main = _read(directory / "lexicon.yaml")
    signs = [_read(path) for path in sorted((directory / "signs").glob("*.yaml"))]
    return Lexicon.from_mapping(main, signs, source=directory.name)
