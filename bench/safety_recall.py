"""Report: how the crisis safety net does on the open set and on the blind set, and how fast.

    .venv/bin/python bench/safety_recall.py [--rounds 20]

For each set: recall (a crisis answered at its level), messages answered at any level (the
3114 at least), explicit dangers answered in full, false alarms (a near miss interrupted) and
gentle lines on near misses; then the same per sign, per level and per style. The open set
(`tests/data/crisis_set.tsv`, for tuning) lists every miss and false alarm with its text. The
blind set (`tests/data/blind/*.tsv.gz`, written by helper sessions that never saw the lexicon)
prints figures only: whoever tunes the lexicon never reads it. Beside them, the blind figures
of the detector before any tuning on that set (`bench/results/safety_before.json`, recorded
with `--record-before <commit>`). Then the time per message: the set, SMS-length messages,
and Telegram's longest message (4,096 characters), and the time to compile the lexicon.

Always exits 0: it is a report; the test suite holds the regression goals.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from safety_scoring import (  # noqa: E402
    Figures,
    Scored,
    breakdown,
    figures,
    headline,
    pct,
    read_sets,
    score,
)

OPEN_SET = ROOT / "tests" / "data" / "crisis_set.tsv"
BLIND_DIR = ROOT / "tests" / "data" / "blind"
BEFORE = ROOT / "bench" / "results" / "safety_before.json"
GOALS = {"recall": 0.95, "false_alarms": 0.05, "gentle_lines": 0.15}
TYPICAL_LENGTH = 160

# Run inside an older checkout: reads the texts as JSON on stdin, prints levels (no text).
_OLD_RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from bot.safety import detect
out = []
for text in json.load(sys.stdin):
    d = detect(text)
    level = getattr(d, "level", None)
    if level is None:
        out.append("full" if d.fired else "none")
    else:
        out.append(["none", "gentle", "full"][int(level)])
print(json.dumps(out))
"""


def blind_paths() -> list[Path]:
    return sorted(BLIND_DIR.glob("*.tsv.gz"))


def current_detector():
    from bot.safety import detect

    def run(text: str) -> tuple[str, tuple[str, ...]]:
        found = detect(text)
        return found.level.name.lower(), found.signs

    return run


def goal_marks(f: Figures) -> str:
    marks = []
    if f.crisis:
        ok = f.caught / f.crisis >= GOALS["recall"]
        marks.append(f"recall {'OK' if ok else 'BELOW GOAL'} (≥ {GOALS['recall']:.0%})")
    if f.near:
        ok = f.false_alarms / f.near <= GOALS["false_alarms"]
        marks.append(f"false alarms {'OK' if ok else 'ABOVE GOAL'} (≤ {GOALS['false_alarms']:.0%})")
        ok = f.gentle_lines / f.near <= GOALS["gentle_lines"]
        marks.append(f"gentle lines {'OK' if ok else 'ABOVE GOAL'} (≤ {GOALS['gentle_lines']:.0%})")
    return "; ".join(marks)


def report(title: str, results: list[Scored], *, show_texts: bool) -> Figures:
    f = figures(results)
    print(f"\n== {title}: {f.crisis + f.near} messages ({f.crisis} crisis, {f.near} near misses)")
    for line in headline(f):
        print("  " + line)
    print("  " + goal_marks(f))
    for key in ("sign", "level", "style"):
        print(f" per {key}:")
        for line in breakdown(results, key):
            print(line)
    if show_texts:
        missed = [r for r in results if r.example.label == "crisis" and not r.caught]
        alarms = [r for r in results if r.example.label == "near_miss" and r.got != "none"]
        print(" missed (crisis under its level):")
        for r in missed:
            e = r.example
            print(f"  L{e.line} [{e.sign}/{e.level}/{e.style}] got {r.got}: {e.text}")
        print(" alarms on near misses:")
        for r in alarms:
            e = r.example
            print(f"  L{e.line} [{e.sign}/{e.style}] got {r.got} {','.join(r.signs)}: {e.text}")
    return f


def print_before(current: Figures | None) -> None:
    if not BEFORE.exists():
        print("\n(no figures recorded before tuning: bench/results/safety_before.json is missing)")
        return
    data = json.loads(BEFORE.read_text(encoding="utf-8"))
    before = Figures(**data["figures"])
    print(
        f"\n== Blind set before any tuning on it (detector of commit {data['commit'][:10]}, "
        f"recorded {data['recorded']}; {data['note']})"
    )
    for line in headline(before):
        print("  " + line)
    for line in data["per_sign"]:
        print(line)
    if current is not None and before.crisis:
        print(
            f"  now: recall {pct(current.caught, current.crisis).strip()} "
            f"(before {pct(before.caught, before.crisis).strip()}), false alarms "
            f"{pct(current.false_alarms, current.near).strip()} "
            f"(before {pct(before.false_alarms, before.near).strip()})"
        )


def timings(texts: list[str], rounds: int) -> str:
    from bot.safety import detect

    samples: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for text in texts:
            start = clock()
            detect(text)
            samples.append((clock() - start) / 1e6)
    p99 = statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]
    return f"mean {statistics.fmean(samples):.2f} ms, p99 {p99:.2f} ms, max {max(samples):.2f} ms ({len(samples)} calls)"


def record_before(commit: str) -> None:
    """Scores the blind set with the detector of an older commit and writes the figures."""
    examples = read_sets(blind_paths())
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "bot"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run(
            [sys.executable, "-c", _OLD_RUNNER, tmp],
            input=json.dumps([e.text for e in examples]),
            capture_output=True,
            text=True,
            check=True,
        )
    levels = json.loads(done.stdout)
    results = [Scored(e, level) for e, level in zip(examples, levels, strict=True)]
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    BEFORE.parent.mkdir(parents=True, exist_ok=True)
    BEFORE.write_text(
        json.dumps(
            {
                "commit": sha,
                "recorded": time.strftime("%Y-%m-%d"),
                "note": "one level only then: every detection interrupted, counted as full",
                "figures": figures(results).as_dict(),
                "per_sign": breakdown(results, "sign"),
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"recorded {BEFORE.relative_to(ROOT)} from {sha[:10]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timing passes over the open set")
    parser.add_argument("--record-before", metavar="COMMIT", help="score the blind set at COMMIT")
    args = parser.parse_args()
    if args.record_before:
        record_before(args.record_before)
        return 0

    start = time.perf_counter()
    from bot.safety import Lexicon

    lexicon = Lexicon.load()
    compile_ms = (time.perf_counter() - start) * 1000
    print(
        f"Lexicon version {lexicon.version}: {len(lexicon.signs)} signs, compiled in {compile_ms:.0f} ms"
    )
    detect = current_detector()
    open_set = read_sets([OPEN_SET])
    report("Open set (tuning)", score(open_set, detect), show_texts=True)
    blind = read_sets(blind_paths())
    current = None
    if blind:
        current = report("Blind set (figures only)", score(blind, detect), show_texts=False)
    else:
        print("\n(no blind set found under tests/data/blind)")
    print_before(current)

    texts = [e.text for e in open_set]
    print(f"\nTime per message, the open set ({args.rounds} rounds): {timings(texts, args.rounds)}")
    short = [t for t in texts if len(t) <= TYPICAL_LENGTH]
    print(
        f"Time per message, its {len(short)} messages of ≤ {TYPICAL_LENGTH} characters: {timings(short, args.rounds)}"
    )
    longest = (" ".join(texts) * 3)[:4096]
    print(f"Time per message, 4,096 characters (Telegram's maximum): {timings([longest], 50)}")
    print(f"Compiling the lexicon (once, at start): {compile_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    try:
        main()
    except SystemExit as stop:
        if stop.code not in (0, None):
            print(stop, file=sys.stderr)
    sys.exit(0)
