"""The sandbox: an in-memory, local stand-in for the Telegram Bot API (aiohttp).

The bot under test talks to it exactly as to Telegram (PTB with ``base_url=f"{root}/bot"``,
``base_file_url=f"{root}/file/bot"``); tests, benchmarks and demos play the users through the
control API under ``/_sandbox/`` or the same operations as Python methods. Everything the
bot sends is checked against the Bot API spec; invalid requests are answered 400 *and*
recorded in :attr:`Sandbox.invalid_requests`, which test suites assert stays empty.

State lives in memory and is lost on :meth:`Sandbox.reset`. All of it is touched from the
event loop only, so there are no locks; waiters re-check their condition whenever
:class:`_Signal` fires.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import itertools
import json
import logging
import mimetypes
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.formatting import EntityParseError, parse_text, utf16_len
from bot.sandbox.limits import FaultRule, Faults, RateLimiter, RateLimits
from bot.sandbox.spec import BotApiSpec, FileUpload, get_spec

__all__ = ["ApiError", "Sandbox", "SandboxError"]

log = logging.getLogger(__name__)

JSON = dict[str, Any]

# The Bot API request being handled, so a long poll can tell whether its client is still there.
_current_request: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "sandbox_request", default=None
)

_TOKEN = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
_MAX_UPLOAD = 50 * 2**20
_MAX_DOWNLOAD = 20 * 2**20
# Update types delivered when allowed_updates is unset or empty (Bot API: all but these).
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_SEND_METHODS = {
    "sendMessage",
    "sendDocument",
    "sendVoice",
    "sendPhoto",
    "copyMessage",
    "forwardMessage",
    "editMessageText",
}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_MEDIA_KINDS = (
    "document",
    "voice",
    "photo",
    "audio",
    "video",
    "video_note",
    "animation",
    "sticker",
    "location",
    "contact",
    "venue",
    "poll",
    "dice",
)
_FILE_DIRS = {
    "voice": ("voice", ".oga"),
    "document": ("documents", ""),
    "photo": ("photos", ".jpg"),
    "sticker": ("stickers", ".webp"),
    "audio": ("music", ".mp3"),
    "video": ("videos", ".mp4"),
    "video_note": ("video_notes", ".mp4"),
    "animation": ("animations", ".mp4"),
}
# A minimal Ogg page header followed by an OpusHead packet: enough to look like a voice note.
_FAKE_OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00"
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API error answer: HTTP ``status`` + ``description`` (+ ``parameters``)."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        out: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


class SandboxError(ValueError):
    """A control-API call that makes no sense (unknown chat, button not on that message...)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class _Signal:
    """Wake every waiter on any state change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def fire(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(fut)


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False

    def api(self) -> JSON:
        out: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def api(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    sender: JSON
    seq: int
    sent_seq: int
    content: JSON
    parse_mode: str | None = None
    reply_markup: JSON | None = None  # inline keyboard attached to the message
    reply_keyboard: JSON | None = None  # custom (reply) keyboard sent with the message
    reply_to: int | None = None
    forward_origin: JSON | None = None
    edit_date: int | None = None
    history: list[JSON] = field(default_factory=list)
    deleted: bool = False

    @property
    def kind(self) -> str:
        if "text" in self.content:
            return "text"
        return next((k for k in _MEDIA_KINDS if k in self.content), "other")


@dataclass
class ChatRecord:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: UserRecord | None = None  # private chats
    members: set[int] = field(default_factory=set)
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    reply_keyboard: JSON | None = None
    actions: list[str] = field(default_factory=list)

    def api(self) -> JSON:
        out: JSON = {"id": self.id, "type": self.type}
        if self.user is not None:
            out["first_name"] = self.user.first_name
            if self.user.last_name:
                out["last_name"] = self.user.last_name
            if self.user.username:
                out["username"] = self.user.username
        else:
            out["title"] = self.title or str(self.id)
            if self.username:
                out["username"] = self.username
        return out


@dataclass
class CallbackRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
        }


Handler = Callable[[int, JSON], Awaitable[Any]]


class Sandbox:
    """In-memory Telegram Bot API for one bot, plus a control API to play its users.

    ``strict``: requests that fail the spec check are refused with 400 (as Telegram would);
    with ``strict=False`` they are still recorded in :attr:`invalid_requests` but processed
    when possible. ``token``: accept only this token (default: any well-formed token).
    ``rate_limits``: Telegram-like flood limits; ``None`` disables them.
    ``callback_query_ttl``: seconds within which answerCallbackQuery must come (Telegram
    documents no figure; observed expiry is "a few seconds to tens of seconds").
    """

    def __init__(
        self,
        bot_username: str = "porte_voix_bot",
        rate_limits: RateLimits | None = RateLimits(),  # noqa: B008 - frozen dataclass
        strict: bool = True,
        *,
        bot_first_name: str = "Porte-voix",
        token: str | None = None,
        callback_query_ttl: float = 15.0,
        spec: BotApiSpec | None = None,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict = strict
        self.token = token
        self.callback_query_ttl = callback_query_ttl
        self.spec = spec or get_spec()
        self.rate_limiter = RateLimiter(rate_limits)
        self.faults = Faults()
        self._signal = _Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.root: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_text("description"),
            "getMyDescription": self._get_my_text("description"),
            "setMyShortDescription": self._set_my_text("short_description"),
            "getMyShortDescription": self._get_my_text("short_description"),
            "setMyName": self._set_my_text("name"),
            "getMyName": self._get_my_text("name"),
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_media("document"),
            "sendVoice": self._send_media("voice"),
            "sendPhoto": self._send_media("photo"),
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
        }
        self._reset_state()

    # =========================================================================================
    # State
    # =========================================================================================

    def _reset_state(self) -> None:
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackRecord] = {}
        self.invalid_requests: list[JSON] = []
        self.response_problems: list[str] = []
        self.unimplemented: list[str] = []
        self.served_updates: list[JSON] = []
        self._served_ids: set[int] = set()
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._seq = 0
        self._ids = itertools.count(1)
        self._poll_generation = 0
        self._allowed_updates: set[str] | None = None
        self._webhook: JSON | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._requests: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._rate_limited: Counter[str] = Counter()
        self._queued_total = 0
        self._filtered_updates = 0
        self._conflicts = 0
        self._bot_id: int | None = (
            int(m.group(1)) if self.token and (m := _TOKEN.match(self.token)) else None
        )

    def reset(self) -> None:
        """Forget everything (users, chats, updates, files, stats, faults, rate buckets)."""
        self._reset_state()
        self.faults.clear()
        self.rate_limiter.reset()
        self._stop_webhook()
        self._signal.fire()

    @property
    def bot_id(self) -> int:
        """The bot's user id: the digits of the token in use (1 until a request arrives)."""
        return self._bot_id or 1

    def bot_user(self) -> JSON:
        """The bot as a ``User`` object (``from`` of every message it sends)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _bump(self, msg: StoredMessage) -> None:
        """Record a change to a message so chat waiters see it after their cursor."""
        msg.seq = self._next_seq()
        self._signal.fire()

    # =========================================================================================
    # HTTP app
    # =========================================================================================

    def app(self) -> web.Application:
        """The aiohttp application: Bot API, file downloads and the control API."""
        app = web.Application(client_max_size=_MAX_UPLOAD + 2**20)
        r = app.router
        r.add_route("*", "/bot{token}/{method}", self._handle_bot)
        r.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        c = "/_sandbox"
        r.add_get(f"{c}", self._c_index)
        r.add_get(f"{c}/bot", self._c_bot)
        r.add_post(f"{c}/users", self._c_users)
        r.add_post(f"{c}/users/{{user_id}}/block", self._c_block)
        r.add_post(f"{c}/groups", self._c_groups)
        r.add_post(f"{c}/groups/{{chat_id}}/members", self._c_members)
        r.add_post(f"{c}/send", self._c_send)
        r.add_post(f"{c}/send_voice", self._c_send_voice)
        r.add_post(f"{c}/send_document", self._c_send_document)
        r.add_post(f"{c}/send_raw", self._c_send_raw)
        r.add_post(f"{c}/press", self._c_press)
        r.add_get(f"{c}/chats/{{chat_id}}", self._c_chat)
        r.add_get(f"{c}/chats/{{chat_id}}/messages", self._c_messages)
        r.add_get(f"{c}/chats/{{chat_id}}/history", self._c_history)
        r.add_get(f"{c}/chats/{{chat_id}}/wait", self._c_wait)
        r.add_get(f"{c}/callback_queries/{{query_id}}", self._c_callback)
        r.add_get(f"{c}/files/{{file_id}}", self._c_file)
        r.add_get(f"{c}/stats", self._c_stats)
        r.add_post(f"{c}/reset", self._c_reset)
        r.add_get(f"{c}/faults", self._c_faults)
        r.add_post(f"{c}/faults", self._c_faults)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_shutdown(self, app: web.Application) -> None:
        """Let long polls and waiters return at once, whoever runs the app."""
        self._closing = True
        self._signal.fire()
        self._stop_webhook()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 = any free port); return the root URL."""
        self._closing = False
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.root = f"http://{bound_host}:{bound_port}"
        return self.root

    async def stop(self) -> None:
        """Release long polls and waiters, then shut the server down."""
        self._closing = True
        self._signal.fire()
        self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- Bot API dispatch ---------------------------------------------------------------------

    async def _handle_bot(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        m = _TOKEN.match(token)
        if not m or (self.token is not None and token != self.token):
            return _api_response(ApiError(401, "Unauthorized").body(), 401)
        self._bot_id = int(m.group(1))
        method = self.spec.canonical_method(request.match_info["method"])
        if method is None:
            name = request.match_info["method"]
            self._record_invalid(name, ["Not Found: method not found"], {})
            return _api_response(ApiError(404, "Not Found").body(), 404)
        self._requests[method] += 1
        try:
            params = await self._read_params(request, method)
        except ApiError as err:
            self._errors[err.description] += 1
            return _api_response(err.body(), err.status)

        fault = self.faults.pick(method, params.get("chat_id"))
        if fault is not None and fault.kind != "drop_after":
            return self._apply_fault(request, fault)
        response = await self._dispatch(request, method, params)
        if fault is not None:  # "drop_after": the method ran, its answer is lost
            return self._apply_fault(request, fault)
        return response

    async def _dispatch(self, request: web.Request, method: str, params: JSON) -> web.Response:
        """Check and run one Bot API method; the answer the bot would receive."""
        problems = self.spec.check_request(method, params)
        if problems:
            self._record_invalid(method, problems, params)
            if self.strict:
                return _api_response(ApiError(400, problems[0]).body(), 400)
        handler = self._methods.get(method)
        if handler is None:
            self.unimplemented.append(method)
            err = ApiError(400, f"Bad Request: method {method} is not implemented by the sandbox")
            return _api_response(err.body(), 400)
        _current_request.set(request)
        try:
            result = await handler(self.bot_id, params)
        except ApiError as err:
            self._errors[err.description] += 1
            return _api_response(err.body(), err.status)
        except (KeyError, TypeError, ValueError) as err:  # non-strict mode, broken request
            description = f"Bad Request: {err}"
            self._errors[description] += 1
            return _api_response(ApiError(400, description).body(), 400)
        self.response_problems.extend(self.spec.check_result(method, result))
        return _api_response({"ok": True, "result": result}, 200)

    async def _read_params(self, request: web.Request, method: str) -> JSON:
        """Query string + form/multipart (decoded per spec) + JSON body (already typed)."""
        raw: dict[str, str | FileUpload] = dict(request.query)
        typed: JSON = {}
        if request.method == "POST" and request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError as err:
                    raise ApiError(400, "Bad Request: can't parse JSON object") from err
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                typed = body
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = FileUpload(value.filename, value.content_type, value.file.read())
                    else:
                        raw[key] = value if isinstance(value, str) else bytes(value).decode()
            elif (await request.read()).strip():
                raise ApiError(400, f"Bad Request: unsupported content type {ctype}")
        params = self.spec.decode_params(method, raw)
        params.update(typed)
        return params

    def _apply_fault(self, request: web.Request, fault: FaultRule) -> web.StreamResponse:
        self._errors[f"fault:{fault.kind}"] += 1
        if fault.kind == "retry_after":
            err = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
            return _api_response(err.body(), 429)
        if fault.kind == "bad_gateway":
            return _api_response(ApiError(502, "Bad Gateway").body(), 502)
        if request.transport is not None:
            # "drop" / "drop_after": the client sees a disconnect, no answer
            request.transport.abort()
        return web.Response(status=502)

    def _record_invalid(self, method: str, problems: list[str], params: Mapping[str, Any]) -> None:
        entry = {"method": method, "problems": problems, "params": _printable(params)}
        self.invalid_requests.append(entry)
        log.warning("sandbox: invalid request %s: %s", method, "; ".join(problems))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if not _TOKEN.match(request.match_info["token"]):
            return _api_response(ApiError(401, "Unauthorized").body(), 401)
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return _api_response(ApiError(404, "Not Found").body(), 404)
        ctype = (stored.mime_type or "application/octet-stream").split(";")[0].strip()
        return web.Response(body=stored.data, content_type=ctype)

    async def _c_file(self, request: web.Request) -> web.StreamResponse:
        """The bytes of any stored file by file_id: what a user would open in the chat."""
        stored = self.files.get(request.match_info["file_id"])
        if stored is None:
            return _json({"error": "no such file"}, 404)
        ctype = (stored.mime_type or "application/octet-stream").split(";")[0].strip()
        return web.Response(body=stored.data, content_type=ctype)

    # =========================================================================================
    # Bot API methods
    # =========================================================================================

    async def _true(self, bot_id: int, p: JSON) -> bool:
        return True

    async def _get_me(self, bot_id: int, p: JSON) -> JSON:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- updates --------------------------------------------------------------------------

    def _confirm(self, offset: int | None) -> None:
        """Telegram semantics: a positive offset confirms every earlier update; a negative
        one keeps only the last ``-offset`` updates."""
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]

    async def _get_updates(self, bot_id: int, p: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(p.get("offset"))
        if "allowed_updates" in p:
            self._allowed_updates = set(p["allowed_updates"]) or None
        limit = min(max(int(p.get("limit", 100)), 1), 100)
        timeout = max(float(p.get("timeout", 0)), 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.fire()  # an older long poll still waiting must now end with 409
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if generation != self._poll_generation:
                request = _current_request.get()
                if request is not None and (
                    request.transport is None or request.transport.is_closing()
                ):
                    return []  # its client gave up (PTB cancels on stop): not a conflict
                self._conflicts += 1
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._pending[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0 or self._closing:
                break
            await self._signal.wait(remaining)
        self._note_served(batch)
        return batch

    def _note_served(self, batch: list[JSON]) -> None:
        for update in batch:
            if update["update_id"] not in self._served_ids:
                self._served_ids.add(update["update_id"])
                self.served_updates.append(update)

    def queue_update(self, kind: str, payload: JSON) -> int | None:
        """Queue ``{"update_id": n, kind: payload}``; None if allowed_updates filters it."""
        allowed = self._allowed_updates
        if (allowed is None and kind in _OPT_IN_UPDATES) or (allowed and kind not in allowed):
            self._filtered_updates += 1
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        problems = self.spec.check_object("Update", update)
        if problems:
            self.response_problems.extend(problems)
        self._pending.append(update)
        self._queued_total += 1
        self._signal.fire()
        return update_id

    async def _set_webhook(self, bot_id: int, p: JSON) -> bool:
        url = p.get("url", "")
        if not url:
            return await self._delete_webhook(bot_id, p)
        if not re.match(r"^https?://", url):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        if p.get("drop_pending_updates"):
            self._pending.clear()
        if "allowed_updates" in p:
            self._allowed_updates = set(p["allowed_updates"]) or None
        self._webhook = {
            "url": url,
            "secret_token": p.get("secret_token"),
            "max_connections": p.get("max_connections", 40),
        }
        self._webhook_error = None
        self._stop_webhook()
        self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        self._signal.fire()
        return True

    async def _delete_webhook(self, bot_id: int, p: JSON) -> bool:
        self._webhook = None
        self._stop_webhook()
        if p.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _stop_webhook(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None

    async def _deliver_webhook(self) -> None:
        """POST pending updates one by one to the webhook, as Telegram does (in order)."""
        async with aiohttp.ClientSession() as session:
            while self._webhook is not None and not self._closing:
                if not self._pending:
                    await self._signal.wait(1.0)
                    continue
                update = self._pending[0]
                headers = {}
                if self._webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook["secret_token"]
                try:
                    async with session.post(
                        self._webhook["url"], json=update, headers=headers
                    ) as resp:
                        ok = 200 <= resp.status < 300
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except aiohttp.ClientError as err:
                    ok, error = False, f"Connection error: {err}"
                if ok:
                    self._note_served([update])
                    if self._pending and self._pending[0] is update:
                        self._pending.pop(0)
                else:
                    self._webhook_error = (int(time.time()), error)
                    await asyncio.sleep(0.5)

    async def _get_webhook_info(self, bot_id: int, p: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
            if self._allowed_updates:
                info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # -- bot settings ---------------------------------------------------------------------

    @staticmethod
    def _scope_key(p: JSON) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    async def _set_my_commands(self, bot_id: int, p: JSON) -> bool:
        self._commands[self._scope_key(p)] = list(p["commands"])
        self._signal.fire()
        return True

    async def _get_my_commands(self, bot_id: int, p: JSON) -> list[JSON]:
        return list(self._commands.get(self._scope_key(p), []))

    async def _delete_my_commands(self, bot_id: int, p: JSON) -> bool:
        self._commands.pop(self._scope_key(p), None)
        return True

    def _set_my_text(self, key: str) -> Handler:
        async def handler(bot_id: int, p: JSON) -> bool:
            self._bot_texts[(key, p.get("language_code") or "")] = p.get(key) or ""
            return True

        return handler

    def _get_my_text(self, key: str) -> Handler:
        async def handler(bot_id: int, p: JSON) -> JSON:
            lang = p.get("language_code") or ""
            value = self._bot_texts.get((key, lang), self._bot_texts.get((key, ""), ""))
            if key == "name" and not value:
                value = self.bot_first_name
            return {key: value}

        return handler

    # -- chats & messages -----------------------------------------------------------------

    def _find_chat(self, chat_id: Any) -> ChatRecord | None:
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                name = chat_id[1:].lower()
                return next(
                    (c for c in self.chats.values() if (c.username or "").lower() == name), None
                )
            if not re.match(r"^-?\d+$", chat_id):
                return None
            chat_id = int(chat_id)
        return self.chats.get(chat_id) if isinstance(chat_id, int) else None

    def _target_chat(self, chat_id: Any) -> ChatRecord:
        """The chat the bot addresses; 400 if unknown, 403 if the user blocked the bot."""
        chat = self._find_chat(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.user is not None and chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _rate(self, method: str, chat: ChatRecord) -> None:
        """Count a send-like request against the flood limits; 429 if over."""
        if method not in _SEND_METHODS:
            return
        retry_after = self.rate_limiter.acquire(chat.id)
        if retry_after:
            self._rate_limited[str(chat.id)] += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _new_message(
        self, chat: ChatRecord, sender: JSON, from_bot: bool, content: JSON
    ) -> StoredMessage:
        seq = self._next_seq()
        msg = StoredMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=from_bot,
            sender=sender,
            seq=seq,
            sent_seq=seq,
            content=content,
        )
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        return msg

    def message_api(self, msg: StoredMessage, with_reply: bool = True) -> JSON:
        """The ``Message`` object for a stored message, as Telegram would serve it now."""
        chat = self.chats[msg.chat_id]
        out: JSON = {
            "message_id": msg.message_id,
            "from": msg.sender,
            "chat": chat.api(),
            "date": msg.date,
        }
        if msg.forward_origin:
            out["forward_origin"] = msg.forward_origin
        if with_reply and msg.reply_to is not None:
            target = chat.messages.get(msg.reply_to)
            if target is not None and not target.deleted:
                out["reply_to_message"] = self.message_api(target, with_reply=False)
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        out.update(msg.content)
        if msg.reply_markup is not None:
            out["reply_markup"] = msg.reply_markup
        return out

    def _get_bot_message(
        self, p: JSON, missing: str = "Bad Request: message to edit not found"
    ) -> tuple[ChatRecord, StoredMessage]:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the sandbox")
        if "chat_id" not in p or "message_id" not in p:
            raise ApiError(400, "Bad Request: chat_id and message_id are required")
        chat = self._target_chat(p["chat_id"])
        msg = chat.messages.get(p["message_id"])
        if msg is None or msg.deleted:
            raise ApiError(400, missing)
        if not msg.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, msg

    def _render(self, text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
        try:
            return parse_text(text, parse_mode or None, entities or None)
        except EntityParseError as err:
            raise ApiError(400, f"Bad Request: can't parse entities: {err}") from err

    def _apply_markup(self, chat: ChatRecord, msg: StoredMessage, markup: JSON | None) -> None:
        if not markup:
            return
        if "inline_keyboard" in markup:
            msg.reply_markup = markup
        elif "keyboard" in markup:
            chat.reply_keyboard = markup
            msg.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None

    def _reply_target(self, chat: ChatRecord, p: JSON) -> int | None:
        params = p.get("reply_parameters")
        if not params:
            return None
        if params.get("chat_id") not in (None, chat.id):
            return None  # cross-chat replies: not modelled
        target = chat.messages.get(params["message_id"])
        if target is None or target.deleted:
            if params.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target.message_id

    def _bot_sends(
        self, method: str, chat: ChatRecord, p: JSON, content: JSON, parse_mode: Any = None
    ) -> StoredMessage:
        """Common tail of every send: reply target, rate limit, store, keyboard, notify."""
        reply_to = self._reply_target(chat, p)
        self._rate(method, chat)
        msg = self._new_message(chat, self.bot_user(), True, content)
        msg.reply_to = reply_to
        msg.parse_mode = parse_mode
        self._apply_markup(chat, msg, p.get("reply_markup"))
        self._signal.fire()
        return msg

    async def _send_message(self, bot_id: int, p: JSON) -> JSON:
        chat = self._target_chat(p["chat_id"])
        text, entities = self._render(p["text"], p.get("parse_mode"), p.get("entities"))
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        msg = self._bot_sends("sendMessage", chat, p, content, p.get("parse_mode"))
        return self.message_api(msg)

    def _edit(self, msg: StoredMessage, content: JSON, markup: JSON | None) -> None:
        """Apply an edit, refusing no-op edits the way Telegram does."""
        inline = markup if markup and "inline_keyboard" in markup else None
        if content == msg.content and inline == msg.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        msg.history.append(
            {"content": msg.content, "reply_markup": msg.reply_markup, "edit_date": msg.edit_date}
        )
        msg.content = content
        msg.reply_markup = inline
        msg.edit_date = int(time.time())
        self._bump(msg)

    async def _edit_message_text(self, bot_id: int, p: JSON) -> JSON:
        chat, msg = self._get_bot_message(p)
        if "text" not in msg.content:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._render(p["text"], p.get("parse_mode"), p.get("entities"))
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        inline = p.get("reply_markup")
        if content == msg.content and inline == msg.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._rate("editMessageText", chat)
        msg.parse_mode = p.get("parse_mode")
        self._edit(msg, content, inline)
        return self.message_api(msg)

    async def _edit_message_caption(self, bot_id: int, p: JSON) -> JSON:
        _chat, msg = self._get_bot_message(p)
        if msg.kind not in ("document", "voice", "photo", "audio", "video", "animation"):
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        content = {k: v for k, v in msg.content.items() if k not in ("caption", "caption_entities")}
        caption, entities = self._render(
            p.get("caption") or "", p.get("parse_mode"), p.get("caption_entities")
        )
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        self._edit(msg, content, p.get("reply_markup"))
        return self.message_api(msg)

    async def _edit_message_reply_markup(self, bot_id: int, p: JSON) -> JSON:
        _chat, msg = self._get_bot_message(p)
        self._edit(msg, msg.content, p.get("reply_markup"))
        return self.message_api(msg)

    async def _delete_message(self, bot_id: int, p: JSON) -> bool:
        # Telegram lets bots delete messages < 48 h old; every sandbox message is recent.
        chat = self._target_chat(p["chat_id"])
        msg = chat.messages.get(p["message_id"])
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        msg.deleted = True
        self._bump(msg)
        return True

    async def _delete_messages(self, bot_id: int, p: JSON) -> bool:
        chat = self._target_chat(p["chat_id"])
        for message_id in p["message_ids"]:
            msg = chat.messages.get(message_id)
            if msg is not None and not msg.deleted:
                msg.deleted = True
                self._bump(msg)
        return True

    async def _answer_callback_query(self, bot_id: int, p: JSON) -> bool:
        record = self.callback_queries.get(p["callback_query_id"])
        too_old = record is not None and time.monotonic() - record.created > self.callback_query_ttl
        if record is None or record.answered or too_old:
            raise ApiError(400, _QUERY_TOO_OLD)
        record.answered = True
        record.text = p.get("text")
        record.show_alert = bool(p.get("show_alert", False))
        record.url = p.get("url")
        self._signal.fire()
        return True

    # -- files ----------------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Keep bytes so that ``getFile`` + download returns them."""
        n = next(self._ids)
        directory, ext = _FILE_DIRS.get(kind, (f"{kind}s", ""))
        if kind == "document" and file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"SBX{kind[:3].upper()}{n:08d}AgAD",
            file_unique_id=f"SBXU{n:06d}",
            kind=kind,
            data=data,
            file_path=f"{directory}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _media_object(self, kind: str, stored: StoredFile, p: JSON) -> Any:
        base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        size = len(stored.data)
        if kind == "photo":
            return [{**base, "width": 800, "height": 600, "file_size": size}]
        if kind == "voice":
            duration = p.get("duration")
            if not isinstance(duration, int):
                duration = max(1, size // 2000)
            return {
                **base,
                "duration": duration,
                "mime_type": stored.mime_type or "audio/ogg",
                "file_size": size,
            }
        out = {**base, "file_size": size}
        if stored.file_name:
            out["file_name"] = stored.file_name
        if stored.mime_type:
            out["mime_type"] = stored.mime_type
        return out

    def _resolve_upload(self, kind: str, value: Any, p: JSON) -> StoredFile:
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value[len("attach://") :])
        if isinstance(value, FileUpload):
            mime = value.content_type
            if kind == "voice":
                mime = "audio/ogg"
            elif not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            name = value.filename if kind == "document" else None
            return self.store_file(kind, value.data, name, mime)
        if isinstance(value, str):
            if value in self.files:
                return self.files[value]
            if re.match(r"^https?://", value):
                # No network here: remember the URL as a placeholder file.
                name = value.rsplit("/", 1)[-1] or None
                return self.store_file(kind, value.encode(), name, mimetypes.guess_type(value)[0])
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send_media(self, kind: str) -> Handler:
        method = {"document": "sendDocument", "voice": "sendVoice", "photo": "sendPhoto"}[kind]

        async def handler(bot_id: int, p: JSON) -> JSON:
            chat = self._target_chat(p["chat_id"])
            stored = self._resolve_upload(kind, p[kind], p)
            content: JSON = {kind: self._media_object(kind, stored, p)}
            caption, entities = self._render(
                p.get("caption") or "", p.get("parse_mode"), p.get("caption_entities")
            )
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
            msg = self._bot_sends(method, chat, p, content, p.get("parse_mode"))
            return self.message_api(msg)

        return handler

    async def _send_chat_action(self, bot_id: int, p: JSON) -> bool:
        chat = self._target_chat(p["chat_id"])
        if p["action"] not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        chat.actions.append(p["action"])
        return True

    async def _get_file(self, bot_id: int, p: JSON) -> JSON:
        stored = self.files.get(p["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > _MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.api()

    async def _get_chat(self, bot_id: int, p: JSON) -> JSON:
        chat = self._find_chat(p["chat_id"])
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **chat.api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _source_message(self, p: JSON, what: str) -> StoredMessage:
        source_chat = self._find_chat(p["from_chat_id"])
        if source_chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        msg = source_chat.messages.get(p["message_id"])
        if msg is None or msg.deleted:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return msg

    async def _copy_message(self, bot_id: int, p: JSON) -> JSON:
        chat = self._target_chat(p["chat_id"])
        source = self._source_message(p, "copy")
        content = dict(source.content)
        if "caption" in p and source.kind != "text":
            content.pop("caption_entities", None)
            caption, entities = self._render(
                p["caption"] or "", p.get("parse_mode"), p.get("caption_entities")
            )
            content.pop("caption", None)
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        msg = self._bot_sends("copyMessage", chat, p, content)
        return {"message_id": msg.message_id}

    async def _forward_message(self, bot_id: int, p: JSON) -> JSON:
        chat = self._target_chat(p["chat_id"])
        source = self._source_message(p, "forward")
        msg = self._bot_sends("forwardMessage", chat, p, dict(source.content))
        msg.forward_origin = source.forward_origin or {
            "type": "user",
            "date": source.date,
            "sender_user": source.sender,
        }
        return self.message_api(msg)

    # =========================================================================================
    # Control operations (Python API; the HTTP control API maps onto these)
    # =========================================================================================

    def add_user(
        self,
        id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """Ensure a user (and their private chat, id = user id) exists; update their names."""
        if not isinstance(id, int) or id <= 0:
            raise SandboxError("user id must be a positive integer")
        user = self.users.get(id)
        if user is None:
            user = UserRecord(id, first_name, last_name, username, language_code)
            self.users[id] = user
            self.chats[id] = ChatRecord(id=id, type="private", user=user)
        else:
            user.first_name = first_name
            user.last_name = last_name
            user.username = username
            user.language_code = language_code
        return user.api()

    def add_group(
        self, id: int, title: str, type: str | None = None, username: str | None = None
    ) -> JSON:
        """Ensure a group chat exists (ids < -10**12 default to supergroups, as on Telegram)."""
        if not isinstance(id, int) or id >= 0:
            raise SandboxError("group id must be a negative integer")
        chat_type = type or ("supergroup" if id < -(10**12) else "group")
        if chat_type not in ("group", "supergroup"):
            raise SandboxError("group type must be 'group' or 'supergroup'")
        chat = self.chats.get(id)
        if chat is None:
            chat = ChatRecord(id=id, type=chat_type)
            self.chats[id] = chat
        chat.title, chat.username = title, username
        return chat.api()

    def add_member(self, group_id: int, user_id: int) -> None:
        """Make a user a member of a group so they can post there."""
        chat = self.chats.get(group_id)
        if chat is None or chat.user is not None:
            raise SandboxError(f"no group {group_id}", 404)
        if user_id not in self.users:
            raise SandboxError(f"no user {user_id}", 404)
        chat.members.add(user_id)

    def block_user(self, user_id: int, blocked: bool = True) -> None:
        """User blocks (or unblocks) the bot: sends to them get 403; bot gets my_chat_member."""
        user = self.users.get(user_id)
        if user is None:
            raise SandboxError(f"no user {user_id}", 404)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        bot_member = {"status": "member", "user": self.bot_user()}
        kicked = {"status": "kicked", "user": self.bot_user(), "until_date": 0}
        self.queue_update(
            "my_chat_member",
            {
                "chat": self.chats[user_id].api(),
                "from": user.api(),
                "date": int(time.time()),
                "old_chat_member": bot_member if blocked else kicked,
                "new_chat_member": kicked if blocked else bot_member,
            },
        )

    def _user_chat(self, user_id: int, chat_id: int | None) -> tuple[UserRecord, ChatRecord]:
        user = self.users.get(user_id)
        if user is None:
            raise SandboxError(f"no user {user_id}: create it first", 404)
        chat = self.chats.get(chat_id if chat_id is not None else user_id)
        if chat is None:
            raise SandboxError(f"no chat {chat_id}", 404)
        if chat.user is None and user_id not in chat.members:
            raise SandboxError(f"user {user_id} is not a member of chat {chat.id}")
        if chat.user is not None and chat.id != user_id:
            raise SandboxError(f"chat {chat.id} is another user's private chat")
        return user, chat

    def _user_message(
        self, user: UserRecord, chat: ChatRecord, content: JSON, reply_to: int | None = None
    ) -> JSON:
        problems = self.spec.check_object(
            "Message",
            {"message_id": 1, "date": 0, "chat": chat.api(), "from": user.api(), **content},
        )
        if problems:
            raise SandboxError("invalid message: " + "; ".join(problems))
        if user.blocked:
            raise SandboxError(f"user {user.id} blocked the bot; unblock first")
        if reply_to is not None and reply_to not in chat.messages:
            raise SandboxError(f"no message {reply_to} to reply to in chat {chat.id}")
        msg = self._new_message(chat, user.api(), False, content)
        msg.reply_to = reply_to
        update_id = self.queue_update("message", self.message_api(msg))
        return {"update_id": update_id, "message_id": msg.message_id}

    def _command_entities(self, text: str) -> list[JSON]:
        if not text.startswith("/"):
            return []
        token = text.split(maxsplit=1)[0] if text.strip() else text
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]

    def send(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> JSON:
        """The user sends a text message (``/cmd`` gets its bot_command entity)."""
        if not text:
            raise SandboxError("text must not be empty")
        user, chat = self._user_chat(user_id, chat_id)
        content: JSON = {"text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        result = self._user_message(user, chat, content, reply_to)
        self._use_reply_keyboard(chat, text)
        return result

    def _use_reply_keyboard(self, chat: ChatRecord, text: str) -> None:
        """A one-time custom keyboard disappears once the user taps one of its buttons."""
        kb = chat.reply_keyboard
        if kb and kb.get("one_time_keyboard"):
            labels = {b.get("text") for row in kb.get("keyboard", []) for b in row}
            if text in labels:
                chat.reply_keyboard = None

    def send_voice(
        self,
        user_id: int,
        duration: int,
        data: bytes | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a voice note; its bytes are downloadable through getFile."""
        user, chat = self._user_chat(user_id, chat_id)
        payload = data if data is not None else _FAKE_OGG + bytes(range(256)) * 4
        stored = self.store_file("voice", payload, mime_type="audio/ogg")
        content: JSON = {
            "voice": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": int(duration),
                "mime_type": "audio/ogg",
                "file_size": len(payload),
            }
        }
        if caption:
            content["caption"] = caption
        result = self._user_message(user, chat, content)
        return {**result, "file_id": stored.file_id}

    def send_document(
        self,
        user_id: int,
        file_name: str,
        data: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a file; its bytes are downloadable through getFile."""
        user, chat = self._user_chat(user_id, chat_id)
        stored = self.store_file("document", data, file_name=file_name, mime_type=mime_type)
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "file_size": len(data),
        }
        if mime_type:
            document["mime_type"] = mime_type
        content: JSON = {"document": document}
        if caption:
            content["caption"] = caption
        result = self._user_message(user, chat, content)
        return {**result, "file_id": stored.file_id}

    def send_raw(self, user_id: int, message: JSON, chat_id: int | None = None) -> JSON:
        """The user sends arbitrary content (sticker, photo, location, contact, document...).

        message_id/date/chat/from are filled in; file-like objects get file ids (and fake
        bytes, downloadable) when missing. The result is checked against ``Message``.
        """
        user, chat = self._user_chat(user_id, chat_id)
        reserved = {"message_id", "date", "chat", "from"} & set(message)
        if reserved:
            raise SandboxError(f"fields filled by the sandbox: {sorted(reserved)}")
        content = json.loads(json.dumps(message))  # private copy
        for kind in ("sticker", "document", "audio", "video", "video_note", "animation"):
            if isinstance(content.get(kind), dict):
                content[kind] = self._fill_file(kind, content[kind])
        if isinstance(content.get("photo"), list):
            content["photo"] = [self._fill_file("photo", size) for size in content["photo"]]
        if isinstance(content.get("voice"), dict):
            content["voice"] = self._fill_file("voice", content["voice"])
        text = content.get("text")
        if isinstance(text, str) and "entities" not in content:
            entities = self._command_entities(text)
            if entities:
                content["entities"] = entities
        return self._user_message(user, chat, content)

    def _fill_file(self, kind: str, obj: JSON) -> JSON:
        defaults: dict[str, JSON] = {
            "sticker": {
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "🙂",
            },
            "photo": {"width": 800, "height": 600},
            "voice": {"duration": 1, "mime_type": "audio/ogg"},
            "audio": {"duration": 1},
            "video": {"width": 640, "height": 480, "duration": 1},
            "video_note": {"length": 240, "duration": 1},
            "animation": {"width": 320, "height": 240, "duration": 1},
        }
        out = {**defaults.get(kind, {}), **obj}
        if "file_id" not in out:
            data = base64.b64decode(out.pop("data_base64")) if "data_base64" in out else b"\0" * 64
            stored = self.store_file(kind, data, out.get("file_name"), out.get("mime_type"))
            out["file_id"] = stored.file_id
            out["file_unique_id"] = stored.file_unique_id
            out.setdefault("file_size", len(data))
        out.setdefault("file_unique_id", "U" + out["file_id"][-10:])
        return out

    def press(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        label: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """The user taps an inline button that exists on that bot message *now*.

        Old messages work as long as they still carry the keyboard, which is how users hit
        a bot's stale buttons. Match by exact callback ``data`` or exact visible ``label``.
        """
        user, chat = self._user_chat(user_id, chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise SandboxError(f"no message {message_id} in chat {chat.id}", 404)
        if not msg.from_bot or not msg.reply_markup:
            raise SandboxError(f"message {message_id} has no inline keyboard")
        buttons = [b for row in msg.reply_markup["inline_keyboard"] for b in row]
        if data is not None:
            found = next((b for b in buttons if b.get("callback_data") == data), None)
        elif label is not None:
            found = next((b for b in buttons if b.get("text") == label), None)
        else:
            raise SandboxError("give data or label")
        if found is None:
            shown = ", ".join(f"{b.get('text')!r}" for b in buttons)
            raise SandboxError(f"no such button on message {message_id}; buttons: {shown}")
        if "callback_data" not in found:
            raise SandboxError(f"button {found.get('text')!r} has no callback_data")
        return self._queue_press(user, chat, msg, found["callback_data"])

    def forge_press(self, user_id: int, message_id: int, data: str) -> JSON:
        """A callback query with data no button carries: what a modified client can send.

        Tests use it to prove forged or replayed button data is refused, not obeyed.
        """
        user, chat = self._user_chat(user_id, None)
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted or not msg.from_bot:
            raise SandboxError(f"no bot message {message_id} in chat {chat.id}", 404)
        return self._queue_press(user, chat, msg, data)

    def _queue_press(
        self, user: UserRecord, chat: ChatRecord, msg: StoredMessage, data: str
    ) -> JSON:
        message_id = msg.message_id
        found = {"callback_data": data}
        query_id = str(4_000_000_000_000_000 + next(self._ids))
        self.callback_queries[query_id] = CallbackRecord(
            id=query_id,
            user_id=user.id,
            chat_id=chat.id,
            message_id=message_id,
            data=found["callback_data"],
            created=time.monotonic(),
        )
        update_id = self.queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.api(),
                "message": self.message_api(msg),
                "chat_instance": str(abs(chat.id) * 7919 % 10**15 + 10**15),
                "data": found["callback_data"],
            },
        )
        return {"update_id": update_id, "callback_query_id": query_id}

    def callback_query(self, query_id: str) -> JSON:
        """What the bot answered to a callback query (``answered`` False if nothing yet)."""
        record = self.callback_queries.get(query_id)
        if record is None:
            raise SandboxError(f"no callback query {query_id}", 404)
        return record.to_json()

    async def wait_callback_answer(self, query_id: str, timeout: float = 5.0) -> JSON:
        """Wait until the bot answers a callback query (or timeout); return the record."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            record = self.callback_query(query_id)
            remaining = deadline - asyncio.get_running_loop().time()
            if record["answered"] or remaining <= 0 or self._closing:
                return record
            await self._signal.wait(remaining)

    def _view(self, msg: StoredMessage) -> JSON:
        """Test-friendly view of a message (used by the control API and the client)."""
        c = msg.content
        buttons = [
            [{k: b[k] for k in ("text", "callback_data", "url") if k in b} for b in row]
            for row in (msg.reply_markup or {}).get("inline_keyboard", [])
        ]
        keyboard = [
            [b.get("text", "") for b in row]
            for row in (msg.reply_keyboard or {}).get("keyboard", [])
        ]
        return {
            "seq": msg.seq,
            "sent_seq": msg.sent_seq,
            "chat_id": msg.chat_id,
            "message_id": msg.message_id,
            "date": msg.date,
            "from_bot": msg.from_bot,
            "from_id": msg.sender["id"],
            "kind": msg.kind,
            "text": c.get("text", c.get("caption", "")),
            "entities": c.get("entities", c.get("caption_entities", [])),
            "parse_mode": msg.parse_mode,
            "buttons": buttons,
            "keyboard": keyboard,
            "document": c.get("document"),
            "voice": c.get("voice"),
            "photo": c.get("photo"),
            "reply_to_message_id": msg.reply_to,
            "edited": len(msg.history),
            "edits": [
                {
                    "text": h["content"].get("text", h["content"].get("caption", "")),
                    "buttons": [
                        [b.get("text") for b in row]
                        for row in (h["reply_markup"] or {}).get("inline_keyboard", [])
                    ],
                }
                for h in msg.history
            ],
            "deleted": msg.deleted,
        }

    def _chat(self, chat_id: int) -> ChatRecord:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise SandboxError(f"no chat {chat_id}", 404)
        return chat

    def messages(self, chat_id: int, after: int = 0) -> list[JSON]:
        """Bot messages of a chat created, edited or deleted after ``seq``, by seq."""
        chat = self._chat(chat_id)
        changed = [m for m in chat.messages.values() if m.from_bot and m.seq > after]
        return [self._view(m) for m in sorted(changed, key=lambda m: m.seq)]

    def history(self, chat_id: int) -> list[JSON]:
        """The whole chat (user and bot messages) in message_id order."""
        chat = self._chat(chat_id)
        return [self._view(m) for m in sorted(chat.messages.values(), key=lambda m: m.message_id)]

    async def wait(self, chat_id: int, after: int = 0, timeout: float = 5.0) -> list[JSON]:
        """Long-poll :meth:`messages` until something changes after ``after`` (or timeout)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = self.messages(chat_id, after)
            remaining = deadline - asyncio.get_running_loop().time()
            if found or remaining <= 0 or self._closing:
                return found
            await self._signal.wait(remaining)

    def chat_info(self, chat_id: int) -> JSON:
        """A chat's state: Chat object, active custom keyboard, chat actions received."""
        chat = self._chat(chat_id)
        keyboard = [
            [b.get("text", "") for b in row]
            for row in (chat.reply_keyboard or {}).get("keyboard", [])
        ]
        return {
            "chat": chat.api(),
            "keyboard": keyboard,
            "actions": list(chat.actions),
            "members": sorted(chat.members),
            "blocked": bool(chat.user and chat.user.blocked),
            "last_seq": max((m.seq for m in chat.messages.values()), default=0),
        }

    def bot_info(self) -> JSON:
        """The bot as users would see it: identity, command menus, descriptions, webhook."""
        return {
            "user": self.bot_user(),
            "commands": [
                {"scope": json.loads(scope), "language_code": lang, "commands": cmds}
                for (scope, lang), cmds in self._commands.items()
            ],
            "texts": [
                {"key": key, "language_code": lang, "value": value}
                for (key, lang), value in self._bot_texts.items()
            ],
            "webhook": self._webhook["url"] if self._webhook else None,
        }

    def stats(self) -> JSON:
        """Counters for tests and benchmarks."""
        return {
            "requests": dict(self._requests),
            "invalid_request_count": len(self.invalid_requests),
            "invalid_requests": list(self.invalid_requests),
            "rate_limited": sum(self._rate_limited.values()),
            "rate_limited_by_chat": dict(self._rate_limited),
            "errors": dict(self._errors),
            "faults_fired": self.faults.fired,
            "queued_updates": self._queued_total,
            "pending_updates": len(self._pending),
            "served_updates": len(self.served_updates),
            "filtered_updates": self._filtered_updates,
            "conflicts": self._conflicts,
            "unimplemented": list(self.unimplemented),
            "response_problems": list(self.response_problems),
        }

    def set_faults(self, config: Mapping[str, Any]) -> JSON:
        """Replace fault rules from JSON: ``{"rules": [{"kind": "retry_after", ...}]}``."""
        rules = [FaultRule.from_json(r) for r in config.get("rules", [])]
        self.faults.rules = rules
        return self.faults.to_json()

    # =========================================================================================
    # Control API over HTTP
    # =========================================================================================

    async def _c_index(self, request: web.Request) -> web.Response:
        return _json({"sandbox": True, "spec": self.spec.version, "bot": self.bot_user()})

    async def _c_bot(self, request: web.Request) -> web.Response:
        return _json(self.bot_info())

    async def _c_users(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return await _control(
            lambda: self.add_user(
                _int(body, "id"),
                str(body.get("first_name") or "User"),
                body.get("last_name"),
                body.get("username"),
                body.get("language_code"),
            )
        )

    async def _c_block(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user_id = _int(request.match_info, "user_id")
        return await _control(
            lambda: self.block_user(user_id, bool(body.get("blocked", True))) or {"ok": True}
        )

    async def _c_groups(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return await _control(
            lambda: self.add_group(
                _int(body, "id"),
                str(body.get("title") or "Group"),
                body.get("type"),
                body.get("username"),
            )
        )

    async def _c_members(self, request: web.Request) -> web.Response:
        body = await _body(request)
        chat_id = _int(request.match_info, "chat_id")
        return await _control(
            lambda: self.add_member(chat_id, _int(body, "user_id")) or {"ok": True}
        )

    async def _c_send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return await _control(
            lambda: self.send(
                _int(body, "user_id"),
                str(body.get("text", "")),
                _opt_int(body, "chat_id"),
                _opt_int(body, "reply_to"),
            )
        )

    async def _c_send_voice(self, request: web.Request) -> web.Response:
        body = await _body(request)

        def run() -> JSON:
            data = body.get("data_base64")
            return self.send_voice(
                _int(body, "user_id"),
                int(body.get("duration", 1)),
                base64.b64decode(data) if data else None,
                body.get("caption"),
                _opt_int(body, "chat_id"),
            )

        return await _control(run)

    async def _c_send_document(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return await _control(
            lambda: self.send_document(
                _int(body, "user_id"),
                str(body.get("file_name") or "document"),
                base64.b64decode(body.get("data_base64") or ""),
                body.get("mime_type"),
                body.get("caption"),
                _opt_int(body, "chat_id"),
            )
        )

    async def _c_send_raw(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message = body.get("message")
        if not isinstance(message, dict):
            return _json({"error": "message must be an object"}, 400)
        return await _control(
            lambda: self.send_raw(_int(body, "user_id"), message, _opt_int(body, "chat_id"))
        )

    async def _c_press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        return await _control(
            lambda: self.press(
                _int(body, "user_id"),
                _int(body, "message_id"),
                body.get("data"),
                body.get("label"),
                _opt_int(body, "chat_id"),
            )
        )

    async def _c_chat(self, request: web.Request) -> web.Response:
        return await _control(lambda: self.chat_info(_int(request.match_info, "chat_id")))

    async def _c_messages(self, request: web.Request) -> web.Response:
        chat_id = _int(request.match_info, "chat_id")
        after = int(request.query.get("after", 0))
        return await _control(lambda: self.messages(chat_id, after))

    async def _c_history(self, request: web.Request) -> web.Response:
        return await _control(lambda: self.history(_int(request.match_info, "chat_id")))

    async def _c_wait(self, request: web.Request) -> web.Response:
        try:
            chat_id = _int(request.match_info, "chat_id")
            after = int(request.query.get("after", 0))
            timeout = min(float(request.query.get("timeout", 5)), 60.0)
            return _json(await self.wait(chat_id, after, timeout))
        except (SandboxError, ValueError) as err:
            return _json({"error": str(err)}, getattr(err, "status", 400))

    async def _c_callback(self, request: web.Request) -> web.Response:
        query_id = request.match_info["query_id"]
        try:
            if "wait" in request.query:
                timeout = min(float(request.query["wait"]), 60.0)
                return _json(await self.wait_callback_answer(query_id, timeout))
            return _json(self.callback_query(query_id))
        except (SandboxError, ValueError) as err:
            return _json({"error": str(err)}, getattr(err, "status", 400))

    async def _c_stats(self, request: web.Request) -> web.Response:
        return _json(self.stats())

    async def _c_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return _json({"ok": True})

    async def _c_faults(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            return _json(self.faults.to_json())
        body = await _body(request)
        return await _control(lambda: self.set_faults(body))


# =============================================================================================
# helpers
# =============================================================================================


def _api_response(body: JSON, status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


async def _body(request: web.Request) -> JSON:
    if not request.body_exists:
        return {}
    with contextlib.suppress(ValueError):
        body = await request.json()
        if isinstance(body, dict):
            return body
    return {}


async def _control(fn: Callable[[], Any]) -> web.Response:
    """Run a control operation; SandboxError/ValueError become JSON 4xx answers."""
    try:
        return _json(fn())
    except SandboxError as err:
        return _json({"error": str(err)}, err.status)
    except (KeyError, TypeError, ValueError) as err:
        return _json({"error": f"bad request: {err}"}, 400)


def _int(source: Mapping[str, Any], key: str) -> int:
    value = source.get(key)
    if value is None:
        raise SandboxError(f"{key} is required")
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise SandboxError(f"{key} must be an integer") from err


def _opt_int(source: Mapping[str, Any], key: str) -> int | None:
    return None if source.get(key) is None else _int(source, key)


def _printable(params: Mapping[str, Any]) -> JSON:
    """Params as JSON-safe values for the invalid-request log (files summarised)."""
    return {k: repr(v) if isinstance(v, FileUpload) else v for k, v in params.items()}
