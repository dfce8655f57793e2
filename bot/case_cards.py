"""What coordinators and authors read about a case, in plain French. No storage, no Telegram.

The card shows the author only as they chose: nothing (anonymous), their code (« Personne
7F3K »), or the name they gave (named). Never a Telegram name, handle or id.
"""

from __future__ import annotations

import contextlib
import html
import json
from datetime import date, datetime
from typing import Any

from bot.config import Territory
from bot.engine import Button, Reply
from bot.followup import KIND_LABELS
from bot.i18n import N_, Translator
from bot.storage.cases import Case

MAX_CARD_TEXT = 3000  # the card must stay under Telegram's 4096 characters
MAX_CAPTION_TEXT = 600  # a voice note's caption is limited to 1024 characters

SPEAKER_LABELS = {
    "usager": N_("une personne qui utilise les soins"),
    "proche": N_("un proche d'une personne soignée"),
    "pair_aidant": N_("un pair-aidant transmet les mots d'une personne"),
    "collectif": N_("un groupe d'entraide, au nom du groupe"),
}
CASE_STATUS_LABELS = {
    "new": N_("🆕 Nouveau. Personne ne s'en occupe encore."),
    "taken": N_("🙋 Une personne du groupe s'en occupe."),
    "answered": N_("✉️ Le groupe a répondu."),
    "reopened": N_("🔁 Rouvert : la personne dit que ce n'est pas réglé."),
    "closed": N_("✅ Clos."),
    "forwarded": N_("↪️ Transmis à un autre groupe."),
    "erased": N_("🗑 La personne a effacé son message."),
}
OUTCOME_LABELS = {
    "change_made": N_("Un changement est fait"),
    "not_retained": N_("Pas retenu"),
    "out_of_scope": N_("Hors du rôle du groupe"),
    "answered": N_("Répondu"),
}

ACTION_TAKE = "take"
ACTION_ANSWER = "answer"
ACTION_ASK = "ask"
ACTION_FORWARD = "forward"
ACTION_AGENDA = "agenda"
ACTION_CLOSE = "close"
ACTION_SHOW = "show"
ACTIONS = (
    ACTION_TAKE,
    ACTION_ANSWER,
    ACTION_ASK,
    ACTION_FORWARD,
    ACTION_AGENDA,
    ACTION_CLOSE,
    ACTION_SHOW,
)


def case_data(case_id: int, action: str) -> str:
    return f"x:{case_id}:{action}"


def body_name(territory: Territory, body_id: str, lang: str) -> str:
    try:
        return html.escape(territory.body(body_id).name.get(lang))
    except KeyError:
        return html.escape(body_id)


def _quote(text: str, limit: int) -> str:
    text = text if len(text) <= limit else text[:limit] + "…"
    return "« " + html.escape(text) + " »"


def author_line(submission: dict[str, Any], pseudonym: str | None, t: Translator) -> str:
    """Who wrote it, exactly as the author chose to be seen."""
    if submission["sharing"] == "named" and submission.get("author_name"):
        return t(N_("<b>Nom</b> : {name}")).format(name=html.escape(submission["author_name"]))
    if submission["sharing"] == "pseudonymous" and pseudonym:
        return t(N_("<b>Code de la personne</b> : Personne {code}")).format(code=pseudonym)
    return t(N_("<b>Nom</b> : la personne reste anonyme."))


def card(
    case: Case,
    submission: dict[str, Any],
    t: Translator,
    territory: Territory,
    *,
    pseudonym: str | None,
    header: str | None = None,
    voice_caption: bool = False,
) -> Reply:
    """The case card: what was said, by whom (as chosen), and the buttons to act on it."""
    lang = t.lang
    lines = [header] if header else []
    kind = t(KIND_LABELS.get(submission["kind"], submission["kind"]))
    lines.append(f"📨 <b>{submission['reference']}</b> · {kind}")
    lines.append(
        t(N_("<b>Pour</b> : {body}")).format(body=body_name(territory, case.body_id, lang))
    )
    if submission.get("theme"):
        with contextlib.suppress(KeyError):
            label = territory.theme(submission["theme"]).label.get(lang)
            lines.append(t(N_("<b>Sujet</b> : {theme}")).format(theme=html.escape(label)))
    if submission.get("establishment"):
        with contextlib.suppress(KeyError):
            place = territory.establishment(submission["establishment"]).name.get(lang)
            lines.append(t(N_("<b>Hôpital</b> : {place}")).format(place=html.escape(place)))
    speaker = t(SPEAKER_LABELS.get(submission["speaker"], submission["speaker"]))
    lines.append(t(N_("<b>Qui parle</b> : {speaker}")).format(speaker=speaker))
    lines.append(author_line(submission, pseudonym, t))
    sent = datetime.fromisoformat(submission["created_at"])
    lines.append(t(N_("<b>Envoyé le</b> : {date}")).format(date=t.full_date(sent, territory.tz)))
    if submission.get("event_date") and submission["event_date"] != "unknown":
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(submission["event_date"])
            lines.append(t(N_("<b>Date des faits</b> : {date}")).format(date=t.full_date(day)))
    limit = MAX_CAPTION_TEXT if voice_caption else MAX_CARD_TEXT
    if submission.get("body_text"):
        lines.append(
            t(N_("<b>Message</b> : {text}")).format(text=_quote(submission["body_text"], limit))
        )
    elif submission.get("voice_file_id"):
        lines.append(
            t(N_("<b>Message</b> : un message vocal de {n} secondes.")).format(
                n=submission.get("voice_duration") or 0
            )
        )
    details = json.loads(submission["details"]) if submission.get("details") else {}
    for key, label in (
        ("wish", N_("<b>Ce que la personne souhaite</b> : {text}")),
        ("why", N_("<b>Pourquoi c'est important</b> : {text}")),
    ):
        value = details.get(key)
        if isinstance(value, dict) and value.get("text"):
            lines.append(t(label).format(text=_quote(value["text"], 500)))
    if details.get("participants"):
        lines.append(
            t(N_("<b>Personnes présentes</b> : {n}")).format(
                n=html.escape(str(details["participants"]))
            )
        )
    lines.append(status_line(case, t))
    return Reply(
        "\n".join(lines),
        buttons(case, t),
        voice=submission.get("voice_file_id") if voice_caption else None,
    )


def status_line(case: Case, t: Translator) -> str:
    status = t(CASE_STATUS_LABELS.get(case.status, case.status))
    line = t(N_("<b>Où en est-il</b> : {status}")).format(status=status)
    if case.meeting_date:
        with contextlib.suppress(ValueError):
            line += "\n" + t(N_("<b>Réunion</b> : {date}")).format(
                date=t.full_date(date.fromisoformat(case.meeting_date))
            )
    return line


def buttons(case: Case, t: Translator) -> tuple[tuple[Button, ...], ...]:
    if not case.is_open:
        return ()
    rows: list[tuple[Button, ...]] = []
    if case.status in ("new", "reopened"):
        rows.append((Button(t(N_("🙋 Je m'en occupe")), case_data(case.id, ACTION_TAKE)),))
    rows.append(
        (
            Button(t(N_("✉️ Répondre")), case_data(case.id, ACTION_ANSWER)),
            Button(t(N_("❓ Poser une question")), case_data(case.id, ACTION_ASK)),
        )
    )
    rows.append(
        (
            Button(t(N_("↪️ Transmettre")), case_data(case.id, ACTION_FORWARD)),
            Button(t(N_("📅 Réunion")), case_data(case.id, ACTION_AGENDA)),
        )
    )
    rows.append((Button(t(N_("✅ Clore")), case_data(case.id, ACTION_CLOSE)),))
    return tuple(rows)


def listing(open_cases: list[Case], t: Translator, territory: Territory) -> Reply:
    """/cas: the open cases of my groups, oldest first, one button each."""
    if not open_cases:
        return Reply(t(N_("Vos groupes ont 0 message en attente.")))
    lines = [t(N_("Voici les messages ouverts, du plus ancien au plus récent :"))]
    rows = []
    for case in open_cases:
        received = t.full_date(datetime.fromisoformat(case.created_at), territory.tz)
        kind = t(KIND_LABELS.get(case.kind, case.kind))
        status = t(CASE_STATUS_LABELS.get(case.status, case.status))
        lines.append(
            f"<b>{case.reference}</b> · {kind} · {body_name(territory, case.body_id, t.lang)}\n"
            + t(N_("Reçu le {date}.")).format(date=received)
            + " "
            + status
        )
        rows.append((Button(f"🔎 {case.reference}", case_data(case.id, ACTION_SHOW)),))
    return Reply("\n\n".join(lines), tuple(rows))
