"""Flows as data: the YAML files in `flows/` turned into plain objects, and their validation.

A coordinator changes a question's wording or adds a choice by editing a YAML file; the one
engine (`bot.engine`) runs any flow. The format is documented in the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.choice_sources import SOURCES

ROOT = Path(__file__).resolve().parent.parent
FLOWS_DIR = ROOT / "flows"

ASK_KINDS = ("none", "choice", "text", "date", "time")
DYNAMIC_CHOICES = SOURCES  # the territory's lists a choice step can show (bot.choice_sources)
ACTIONS = (
    "create_submission",
    "set_language",
    "make_letter",
    "show_followup",
    "explain_word",
    "create_relay",
    "create_collective",
    "show_cases",
    "case_answer",
    "case_ask",
    "case_forward",
    "case_agenda",
    "case_close",
    "case_author_reply",
    "case_reopen",
    "meeting_summary",
    "meeting_facts",
    "create_meeting",
    "update_meeting",
    "cancel_meeting",
    "show_meetings",
    "follow_body",
    "unfollow_body",
    "set_reminders",
    "minutes_report",
    "minutes_preview",
    "publish_minutes",
)
THEN_TARGETS = ("menu", "resume")
VALUE_RE = re.compile(r"^[a-z0-9_-]{1,24}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
STEP_KEYS = {
    "say",
    "ask",
    "choices",
    "choices_from",
    "save",
    "next",
    "voice",
    "max_length",
    "format",
    "documents",
    "dates",
    "do",
    "with",
    "end",
    "then",
}
FLOW_KEYS = {
    "flow",
    "title",
    "start",
    "steps",
    "draft",
    "navigation",
    "command",
    "safety_expected",
    "requires",
    "carry",
    "entries",
}
ROLES = ("pair_aidant", "coordinator")
SAFETY_CATEGORIES = (
    "suicide",
    "violence_received",
    "child_at_risk",
    "third_party",
    "staff_abuse",
)
CHOICE_KEYS = {"value", "label", "explain", "next", "flow", "when"}
FLAGS = (
    "situations_body",
    "pair_aidant",
    "coordinator",
    "series",
)  # conditions a choice may depend on (`when:`): territory, roles, or set by an action
TEXT_KEYS = ("say", "label", "explain", "title")
DEFAULT_MAX_LENGTH = 3000


class FlowError(Exception):
    """A flow file that cannot be used; the message says file, place and problem in one line."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    explain: str | None = None
    next: str | None = None
    flow: str | None = None
    when: str | None = None  # shown only when this territory flag is true


@dataclass(frozen=True)
class Step:
    id: str
    line: int
    say: str | None = None
    ask: str = "none"
    choices: tuple[Choice, ...] = ()
    choices_from: str | None = None
    save: str | None = None
    next: str | None = None
    voice: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    do: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    end: bool = False
    then: str | None = None
    future_dates: bool = False  # a date step offering today and later days (`dates: future`)
    format: str | None = None  # a text step whose answer must be a web link (`format: url`)
    documents: bool = False  # a text step that also takes a .txt or .md file (minutes)

    @property
    def waits(self) -> bool:
        """A step that waits for the person's answer (as opposed to one that only speaks)."""
        return self.ask != "none"

    def targets(self) -> list[str]:
        """Steps this one can lead to, in the same flow."""
        found = [self.next] if self.next else []
        found += [c.next for c in self.choices if c.next]
        return found


@dataclass(frozen=True)
class Flow:
    id: str
    title: str
    start: str
    steps: dict[str, Step]
    path: Path
    draft: bool = True
    navigation: bool = True
    command: str | None = None
    # Crisis-net categories this flow exists to receive (a complaint about restraint is
    # `staff_abuse`): a detection made only of these does not interrupt the flow.
    safety_expected: frozenset[str] = frozenset()
    requires: str | None = None  # a role the person must have to open this flow
    # Answers a choice opening another flow takes along (words typed at the menu), and steps
    # the service may start at instead of `start`.
    carry: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def step_saving(self, key: str) -> Step | None:
        return next((s for s in self.steps.values() if s.save == key), None)


def _format(raw: dict[str, Any], where: str) -> str | None:
    value = raw.get("format")
    if value not in (None, "url"):
        raise FlowError(f"{where}.format: only « url » is known")
    if value and raw.get("ask") != "text":
        raise FlowError(f"{where}.format: only a text step has a format")
    return value


def _dates(raw: dict[str, Any], where: str) -> bool:
    value = raw.get("dates", "past")
    if value not in ("past", "future"):
        raise FlowError(f"{where}.dates: « past » or « future » is expected")
    return value == "future"


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FlowError(f"{where}: a non-empty text is expected")
    return value.strip()


def _parse_step(step_id: str, raw: Any, where: str, line: int) -> Step:
    if not isinstance(raw, dict):
        raise FlowError(f"{where}: a step must be a mapping of keys")
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise FlowError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(STEP_KEYS))})"
        )
    ask = raw.get("ask", "none")
    if ask not in ASK_KINDS:
        raise FlowError(f"{where}.ask: {ask!r} is not one of {', '.join(ASK_KINDS)}")
    choices = []
    for index, item in enumerate(raw.get("choices") or []):
        cwhere = f"{where}.choices[{index}]"
        if not isinstance(item, dict):
            raise FlowError(f"{cwhere}: a choice must be a mapping with value and label")
        unknown = set(item) - CHOICE_KEYS
        if unknown:
            raise FlowError(f"{cwhere}: unknown key {sorted(unknown)[0]!r}")
        value = str(item.get("value", item.get("flow", "")))
        if not VALUE_RE.match(value):
            raise FlowError(f"{cwhere}.value: {value!r} must be 1 to 24 of a-z 0-9 _ -")
        choices.append(
            Choice(
                value=value,
                label=_text(item.get("label"), f"{cwhere}.label"),
                explain=_text(item["explain"], f"{cwhere}.explain") if "explain" in item else None,
                next=item.get("next"),
                flow=item.get("flow"),
                when=item.get("when"),
            )
        )
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH)
    if not isinstance(max_length, int) or not 1 <= max_length <= 3500:
        raise FlowError(f"{where}.max_length: a whole number from 1 to 3500 is expected")
    params = raw.get("with") or {}
    if not isinstance(params, dict):
        raise FlowError(f"{where}.with: a mapping is expected")
    return Step(
        id=step_id,
        line=line,
        say=_text(raw["say"], f"{where}.say") if "say" in raw else None,
        ask=ask,
        choices=tuple(choices),
        choices_from=raw.get("choices_from"),
        save=raw.get("save"),
        next=raw.get("next"),
        voice=bool(raw.get("voice", False)),
        max_length=max_length,
        future_dates=_dates(raw, where),
        format=_format(raw, where),
        documents=bool(raw.get("documents", False)),
        do=raw.get("do"),
        params=dict(params),
        end=bool(raw.get("end", False)),
        then=raw.get("then"),
    )


def load_flow(path: Path) -> Flow:
    """Reads one flow file; raises FlowError for what makes it unreadable."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise FlowError(f"{name}: cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FlowError(f"{name}: {where}: invalid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise FlowError(f"{name}: the file must be a mapping with flow, start and steps")
    unknown = set(raw) - FLOW_KEYS
    if unknown:
        raise FlowError(
            f"{name}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(FLOW_KEYS))})"
        )
    for key in ("flow", "start", "steps"):
        if key not in raw:
            raise FlowError(f"{name}: missing key {key!r}")
    flow_id = str(raw["flow"])
    if not ID_RE.match(flow_id):
        raise FlowError(f"{name}: flow: {flow_id!r} must be a short lower-case id")
    steps_raw = raw["steps"]
    if not isinstance(steps_raw, dict) or not steps_raw:
        raise FlowError(f"{name}: steps: a mapping of step ids to steps is expected")
    lines = _step_lines(node)
    steps = {}
    for step_id, step_raw in steps_raw.items():
        step_id = str(step_id)
        if not ID_RE.match(step_id):
            raise FlowError(f"{name}: step {step_id!r}: ids are short lower-case words")
        line = lines.get(step_id, 0)
        where = f"{name}: line {line}: step {step_id!r}"
        steps[step_id] = _parse_step(step_id, step_raw, where, line)
    return Flow(
        id=flow_id,
        title=_text(raw.get("title", flow_id), f"{name}: title"),
        start=str(raw["start"]),
        steps=steps,
        path=path,
        draft=bool(raw.get("draft", True)),
        navigation=bool(raw.get("navigation", True)),
        command=raw.get("command"),
        safety_expected=_safety_expected(raw.get("safety_expected", []), name),
        requires=_role(raw.get("requires"), name),
        carry=_names(raw.get("carry", []), name, "carry"),
        entries=_names(raw.get("entries", []), name, "entries"),
    )


def _names(value: Any, name: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and ID_RE.match(v) for v in value):
        raise FlowError(f"{name}: {key}: a list of short lower-case ids is expected")
    return tuple(value)


def _role(value: Any, name: str) -> str | None:
    if value is not None and value not in ROLES:
        raise FlowError(f"{name}: requires: {value!r} is not one of {', '.join(ROLES)}")
    return value


def _safety_expected(value: Any, name: str) -> frozenset[str]:
    if not isinstance(value, list) or any(v not in SAFETY_CATEGORIES for v in value):
        raise FlowError(
            f"{name}: safety_expected: a list among {', '.join(SAFETY_CATEGORIES)} is expected"
        )
    if "suicide" in value:
        raise FlowError(f"{name}: safety_expected: 'suicide' always gets the help numbers first")
    return frozenset(value)


def _step_lines(node: yaml.Node | None) -> dict[str, int]:
    """Line numbers of each step, so messages can point at the right place in the file."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        if getattr(key, "value", None) == "steps" and isinstance(value, yaml.MappingNode):
            return {k.value: k.start_mark.line + 1 for k, _ in value.value}
    return {}


def load_flows(directory: Path = FLOWS_DIR) -> dict[str, Flow]:
    """Every flow of the directory, keyed by id; raises FlowError on the first unreadable file."""
    flows: dict[str, Flow] = {}
    for path in sorted(directory.glob("*.yaml")):
        flow = load_flow(path)
        if flow.id in flows:
            raise FlowError(
                f"{path.name}: flow id {flow.id!r} is already used by {flows[flow.id].path.name}"
            )
        flows[flow.id] = flow
    if not flows:
        raise FlowError(f"{directory}: no flow file (*.yaml) found")
    return flows


def validate(flows: dict[str, Flow]) -> list[str]:
    """Problems that make a flow wrong though readable: unreachable steps, dead ends, bad links."""
    problems: list[str] = []
    for flow in flows.values():
        name = flow.path.name
        if flow.start not in flow.steps:
            problems.append(f"{name}: start: {flow.start!r} is not a step")
            continue
        for entry in flow.entries:
            if entry not in flow.steps:
                problems.append(f"{name}: entries: {entry!r} is not a step")
        targets = {c.flow for s in flow.steps.values() for c in s.choices if c.flow}
        for target in sorted(t for t in targets if t in flows):
            saved = {s.save for s in flows[target].steps.values() if s.ask == "text"}
            for key in flow.carry:
                if key not in saved:
                    problems.append(
                        f"{name}: carry: {flows[target].path.name} has no text step saving {key!r}"
                    )
        for step in flow.steps.values():
            where = f"{name}: line {step.line}: step {step.id!r}"
            problems += _check_step(flow, step, flows, where)
        reachable = _reachable(flow)
        for step in flow.steps.values():
            if step.id not in reachable:
                problems.append(
                    f"{name}: line {step.line}: step {step.id!r} is never reached from {flow.start!r}"
                )
        ending = _can_end(flow)
        for step_id in sorted(reachable - ending):
            step = flow.steps[step_id]
            problems.append(
                f"{name}: line {step.line}: step {step_id!r} never leads to an end (a loop with no way out)"
            )
    return problems


def _check_step(flow: Flow, step: Step, flows: dict[str, Flow], where: str) -> list[str]:
    problems = []
    for target in step.targets():
        if target not in flow.steps:
            problems.append(f"{where}: leads to {target!r}, which is not a step of this flow")
    if step.end and step.waits:
        problems.append(f"{where}: an end step cannot wait for an answer")
    if step.then and not step.end:
        problems.append(f"{where}: 'then' only goes on an end step")
    if step.then and step.then not in THEN_TARGETS and step.then not in flows:
        problems.append(
            f"{where}: then: {step.then!r} is neither {' nor '.join(THEN_TARGETS)} nor a flow"
        )
    if step.do and step.do not in ACTIONS:
        problems.append(f"{where}: do: unknown action {step.do!r} (known: {', '.join(ACTIONS)})")
    if not step.waits and not step.end and not step.next:
        problems.append(f"{where}: a step that asks nothing needs 'next' or 'end: true'")
    if step.waits and not step.say:
        problems.append(f"{where}: a step that asks needs a 'say' text")
    if step.ask == "choice":
        if not step.choices and not step.choices_from:
            problems.append(f"{where}: a choice step needs choices or choices_from")
        if step.choices_from and step.choices_from not in DYNAMIC_CHOICES:
            problems.append(
                f"{where}: choices_from: {step.choices_from!r} is not one of {', '.join(DYNAMIC_CHOICES)}"
            )
        values = [c.value for c in step.choices]
        if len(values) != len(set(values)):
            problems.append(f"{where}: two choices have the same value")
        for choice in step.choices:
            if choice.flow and choice.flow not in flows:
                problems.append(
                    f"{where}: choice {choice.value!r} opens flow {choice.flow!r}, which does not exist"
                )
            if choice.when and choice.when not in FLAGS:
                problems.append(
                    f"{where}: choice {choice.value!r}: when: unknown flag {choice.when!r} (known: {', '.join(FLAGS)})"
                )
            if not (choice.next or choice.flow or step.next):
                problems.append(
                    f"{where}: choice {choice.value!r} leads nowhere (give it next or flow)"
                )
    elif step.ask in ("text", "date", "time") and not step.next:
        problems.append(f"{where}: a {step.ask} step needs 'next'")
    if step.ask not in ("choice", "text") and (step.choices or step.choices_from):
        problems.append(f"{where}: choices only go on a choice or text step")
    if step.ask == "text" and step.choices_from:
        problems.append(f"{where}: a text step takes fixed choices only")
    if step.voice and step.ask != "text":
        problems.append(f"{where}: voice: true only goes on a text step")
    if step.documents and step.ask != "text":
        problems.append(f"{where}: documents: true only goes on a text step")
    return problems


def _reachable(flow: Flow) -> set[str]:
    seen, todo = set(), [flow.start, *(e for e in flow.entries if e in flow.steps)]
    while todo:
        current = todo.pop()
        if current in seen or current not in flow.steps:
            continue
        seen.add(current)
        todo += flow.steps[current].targets()
    return seen


def _can_end(flow: Flow) -> set[str]:
    """Steps from which some path reaches an end (an end step, or a choice opening a flow)."""
    ending = {s.id for s in flow.steps.values() if s.end or any(c.flow for c in s.choices)}
    changed = True
    while changed:
        changed = False
        for step in flow.steps.values():
            if step.id not in ending and any(t in ending for t in step.targets()):
                ending.add(step.id)
                changed = True
    return ending


def texts(flow: Flow) -> Iterator[tuple[int, str]]:
    """Every translatable text of a flow with its line: what catalogs must translate."""
    yield 0, flow.title
    for step in flow.steps.values():
        if step.say:
            yield step.line, step.say
        for choice in step.choices:
            yield step.line, choice.label
            if choice.explain:
                yield step.line, choice.explain


def extract_flow_texts(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor for flow files (declared in babel.cfg): `pybabel extract` sees them."""
    node = yaml.compose(fileobj.read().decode("utf-8"))
    yield from _walk_texts(node)


def _walk_texts(node: yaml.Node | None) -> Iterator[tuple[int, None, str, list[str]]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) in TEXT_KEYS and isinstance(value, yaml.ScalarNode):
                text = str(value.value).strip()
                if text:
                    yield key.start_mark.line + 1, None, text, []
            else:
                yield from _walk_texts(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk_texts(item)
