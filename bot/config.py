"""The territory file and the environment, turned into typed, frozen objects.

Everything local to a deployment (bodies, themes, routing, crisis numbers, retention) is data
in one TOML file edited by an admin who is not necessarily a programmer. A mistake in that
file must come back as ONE line naming the file, the place and the problem, never as a
traceback. The loader therefore validates everything up front and stops at the first error.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "territories" / "exemple-hauts-de-seine.toml"
DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DB = Path("porte-voix.db")

BODY_KINDS = ("cdu", "ptsm_group", "clsm_commission", "gem", "cssm", "triage")
SUBMISSION_KINDS = ("avis", "reclamation", "idee", "situation")
CHANNELS = ("call", "sms", "chat", "call_sms")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_MEETING_MINUTES = 120
ANY = "*"

# Ids end up in Telegram callback data (64 bytes max) and in logs: keep them short and plain.
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
# A phone number or short code as people dial it: digits, spaces, an optional leading +.
NUMBER_RE = re.compile(r"^\+?[0-9][0-9 ]*$")
# A time of day as people write it in a config file: "09:00", "9:00", "18:30" (24 h).
CLOCK_RE = re.compile(r"^(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])$")
# A web address people can open: https only, no spaces.
HTTPS_RE = re.compile(r"^https://[^\s/]+\S*$")
_TOML_WHERE_RE = re.compile(
    r"^(?P<what>.*) \(at (?P<where>line \d+, column \d+|end of document)\)$"
)


class ConfigError(Exception):
    """One line: '<file>: <where>: <what is wrong>' — printed as is, never a traceback."""

    def __init__(self, file: Path | str, where: str, what: str) -> None:
        self.file = _one_line(str(file))
        self.where = _one_line(where)
        self.what = _one_line(what)
        super().__init__(self.file, self.where, self.what)

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.what}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- environment


@dataclass(frozen=True)
class Settings:
    """Process settings from the environment; the token may be absent for check/demo."""

    token: str | None = field(repr=False)  # never print the token in logs or tracebacks
    api_url: str
    db_path: Path
    config_path: Path
    stt: str | None = None  # PORTEVOIX_STT: a local speech-to-text engine (bot.safety.transcriber)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read the variables; empty values count as unset."""
        token = environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        api_url = (environ.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL).rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(
                "environment",
                "TELEGRAM_API_URL",
                f"expected an address starting with http:// or https://, got {api_url!r}",
            )
        if api_url.endswith("/bot"):
            raise ConfigError(
                "environment",
                "TELEGRAM_API_URL",
                f"give the root of the Bot API server, without '/bot', got {api_url!r}",
            )
        db = environ.get("PORTEVOIX_DB", "").strip()
        config = environ.get("PORTEVOIX_CONFIG", "").strip()
        return cls(
            token=token,
            api_url=api_url,
            db_path=Path(db).expanduser() if db else DEFAULT_DB,
            config_path=Path(config).expanduser() if config else DEFAULT_CONFIG,
            stt=environ.get("PORTEVOIX_STT", "").strip() or None,
        )

    @property
    def base_url(self) -> str:
        """What python-telegram-bot wants: it appends the token and '/method'."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """File download root for python-telegram-bot (it appends the token)."""
        return f"{self.api_url}/file/bot"


# --------------------------------------------------------------------------- territory objects


@dataclass(frozen=True)
class Localized:
    """A text given per language; fr is required (French is the source language)."""

    values: Mapping[str, str]

    def __post_init__(self) -> None:
        if "fr" not in self.values:
            raise ValueError("a Localized text needs a French ('fr') value")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items())))

    def get(self, lang: str | None) -> str:
        """The text in `lang` ('en', or 'en-GB' → 'en'), else French."""
        if lang:
            if lang in self.values:
                return self.values[lang]
            base = re.split(r"[-_]", lang, maxsplit=1)[0].lower()
            if base in self.values:
                return self.values[base]
        return self.values["fr"]

    @property
    def fr(self) -> str:
        return self.values["fr"]

    def __str__(self) -> str:
        return self.fr


@dataclass(frozen=True)
class Theme:
    """A territory's theme (for the 92: a PTSM axis); label is a short plain-language phrase."""

    id: str
    label: Localized
    axis: int | None


@dataclass(frozen=True)
class Establishment:
    """A health establishment (hospital); `example` marks demo data that is not real."""

    id: str
    name: Localized
    city: str | None
    example: bool


@dataclass(frozen=True)
class Body:
    """Who receives submissions: a role, never a named person (coordinators change)."""

    id: str
    kind: str
    name: Localized
    explain: Localized
    establishment: str | None
    situations: bool = False  # examines individual situations (a CLSM's situations commission)


@dataclass(frozen=True)
class CrisisResource:
    """A help number; `checked` is when someone last verified number and hours."""

    id: str
    number: str
    label: Localized
    hours: Localized
    channel: str
    checked: date


@dataclass(frozen=True)
class RoutingRule:
    """kind × theme × establishment → bodies; ("*",) in a criterion means any value."""

    kinds: tuple[str, ...]
    themes: tuple[str, ...]
    establishments: tuple[str, ...]
    bodies: tuple[str, ...]

    def matches(self, kind: str, theme: str | None, establishment: str | None) -> bool:
        """A wildcard matches anything, including None; a list matches only its values."""
        return (
            _criterion_matches(self.kinds, kind)
            and _criterion_matches(self.themes, theme)
            and _criterion_matches(self.establishments, establishment)
        )


def _criterion_matches(allowed: tuple[str, ...], value: str | None) -> bool:
    return ANY in allowed or (value is not None and value in allowed)


@dataclass(frozen=True)
class Retention:
    """How long data is kept; a privacy decision the territory's data officer owns."""

    submissions_days: int
    drafts_days: int
    crisis_events_days: int
    closed_followup_weeks: int


@dataclass(frozen=True)
class CaseSettings:
    """Delays of casework: when an untaken case is flagged to its body, then to triage.

    Eight days is the CDU's own delay to answer a complaint (Code de la santé publique).
    """

    overdue_days: int = 8
    escalation_days: int = 3


@dataclass(frozen=True)
class DigestSettings:
    """When each body's weekly digest goes out, in the territory's time zone."""

    weekday: int = 0  # 0 = Monday … 6 = Sunday (datetime.weekday())
    time: time = time(9, 0)


@dataclass(frozen=True)
class MeetingSeries:
    """A rhythm of meetings the territory declares, e.g. a CDU every quarter."""

    id: str
    body: str
    rule: str  # normalised rule string (Recurrence.rule())
    first: datetime  # aware, in the territory's zone
    duration_minutes: int
    title: Localized
    place: Localized | None  # the address
    access: Localized | None  # how to get there: transport, accessibility
    online_url: str | None
    helper: Localized | None  # who to ask for help to come (a role or name and a number)
    agenda: Localized | None  # the usual agenda, in plain words


@dataclass(frozen=True)
class Territory:
    """One deployment's local data, loaded from one TOML file."""

    id: str
    name: Localized
    timezone_name: str
    languages: tuple[str, ...]  # first = default; "fr" is always in it
    reading_notice: Localized  # who reads messages and when, in one plain sentence
    retention: Retention
    crisis_resources: tuple[CrisisResource, ...]
    establishments: tuple[Establishment, ...]
    bodies: tuple[Body, ...]
    themes: tuple[Theme, ...]
    routing_rules: tuple[RoutingRule, ...]
    fallback_body: str
    source: Path
    cases: CaseSettings = CaseSettings()
    digest: DigestSettings = DigestSettings()
    meeting_series: tuple[MeetingSeries, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def theme(self, id: str) -> Theme:
        """The theme with this id; KeyError if unknown."""
        return _by_id(self.themes, id)

    def body(self, id: str) -> Body:
        """The body with this id; KeyError if unknown."""
        return _by_id(self.bodies, id)

    @property
    def situations_body(self) -> Body | None:
        """The body that examines individual situations, if the territory has one."""
        return next((b for b in self.bodies if b.situations), None)

    def establishment(self, id: str) -> Establishment:
        """The establishment with this id; KeyError if unknown."""
        return _by_id(self.establishments, id)


_Item = TypeVar("_Item", Theme, Body, Establishment)


def _by_id(items: tuple[_Item, ...], id: str) -> _Item:
    for item in items:
        if item.id == id:
            return item
    raise KeyError(id)


# --------------------------------------------------------------------------- loading


def load_territory(path: Path) -> Territory:
    """Read and validate a territory file; raises ConfigError only."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "file", "not found") from None
    except IsADirectoryError:
        raise ConfigError(path, "file", "is a directory, expected a .toml file") from None
    except OSError as exc:
        raise ConfigError(path, "file", f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, "file", f"is not UTF-8 text (bad byte at offset {exc.start})"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_WHERE_RE.match(message)
        if match:
            where = match["where"].replace("end of document", "end of file")
            raise ConfigError(path, where, f"invalid TOML: {match['what']}") from None
        raise ConfigError(path, "file", f"invalid TOML: {message}") from None
    return _Loader(path).territory(data)


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "true/false"),
    (int, "a whole number"),
    (float, "a decimal number"),
    (str, "a text in quotes"),
    (list, "a list"),
    (dict, "a table"),
    (datetime, "a date and time"),
    (date, "a date"),
    (time, "a time of day"),
)


def _type_name(value: object) -> str:
    for kind, name in _TYPE_NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _known(values: Any) -> str:
    values = list(values)
    return ", ".join(values) if values else "none"


class _Loader:
    """Walks the parsed TOML; every check raises a ConfigError naming this file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.languages: tuple[str, ...] = ("fr",)

    def fail(self, where: str, what: str) -> NoReturn:
        raise ConfigError(self.path, where, what)

    # -- generic readers -------------------------------------------------------------

    def keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                at = f"{where}.{key}" if where else key
                self.fail(at, f"unknown key {key!r} (known keys: {_known(allowed)})")

    def get(self, table: dict[str, Any], key: str, where: str, expected: type, name: str) -> Any:
        at = f"{where}.{key}" if where else key
        if key not in table:
            self.fail(at, f"missing required key {key!r}")
        value = table[key]
        # bool is a subclass of int in Python, but `true` is never a valid count.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            self.fail(at, f"expected {name}, got {_type_name(value)} {_shorten(value)}")
        return value

    def table(self, table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        if not where and key not in table:
            self.fail(key, f"missing required section [{key}]")
        return self.get(table, key, where, dict, "a table")

    def text(self, table: dict[str, Any], key: str, where: str) -> str:
        value: str = self.get(table, key, where, str, "a text in quotes")
        if not value.strip():
            self.fail(f"{where}.{key}" if where else key, "must not be empty")
        return value.strip()

    def optional_text(self, table: dict[str, Any], key: str, where: str) -> str | None:
        return self.text(table, key, where) if key in table else None

    def positive_int(self, table: dict[str, Any], key: str, where: str) -> int:
        value: int = self.get(table, key, where, int, "a whole number")
        if value <= 0:
            self.fail(f"{where}.{key}", f"must be a positive whole number, got {value}")
        return value

    def ident(self, table: dict[str, Any], key: str, where: str) -> str:
        value = self.text(table, key, where)
        if not ID_RE.match(value):
            self.fail(
                f"{where}.{key}" if where else key,
                f"{value!r} is not a valid id: use 1 to 32 lowercase letters a-z, digits, "
                "'-' or '_', starting with a letter or digit",
            )
        return value

    def items(self, data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        """An array of tables ([[key]]), required and non-empty."""
        if not where and key not in data:
            self.fail(key, f"missing required section [[{key}]]")
        items: list[Any] = self.get(data, key, where, list, f"a list of tables ([[{key}]])")
        if not items:
            self.fail(f"{where}.{key}" if where else key, "needs at least one entry")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(f"{key}[{index}]", f"expected a table, got {_type_name(item)}")
        return items

    def localized(self, table: dict[str, Any], key: str, where: str) -> Localized:
        at = f"{where}.{key}" if where else key
        if key not in table:
            self.fail(at, f"missing required key {key!r}")
        value = table[key]
        if isinstance(value, str):
            values = {"fr": value}
        elif isinstance(value, dict):
            values = value
        else:
            self.fail(
                at,
                f'expected a text in quotes or a table like {{ fr = "...", en = "..." }}, '
                f"got {_type_name(value)} {_shorten(value)}",
            )
        for lang, text in values.items():
            if lang not in self.languages:
                self.fail(
                    f"{at}.{lang}",
                    f"language {lang!r} is not one of the territory's languages "
                    f"({_known(self.languages)})",
                )
            if not isinstance(text, str):
                self.fail(f"{at}.{lang}", f"expected a text in quotes, got {_type_name(text)}")
            if not text.strip():
                self.fail(f"{at}.{lang}", "must not be empty")
        for lang in self.languages:
            if lang not in values:
                hint = " (a plain text is French only)" if isinstance(value, str) else ""
                self.fail(
                    at,
                    f"missing the {lang!r} text{hint}: every text needs each of the "
                    f"territory's languages ({_known(self.languages)})",
                )
        return Localized({lang: values[lang].strip() for lang in self.languages})

    def optional_localized(self, table: dict[str, Any], key: str, where: str) -> Localized | None:
        return self.localized(table, key, where) if key in table else None

    def unique(self, ids: list[str], item_id: str, where: str) -> None:
        if item_id in ids:
            self.fail(where, f"duplicate id {item_id!r}")
        ids.append(item_id)

    # -- sections --------------------------------------------------------------------

    def territory(self, data: dict[str, Any]) -> Territory:
        self.keys(
            data,
            (
                "territory",
                "retention",
                "crisis_resources",
                "establishments",
                "bodies",
                "themes",
                "routing",
                "cases",
                "digest",
                "meetings",
            ),
            "",
        )
        head = self.table(data, "territory", "")
        self.keys(head, ("id", "name", "timezone", "languages", "reading_notice"), "territory")
        territory_id = self.ident(head, "id", "territory")
        timezone_name = self.timezone(head)
        self.languages = self.language_list(head)
        name = self.localized(head, "name", "territory")
        reading_notice = self.localized(head, "reading_notice", "territory")

        retention = self.retention(self.table(data, "retention", ""))
        crisis = self.crisis_resources(data)
        establishments = self.establishments(data)
        bodies = self.bodies(data, establishments)
        themes = self.themes(data)
        rules, fallback = self.routing(data, establishments, bodies, themes)
        case_settings = self.case_settings(data.get("cases", {}))
        digest = self.digest_settings(data.get("digest", {}))
        series = self.meeting_series(data, bodies, ZoneInfo(timezone_name))
        return Territory(
            id=territory_id,
            name=name,
            timezone_name=timezone_name,
            languages=self.languages,
            reading_notice=reading_notice,
            retention=retention,
            crisis_resources=crisis,
            establishments=establishments,
            bodies=bodies,
            themes=themes,
            routing_rules=rules,
            fallback_body=fallback,
            source=self.path,
            cases=case_settings,
            digest=digest,
            meeting_series=series,
        )

    def timezone(self, head: dict[str, Any]) -> str:
        name = self.text(head, "timezone", "territory")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.fail(
                "territory.timezone",
                f"unknown time zone {name!r} (use an IANA name such as Europe/Paris or "
                "Indian/Reunion)",
            )
        return name

    def language_list(self, head: dict[str, Any]) -> tuple[str, ...]:
        langs: list[Any] = self.get(
            head, "languages", "territory", list, 'a list like ["fr", "en"]'
        )
        seen: list[str] = []
        for index, lang in enumerate(langs):
            at = f"territory.languages[{index}]"
            if not isinstance(lang, str):
                self.fail(at, f"expected a language code in quotes, got {_type_name(lang)}")
            try:
                Locale.parse(lang)
            except (UnknownLocaleError, ValueError, TypeError):
                self.fail(
                    at, f"{lang!r} is not a known language code (examples: fr, en, ar, pt_BR)"
                )
            if lang in seen:
                self.fail(at, f"language {lang!r} is listed twice")
            seen.append(lang)
        if "fr" not in seen:
            self.fail("territory.languages", 'must include "fr" (French is the source language)')
        return tuple(seen)

    def retention(self, table: dict[str, Any]) -> Retention:
        names = ("submissions_days", "drafts_days", "crisis_events_days", "closed_followup_weeks")
        self.keys(table, names, "retention")
        return Retention(*(self.positive_int(table, name, "retention") for name in names))

    def case_settings(self, table: Any) -> CaseSettings:
        if not isinstance(table, dict):
            self.fail("cases", f"expected a table, got {_type_name(table)}")
        names = ("overdue_days", "escalation_days")
        self.keys(table, names, "cases")
        defaults = CaseSettings()
        return CaseSettings(
            *(
                self.positive_int(table, name, "cases")
                if name in table
                else getattr(defaults, name)
                for name in names
            )
        )

    def digest_settings(self, table: Any) -> DigestSettings:
        if not isinstance(table, dict):
            self.fail("digest", f"expected a table, got {_type_name(table)}")
        self.keys(table, ("day", "time"), "digest")
        defaults = DigestSettings()
        weekday = defaults.weekday
        if "day" in table:
            day = self.text(table, "day", "digest")
            if day.lower() not in WEEKDAY_NAMES:
                self.fail("digest.day", f"unknown day {day!r} (known: {_known(WEEKDAY_NAMES)})")
            weekday = WEEKDAY_NAMES.index(day.lower())
        at = defaults.time
        if "time" in table:
            at = self.clock(table["time"], "digest.time")
        return DigestSettings(weekday=weekday, time=at)

    def clock(self, value: Any, where: str) -> time:
        """A time of day: "09:00" in quotes, or a TOML local time 09:00:00."""
        if isinstance(value, str):
            match = CLOCK_RE.match(value.strip())
            if match:
                return time(int(match["hour"]), int(match["minute"]))
        elif isinstance(value, time) and value.tzinfo is None:
            if value.second == 0 and value.microsecond == 0:
                return value
            self.fail(where, f'give hours and minutes only, like "09:00", got {_shorten(value)}')
        self.fail(
            where,
            f'expected a time of day like "09:00" (24 h, HH:MM), got {_type_name(value)} '
            f"{_shorten(value)}",
        )

    def meeting_series(
        self, data: dict[str, Any], bodies: tuple[Body, ...], tz: ZoneInfo
    ) -> tuple[MeetingSeries, ...]:
        if "meetings" not in data:
            return ()
        # Imported here: bot.meetings modules import this one (Territory), and a package
        # __init__ that loads them must not make a cycle through bot.config.
        from bot.meetings.recurrence import parse_rule

        known_bodies = [b.id for b in bodies]
        result: list[MeetingSeries] = []
        ids: list[str] = []
        for index, item in enumerate(self.items(data, "meetings", "")):
            at = f"meetings[{index}]"
            self.keys(
                item,
                (
                    "id",
                    "body",
                    "rule",
                    "first",
                    "duration_minutes",
                    "title",
                    "place",
                    "access",
                    "online_url",
                    "helper",
                    "agenda",
                ),
                at,
            )
            item_id = self.ident(item, "id", at)
            self.unique(ids, item_id, f"{at}.id")
            at = f'meetings "{item_id}"'
            body = self.text(item, "body", at)
            if body not in known_bodies:
                self.fail(f"{at}.body", f"unknown body {body!r} (known: {_known(known_bodies)})")
            rule_text = self.text(item, "rule", at)
            try:
                rule = parse_rule(rule_text).rule()
            except ValueError as error:
                self.fail(f"{at}.rule", str(error))
            first = self.first_start(item, f"{at}.first", tz)
            duration = (
                self.positive_int(item, "duration_minutes", at)
                if "duration_minutes" in item
                else DEFAULT_MEETING_MINUTES
            )
            title = self.localized(item, "title", at)
            place = self.optional_localized(item, "place", at)
            access = self.optional_localized(item, "access", at)
            online_url = self.optional_text(item, "online_url", at)
            if online_url is not None and not HTTPS_RE.match(online_url):
                self.fail(
                    f"{at}.online_url",
                    f"expected an address starting with https://, without spaces, "
                    f"got {online_url!r}",
                )
            helper = self.optional_localized(item, "helper", at)
            agenda = self.optional_localized(item, "agenda", at)
            if place is None and online_url is None:
                self.fail(at, "needs a place, an online_url or both: people must know where to go")
            result.append(
                MeetingSeries(
                    id=item_id,
                    body=body,
                    rule=rule,
                    first=first,
                    duration_minutes=duration,
                    title=title,
                    place=place,
                    access=access,
                    online_url=online_url,
                    helper=helper,
                    agenda=agenda,
                )
            )
        return tuple(result)

    def first_start(self, item: dict[str, Any], where: str, tz: ZoneInfo) -> datetime:
        """The first meeting's start: a TOML local date-time, read in the territory's zone."""
        if "first" not in item:
            self.fail(where, "missing required key 'first'")
        value = item["first"]
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                self.fail(
                    where,
                    "expected a local date and time without offset like 2026-01-06T14:30:00 "
                    f"(it is read in the territory's time zone, {tz.key}), got a date and time "
                    f"with an offset {_shorten(value)}",
                )
            return value.replace(tzinfo=tz)
        if isinstance(value, date):
            self.fail(
                where,
                "expected a date and time like 2026-01-06T14:30:00, got a date without a time "
                f"{_shorten(value)}: add the start time",
            )
        self.fail(
            where,
            "expected a TOML date and time without quotes like 2026-01-06T14:30:00, got "
            f"{_type_name(value)} {_shorten(value)}",
        )

    def crisis_resources(self, data: dict[str, Any]) -> tuple[CrisisResource, ...]:
        result: list[CrisisResource] = []
        ids: list[str] = []
        for index, item in enumerate(self.items(data, "crisis_resources", "")):
            at = f"crisis_resources[{index}]"
            self.keys(item, ("id", "number", "label", "hours", "channel", "checked"), at)
            item_id = self.ident(item, "id", at)
            self.unique(ids, item_id, f"{at}.id")
            at = f'crisis_resources "{item_id}"'
            number = self.text(item, "number", at)
            if not NUMBER_RE.match(number):
                self.fail(f"{at}.number", f"expected digits and spaces, got {number!r}")
            channel = self.text(item, "channel", at)
            if channel not in CHANNELS:
                self.fail(
                    f"{at}.channel", f"unknown channel {channel!r} (known: {_known(CHANNELS)})"
                )
            if "checked" not in item:
                self.fail(f"{at}.checked", "missing required key 'checked'")
            checked = item["checked"]
            if not isinstance(checked, date) or isinstance(checked, datetime):
                self.fail(
                    f"{at}.checked",
                    f"expected a TOML date without quotes like 2026-11-01, got "
                    f"{_type_name(checked)} {_shorten(checked)}",
                )
            result.append(
                CrisisResource(
                    id=item_id,
                    number=number,
                    label=self.localized(item, "label", at),
                    hours=self.localized(item, "hours", at),
                    channel=channel,
                    checked=checked,
                )
            )
        return tuple(result)

    def establishments(self, data: dict[str, Any]) -> tuple[Establishment, ...]:
        if "establishments" not in data:
            return ()
        result: list[Establishment] = []
        ids: list[str] = []
        for index, item in enumerate(self.items(data, "establishments", "")):
            at = f"establishments[{index}]"
            self.keys(item, ("id", "name", "city", "example"), at)
            item_id = self.ident(item, "id", at)
            self.unique(ids, item_id, f"{at}.id")
            at = f'establishments "{item_id}"'
            example = item.get("example", False)
            if not isinstance(example, bool):
                self.fail(f"{at}.example", f"expected true or false, got {_type_name(example)}")
            result.append(
                Establishment(
                    id=item_id,
                    name=self.localized(item, "name", at),
                    city=self.optional_text(item, "city", at),
                    example=example,
                )
            )
        return tuple(result)

    def bodies(
        self, data: dict[str, Any], establishments: tuple[Establishment, ...]
    ) -> tuple[Body, ...]:
        known_establishments = [e.id for e in establishments]
        result: list[Body] = []
        ids: list[str] = []
        for index, item in enumerate(self.items(data, "bodies", "")):
            at = f"bodies[{index}]"
            self.keys(item, ("id", "kind", "name", "explain", "establishment", "situations"), at)
            item_id = self.ident(item, "id", at)
            self.unique(ids, item_id, f"{at}.id")
            at = f'bodies "{item_id}"'
            kind = self.text(item, "kind", at)
            if kind not in BODY_KINDS:
                self.fail(f"{at}.kind", f"unknown kind {kind!r} (known: {_known(BODY_KINDS)})")
            establishment = self.optional_text(item, "establishment", at)
            if kind == "cdu" and establishment is None:
                self.fail(
                    f"{at}.establishment",
                    f"a cdu must name its establishment (known: {_known(known_establishments)})",
                )
            if establishment is not None and establishment not in known_establishments:
                self.fail(
                    f"{at}.establishment",
                    f"unknown establishment {establishment!r} "
                    f"(known: {_known(known_establishments)})",
                )
            result.append(
                Body(
                    id=item_id,
                    kind=kind,
                    name=self.localized(item, "name", at),
                    explain=self.localized(item, "explain", at),
                    establishment=establishment,
                    situations=self.get(item, "situations", at, bool, "true or false")
                    if "situations" in item
                    else False,
                )
            )
        return tuple(result)

    def themes(self, data: dict[str, Any]) -> tuple[Theme, ...]:
        result: list[Theme] = []
        ids: list[str] = []
        for index, item in enumerate(self.items(data, "themes", "")):
            at = f"themes[{index}]"
            self.keys(item, ("id", "label", "axis"), at)
            item_id = self.ident(item, "id", at)
            self.unique(ids, item_id, f"{at}.id")
            at = f'themes "{item_id}"'
            axis = self.positive_int(item, "axis", at) if "axis" in item else None
            result.append(Theme(id=item_id, label=self.localized(item, "label", at), axis=axis))
        return tuple(result)

    def routing(
        self,
        data: dict[str, Any],
        establishments: tuple[Establishment, ...],
        bodies: tuple[Body, ...],
        themes: tuple[Theme, ...],
    ) -> tuple[tuple[RoutingRule, ...], str]:
        section = self.table(data, "routing", "")
        self.keys(section, ("fallback", "rules"), "routing")
        body_kinds = {b.id: b.kind for b in bodies}
        fallback = self.text(section, "fallback", "routing")
        if fallback not in body_kinds:
            self.fail(
                "routing.fallback", f"unknown body {fallback!r} (known: {_known(body_kinds)})"
            )
        if body_kinds[fallback] != "triage":
            self.fail(
                "routing.fallback",
                f"body {fallback!r} is of kind {body_kinds[fallback]!r}; the fallback must be "
                "a body of kind 'triage'",
            )
        raw_rules: list[Any] = section.get("rules", [])
        if not isinstance(raw_rules, list):
            self.fail(
                "routing.rules",
                f"expected a list of tables ([[routing.rules]]), got {_type_name(raw_rules)}",
            )
        known = {
            "kinds": SUBMISSION_KINDS,
            "themes": tuple(t.id for t in themes),
            "establishments": tuple(e.id for e in establishments),
            "bodies": tuple(body_kinds),
        }
        singular = {
            "kinds": "kind",
            "themes": "theme",
            "establishments": "establishment",
            "bodies": "body",
        }
        rules: list[RoutingRule] = []
        for index, rule in enumerate(raw_rules):
            at = f"routing.rules[{index}]"
            if not isinstance(rule, dict):
                self.fail(at, f"expected a table, got {_type_name(rule)}")
            self.keys(rule, tuple(known), at)
            if "bodies" not in rule:
                self.fail(f"{at}.bodies", "missing required key 'bodies'")
            values: dict[str, tuple[str, ...]] = {}
            for key, allowed in known.items():
                raw = rule.get(key, ANY)
                items = [raw] if isinstance(raw, str) else raw
                if not isinstance(items, list):
                    self.fail(
                        f"{at}.{key}",
                        f'expected a list like ["a", "b"] or "*", got {_type_name(raw)}',
                    )
                if not items:
                    self.fail(
                        f"{at}.{key}", 'an empty list matches nothing: use "*" or leave the key out'
                    )
                for position, value in enumerate(items):
                    where = f"{at}.{key}[{position}]" if isinstance(raw, list) else f"{at}.{key}"
                    if not isinstance(value, str):
                        self.fail(where, f"expected a text in quotes, got {_type_name(value)}")
                    if value == ANY and key == "bodies":
                        self.fail(where, 'a rule must name its bodies; "*" is not allowed here')
                    if value != ANY and value not in allowed:
                        self.fail(
                            where, f"unknown {singular[key]} {value!r} (known: {_known(allowed)})"
                        )
                values[key] = (ANY,) if ANY in items else tuple(dict.fromkeys(items))
            rules.append(RoutingRule(**values))
        return tuple(rules), fallback


def _shorten(value: object) -> str:
    """The value as the admin wrote it in TOML, shortened, in brackets."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, date | time):
        text = value.isoformat()
    else:
        text = repr(value)
    return f"({text[:40]}...)" if len(text) > 40 else f"({text})"
