"""What the bot says when the crisis safety net fires: help numbers first, then a choice.

The bot does not assess risk and promises no call back. It thanks the person, says it is a
robot, gives the territory's numbers (the first four of the file, plus the ones that fit what
was detected), then lets the person go on with their message or stop. Nothing of what they
wrote is kept for this: only that the net fired, when, and which categories.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.config import CrisisResource, Territory
from bot.engine import Button, Reply
from bot.i18n import N_, Translator

FIRST_SHOWN = 4
# Numbers that fit a category better than the general ones (by resource id in the territory).
CATEGORY_RESOURCES = {"child_at_risk": ("119",), "violence_received": ("3919",)}

CONTINUE = N_("➡ Continuer mon message")
MORE = N_("📞 Voir d'autres numéros")
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


EMERGENCY = ("15", "112")  # first when the words say it is happening now


def first_resources(
    territory: Territory, categories: Iterable[str], imminent: bool = False
) -> list[CrisisResource]:
    chosen = list(territory.crisis_resources[:FIRST_SHOWN])
    wanted = {rid for category in categories for rid in CATEGORY_RESOURCES.get(category, ())}
    chosen += [r for r in territory.crisis_resources if r.id in wanted and r not in chosen]
    if imminent:
        chosen.sort(key=lambda r: r.id not in EMERGENCY)  # stable: the rest keep their order
    return chosen


def resources_reply(
    territory: Territory,
    t: Translator,
    categories: Iterable[str],
    revision: int | None,
    *,
    recently_shown: bool = False,
    imminent: bool = False,
) -> Reply:
    """The first answer to a message that fired the net.

    With `revision` (a message was held in a flow), the buttons let the person continue or stop.
    If the numbers were shown a moment ago, a short reminder replaces the full list.
    """
    if recently_shown:
        lines = [
            t(N_("Merci de m'avoir écrit.")),
            t(N_("Pour parler à quelqu'un tout de suite, appelez le 3114.")),
        ]
    else:
        lines = [
            t(N_("Merci de m'avoir écrit.")),
            t(N_("Je suis un robot.")),
            t(N_("Vous pouvez parler à quelqu'un tout de suite :")),
        ]
        lines += [_line(r, t) for r in first_resources(territory, categories, imminent)]
    buttons: list[tuple[Button, ...]] = []
    if revision is not None:
        lines.append(t(N_("Vous pouvez continuer votre message ou arrêter.")))
        buttons.append((Button(t(CONTINUE), crisis_data(revision, "go")),))
        buttons.append((Button(t(MORE), crisis_data(revision, "more")),))
        buttons.append((Button(t(STOP), crisis_data(revision, "stop")),))
    else:
        buttons.append((Button(t(MORE), crisis_data(0, "more")),))
    return Reply("\n".join(lines), tuple(buttons))


def other_resources_reply(territory: Territory, t: Translator, categories: Iterable[str]) -> Reply:
    """« Voir d'autres numéros »: every other number of the territory."""
    shown = first_resources(territory, categories)
    rest = [r for r in territory.crisis_resources if r not in shown]
    lines = [t(N_("Voici d'autres numéros :"))] + [_line(r, t) for r in rest]
    return Reply("\n".join(lines))
