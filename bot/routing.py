"""Submission → bodies, from the territory's ordered routing rules.

Pure functions over a loaded Territory, so routing can be tested and printed by `check`
without a database or Telegram. Routing goes to bodies (roles), never to named people, and
nothing is unroutable: when no rule matches, the territory's triage body receives it.
"""

from __future__ import annotations

from bot.config import SUBMISSION_KINDS, Territory


def matching_rule(
    territory: Territory, kind: str, theme: str | None, establishment: str | None
) -> int | None:
    """Index of the first rule (in file order) that matches, or None; `check` can show it."""
    if kind not in SUBMISSION_KINDS:
        # Kinds are fixed by the code, not the file: an unknown one is a programming error.
        raise ValueError(f"unknown submission kind {kind!r} (known: {', '.join(SUBMISSION_KINDS)})")
    for index, rule in enumerate(territory.routing_rules):
        if rule.matches(kind, theme, establishment):
            return index
    return None


def route(
    territory: Territory, kind: str, theme: str | None, establishment: str | None
) -> tuple[str, ...]:
    """Body ids for a submission: the first matching rule wins, else the fallback body.

    Unknown theme or establishment ids (say, a draft saved before the file changed) simply
    match no specific rule, so they reach a wildcard rule or the fallback instead of failing.
    """
    index = matching_rule(territory, kind, theme, establishment)
    if index is None and kind == "situation" and territory.situations_body is not None:
        # An individual situation never goes to a thematic group: to the body that examines
        # situations (with the author's consent), else to triage.
        return (territory.situations_body.id,)
    if index is None:
        return (territory.fallback_body,)
    return territory.routing_rules[index].bodies


def route_table(territory: Territory) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, theme id, bodies) for every kind × theme, establishment unknown."""
    return [
        (kind, theme.id, route(territory, kind, theme.id, None))
        for kind in SUBMISSION_KINDS
        for theme in territory.themes
    ]
