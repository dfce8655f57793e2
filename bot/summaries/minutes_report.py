"""The plain-language (FALC) report on meeting minutes, as /compte_rendu sends it back.

After a meeting a coordinator sends the minutes (a message, or a .txt/.md document). The
report says what will stop the readers of those minutes (falc.md §2): sentences of more than
12 and 15 words (S1), unexplained acronyms with the glossary's expansion (W3), hard words
(W1), numeric dates (W5b), negations (S4), then the Kandel–Moles and LIX scores (falc.md §4).
When the coordinator sends a corrected version, the report also shows the figures before and
after. A program cannot certify FALC (falc.md §1): the report helps a relecture, it does not
replace one, and it says so.

Nothing is re-implemented here: the findings come from :func:`bot.plain.lint.report`, the
counts from :func:`bot.plain.readability.counts`, sentences and words from
:mod:`bot.plain.text`. This module only reads the upload, flattens Markdown, gathers the
findings into a :class:`MinutesReport` and renders it as Telegram HTML.

**Counting convention** (falc.md §3, the one of :mod:`bot.plain`, so that every score can be
recomputed by hand):

- *sentence*: split on ``. ! ?`` followed by a space or the end, and on line breaks.
  Abbreviations (M., Mme., Dr., etc.), decimals, times (14h30) and ellipses do not end one.
  After :func:`read_minutes`, a line is a heading, a list item or a paragraph.
- *word*: a whitespace-separated token with a letter or a digit. An elided form
  (« l’hôpital »), a hyphenated compound (« fiches-actions ») and a run of digit groups
  (« 0 800 235 236 ») are 1 word each. « : », « ? », « « » are not words.
- *syllable*: the **written** convention of falc.md §5 (a final mute *e* counts:
  *ta-ble* = 2). A token with a digit counts 1. An acronym counts its vowel groups
  (« CoPil » = 2, « CDU » = 1), or 1 if it has none (« PTSM »).
- *long word* (LIX): more than 6 letters, without the elided clitic (« l’hôpital » = 7
  letters) and without hyphens or digits.

So ``kandel_moles`` is the *written* Kandel–Moles score. It runs about 15 points below the
spoken one: the advisory target with written counts is about 60 (falc.md §4), not 70.

The minutes are plain text, not Telegram HTML. They are escaped before the lint (which reads
HTML), so « <script> » or « R&D » is counted as written: never dropped as a tag or decoded
as an entity.
"""

from __future__ import annotations

import codecs
import html
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from bot.i18n import N_, Translator
from bot.plain.glossary import Entry, Glossary
from bot.plain.lint import AcronymNote, Finding, LintContext, report
from bot.plain.readability import counts
from bot.plain.text import normalize_apostrophes, sentences, words

__all__ = [
    "KM_TARGET",
    "LIX_TARGET",
    "MAX_BYTES",
    "MAX_ITEMS",
    "MAX_MESSAGE_LENGTH",
    "Acronym",
    "Advice",
    "MinutesReport",
    "Negation",
    "SentenceLength",
    "UnreadableMinutes",
    "analyse",
    "read_minutes",
    "render_report",
]

#: Telegram's limit for one text message (Bot API), counted in UTF-16 code units.
MAX_MESSAGE_LENGTH = 4096
#: A list shows this many items, then « Et N autres. »: the coordinator fixes the first ones
#: and sends the text again.
MAX_ITEMS = 10
#: A sentence up to this many words is quoted whole; a longer one by its first words.
QUOTE_WORDS = 25
#: How many words of a long sentence are quoted (never with « … »: rule S7).
START_WORDS = 10
#: No piece of the coordinator's text is quoted longer than this (before escaping), so an
#: item always fits in a message, even with a « word » of 10 000 letters.
MAX_QUOTE_CHARS = 300
#: Minutes are a few pages (30 000 bytes for 10 pages, analysed in about 0.25 s). The
#: analysis is synchronous, about 7 s per megabyte: a bigger upload is not minutes.
MAX_BYTES = 200_000
#: Advisory targets of falc.md §4 for *written* syllable counts (KM) and for LIX.
KM_TARGET = 60
LIX_TARGET = 40

#: The S1 thresholds (falc.md §2): more than 12 words, shorten if possible; more than 15,
#: change.
_SHORTEN_OVER = 12
_CHANGE_OVER = 15

_TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md", ".markdown"})
_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_LINE_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029\f\v]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1, less \t \n \v \f \r

# Markdown, line by line.
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_RULE_OR_UNDERLINE = re.compile(r"^\s*(?:=+|-+|(?:\*\s*){3,}|(?:_\s*){3,})\s*$")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
_BULLET = re.compile(r"^\s*(?:[-*+•–]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# Markdown, inside a line.
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image → its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [x](url) → x
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [x][ref] → x
    (re.compile(r"<((?:https?://|mailto:)[^>\s]+)>"), r"\1"),  # <https://…> → the address
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"), r"\1"),
)
_SENTENCE_END = re.compile(r"[.!?:;…]\W*$")

# The lint's findings quote what they found: « 12/03/2026 », « n' … pas ».
_QUOTED = re.compile(r"« (.+?) »")
_PLAIN_PREFIX = "Mot plus simple : "
_ELLIPSIS = " … "
# The lint's S4 markers, to place its findings: « ne » or « n' », and the « que » of « ne … que ».
_NE = re.compile(r"(?<!\w)(?:ne(?!\w)|n'(?!importe))", re.IGNORECASE)
_QUE = re.compile(r"(?<!\w)qu(?:e(?!\w)|')", re.IGNORECASE)


class UnreadableMinutes(ValueError):
    """The upload is not minutes the bot can read; ``reason`` tells the handler which reply.

    ``empty``: no word at all; ``binary``: not a text file (a PDF, a Word file, an image);
    ``format``: a file type other than .txt or .md; ``too_large``: more than :data:`MAX_BYTES`.
    """

    def __init__(
        self, reason: Literal["empty", "binary", "format", "too_large"], detail: str
    ) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SentenceLength:
    """One sentence of the minutes, as split by :func:`bot.plain.text.sentences`."""

    text: str
    words: int


@dataclass(frozen=True, slots=True)
class Acronym:
    """An acronym the minutes never explain, and what the glossary proposes.

    ``entries`` has 2 rows for an ambiguous acronym (MSP, ETP) and none for an unknown one,
    whose ``expansion`` is then None.
    """

    token: str
    entries: tuple[Entry, ...]

    @property
    def expansion(self) -> str | None:
        if not self.entries:
            return None
        return " ou ".join(entry.expansion for entry in self.entries)


@dataclass(frozen=True, slots=True)
class Advice:
    """A word or an abbreviation to change, and the lint's plain-French proposal."""

    text: str
    advice: str


@dataclass(frozen=True, slots=True)
class Negation:
    """A negation (S4): the fragment « ne dispose d’aucun », in its sentence.

    ``double`` marks a sentence with 2 negations or more (an error in falc.md §2).
    """

    sentence: str
    fragment: str
    double: bool


@dataclass(frozen=True, slots=True)
class MinutesReport:
    """Everything the coordinator is told about one version of the minutes.

    ``over_12`` holds every sentence of more than 12 words, so it includes ``over_15`` (as
    :class:`bot.plain.lint.LintReport` does); :attr:`to_shorten` is the 13-to-15 part.
    The scores are kept as computed and rounded only when displayed.
    """

    sentence_lengths: tuple[SentenceLength, ...]
    over_12: tuple[SentenceLength, ...]
    over_15: tuple[SentenceLength, ...]
    acronyms: tuple[Acronym, ...]
    abbreviations: tuple[Advice, ...]
    hard_words: tuple[Advice, ...]
    numeric_dates: tuple[str, ...]
    negations: tuple[Negation, ...]
    words: int
    sentences: int
    syllables: int
    long_words: int
    kandel_moles: float
    lix: float

    @property
    def to_shorten(self) -> tuple[SentenceLength, ...]:
        """Sentences of 13 to 15 words: to shorten if possible (S1 warning)."""
        longest = set(self.over_15)
        return tuple(sentence for sentence in self.over_12 if sentence not in longest)

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences


# --- Reading the upload ----------------------------------------------------------------------


def read_minutes(filename: str | None, data: bytes) -> str:
    """The plain text of uploaded minutes, ready for :func:`analyse`.

    ``filename`` is None for a pasted message or a document without a name. The bytes are
    UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark, or else
    Windows-1252 (Word's « Texte brut » on a French Windows), and latin-1 as a last resort.
    Markdown is flattened to plain lines (see :func:`_flatten_markdown`); line endings become
    ``\\n``. Raises :class:`UnreadableMinutes` for an empty, binary, too large or non-text file.
    """
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix not in _TEXT_SUFFIXES and suffix[1:].isalpha():
        raise UnreadableMinutes("format", f"{filename!r}: only .txt and .md files are read")
    if len(data) > MAX_BYTES:
        raise UnreadableMinutes("too_large", f"{len(data)} bytes: more than {MAX_BYTES}")
    text = _decode(data)
    text = _flatten_markdown(_normalise(text))
    if not words(text):
        raise UnreadableMinutes("empty", "no word in the minutes")
    return text


def _decode(data: bytes) -> str:
    """Bytes → text, refusing what is not text (NUL bytes, file signatures, control codes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableMinutes("binary", "broken UTF-16 text") from error
    else:
        if data.startswith(_MAGIC) or b"\x00" in data:
            raise UnreadableMinutes("binary", "not a text file")
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text or len(_CONTROL.findall(text)) * 100 > len(text):
        raise UnreadableMinutes("binary", "not a text file")
    return text


def _normalise(text: str) -> str:
    """NFC, ``\\n`` line endings, no stray control codes: one form for every regex."""
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff")
    text = _LINE_BREAKS.sub("\n", text)
    return _CONTROL.sub("", text)


def _flatten_markdown(text: str) -> str:
    """Markdown → one plain line per heading, list item, table cell or paragraph.

    Headings, bullets, numbers of ordered lists, quote marks, rules, code fences and
    table separators are dropped; **bold**, _italic_, `code` and ~~strike~~ keep their words;
    links keep their text. A line that continues the previous one (the previous line does
    not end a sentence and this one starts in lower case, as in a hard-wrapped e-mail) is
    joined to it, so a wrapped sentence is counted as one sentence. Plain text goes through
    unchanged, except for that joining.
    """
    lines: list[str] = []
    joinable = False  # may the next line continue the last one?
    for raw in text.split("\n"):
        if _FENCE.match(raw) or _TABLE_SEPARATOR.match(raw) or _RULE_OR_UNDERLINE.match(raw):
            joinable = False
            continue
        heading = _ATX_HEADING.match(raw)
        cells: list[str]
        if heading:
            cells, standalone = [heading.group(1)], True
        elif _TABLE_ROW.match(raw):
            cells, standalone = raw.strip().strip("|").split("|"), True
        else:
            line = _QUOTE_MARK.sub("", raw)
            bullet = _BULLET.match(line)
            if bullet:
                line = line[bullet.end() :]
            cells, standalone = [line], False
            stripped = line.strip()
            if joinable and not bullet and stripped[:1].islower():
                lines[-1] = f"{lines[-1]} {_inline(stripped)}"
                joinable = not _SENTENCE_END.search(lines[-1])
                continue
        for cell in cells:
            lines.append(_inline(cell.strip()))
        joinable = not standalone and bool(lines[-1]) and not _SENTENCE_END.search(lines[-1])
    return "\n".join(lines).strip()


def _inline(line: str) -> str:
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return line


# --- Analysis --------------------------------------------------------------------------------


def analyse(text: str, glossary: Glossary | None = None) -> MinutesReport:
    """The FALC report on ``text`` (plain text, e.g. from :func:`read_minutes`).

    ``glossary`` defaults to the bundled one. Raises :class:`UnreadableMinutes` (``empty``)
    for a text without words, since no score exists for it.
    """
    text = _normalise(text)
    if not words(text):
        raise UnreadableMinutes("empty", "no word in the minutes")
    context = LintContext(glossary=glossary or Glossary.load(), addressed=False)
    source = html.escape(text, quote=False)
    linted = report(source, context=context)
    counted = counts(source)
    lengths = tuple(SentenceLength(s, len(words(s))) for s in sentences(source))
    over_12 = set(linted.sentences_over_12)
    over_15 = set(linted.sentences_over_15)
    findings = linted.findings
    return MinutesReport(
        sentence_lengths=lengths,
        over_12=tuple(sentence for sentence in lengths if sentence.text in over_12),
        over_15=tuple(sentence for sentence in lengths if sentence.text in over_15),
        acronyms=_acronyms(linted.acronyms, context, text),
        abbreviations=_advice(findings, "W3", "Abbreviation", text),
        hard_words=_advice(findings, "W1", "Hard word", text),
        numeric_dates=tuple(
            dict.fromkeys(
                date
                for finding in findings
                if finding.rule == "W5b" and finding.message.startswith("Numeric date")
                for date in _QUOTED.findall(finding.message)
            )
        ),
        negations=_negations(findings),
        words=counted.words,
        sentences=counted.sentences,
        syllables=counted.syllables_written,
        long_words=counted.long_words,
        kandel_moles=counted.kandel_moles(),
        lix=counted.lix(),
    )


def _acronyms(notes: Iterable[AcronymNote], context: LintContext, text: str) -> tuple[Acronym, ...]:
    """The lint's W3 acronym errors: notes neither explained nor allow-listed, in text order."""
    found = [
        Acronym(note.token, note.entries)
        for note in notes
        if not note.explained and note.token.upper() not in context.allow
    ]
    return tuple(sorted(found, key=lambda acronym: _position(text, acronym.token)))


def _position(text: str, token: str) -> int:
    """Where ``token`` first stands in ``text``: the lint reports rule by rule, the coordinator
    reads in text order. The lint quotes with ASCII apostrophes (« dans le cadre d'une »)."""
    token = re.escape(normalize_apostrophes(token))
    match = re.search(rf"(?<!\w){token}(?!\w)", normalize_apostrophes(text))
    return match.start() if match else len(text)


def _advice(findings: Iterable[Finding], rule: str, kind: str, text: str) -> tuple[Advice, ...]:
    """Hard words (W1) or abbreviations (W3) with the lint's proposal, each once.

    The lint reports each token once per text, quoted in its message: « Hard word « afin ». »
    with the suggestion « Mot plus simple : « pour ». ».
    """
    found: list[Advice] = []
    for finding in findings:
        if finding.rule != rule or not finding.message.startswith(kind):
            continue
        quoted = _QUOTED.search(finding.message)
        if quoted is None:
            continue
        advice = (finding.suggestion or "").removeprefix(_PLAIN_PREFIX).removesuffix(".")
        found.append(Advice(quoted.group(1), advice))
    return tuple(sorted(found, key=lambda item: _position(text, item.text)))


def _negations(findings: Iterable[Finding]) -> tuple[Negation, ...]:
    """Each S4 finding's negations, as the fragments of the sentence that carry them."""
    found: list[Negation] = []
    for finding in findings:
        if finding.rule != "S4":
            continue
        markers = _QUOTED.findall(finding.message)
        double = finding.severity == "error"
        for fragment in _fragments(finding.sentence, markers):
            found.append(Negation(finding.sentence, fragment, double))
    return tuple(found)


def _fragments(sentence: str, markers: Sequence[str]) -> list[str]:
    """Where the lint's markers (« n' … pas », « sans ») stand in the sentence.

    « ne … pas » → from « ne » to « pas » (« ne dispose d’aucun »), looked for as the lint
    does: up to the next « ne » or « n' », and before a « que » (« ne … que » restricts).
    « sans » or « non » → that word and the next one (« sans explication »). A marker that
    cannot be placed (it does not happen with the lint's markers) gives the sentence start.
    """
    normal = normalize_apostrophes(sentence)
    if len(normal) != len(sentence):  # not NFC (analyse normalises): offsets would differ
        normal = sentence
    starts = list(_NE.finditer(normal))
    fragments: list[str] = []
    for marker in markers:
        if _ELLIPSIS in marker:
            first, last = marker.lower().split(_ELLIPSIS, 1)
            forclusive = re.compile(rf"(?<!\w){re.escape(last)}(?!\w)", re.IGNORECASE)
            for index, start in enumerate(starts):
                if start.group(0).lower() != first:
                    continue
                stop = starts[index + 1].start() if index + 1 < len(starts) else len(normal)
                restriction = _QUE.search(normal, start.end(), stop)
                end = forclusive.search(
                    normal, start.end(), restriction.start() if restriction else stop
                )
                if end:
                    fragments.append(sentence[start.start() : end.end()])
        else:
            pattern = re.compile(rf"(?<!\w){re.escape(marker)}(?!\w)(?:\s+[\w'-]+)?", re.I)
            fragments.extend(sentence[m.start() : m.end()] for m in pattern.finditer(normal))
    if markers and not fragments:
        fragments.append(_head(sentence, START_WORDS))
    return list(dict.fromkeys(fragments))


# --- Rendering -------------------------------------------------------------------------------

_KM_BANDS: tuple[tuple[float, str], ...] = (
    (90, N_("Selon ce score, votre texte est très facile à lire.")),
    (80, N_("Selon ce score, votre texte est facile à lire.")),
    (70, N_("Selon ce score, votre texte est assez facile à lire.")),
    (60, N_("Selon ce score, votre texte a une difficulté moyenne.")),
    (50, N_("Selon ce score, votre texte est assez difficile à lire.")),
    (30, N_("Selon ce score, votre texte est difficile à lire.")),
    (-math.inf, N_("Selon ce score, votre texte est très difficile à lire.")),
)
# LIX bands (falc.md §4): < 30 very easy, 30–40 easy, 40–50 medium, 50–60 difficult, > 60.
_LIX_BANDS: tuple[tuple[float, str], ...] = (
    (30, _KM_BANDS[0][1]),
    (40, _KM_BANDS[1][1]),
    (50, _KM_BANDS[3][1]),
    (60, _KM_BANDS[5][1]),
    (math.inf, _KM_BANDS[6][1]),
)

Section = list[str]  # blocks: the first holds the title and the first item, never split


def render_report(
    report: MinutesReport, t: Translator, *, before: MinutesReport | None = None
) -> list[str]:
    """The report as Telegram HTML messages, in plain French (or ``t``'s language).

    Messages, in order: the overview (and, with ``before``, the figures before and after);
    the long sentences; the acronyms and abbreviations; the hard words, numeric dates and
    negations; the scores. A message never exceeds :data:`MAX_MESSAGE_LENGTH`: a long list goes
    on in the next message, between 2 items. Every piece of the coordinator's text is
    escaped; our own sentences have at most 12 words, one per line.
    """
    groups: list[list[Section]] = [
        [_overview(report, t), _comparison(before, report, t) if before else []],
        [
            _sentence_section(
                report.over_15, t(N_("<b>Phrases de plus de 15 mots : à changer</b>")), t
            ),
            _sentence_section(
                report.to_shorten,
                t(N_("<b>Phrases de 13 à 15 mots : à raccourcir si possible</b>")),
                t,
            ),
        ],
        [_acronym_section(report.acronyms, t), _abbreviation_section(report.abbreviations, t)],
        [
            _list_section(
                t(N_("<b>Mots difficiles</b>")),
                t(N_("Remplacez ces mots par des mots simples.")),
                [
                    t(N_("<b>{word}</b> : {advice}")).format(
                        word=_escape(item.text), advice=_escape(item.advice)
                    )
                    for item in report.hard_words
                ],
                t,
            ),
            _list_section(
                t(N_("<b>Dates en chiffres</b>")),
                t(N_("Écrivez la date en entier, par exemple « mardi 14 mars 2028 ».")),
                [t(N_("« {quote} »")).format(quote=_escape(d)) for d in report.numeric_dates],
                t,
            ),
            _list_section(
                t(N_("<b>Négations</b>")),
                t(N_("Dites la même chose à la forme positive.")),
                [
                    t(N_("« {quote} »")).format(quote=_escape(_head(n.fragment, START_WORDS)))
                    for n in report.negations
                ],
                t,
            ),
        ],
        [_scores(report, t)],
    ]
    return _pack(groups)


def _overview(report: MinutesReport, t: Translator) -> Section:
    """The most important first (falc.md O1): how many problems of each kind."""
    lines = [
        t(N_("<b>Relecture de votre compte rendu</b>")),
        _count(
            t, report.sentences, N_("Votre texte a 1 phrase."), N_("Votre texte a {n} phrases.")
        ),
    ]
    if report.over_15:
        lines.append(
            _count(
                t,
                len(report.over_15),
                N_("Votre texte a 1 phrase de plus de 15 mots. Coupez-la en phrases courtes."),
                N_("Votre texte a {n} phrases de plus de 15 mots. Coupez-les en phrases courtes."),
            )
        )
    if report.to_shorten:
        lines.append(
            _count(
                t,
                len(report.to_shorten),
                N_("Votre texte a 1 phrase de 13 à 15 mots. Raccourcissez-la si possible."),
                N_("Votre texte a {n} phrases de 13 à 15 mots. Raccourcissez-les si possible."),
            )
        )
    if not report.over_12:
        lines.append(t(N_("Toutes vos phrases ont 12 mots ou moins.")))
    elif not report.over_15:
        lines.append(t(N_("Toutes vos phrases ont 15 mots ou moins.")))
    counted = (
        (report.acronyms, N_("1 sigle est à expliquer."), N_("{n} sigles sont à expliquer.")),
        (
            report.abbreviations,
            N_("1 abréviation est à écrire en entier."),
            N_("{n} abréviations sont à écrire en entier."),
        ),
        (report.hard_words, N_("1 mot est difficile."), N_("{n} mots sont difficiles.")),
        (
            report.numeric_dates,
            N_("1 date est écrite en chiffres."),
            N_("{n} dates sont écrites en chiffres."),
        ),
        (report.negations, N_("Votre texte a 1 négation."), N_("Votre texte a {n} négations.")),
    )
    details = [_count(t, len(items), one, many) for items, one, many in counted if items]
    lines.extend(details)
    if details or report.over_12:
        lines.append(t(N_("Les messages suivants donnent les détails.")))
    else:
        lines.append(t(N_("Le robot trouve 0 point à corriger.")))
    return ["\n".join(lines)]


def _comparison(before: MinutesReport, after: MinutesReport, t: Translator) -> Section:
    """Figures of the previous version next to this one's, so corrections show."""
    rows = (
        (N_("Phrases de plus de 15 mots : {before} avant, {after} après."), "over_15"),
        (N_("Phrases de 13 à 15 mots : {before} avant, {after} après."), "to_shorten"),
        (N_("Sigles à expliquer : {before} avant, {after} après."), "acronyms"),
        (N_("Abréviations : {before} avant, {after} après."), "abbreviations"),
        (N_("Mots difficiles : {before} avant, {after} après."), "hard_words"),
        (N_("Dates en chiffres : {before} avant, {after} après."), "numeric_dates"),
        (N_("Négations : {before} avant, {after} après."), "negations"),
    )
    lines = [t(N_("<b>Avant et après vos corrections</b>"))]
    for template, name in rows:
        lines.append(
            t(template).format(before=len(getattr(before, name)), after=len(getattr(after, name)))
        )
    lines.append(
        t(N_("Score de Kandel et Moles : {before} avant, {after} après.")).format(
            before=_score(before.kandel_moles), after=_score(after.kandel_moles)
        )
    )
    lines.append(
        t(N_("Score de Björnsson : {before} avant, {after} après.")).format(
            before=_score(before.lix), after=_score(after.lix)
        )
    )
    return ["\n".join(lines)]


def _sentence_section(items: Sequence[SentenceLength], title: str, t: Translator) -> Section:
    """Long sentences, quoted whole if short enough, else by their first words (no « … »)."""
    lines = []
    for sentence in items:
        if sentence.words <= QUOTE_WORDS and len(sentence.text) <= MAX_QUOTE_CHARS:
            line = t(N_("{words} mots : « {sentence} »")).format(
                words=sentence.words, sentence=_escape(sentence.text)
            )
        else:
            line = t(N_("{words} mots, la phrase commence par « {start} »")).format(
                words=sentence.words, start=_escape(_head(sentence.text, START_WORDS))
            )
        lines.append(line)
    return _list_section(title, None, lines, t)


def _acronym_section(acronyms: Sequence[Acronym], t: Translator) -> Section:
    """Each acronym with the glossary's expansion and plain explanation, ready to paste."""
    items = []
    for acronym in acronyms:
        token = _escape(acronym.token)
        if not acronym.entries:
            items.append(
                t(N_("<b>{acronym}</b> : sigle inconnu, écrivez les mots en entier")).format(
                    acronym=token
                )
            )
            continue
        if len(acronym.entries) == 1:
            entry = acronym.entries[0]
            lines = [
                t(N_("<b>{acronym}</b> : écrivez « {expansion} »")).format(
                    acronym=token, expansion=_escape(entry.expansion)
                ),
                t(N_("Vous pouvez ajouter : {explanation}")).format(
                    explanation=_escape(entry.plain_explanation)
                ),
            ]
        else:
            lines = [t(N_("<b>{acronym}</b> : ce sigle a plusieurs sens.")).format(acronym=token)]
            for entry in acronym.entries:
                lines.append(
                    t(N_("Écrivez « {expansion} » si c'est le bon sens.")).format(
                        expansion=_escape(entry.expansion)
                    )
                )
        items.append("\n".join(lines))
    return _list_section(
        t(N_("<b>Sigles à expliquer</b>")),
        t(N_("Écrivez les mots en entier, au moins la première fois.")),
        items,
        t,
    )


def _abbreviation_section(abbreviations: Sequence[Advice], t: Translator) -> Section:
    return _list_section(
        t(N_("<b>Abréviations</b>")),
        t(N_("Écrivez ces mots en entier.")),
        [
            t(N_("<b>{word}</b> : {advice}")).format(
                word=_escape(item.text), advice=_escape(item.advice)
            )
            for item in abbreviations
        ],
        t,
    )


def _scores(report: MinutesReport, t: Translator) -> Section:
    """Both scores with a plain reading of what they mean and what to aim for."""
    lines = [
        t(N_("<b>Scores de lecture</b>")),
        t(N_("Vos phrases ont en moyenne {n} mots.")).format(n=_score(report.words_per_sentence)),
        t(N_("Score de Kandel et Moles : <b>{score}</b>.")).format(
            score=_score(report.kandel_moles)
        ),
        t(N_("Plus ce score est haut, plus le texte est facile.")),
        t(N_("Pour un texte facile à lire, visez {target} ou plus.")).format(target=KM_TARGET),
        t(_band(report.kandel_moles, _KM_BANDS, higher_is_easier=True)),
        t(N_("Score de Björnsson : <b>{score}</b>.")).format(score=_score(report.lix)),
        t(N_("Plus ce score est bas, plus le texte est facile.")),
        t(N_("Pour un texte facile à lire, visez {target} ou moins.")).format(target=LIX_TARGET),
        t(_band(report.lix, _LIX_BANDS, higher_is_easier=False)),
        t(N_("Ces 2 scores mesurent seulement la longueur des mots et des phrases.")),
        t(N_("Faites aussi relire votre texte par ses lecteurs.")),
    ]
    return ["\n".join(lines)]


def _band(value: float, bands: Sequence[tuple[float, str]], *, higher_is_easier: bool) -> str:
    """The falc.md §4 reading of a score: KM bands are lower bounds, LIX bands upper bounds."""
    for bound, text in bands:
        if (value >= bound) if higher_is_easier else (value < bound):
            return text
    return bands[-1][1]


def _list_section(title: str, intro: str | None, items: Sequence[str], t: Translator) -> Section:
    """Title, intro and items, at most :data:`MAX_ITEMS` of them, then « Et N autres. »."""
    if not items:
        return []
    shown = list(items[:MAX_ITEMS])
    rest = len(items) - len(shown)
    if rest:
        shown.append(_count(t, rest, N_("Et 1 autre."), N_("Et {n} autres.")))
    head = "\n".join(part for part in (title, intro, shown[0]) if part)
    return [head, *shown[1:]]


def _pack(groups: Sequence[Sequence[Section]]) -> list[str]:
    """Messages: one per group, a group's sections separated by a blank line, split between
    blocks when a message would exceed :data:`MAX_MESSAGE_LENGTH`."""
    messages: list[str] = []
    for group in groups:
        current = ""
        for section in group:
            for index, block in enumerate(section):
                separator = "" if not current else "\n" if index else "\n\n"
                if current and _length(current + separator + block) > MAX_MESSAGE_LENGTH:
                    messages.append(current)
                    current = block
                else:
                    current += separator + block
        if current:
            messages.append(current)
    return messages


def _length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _count(t: Translator, n: int, one: str, many: str) -> str:
    """« 1 phrase a … » or « 3 phrases ont … »: ``one`` and ``many`` are ``N_`` msgids."""
    return t(one) if n == 1 else t(many).format(n=n)


def _score(value: float) -> str:
    """A score or an average as a whole number, rounded half up (falc.md quotes « ≈ 85 »)."""
    return str(math.floor(value + 0.5))


def _head(text: str, max_words: int) -> str:
    """The first ``max_words`` words of ``text``, as written, at most :data:`MAX_QUOTE_CHARS`."""
    kept: list[str] = []
    seen = 0
    for token in text.split():
        if seen == max_words:
            break
        kept.append(token)
        seen += any(char.isalnum() for char in token)
    head = " ".join(kept)
    if len(head) > MAX_QUOTE_CHARS:
        cut = head.rfind(" ", 0, MAX_QUOTE_CHARS + 1)
        head = head[: cut if cut > 0 else MAX_QUOTE_CHARS]
    return head.rstrip(" ,;:–-(«")


def _escape(text: str) -> str:
    """The coordinator's text (or the glossary's) inside our HTML, clipped and escaped."""
    if len(text) > MAX_QUOTE_CHARS:
        text = _head(text, len(text))
    return html.escape(text, quote=False)
