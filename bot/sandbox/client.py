"""Client for the sandbox control API, and :class:`Person` for transcript-like tests.

Tests talk to the sandbox over real loopback HTTP, like the terminal demo and a browser
phone would, so the same code paths are exercised everywhere. ``Person`` turns a conversation
into readable steps (``send`` / ``tap`` / ``expect``) and puts the whole transcript into every
failure message; it never sleeps, it long-polls the sandbox's wait endpoint.
"""

from __future__ import annotations

import asyncio
import base64
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

__all__ = ["Button", "ChatMessage", "Person", "SandboxClient", "SandboxClientError"]

JSON = dict[str, Any]


class SandboxClientError(AssertionError):
    """The control API refused a call (4xx); an AssertionError so tests fail readably."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox {status}: {message}")
        self.status = status
        self.message = message


@dataclass
class Button:
    """An inline button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class ChatMessage:
    """A bot message as the user sees it (``text`` is the caption for media)."""

    message_id: int
    seq: int
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    kind: str = "text"
    document: JSON | None = None
    voice: JSON | None = None
    photo: list[JSON] | None = None
    keyboard: list[list[str]] = field(default_factory=list)
    entities: list[JSON] = field(default_factory=list)
    edited: bool = False
    deleted: bool = False
    from_bot: bool = True

    @property
    def button_labels(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> ChatMessage:
        return cls(
            message_id=view["message_id"],
            seq=view["seq"],
            text=view.get("text") or "",
            buttons=[[Button(**b) for b in row] for row in view.get("buttons", [])],
            kind=view.get("kind", "text"),
            document=view.get("document"),
            voice=view.get("voice"),
            photo=view.get("photo"),
            keyboard=[list(row) for row in view.get("keyboard", [])],
            entities=list(view.get("entities") or []),
            edited=bool(view.get("edited")),
            deleted=bool(view.get("deleted")),
            from_bot=bool(view.get("from_bot", True)),
        )

    def _content(self) -> tuple[Any, ...]:
        return (self.text, self.buttons, self.kind, self.document, self.voice, self.keyboard)

    def render(self) -> str:
        """One transcript entry: text (indented continuation lines) then [buttons]."""
        head = ""
        if self.kind == "document" and self.document:
            head = f"[document {self.document.get('file_name', '')}] ".replace(" ]", "]")
        elif self.kind not in ("text", "document"):
            head = f"[{self.kind}] "
        body = (head + self.text).replace("\n", "\n      ")
        labels = " ".join(f"[{b.text}]" for row in self.buttons for b in row)
        keys = " ".join(f"{{{k}}}" for row in self.keyboard for k in row)
        return "  ".join(part for part in (body, labels, keys) if part)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class SandboxClient:
    """Async client for ``/_sandbox/*``; use as ``async with SandboxClient(root) as c``."""

    def __init__(self, root: str, session: aiohttp.ClientSession | None = None) -> None:
        self.root = root.rstrip("/")
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> SandboxClient:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self,
        method: str,
        path: str,
        body: JSON | None = None,
        http_timeout: float = 30.0,
        **query: Any,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(
            method,
            f"{self.root}/_sandbox{path}",
            json=body,
            params={k: str(v) for k, v in query.items() if v is not None},
            timeout=aiohttp.ClientTimeout(total=http_timeout),
        ) as resp:
            try:
                data = await resp.json(content_type=None)
            except ValueError:
                data = {"error": await resp.text()}
            if resp.status >= 400:
                error = data.get("error", data) if isinstance(data, dict) else data
                raise SandboxClientError(resp.status, str(error))
            return data

    # -- control operations -----------------------------------------------------------------

    async def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        body = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
        return await self._call("POST", "/users", body)

    async def block_user(self, user_id: int, blocked: bool = True) -> None:
        await self._call("POST", f"/users/{user_id}/block", {"blocked": blocked})

    async def add_group(self, chat_id: int, title: str, type: str | None = None) -> JSON:
        return await self._call("POST", "/groups", {"id": chat_id, "title": title, "type": type})

    async def add_member(self, chat_id: int, user_id: int) -> None:
        await self._call("POST", f"/groups/{chat_id}/members", {"user_id": user_id})

    async def send(
        self, user_id: int, text: str, chat_id: int | None = None, reply_to: int | None = None
    ) -> JSON:
        body = {"user_id": user_id, "text": text, "chat_id": chat_id, "reply_to": reply_to}
        return await self._call("POST", "/send", body)

    async def send_voice(
        self,
        user_id: int,
        duration: int,
        data: bytes | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        body: JSON = {"user_id": user_id, "duration": duration, "chat_id": chat_id}
        if data is not None:
            body["data_base64"] = base64.b64encode(data).decode()
        if caption is not None:
            body["caption"] = caption
        return await self._call("POST", "/send_voice", body)

    async def send_document(
        self,
        user_id: int,
        file_name: str,
        data: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        body: JSON = {
            "user_id": user_id,
            "file_name": file_name,
            "data_base64": base64.b64encode(data).decode(),
            "mime_type": mime_type,
            "caption": caption,
            "chat_id": chat_id,
        }
        return await self._call("POST", "/send_document", body)

    async def send_raw(self, user_id: int, message: JSON, chat_id: int | None = None) -> JSON:
        body = {"user_id": user_id, "message": message, "chat_id": chat_id}
        return await self._call("POST", "/send_raw", body)

    async def press(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        label: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        body = {
            "user_id": user_id,
            "message_id": message_id,
            "data": data,
            "label": label,
            "chat_id": chat_id,
        }
        return await self._call("POST", "/press", body)

    async def chat(self, chat_id: int) -> JSON:
        return await self._call("GET", f"/chats/{chat_id}")

    async def messages(self, chat_id: int, after: int = 0) -> list[JSON]:
        return await self._call("GET", f"/chats/{chat_id}/messages", after=after)

    async def history(self, chat_id: int) -> list[JSON]:
        return await self._call("GET", f"/chats/{chat_id}/history")

    async def download(self, file_id: str) -> bytes:
        """The content of a file the bot sent (a document, a voice note)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.get(f"{self.root}/_sandbox/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxClientError(f"no file {file_id!r} in the sandbox")
            return await response.read()

    async def wait(self, chat_id: int, after: int = 0, timeout: float = 5.0) -> list[JSON]:
        return await self._call(
            "GET", f"/chats/{chat_id}/wait", http_timeout=timeout + 10, after=after, timeout=timeout
        )

    async def callback_query(self, query_id: str, wait: float | None = None) -> JSON:
        return await self._call(
            "GET", f"/callback_queries/{query_id}", http_timeout=(wait or 0) + 10, wait=wait
        )

    async def stats(self) -> JSON:
        return await self._call("GET", "/stats")

    async def bot_info(self) -> JSON:
        return await self._call("GET", "/bot")

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def set_faults(self, rules: list[JSON]) -> JSON:
        return await self._call("POST", "/faults", {"rules": rules})

    def person(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "fr",
        username: str | None = None,
        last_name: str | None = None,
        chat_id: int | None = None,
    ) -> Person:
        """A user of the bot; registered with the sandbox on first use (or ``register()``)."""
        return Person(self, user_id, first_name, language_code, username, last_name, chat_id)


class Person:
    """One user talking to the bot in one chat (their private chat unless ``chat_id``)."""

    def __init__(
        self,
        client: SandboxClient,
        user_id: int,
        first_name: str,
        language_code: str | None = "fr",
        username: str | None = None,
        last_name: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        self.client = client
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_name = last_name
        self.chat_id = chat_id if chat_id is not None else user_id
        self.received: list[ChatMessage] = []
        self.last_callback_query_id: str | None = None
        self._registered = False
        self._cursor = 0
        self._delivered: dict[int, ChatMessage] = {}
        self._inbox: deque[ChatMessage] = deque()
        self._lines: list[str] = []

    # -- plumbing -------------------------------------------------------------------------

    async def register(self) -> None:
        """Create the user (and private chat) now; later messages are "not yet seen"."""
        if self._registered:
            return
        await self.client.add_user(
            self.user_id, self.first_name, self.last_name, self.username, self.language_code
        )
        self._cursor = (await self.client.chat(self.chat_id))["last_seq"]
        self._registered = True

    @property
    def transcript(self) -> str:
        """What was said so far, ``> Alice: ...`` / ``< bot: ...  [Button]``."""
        lines = list(self._lines)
        if self._inbox:
            lines.append("  ... not yet received:")
            lines.extend(f"< bot: {m.render()}" for m in self._inbox)
        return "\n".join(lines) if lines else "(nothing said yet)"

    def _fail(self, message: str) -> AssertionError:
        return AssertionError(
            f"{message}\n--- transcript of {self.first_name} ---\n{self.transcript}"
        )

    def _absorb(self, views: list[JSON]) -> None:
        """Fold a batch of changed bot messages into the inbox (new ones, real edits)."""
        for view in sorted(views, key=lambda v: v["seq"]):
            self._cursor = max(self._cursor, view["seq"])
            msg = ChatMessage.from_view(view)
            queued = next(
                (i for i, m in enumerate(self._inbox) if m.message_id == msg.message_id), None
            )
            if msg.deleted:
                if queued is not None:
                    del self._inbox[queued]
                if msg.message_id in self._delivered:
                    self._lines.append(f"< bot: (deleted message #{msg.message_id})")
                    self._delivered.pop(msg.message_id)
                continue
            if queued is not None:
                self._inbox[queued] = msg
                continue
            seen = self._delivered.get(msg.message_id)
            if seen is not None:
                if seen._content() == msg._content():
                    continue
                msg.edited = True
            self._inbox.append(msg)

    # -- actions --------------------------------------------------------------------------

    async def send(self, text: str, reply_to: ChatMessage | int | None = None) -> int:
        """Send a text message (optionally as a reply); returns its message_id."""
        await self.register()
        target = reply_to.message_id if isinstance(reply_to, ChatMessage) else reply_to
        result = await self.client.send(self.user_id, text, self._chat_arg(), target)
        quote = f" (reply to #{target})" if target is not None else ""
        self._lines.append(f"> {self.first_name}{quote}: {text}")
        return int(result["message_id"])

    async def send_voice(
        self, seconds: int, data: bytes | None = None, caption: str | None = None
    ) -> int:
        """Send a voice note of ``seconds`` (fake OGG bytes unless ``data``)."""
        await self.register()
        result = await self.client.send_voice(
            self.user_id, seconds, data, caption, self._chat_arg()
        )
        self._lines.append(
            f"> {self.first_name}: [voice {seconds}s]" + (f" {caption}" if caption else "")
        )
        return int(result["message_id"])

    async def send_document(
        self, file_name: str, data: bytes, mime_type: str | None = "text/plain"
    ) -> int:
        """Send a file (minutes as .txt or .md), downloadable by the bot."""
        await self.register()
        result = await self.client.send_document(
            self.user_id, file_name, data, mime_type, None, self._chat_arg()
        )
        self._lines.append(f"> {self.first_name}: [document {file_name}]")
        return int(result["message_id"])

    async def send_raw(self, message: JSON) -> int:
        """Send any content (``{"sticker": {}}``, ``{"location": {...}}``...)."""
        await self.register()
        result = await self.client.send_raw(self.user_id, message, self._chat_arg())
        kinds = ", ".join(sorted(message))
        self._lines.append(f"> {self.first_name}: [{kinds}]")
        return int(result["message_id"])

    async def block(self, blocked: bool = True) -> None:
        """Block (or unblock) the bot."""
        await self.register()
        await self.client.block_user(self.user_id, blocked)
        self._lines.append(f"> {self.first_name}: ({'blocks' if blocked else 'unblocks'} the bot)")

    def _chat_arg(self) -> int | None:
        return None if self.chat_id == self.user_id else self.chat_id

    @staticmethod
    def _match(buttons: list[list[JSON]], label: str) -> JSON | str | None:
        """The button whose text contains ``label`` (exact match wins); "ambiguous" if >1."""
        flat = [b for row in buttons for b in row]
        wanted = _norm(label)
        exact = [b for b in flat if _norm(b.get("text", "")) == wanted]
        if exact:
            return exact[0]
        partial = [b for b in flat if wanted in _norm(b.get("text", ""))]
        if len(partial) > 1:
            return "ambiguous"
        return partial[0] if partial else None

    async def tap(
        self, label: str, message: ChatMessage | None = None, timeout: float = 5.0
    ) -> str | None:
        """Tap the button whose label contains ``label`` (case-insensitive, accents count).

        Looks at the most recent bot message carrying such a button (or ``message``, which
        may be old), waiting up to ``timeout`` for it to appear. Falls back to the chat's
        custom reply keyboard (which sends the label as text). Returns the
        callback_query_id, or None for a reply-keyboard tap.
        """
        await self.register()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            views = await self.client.messages(self.chat_id)
            live = [v for v in views if not v["deleted"]]
            if message is not None:
                live = [v for v in live if v["message_id"] == message.message_id]
            for view in sorted(live, key=lambda v: v["message_id"], reverse=True):
                found = self._match(view["buttons"], label)
                if found == "ambiguous":
                    raise self._fail(
                        f"{label!r} matches several buttons on message #{view['message_id']}: "
                        f"{[b['text'] for row in view['buttons'] for b in row]}"
                    )
                if isinstance(found, dict):
                    return await self._press(view, found)
            if message is None:
                info = await self.client.chat(self.chat_id)
                keys = [k for row in info["keyboard"] for k in row]
                exact = [k for k in keys if _norm(k) == _norm(label)]
                partial = [k for k in keys if _norm(label) in _norm(k)]
                if exact or len(partial) == 1:
                    await self.send((exact or partial)[0])
                    return None
            remaining = deadline - loop.time()
            if message is not None or remaining <= 0:
                raise self._fail(self._no_button(label, live, message))
            last = max((v["seq"] for v in views), default=0)
            await self.client.wait(self.chat_id, after=last, timeout=remaining)

    def _no_button(self, label: str, views: list[JSON], message: ChatMessage | None) -> str:
        where = f"message #{message.message_id}" if message else "any bot message"
        shown = [
            f"  #{v['message_id']}: "
            + " ".join(f"[{b['text']}]" for row in v["buttons"] for b in row)
            for v in sorted(views, key=lambda v: v["message_id"], reverse=True)
            if v["buttons"]
        ]
        visible = "\n".join(shown) if shown else "  (no inline buttons visible)"
        return (
            f"{self.first_name} found no button matching {label!r} on {where}.\nVisible:\n{visible}"
        )

    async def _press(self, view: JSON, button: JSON) -> str:
        if "callback_data" not in button:
            raise self._fail(f"button {button['text']!r} is a URL button: nothing to press")
        result = await self.client.press(
            self.user_id, view["message_id"], data=button["callback_data"], chat_id=self._chat_arg()
        )
        self._lines.append(
            f"> {self.first_name}: (taps [{button['text']}] on #{view['message_id']})"
        )
        self.last_callback_query_id = str(result["callback_query_id"])
        return self.last_callback_query_id

    async def callback_answer(self, query_id: str | None = None, timeout: float = 5.0) -> JSON:
        """Wait for the bot's answerCallbackQuery to a tap; fail if it never answers."""
        qid = query_id or self.last_callback_query_id
        if qid is None:
            raise self._fail("no button was tapped yet")
        record = await self.client.callback_query(qid, wait=timeout)
        if not record["answered"]:
            raise self._fail(f"the bot did not answer callback query {qid} within {timeout}s")
        if record.get("text"):
            alert = " (alert)" if record.get("show_alert") else ""
            self._lines.append(f"< bot: (toast{alert}: {record['text']})")
        return record

    # -- expectations ---------------------------------------------------------------------

    async def receive(self, timeout: float = 5.0) -> ChatMessage:
        """The next bot message not seen yet (edits of seen ones come back ``edited=True``)."""
        await self.register()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._inbox:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise self._fail(f"{self.first_name} received nothing from the bot in {timeout}s")
            self._absorb(await self.client.wait(self.chat_id, self._cursor, remaining))
        msg = self._inbox.popleft()
        self._delivered[msg.message_id] = msg
        self.received.append(msg)
        tag = f" (edited #{msg.message_id})" if msg.edited else ""
        self._lines.append(f"< bot{tag}: {msg.render()}")
        return msg

    async def expect(
        self, fragment: str, timeout: float = 5.0, *, edits: bool = False
    ) -> ChatMessage:
        """Receive until a new message contains ``fragment`` (whitespace-normalised, any case).

        Edits of earlier messages (a keyboard tidied away) are skipped unless ``edits=True``:
        a transcript's next line is what the bot newly says.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        wanted = _norm(fragment)
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0 and not self._inbox:
                raise self._fail(f"{self.first_name} expected a message containing {fragment!r}")
            try:
                msg = await self.receive(timeout=max(remaining, 0.0))
            except AssertionError:
                raise self._fail(
                    f"{self.first_name} expected a message containing {fragment!r}"
                ) from None
            if (edits or not msg.edited) and wanted in _norm(msg.text):
                return msg

    async def expect_nothing(self, for_seconds: float = 0.3) -> None:
        """Fail if the bot sends or edits anything in this chat within ``for_seconds``."""
        await self.register()
        if not self._inbox:
            self._absorb(await self.client.wait(self.chat_id, self._cursor, for_seconds))
        if self._inbox:
            got = "; ".join(m.render() for m in self._inbox)
            raise self._fail(f"{self.first_name} expected silence but got: {got}")
