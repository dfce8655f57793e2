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

from bot.config import ConfigError, Territory, load_territory
from bot.engine import choice_data, nav_data, open_flow_data
from bot.flows import FLOWS_DIR, Flow, FlowError, load_flows, texts, validate
from bot.i18n import DOMAIN, LOCALES_DIR, SOURCE_LANGUAGE

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


def check_callback_data(flows: dict[str, Flow], territory: Territory) -> list[str]:
    problems = []
    dynamic = {
        "themes": [t.id for t in territory.themes],
        "languages": list(territory.languages),
        "establishments": [e.id for e in territory.establishments],
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
    config_path: Path, flows_dir: Path = FLOWS_DIR, locales_dir: Path = LOCALES_DIR
) -> tuple[list[str], list[str]]:
    """Returns (problems, summary lines). No problem means the deployment is ready."""
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
    return problems, summary
