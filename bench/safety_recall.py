"""Report: how the crisis safety net does on the labelled set, and how fast it is.

Prints the number of messages; recall on crisis lines (goal 100 %) with every miss; the
false-alarm rate on near misses (goal ≤ 5 %) with every false alarm; recall per category
(the expected category among those found) with the lines where the net fired under another
category; then the mean and 99th percentile time of `detect` per message: for the whole set,
for its SMS-length messages, and for a message of Telegram's maximum length. Always exits 0: it is a report, the test enforces.

    .venv/bin/python bench/safety_recall.py [--set tests/data/crisis_set.tsv] [--rounds 50]

Line numbers (L12) are the file's own, so a miss can be opened directly in an editor.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.safety import CATEGORIES, Detection, Lexicon, detect  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "data" / "crisis_set.tsv"
RECALL_GOAL = 1.0
FALSE_ALARM_GOAL = 0.05
TYPICAL_LENGTH = 160  # an SMS-length message


@dataclass(frozen=True)
class Example:
    line: int
    label: str
    category: str
    text: str


def read_set(path: Path) -> list[Example]:
    """The TSV rows (label, category, text) with their line number in the file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    if header != ["label", "category", "text"]:
        raise SystemExit(f"{path}: header must be label, category, text (got {header})")
    return [Example(number, *row) for number, row in enumerate(body, start=2) if row]


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def timings(texts: list[str], rounds: int) -> list[float]:
    """Per-call times in microseconds, each call timed on its own (warm lexicon)."""
    samples: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for text in texts:
            start = clock()
            detect(text)
            samples.append((clock() - start) / 1000)
    return samples


def describe(samples: list[float]) -> str:
    p99 = statistics.quantiles(samples, n=100)[98]
    return f"mean {statistics.fmean(samples):.1f} µs, p99 {p99:.1f} µs ({len(samples)} calls)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled TSV file")
    parser.add_argument("--rounds", type=int, default=50, help="timing passes over the set")
    args = parser.parse_args()

    start = time.perf_counter()
    lexicon = Lexicon.load()
    load_ms = (time.perf_counter() - start) * 1000
    examples = read_set(args.set)
    results: list[tuple[Example, Detection]] = [(e, detect(e.text)) for e in examples]
    crisis = [(e, d) for e, d in results if e.label == "crisis"]
    near = [(e, d) for e, d in results if e.label == "near_miss"]
    other = [e for e in examples if e.label not in ("crisis", "near_miss")]

    print(f"Lexicon version {lexicon.version}, compiled in {load_ms:.0f} ms")
    print(f"Messages: {len(examples)} ({len(crisis)} crisis, {len(near)} near misses)")
    if other:
        print(f"  ignored, unknown label: {', '.join(f'L{e.line}' for e in other)}")

    misses = [e for e, d in crisis if not d.fired]
    recall = (len(crisis) - len(misses)) / len(crisis) if crisis else 0.0
    goal = "OK" if recall >= RECALL_GOAL else "BELOW GOAL"
    print(f"\nRecall on crisis lines: {percent(len(crisis) - len(misses), len(crisis))} [{goal}]")
    for e in misses:
        print(f"  missed L{e.line} [{e.category}]: {e.text}")

    alarms = [(e, d) for e, d in near if d.fired]
    rate = len(alarms) / len(near) if near else 0.0
    goal = "OK" if rate <= FALSE_ALARM_GOAL else "ABOVE GOAL"
    print(
        f"\nFalse alarms on near misses: {len(alarms)}/{len(near)} = {percent(len(alarms), len(near))} [{goal}]"
    )
    for e, d in alarms:
        print(f"  L{e.line} {','.join(d.categories)}: {e.text}")

    print("\nRecall per category (expected category among those found):")
    for name in CATEGORIES:
        lines = [(e, d) for e, d in crisis if e.category == name]
        found = [e for e, d in lines if name in d.categories]
        print(f"  {name:<18} {len(found):>3}/{len(lines):<3} {percent(len(found), len(lines))}")
    elsewhere = [(e, d) for e, d in crisis if d.fired and e.category not in d.categories]
    for e, d in elsewhere:
        print(f"  L{e.line} expected {e.category}, fired as {','.join(d.categories)}: {e.text}")
    imminent = [e for e, d in crisis if d.imminent]
    print(
        f"  imminent flag on {len(imminent)} crisis lines: {', '.join(f'L{e.line}' for e in imminent)}"
    )

    texts = [e.text for e in examples]
    print(
        f"\nTime per message, detect (set, {args.rounds} rounds): {describe(timings(texts, args.rounds))}"
    )
    typical = [t for t in texts if len(t) <= TYPICAL_LENGTH]
    print(
        f"Time per message, detect (the {len(typical)} messages of ≤ {TYPICAL_LENGTH} characters): "
        f"{describe(timings(typical, args.rounds))}"
    )
    longest = " ".join(texts)[:4096]  # Telegram's maximum message length
    print(f"Time per message, detect (4096 characters): {describe(timings([longest], 200))}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except SystemExit as stop:  # a bad set file: say so, still a report
        print(stop, file=sys.stderr)
    except Exception:  # e.g. a LexiconError: show it, the test suite is what fails the build
        traceback.print_exc()
    sys.exit(0)
