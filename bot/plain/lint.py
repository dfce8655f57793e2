"""FALC lint: the measurable rules of falc.md §2, applied to one message.

A program can lint text but cannot certify FALC (falc.md §1): the lint catches regressions
before a human relecture, it does not replace it. Severities follow falc.md §2: **error**
blocks the text (use a reviewed fallback), **warn** flags it for a human reviewer.

Input is one message as the bot sends it: Telegram HTML (``<b>`` only), ``{placeholders}``
(python-brace-format fields, never flagged: their value is unknown here), a pictogram at line
start, one sentence per line. Rule ids are those of falc.md §2:

- S1 words per sentence: warn > 12, error > 15.
- S2 one idea: > 1 clause marker (et, ou, mais, donc, car, qui, que, dont, où, quand, si,
  lorsque, parce que, afin que) or > 2 commas: warn.
- S3 a message of ≥ 2 sentences without « vous / votre / vos » (or « tu » forms): warn.
- S4 negation ne/n' … pas/plus/jamais/rien/personne/aucun(e)/guère/ni, « sans », « non »:
  warn; two or more in one sentence: error. « ne … que » is a restriction, not a negation.
- S7 « ; »: error (the project's rule). Brackets ( ) [ ] and ellipses: warn.
- W7 special characters & < > § / # * _ |: warn (``/commands``, URLs, tags excepted).
- W1 curated hard administrative words (no word frequencies available); two synonyms in one
  message (plainte / réclamation): warn.
- W3 acronyms, glossary mixed-case forms (CoPil), abbreviations (etc., ex., cf., M., Mme,
  Dr …): error unless the expansion is in the message, the context says it was explained, or
  the token is allow-listed. The suggestion is the glossary expansion and explanation.
- W4 %, « pour cent », numbers ≥ 1 000 (years and phone numbers excepted): warn.
- W5a number words deux … mille, Roman numerals: warn.
- W5b numeric dates (14/03/2028): error; a day and month without weekday or year: warn.
- D1 HTML other than ``<b>`` and ``<a>``: error. ALL-CAPS words, raw URLs: warn.

ALL-CAPS tokens: a glossary acronym is a W3 matter; an all-caps token that looks like a word
(a known word such as ATTENTION, an accented letter, or ≥ 7 letters) is D1 shouting; any other
unknown all-caps token of 2–6 letters is taken for an unknown acronym (W3 error) unless its
words are spelt out in the message (« Société nationale des chemins de fer français »).
Allow-listed tokens (:data:`DEFAULT_ALLOW`) are neither.

Not implemented here (need a parser or are renderer/review rules): S5 active voice, S6
layout, O1, O3, W2 idioms, W6 pronouns, D2 pictograms, B1, P1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

from bot.plain.glossary import Entry, Glossary
from bot.plain.readability import counts
from bot.plain.text import (
    PLACEHOLDER_RE,
    TAG_RE,
    normalize_apostrophes,
    sentences,
    strip_markup,
    words,
)

__all__ = [
    "COMMAND_WORDS",
    "DEFAULT_ALLOW",
    "HARD_WORDS",
    "AcronymNote",
    "Finding",
    "LintContext",
    "LintReport",
    "Severity",
    "has_errors",
    "lint",
    "report",
]

Severity = Literal["error", "warn"]

#: The bot's commands (``bot.app.COMMANDS``): « Écrivez STOP » or « AIDE » is not an acronym.
COMMAND_WORDS = (
    "start",
    "menu",
    "avis",
    "reprendre",
    "langue",
    "suivi",
    "reunions",
    "aide",
    "stop",
)
#: Tokens the reader knows better than their expansion, plus the command words.
DEFAULT_ALLOW = frozenset({"SMS", "SOS", "OK", "PDF"} | {word.upper() for word in COMMAND_WORDS})

#: W1 without word frequencies: administrative words known to stop readers → plain wording.
#: Keys are regexes matched as whole words, case-insensitively.
HARD_WORDS: Mapping[str, str] = MappingProxyType(
    {
        r"mandataires?": "la personne qui agit pour vous",
        r"pseudonymis\w*": "« nous enlevons votre nom »",
        r"susmentionn\w*|susvis\w*|précité\w*|ci-(?:après|dessus|dessous)": "répétez le mot",
        r"afférente?s?": "« pour », « de »",
        r"subséquemment|ultérieurement": "« ensuite », « plus tard »",
        r"préalabl\w*": "« d'abord », « avant »",
        r"nonobstant": "« malgré »",
        r"diligent\w*": "« demander », « lancer »",
        r"saisines?": "« demande »",
        r"ledit|ladite|lesdit(?:e)?s": "répétez le mot",
        r"lequel|laquelle|lesquel(?:le)?s|auquel|auxquel(?:le)?s|duquel|desquel(?:le)?s": (
            "faites 2 phrases"
        ),
        r"idoines?": "« qui convient »",
        r"dûment": "« bien »",
        r"conformément": "« comme le dit »",
        r"modalités?": "« comment »",
        r"plénières?": "« réunion de tout le groupe »",
        r"élaboration": "« préparer »",
        r"arbitrages?": "« décision »",
        r"convié\w*": "« invité »",
        r"vocation": "« sert à »",
        r"excéd\w*": "« plus de »",
        r"compétente?s?": "« qui peut vous aider »",
        r"afin": "« pour »",
        r"dans le cadre d(?:es|e|u|'\w+)": "« pour »",  # de, du, des, d'un(e)
        r"sous réserve": "« si »",
        r"mise en œuvre": "« faire », « réaliser »",
        r"à caractère personnel": "« personnelles »",
        r"tiers": "« une autre personne »",
        r"représentant légal": "« le directeur »",
    }
)

#: W1 « same word for the same thing »: glossary synonyms that should not both appear.
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"plaintes?", r"réclamations?"),
    (r"hôpital|hôpitaux", r"établissements?"),
)

_CLAUSE_MARKERS = re.compile(
    r"(?<!\w)(?:(?:parce que|afin que|lorsque|que|et|ou|où|mais|donc|car|qui|dont|quand|si)"
    r"(?!\w)|(?:parce qu|afin qu|lorsqu|qu)'|s'(?=ils?(?!\w)))",
    re.IGNORECASE,
)
_INTERROGATIVE_QUE = re.compile(r"(?<!\w)(?:qu'est-ce (?:que|qu'|qui)|est-ce (?:que|qu'))", re.I)
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")

_NE = re.compile(r"(?<!\w)(?:ne(?!\w)|n'(?!importe))", re.IGNORECASE)
_FORCLUSIVE = re.compile(
    r"(?<!\w)(?:pas|plus|jamais|rien|personne|aucune?s?|guère|ni|nulle part)(?!\w)",
    re.IGNORECASE,
)
_QUE = re.compile(r"(?<!\w)qu(?:e(?!\w)|')", re.IGNORECASE)
_SANS_NON = re.compile(r"(?<!\w)(?:sans|non)(?!\w)", re.IGNORECASE)

_NUMBER_WORD = (
    r"(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze"
    r"|seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille|millions?|milliards?)"
)
_NUMBER_WORDS = re.compile(
    rf"(?<![\w-]){_NUMBER_WORD}(?:[-\s](?:et[-\s])?(?:{_NUMBER_WORD}|une?))*(?![\w-])",
    re.IGNORECASE,
)
_ROMAN_VALUE = re.compile(r"C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_ORDINAL = re.compile(r"(?<!\w)([IVXLC]{2,}|[IVX])(?:e|er|re|ème)(?!\w)")
_NOT_ROMAN = frozenset({"CV", "XL"})

_NUMERIC_DATES = re.compile(
    r"(?<![\d/])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])"
    r"|(?<![\d.-])\d{1,2}([.-])\d{1,2}\1\d{2,4}(?![\d-]|\.\d)"
    r"|(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])"
)
_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_DAY_MONTH = re.compile(rf"(?<!\w)(1er|\d{{1,2}})\s+(?:{_MONTHS})(?!\w)", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+(?:le\s+)?$", re.IGNORECASE
)
_YEAR_AFTER = re.compile(r"\s+\d{4}(?!\d)")

_PERCENT = re.compile(r"%|(?<!\w)pour\s?cents?(?!\w)|(?<!\w)pourcentages?(?!\w)", re.IGNORECASE)
_BIG_NUMBER = re.compile(
    r"(?<![\w,./-])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{4,})(?![\w/-]|[.,]\d)"
)
_PHONE_CONTEXT = re.compile(
    r"(?:appel\w*|compos\w*|numéro|téléphone|tél|sms|texto|envoyez)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)

_SPECIAL_CHARS = "&<>§/#*_|"
_BRACKETS = "()[]"

_CAPS = re.compile(r"(?<!\w)[A-ZÀÂÇÉÈÊËÎÏÔÙÛÜŒ]{2,}(?!\w)")
# Words people write in capitals (D1 shouting), not acronyms (W3).
_SHOUTED_WORDS = frozenset(
    (  # noqa: SIM905
        "oui non merci attention urgent urgence important importante info infos nouveau "
        "nouvelle rappel gratuit gratuite bonjour bravo vous votre vos nous ici tous tout "
        "toutes date heure lieu salle jour nuit fin message pas jamais rien danger interdit "
        "avant après vite seul seule mon ton son les des une aux pour avec sans"
    ).split()
)
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), suggestion)
    for pattern, flags, suggestion in (
        (r"(?<!\w)etc(?!\w)\.?", re.I, "listez tout, ou écrivez « et d'autres »"),
        (r"(?<!\w)p\.\s?ex\.", 0, "écrivez « par exemple »"),
        (r"(?<!\w)ex\.(?=\s)", re.I, "écrivez « par exemple »"),
        (r"(?<!\w)cf\.", re.I, "écrivez « voir »"),
        (r"(?<!\w)c\.?-à-d\.?", re.I, "faites 2 phrases"),
        (r"(?<!\w)MM\.(?=\s|$)", 0, "écrivez « Messieurs »"),
        (r"(?<!\w)M\.(?=\s|$)", 0, "écrivez « Monsieur »"),
        (r"(?<!\w)Mmes?(?!\w)\.?", 0, "écrivez « Madame »"),
        (r"(?<!\w)Mlles?(?!\w)\.?", 0, "écrivez « Madame »"),
        (r"(?<!\w)Drs?(?!\w)\.?", 0, "écrivez « docteur »"),
        (r"(?<!\w)Pr(?!\w)\.?", 0, "écrivez « professeur »"),
        (r"(?<!\w)n°", re.I, "écrivez « numéro »"),
        (r"(?<!\w)tél\.", re.I, "écrivez « téléphone »"),
        (r"(?<!\w)env\.", 0, "écrivez « environ »"),
        (r"(?<!\w)svp(?!\w)", re.I, "écrivez « s'il vous plaît »"),
        (r"(?<!\w)rdv(?!\w)", re.I, "écrivez « rendez-vous »"),
    )
)
_SMALL_WORDS = frozenset(
    "de des du d la le les l et à a au aux en pour sur par dans avec un une".split()  # noqa: SIM905
)

_ALLOWED_TAGS = frozenset({"b", "strong", "a", "tg-emoji"})
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z]\w*(?:@\w+)?")
_MASK = "\ue000"

_YOU = {
    "vous": re.compile(r"(?<!\w)(?:vous|votre|vos|vôtres?)(?!\w)", re.IGNORECASE),
    "tu": re.compile(r"(?<!\w)(?:tu|te|t'|toi|ton|ta|tes|tiens?|tiennes?)(?!\w)", re.IGNORECASE),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule in one sentence (``sentence`` is "" for a whole-message rule)."""

    rule: str
    severity: Severity
    sentence: str
    message: str
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class LintContext:
    """What the lint cannot guess from the text alone.

    ``allow``: tokens never flagged as acronyms or shouting (upper case).
    ``explained``: acronyms explained elsewhere (an earlier message of the same conversation).
    ``register``: « vous » (default) or « tu » if the user chose it (S3).
    ``addressed``: False for text not addressed to a user (a digest to a body): no S3.
    ``hard_words``: the W1 list (regex → plain wording).
    """

    allow: frozenset[str] = DEFAULT_ALLOW
    explained: frozenset[str] = frozenset()
    register: Literal["vous", "tu"] = "vous"
    addressed: bool = True
    hard_words: Mapping[str, str] = field(default_factory=lambda: HARD_WORDS)
    glossary: Glossary | None = None


@dataclass(frozen=True, slots=True)
class AcronymNote:
    """An acronym seen in the message, its glossary rows (empty if unknown), and whether the
    message (or the context) already explains it."""

    token: str
    entries: tuple[Entry, ...]
    explained: bool

    @property
    def proposal(self) -> str | None:
        return _proposal(self.entries) if self.entries else None


@dataclass(frozen=True, slots=True)
class LintReport:
    """Findings plus the numbers a reviewer wants next to them."""

    text: str
    findings: tuple[Finding, ...]
    km_written: float | None
    km_spoken: float | None
    lix: float | None
    sentences_over_12: tuple[str, ...]
    sentences_over_15: tuple[str, ...]
    acronyms: tuple[AcronymNote, ...]

    @property
    def errors(self) -> int:
        return sum(finding.severity == "error" for finding in self.findings)

    @property
    def warnings(self) -> int:
        return sum(finding.severity == "warn" for finding in self.findings)

    @property
    def ok(self) -> bool:
        """No error (warnings still go to a human reviewer)."""
        return self.errors == 0

    def format(self) -> str:
        """A plain-text summary for a terminal or a review ticket."""

        def score(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1f}"

        lines = [
            f"{self.errors} error(s), {self.warnings} warning(s)",
            f"KM written {score(self.km_written)} · KM spoken {score(self.km_spoken)}"
            f" · LIX {score(self.lix)}",
        ]
        for finding in self.findings:
            where = f" « {finding.sentence} »" if finding.sentence else ""
            lines.append(f"[{finding.severity}] {finding.rule}{where}: {finding.message}")
            if finding.suggestion:
                lines.append(f"    → {finding.suggestion}")
        for note in self.acronyms:
            if note.proposal:
                lines.append(f"{note.token}: {note.proposal}")
        return "\n".join(lines)


def has_errors(findings: Iterable[Finding]) -> bool:
    """True if any finding blocks the text."""
    return any(finding.severity == "error" for finding in findings)


def lint(text: str, *, context: LintContext | None = None) -> list[Finding]:
    """FALC findings for one message, sentence by sentence, then whole-message ones."""
    return _Linter(text, context or LintContext()).run()


def report(text: str, *, context: LintContext | None = None) -> LintReport:
    """Findings, readability scores, long sentences and acronyms of one message."""
    linter = _Linter(text, context or LintContext())
    findings = linter.run()
    counted = counts(text)
    km_written = km_spoken = lix_score = None
    if counted.words:
        km_written = counted.kandel_moles()
        km_spoken = counted.kandel_moles(spoken=True)
        lix_score = counted.lix()
    lengths = [(sentence, len(words(sentence))) for sentence in linter.sentences]
    return LintReport(
        text=text,
        findings=tuple(findings),
        km_written=km_written,
        km_spoken=km_spoken,
        lix=lix_score,
        sentences_over_12=tuple(sentence for sentence, n in lengths if n > 12),
        sentences_over_15=tuple(sentence for sentence, n in lengths if n > 15),
        acronyms=tuple(linter.acronyms.values()),
    )


# ---------------------------------------------------------------------------------------------


def _proposal(entries: Iterable[Entry]) -> str:
    return " ou ".join(f"« {entry.expansion} » : {entry.plain_explanation}" for entry in entries)


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces: for comparing expansions and initials."""
    decomposed = unicodedata.normalize("NFD", normalize_apostrophes(text).lower())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", bare)


def _mask(sentence: str) -> str:
    """Hide what no rule should read: placeholders, URLs, /commands."""
    masked = PLACEHOLDER_RE.sub(_MASK, normalize_apostrophes(sentence))
    masked = _URL.sub(_MASK, masked)
    return _COMMAND.sub(_MASK, masked)


def _quote(items: Iterable[str]) -> str:
    return ", ".join(f"« {item} »" for item in dict.fromkeys(items))


class _Linter:
    def __init__(self, text: str, context: LintContext) -> None:
        self.raw = text
        self.context = context
        self.glossary = context.glossary or Glossary.load()
        self.visible = strip_markup(text)
        self.folded = _fold(self.visible)
        self.sentences = sentences(text)
        self.findings: list[Finding] = []
        self.acronyms: dict[str, AcronymNote] = {}
        self._flagged: set[str] = set()
        self._spelled: dict[str, bool] = {}  # _spelled_out per acronym: once per text
        self._hard = [
            (re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE), plain)
            for pattern, plain in context.hard_words.items()
        ]

    def add(
        self,
        rule: str,
        severity: Severity,
        sentence: str,
        message: str,
        suggestion: str | None = None,
    ) -> None:
        self.findings.append(Finding(rule, severity, sentence, message, suggestion))

    def once(self, key: str) -> bool:
        """True the first time ``key`` is seen in this message (one finding per token)."""
        if key in self._flagged:
            return False
        self._flagged.add(key)
        return True

    def run(self) -> list[Finding]:
        self.check_markup()
        for sentence in self.sentences:
            masked = _mask(sentence)
            self.check_length(sentence)
            self.check_one_idea(sentence, masked)
            self.check_acronyms(sentence, masked)
            self.check_number_words(sentence, masked)
            self.check_dates(sentence, masked)
            self.check_figures(sentence, masked)
            self.check_negation(sentence, masked)
            self.check_punctuation(sentence, masked)
            self.check_hard_words(sentence, masked)
        self.check_synonyms()
        self.check_reader()
        return self.findings

    # D1 -------------------------------------------------------------------------------------

    def check_markup(self) -> None:
        for line in self.raw.splitlines():
            visible_line = strip_markup(line).strip()
            for match in TAG_RE.finditer(line):
                name = match.group(1).lower()
                if name not in _ALLOWED_TAGS and self.once(f"tag:{name}"):
                    self.add(
                        "D1",
                        "error",
                        visible_line,
                        f"Formatting <{name}> is not allowed: bold (<b>) only.",
                        "Gardez le texte sans mise en forme, ou mettez le mot clé en gras.",
                    )
            for match in _URL.finditer(PLACEHOLDER_RE.sub(_MASK, strip_markup(line))):
                self.add(
                    "D1",
                    "warn",
                    visible_line,
                    f"Raw URL « {match.group(0).rstrip('.,:;!?)»')} ».",
                    'Utilisez un lien sur des mots : <a href="…">le site de l\'hôpital</a>.',
                )

    # S1 -------------------------------------------------------------------------------------

    def check_length(self, sentence: str) -> None:
        n = len(words(sentence))
        if n > 15:
            self.add("S1", "error", sentence, f"{n} words: more than 15.", "Coupez en 2 phrases.")
        elif n > 12:
            self.add("S1", "warn", sentence, f"{n} words: more than 12.", "Coupez en 2 phrases.")

    # S2 -------------------------------------------------------------------------------------

    def check_one_idea(self, sentence: str, masked: str) -> None:
        plain = _INTERROGATIVE_QUE.sub(" ", masked)
        markers = [match.group(0) for match in _CLAUSE_MARKERS.finditer(plain)]
        commas = len(_COMMA.findall(masked))
        problems = []
        if len(markers) > 1:
            problems.append(f"{len(markers)} clause markers ({_quote(markers)})")
        if commas > 2:
            problems.append(f"{commas} commas")
        if problems:
            self.add(
                "S2",
                "warn",
                sentence,
                "Maybe more than one idea: " + " and ".join(problems) + ".",
                "Une idée par phrase, une phrase par ligne.",
            )

    # W3, D1 (capitals), W5a (Roman numerals) ------------------------------------------------

    def _allowed(self, token: str) -> bool:
        return token.upper() in self.context.allow

    def _note(self, token: str, entries: tuple[Entry, ...], explained: bool) -> None:
        key = entries[0].acronym if entries else token
        self.acronyms.setdefault(key, AcronymNote(token, entries, explained))

    def _expanded(self, entries: Iterable[Entry]) -> bool:
        for entry in entries:
            expansion = re.sub(r"\s*\([^)]*\)", "", entry.expansion)
            if _fold(expansion) in self.folded:
                return True
        return False

    @cached_property
    def _word_parts(self) -> list[str]:
        """Folded parts of the message's words, for :meth:`_spelled_out` (computed once)."""
        return [
            part
            for word in words(self.visible)
            if not _CAPS.fullmatch(word)  # the acronym itself, or another one
            for part in re.split(r"[-']", _fold(word))
            if len(part) >= 2 or part in _SMALL_WORDS
        ]

    def _spelled_out(self, acronym: str) -> bool:
        """Are there words in the message whose initials spell ``acronym``?

        Asked for every occurrence of an unknown acronym, so the answer is kept per acronym:
        otherwise long minutes that repeat one cost occurrences × words.
        """
        if acronym not in self._spelled:
            self._spelled[acronym] = self._initials_spell(_fold(acronym))
        return self._spelled[acronym]

    def _initials_spell(self, letters: str) -> bool:
        parts = self._word_parts
        for start in range(len(parts)):
            position, index = start, 0
            while index < len(letters) and position < len(parts):
                part = parts[position]
                if part[0] == letters[index]:
                    index += 1
                elif part not in _SMALL_WORDS:
                    break
                position += 1
            if index == len(letters):
                return True
        return False

    def check_acronyms(self, sentence: str, masked: str) -> None:
        taken: list[tuple[int, int]] = []
        for pattern, suggestion in _ABBREVIATIONS:
            for match in pattern.finditer(masked):
                taken.append(match.span())
                token = match.group(0)
                if self.once(f"abbr:{token.lower()}"):
                    self.add("W3", "error", sentence, f"Abbreviation « {token} ».", suggestion)
        for match in self.glossary.matches(masked):
            taken.append((match.start, match.end))
            acronym = match.acronym
            explained = acronym in self.context.explained or self._expanded(match.entries)
            self._note(match.text, match.entries, explained)
            if explained or self._allowed(match.text) or not self.once(f"acr:{acronym}"):
                continue
            self.add(
                "W3",
                "error",
                sentence,
                f"Acronym « {match.text} » ({acronym}) is not explained in this message.",
                f"Écrivez {_proposal(match.entries)}",
            )
        for match in _CAPS.finditer(masked):
            start, end = match.span()
            if any(start < stop and end > begin for begin, stop in taken):
                continue
            token = match.group(0)
            if re.match(r"-\d", masked[end : end + 2]) or re.search(r"\d-$", masked[:start]):
                continue  # a reference code such as AV-2026-0001
            if token not in _NOT_ROMAN and _ROMAN_VALUE.fullmatch(token):
                if self.once(f"roman:{token}"):
                    self.add(
                        "W5a",
                        "warn",
                        sentence,
                        f"Roman numeral « {token} ».",
                        "Écrivez le nombre en chiffres.",
                    )
                continue
            if self._allowed(token):
                continue
            word = token.lower()
            if len(token) >= 3 and (
                word in _SHOUTED_WORDS or len(token) >= 7 or token.upper() != _fold(token).upper()
            ):
                if self.once(f"caps:{token}"):
                    self.add(
                        "D1",
                        "warn",
                        sentence,
                        f"« {token} » in capitals.",
                        f"Écrivez « {word} », en gras si c'est important.",
                    )
                continue
            explained = token in self.context.explained or self._spelled_out(token)
            self._note(token, (), explained)
            if not explained and self.once(f"acr:{token}"):
                self.add(
                    "W3",
                    "error",
                    sentence,
                    f"Unknown acronym « {token} » (or a word in capitals).",
                    "Écrivez les mots en entier.",
                )
        for match in _ROMAN_ORDINAL.finditer(masked):
            if _ROMAN_VALUE.fullmatch(match.group(1)) and self.once(f"roman:{match.group(0)}"):
                self.add(
                    "W5a",
                    "warn",
                    sentence,
                    f"Roman numeral « {match.group(0)} ».",
                    "Écrivez le nombre en chiffres : « 21e ».",
                )

    # W5a ------------------------------------------------------------------------------------

    def check_number_words(self, sentence: str, masked: str) -> None:
        found = [
            match.group(0)
            for match in _NUMBER_WORDS.finditer(masked)
            if not re.search(r"(?<!\w)pour\s?$", masked[: match.start()], re.IGNORECASE)
        ]
        if found:
            self.add(
                "W5a",
                "warn",
                sentence,
                f"Number in words: {_quote(found)}.",
                "Écrivez les nombres en chiffres : « 8 », pas « huit ».",
            )

    # W5b ------------------------------------------------------------------------------------

    def check_dates(self, sentence: str, masked: str) -> None:
        numeric = [match.group(0) for match in _NUMERIC_DATES.finditer(masked)]
        if numeric:
            self.add(
                "W5b",
                "error",
                sentence,
                f"Numeric date {_quote(numeric)}.",
                "Écrivez la date en entier : « mardi 14 mars 2028 ».",
            )
        for match in _DAY_MONTH.finditer(masked):
            missing = []
            if not _WEEKDAY_BEFORE.search(masked[: match.start()]):
                missing.append("weekday")
            if not _YEAR_AFTER.match(masked[match.end() :]):
                missing.append("year")
            if match.group(1) == "1":
                missing.append("« 1er »")
            if missing:
                self.add(
                    "W5b",
                    "warn",
                    sentence,
                    f"Date « {match.group(0)} » without {' and '.join(missing)}.",
                    "Écrivez jour, date, mois et année : « mardi 1er mars 2028 ».",
                )

    # W4 -------------------------------------------------------------------------------------

    def check_figures(self, sentence: str, masked: str) -> None:
        found = [match.group(0) for match in _PERCENT.finditer(masked)]
        for match in _BIG_NUMBER.finditer(masked):
            number = match.group(0)
            digits = re.sub(r"\D", "", number)
            if digits.startswith("0"):
                continue  # a phone number: 0 800 235 236
            if len(number) == 4 and 1900 <= int(number) <= 2199:
                continue  # a year
            if int(digits) < 1000 or _PHONE_CONTEXT.search(masked[: match.start()]):
                continue  # « appelez le 3114 »
            found.append(number)
        if found:
            self.add(
                "W4",
                "warn",
                sentence,
                f"Figures {_quote(found)}.",
                "Préférez « peu », « beaucoup », « la moitié ».",
            )

    # S4 -------------------------------------------------------------------------------------

    def check_negation(self, sentence: str, masked: str) -> None:
        negations: list[str] = []
        markers = list(_NE.finditer(masked))
        for index, marker in enumerate(markers):
            stop = markers[index + 1].start() if index + 1 < len(markers) else len(masked)
            restriction = _QUE.search(masked, marker.end(), stop)
            if restriction:  # « ne … que » restricts (« il n'y a qu'une personne »)
                stop = restriction.start()
            forclusive = _FORCLUSIVE.search(masked, marker.end(), stop)
            if forclusive:
                negations.append(f"{marker.group(0).strip()} … {forclusive.group(0)}")
        negations.extend(match.group(0) for match in _SANS_NON.finditer(masked))
        if len(negations) >= 2:
            self.add(
                "S4",
                "error",
                sentence,
                f"Double negation: {_quote(negations)}.",
                "Dites la même chose à la forme positive, en 2 phrases si besoin.",
            )
        elif negations:
            self.add(
                "S4",
                "warn",
                sentence,
                f"Negation {_quote(negations)}.",
                "Dites la même chose à la forme positive.",
            )

    # S7 / W7 --------------------------------------------------------------------------------

    def check_punctuation(self, sentence: str, masked: str) -> None:
        if ";" in masked:
            self.add("S7", "error", sentence, "Semicolon « ; ».", "Coupez en 2 phrases.")
        marks = [char for char in _BRACKETS if char in masked]
        if "…" in masked or "..." in masked:
            marks.append("…")
        if marks:
            self.add(
                "S7",
                "warn",
                sentence,
                f"Punctuation {_quote(marks)}.",
                "Évitez les parenthèses et les points de suspension.",
            )
        unmasked = _NUMERIC_DATES.sub(" ", masked)  # already a W5b error
        special = [char for char in _SPECIAL_CHARS if char in unmasked]
        if special:
            self.add(
                "W7",
                "warn",
                sentence,
                f"Special characters {_quote(special)}.",
                "Écrivez avec des mots : « et », « ou », « numéro ».",
            )

    # W1 -------------------------------------------------------------------------------------

    def check_hard_words(self, sentence: str, masked: str) -> None:
        for pattern, plain in self._hard:
            for match in pattern.finditer(masked):
                if self.once(f"hard:{match.group(0).lower()}"):
                    self.add(
                        "W1",
                        "warn",
                        sentence,
                        f"Hard word « {match.group(0)} ».",
                        f"Mot plus simple : {plain}.",
                    )

    def check_synonyms(self) -> None:
        masked = _mask(self.visible)
        for first, second in SYNONYMS:
            one = re.search(rf"(?<!\w)(?:{first})(?!\w)", masked, re.IGNORECASE)
            two = re.search(rf"(?<!\w)(?:{second})(?!\w)", masked, re.IGNORECASE)
            if one and two:
                self.add(
                    "W1",
                    "warn",
                    "",
                    f"Two words for one thing: « {one.group(0)} » and « {two.group(0)} ».",
                    "Gardez le même mot dans tout le message.",
                )

    # S3 -------------------------------------------------------------------------------------

    def check_reader(self) -> None:
        if not self.context.addressed or len(self.sentences) < 2:
            return
        pattern = _YOU[self.context.register]
        if not pattern.search(_mask(self.visible)):
            pronoun = "« vous »" if self.context.register == "vous" else "« tu »"
            self.add(
                "S3",
                "warn",
                "",
                f"The message does not talk to the reader ({pronoun}).",
                f"Parlez au lecteur avec {pronoun} : « Vous pouvez… ».",
            )
