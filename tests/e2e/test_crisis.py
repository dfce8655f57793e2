"""The crisis safety net through the real bot: two levels, free text heard anywhere, voice.

A clear danger interrupts with the numbers and the message is not kept; a possible sign
adds the 3114 to the normal reply and the flow goes on; words typed at the menu become an
avis with their words kept; harm by staff is offered as a réclamation; repeated distress is
answered every time; every voice note's answer carries the 3114; a local speech-to-text
engine (here a stub) makes voice notes meet the same net. The last test scans every table,
the WAL and the logs: no crisis text anywhere.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_application, running
from bot.config import Settings, Territory
from bot.logs import quiet_libraries
from bot.safety.transcriber import StubTranscriber
from bot.sandbox.client import Person, SandboxClient
from bot.sandbox.server import Sandbox
from bot.storage import Database
from bot.summaries.digest import send_due_digests
from tests.e2e.test_casework import become_coordinator

CRISIS_SET = Path(__file__).resolve().parents[1] / "data" / "crisis_set.tsv"
CLEAR = "Je vais me pendre ce soir avec la corde du garage"
CLEAR_AGAIN = "jveux vraiment mourir, j'ai mis de cote mes cachets"
POSSIBLE = "Depuis ma sortie je n'ai plus aucun espoir, personne ne rappelle"
SPOKEN = "je vais sauter du pont ce soir"


async def start_avis(person: Person) -> None:
    await person.send("/avis")
    await person.tap("Mieux aider pendant une crise")
    await person.expect("Écrivez votre avis.")


def has_help_numbers(text: str) -> bool:
    return "3114" in text and ("15" in text or "112" in text)


async def test_a_clear_danger_mid_flow_comes_first_and_the_message_is_not_kept(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    rose = client.person(5001, "Rose")
    await start_avis(rose)
    await rose.send(CLEAR)
    numbers = await rose.expect("Merci de m'avoir écrit.")
    assert numbers.text.index("15") < numbers.text.index("3114")  # tonight: emergency first
    assert "112" in numbers.text and "114" in numbers.text
    assert "Ce message ne va pas au groupe." in numbers.text
    assert numbers.button_labels == ["➡ Continuer", "📞 Voir d'autres numéros", "✖ Arrêter"]
    await rose.tap("Voir d'autres numéros", message=numbers)
    more = await rose.expect("Voici d'autres numéros")
    assert "SOS Amitié" in more.text
    await rose.tap("Continuer", message=numbers)
    await rose.expect("Votre message n'est pas envoyé.")
    await rose.expect("Écrivez votre avis.")  # the same question, the words gone
    async with bot_db.read() as tx:
        states = await tx.all("SELECT answers FROM conversations")
        events = await tx.all("SELECT level, signs, categories FROM safety_events")
    assert all("garage" not in row["answers"] for row in states)
    assert [(e["level"], e["categories"]) for e in events] == [("full", "suicide")]
    assert set(events[0]["signs"].split(",")) <= {"talk_death", "plan"}  # signs, never words


async def test_stop_after_the_numbers_deletes_the_draft(
    bot: Application, client: SandboxClient
) -> None:
    yann = client.person(5002, "Yann")
    await yann.send("/idee")
    await yann.tap("Participer à la vie sociale")
    await yann.expect("Écrivez votre idée.")
    await yann.send("jveux en finir ce soir")
    await yann.expect("Merci de m'avoir écrit.")
    await yann.tap("Arrêter")
    await yann.expect("J'ai effacé ce brouillon.")
    await yann.expect("Que voulez-vous faire ?")


async def test_a_possible_sign_mid_flow_gets_the_3114_and_the_flow_goes_on(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    nour = client.person(5003, "Nour")
    await start_avis(nour)
    await nour.send(POSSIBLE)
    gentle = await nour.expect("Merci de me le dire.")
    assert has_help_numbers(gentle.text)
    assert "Je suis un robot" not in gentle.text  # not the interruption
    assert gentle.button_labels == ["📞 Voir les numéros d'aide"]
    await nour.expect("Vous parlez de quelle expérience ?")  # the flow went on
    await nour.tap("📞 Voir les numéros d'aide", message=gentle)
    listing = await nour.expect("Voici les numéros d'aide")
    assert "SOS Amitié" in listing.text and "119" in listing.text
    await nour.tap("La mienne")
    await nour.tap("Anonyme")
    summary = await nour.expect("Voici votre avis.")
    assert "plus aucun espoir" in summary.text  # her words are her avis
    async with bot_db.read() as tx:
        levels = [r["level"] for r in await tx.all("SELECT level FROM safety_events")]
    assert levels == ["gentle"]


async def test_free_text_at_the_menu_becomes_an_avis_with_its_words(
    bot: Application, client: SandboxClient, bot_db: Database
) -> None:
    marc = client.person(5101, "Marc")
    await become_coordinator(marc, bot_db)
    ines = client.person(5004, "Inès")
    await ines.send("/menu")
    await ines.expect("Que voulez-vous faire ?")
    await ines.send("Aux urgences on attend six heures sans rien savoir")
    offer = await ines.expect("Merci pour votre message.")
    assert "3114" not in offer.text
    assert offer.button_labels[:3] == [
        "💬 Comme un avis",
        "📝 Comme une réclamation",
        "💡 Comme une idée",
    ]
    await ines.tap("Comme un avis")
    await ines.expect("Votre avis parle de quel sujet ?")
    await ines.tap("Mieux aider pendant une crise")
    await ines.expect("Vous parlez de quelle expérience ?")  # her words were the avis already
    await ines.tap("La mienne")
    await ines.tap("Anonyme")
    summary = await ines.expect("Voici votre avis.")
    assert "Aux urgences on attend six heures sans rien savoir" in summary.text
    await ines.tap("Oui, j'envoie")
    done = await ines.expect("Votre avis est envoyé.")
    reference = re.search(r"AV-\d{4}-\d{4}", done.text).group()
    card = await marc.expect(reference)
    assert "on attend six heures sans rien savoir" in card.text


async def test_a_complaint_about_staff_at_the_menu_is_offered_as_a_reclamation(
    bot: Application, client: SandboxClient
) -> None:
    omar = client.person(5005, "Omar")
    await omar.send("/menu")
    await omar.expect("Que voulez-vous faire ?")
    await omar.send("Un infirmier m'a crié dessus et m'a humilié devant tout le monde à l'hôpital")
    offer = await omar.expect("Merci pour votre message.")
    assert "Je suis un robot" not in offer.text  # no crisis interruption
    assert "Vous parlez d'un problème avec des soignants." in offer.text
    assert offer.button_labels[0] == "📝 Oui, comme une réclamation"
    await omar.tap("Oui, comme une réclamation")
    await omar.expect("Une réclamation est une lettre à l'hôpital")
    await omar.tap("Je fais une réclamation")
    await omar.send("Omar K")
    await omar.tap("Hôpital Sud")
    await omar.tap("Passer cette question")
    await omar.tap("Moi")
    await omar.expect("Quand est-ce arrivé ?")  # « Racontez ce qui s'est passé » was skipped
    await omar.tap("Je ne sais plus")
    await omar.send("Des excuses")
    summary = await omar.expect("Voici votre réclamation.")
    assert "m'a humilié devant tout le monde" in summary.text


async def test_repeated_distress_is_answered_every_time_with_the_numbers(
    bot: Application, client: SandboxClient
) -> None:
    lou = client.person(5006, "Lou")
    await lou.send("/menu")
    await lou.expect("Que voulez-vous faire ?")
    await lou.send("je veux me suicider")
    first = await lou.expect("Merci de m'avoir écrit.")
    assert "Je suis un robot." in first.text
    await lou.send("j'ai envie de mourir, vraiment")
    second = await lou.expect("Merci de m'avoir écrit.")
    assert "Je suis un robot." not in second.text  # shorter, within 30 minutes
    assert "3114" in second.text and "15" in second.text and "112" in second.text
    await lou.send("je vais me tuer")
    third = await lou.expect("Merci de m'avoir écrit.")
    assert "3114" in third.text and "112" in third.text


async def test_a_voice_note_answer_carries_the_3114(
    bot: Application, client: SandboxClient
) -> None:
    sami = client.person(5007, "Sami")
    await start_avis(sami)
    await sami.send_voice(8)
    answer = await sami.expect("Vous parlez de quelle expérience ?")
    assert answer.text.startswith("Si vous allez mal, appelez le 3114.")
    await sami.send("/menu")
    await sami.expect("Que voulez-vous faire ?")
    await sami.send_voice(5)
    offer = await sami.expect("Merci pour votre message.")  # a voice note at the menu is heard
    assert "3114" in offer.text


@pytest.fixture
async def hearing_bot(
    settings: Settings, territory: Territory, sandbox: Sandbox
) -> AsyncIterator[tuple[Application, StubTranscriber]]:
    """The real bot with a stand-in speech-to-text engine that hears a crisis sentence."""
    transcriber = StubTranscriber(SPOKEN)
    application = build_application(settings, territory, transcriber=transcriber)
    async with running(application, poll_timeout=1):
        yield application, transcriber


async def test_with_a_transcriber_a_voice_note_meets_the_same_net(
    hearing_bot: tuple[Application, StubTranscriber], client: SandboxClient
) -> None:
    application, transcriber = hearing_bot
    zoe = client.person(5008, "Zoé")
    await start_avis(zoe)
    await zoe.send_voice(6)
    numbers = await zoe.expect("Merci de m'avoir écrit.")
    assert numbers.text.index("15") < numbers.text.index("3114")  # « ce soir »: emergency first
    assert transcriber.heard == 1
    await zoe.tap("Continuer", message=numbers)
    await zoe.expect("Écrivez votre avis.")  # the voice note was not kept as the avis
    db: Database = application.bot_data["db"]
    async with db.read() as tx:
        states = await tx.all("SELECT answers FROM conversations")
    assert all('"voice"' not in row["answers"] for row in states)


async def test_no_crisis_text_in_any_table_the_wal_a_digest_or_a_log(
    hearing_bot: tuple[Application, StubTranscriber],
    client: SandboxClient,
    settings: Settings,
    territory: Territory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the bot's own lines at DEBUG, as `run --verbose` does
    quiet_libraries()
    application, _ = hearing_bot
    db: Database = application.bot_data["db"]
    marc = client.person(5102, "Marc")
    await become_coordinator(marc, db)
    people = [client.person(5200 + n, f"P{n}") for n in range(3)]
    await start_avis(people[0])
    await people[0].send(CLEAR)  # mid-flow
    await people[0].expect("Merci de m'avoir écrit.")
    await people[0].tap("Continuer")
    await people[0].send("La nuit, personne ne passe dans les chambres.")
    await people[0].tap("La mienne")
    await people[0].tap("Anonyme")
    await people[0].tap("Oui, j'envoie")
    await people[0].expect("Votre avis est envoyé.")
    await people[1].send("/menu")
    await people[1].expect("Que voulez-vous faire ?")
    await people[1].send(CLEAR_AGAIN)  # at the menu
    await people[1].expect("Merci de m'avoir écrit.")
    await start_avis(people[2])
    await people[2].send_voice(4)  # heard as SPOKEN by the stub
    await people[2].expect("Merci de m'avoir écrit.")
    await marc.expect("La nuit, personne ne passe")
    monday = datetime.now(UTC) + timedelta(days=7 - datetime.now(UTC).weekday())
    local = monday.astimezone(territory.tz).replace(hour=9, minute=30)
    await send_due_digests(db, territory, application.bot_data["service"].catalogs, local)
    async with db.read() as tx:
        digests = await tx.all("SELECT payload FROM outbox WHERE payload LIKE '%Résumé%'")
    assert digests, "the weekly digest was written"
    await db.close()  # flush nothing more: read the file and its WAL as they are
    stored = b""
    for suffix in ("", "-wal", "-shm"):
        path = Path(str(settings.db_path) + suffix)
        if path.exists():
            stored += path.read_bytes()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for text in (CLEAR, CLEAR_AGAIN, SPOKEN):
        for piece in (text, text[:25], text[-20:]):
            assert piece.encode() not in stored, piece
            assert piece.lower() not in logs.lower(), piece
    assert POSSIBLE not in logs
    assert "La nuit, personne ne passe" not in logs  # nor any ordinary text
    application.bot_data["db"] = await Database(settings.db_path).open()  # for the teardown


def open_set_crisis() -> list[str]:
    with CRISIS_SET.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["text"] for row in rows if row["label"] == "crisis"]


async def test_every_crisis_message_of_the_open_set_gets_the_3114_mid_flow(
    bot: Application, client: SandboxClient
) -> None:
    messages = open_set_crisis()
    assert len(messages) >= 100
    for index, text in enumerate(messages):
        person = client.person(6000 + index, f"P{index}")
        await person.send("/avis")
        await person.tap("Repérer tôt les troubles")
        await person.expect("Écrivez votre avis.")
        await person.send(text)
        first = await person.receive()
        while first.edited:  # the keyboard of the question is tidied away first
            first = await person.receive()
        assert "Merci de m'avoir écrit." in first.text or "Merci de me le dire." in first.text, (
            index,
            first.text,
        )
        assert "3114" in first.text, index
