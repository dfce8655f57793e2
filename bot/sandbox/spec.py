"""Checking requests and served objects against the Bot API 10.0 spec (``api-10.0.json``).

The sandbox is only useful if it fails where Telegram would: every request the bot sends is
decoded the way Telegram decodes it and checked against ``methods[name].fields``, and every
object the sandbox serves is checked against ``types[T]`` so PTB's ``de_json`` never sees
something Telegram would not send. The few limits that live only in the spec's prose
(text length, callback_data bytes, keyboard size, ...) are enforced by hand in
:meth:`BotApiSpec.check_limits`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.sandbox.formatting import EntityParseError, parse_text

__all__ = ["BotApiSpec", "FileUpload", "get_spec"]

SPEC_PATH = Path(__file__).with_name("api-10.0.json")

_PRIMITIVES = {"Integer", "Float", "Boolean", "String", "True", "InputFile"}
_DISCRIMINATOR = re.compile(r'(?:always|must be)\s+"?([a-z0-9_]+)"?\s*$')
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_INT = re.compile(r"^-?\d+$")

# Limits that the spec only states in prose.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100
MAX_BUTTONS_PER_ROW = 8
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
MAX_COMMAND_DESCRIPTION = 256
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass(frozen=True)
class FileUpload:
    """One multipart file part, as the bot uploaded it."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"FileUpload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def _type_name(value: object) -> str:
    """Spec-style name of a decoded value's type, for error messages."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, FileUpload):
        return "InputFile"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    if value is None:
        return "null"
    return type(value).__name__


class BotApiSpec:
    """The Bot API spec, indexed for fast lookups. Use :func:`get_spec` for the cached one."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self.methods: dict[str, dict[str, Any]] = dict(data["methods"])
        self.types: dict[str, dict[str, Any]] = dict(data["types"])
        self._by_lower = {name.lower(): name for name in self.methods}
        self._method_fields = {
            name: {f["name"]: f for f in m.get("fields", [])} for name, m in self.methods.items()
        }
        self._type_fields = {
            name: {f["name"]: f for f in t.get("fields", [])} for name, t in self.types.items()
        }
        # For union members: the field whose value picks the member, e.g. scope "type": "chat".
        self._discriminators: dict[str, tuple[str, str]] = {}
        for name, t in self.types.items():
            fields = t.get("fields") or []
            if fields and fields[0]["name"] in ("type", "status", "source"):
                m = _DISCRIMINATOR.search(fields[0]["description"])
                if m:
                    self._discriminators[name] = (fields[0]["name"], m.group(1))

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> BotApiSpec:
        """Read and index a spec file (~850 KB; prefer the cached :func:`get_spec`)."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    # -- lookups --------------------------------------------------------------------------

    def canonical_method(self, name: str) -> str | None:
        """Spec spelling of a method name; Telegram matches method names case-insensitively."""
        return self._by_lower.get(name.lower())

    def method_fields(self, method: str) -> dict[str, dict[str, Any]]:
        """Fields of a method by name (empty for unknown methods)."""
        canonical = self.canonical_method(method)
        return self._method_fields[canonical] if canonical else {}

    def type_fields(self, type_name: str) -> dict[str, dict[str, Any]]:
        """Fields of an object type by name."""
        return self._type_fields.get(type_name, {})

    # -- decoding -------------------------------------------------------------------------

    def decode_params(self, method: str, raw: Mapping[str, str | bytes | FileUpload]) -> dict:
        """Decode form/multipart values the way Telegram does, per the field's spec types.

        PTB JSON-encodes every non-string value and sends strings raw, so a ``String`` field
        must stay raw (``text=123`` is the string "123"), ``Integer or String`` (chat_id) is an
        int when it looks like one, and everything else is JSON-decoded. Values that fail to
        decode are kept as strings so that :meth:`check_request` reports the type error.
        """
        fields = self.method_fields(method)
        out: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, FileUpload):
                out[name] = value
                continue
            if isinstance(value, bytes):
                value = value.decode("utf-8", errors="replace")
            spec_field = fields.get(name)
            types = spec_field["types"] if spec_field else []
            out[name] = self._decode_value(types, value)
        return out

    @staticmethod
    def _decode_value(types: Sequence[str], value: str) -> Any:
        if types and all(t == "String" for t in types):
            return value
        if "String" in types:
            if "Integer" in types and _INT.match(value):
                return int(value)
            return value
        if types == ["Boolean"] and value.lower() in ("true", "false"):
            return value.lower() == "true"
        try:
            return json.loads(value)
        except ValueError:
            return value

    # -- structural checks ----------------------------------------------------------------

    def check_request(self, method: str, params: Mapping[str, Any]) -> list[str]:
        """Problems Telegram would answer with 400 (or 404 for an unknown method).

        ``params`` are decoded values (see :meth:`decode_params`; JSON bodies are already
        typed). An empty list means the request is valid, including the prose-only limits.
        """
        canonical = self.canonical_method(method)
        if canonical is None:
            return ["Not Found: method not found"]
        fields = self._method_fields[canonical]
        attached = _attach_names(params)
        problems: list[str] = []
        for name, value in params.items():
            spec_field = fields.get(name)
            if spec_field is None:
                if isinstance(value, FileUpload) and name in attached:
                    continue  # multipart part referenced as attach://name
                problems.append(f'Bad Request: parameter "{name}" is unknown')
                continue
            for p in self._check_value(spec_field["types"], value, name):
                # Top-level names are "parameters" in Telegram's wording, nested ones "fields".
                if p.startswith(f'field "{name}" '):
                    p = "parameter" + p[len("field") :]
                problems.append(f"Bad Request: {p}")
        for name, spec_field in fields.items():
            if not spec_field["required"]:
                continue
            if name == "text" and params.get(name) == "":
                problems.append("Bad Request: message text is empty")
            elif name not in params or params[name] in ("", None):
                problems.append(f"Bad Request: {name} is required")
        if not problems:
            problems.extend(self.check_limits(canonical, params))
        return problems

    def check_object(self, type_name: str, obj: Any) -> list[str]:
        """Problems with an object the sandbox serves (required/unknown fields, types)."""
        return [f"{type_name}: {p}" for p in self._check_one(type_name, obj, "")]

    def check_result(self, method: str, result: Any) -> list[str]:
        """Problems with a method's result against its spec ``returns`` types."""
        canonical = self.canonical_method(method)
        returns = self.methods[canonical].get("returns", []) if canonical else []
        if not returns:
            return []
        return [f"{canonical} result: {p}" for p in self._check_value(returns, result, "")]

    def _check_value(self, types: Sequence[str], value: Any, path: str) -> list[str]:
        """Check ``value`` against alternatives ``types``; [] if any alternative fits."""
        results: list[tuple[str, list[str]]] = []
        for t in types:
            problems = self._check_one(t, value, path)
            if not problems:
                return []
            results.append((t, problems))
        # Report against the alternatives of the same shape (object vs list vs primitive),
        # choosing the one with the fewest problems: the most likely intended type.
        # A union member whose discriminator ("type": "chat") matches wins over the others.
        shaped = [(t, p) for t, p in results if self._same_shape(t, value)]
        if shaped:
            return min(shaped, key=lambda tp: (self._mismatch(tp[0], value), len(tp[1])))[1]
        where = f'field "{path}"' if path else "value"
        return [f"{where} must be {' or '.join(types)}, not {_type_name(value)}"]

    def _mismatch(self, t: str, value: Any) -> bool:
        """True if ``value`` names another union member than ``t`` (or one of its subtypes)."""
        candidates = self.types.get(t, {}).get("subtypes") or [t]
        discs = [self._discriminators[c] for c in candidates if c in self._discriminators]
        if not discs or not isinstance(value, dict):
            return False
        return not any(value.get(key) == expected for key, expected in discs)

    def _same_shape(self, t: str, value: Any) -> bool:
        if t.startswith("Array of "):
            return isinstance(value, list)
        if t not in _PRIMITIVES:
            return isinstance(value, dict)
        return False

    def _check_one(self, t: str, value: Any, path: str) -> list[str]:
        where = f'field "{path}"' if path else "value"
        if t.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where} must be {t}, not {_type_name(value)}"]
            inner = t[len("Array of ") :]
            out: list[str] = []
            for i, item in enumerate(value):
                out.extend(self._check_one(inner, item, f"{path}[{i}]"))
            return out
        if t in _PRIMITIVES:
            ok = {
                "Integer": isinstance(value, int) and not isinstance(value, bool),
                "Float": isinstance(value, int | float) and not isinstance(value, bool),
                "Boolean": isinstance(value, bool),
                "True": value is True,
                "String": isinstance(value, str),
                "InputFile": isinstance(value, FileUpload),
            }[t]
            return [] if ok else [f"{where} must be {t}, not {_type_name(value)}"]
        spec_type = self.types.get(t)
        if spec_type is None:
            return [f"{where} has unknown type {t}"]
        if spec_type.get("subtypes"):
            return self._check_value(spec_type["subtypes"], value, path)
        if not isinstance(value, dict):
            return [f"{where} must be {t}, not {_type_name(value)}"]
        return self._check_fields(t, value, path)

    def _check_fields(self, t: str, value: dict[str, Any], path: str) -> list[str]:
        fields = self._type_fields[t]
        prefix = f"{path}." if path else ""
        problems: list[str] = []
        disc = self._discriminators.get(t)
        if disc and disc[0] in value and value[disc[0]] != disc[1]:
            problems.append(f'field "{prefix}{disc[0]}" must be "{disc[1]}" for {t}')
        for key, item in value.items():
            spec_field = fields.get(key)
            if spec_field is None:
                problems.append(f'field "{prefix}{key}" is unknown in {t}')
                continue
            problems.extend(self._check_value(spec_field["types"], item, f"{prefix}{key}"))
        for key, spec_field in fields.items():
            if spec_field["required"] and key not in value:
                problems.append(f'field "{prefix}{key}" is required in {t}')
        return problems

    # -- hand-enforced limits -------------------------------------------------------------

    def check_limits(self, method: str, params: Mapping[str, Any]) -> list[str]:
        """Limits written only in the spec's prose; assumes the structure already checked."""
        problems: list[str] = []
        m = method.lower()
        if m in ("sendmessage", "editmessagetext"):
            problems.extend(_check_text(params, "text", "message text", MAX_TEXT, minimum=1))
        if "caption" in self.method_fields(method):
            problems.extend(_check_text(params, "caption", "message caption", MAX_CAPTION))
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            problems.extend(check_reply_markup(markup))
        if m == "answercallbackquery":
            text = params.get("text")
            if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER:
                problems.append("Bad Request: MESSAGE_TOO_LONG")
        if m == "setmycommands":
            commands = params.get("commands")
            if isinstance(commands, list):
                if len(commands) > 100:
                    problems.append("Bad Request: too many commands")
                for cmd in commands:
                    if not _COMMAND.match(str(cmd.get("command", ""))):
                        problems.append("Bad Request: BOT_COMMAND_INVALID")
                    desc = str(cmd.get("description", "")).strip()
                    if not 1 <= len(desc) <= MAX_COMMAND_DESCRIPTION:
                        problems.append("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        if m == "setmydescription":
            desc = params.get("description")
            if isinstance(desc, str) and len(desc) > MAX_DESCRIPTION:
                problems.append("Bad Request: BOT_ABOUT_INVALID")
        if m == "setmyshortdescription":
            desc = params.get("short_description")
            if isinstance(desc, str) and len(desc) > MAX_SHORT_DESCRIPTION:
                problems.append("Bad Request: BOT_ABOUT_INVALID")
        if m == "getupdates":
            limit = params.get("limit")
            if isinstance(limit, int) and not 1 <= limit <= 100:
                # Telegram clamps rather than refusing; flag it anyway: it is a bot bug.
                problems.append("Bad Request: limit must be between 1 and 100")
        return problems


def _attach_names(params: Mapping[str, Any]) -> set[str]:
    """Names of multipart parts referenced as ``attach://name`` anywhere in the params."""
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and value.startswith("attach://"):
            names.add(value[len("attach://") :])
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(dict(params))
    return names


def _check_text(
    params: Mapping[str, Any], key: str, label: str, maximum: int, minimum: int = 0
) -> list[str]:
    """Length of the *visible* text after entity parsing, as Telegram measures it."""
    text = params.get(key)
    if not isinstance(text, str):
        return []
    parse_mode = params.get("parse_mode")
    entities = params.get("entities" if key == "text" else "caption_entities")
    try:
        visible, _ = parse_text(
            text,
            parse_mode if isinstance(parse_mode, str) else None,
            entities if isinstance(entities, list) else None,
        )
    except EntityParseError as err:
        return [f"Bad Request: can't parse entities: {err}"]
    except ValueError:
        return ["Bad Request: unsupported parse_mode"]
    if len(visible) < minimum:
        return [f"Bad Request: {label} is empty"]
    if len(visible) > maximum:
        too_long = "message caption is too long" if key == "caption" else "message is too long"
        return [f"Bad Request: {too_long}"]
    return []


def check_reply_markup(markup: Mapping[str, Any]) -> list[str]:
    """Inline keyboard rules: 1-64 byte callback_data, one action per button, size limits."""
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return []
    problems: list[str] = []
    total = 0
    for row in rows:
        if not isinstance(row, list):
            continue
        total += len(row)
        if len(row) > MAX_BUTTONS_PER_ROW:
            problems.append("Bad Request: too many buttons in a row")
        for button in row:
            if not isinstance(button, dict):
                continue
            if not str(button.get("text", "")).strip():
                problems.append("Bad Request: BUTTON_TEXT_INVALID")
            actions = [a for a in _INLINE_ACTIONS if a in button]
            if not actions:
                problems.append("Bad Request: text buttons are unallowed in the inline keyboard")
            elif len(actions) > 1:
                problems.append("Bad Request: BUTTON_TYPE_INVALID")
            data = button.get("callback_data")
            if isinstance(data, str) and not 1 <= len(data.encode("utf-8")) <= (
                MAX_CALLBACK_DATA_BYTES
            ):
                problems.append("Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if isinstance(url, str) and not re.match(r"^(https?|tg)://\S+$", url):
                problems.append("Bad Request: BUTTON_URL_INVALID")
    if total > MAX_BUTTONS:
        problems.append("Bad Request: reply markup is too long")
    return problems


@functools.cache
def get_spec() -> BotApiSpec:
    """The packaged Bot API 10.0 spec, loaded once per process."""
    return BotApiSpec.load()
