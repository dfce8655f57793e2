"""What a turn decides to show, as plain data: send, send to someone else, tidy keyboards.

The conversation service turns these into outbox rows; nothing here knows Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine import Reply


@dataclass(frozen=True)
class Send:
    reply: Reply


@dataclass(frozen=True)
class MarkChosen:
    """Replace the keyboard of the tapped message by the chosen answer, so the chat reads well."""

    message_id: int
    data: str


@dataclass(frozen=True)
class ClearKeyboard:
    message_id: int


@dataclass(frozen=True)
class SendTo:
    """A message for another person (a peer helper told that consent was given)."""

    person_id: int
    reply: Reply


@dataclass(frozen=True)
class DeleteMessage:
    """Delete the person's own message from the chat (« effacer ce que je viens d'envoyer »)."""

    message_id: int


@dataclass(frozen=True)
class EditMessage:
    """Rewrite a message of this chat (a case card whose status changed)."""

    message_id: int
    reply: Reply


Action = Send | SendTo | MarkChosen | ClearKeyboard | DeleteMessage | EditMessage


@dataclass
class Response:
    """What a turn produced. The messages themselves are already outbox rows, committed."""

    person_id: int
    update_id: int | None = None
    actions: list[Action] = field(default_factory=list)
    notice: str | None = None  # short text shown when a button is tapped
    recipients: list[int] = field(default_factory=list)  # chats to flush now, in order
    meetings_changed: bool = False  # a meeting was created, moved or cancelled: re-plan reminders
