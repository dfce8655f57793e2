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
    }


SOURCES = ("themes", "languages", "establishments", "groups", "bodies")
