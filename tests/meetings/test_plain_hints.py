"""The hints a coordinator sees before sending a meeting: what would stop followers reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.i18n import Catalogs
from bot.meeting_actions import plain_hints
from bot.plain.glossary import Glossary
from bot.storage.meetings import Meeting

START = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)


def meeting(title: str, agenda: str | None = None) -> Meeting:
    return Meeting(
        id=0,
        body_id="gt-crise",
        series_id=None,
        title=title,
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        place="Salle 3",
        access=None,
        online_url=None,
        helper=None,
        agenda=agenda,
        status="scheduled",
        sequence=0,
    )


def test_plain_words_get_no_hint() -> None:
    t = Catalogs(("fr",)).get("fr")
    assert (
        plain_hints(meeting("Réunion du groupe crise", "Nous parlons de l'accueil."), t, None) == []
    )


def test_acronyms_long_sentences_and_numeric_dates_are_pointed_out() -> None:
    t = Catalogs(("fr",)).get("fr")
    agenda = (
        "Point sur la CDU et le PTSM.\n"
        "Les membres du groupe présentent le bilan des actions menées depuis la dernière "
        "réunion plénière de la commission.\n"
        "Prochaine date le 12/05."
    )
    hints = plain_hints(meeting("Réunion CoPil", agenda), t, Glossary.load())
    text = "\n".join(hints)
    assert "CDU : commission des usagers" in text
    assert "PTSM : projet territorial de santé mentale" in text
    assert "Phrases de plus de 15 mots : 1." in text
    assert "Écrivez les dates en entier" in text
    assert "<" not in text.replace("<b>", "")
