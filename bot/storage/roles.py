"""Roles (pair-aidant, coordinator of a body) given by one-time, expiring invites; all audited."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.db import Tx, utcnow

ROLES = ("pair_aidant", "coordinator")
INVITE_PREFIX = "inv_"


@dataclass(frozen=True)
class Redemption:
    """What happened to an invite code: `granted`, or why not (`unknown`, `used`, `expired`)."""

    outcome: str
    role: str | None = None
    body_id: str | None = None


async def audit(tx: Tx, actor_id: int | None, action: str, **detail: Any) -> None:
    """Every role change and refusal leaves a line: who, when, what (never message text)."""
    await tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, detail) VALUES (?, ?, ?, ?)",
        (utcnow(), actor_id, action, json.dumps(detail, ensure_ascii=False) if detail else None),
    )


async def create_invite(
    tx: Tx, role: str, body_id: str | None, valid_for: timedelta, now: datetime | None = None
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    now = now or datetime.now(UTC)
    code = secrets.token_urlsafe(12)  # [A-Za-z0-9_-], fits a deep link's 64 characters
    await tx.execute(
        "INSERT INTO invites (code, role, body_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        (
            code,
            role,
            body_id,
            now.isoformat(timespec="seconds"),
            (now + valid_for).isoformat(timespec="seconds"),
        ),
    )
    await audit(tx, None, "invite_created", role=role, body=body_id)
    return code


async def redeem(tx: Tx, code: str, person_id: int, now: datetime) -> Redemption:
    """Gives the invite's role to this person, once; a replayed or expired code gives nothing."""
    row = await tx.one("SELECT * FROM invites WHERE code = ?", (code,))
    if row is None:
        outcome = Redemption("unknown")
    elif row["used_at"] is not None:
        outcome = Redemption("used", row["role"], row["body_id"])
    elif datetime.fromisoformat(row["expires_at"]) < now:
        outcome = Redemption("expired", row["role"], row["body_id"])
    else:
        await tx.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE code = ?",
            (now.isoformat(timespec="seconds"), person_id, code),
        )
        already = await has_role(tx, person_id, row["role"], row["body_id"])
        if not already:
            await tx.execute(
                "INSERT INTO roles (person_id, role, body_id, granted_at, invite_code) "
                "VALUES (?, ?, ?, ?, ?)",
                (person_id, row["role"], row["body_id"], now.isoformat(timespec="seconds"), code),
            )
        outcome = Redemption("granted", row["role"], row["body_id"])
    await audit(tx, person_id, f"invite_{outcome.outcome}", role=outcome.role, body=outcome.body_id)
    return outcome


async def has_role(tx: Tx, person_id: int, role: str, body_id: str | None = None) -> bool:
    if body_id is None:
        sql = "SELECT 1 FROM roles WHERE person_id = ? AND role = ? AND revoked_at IS NULL"
        params: tuple[Any, ...] = (person_id, role)
    else:
        sql = (
            "SELECT 1 FROM roles WHERE person_id = ? AND role = ? AND body_id = ? "
            "AND revoked_at IS NULL"
        )
        params = (person_id, role, body_id)
    return bool(await tx.value(sql, params))


async def roles_of(tx: Tx, person_id: int) -> set[str]:
    rows = await tx.all(
        "SELECT role FROM roles WHERE person_id = ? AND revoked_at IS NULL", (person_id,)
    )
    return {r["role"] for r in rows}


async def bodies_of(tx: Tx, person_id: int) -> set[str]:
    """The bodies this person coordinates now."""
    rows = await tx.all(
        "SELECT body_id FROM roles WHERE person_id = ? AND role = 'coordinator' "
        "AND revoked_at IS NULL AND body_id IS NOT NULL",
        (person_id,),
    )
    return {r["body_id"] for r in rows}


async def coordinators_of(tx: Tx, body_id: str) -> list[int]:
    rows = await tx.all(
        "SELECT DISTINCT person_id FROM roles WHERE role = 'coordinator' AND body_id = ? "
        "AND revoked_at IS NULL ORDER BY person_id",
        (body_id,),
    )
    return [r["person_id"] for r in rows]


async def revoke(
    tx: Tx, person_id: int, role: str, body_id: str | None, *, by: int | None, now: datetime
) -> int:
    """Ends a role (handed over, or taken back); the line stays, with its end date."""
    sql = "UPDATE roles SET revoked_at = ? WHERE person_id = ? AND role = ? AND revoked_at IS NULL"
    params: list[Any] = [now.isoformat(timespec="seconds"), person_id, role]
    if body_id is not None:
        sql += " AND body_id = ?"
        params.append(body_id)
    changed = await tx.execute(sql, params)
    if changed:
        await audit(tx, by, "role_revoked", person=person_id, role=role, body=body_id)
    return changed


async def all_active(tx: Tx) -> list[dict[str, Any]]:
    rows = await tx.all(
        "SELECT r.person_id, p.pseudonym, r.role, r.body_id, r.granted_at FROM roles r "
        "JOIN people p ON p.id = r.person_id WHERE r.revoked_at IS NULL "
        "ORDER BY r.body_id, r.role, p.pseudonym"
    )
    return [dict(r) for r in rows]
