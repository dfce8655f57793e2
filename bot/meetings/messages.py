"""What people read about a meeting, in plain French: the card, reminders, notices, buttons.

No storage, no Telegram. Order follows FALC rule O1: what, when, where, who can help, then
what is planned. Texts typed by coordinators are escaped; dates are full (Babel, the
territory's zone). A reminder carries an .ics file so the meeting goes into a phone's calendar.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from bot.config import Territory
from bot.engine import Button, Document, Reply
from bot.i18n import N_, Translator
from bot.meetings.calendar_file import cancel_ics, meeting_ics
from bot.storage.meetings import Meeting

MAX_CAPTION = 1000  # a document's caption is limited to 1024 characters by Telegram
RSVP_PREFIX = "v"

RSVP_BUTTONS = (
    ("yes", N_("✅ Je viens")),
    ("no", N_("❌ Je ne viens pas")),
    ("help", N_("🤝 J'ai besoin d'aide pour venir")),
)
HELP_CHOICES = (
    ("transport", N_("🚌 Pour le trajet")),
    ("company", N_("🧑‍🤝‍🧑 Une personne avec moi")),
    ("agenda", N_("📄 Comprendre ce qui est prévu")),
)
HELP_LABELS = {
    "transport": N_("de l'aide pour le trajet"),
    "company": N_("une personne pour venir avec elle"),
    "agenda": N_("de l'aide pour comprendre ce qui est prévu"),
}
RSVP_LABELS = {
    "yes": N_("Vous avez dit : je viens."),
    "no": N_("Vous avez dit : je ne viens pas."),
    "help": N_("Vous avez demandé de l'aide pour venir."),
}


def rsvp_data(meeting_id: int, answer: str) -> str:
    return f"{RSVP_PREFIX}:{meeting_id}:{answer}"


def help_data(meeting_id: int, kind: str) -> str:
    return f"{RSVP_PREFIX}:{meeting_id}:h:{kind}"


def when(meeting: Meeting, t: Translator, territory: Territory) -> str:
    """« mardi 3 mars 2026 à 14 h 30 »."""
    tz = territory.tz
    return t(N_("{date} à {time}")).format(
        date=t.full_date(meeting.starts_at, tz), time=t.time_of_day(meeting.starts_at, tz)
    )


def body_name(meeting: Meeting, t: Translator, territory: Territory) -> str:
    try:
        return territory.body(meeting.body_id).name.get(t.lang)
    except KeyError:
        return meeting.body_id


def card(meeting: Meeting, t: Translator, territory: Territory) -> str:
    """Everything a person needs to come, one fact per line."""
    tz = territory.tz
    lines = [
        t(N_("📅 <b>{title}</b>")).format(title=_text(meeting.title)),
        t(N_("Groupe : {body}.")).format(body=_text(body_name(meeting, t, territory))),
        t(N_("Quand : {when}.")).format(when=when(meeting, t, territory)),
        t(N_("Fin prévue à {time}.")).format(time=t.time_of_day(meeting.ends_at, tz)),
    ]
    if meeting.place:
        lines.append(t(N_("Où : {place}")).format(place=_sentence(meeting.place)))
    if meeting.access:
        lines.append(t(N_("Pour venir : {access}")).format(access=_sentence(meeting.access)))
    if meeting.online_url:
        label = t(N_("ce lien"))
        link = f'<a href="{html.escape(meeting.online_url, quote=True)}">{label}</a>'
        lines.append(t(N_("En ligne : ouvrez {link}.")).format(link=link))
    if meeting.helper:
        lines.append(
            t(N_("Pour de l'aide, demandez à : {helper}")).format(helper=_sentence(meeting.helper))
        )
    if meeting.agenda:
        lines.append(t(N_("Ce qui est prévu :")))
        lines.append(_text(meeting.agenda))
    return "\n".join(lines)


def _text(text: str) -> str:
    """Escapes what Telegram's HTML needs (<, >, &): an apostrophe stays one character."""
    return html.escape(text, quote=False)


def _sentence(text: str) -> str:
    text = _text(text.strip())
    return text if text.endswith((".", "!", "?")) else text + "."


def rsvp_buttons(meeting_id: int, t: Translator) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(t(label), rsvp_data(meeting_id, value)),) for value, label in RSVP_BUTTONS)


def help_buttons(meeting_id: int, t: Translator) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(t(label), help_data(meeting_id, kind)),) for kind, label in HELP_CHOICES)


def how_soon(meeting: Meeting, now: datetime, t: Translator, territory: Territory) -> str:
    """« La réunion est demain. »: from the real distance, so a reminder moved out of quiet
    hours still says the truth."""
    tz = territory.tz
    days = (meeting.starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days <= 0:
        hours = round((meeting.starts_at - now) / timedelta(hours=1))
        if hours >= 2:
            return t(N_("⏰ La réunion est aujourd'hui, dans {n} heures.")).format(n=hours)
        if hours == 1:
            return t(N_("⏰ La réunion est aujourd'hui, dans 1 heure."))
        return t(N_("⏰ La réunion commence bientôt."))
    if days == 1:
        return t(N_("⏰ La réunion est demain."))
    return t(N_("⏰ La réunion est dans {n} jours.")).format(n=days)


def calendar_file(meeting: Meeting, territory: Territory, *, cancelled: bool = False) -> Document:
    """The .ics for this meeting; its UID stays the same through edits and the cancellation."""
    uid = f"meeting-{meeting.id}@porte-voix.{territory.id}"
    location = meeting.place or meeting.online_url
    args = (uid, meeting.title, meeting.starts_at, meeting.ends_at, territory.tz)
    if cancelled:
        content = cancel_ics(
            *args, location=location, url=meeting.online_url, sequence=meeting.sequence
        )
    else:
        content = meeting_ics(
            *args,
            location=location,
            url=meeting.online_url,
            description=meeting.agenda,
            sequence=meeting.sequence,
        )
    return Document("reunion.ics", content)


def _with_calendar(text: str, buttons: tuple, document: Document, t: Translator) -> list[Reply]:
    """One message when the text fits in a caption, else the text then the file."""
    if len(text) <= MAX_CAPTION:
        return [Reply(text, buttons, document=document)]
    return [
        Reply(text, buttons),
        Reply(t(N_("📎 Ce fichier ajoute la réunion à votre agenda.")), document=document),
    ]


def reminder(meeting: Meeting, now: datetime, t: Translator, territory: Territory) -> list[Reply]:
    text = "\n".join(
        [
            how_soon(meeting, now, t, territory),
            card(meeting, t, territory),
            "",
            t(N_("Vous venez ? Répondez avec les boutons.")),
        ]
    )
    return _with_calendar(text, rsvp_buttons(meeting.id, t), calendar_file(meeting, territory), t)


def announcement(
    meeting: Meeting, t: Translator, territory: Territory, *, new: bool = True
) -> list[Reply]:
    """A new meeting of a body the person follows (or, just after following, the next one)."""
    text = "\n".join(
        [
            t(N_("🆕 Une nouvelle réunion est prévue."))
            if new
            else t(N_("📌 Voici une prochaine réunion de ce groupe.")),
            card(meeting, t, territory),
            "",
            t(N_("Vous venez ? Répondez avec les boutons.")),
        ]
    )
    return _with_calendar(text, rsvp_buttons(meeting.id, t), calendar_file(meeting, territory), t)


def changed(meeting: Meeting, before: Meeting, t: Translator, territory: Territory) -> list[Reply]:
    """One clear notice for a moved meeting (or a new place)."""
    lines = [t(N_("⚠️ <b>Attention, la réunion change.</b>"))]
    if before.starts_at != meeting.starts_at:
        lines.append(
            t(N_("Elle était prévue le {before}.")).format(before=when(before, t, territory))
        )
        lines.append(t(N_("Elle a lieu le {when}.")).format(when=when(meeting, t, territory)))
    if (before.place, before.online_url) != (meeting.place, meeting.online_url):
        lines.append(t(N_("Le lieu change.")))
    lines += [card(meeting, t, territory), "", t(N_("Vous venez ? Répondez avec les boutons."))]
    return _with_calendar(
        "\n".join(lines), rsvp_buttons(meeting.id, t), calendar_file(meeting, territory), t
    )


def cancelled(
    meeting: Meeting, t: Translator, territory: Territory, *, series: bool = False
) -> list[Reply]:
    lines = [
        t(N_("❌ <b>La réunion est annulée.</b>")),
        t(N_("Réunion : {title}.")).format(title=_text(meeting.title)),
        t(N_("Elle était prévue le {when}.")).format(when=when(meeting, t, territory)),
        t(N_("Vous pouvez rester chez vous ce jour-là.")),
    ]
    if series:
        lines.append(t(N_("Les réunions suivantes de ce groupe sont annulées aussi.")))
    text = "\n".join(lines)
    return _with_calendar(text, (), calendar_file(meeting, territory, cancelled=True), t)


def help_request(
    meeting: Meeting, pseudonym: str, kind: str, t: Translator, territory: Territory
) -> Reply:
    """For the body's coordinators: who needs what to come (by code, never by name)."""
    return Reply(
        "\n".join(
            [
                t(N_("🤝 <b>Une personne demande de l'aide pour venir.</b>")),
                t(N_("Qui : Personne {code}.")).format(code=_text(pseudonym)),
                t(N_("Réunion : {title}, le {when}.")).format(
                    title=_text(meeting.title), when=when(meeting, t, territory)
                ),
                t(N_("Elle demande {help}.")).format(help=t(HELP_LABELS[kind])),
                t(N_("Préparez son aide avant la réunion.")),
            ]
        )
    )


def listing(
    meetings: list[Meeting],
    t: Translator,
    territory: Territory,
    answers: dict[int, str] | None = None,
) -> str:
    """/reunions: the next meetings of what the person follows."""
    if not meetings:
        return "\n".join(
            [
                t(N_("📅 Vous avez 0 réunion prévue dans les groupes que vous suivez.")),
                t(N_("Choisissez « Suivre un groupe » pour recevoir ses réunions.")),
            ]
        )
    lines = [t(N_("📅 <b>Les prochaines réunions</b>"))]
    for meeting in meetings:
        lines.append("")
        lines.append(
            t(N_("<b>{title}</b> : {when}.")).format(
                title=_text(meeting.title), when=when(meeting, t, territory)
            )
        )
        lines.append(t(N_("Groupe : {body}.")).format(body=_text(body_name(meeting, t, territory))))
        answer = (answers or {}).get(meeting.id)
        if answer:
            lines.append(t(RSVP_LABELS[answer]))
    return "\n".join(lines)
