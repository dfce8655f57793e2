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


def route_lines(territory: Territory) -> list[str]:
    """The whole routing table, one line per kind × theme (and per establishment for the
    kinds a rule names establishments for), with the rule that decided: what `check` prints."""
    lines = []
    with_establishment = {
        kind
        for rule in territory.routing_rules
        if "*" not in rule.establishments
        for kind in (SUBMISSION_KINDS if "*" in rule.kinds else rule.kinds)
    }
    for kind in SUBMISSION_KINDS:
        places: list[str | None] = [None]
        if kind in with_establishment:
            places += [e.id for e in territory.establishments]
        for place in places:
            for theme in territory.themes:
                index = matching_rule(territory, kind, theme.id, place)
                why = f"rule {index + 1}" if index is not None else "fallback"
                if index is None and kind == "situation" and territory.situations_body:
                    why = "situations body"
                where = f" @{place}" if place else ""
                bodies = ", ".join(route(territory, kind, theme.id, place))
                key = theme.id + where
                lines.append(f"{kind:<12} {key:<30} -> {bodies}  ({why})")
    return lines
