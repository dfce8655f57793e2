"""Routing: first matching rule wins, wildcards, several bodies, and a triage fallback so
that nothing a person writes is ever left without a receiver."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG, SUBMISSION_KINDS, Territory, load_territory
from bot.routing import matching_rule, route, route_table

# French only: plain strings are enough for every text.
HEAD = """\
[territory]
id = "test"
timezone = "Europe/Paris"
languages = ["fr"]
name = "Territoire de test"
reading_notice = "Une personne lit les messages le lundi."

[retention]
submissions_days = 730
drafts_days = 30
crisis_events_days = 90
closed_followup_weeks = 4

[[crisis_resources]]
id = "3114"
number = "3114"
channel = "call"
label = "Des soignants vous écoutent."
hours = "Jour et nuit."
checked = 2026-11-01

[[establishments]]
id = "nord"
name = "Hôpital Nord (exemple)"

[[establishments]]
id = "sud"
name = "Hôpital Sud (exemple)"

[[themes]]
id = "crise"
label = "Crise"

[[themes]]
id = "logement"
label = "Logement"

[[themes]]
id = "soins"
label = "Soins"
"""

BODIES = [
    ("cdu-nord", "cdu", "nord"),
    ("cdu-sud", "cdu", "sud"),
    ("gt-crise", "ptsm_group", None),
    ("gt-logement", "ptsm_group", None),
    ("clsm", "clsm_commission", None),
    ("cssm", "cssm", None),
    ("triage", "triage", None),
]


def make(tmp_path: Path, rules: str) -> Territory:
    """A small territory with the given [[routing.rules]] text."""
    parts = [HEAD]
    for body_id, kind, establishment in BODIES:
        parts.append(
            f'[[bodies]]\nid = "{body_id}"\nkind = "{kind}"\n'
            f'name = "Nom {body_id}"\nexplain = "Ce groupe vous écoute."\n'
            + (f'establishment = "{establishment}"\n' if establishment else "")
        )
    parts.append('[routing]\nfallback = "triage"\n')
    parts.append(rules)
    path = tmp_path / "territoire.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return load_territory(path)


def test_first_match_wins(tmp_path: Path) -> None:
    territory = make(
        tmp_path,
        """
[[routing.rules]]
kinds = ["idee"]
themes = ["crise"]
bodies = ["gt-crise"]

[[routing.rules]]
kinds = ["idee"]
bodies = ["cssm"]
""",
    )
    assert route(territory, "idee", "crise", None) == ("gt-crise",)
    assert matching_rule(territory, "idee", "crise", None) == 0
    # The broader rule only catches what the first one does not.
    assert route(territory, "idee", "logement", None) == ("cssm",)
    assert matching_rule(territory, "idee", "logement", None) == 1


def test_order_in_file_matters(tmp_path: Path) -> None:
    territory = make(
        tmp_path,
        """
[[routing.rules]]
kinds = ["idee"]
bodies = ["cssm"]

[[routing.rules]]
kinds = ["idee"]
themes = ["crise"]
bodies = ["gt-crise"]
""",
    )
    assert route(territory, "idee", "crise", None) == ("cssm",)


def test_wildcard_and_omitted_keys_match_anything(tmp_path: Path) -> None:
    territory = make(
        tmp_path,
        """
[[routing.rules]]
kinds = "*"
themes = ["*"]
establishments = ["sud"]
bodies = ["cdu-sud"]

[[routing.rules]]
kinds = ["avis"]
bodies = ["clsm"]
""",
    )
    rule = territory.routing_rules[0]
    assert (rule.kinds, rule.themes, rule.establishments) == (("*",), ("*",), ("sud",))
    for kind in SUBMISSION_KINDS:
        assert route(territory, kind, None, "sud") == ("cdu-sud",)
        assert route(territory, kind, "logement", "sud") == ("cdu-sud",)
    # Omitted themes/establishments: any value, including "not given".
    assert route(territory, "avis", None, None) == ("clsm",)
    assert route(territory, "avis", "crise", "nord") == ("clsm",)


def test_specific_criterion_does_not_match_missing_value(tmp_path: Path) -> None:
    territory = make(
        tmp_path,
        """
[[routing.rules]]
kinds = ["reclamation"]
establishments = ["nord"]
bodies = ["cdu-nord"]

[[routing.rules]]
kinds = ["avis"]
themes = ["crise"]
bodies = ["gt-crise"]
""",
    )
    assert route(territory, "reclamation", "crise", "nord") == ("cdu-nord",)
    assert route(territory, "reclamation", "crise", None) == ("triage",)
    assert route(territory, "avis", None, None) == ("triage",)


def test_several_bodies(tmp_path: Path) -> None:
    territory = make(
        tmp_path,
        """
[[routing.rules]]
kinds = ["avis", "idee"]
themes = ["logement"]
bodies = ["gt-logement", "clsm"]
""",
    )
    assert route(territory, "idee", "logement", None) == ("gt-logement", "clsm")
    assert route(territory, "avis", "logement", "nord") == ("gt-logement", "clsm")


def test_fallback_without_rules(tmp_path: Path) -> None:
    territory = make(tmp_path, "")
    assert territory.routing_rules == ()
    for kind in SUBMISSION_KINDS:
        assert route(territory, kind, None, None) == ("triage",)
        assert route(territory, kind, "crise", "nord") == ("triage",)


def test_unknown_theme_or_establishment_falls_back(tmp_path: Path) -> None:
    """A draft saved before the file changed must still reach someone."""
    territory = make(
        tmp_path,
        """
[[routing.rules]]
themes = ["crise"]
bodies = ["gt-crise"]
""",
    )
    assert route(territory, "idee", "theme-supprime", "hopital-ferme") == ("triage",)


def test_unknown_kind_is_a_programming_error(tmp_path: Path) -> None:
    territory = make(tmp_path, "")
    with pytest.raises(ValueError, match="unknown submission kind 'plainte'"):
        route(territory, "plainte", None, None)


def test_route_table_covers_every_kind_and_theme(tmp_path: Path) -> None:
    territory = make(
        tmp_path,
        """
[[routing.rules]]
kinds = ["idee"]
themes = ["crise"]
bodies = ["gt-crise"]
""",
    )
    table = route_table(territory)
    assert len(table) == len(SUBMISSION_KINDS) * 3
    assert ("idee", "crise", ("gt-crise",)) in table
    assert ("avis", "crise", ("triage",)) in table
    assert [row[:2] for row in table[:3]] == [
        ("avis", "crise"),
        ("avis", "logement"),
        ("avis", "soins"),
    ]


def test_example_territory_routes_everything() -> None:
    territory = load_territory(DEFAULT_CONFIG)
    body_ids = {b.id for b in territory.bodies}
    table = route_table(territory)
    assert len(table) == len(SUBMISSION_KINDS) * len(territory.themes)
    for kind, theme, bodies in table:
        assert bodies, (kind, theme)
        assert set(bodies) <= body_ids, (kind, theme)
    # Feedback and ideas reach a working body of their theme, not the triage team.
    for kind, theme, bodies in table:
        if kind in ("avis", "idee"):
            assert territory.fallback_body not in bodies, (kind, theme)
    assert route(territory, "idee", "crise", None) == ("gt-crise",)
    # Every complaint about an example hospital reaches that hospital's users' committee.
    for establishment in territory.establishments:
        for theme in [None, *(t.id for t in territory.themes)]:
            (body_id,) = route(territory, "reclamation", theme, establishment.id)
            body = territory.body(body_id)
            assert (body.kind, body.establishment) == ("cdu", establishment.id)
    # A complaint that names no hospital goes to the triage team.
    assert route(territory, "reclamation", "crise", None) == (territory.fallback_body,)


def test_an_individual_situation_goes_to_the_situations_body() -> None:
    example = load_territory(DEFAULT_CONFIG)
    assert route(example, "situation", None, None) == ("clsm-nanterre-situations",)
