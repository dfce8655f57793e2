"""The weekly digest and /stats, as a coordinator reads them through Telegram.

Marc coordinates the crisis working group from a Wednesday. Two people give an avis; on
Monday at 09:00 (the territory's `[digest]` time, Paris time) his digest arrives once, with
small counts shown as « moins de 3 » and references only, never an author's words. /stats
gives the participation figures; an usager typing /stats is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sandbox.client import SandboxClient
from bot.summaries.digest import send_due_digests
from tests.e2e.clocked import Bots, become_coordinator, move_to
from tests.e2e.test_casework import give_avis_on_crisis

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2027, 3, 29, 9, 0, tzinfo=PARIS)
WORDS = ("La nuit, personne ne répond au téléphone.", "Merci à l'équipe mobile, venue vite.")


async def run_sweep(bots: Bots) -> int:
    """What the sweep job does every minute, run now."""
    data = bots.app.bot_data
    sent = await send_due_digests(
        data["db"], data["territory"], data["service"].catalogs, bots.clock()
    )
    data["delivery"].kick()
    return sent


async def test_the_monday_digest_and_stats(bots: Bots, client: SandboxClient) -> None:
    marc = client.person(9301, "Marc")
    move_to(bots.clock, datetime(2027, 3, 24, 10, 0, tzinfo=PARIS))  # a Wednesday
    await become_coordinator(marc, bots)
    authors = [client.person(9302, "Léa"), client.person(9303, "Omar")]
    references = [
        await give_avis_on_crisis(person, words)
        for person, words in zip(authors, WORDS, strict=True)
    ]
    for reference in references:
        await marc.expect(reference)

    # The week's digest waits for Monday 09:00, then comes once.
    assert await run_sweep(bots) == 0  # he joined after last Monday's digest
    move_to(bots.clock, MONDAY - timedelta(minutes=1))
    assert await run_sweep(bots) == 0
    move_to(bots.clock, MONDAY)
    assert await run_sweep(bots) >= 1
    digest = await marc.expect("Groupe de travail urgence et crise")
    assert "moins de 3" in digest.text
    for words in WORDS:
        assert words not in digest.text
    assert await run_sweep(bots) == 0
    move_to(bots.clock, MONDAY + timedelta(hours=3))
    assert await run_sweep(bots) == 0
    await marc.expect_nothing(0.5)
    async with bots.db.read() as tx:
        weeks = await tx.all("SELECT body_id, week FROM digests_sent WHERE body_id = 'gt-crise'")
    assert [(r["body_id"], r["week"]) for r in weeks] == [("gt-crise", "2027-W13")]

    # Participation figures for his group.
    await marc.send("/stats")
    stats = await marc.expect("Participation")
    assert "moins de 3" in stats.text
    for words in WORDS:
        assert words not in stats.text

    # An usager cannot see them.
    await authors[0].send("/stats")
    await authors[0].expect("Cette action est réservée aux coordinateurs de Porte-voix.")
    assert bots.clock() >= MONDAY.astimezone(UTC)
