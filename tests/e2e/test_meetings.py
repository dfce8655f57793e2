"""Meetings as the people involved live them: Marc, who coordinates the crisis working group,
creates a meeting with /reunion; Léa follows the group with /reunions and gets the reminders
7 days, 1 day and 3 hours before, each exactly once, even though the bot restarts between
them. The clock is moved, never slept on: the bot's reminder jobs are re-planned from the
database each time it moves.

The meeting is on Tuesday 30 March 2027 at 10:00 in Paris, two days after the change to
summer time (Sunday 28 March): its J-7 reminder must come at 10:00 winter time (09:00 UTC),
its J-1 at 10:00 summer time (08:00 UTC), and its H-3, due at 07:00, is moved out of the
night to 08:00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.sandbox.client import ChatMessage, Person, SandboxClient
from bot.storage import Database
from tests.e2e.clocked import PARIS, Bots, become_coordinator, move_to

MEETING = datetime(2027, 3, 30, 10, 0, tzinfo=PARIS)
J7 = datetime(2027, 3, 23, 10, 0, tzinfo=PARIS)  # 09:00 UTC (winter time)
J1 = datetime(2027, 3, 29, 10, 0, tzinfo=PARIS)  # 08:00 UTC (summer time)
H3 = datetime(2027, 3, 30, 8, 0, tzinfo=PARIS)  # 07:00 is at night: moved to 08:00
PATIENCE = 8.0


async def follow_crisis_group(person: Person) -> None:
    await person.send("/reunions")
    await person.expect("Vous avez 0 réunion prévue dans les groupes que vous suivez.")
    await person.expect("Que voulez-vous faire ?")
    await person.tap("Suivre un groupe")
    await person.expect("Vous voulez suivre les réunions de quel groupe ?")
    await person.tap("Groupe de travail urgence et crise")
    await person.expect("C'est fait. Vous suivez les réunions de ce groupe")
    await person.expect("Que voulez-vous faire ?")


async def create_meeting(
    marc: Person, day: int, hour: str, title: str, repeat: str = "Une seule fois"
) -> None:
    """Marc's /reunion, every question answered as a coordinator would."""
    await marc.send("/reunion")
    await marc.expect("Que voulez-vous faire ?")
    await marc.tap("Créer une réunion")
    await marc.expect("Cette réunion est pour quel groupe ?")
    await marc.tap("Groupe de travail urgence et crise")
    await marc.expect("Quel est le nom de la réunion ?")
    await marc.send(title)
    await marc.expect("La réunion a lieu quel jour ?")
    await marc.tap(str(day))
    await marc.expect("Elle commence à quelle heure ?")
    await marc.send(hour)
    await marc.expect("Elle dure combien de temps ?")
    await marc.tap("2 heures")
    await marc.expect("Où a lieu la réunion ?")
    await marc.tap("Dans une salle")
    await marc.expect("Écrivez l'adresse de la salle.")
    await marc.send("Maison des associations, 12 rue de la Paix, Nanterre")
    await marc.expect("Comment venir à la salle ?")
    await marc.send("Bus 259, arrêt Mairie. La salle est au rez-de-chaussée.")
    await marc.expect("Qui peut aider les personnes à venir ?")
    await marc.send("Claire, au 01 99 00 12 34")
    await marc.expect("Qu'est-ce qui est prévu à la réunion ?")
    await marc.send("Nous parlons de l'accueil aux urgences.")
    await marc.expect("La réunion a lieu plusieurs fois ?")
    await marc.tap(repeat)
    summary = await marc.expect("Voici la réunion.")
    assert "Rythme : " in summary.text
    await marc.tap("Oui, je crée la réunion")
    await marc.expect("C'est fait. La réunion est prévue le")


async def sent_reminders(db: Database) -> list[tuple[str, str]]:
    async with db.read() as tx:
        rows = await tx.all("SELECT name, sent_at FROM reminders_sent ORDER BY sent_at, name")
    return [(r["name"], r["sent_at"]) for r in rows]


async def reminder_at(bots: Bots, person: Person, moment: datetime, fragment: str) -> ChatMessage:
    """Moves the clock to one second before `moment`: nothing yet; then the reminder comes."""
    move_to(bots.clock, moment - timedelta(seconds=1))
    received = await person.expect(fragment, timeout=PATIENCE)
    assert bots.clock() >= moment.astimezone(UTC)  # never early, on the bot's own clock
    return received


async def calendar_of(client: SandboxClient, message: ChatMessage) -> Calendar:
    assert message.document is not None, message.render()
    assert message.document.get("file_name") == "reunion.ics"
    return Calendar.from_ical(await client.download(message.document["file_id"]))


def reminder_texts(person: Person, fragment: str) -> list[str]:
    return [m.text for m in person.received if fragment in m.text and not m.edited]


async def test_three_reminders_at_local_times_once_each_across_a_restart(
    bots: Bots, client: SandboxClient
) -> None:
    marc = client.person(9101, "Marc")
    lea = client.person(9001, "Léa", username="lea_b", last_name="Bernard")
    await become_coordinator(marc, bots)
    await follow_crisis_group(lea)

    await create_meeting(marc, 30, "10h", "Réunion du groupe crise")
    news = await lea.expect("Une nouvelle réunion est prévue.")
    assert "mardi 30 mars 2027 à 10 h" in news.text
    assert "Bus 259, arrêt Mairie." in news.text
    assert "Claire, au 01 99 00 12 34" in news.text
    assert [b for b in news.button_labels if "Je viens" in b]

    # J-7: 10:00 Paris on Tuesday 23 March, still winter time.
    week = await reminder_at(bots, lea, J7, "La réunion est dans 7 jours.")
    assert "Quand : mardi 30 mars 2027 à 10 h." in week.text
    assert "Ce qui est prévu :\nNous parlons de l'accueil aux urgences." in week.text
    event = next(iter((await calendar_of(client, week)).walk("VEVENT")))
    assert event.decoded("dtstart") == MEETING
    assert str(event["dtstart"].params["TZID"]) == "Europe/Paris"
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=2)  # summer time by then
    await lea.tap("Je viens", message=week)
    await lea.expect("Merci. Le groupe sait que vous venez.")

    # The bot stops and starts again between two reminders.
    await bots.restart()
    await lea.expect_nothing(0.5)

    # J-1: 10:00 Paris on Monday 29 March, now summer time.
    day = await reminder_at(bots, lea, J1, "La réunion est demain.")
    assert "mardi 30 mars 2027 à 10 h" in day.text

    # H-3 would be 07:00, at night: it comes at 08:00 instead.
    move_to(bots.clock, datetime(2027, 3, 30, 7, 0, 1, tzinfo=PARIS))
    await lea.expect_nothing(1.5)
    await reminder_at(bots, lea, H3, "La réunion est aujourd'hui, dans 2 heures.")

    # Once each, whatever restarts and rebuilds happened.
    await bots.restart()
    await bots.app.bot_data["reminders"].rebuild()
    await lea.expect_nothing(1.0)
    sent = await sent_reminders(bots.db)
    assert [name for name, _ in sent] == ["new", "j7", "j1", "h3"]
    for (name, at), due in zip(sent[1:], (J7, J1, H3), strict=True):
        late = datetime.fromisoformat(at) - due
        assert timedelta(0) <= late < timedelta(seconds=PATIENCE), (name, at)
    assert len(reminder_texts(lea, "La réunion est dans 7 jours.")) == 1
    assert len(reminder_texts(lea, "La réunion est demain.")) == 1
    assert len(reminder_texts(lea, "dans 2 heures")) == 1
    assert marc.received and not reminder_texts(marc, "⏰")  # Marc follows nothing


async def test_a_moved_meeting_is_rescheduled_and_a_cancelled_one_sends_one_notice(
    bots: Bots, client: SandboxClient
) -> None:
    marc = client.person(9102, "Marc")
    lea = client.person(9002, "Léa")
    await become_coordinator(marc, bots)
    await follow_crisis_group(lea)
    await create_meeting(marc, 30, "10h", "Réunion du groupe crise")
    await lea.expect("Une nouvelle réunion est prévue.")

    # Marc moves it to 15:30.
    await marc.send("/reunion")
    await marc.expect("Que voulez-vous faire ?")
    await marc.tap("Changer une réunion")
    await marc.expect("Quelle réunion voulez-vous changer ?")
    await marc.tap("Réunion du groupe crise, mardi 30 mars 2027")
    await marc.expect("Que voulez-vous changer ?")
    await marc.tap("L'heure")
    await marc.expect("Quelle est la nouvelle heure ?")
    await marc.send("15 h 30")
    changed = await marc.expect("Voici la réunion changée.")
    assert "mardi 30 mars 2027 à 15 h 30" in changed.text
    await marc.tap("Oui, je change")
    await marc.expect("C'est changé.")
    notice = await lea.expect("Attention, la réunion change.")
    assert "Elle était prévue le mardi 30 mars 2027 à 10 h." in notice.text
    assert "Elle a lieu le mardi 30 mars 2027 à 15 h 30." in notice.text
    event = next(iter((await calendar_of(client, notice)).walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2027, 3, 30, 15, 30, tzinfo=PARIS)
    assert event["sequence"] == 1

    # The old J-1 time passes: nothing. The new one (15:30 the day before) brings it.
    move_to(bots.clock, J1 + timedelta(minutes=1))
    await lea.expect_nothing(1.5)
    day = await reminder_at(
        bots, lea, datetime(2027, 3, 29, 15, 30, tzinfo=PARIS), "La réunion est demain."
    )
    assert "à 15 h 30" in day.text

    # Marc cancels it: one notice, with a calendar file that cancels it too.
    await marc.send("/reunion")
    await marc.expect("Que voulez-vous faire ?")
    await marc.tap("Annuler une réunion")
    await marc.expect("Quelle réunion voulez-vous annuler ?")
    await marc.tap("Réunion du groupe crise, mardi 30 mars 2027")
    await marc.expect("Voulez-vous vraiment l'annuler ?")
    await marc.tap("Oui, j'annule cette réunion")
    await marc.expect("La réunion est annulée.")
    cancelled = await lea.expect("La réunion est annulée.")
    assert "Elle était prévue le mardi 30 mars 2027 à 15 h 30." in cancelled.text
    calendar = await calendar_of(client, cancelled)
    assert str(calendar["method"]) == "CANCEL"

    # No reminder after that, and no second notice, through a restart and the H-3 time.
    await bots.restart()
    move_to(bots.clock, datetime(2027, 3, 30, 12, 31, tzinfo=PARIS))
    await lea.expect_nothing(1.5)
    assert len(reminder_texts(lea, "La réunion est annulée.")) == 1
    assert len(reminder_texts(lea, "Attention, la réunion change.")) == 1


async def test_asking_for_help_to_come_tells_the_group_by_code_only(
    bots: Bots, client: SandboxClient
) -> None:
    marc = client.person(9103, "Marc")
    sam = client.person(9003, "Samuel", username="sam_k", last_name="Kaci")
    await become_coordinator(marc, bots)
    await follow_crisis_group(sam)
    await create_meeting(marc, 30, "14h30", "Réunion du groupe crise")
    news = await sam.expect("Une nouvelle réunion est prévue.")
    await sam.tap("J'ai besoin d'aide pour venir", message=news)
    await sam.expect("De quelle aide avez-vous besoin ?")
    await sam.tap("Pour le trajet")
    thanks = await sam.expect("Merci. Le groupe sait que vous avez besoin d'aide.")
    assert "Vous pouvez aussi appeler : Claire, au 01 99 00 12 34" in thanks.text
    asked = await marc.expect("Une personne demande de l'aide pour venir.")
    assert re.search(r"Qui : Personne [0-9A-Z]{4}\.", asked.text)
    assert "de l'aide pour le trajet" in asked.text
    for secret in ("Samuel", "Kaci", "sam_k", str(sam.user_id)):
        assert secret not in asked.text

    # Marc sees the answers so far in /reunions.
    await marc.send("/reunions")
    mine = await marc.expect("Les réunions de vos groupes")
    assert "Viennent : 0. Ne viennent pas : 0. Demandent de l'aide : 1." in mine.text


async def test_reminder_preferences_and_stopping(bots: Bots, client: SandboxClient) -> None:
    marc = client.person(9104, "Marc")
    ines = client.person(9004, "Inès")
    await become_coordinator(marc, bots)
    await follow_crisis_group(ines)
    await ines.send("/reunions")
    await ines.expect("Que voulez-vous faire ?")
    await ines.tap("Choisir mes rappels")
    await ines.expect("Quand voulez-vous un rappel avant une réunion ?")
    await ines.tap("Seulement la veille")
    await ines.expect("C'est fait. Vos rappels sont changés.")

    await create_meeting(marc, 30, "10h", "Réunion du groupe crise")
    await ines.expect("Une nouvelle réunion est prévue.")
    move_to(bots.clock, J7 + timedelta(seconds=1))
    await ines.expect_nothing(1.5)  # she asked for the day before only
    await reminder_at(bots, ines, J1, "La réunion est demain.")

    await ines.send("/reunions")
    listed = await ines.expect("Les prochaines réunions")
    assert "Réunion du groupe crise" in listed.text
    await ines.expect("Que voulez-vous faire ?")
    await ines.tap("Retirer un groupe")
    await ines.expect("Vous voulez retirer quel groupe de votre liste ?")
    await ines.tap("Groupe de travail urgence et crise")
    await ines.expect("C'est fait. Ce groupe est retiré de votre liste")
    await ines.expect("Que voulez-vous faire ?")
    move_to(bots.clock, H3 + timedelta(seconds=1))
    await ines.expect_nothing(1.5)


async def test_a_weekly_series_then_cancelling_it_and_the_next_ones(
    bots: Bots, client: SandboxClient
) -> None:
    marc = client.person(9105, "Marc")
    lea = client.person(9005, "Léa")
    await become_coordinator(marc, bots)
    await follow_crisis_group(lea)
    await create_meeting(marc, 24, "18h", "Atelier du mercredi", repeat="Chaque semaine")
    news = await lea.expect("Une nouvelle réunion est prévue.")
    assert "mercredi 24 mars 2027 à 18 h" in news.text
    async with bots.db.read() as tx:
        planned = await tx.all(
            "SELECT starts_at FROM meetings WHERE title = 'Atelier du mercredi' ORDER BY starts_at"
        )
    assert [r["starts_at"][:10] for r in planned] == ["2027-03-24", "2027-03-31", "2027-04-07"]

    await marc.send("/reunion")
    await marc.expect("Que voulez-vous faire ?")
    await marc.tap("Annuler une réunion")
    await marc.expect("Quelle réunion voulez-vous annuler ?")
    await marc.tap("Atelier du mercredi, mercredi 24 mars 2027")
    await marc.expect("Voulez-vous vraiment l'annuler ?")
    await marc.tap("J'annule aussi les suivantes")
    done = await marc.expect("La réunion est annulée.")
    assert "Les réunions suivantes sont annulées aussi." in done.text
    notice = await lea.expect("La réunion est annulée.")
    assert "Les réunions suivantes de ce groupe sont annulées aussi." in notice.text

    # Weeks later nothing comes back: the series ended, its meetings stay cancelled.
    move_to(bots.clock, datetime(2027, 4, 6, 18, 0, tzinfo=PARIS))
    await bots.app.bot_data["reminders"].rebuild()
    await lea.expect_nothing(1.0)
    async with bots.db.read() as tx:
        statuses = await tx.all("SELECT status FROM meetings WHERE title = 'Atelier du mercredi'")
    assert {r["status"] for r in statuses} == {"cancelled"}
    assert len(reminder_texts(lea, "La réunion est annulée.")) == 1
