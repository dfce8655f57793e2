"""`python -m bot check`: everything a deployment can get wrong, found before people meet it.

It validates the territory file, every flow (reachable steps, branches that end, known links),
every text against every catalog, and every button's callback data against Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.choice_sources import dynamic_choices
from bot.config import ConfigError, Territory, load_territory
from bot.engine import choice_data, nav_data, open_flow_data
from bot.flows import FLOWS_DIR, Flow, FlowError, load_flows, texts, validate
from bot.i18n import DOMAIN, LOCALES_DIR, SOURCE_LANGUAGE, Catalogs
from bot.plain.glossary import Glossary
from bot.plain.lint import LintContext, lint

ROOT = Path(__file__).resolve().parent.parent
MAX_CALLBACK_BYTES = 64
LARGEST_REVISION = 10**12 - 1
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def code_texts(package_dir: Path = ROOT / "bot") -> Iterator[tuple[str, int, str]]:
    """Translatable strings of the Python code: (file, line, text)."""
    for filename, line, message, _comments, _context in extract_from_dir(
        str(package_dir), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                yield f"bot/{filename}", line, text


def flow_texts(flows: dict[str, Flow]) -> Iterator[tuple[str, int, str]]:
    for flow in flows.values():
        for line, text in texts(flow):
            yield f"flows/{flow.path.name}", line, text


def check_catalogs(
    languages: tuple[str, ...], strings: list[tuple[str, int, str]], locales_dir: Path = LOCALES_DIR
) -> list[str]:
    problems = []
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            problems.append(
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: missing catalog for {lang!r}"
            )
            continue
        with path.open("rb") as handle:
            catalog: Catalog = read_po(handle, locale=lang, domain=DOMAIN)
        shown = set()
        for where, line, text in strings:
            if (text, lang) in shown:
                continue
            shown.add((text, lang))
            problem = _translation_problem(catalog, text)
            if problem:
                excerpt = text.splitlines()[0][:60]
                problems.append(f"{where}:{line}: {lang}: {problem}: {excerpt!r}")
    return problems


def _translation_problem(catalog: Catalog, text: str) -> str | None:
    message = catalog.get(text)
    if message is None:
        return "not in the catalog"
    if message.fuzzy:
        return "translation marked fuzzy"
    translated = message.string
    forms = translated if isinstance(translated, tuple | list) else (translated,)
    if not all(forms):
        return "not translated"
    wanted = set(PLACEHOLDER.findall(text))
    for form in forms:
        if set(PLACEHOLDER.findall(form)) != wanted:
            return f"translation must keep the placeholders {sorted(wanted)}"
    return None


def territory_texts(territory: Territory) -> Iterator[tuple[str, int, str]]:
    """The French texts of the territory file that people read (labels, explanations, numbers,
    meetings)."""
    where = territory.source.name
    for theme in territory.themes:
        yield f"{where} themes {theme.id!r}", 0, theme.label.get("fr")
    for body in territory.bodies:
        yield f"{where} bodies {body.id!r}", 0, body.explain.get("fr")
    for resource in territory.crisis_resources:
        yield f"{where} crisis_resources {resource.id!r}", 0, resource.label.get("fr")
        yield f"{where} crisis_resources {resource.id!r}", 0, resource.hours.get("fr")
    for series in territory.meeting_series:
        for text in (series.title, series.place, series.access, series.helper, series.agenda):
            if text is not None:
                yield f"{where} meetings {series.id!r}", 0, text.get("fr")
    yield f"{where} territory.reading_notice", 0, territory.reading_notice.get("fr")


def check_plain_language(
    strings: list[tuple[str, int, str]], glossary: Glossary
) -> tuple[list[str], list[str]]:
    """FALC lint of every French text: errors block, warnings are listed for human review.

    A text that is only a glossary term (a « CDU » button whose job is to explain CDU) is skipped.
    """
    errors: list[str] = []
    warnings: list[str] = []
    context = LintContext(glossary=glossary)
    seen: set[str] = set()
    for where, line, text in strings:
        if text in seen or text.strip() in glossary:
            continue
        seen.add(text)
        place = f"{where}:{line}" if line else where
        for finding in lint(text, context=context):
            excerpt = finding.sentence[:70]
            entry = f"{place}: FALC {finding.rule}: {finding.message} — {excerpt!r}"
            if finding.suggestion:
                entry += f" — proposal: {finding.suggestion}"
            (errors if finding.severity == "error" else warnings).append(entry)
    return errors, warnings


def check_callback_data(flows: dict[str, Flow], territory: Territory) -> list[str]:
    problems = []
    source_language = Catalogs((SOURCE_LANGUAGE,)).get(SOURCE_LANGUAGE)
    dynamic = {
        name: [value for value, _ in pairs]
        for name, pairs in dynamic_choices(territory, source_language).items()
    }
    for flow in flows.values():
        datas: list[tuple[str, str]] = []
        for step in flow.steps.values():
            for choice in step.choices:
                data = (
                    open_flow_data(choice.flow)
                    if choice.flow
                    else choice_data(LARGEST_REVISION, choice.value)
                )
                datas.append((f"step {step.id!r} choice {choice.value!r}", data))
            for value in dynamic.get(step.choices_from or "", []):
                datas.append(
                    (
                        f"step {step.id!r} {step.choices_from} {value!r}",
                        choice_data(LARGEST_REVISION, value),
                    )
                )
            if step.choices_from and not dynamic.get(step.choices_from):
                problems.append(
                    f"flows/{flow.path.name}: step {step.id!r}: the territory gives no {step.choices_from}"
                )
        for action in ("back", "pause", "stop"):
            datas.append((f"navigation {action!r}", nav_data(LARGEST_REVISION, action)))
        for where, data in datas:
            size = len(data.encode("utf-8"))
            if size > MAX_CALLBACK_BYTES:
                problems.append(
                    f"flows/{flow.path.name}: {where}: callback data is {size} bytes, Telegram allows {MAX_CALLBACK_BYTES}"
                )
    return problems


def run_check(
    config_path: Path,
    flows_dir: Path = FLOWS_DIR,
    locales_dir: Path = LOCALES_DIR,
    warnings_out: list[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Returns (problems, summary lines). No problem means the deployment is ready.

    FALC warnings (for a human reader to review) go to `warnings_out` when given.
    """
    problems: list[str] = []
    summary: list[str] = []
    territory = None
    try:
        territory = load_territory(config_path)
        summary.append(
            f"territory {territory.id}: {len(territory.themes)} themes, {len(territory.bodies)} bodies, "
            f"languages {', '.join(territory.languages)}"
        )
    except ConfigError as exc:
        problems.append(str(exc))
    flows: dict[str, Flow] = {}
    try:
        flows = load_flows(flows_dir)
        flow_problems = validate(flows)
        problems += flow_problems
        steps = sum(len(f.steps) for f in flows.values())
        summary.append(f"flows: {len(flows)} flows, {steps} steps")
    except FlowError as exc:
        problems.append(str(exc))
    if territory is not None and flows:
        problems += check_callback_data(flows, territory)
        strings = list(flow_texts(flows)) + list(code_texts())
        catalog_problems = check_catalogs(territory.languages, strings, locales_dir)
        problems += catalog_problems
        distinct = len({text for _, _, text in strings})
        others = [lang for lang in territory.languages if lang != SOURCE_LANGUAGE]
        summary.append(
            f"texts: {distinct} French texts, translated in {', '.join(others) or 'no other language'}"
        )
        lint_errors, lint_warnings = check_plain_language(
            strings + list(territory_texts(territory)), Glossary.load()
        )
        problems += lint_errors
        if warnings_out is not None:
            warnings_out += lint_warnings
        summary.append(
            f"plain language: 0 errors, {len(lint_warnings)} warnings for human review"
            if not lint_errors
            else f"plain language: {len(lint_errors)} errors, {len(lint_warnings)} warnings"
        )
    return problems, summary
