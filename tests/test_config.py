"""Territory file and environment: the shipped example loads, and every mistake an admin can
make in the file comes back as one line naming the file, the place and the problem."""

from __future__ import annotations

import pickle
import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    BODY_KINDS,
    DEFAULT_API_URL,
    DEFAULT_CONFIG,
    DEFAULT_DB,
    ConfigError,
    DigestSettings,
    Localized,
    MeetingSeries,
    Settings,
    load_territory,
)

MINIMAL = """\
[territory]
id = "mini"
timezone = "Europe/Paris"
languages = ["fr", "en"]
name = { fr = "Territoire mini", en = "Mini territory" }
reading_notice = { fr = "Une personne lit les messages le lundi.", en = "Read on Mondays." }

[retention]
submissions_days = 730
drafts_days = 30
crisis_events_days = 90
closed_followup_weeks = 4

[[crisis_resources]]
id = "3114"
number = "3114"
channel = "call"
label = { fr = "Des soignants vous écoutent.", en = "Nurses listen to you." }
hours = { fr = "Jour et nuit.", en = "Day and night." }
checked = 2026-11-01

[[establishments]]
id = "hop"
name = { fr = "Hôpital (exemple)", en = "Hospital (example)" }
example = true

[[bodies]]
id = "cdu-hop"
kind = "cdu"
establishment = "hop"
name = { fr = "Commission des usagers", en = "Users' committee" }
explain = { fr = "Elle défend vos droits.", en = "It defends your rights." }

[[bodies]]
id = "gt"
kind = "ptsm_group"
name = { fr = "Groupe de travail", en = "Working group" }
explain = { fr = "Ce groupe améliore les soins.", en = "This group improves care." }

[[bodies]]
id = "triage"
kind = "triage"
name = { fr = "Équipe du territoire", en = "Territory team" }
explain = { fr = "Cette équipe lit votre message.", en = "This team reads your message." }

[[themes]]
id = "crise"
axis = 1
label = { fr = "Crise", en = "Crisis" }

[[themes]]
id = "logement"
label = { fr = "Logement", en = "Housing" }

[routing]
fallback = "triage"

[[routing.rules]]
kinds = ["reclamation"]
establishments = ["hop"]
bodies = ["cdu-hop"]

[[routing.rules]]
kinds = ["avis", "idee"]
themes = ["crise"]
bodies = ["gt"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "territoire.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    """Replace one exact fragment; fail loudly if the template changed under the test."""
    assert text.count(old) == 1, f"fragment not found exactly once: {old!r}"
    return text.replace(old, new)


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_territory(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


# --------------------------------------------------------------------------- the example


def test_shipped_example_loads() -> None:
    territory = load_territory(DEFAULT_CONFIG)
    assert len(territory.themes) == 8
    assert [t.axis for t in territory.themes] == list(range(1, 9))
    assert territory.body(territory.fallback_body).kind == "triage"
    assert territory.timezone_name == "Europe/Paris"
    assert str(territory.tz) == "Europe/Paris"
    assert territory.languages == ("fr", "en")
    assert territory.default_language == "fr"
    assert territory.source == DEFAULT_CONFIG


def test_example_has_expected_bodies_and_resources() -> None:
    territory = load_territory(DEFAULT_CONFIG)
    kinds = {b.kind for b in territory.bodies}
    assert kinds == set(BODY_KINDS)
    assert len(territory.establishments) == 2
    for establishment in territory.establishments:
        assert establishment.example
        assert "(exemple)" in establishment.name.fr
        cdus = [b for b in territory.bodies if b.establishment == establishment.id]
        assert [b.kind for b in cdus] == ["cdu"]
    numbers = {r.number for r in territory.crisis_resources}
    assert {"3114", "15", "112", "114", "119", "3919"} <= numbers
    assert territory.crisis_resources[0].checked == date(2026, 11, 1)
    by_number = {r.number: r for r in territory.crisis_resources}
    assert by_number["114"].channel == "sms"
    assert by_number["3114"].channel == "call"
    retention = territory.retention
    assert (retention.submissions_days, retention.drafts_days) == (730, 30)
    assert (retention.crisis_events_days, retention.closed_followup_weeks) == (90, 4)


ACRONYM = re.compile(r"\b[A-ZÉÈ]{2,}\b")
ALLOWED_ACRONYMS = {"SOS"}  # part of the proper name « SOS Amitié »


def _words(sentence: str) -> list[str]:
    return [w for w in sentence.split() if re.search(r"\w", w)]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[.!?]\s*", text) if s.strip()]


def test_example_french_text_follows_plain_language_rules() -> None:
    """A cheap guard on the shipped texts; the real FALC lint and human review come later."""
    territory = load_territory(DEFAULT_CONFIG)
    sentences: list[str] = [territory.reading_notice.fr]
    for resource in territory.crisis_resources:
        sentences += [resource.label.fr, resource.hours.fr]
    for body in territory.bodies:
        assert len(_sentences(body.explain.fr)) == 1, body.id
        sentences.append(body.explain.fr)
    for text in sentences:
        for sentence in _sentences(text):
            assert len(_words(sentence)) <= 12, sentence
        assert ";" not in text and "(" not in text and "[" not in text, text
    names = [b.name.fr for b in territory.bodies] + [e.name.fr for e in territory.establishments]
    labels = [t.label.fr for t in territory.themes]
    for label in labels:
        assert len(_words(label)) <= 6, label
    # Meeting texts mark their example places and contacts « (exemple) », like the names.
    meeting_texts = [
        text.fr
        for series in territory.meeting_series
        for text in (series.title, series.place, series.access, series.helper, series.agenda)
        if text is not None
    ]
    for text in meeting_texts:
        for sentence in _sentences(text):
            assert len(_words(sentence)) <= 12, sentence
        assert ";" not in text and "/" not in text, text
    for text in sentences + names + labels + meeting_texts:
        assert set(ACRONYM.findall(text)) <= ALLOWED_ACRONYMS, text


def test_example_digest_and_meeting_series() -> None:
    territory = load_territory(DEFAULT_CONFIG)
    assert territory.digest == DigestSettings(weekday=0, time=time(9, 0))
    paris = ZoneInfo("Europe/Paris")
    series = {s.id: s for s in territory.meeting_series}
    assert list(series) == ["cdu-nord-trimestre", "gt-crise-mensuel", "gem-semaine"]
    assert [(s.body, s.rule) for s in series.values()] == [
        ("cdu-nord", "quarterly"),
        ("gt-crise", "monthly:1:tue"),
        ("gem-exemple", "weekly"),
    ]
    crisis = series["gt-crise-mensuel"]
    assert crisis.first == datetime(2027, 1, 5, 14, 30, tzinfo=paris)
    assert crisis.first.weekday() == 1 and crisis.first.day <= 7  # a first Tuesday
    assert crisis.online_url is not None and crisis.online_url.startswith("https://")
    for one in series.values():
        assert one.first.tzinfo == paris
        assert one.place is not None and "(exemple)" in one.place.fr
        assert one.helper is not None and "(exemple)" in one.helper.fr
        assert one.access is not None and one.agenda is not None
        assert "CDU" not in one.title.fr
        assert set(one.title.values) == {"fr", "en"}


def test_territory_lookups() -> None:
    territory = load_territory(DEFAULT_CONFIG)
    assert territory.theme("crise").axis == 4
    assert territory.body("cdu-nord").establishment == "hopital-nord"
    assert territory.establishment("hopital-nord").example
    with pytest.raises(KeyError):
        territory.theme("nope")
    with pytest.raises(KeyError):
        territory.body("nope")
    with pytest.raises(KeyError):
        territory.establishment("nope")


def test_minimal_template_loads(tmp_path: Path) -> None:
    territory = load_territory(write(tmp_path, MINIMAL))
    assert territory.id == "mini"
    assert territory.routing_rules[0].themes == ("*",)
    assert territory.theme("logement").axis is None
    assert territory.digest == DigestSettings()
    assert (territory.digest.weekday, territory.digest.time) == (0, time(9, 0))
    assert territory.meeting_series == ()
    hash(territory)  # frozen all the way down


# --------------------------------------------------------------------------- Localized


def test_localized_falls_back_to_french() -> None:
    text = Localized({"fr": "Bonjour", "en": "Hello"})
    assert text.get("en") == "Hello"
    assert text.get("en-GB") == "Hello"
    assert text.get("de") == "Bonjour"
    assert text.get(None) == "Bonjour"
    assert str(text) == "Bonjour"
    assert hash(text) == hash(Localized({"en": "Hello", "fr": "Bonjour"}))
    with pytest.raises(TypeError):
        text.values["fr"] = "x"  # type: ignore[index]


def test_localized_requires_french() -> None:
    with pytest.raises(ValueError):
        Localized({"en": "Hello"})


def test_plain_string_is_french_only(tmp_path: Path) -> None:
    text = edit('languages = ["fr", "en"]', 'languages = ["fr"]')
    # Every { fr = "...", en = "..." } becomes a plain French string.
    text = re.sub(r'\{ fr = ("[^"]*"), en = "[^"]*" \}', r"\1", text)
    territory = load_territory(write(tmp_path, text))
    assert territory.theme("crise").label.values == {"fr": "Crise"}


# --------------------------------------------------------------------------- Settings


def test_settings_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL == "https://api.telegram.org"
    assert settings.db_path == DEFAULT_DB == Path("porte-voix.db")
    assert settings.config_path == DEFAULT_CONFIG
    assert DEFAULT_CONFIG.name == "exemple-hauts-de-seine.toml"
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"


def test_settings_overrides() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "123:secret",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "PORTEVOIX_DB": "/tmp/pv.db",
            "PORTEVOIX_CONFIG": "/etc/pv/territoire.toml",
        }
    )
    assert settings.token == "123:secret"
    assert settings.api_url == "http://127.0.0.1:8081"
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.db_path == Path("/tmp/pv.db")
    assert settings.config_path == Path("/etc/pv/territoire.toml")
    assert "secret" not in repr(settings)


def test_settings_empty_values_count_as_unset() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "", "TELEGRAM_API_URL": " "})
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL


@pytest.mark.parametrize("url", ["api.telegram.org", "https://api.telegram.org/bot"])
def test_settings_bad_api_url(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"TELEGRAM_API_URL": url})
    assert str(info.value).startswith("environment: TELEGRAM_API_URL: ")


# --------------------------------------------------------------------------- ConfigError


def test_config_error_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    err = ConfigError(Path("t.toml"), "themes[3].label", "missing\nthe 'en' text")
    print(err)
    assert capsys.readouterr().out == "t.toml: themes[3].label: missing the 'en' text\n"
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err)


# --------------------------------------------------------------------------- file problems


def test_missing_file(tmp_path: Path) -> None:
    message = error_of(tmp_path / "absent.toml")
    assert message.endswith("absent.toml: file: not found")


def test_unreadable_file_directory(tmp_path: Path) -> None:
    folder = tmp_path / "dossier.toml"
    folder.mkdir()
    assert "file: is a directory" in error_of(folder)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.encode("latin-1"))
    assert "file: is not UTF-8 text" in error_of(path)


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, edit("drafts_days = 30", "drafts_days = = 30"))
    message = error_of(path)
    line = MINIMAL.splitlines().index("drafts_days = 30") + 1
    assert f": line {line}, column 15: invalid TOML: Invalid value" in message


def test_toml_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path, edit("drafts_days = 30", "drafts_days = 30\ndrafts_days = 31"))
    assert "invalid TOML" in error_of(path)


# --------------------------------------------------------------------------- content problems

BROKEN = [
    # (what the test breaks, old fragment, new fragment, expected "where: what" fragment)
    (
        "missing required key",
        'timezone = "Europe/Paris"\n',
        "",
        "territory.timezone: missing required key 'timezone'",
    ),
    (
        "missing section",
        "[retention]\nsubmissions_days = 730\ndrafts_days = 30\n"
        "crisis_events_days = 90\nclosed_followup_weeks = 4\n",
        "",
        "retention: missing required section [retention]",
    ),
    (
        "text instead of number",
        "drafts_days = 30",
        'drafts_days = "30"',
        "retention.drafts_days: expected a whole number, got a text in quotes ('30')",
    ),
    (
        "number instead of text",
        'number = "3114"',
        "number = 3114",
        'crisis_resources "3114".number: expected a text in quotes, got a whole number (3114)',
    ),
    (
        "boolean instead of number",
        "submissions_days = 730",
        "submissions_days = true",
        "retention.submissions_days: expected a whole number, got true/false (true)",
    ),
    (
        "unknown key",
        "drafts_days = 30",
        "drafts_days = 30\ndraft_days = 30",
        "retention.draft_days: unknown key 'draft_days' (known keys: submissions_days,",
    ),
    (
        "unknown time zone",
        '"Europe/Paris"',
        '"Europe/Pariss"',
        "territory.timezone: unknown time zone 'Europe/Pariss'",
    ),
    (
        "invalid language",
        'languages = ["fr", "en"]',
        'languages = ["fr", "en", "xx"]',
        "territory.languages[2]: 'xx' is not a known language code",
    ),
    (
        "french missing from languages",
        'languages = ["fr", "en"]',
        'languages = ["en"]',
        'territory.languages: must include "fr"',
    ),
    (
        "language listed twice",
        'languages = ["fr", "en"]',
        'languages = ["fr", "en", "fr"]',
        "territory.languages[2]: language 'fr' is listed twice",
    ),
    (
        "theme without label",
        'label = { fr = "Crise", en = "Crisis" }\n',
        "",
        "themes \"crise\".label: missing required key 'label'",
    ),
    (
        "theme label lacks a language",
        'label = { fr = "Logement", en = "Housing" }',
        'label = "Logement"',
        "themes \"logement\".label: missing the 'en' text (a plain text is French only)",
    ),
    (
        "theme label lacks english in a table",
        'label = { fr = "Logement", en = "Housing" }',
        'label = { fr = "Logement" }',
        "themes \"logement\".label: missing the 'en' text: every text needs each of the "
        "territory's languages (fr, en)",
    ),
    (
        "text in a language the territory does not have",
        'label = { fr = "Logement", en = "Housing" }',
        'label = { fr = "Logement", en = "Housing", de = "Wohnen" }',
        "themes \"logement\".label.de: language 'de' is not one of the territory's languages",
    ),
    (
        "body explain lacks a language",
        'explain = { fr = "Ce groupe améliore les soins.", en = "This group improves care." }',
        'explain = { fr = "Ce groupe améliore les soins." }',
        "bodies \"gt\".explain: missing the 'en' text",
    ),
    (
        "body name lacks a language",
        'name = { fr = "Groupe de travail", en = "Working group" }',
        'name = "Groupe de travail"',
        "bodies \"gt\".name: missing the 'en' text",
    ),
    (
        "crisis hours lack a language",
        'hours = { fr = "Jour et nuit.", en = "Day and night." }',
        'hours = { fr = "Jour et nuit." }',
        "crisis_resources \"3114\".hours: missing the 'en' text",
    ),
    (
        "crisis label lacks a language",
        'label = { fr = "Des soignants vous écoutent.", en = "Nurses listen to you." }',
        'label = "Des soignants vous écoutent."',
        "crisis_resources \"3114\".label: missing the 'en' text",
    ),
    (
        "reading notice lacks a language",
        'reading_notice = { fr = "Une personne lit les messages le lundi.", '
        'en = "Read on Mondays." }',
        'reading_notice = "Une personne lit les messages le lundi."',
        "territory.reading_notice: missing the 'en' text",
    ),
    (
        "empty text",
        'en = "Housing"',
        'en = "  "',
        'themes "logement".label.en: must not be empty',
    ),
    (
        "localized of the wrong type",
        'label = { fr = "Logement", en = "Housing" }',
        "label = 3",
        'themes "logement".label: expected a text in quotes or a table like',
    ),
    (
        "duplicate theme id",
        'id = "logement"',
        'id = "crise"',
        "themes[1].id: duplicate id 'crise'",
    ),
    (
        "duplicate body id",
        'id = "gt"',
        'id = "cdu-hop"',
        "bodies[1].id: duplicate id 'cdu-hop'",
    ),
    (
        "invalid id",
        'id = "logement"',
        'id = "Logement social"',
        "themes[1].id: 'Logement social' is not a valid id",
    ),
    (
        "unknown body kind",
        'kind = "ptsm_group"',
        'kind = "groupe"',
        "bodies \"gt\".kind: unknown kind 'groupe' (known: cdu, ptsm_group, clsm_commission, "
        "gem, cssm, triage)",
    ),
    (
        "cdu without establishment",
        'establishment = "hop"\n',
        "",
        'bodies "cdu-hop".establishment: a cdu must name its establishment (known: hop)',
    ),
    (
        "cdu with unknown establishment",
        'establishment = "hop"\n',
        'establishment = "hopital-x"\n',
        "bodies \"cdu-hop\".establishment: unknown establishment 'hopital-x' (known: hop)",
    ),
    (
        "rule names an unknown body",
        'bodies = ["cdu-hop"]',
        'bodies = ["cdu-nope"]',
        "routing.rules[0].bodies[0]: unknown body 'cdu-nope' (known: cdu-hop, gt, triage)",
    ),
    (
        "rule names an unknown theme",
        'themes = ["crise"]',
        'themes = ["crise", "sommeil"]',
        "routing.rules[1].themes[1]: unknown theme 'sommeil' (known: crise, logement)",
    ),
    (
        "rule names an unknown establishment",
        'establishments = ["hop"]',
        'establishments = ["hopital-x"]',
        "routing.rules[0].establishments[0]: unknown establishment 'hopital-x' (known: hop)",
    ),
    (
        "rule names an unknown kind",
        'kinds = ["reclamation"]',
        'kinds = ["plainte"]',
        "routing.rules[0].kinds[0]: unknown kind 'plainte' (known: avis, reclamation, idee, situation)",
    ),
    (
        "rule with an empty list",
        'themes = ["crise"]',
        "themes = []",
        'routing.rules[1].themes: an empty list matches nothing: use "*"',
    ),
    (
        "rule without bodies",
        'bodies = ["gt"]\n',
        "",
        "routing.rules[1].bodies: missing required key 'bodies'",
    ),
    (
        "rule sends to any body",
        'bodies = ["gt"]',
        'bodies = "*"',
        "routing.rules[1].bodies: a rule must name its bodies",
    ),
    (
        "fallback does not exist",
        'fallback = "triage"',
        'fallback = "accueil"',
        "routing.fallback: unknown body 'accueil' (known: cdu-hop, gt, triage)",
    ),
    (
        "fallback is not a triage body",
        'fallback = "triage"',
        'fallback = "gt"',
        "routing.fallback: body 'gt' is of kind 'ptsm_group'; the fallback must be a body "
        "of kind 'triage'",
    ),
    (
        "retention zero",
        "drafts_days = 30",
        "drafts_days = 0",
        "retention.drafts_days: must be a positive whole number, got 0",
    ),
    (
        "retention negative",
        "closed_followup_weeks = 4",
        "closed_followup_weeks = -4",
        "retention.closed_followup_weeks: must be a positive whole number, got -4",
    ),
    (
        "retention decimal",
        "crisis_events_days = 90",
        "crisis_events_days = 90.5",
        "retention.crisis_events_days: expected a whole number, got a decimal number (90.5)",
    ),
    (
        "checked as a text",
        "checked = 2026-11-01",
        'checked = "2026-11-01"',
        'crisis_resources "3114".checked: expected a TOML date without quotes like 2026-11-01, '
        "got a text in quotes",
    ),
    (
        "checked with a time",
        "checked = 2026-11-01",
        "checked = 2026-11-01T10:00:00",
        'crisis_resources "3114".checked: expected a TOML date without quotes like 2026-11-01, '
        "got a date and time (2026-11-01T10:00:00)",
    ),
    (
        "checked missing",
        "checked = 2026-11-01\n",
        "",
        "crisis_resources \"3114\".checked: missing required key 'checked'",
    ),
    (
        "unknown channel",
        'channel = "call"',
        'channel = "fax"',
        'crisis_resources "3114".channel: unknown channel '
        "'fax' (known: call, sms, chat, call_sms)",
    ),
    (
        "number with letters",
        'number = "3114"',
        'number = "31 14 A"',
        "crisis_resources \"3114\".number: expected digits and spaces, got '31 14 A'",
    ),
    (
        "no crisis resource",
        MINIMAL[MINIMAL.index("[[crisis_resources]]") : MINIMAL.index("[[establishments]]")],
        "",
        "crisis_resources: missing required section [[crisis_resources]]",
    ),
    (
        "negative axis",
        "axis = 1",
        "axis = -1",
        'themes "crise".axis: must be a positive whole number, got -1',
    ),
    (
        "example flag not a boolean",
        "example = true",
        'example = "oui"',
        'establishments "hop".example: expected true or false, got a text in quotes',
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_file(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, edit(old, new))
    message = error_of(path)
    assert f"{path}: {expected}" in message, message


def test_empty_crisis_resources(tmp_path: Path) -> None:
    """A territory without any help number would leave a person in crisis with nothing."""
    block = MINIMAL[MINIMAL.index("[[crisis_resources]]") : MINIMAL.index("[[establishments]]")]
    text = "crisis_resources = []\n\n" + edit(block, "")
    path = write(tmp_path, text)
    assert error_of(path) == f"{path}: crisis_resources: needs at least one entry"


def test_broken_example_file(tmp_path: Path) -> None:
    """Editing the shipped example: a typo in a rule's body id is reported with its place."""
    example = DEFAULT_CONFIG.read_text(encoding="utf-8")
    path = write(tmp_path, edit('bodies = ["gt-crise"]', 'bodies = ["gt-crisis"]', example))
    message = error_of(path)
    assert f"{path}: routing.rules[2].bodies[0]: unknown body 'gt-crisis' (known: " in message


def test_case_delays_default_and_override(tmp_path: Path) -> None:
    assert load_territory(write(tmp_path, MINIMAL)).cases.overdue_days == 8
    text = edit(
        "closed_followup_weeks = 4\n", "closed_followup_weeks = 4\n\n[cases]\noverdue_days = 5\n"
    )
    territory = load_territory(write(tmp_path, text))
    assert (territory.cases.overdue_days, territory.cases.escalation_days) == (5, 3)


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("overdue_days = 0", "cases.overdue_days"),
        ("escalation_days = true", "cases.escalation_days"),
        ("overdue_dayz = 8", "cases.overdue_dayz: unknown key"),
    ],
)
def test_broken_case_delays(tmp_path: Path, fragment: str, expected: str) -> None:
    text = edit(
        "closed_followup_weeks = 4\n", f"closed_followup_weeks = 4\n\n[cases]\n{fragment}\n"
    )
    path = write(tmp_path, text)
    assert expected in error_of(path)


# --------------------------------------------------------------------------- weekly digest


def with_digest(lines: str) -> str:
    return MINIMAL + f"\n[digest]\n{lines}\n"


@pytest.mark.parametrize(
    ("lines", "weekday", "at"),
    [
        ('day = "friday"\ntime = "17:30"', 4, time(17, 30)),
        ('day = "Sunday"', 6, time(9, 0)),
        ('time = "8:05"', 0, time(8, 5)),
        ("time = 07:45:00", 0, time(7, 45)),
        ("", 0, time(9, 0)),
    ],
)
def test_digest_settings(tmp_path: Path, lines: str, weekday: int, at: time) -> None:
    territory = load_territory(write(tmp_path, with_digest(lines)))
    assert territory.digest == DigestSettings(weekday=weekday, time=at)


BROKEN_DIGEST = [
    (
        "french day name",
        'day = "lundi"',
        "digest.day: unknown day 'lundi' (known: monday, tuesday, wednesday, thursday, friday, "
        "saturday, sunday)",
    ),
    ("day as a number", "day = 1", "digest.day: expected a text in quotes, got a whole number (1)"),
    (
        "hour out of range",
        'time = "25:00"',
        'digest.time: expected a time of day like "09:00" (24 h, HH:MM), got a text in quotes '
        "('25:00')",
    ),
    (
        "french way of writing hours",
        'time = "9h"',
        'digest.time: expected a time of day like "09:00" (24 h, HH:MM), got a text in quotes '
        "('9h')",
    ),
    (
        "time as a number",
        "time = 9",
        'digest.time: expected a time of day like "09:00" (24 h, HH:MM), got a whole number (9)',
    ),
    (
        "time with seconds",
        "time = 09:00:30",
        'digest.time: give hours and minutes only, like "09:00", got (09:00:30)',
    ),
    (
        "unknown key",
        'weekday = "monday"',
        "digest.weekday: unknown key 'weekday' (known keys: day, time)",
    ),
]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [case[1:] for case in BROKEN_DIGEST],
    ids=[case[0] for case in BROKEN_DIGEST],
)
def test_broken_digest(tmp_path: Path, lines: str, expected: str) -> None:
    path = write(tmp_path, with_digest(lines))
    assert error_of(path) == f"{path}: {expected}"


def test_digest_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, 'digest = "monday"\n' + MINIMAL)
    assert error_of(path) == f"{path}: digest: expected a table, got a text in quotes"


# --------------------------------------------------------------------------- meeting series

MEETINGS = """
[[meetings]]
id = "gt-mensuel"
body = "gt"
rule = "Monthly:1:Tue"
first = 2027-01-05T14:30:00
duration_minutes = 90
title = { fr = "Réunion du groupe de travail", en = "Working group meeting" }
place = { fr = "Salle 3 (exemple).", en = "Room 3 (example)." }
access = { fr = "Le bus 12 s'arrête devant.", en = "Bus 12 stops in front." }
online_url = "https://visio.example.org/gt"
helper = { fr = "Claire (exemple), au 01 99 00 12 34.", en = "Claire (example), on 01 99 00 12 34." }
agenda = { fr = "Le groupe parle des soins.", en = "The group talks about care." }

[[meetings]]
id = "gt-visio"
body = "gt"
rule = "once"
first = 2027-03-02T18:00:00
title = { fr = "Réunion en ligne", en = "Online meeting" }
online_url = "https://visio.example.org/gt-2"
"""


def with_meetings(old: str = "", new: str = "") -> str:
    meetings = edit(old, new, MEETINGS) if old else MEETINGS
    return MINIMAL + meetings


def test_meeting_series_load(tmp_path: Path) -> None:
    territory = load_territory(write(tmp_path, with_meetings()))
    paris = ZoneInfo("Europe/Paris")
    full, online = territory.meeting_series
    assert full == MeetingSeries(
        id="gt-mensuel",
        body="gt",
        rule="monthly:1:tue",
        first=datetime(2027, 1, 5, 14, 30, tzinfo=paris),
        duration_minutes=90,
        title=Localized({"fr": "Réunion du groupe de travail", "en": "Working group meeting"}),
        place=Localized({"fr": "Salle 3 (exemple).", "en": "Room 3 (example)."}),
        access=Localized({"fr": "Le bus 12 s'arrête devant.", "en": "Bus 12 stops in front."}),
        online_url="https://visio.example.org/gt",
        helper=Localized(
            {
                "fr": "Claire (exemple), au 01 99 00 12 34.",
                "en": "Claire (example), on 01 99 00 12 34.",
            }
        ),
        agenda=Localized({"fr": "Le groupe parle des soins.", "en": "The group talks about care."}),
    )
    assert full.first.utcoffset() is not None
    assert online.rule == "once"
    assert online.duration_minutes == 120  # the default
    assert (online.place, online.access, online.helper, online.agenda) == (None,) * 4
    assert online.first == datetime(2027, 3, 2, 18, 0, tzinfo=paris)
    hash(territory)


def test_meeting_first_follows_the_territory_zone(tmp_path: Path) -> None:
    text = edit('timezone = "Europe/Paris"', 'timezone = "Indian/Reunion"', with_meetings())
    territory = load_territory(write(tmp_path, text))
    first = territory.meeting_series[0].first
    assert first.tzinfo == ZoneInfo("Indian/Reunion")
    assert (first.hour, first.minute) == (14, 30)


BROKEN_MEETINGS = [
    # (what the test breaks, old fragment of MEETINGS, new fragment, exact "where: what")
    (
        "unknown body",
        'body = "gt"\nrule = "Monthly',
        'body = "gt-x"\nrule = "Monthly',
        "meetings \"gt-mensuel\".body: unknown body 'gt-x' (known: cdu-hop, gt, triage)",
    ),
    (
        "bad ordinal in rule",
        'rule = "Monthly:1:Tue"',
        'rule = "monthly:5:tue"',
        "meetings \"gt-mensuel\".rule: invalid recurrence rule 'monthly:5:tue': ordinal must be "
        "1, 2, 3, 4 or -1 (last), not 5",
    ),
    (
        "rule in words",
        'rule = "Monthly:1:Tue"',
        'rule = "every month"',
        "meetings \"gt-mensuel\".rule: invalid recurrence rule 'every month': expected once, "
        "weekly, weekly:N, monthly, monthly:N:DAY or quarterly",
    ),
    (
        "end date on a single meeting",
        'rule = "once"',
        'rule = "once;until=2027-12-31"',
        "meetings \"gt-visio\".rule: invalid recurrence rule 'once;until=2027-12-31': a single "
        "meeting (once) cannot have an end date",
    ),
    (
        "offset datetime",
        "first = 2027-01-05T14:30:00",
        "first = 2027-01-05T14:30:00+01:00",
        'meetings "gt-mensuel".first: expected a local date and time without offset like '
        "2026-01-06T14:30:00 (it is read in the territory's time zone, Europe/Paris), got a "
        "date and time with an offset (2027-01-05T14:30:00+01:00)",
    ),
    (
        "utc datetime",
        "first = 2027-01-05T14:30:00",
        "first = 2027-01-05T13:30:00Z",
        'meetings "gt-mensuel".first: expected a local date and time without offset like '
        "2026-01-06T14:30:00 (it is read in the territory's time zone, Europe/Paris), got a "
        "date and time with an offset (2027-01-05T13:30:00+00:00)",
    ),
    (
        "plain date",
        "first = 2027-01-05T14:30:00",
        "first = 2027-01-05",
        'meetings "gt-mensuel".first: expected a date and time like 2026-01-06T14:30:00, got a '
        "date without a time (2027-01-05): add the start time",
    ),
    (
        "datetime in quotes",
        "first = 2027-01-05T14:30:00",
        'first = "2027-01-05T14:30:00"',
        'meetings "gt-mensuel".first: expected a TOML date and time without quotes like '
        "2026-01-06T14:30:00, got a text in quotes ('2027-01-05T14:30:00')",
    ),
    (
        "missing first",
        "first = 2027-01-05T14:30:00\n",
        "",
        "meetings \"gt-mensuel\".first: missing required key 'first'",
    ),
    (
        "non-https url",
        'online_url = "https://visio.example.org/gt"',
        'online_url = "http://visio.example.org/gt"',
        'meetings "gt-mensuel".online_url: expected an address starting with https://, without '
        "spaces, got 'http://visio.example.org/gt'",
    ),
    (
        "url with a space",
        'online_url = "https://visio.example.org/gt-2"',
        'online_url = "https://visio.example.org/gt 2"',
        'meetings "gt-visio".online_url: expected an address starting with https://, without '
        "spaces, got 'https://visio.example.org/gt 2'",
    ),
    (
        "no place nor url",
        'online_url = "https://visio.example.org/gt-2"\n',
        "",
        'meetings "gt-visio": needs a place, an online_url or both: people must know where to go',
    ),
    (
        "duplicate id",
        'id = "gt-visio"',
        'id = "gt-mensuel"',
        "meetings[1].id: duplicate id 'gt-mensuel'",
    ),
    (
        "invalid id",
        'id = "gt-visio"',
        'id = "GT visio"',
        "meetings[1].id: 'GT visio' is not a valid id: use 1 to 32 lowercase letters a-z, "
        "digits, '-' or '_', starting with a letter or digit",
    ),
    (
        "zero duration",
        "duration_minutes = 90",
        "duration_minutes = 0",
        'meetings "gt-mensuel".duration_minutes: must be a positive whole number, got 0',
    ),
    (
        "negative duration",
        "duration_minutes = 90",
        "duration_minutes = -30",
        'meetings "gt-mensuel".duration_minutes: must be a positive whole number, got -30',
    ),
    (
        "duration as text",
        "duration_minutes = 90",
        'duration_minutes = "90"',
        'meetings "gt-mensuel".duration_minutes: expected a whole number, got a text in quotes '
        "('90')",
    ),
    (
        "missing title",
        'title = { fr = "Réunion en ligne", en = "Online meeting" }\n',
        "",
        "meetings \"gt-visio\".title: missing required key 'title'",
    ),
    (
        "place lacks english",
        'place = { fr = "Salle 3 (exemple).", en = "Room 3 (example)." }',
        'place = "Salle 3 (exemple)."',
        "meetings \"gt-mensuel\".place: missing the 'en' text (a plain text is French only): "
        "every text needs each of the territory's languages (fr, en)",
    ),
    (
        "unknown key",
        'rule = "once"',
        'rule = "once"\nlieu = "Salle 3"',
        "meetings[1].lieu: unknown key 'lieu' (known keys: id, body, rule, first, "
        "duration_minutes, title, place, access, online_url, helper, agenda)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [case[1:] for case in BROKEN_MEETINGS],
    ids=[case[0] for case in BROKEN_MEETINGS],
)
def test_broken_meetings(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, with_meetings(old, new))
    assert error_of(path) == f"{path}: {expected}"


def test_meetings_empty_or_not_tables(tmp_path: Path) -> None:
    path = write(tmp_path, "meetings = []\n" + MINIMAL)
    assert error_of(path) == f"{path}: meetings: needs at least one entry"
    path = write(tmp_path, 'meetings = ["cdu"]\n' + MINIMAL)
    assert error_of(path) == f"{path}: meetings[0]: expected a table, got a text in quotes"
