"""Explaining the words of the institutions (CDU, PTSM, GEM…) from the project's glossary."""

from __future__ import annotations

import html
from typing import Any

from bot.engine import Button, Reply
from bot.i18n import N_, Translator

COMMON_TERMS = ("CDU", "PTSM", "CLSM", "GEM", "RU", "CMP")


def explanation(glossary: Any, term: str | None, t: Translator) -> Reply:
    """The meaning of a term, or a kind pointer to the common ones when it is unknown."""
    entries = glossary.lookup(term.strip()) if glossary is not None and term else []
    if entries:
        lines = []
        for entry in entries:
            lines.append(
                t(N_("<b>{term}</b> veut dire : {expansion}.")).format(
                    term=html.escape(entry.acronym), expansion=html.escape(entry.expansion)
                )
            )
            lines.append(html.escape(entry.plain_explanation))
        return Reply("\n".join(lines))
    intro = (
        t(N_("Ce mot est absent du lexique."))
        if term
        else t(N_("Le lexique explique les mots des soins et des institutions."))
    )
    known = [c for c in COMMON_TERMS if glossary is not None and glossary.lookup(c)]
    return Reply(
        intro + "\n" + t(N_("Choisissez un mot, ou écrivez /glossaire suivi du mot.")),
        tuple((Button(c, f"g:{c}"),) for c in known),
    )
