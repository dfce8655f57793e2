"""The answer to a message that fired the safety net: which numbers, in which order."""

from __future__ import annotations

from bot.config import Territory
from bot.crisis import first_resources, other_resources_reply, resources_reply
from bot.i18n import Catalogs


def test_first_numbers_then_the_ones_that_fit(territory: Territory) -> None:
    ids = [r.id for r in first_resources(territory, ["suicide"])]
    assert ids == ["3114", "15", "112", "114"]
    assert [r.id for r in first_resources(territory, ["child_at_risk"])][-1] == "119"
    assert "3919" in [r.id for r in first_resources(territory, ["violence_received"])]


def test_imminent_puts_the_emergency_numbers_first(territory: Territory) -> None:
    ids = [r.id for r in first_resources(territory, ["suicide"], imminent=True)]
    assert ids == ["15", "112", "3114", "114"]


def test_the_reply_offers_continue_more_and_stop_only_when_a_message_is_held(
    territory: Territory,
) -> None:
    t = Catalogs(territory.languages).get("fr")
    held = resources_reply(territory, t, ["suicide"], revision=7)
    assert [b.data for row in held.buttons for b in row] == ["k:7:go", "k:7:more", "k:7:stop"]
    assert held.text.startswith("Merci de m'avoir écrit.\nJe suis un robot.")
    free = resources_reply(territory, t, ["suicide"], revision=None)
    assert [b.data for row in free.buttons for b in row] == ["k:0:more"]
    short = resources_reply(territory, t, ["suicide"], revision=None, recently_shown=True)
    assert "3114" in short.text and "112" not in short.text  # no full list twice in a row
    more = other_resources_reply(territory, t, ["suicide"])
    assert "SOS Amitié" in more.text and "3114" not in more.text
