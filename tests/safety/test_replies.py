"""What the bot answers when the net fires: which numbers, in which order, with which buttons."""

from __future__ import annotations

from bot.config import Territory
from bot.i18n import Catalogs
from bot.safety.replies import (
    all_resources_reply,
    first_resources,
    full_reply,
    gentle_reply,
    other_resources_reply,
    voice_line,
)


def test_first_numbers_then_the_ones_that_fit(territory: Territory) -> None:
    ids = [r.id for r in first_resources(territory, ["suicide"])]
    assert ids == ["3114", "15", "112", "114"]
    assert [r.id for r in first_resources(territory, ["child_at_risk"])][-1] == "119"
    assert "3919" in [r.id for r in first_resources(territory, ["violence_received"])]


def test_imminent_puts_the_emergency_numbers_first(territory: Territory) -> None:
    ids = [r.id for r in first_resources(territory, ["suicide"], imminent=True)]
    assert ids == ["15", "112", "3114", "114"]


def test_the_full_answer_offers_continue_more_and_stop_when_a_flow_waits(
    territory: Territory,
) -> None:
    t = Catalogs(territory.languages).get("fr")
    held = full_reply(territory, t, ["suicide"], revision=7)
    assert [b.data for row in held.buttons for b in row] == ["k:7:go", "k:7:more", "k:7:stop"]
    assert held.text.startswith("Merci de m'avoir écrit.\nJe suis un robot.")
    assert "Ce message ne va pas au groupe." in held.text
    free = full_reply(territory, t, ["suicide"], revision=None)
    assert [b.data for row in free.buttons for b in row] == ["k:0:more"]
    assert "ne va pas au groupe" not in free.text


def test_repeated_distress_is_shorter_but_never_without_3114_and_15_or_112(
    territory: Territory,
) -> None:
    t = Catalogs(territory.languages).get("fr")
    short = full_reply(territory, t, ["suicide"], revision=None, recently_shown=True)
    assert "Je suis un robot" not in short.text
    assert "<b>3114</b>" in short.text and "<b>15</b>" in short.text and "<b>112</b>" in short.text
    urgent = full_reply(territory, t, ["suicide"], None, recently_shown=True, imminent=True)
    assert urgent.text.index("<b>15</b>") < urgent.text.index("<b>3114</b>")
    child = full_reply(territory, t, ["child_at_risk"], None, recently_shown=True)
    assert "119" in child.text  # the number that fits still comes


def test_the_gentle_line_has_the_3114_the_emergency_numbers_and_opens_the_list(
    territory: Territory,
) -> None:
    t = Catalogs(territory.languages).get("fr")
    gentle = gentle_reply(territory, t, ["suicide"])
    assert "<b>3114</b>" in gentle.text and "<b>15</b>" in gentle.text
    assert [b.data for row in gentle.buttons for b in row] == ["k:0:all"]
    assert "3919" in gentle_reply(territory, t, ["violence_received"]).text
    listing = all_resources_reply(territory, t)
    assert listing.text.index("3114") < listing.text.index("SOS Amitié")


def test_a_voice_note_line_and_the_other_numbers(territory: Territory) -> None:
    t = Catalogs(territory.languages).get("fr")
    assert "<b>3114</b>" in voice_line(territory, t)
    assert "3114" in voice_line(territory, Catalogs(territory.languages).get("en"))
    more = other_resources_reply(territory, t, ["suicide"])
    assert "SOS Amitié" in more.text and "3114" not in more.text
