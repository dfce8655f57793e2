"""Scoring the crisis net on a labelled set: recall and false alarms per sign, level and style.

A set is a TSV file (or a gzip of one) with the columns `label sign level style text`:
`label` is `crisis` or `near_miss`; for a crisis, `level` is `full` (a clear danger) or
`gentle` (a possible sign); for a near miss it is `none`. A detector gives each message a
level: `full`, `gentle` or `none`.

- **caught**: a crisis answered at its level or above (`full` needs the full answer);
- **answered**: a crisis answered at any level (the 3114 at least);
- **explicit at full**: the `full` crisis messages answered in full;
- **false alarms**: near misses answered in full; **gentle lines**: near misses answered gently.

Only figures leave this module: a blind set's texts are never printed.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ["label", "sign", "level", "style", "text"]
LEVELS = ("none", "gentle", "full")
RANK = {name: index for index, name in enumerate(LEVELS)}


@dataclass(frozen=True)
class Example:
    source: str
    line: int
    label: str
    sign: str
    level: str
    style: str
    text: str


def read_set(path: Path) -> list[Example]:
    """The rows of one set file, with their line numbers; a wrong header is an error."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    rows = list(
        csv.reader(io.StringIO(raw.decode("utf-8")), delimiter="\t", quoting=csv.QUOTE_NONE)
    )
    if not rows or rows[0] != COLUMNS:
        raise SystemExit(f"{path.name}: the header must be {' '.join(COLUMNS)}")
    examples = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise SystemExit(f"{path.name}: line {number}: {len(row)} fields, 5 expected")
        examples.append(Example(path.name, number, *row))
    return examples


def read_sets(paths: Iterable[Path]) -> list[Example]:
    return [example for path in paths for example in read_set(path)]


@dataclass(frozen=True)
class Scored:
    example: Example
    got: str  # the level the detector answered
    signs: tuple[str, ...] = ()

    @property
    def caught(self) -> bool:
        return RANK[self.got] >= RANK[self.example.level]

    @property
    def answered(self) -> bool:
        return self.got != "none"


def score(
    examples: list[Example], detect: Callable[[str], tuple[str, tuple[str, ...]]]
) -> list[Scored]:
    results = []
    for example in examples:
        level, signs = detect(example.text)
        results.append(Scored(example, level, signs))
    return results


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "  n/a  "


@dataclass(frozen=True)
class Figures:
    """The headline figures of one run, comparable across runs."""

    crisis: int
    near: int
    caught: int
    answered: int
    full_total: int
    full_at_full: int
    false_alarms: int
    gentle_lines: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def figures(results: list[Scored]) -> Figures:
    crisis = [r for r in results if r.example.label == "crisis"]
    near = [r for r in results if r.example.label == "near_miss"]
    full = [r for r in crisis if r.example.level == "full"]
    return Figures(
        crisis=len(crisis),
        near=len(near),
        caught=sum(r.caught for r in crisis),
        answered=sum(r.answered for r in crisis),
        full_total=len(full),
        full_at_full=sum(r.got == "full" for r in full),
        false_alarms=sum(r.got == "full" for r in near),
        gentle_lines=sum(r.got == "gentle" for r in near),
    )


def headline(f: Figures) -> list[str]:
    return [
        f"recall (caught at its level)   {pct(f.caught, f.crisis)}  ({f.caught}/{f.crisis})",
        f"answered (3114 at least)       {pct(f.answered, f.crisis)}  ({f.answered}/{f.crisis})",
        f"explicit danger at full        {pct(f.full_at_full, f.full_total)}  ({f.full_at_full}/{f.full_total})",
        f"false alarms (full)            {pct(f.false_alarms, f.near)}  ({f.false_alarms}/{f.near})",
        f"gentle line on near misses     {pct(f.gentle_lines, f.near)}  ({f.gentle_lines}/{f.near})",
    ]


def breakdown(results: list[Scored], key: str) -> list[str]:
    """One line per value of `key` (sign, level or style): crisis recall, near-miss alarms."""
    lines = []
    values = sorted({getattr(r.example, key) for r in results})
    for value in values:
        rows = [r for r in results if getattr(r.example, key) == value]
        crisis = [r for r in rows if r.example.label == "crisis"]
        near = [r for r in rows if r.example.label == "near_miss"]
        parts = [f"  {value:<18}"]
        if crisis:
            caught = sum(r.caught for r in crisis)
            answered = sum(r.answered for r in crisis)
            parts.append(
                f"crisis {caught:>3}/{len(crisis):<3} caught {pct(caught, len(crisis))}, "
                f"answered {pct(answered, len(crisis))}"
            )
        if near:
            full = sum(r.got == "full" for r in near)
            gentle = sum(r.got == "gentle" for r in near)
            parts.append(
                f"near misses {len(near):>3}: full {pct(full, len(near))}, gentle {pct(gentle, len(near))}"
            )
        lines.append("  ".join(parts))
    return lines
