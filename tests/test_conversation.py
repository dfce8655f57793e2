"""The conversation service with a real database and the real flows, without Telegram."""

from __future__ import annotations

from itertools import count

import pytest

from bot.config import Territory
from bot.conversation import ConversationService, Incoming, MarkChosen, Response, Send
from bot.engine import Engine
from bot.flows import load_flows
from bot.i18n import Catalogs
from bot.storage import Database


class Person:
    """Drives the service like a person in a private chat would."""

    def __init__(
        self, service: ConversationService, user_id: int = 501, language_code: str = "fr"
    ) -> None:
        self.service = service
        self.user_id = user_id
        self.language_code = language_code
        self.ids = count(1)
        self.last_buttons: dict[str, str] = {}

    async def event(self, **fields: object) -> Response:
        update_id = fields.pop("update_id", None) or next(self.ids)
        response = await self.service.handle(
            Incoming(
                update_id=update_id,
                user_id=self.user_id,
                language_code=self.language_code,
                **fields,
            )  # type: ignore[arg-type]
        )
        for action in response.actions:
            if isinstance(action, Send) and action.reply.buttons:
                self.last_buttons = {b.label: b.data for row in action.reply.buttons for b in row}
        return response

    async def command(self, name: str) -> Response:
        return await self.event(kind="command", command=name)

    async def text(self, text: str) -> Response:
        return await self.event(kind="text", text=text)

    async def tap(self, label: str) -> Response:
        data = next(d for text, d in self.last_buttons.items() if label in text)
        return await self.event(kind="button", data=data, message_id=1)


def texts(response: Response) -> str:
    return "\n".join(a.reply.text for a in response.actions if isinstance(a, Send))


@pytest.fixture
def service(db: Database, territory: Territory) -> ConversationService:
    return ConversationService(db, Engine(load_flows()), territory, Catalogs(territory.languages))


async def test_welcome_then_menu_in_the_telegram_language(service: ConversationService) -> None:
    alice = Person(service, language_code="en-GB")
    response = await alice.command("start")
    assert "I am <b>Porte-voix</b>" in texts(response)
    response = await alice.tap("Français")
    assert "Que voulez-vous faire ?" in texts(response)
    assert any(isinstance(a, MarkChosen) for a in response.actions)


async def test_pause_keeps_the_draft_and_reprendre_brings_it_back(
    service: ConversationService, db: Database
) -> None:
    bob = Person(service)
    await bob.command("avis")
    await bob.tap(service.territory.themes[0].label.get("fr"))
    await bob.text("Le bus de l'hôpital passe trop rarement.")
    response = await bob.tap("Pause")
    assert "Votre brouillon est gardé." in texts(response)
    assert "brouillon en pause : Donner mon avis" in texts(response)
    response = await bob.command("reprendre")
    assert "Nous reprenons là où vous étiez." in texts(response)
    assert "Vous parlez de quelle expérience ?" in texts(response)


async def test_stop_deletes_the_draft(service: ConversationService, db: Database) -> None:
    carla = Person(service)
    await carla.command("avis")
    await carla.tap(service.territory.themes[0].label.get("fr"))
    response = await carla.command("stop")
    assert "J'ai effacé ce brouillon." in texts(response)
    async with db.read() as tx:
        assert await tx.value("SELECT COUNT(*) FROM conversations WHERE flow = 'avis'") == 0


async def test_a_replayed_update_does_not_act_twice(
    service: ConversationService, db: Database
) -> None:
    dan = Person(service)
    await dan.command("avis")
    await dan.tap(service.territory.themes[1].label.get("fr"))
    await dan.text("Merci pour l'accueil.")
    await dan.tap("La mienne")
    await dan.tap("Anonyme")
    confirm = dan.last_buttons["✅ Oui, j'envoie"]
    first = await dan.event(kind="button", data=confirm, message_id=1, update_id=900)
    assert "AV-" in texts(first)
    async with db.read() as tx:
        owed = await tx.value("SELECT COUNT(*) FROM outbox")
    # Telegram re-delivers the update: nothing is done twice; the reply written with the
    # first handling is still in the outbox and goes out from there.
    replay = await dan.event(kind="button", data=confirm, message_id=1, update_id=900)
    assert replay.actions == []
    assert replay.recipients == [first.person_id]
    async with db.read() as tx:
        assert await tx.value("SELECT COUNT(*) FROM submissions") == 1
        assert await tx.value("SELECT COUNT(*) FROM outbox") == owed
        texts_owed = [r["payload"] for r in await tx.all("SELECT payload FROM outbox")]
    assert any("AV-" in text for text in texts_owed)


async def test_an_old_button_says_it_is_old_and_shows_where_you_are(
    service: ConversationService,
) -> None:
    eve = Person(service)
    await eve.command("avis")
    old = dict(eve.last_buttons)
    await eve.tap(service.territory.themes[0].label.get("fr"))
    response = await eve.event(
        kind="button", data=old[service.territory.themes[1].label.get("fr")], message_id=1
    )
    assert response.notice == "Ce bouton est ancien."
    assert "Écrivez votre avis." in texts(response)


async def test_unknown_command_and_sticker_get_a_kind_answer(service: ConversationService) -> None:
    fred = Person(service)
    response = await fred.command("pizza")
    assert "Cette commande est inconnue." in texts(response)
    response = await fred.event(kind="other")
    assert "Je lis seulement les textes et les messages vocaux." in texts(response)
