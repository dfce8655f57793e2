"""/suivi: what became of what a person said, in plain words."""

from __future__ import annotations

import contextlib
import html
import re
from datetime import datetime
from typing import Any

from bot.config import Territory
from bot.engine import Button, Reply
from bot.i18n import N_, Translator
from bot.storage.submissions import REFERENCE_PREFIXES

REFERENCE = re.compile(
    rf"\b({'|'.join(REFERENCE_PREFIXES.values())})-\d{{4}}-\d{{4}}\b", re.IGNORECASE
)
MAX_LISTED = 10

KIND_LABELS = {
    "avis": N_("Avis"),
    "reclamation": N_("Réclamation"),
    "idee": N_("Idée"),
    "situation": N_("Situation d'une personne"),
}
STATUS_LABELS = {
    "sent": N_("Envoyé. Le groupe va le lire."),
    "delivered": N_("Reçu par le groupe."),
    "taken": N_("Une personne du groupe s'en occupe."),
    "answered": N_("Le groupe a répondu."),
    "closed": N_("Terminé."),
    "reopened": N_("Rouvert à votre demande."),
    "forwarded": N_("Transmis à un autre groupe."),
    "awaiting_consent": N_("En attente de l'accord de la personne."),
    "erased": N_("Effacé."),
    "withdrawn": N_("Effacé : la personne a dit non."),
}


def find_reference(text: str) -> str | None:
    match = REFERENCE.search(text or "")
    return match.group(0).upper() if match else None


def reference_data(reference: str) -> str:
    return f"r:{reference}"


def _when(row: dict[str, Any], t: Translator, territory: Territory) -> str:
    return t.full_date(datetime.fromisoformat(row["created_at"]), territory.tz)


def listing(rows: list[dict[str, Any]], t: Translator, territory: Territory) -> Reply:
    """The person's submissions, newest first, one button each to see more."""
    if not rows:
        return Reply(
            t(N_("Votre liste est vide pour le moment."))
            + "\n"
            + t(N_("Choisissez « Donner mon avis » dans le menu pour commencer."))
        )
    lines = [t(N_("Voici ce que vous avez envoyé :"))]
    buttons = []
    for row in rows[:MAX_LISTED]:
        kind = t(KIND_LABELS.get(row["kind"], row["kind"]))
        status = t(STATUS_LABELS.get(row["status"], row["status"]))
        lines.append(f"<b>{row['reference']}</b> · {kind} · {_when(row, t, territory)}\n{status}")
        buttons.append((Button(f"🔎 {row['reference']}", reference_data(row["reference"])),))
    if len(rows) > MAX_LISTED:
        lines.append(t(N_("Pour voir un autre numéro, écrivez-le.")))
    return Reply("\n\n".join(lines), tuple(buttons))


def detail(
    row: dict[str, Any], t: Translator, territory: Territory, last_answer: str | None = None
) -> Reply:
    """One submission: what, when, where it is now, and the group's last words to the person.

    The person's own words are shown back."""
    kind = t(KIND_LABELS.get(row["kind"], row["kind"]))
    lines = [
        f"<b>{row['reference']}</b> · {kind}",
        t(N_("Envoyé le {date}.")).format(date=_when(row, t, territory)),
    ]
    if row.get("theme"):
        with contextlib.suppress(KeyError):
            label = territory.theme(row["theme"]).label.get(t.lang)
            lines.append(t(N_("Sujet : {theme}.")).format(theme=html.escape(label)))
    if row.get("body_text"):
        excerpt = row["body_text"] if len(row["body_text"]) <= 300 else row["body_text"][:300] + "…"
        lines.append(t(N_("Votre message : {text}")).format(text=html.escape(excerpt)))
    elif row.get("voice_file_id"):
        lines.append(t(N_("Votre message : un message vocal.")))
    lines.append(
        t(N_("Où en est-il ? {status}")).format(
            status=t(STATUS_LABELS.get(row["status"], row["status"]))
        )
    )
    if last_answer:
        lines.append(
            t(N_("Dernier message du groupe : {text}")).format(
                text="« " + html.escape(last_answer) + " »"
            )
        )
    buttons: tuple[tuple[Button, ...], ...] = ()
    if row["status"] not in ("erased", "withdrawn"):
        buttons = ((Button(t(N_("🗑 Effacer ce message")), f"e:{row['reference']}"),),)
    return Reply("\n".join(lines), buttons)
