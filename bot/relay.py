"""Words relayed by a peer helper, and the relayed person's consent.

Two consent paths (issue 3): the person confirms from their own Telegram through a one-time
link the helper forwards (the message waits until then), or the helper declares an oral
consent, recorded as such with the date and the helper. Either way the person's words stay
theirs: with Telegram, they can see them in /suivi and erase them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.storage import Tx, submissions
from bot.storage.db import utcnow

CONSENT_PREFIX = "ok_"
CONSENT_VALID = timedelta(days=7)


@dataclass(frozen=True)
class ConsentRequest:
    code: str
    submission: dict[str, Any]
    helper_id: int | None
    status: str  # "open", "answered", "expired"


async def open_request(tx: Tx, submission_id: int, helper_id: int, now: datetime) -> str:
    code = secrets.token_urlsafe(12)
    await tx.execute(
        "INSERT INTO consent_requests (code, submission_id, helper_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            code,
            submission_id,
            helper_id,
            now.isoformat(timespec="seconds"),
            (now + CONSENT_VALID).isoformat(timespec="seconds"),
        ),
    )
    return code


async def load(tx: Tx, code: str, now: datetime) -> ConsentRequest | None:
    row = await tx.one("SELECT * FROM consent_requests WHERE code = ?", (code,))
    if row is None:
        return None
    submission = await tx.one("SELECT * FROM submissions WHERE id = ?", (row["submission_id"],))
    if submission is None:
        return None
    if row["answered_at"] is not None:
        status = "answered"
    elif datetime.fromisoformat(row["expires_at"]) < now:
        status = "expired"
    else:
        status = "open"
    return ConsentRequest(code, dict(submission), row["helper_id"], status)


async def answer(
    tx: Tx, request: ConsentRequest, person_id: int, agreed: bool, now: datetime
) -> None:
    """Yes: the message goes, and the person can follow it. No: it is erased, nothing goes."""
    stamp = now.isoformat(timespec="seconds")
    await tx.execute(
        "UPDATE consent_requests SET answered_at = ?, answer = ? WHERE code = ?",
        (stamp, "yes" if agreed else "no", request.code),
    )
    details = json.loads(request.submission.get("details") or "{}")
    consent = details.get("consent", {})
    consent.update({"status": "confirmed" if agreed else "refused", "answered_at": stamp})
    details["consent"] = consent
    submission_id = request.submission["id"]
    if agreed:
        await tx.execute(
            "UPDATE submissions SET status = 'sent', relayed_person_id = ?, details = ? WHERE id = ?",
            (person_id, json.dumps(details, ensure_ascii=False), submission_id),
        )
        await submissions.add_event(tx, submission_id, "consent_confirmed", actor_id=person_id)
    else:
        await erase(tx, submission_id, person_id, details=details, status="withdrawn")


async def erase(
    tx: Tx,
    submission_id: int,
    actor_id: int,
    *,
    details: dict[str, Any] | None = None,
    status: str = "erased",
) -> None:
    """Removes the words (text, voice, name); the reference and its events stay as a trace."""
    await tx.execute(
        "UPDATE submissions SET body_text = NULL, voice_file_id = NULL, author_name = NULL, "
        "details = ?, status = ? WHERE id = ?",
        (json.dumps(details, ensure_ascii=False) if details else None, status, submission_id),
    )
    await submissions.add_event(
        tx, submission_id, status, actor_id=actor_id, detail={"at": utcnow()}
    )
