"""The card a body reads shows the author exactly as they chose: nothing, a code, or a name."""

from __future__ import annotations

from bot.case_cards import card
from bot.config import Territory
from bot.i18n import Catalogs
from bot.storage.cases import Case

CASE = Case(
    id=3, submission_id=1, body_id="gt-crise", status="new", reference="AV-2026-0003",
    kind="avis", created_at="2026-11-22T10:00:00+00:00", taken_by=None, outcome=None,
    meeting_date=None, delivered_at=None, first_action_at=None, closed_at=None,
    overdue_level=0, overdue_at=None, followup_at=None, followup_answer=None,
)  # fmt: skip


def submission(**overrides: object) -> dict:
    row = {
        "reference": "AV-2026-0003", "kind": "avis", "theme": "crise", "establishment": None,
        "speaker": "usager", "sharing": "anonymous", "author_name": None,
        "created_at": "2026-11-22T10:00:00+00:00", "event_date": None,
        "body_text": "Trop d'attente <b>aux</b> urgences.", "voice_file_id": None,
        "voice_duration": None, "details": None, "author_id": 4,
    }  # fmt: skip
    row.update(overrides)
    return row


def test_anonymous_pseudonymous_named(territory: Territory) -> None:
    t = Catalogs(territory.languages).get("fr")
    anonymous = card(CASE, submission(), t, territory, pseudonym="7F3K").text
    assert "la personne reste anonyme" in anonymous and "7F3K" not in anonymous
    coded = card(CASE, submission(sharing="pseudonymous"), t, territory, pseudonym="7F3K").text
    assert "Personne 7F3K" in coded
    named = card(
        CASE, submission(sharing="named", author_name="Léa Bernard"), t, territory, pseudonym=None
    ).text
    assert "Léa Bernard" in named
    # What people wrote is escaped, never interpreted as markup.
    assert "&lt;b&gt;aux&lt;/b&gt;" in anonymous
    assert "dimanche 22 novembre 2026" in anonymous


def test_buttons_follow_the_status(territory: Territory) -> None:
    t = Catalogs(territory.languages).get("fr")
    new = card(CASE, submission(), t, territory, pseudonym=None)
    labels = [b.label for row in new.buttons for b in row]
    assert labels[0] == "🙋 Je m'en occupe" and "✅ Clore" in labels
    from dataclasses import replace

    taken = card(replace(CASE, status="taken"), submission(), t, territory, pseudonym=None)
    assert "🙋 Je m'en occupe" not in [b.label for row in taken.buttons for b in row]
    closed = card(replace(CASE, status="closed"), submission(), t, territory, pseudonym=None)
    assert closed.buttons == ()
