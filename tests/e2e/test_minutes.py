"""Minutes in plain language, as the people involved live them.

Marc coordinates the crisis working group. After its meeting he sends the minutes as a .md
file with /compte_rendu. The bot tells him which sentences are too long, which acronyms to
spell out, and two readability scores; he sends a corrected version and sees the scores
before and after, then accepts. Léa, who follows the group, receives them marked « à relire
avec un groupe de relecture ». Paul, a peer helper, validates them with one button, and
Léa's copy loses the mark. Sofia, whose avis the meeting discussed, hears « Vous avez dit…
Nous avons fait… ».

The bot's clock says Monday 09:00: minutes written at night would wait for the morning.
"""

from __future__ import annotations

import re

from bot.sandbox.client import SandboxClient
from tests.e2e.clocked import Bots, become_coordinator, become_helper
from tests.e2e.test_casework import give_avis_on_crisis
from tests.e2e.test_meetings import follow_crisis_group

FIRST_VERSION = """# Compte rendu du groupe crise

La réunion du 12/03/2026 a réuni les membres du PTSM et de la CDU de l'hôpital.
Les participants ont souligné que l'accueil aux urgences psychiatriques reste difficile pour les personnes qui arrivent seules la nuit sans accompagnant.
Le groupe n'a pas encore de fiche d'accueil.
"""

SECOND_VERSION = """# Compte rendu du groupe crise

La réunion a eu lieu le jeudi 12 mars 2026.
Des usagers et des soignants sont venus.
L'accueil aux urgences est difficile la nuit.
Les personnes seules attendent longtemps.
Le groupe écrit une fiche d'accueil.
"""


async def test_minutes_report_then_followers_relecture_and_you_said_we_did(
    bots: Bots, client: SandboxClient
) -> None:
    marc = client.person(9201, "Marc")
    lea = client.person(9202, "Léa")
    paul = client.person(9203, "Paul")
    sofia = client.person(9204, "Sofia", username="sofia_r", last_name="Rami")
    await become_coordinator(marc, bots)
    await become_helper(paul, bots)
    await follow_crisis_group(lea)
    reference = await give_avis_on_crisis(sofia, "La nuit, personne ne m'a accueillie.")
    await marc.expect(reference)

    await marc.send("/compte_rendu")
    await marc.expect("Ce compte rendu est pour quel groupe ?")
    await marc.tap("Groupe de travail urgence et crise")
    await marc.expect("Envoyez le compte rendu de la réunion.")
    await marc.send_document("compte-rendu.md", FIRST_VERSION.encode("utf-8"), "text/markdown")
    overview = await marc.expect("phrases")
    report = [overview]
    while "Vous pouvez corriger le texte" not in report[-1].text:
        report.append(await marc.receive())
    whole = "\n".join(m.text for m in report)
    assert "Les participants ont souligné que l'accueil" in whole  # 25 words: to change
    assert "PTSM" in whole and "projet territorial de santé mentale" in whole
    assert "CDU" in whole and "commission des usagers" in whole
    assert "12/03/2026" in whole
    assert "Kandel" in whole and "Björnsson" in whole

    await marc.tap("J'envoie une version corrigée")
    await marc.expect("Envoyez le compte rendu de la réunion.")
    await marc.send(SECOND_VERSION)
    again = [await marc.expect("phrases")]
    while "Vous pouvez corriger le texte" not in again[-1].text:
        again.append(await marc.receive())
    assert re.search(r"\d+ → \d+|avant|Avant", "\n".join(m.text for m in again))
    await marc.tap("J'accepte ce texte")
    await marc.expect("La réunion a parlé de messages reçus par le groupe ?")
    await marc.send(f"Nous avons parlé de {reference} et de AV-2026-9999.")
    await marc.expect("Qu'est-ce que le groupe a fait pour ces messages ?")
    await marc.send("Nous écrivons une fiche d'accueil pour la nuit.")
    preview = await marc.expect("Voici le début du compte rendu.")
    assert "Personnes qui suivent le groupe : 1." in preview.text
    await marc.tap("Oui, j'envoie")
    sent = await marc.expect("C'est envoyé à 1 personnes qui suivent le groupe.")
    assert f"Les auteurs de ces messages sont prévenus : {reference}." in sent.text
    assert "AV-2026-9999" in sent.text  # not a message of this group: said, not guessed

    head = await lea.expect("Compte rendu")
    assert "À relire avec un groupe de relecture." in head.text
    body = await lea.expect("Le groupe écrit une fiche d'accueil.")
    assert "<" not in body.text

    told = await sofia.expect(f"Votre message {reference} est discuté à une réunion.")
    assert "Vous avez dit : « La nuit, personne ne m'a accueillie. »" in told.text
    assert "Nous avons fait : Nous écrivons une fiche d'accueil pour la nuit." in told.text
    assert "Résultat :" in told.text

    await paul.expect("Un compte rendu attend une relecture.")
    to_validate = await paul.expect("Le groupe écrit une fiche d'accueil.")
    await paul.tap("Je valide ce compte rendu", message=to_validate)
    await paul.expect("Merci. Le compte rendu est validé.")
    edited = await lea.expect("Relu et validé par un pair-aidant.", edits=True)
    assert "À relire" not in edited.text
    await marc.expect("Un pair-aidant a relu et validé votre compte rendu.")

    # A second tap, or an usager's forged tap, changes nothing.
    await paul.tap("Je valide ce compte rendu", message=to_validate)
    await paul.expect("Ce compte rendu est déjà validé.")
    async with bots.db.read() as tx:
        row = await tx.one("SELECT status, validated_by FROM minutes")
        linked = await tx.value("SELECT COUNT(*) FROM minutes_cases")
    assert row["status"] == "validated" and linked == 1


async def test_an_unreadable_file_is_refused_kindly_and_the_draft_waits(
    bots: Bots, client: SandboxClient
) -> None:
    marc = client.person(9211, "Marc")
    await become_coordinator(marc, bots)
    await marc.send("/compte_rendu")
    await marc.expect("Ce compte rendu est pour quel groupe ?")
    await marc.tap("Groupe de travail urgence et crise")
    await marc.expect("Envoyez le compte rendu de la réunion.")
    await marc.send_document("notes.txt", b"\x00\x01\x02PK\x03\x04binary", "text/plain")
    await marc.expect("Je lis seulement les fichiers de texte .txt et .md.")
    await marc.expect("Envoyez le compte rendu de la réunion.")
    await marc.send("Le groupe écrit une fiche d'accueil.")
    await marc.expect("phrases")
