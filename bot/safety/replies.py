"""What the bot says when the safety net fires: the numbers first, in plain words.

- A clear danger interrupts: thanks, « I am a robot », the territory's first numbers (the ones
  that fit what was seen added, the emergency ones first when it is happening now), then a
  choice to go on or to stop. Within 30 minutes of a full list, a shorter answer, never with
  less than the 3114 and the 15 or 112.
- A possible sign gets a gentle message with the 3114 and the 15 or 112 beside the normal
  reply, and a button that opens the full list.
- Every voice note's acknowledgement carries one gentle line with the 3114.

The bot does not assess risk and promises no call back. Nothing of what people wrote is
kept for this: only that the net fired, when, at which level, and which signs.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.config import CrisisResource, Territory
from bot.engine import Button, Reply
from bot.i18n import N_, Translator

FIRST_SHOWN = 4
# Numbers that fit a category better than the general ones (by resource id in the territory).
CATEGORY_RESOURCES = {
    "child_at_risk": ("119",),
    "violence_received": ("3919",),
    "staff_abuse": ("3977",),
}
EMERGENCY = ("15", "112")  # first when the words say it is happening now
LISTENING = "3114"

CONTINUE = N_("➡ Continuer")
MORE = N_("📞 Voir d'autres numéros")
ALL = N_("📞 Voir les numéros d'aide")
STOP = N_("✖ Arrêter")


def crisis_data(revision: int, action: str) -> str:
    return f"k:{revision}:{action}"


def _line(resource: CrisisResource, t: Translator) -> str:
    number = html.escape(resource.number)
    label = html.escape(resource.label.get(t.lang))
    hours = html.escape(resource.hours.get(t.lang))
    if resource.channel == "sms":
        return t(N_("💬 <b>{number}</b> par SMS : {label} {hours}")).format(
            number=number, label=label, hours=hours
        )
    return t(N_("📞 <b>{number}</b> : {label} {hours}")).format(
        number=number, label=label, hours=hours
    )


def first_resources(
    territory: Territory, categories: Iterable[str], imminent: bool = False
) -> list[CrisisResource]:
    chosen = list(territory.crisis_resources[:FIRST_SHOWN])
    wanted = {rid for category in categories for rid in CATEGORY_RESOURCES.get(category, ())}
    chosen += [r for r in territory.crisis_resources if r.id in wanted and r not in chosen]
    if imminent:
        chosen.sort(key=lambda r: r.id not in EMERGENCY)  # stable: the rest keep their order
    return chosen


def _fitting(territory: Territory, categories: Iterable[str]) -> list[CrisisResource]:
    """The numbers made for what was seen (119 for a child, 3919 for violence…)."""
    wanted = {rid for c in categories for rid in CATEGORY_RESOURCES.get(c, ())}
    return [r for r in territory.crisis_resources if r.id in wanted]


def _number(territory: Territory, resource_id: str, fallback: str) -> str:
    found = next((r for r in territory.crisis_resources if r.id == resource_id), None)
    return html.escape(found.number if found else fallback)


def _emergency_line(territory: Territory, t: Translator) -> str:
    return t(N_("En danger maintenant : appelez le <b>{first}</b> ou le <b>{second}</b>.")).format(
        first=_number(territory, EMERGENCY[0], "15"), second=_number(territory, EMERGENCY[1], "112")
    )


def _listening_line(territory: Territory, t: Translator) -> str:
    return t(N_("Le <b>{number}</b> vous écoute, jour et nuit. C'est gratuit.")).format(
        number=_number(territory, LISTENING, "3114")
    )


def full_reply(
    territory: Territory,
    t: Translator,
    categories: Iterable[str],
    revision: int | None,
    *,
    recently_shown: bool = False,
    imminent: bool = False,
) -> Reply:
    """The answer to a clear danger. With `revision` (a flow was interrupted), the message
    was not kept: the buttons let the person go on with the flow or stop."""
    categories = tuple(categories)
    if recently_shown:
        lines = [t(N_("Merci de m'avoir écrit."))]
        pair = [_emergency_line(territory, t), _listening_line(territory, t)]
        lines += pair if imminent else pair[::-1]
        lines += [_line(r, t) for r in _fitting(territory, categories)]
    else:
        lines = [
            t(N_("Merci de m'avoir écrit.")),
            t(N_("Je suis un robot.")),
            t(N_("Vous pouvez parler à quelqu'un tout de suite :")),
        ]
        lines += [_line(r, t) for r in first_resources(territory, categories, imminent)]
    buttons: list[tuple[Button, ...]] = []
    if revision is not None:
        lines.append(t(N_("Ce message ne va pas au groupe.")))
        lines.append(t(N_("Vous pouvez continuer ou arrêter.")))
        buttons.append((Button(t(CONTINUE), crisis_data(revision, "go")),))
        buttons.append((Button(t(MORE), crisis_data(revision, "more")),))
        buttons.append((Button(t(STOP), crisis_data(revision, "stop")),))
    else:
        buttons.append((Button(t(MORE), crisis_data(0, "more")),))
    return Reply("\n".join(lines), tuple(buttons))


def gentle_reply(territory: Territory, t: Translator, categories: Iterable[str]) -> Reply:
    """The line beside the normal reply for a possible sign: 3114, 15 or 112, and a button."""
    lines = [t(N_("Merci de me le dire."))]
    lines += [_line(r, t) for r in _fitting(territory, categories)]
    lines += [_listening_line(territory, t), _emergency_line(territory, t)]
    return Reply("\n".join(lines), ((Button(t(ALL), crisis_data(0, "all")),),))


def voice_line(territory: Territory, t: Translator) -> str:
    """One gentle line on every acknowledgement of a voice note (its words are not read)."""
    return t(
        N_("Si vous allez mal, appelez le <b>{number}</b>. Quelqu'un vous écoute, jour et nuit.")
    ).format(number=_number(territory, LISTENING, "3114"))


def other_resources_reply(territory: Territory, t: Translator, categories: Iterable[str]) -> Reply:
    """« Voir d'autres numéros »: every other number of the territory."""
    shown = first_resources(territory, categories)
    rest = [r for r in territory.crisis_resources if r not in shown]
    lines = [t(N_("Voici d'autres numéros :"))] + [_line(r, t) for r in rest]
    return Reply("\n".join(lines))


def all_resources_reply(territory: Territory, t: Translator) -> Reply:
    """« Voir les numéros d'aide » under a gentle line: the whole list, emergency first."""
    ordered = sorted(territory.crisis_resources, key=lambda r: r.id not in (LISTENING, *EMERGENCY))
    lines = [t(N_("Voici les numéros d'aide :"))] + [_line(r, t) for r in ordered]
    return Reply("\n".join(lines))
