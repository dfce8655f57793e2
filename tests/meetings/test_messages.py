"""What people read about a meeting: how soon, the card, reminders and notices with their
calendar file, the answer buttons and the help request sent to coordinators."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.config import Territory
from bot.engine import Reply
from bot.i18n import Catalogs, Translator
from bot.meetings import messages
from bot.storage.meetings import Meeting

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2027, 3, 30, 10, 0, tzinfo=PARIS)  # Tuesday, summer time since the 28th


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture(scope="module")
def catalogs(territory: Territory) -> Catalogs:
    return Catalogs(territory.languages)


@pytest.fixture
def fr(catalogs: Catalogs) -> Translator:
    return catalogs.get("fr")


def meeting(**fields: object) -> Meeting:
    values: dict[str, object] = {
        "id": 42,
        "body_id": "gt-crise",
        "series_id": None,
        "title": "Réunion du groupe crise",
        "starts_at": START.astimezone(UTC),
        "ends_at": (START + timedelta(hours=2)).astimezone(UTC),
        "place": "Maison des associations, Nanterre",
        "access": "Bus 259, arrêt Mairie",
        "online_url": None,
        "helper": "Claire, au 01 99 00 12 34",
        "agenda": "Nous parlons de l'accueil aux urgences.",
        "status": "scheduled",
        "sequence": 0,
    }
    values.update(fields)
    return Meeting(**values)  # type: ignore[arg-type]


def calendar(reply: Reply) -> Calendar:
    assert reply.document is not None and reply.document.filename == "reunion.ics"
    return Calendar.from_ical(reply.document.content)


# ---- how soon ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (paris(2027, 3, 23, 10, 0), "⏰ La réunion est dans 7 jours."),
        (paris(2027, 3, 29, 10, 0), "⏰ La réunion est demain."),
        (paris(2027, 3, 29, 20, 30), "⏰ La réunion est demain."),  # an H-3 moved to the evening
        (paris(2027, 3, 30, 7, 0), "⏰ La réunion est aujourd'hui, dans 3 heures."),
        (paris(2027, 3, 30, 9, 0), "⏰ La réunion est aujourd'hui, dans 1 heure."),
        (paris(2027, 3, 30, 9, 45), "⏰ La réunion commence bientôt."),
    ],
)
def test_how_soon(now: datetime, expected: str, fr: Translator, territory: Territory) -> None:
    assert messages.how_soon(meeting(), now.astimezone(UTC), fr, territory) == expected


def test_how_soon_counts_days_on_the_territory_s_calendar(
    fr: Translator, territory: Territory
) -> None:
    """At 00:00 in Paris it is still the day before in UTC: the meeting is today, not tomorrow."""
    now = paris(2027, 3, 30, 0, 0)
    assert now.astimezone(UTC).date().day == 29
    assert (
        messages.how_soon(meeting(), now.astimezone(UTC), fr, territory)
        == "⏰ La réunion est aujourd'hui, dans 10 heures."
    )


# ---- the card ------------------------------------------------------------------------------


def test_card_escapes_what_coordinators_typed(fr: Translator, territory: Territory) -> None:
    text = messages.card(
        meeting(
            title="<b>Urgent</b> & important",
            place="Salle <i>3</i>",
            access="Bus <259>",
            helper="Claire <script>",
            agenda="Point 1 <b>gras</b>",
        ),
        fr,
        territory,
    )
    assert "📅 <b>&lt;b&gt;Urgent&lt;/b&gt; &amp; important</b>" in text
    assert "Où : Salle &lt;i&gt;3&lt;/i&gt;." in text
    assert "Pour venir : Bus &lt;259&gt;." in text
    assert "Pour de l'aide, demandez à : Claire &lt;script&gt;." in text
    assert "Point 1 &lt;b&gt;gras&lt;/b&gt;" in text
    assert "<i>" not in text and "<script>" not in text


def test_card_full_date_end_time_and_one_fact_per_line(
    fr: Translator, territory: Territory
) -> None:
    lines = messages.card(meeting(), fr, territory).splitlines()
    assert lines == [
        "📅 <b>Réunion du groupe crise</b>",
        "Groupe : Groupe de travail urgence et crise.",
        "Quand : mardi 30 mars 2027 à 10 h.",
        "Fin prévue à 12 h.",
        "Où : Maison des associations, Nanterre.",
        "Pour venir : Bus 259, arrêt Mairie.",
        "Pour de l'aide, demandez à : Claire, au 01 99 00 12 34.",
        "Ce qui est prévu :",
        "Nous parlons de l'accueil aux urgences.",  # an apostrophe stays one character
    ]


def test_card_shows_the_online_link_as_a_link_on_words(
    fr: Translator, territory: Territory
) -> None:
    url = 'https://visio.example.org/a?b=1&c="x"'
    text = messages.card(meeting(place=None, access=None, online_url=url), fr, territory)
    assert (
        'En ligne : ouvrez <a href="https://visio.example.org/a?b=1&amp;c=&quot;x&quot;">'
        "ce lien</a>." in text
    )
    assert "Où :" not in text


def test_card_of_an_unknown_body_shows_its_id(fr: Translator, territory: Territory) -> None:
    text = messages.card(meeting(body_id="<inconnu>"), fr, territory)
    assert "Groupe : &lt;inconnu&gt;." in text


def test_when_uses_full_date_and_french_time(fr: Translator, territory: Territory) -> None:
    assert messages.when(meeting(), fr, territory) == "mardi 30 mars 2027 à 10 h"
    half = meeting(starts_at=paris(2027, 4, 1, 14, 30).astimezone(UTC))
    assert messages.when(half, fr, territory) == "jeudi 1er avril 2027 à 14 h 30"


# ---- reminders and notices -----------------------------------------------------------------


def test_a_short_reminder_is_one_message_with_its_calendar_file(
    fr: Translator, territory: Territory
) -> None:
    (reply,) = messages.reminder(meeting(), paris(2027, 3, 29, 10, 0), fr, territory)
    assert reply.text.startswith("⏰ La réunion est demain.\n📅 <b>Réunion du groupe crise</b>")
    assert reply.text.endswith("Vous venez ? Répondez avec les boutons.")
    assert len(reply.text) <= messages.MAX_CAPTION
    assert [b.data for row in reply.buttons for b in row] == ["v:42:yes", "v:42:no", "v:42:help"]
    event = calendar(reply).walk("VEVENT")[0]
    assert str(calendar(reply)["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"meeting-42@porte-voix.{territory.id}"
    assert event.decoded("DTSTART") == START
    assert str(event["LOCATION"]) == "Maison des associations, Nanterre"


def test_a_long_reminder_is_the_text_then_the_file(fr: Translator, territory: Territory) -> None:
    long = meeting(agenda="Nous parlons de l'accueil aux urgences. " * 30)
    text, file = messages.reminder(long, paris(2027, 3, 29, 10, 0), fr, territory)
    assert len(text.text) > messages.MAX_CAPTION
    assert text.document is None and len(text.buttons) == 3
    assert file.text == "📎 Ce fichier ajoute la réunion à votre agenda."
    assert file.buttons == () and file.document is not None


@pytest.mark.parametrize("agenda_length", [10, 2000])
def test_changed_and_cancelled_follow_the_caption_limit(
    agenda_length: int, fr: Translator, territory: Territory
) -> None:
    before = meeting(agenda="a" * agenda_length)
    after = replace(
        before,
        starts_at=paris(2027, 3, 31, 10, 0).astimezone(UTC),
        ends_at=paris(2027, 3, 31, 12, 0).astimezone(UTC),
        sequence=1,
    )
    changed = messages.changed(after, before, fr, territory)
    cancelled = messages.cancelled(replace(before, status="cancelled", sequence=1), fr, territory)
    expected = 1 if agenda_length < 100 else 2
    assert len(changed) == expected
    assert len(cancelled) == 1  # the cancellation does not repeat the agenda
    assert changed[-1].document is not None and cancelled[0].document is not None


def test_changed_says_what_changed(fr: Translator, territory: Territory) -> None:
    before = meeting()
    moved = replace(
        before,
        starts_at=paris(2027, 3, 31, 10, 0).astimezone(UTC),
        ends_at=paris(2027, 3, 31, 12, 0).astimezone(UTC),
        sequence=1,
    )
    (reply,) = messages.changed(moved, before, fr, territory)
    assert reply.text.startswith("⚠️ <b>Attention, la réunion change.</b>")
    assert "Elle était prévue le mardi 30 mars 2027 à 10 h." in reply.text
    assert "Elle a lieu le mercredi 31 mars 2027 à 10 h." in reply.text
    assert "Le lieu change." not in reply.text
    assert int(calendar(reply).walk("VEVENT")[0]["SEQUENCE"]) == 1

    (elsewhere,) = messages.changed(replace(before, place="Salle 4"), before, fr, territory)
    assert "Le lieu change." in elsewhere.text and "Elle était prévue" not in elsewhere.text


def test_cancelled_has_a_cancel_file_with_the_same_uid_and_a_higher_sequence(
    fr: Translator, territory: Territory
) -> None:
    scheduled = meeting(sequence=2)
    (reminder,) = messages.reminder(scheduled, paris(2027, 3, 29, 10, 0), fr, territory)
    gone = replace(scheduled, status="cancelled", sequence=3)  # as the database has it
    (notice,) = messages.cancelled(gone, fr, territory)
    published = calendar(reminder).walk("VEVENT")[0]
    cancel = calendar(notice)
    event = cancel.walk("VEVENT")[0]
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(published["UID"])
    assert int(event["SEQUENCE"]) > int(published["SEQUENCE"])
    assert notice.buttons == ()
    assert "❌ <b>La réunion est annulée.</b>" in notice.text
    assert "Elle était prévue le mardi 30 mars 2027 à 10 h." in notice.text


def test_cancelled_escapes_the_title(fr: Translator, territory: Territory) -> None:
    (notice,) = messages.cancelled(meeting(title="A <b>B</b>"), fr, territory)
    assert "Réunion : A &lt;b&gt;B&lt;/b&gt;." in notice.text


def test_announcement_new_or_next(fr: Translator, territory: Territory) -> None:
    (new,) = messages.announcement(meeting(), fr, territory)
    (next_one,) = messages.announcement(meeting(), fr, territory, new=False)
    assert new.text.startswith("🆕 Une nouvelle réunion est prévue.")
    assert next_one.text.startswith("📌 Voici une prochaine réunion de ce groupe.")


def test_reminder_in_english(catalogs: Catalogs, territory: Territory) -> None:
    (reply,) = messages.reminder(
        meeting(), paris(2027, 3, 29, 10, 0), catalogs.get("en"), territory
    )
    assert reply.text.startswith("⏰ The meeting is tomorrow.")
    assert "La réunion" not in reply.text


# ---- buttons and the help request ----------------------------------------------------------


def test_answer_and_help_buttons_fit_telegram_s_64_bytes(fr: Translator) -> None:
    big = 2**63 - 1  # the largest SQLite rowid
    rows = messages.rsvp_buttons(big, fr) + messages.help_buttons(big, fr)
    data = [b.data for row in rows for b in row]
    assert data == [
        f"v:{big}:yes",
        f"v:{big}:no",
        f"v:{big}:help",
        f"v:{big}:h:transport",
        f"v:{big}:h:company",
        f"v:{big}:h:agenda",
    ]
    assert max(len(d.encode()) for d in data) <= 64


def test_help_request_names_the_person_by_pseudonym_only(
    fr: Translator, territory: Territory
) -> None:
    reply = messages.help_request(meeting(), "7F3K", "transport", fr, territory)
    assert reply.text.splitlines() == [
        "🤝 <b>Une personne demande de l'aide pour venir.</b>",
        "Qui : Personne 7F3K.",
        "Réunion : Réunion du groupe crise, le mardi 30 mars 2027 à 10 h.",
        "Elle demande de l'aide pour le trajet.",
        "Préparez son aide avant la réunion.",
    ]
    assert "Claire" not in reply.text  # the meeting's helper is not the person asking
    assert reply.buttons == () and reply.document is None


def test_listing_shows_answers(fr: Translator, territory: Territory) -> None:
    text = messages.listing([meeting()], fr, territory, {42: "help"})
    assert "<b>Réunion du groupe crise</b> : mardi 30 mars 2027 à 10 h." in text
    assert "Vous avez demandé de l'aide pour venir." in text
    assert "0 réunion" in messages.listing([], fr, territory)
