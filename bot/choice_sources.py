"""Buttons a flow takes from the territory (`choices_from:`): one list, used everywhere.

The conversation shows their labels, `check` measures their callback data, and flow
validation accepts their names; all three read this module, so a new source is added once.
"""

from __future__ import annotations

from bot.config import Territory
from bot.i18n import Translator


def dynamic_choices(territory: Territory, t: Translator) -> dict[str, list[tuple[str, str]]]:
    """Each source's (value, label) pairs, labels in the reader's language."""
    lang = t.lang
    return {
        "themes": [(theme.id, theme.label.get(lang)) for theme in territory.themes],
        "languages": [(code, t.language_name(code)) for code in territory.languages],
        "establishments": [(e.id, e.name.get(lang)) for e in territory.establishments],
        "groups": [(b.id, b.name.get(lang)) for b in territory.bodies if b.kind == "gem"],
        "bodies": [(b.id, b.name.get(lang)) for b in territory.bodies],
        "public_bodies": [(b.id, b.name.get(lang)) for b in territory.bodies if _public(b.kind)],
        # Lists that depend on who asks (bot.meeting_actions.personal_choices replaces them in
        # a conversation); here, their largest values, so `check` can measure callback data.
        "my_bodies": [(b.id, b.name.get(lang)) for b in territory.bodies],
        "followed": [(b.id, b.name.get(lang)) for b in territory.bodies],
        "my_meetings": [("m99999999", "—")],
    }


def _public(kind: str) -> bool:
    """Bodies people can follow the meetings of (the triage team does not meet in public)."""
    return kind != "triage"


PERSONAL_SOURCES = ("my_bodies", "followed", "my_meetings")
SOURCES = (
    "themes",
    "languages",
    "establishments",
    "groups",
    "bodies",
    "public_bodies",
    *PERSONAL_SOURCES,
)
