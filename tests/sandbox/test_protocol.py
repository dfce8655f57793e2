"""Bot API protocol corner cases over raw loopback HTTP (no PTB in the way)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.limits import RateLimits
from bot.sandbox.server import Sandbox
from bot.sandbox.spec import get_spec
from tests.sandbox.conftest import TOKEN, assert_clean

KEYBOARD = {"inline_keyboard": [[{"text": "Oui", "callback_data": "q:yes"}]]}


async def call(
    http: aiohttp.ClientSession, api: str, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST form-encoded exactly like PTB: strings raw, everything else JSON."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"{api}/{method}", data=form or None) as resp:
        return resp.status, await resp.json()


async def test_get_me_empty_body(http: aiohttp.ClientSession, api: str, sandbox: Sandbox) -> None:
    async with http.post(f"{api}/getMe") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["ok"] is True
    me = body["result"]
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "porte_voix_bot"
    assert {"can_join_groups", "can_read_all_group_messages", "supports_inline_queries"} <= set(me)
    assert get_spec().check_object("User", me) == []


async def test_auth_and_unknown_method(
    http: aiohttp.ClientSession, root: str, api: str, sandbox: Sandbox
) -> None:
    async with http.post(f"{root}/botnot-a-token/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    status, body = await call(http, api, "sendMessagez", chat_id=42, text="x")
    assert (status, body["description"]) == (404, "Not Found")
    assert sandbox.invalid_requests[0]["method"] == "sendMessagez"


async def test_method_names_are_case_insensitive_and_get_works(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    status, _body = await call(http, api, "SENDMESSAGE", chat_id=42, text="hi")
    assert status == 200
    async with http.get(f"{api}/getme") as resp:
        assert resp.status == 200
    async with http.get(f"{api}/sendMessage", params={"chat_id": "42", "text": "q"}) as resp:
        assert (await resp.json())["result"]["text"] == "q"
    assert_clean(sandbox)


async def test_string_fields_stay_strings(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    status, body = await call(http, api, "sendMessage", chat_id=42, text="123")
    assert status == 200
    assert body["result"]["text"] == "123"
    async with http.post(f"{api}/sendMessage", json={"chat_id": 42, "text": "json"}) as resp:
        assert (await resp.json())["result"]["text"] == "json"
    assert_clean(sandbox)


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"chat_id": 42, "text": "x", "foo": 1}, 'Bad Request: parameter "foo" is unknown'),
        ({"text": "x"}, "Bad Request: chat_id is required"),
        (
            {"chat_id": 42, "text": "x", "disable_notification": "maybe"},
            'parameter "disable_notification" must be Boolean, not String',
        ),
        (
            {"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a"}]]}},
            "Bad Request: text buttons are unallowed in the inline keyboard",
        ),
        (
            {"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": [["a"]]}},
            'field "reply_markup.inline_keyboard[0][0]" must be InlineKeyboardButton',
        ),
        ({"chat_id": 42, "text": "a" * 4097}, "Bad Request: message is too long"),
        (
            {"chat_id": 42, "text": "<b>x</i>", "parse_mode": "HTML"},
            "Bad Request: can't parse entities: Unmatched end tag at byte offset 4",
        ),
        (
            {
                "chat_id": 42,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "d" * 65}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_invalid_requests_are_refused_and_recorded(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox, params: dict, description: str
) -> None:
    status, body = await call(http, api, "sendMessage", **params)
    assert status == 400
    assert body["ok"] is False and body["error_code"] == 400
    assert description in body["description"]
    assert len(sandbox.invalid_requests) == 1
    assert sandbox.stats()["invalid_request_count"] == 1
    assert sandbox.chats[42].messages == {}


async def test_limits_at_the_edge_are_accepted(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    status, _ = await call(http, api, "sendMessage", chat_id=42, text="é" * 4096)
    assert status == 200
    html = "<b>" + "&amp;" * 4096 + "</b>"
    status, _ = await call(http, api, "sendMessage", chat_id=42, text=html, parse_mode="HTML")
    assert status == 200
    markup = {"inline_keyboard": [[{"text": "é", "callback_data": "é" * 32}]]}  # 64 bytes
    status, _ = await call(http, api, "sendMessage", chat_id=42, text="x", reply_markup=markup)
    assert status == 200
    assert_clean(sandbox)


async def test_state_errors_are_not_invalid_requests(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    """Errors a correct bot can legitimately hit (stale ids, blocked users) are not bugs."""
    _, sent = await call(
        http, api, "sendMessage", chat_id=42, text="Bonjour", reply_markup=KEYBOARD
    )
    mid = sent["result"]["message_id"]

    status, body = await call(
        http,
        api,
        "editMessageText",
        chat_id=42,
        message_id=mid,
        text="Bonjour",
        reply_markup=KEYBOARD,
    )
    assert status == 400
    assert body["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    status, body = await call(http, api, "editMessageText", chat_id=42, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await call(http, api, "deleteMessage", chat_id=42, message_id=999)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    status, body = await call(http, api, "answerCallbackQuery", callback_query_id="123")
    assert status == 400 and body["description"].startswith("Bad Request: query is too old")
    status, body = await call(http, api, "sendMessage", chat_id=7, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")

    sandbox.block_user(42)
    status, body = await call(http, api, "sendMessage", chat_id=42, text="x")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    assert_clean(sandbox)


async def test_edit_without_markup_removes_the_keyboard(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    _, sent = await call(http, api, "sendMessage", chat_id=42, text="Q?", reply_markup=KEYBOARD)
    mid = sent["result"]["message_id"]
    status, body = await call(http, api, "editMessageText", chat_id=42, message_id=mid, text="Q?")
    assert status == 200  # same text, keyboard removed: a real modification
    assert "reply_markup" not in body["result"]
    assert body["result"]["edit_date"] >= body["result"]["date"]
    view = sandbox.messages(42)[-1]
    assert view["edited"] == 1 and view["buttons"] == []
    assert view["edits"] == [{"text": "Q?", "buttons": [["Oui"]]}]
    assert_clean(sandbox)


async def test_rate_limit_429_with_retry_after(http: aiohttp.ClientSession) -> None:
    limits = RateLimits(private_per_second=0.5, private_burst=2)
    async with Sandbox(rate_limits=limits) as sb:
        sb.add_user(42, "Alice")
        api = f"{sb.root}/bot{TOKEN}"
        assert (await call(http, api, "sendMessage", chat_id=42, text="1"))[0] == 200
        assert (await call(http, api, "sendMessage", chat_id=42, text="2"))[0] == 200
        status, body = await call(http, api, "sendMessage", chat_id=42, text="3")
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {body['parameters']['retry_after']}",
            "parameters": {"retry_after": body["parameters"]["retry_after"]},
        }
        assert body["parameters"]["retry_after"] >= 1
        assert (await call(http, api, "sendChatAction", chat_id=42, action="typing"))[0] == 200
        assert sb.stats()["rate_limited"] == 1
        assert sb.invalid_requests == []


async def test_group_limit_is_per_minute() -> None:
    async with Sandbox(rate_limits=RateLimits(group_per_minute=3)) as sb:
        answers = [sb.rate_limiter.acquire(-100) for _ in range(4)]
        assert answers[:3] == [0, 0, 0]
        assert answers[3] == 20  # one token per 20 s
        assert sb.rate_limiter.acquire(42) == 0  # other chats unaffected


async def test_get_updates_long_poll_wakes_up(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    poll = asyncio.create_task(call(http, api, "getUpdates", timeout=30))
    await asyncio.sleep(0)  # let the request start (no timing assertion depends on it)
    sandbox.send(42, "/start")
    status, body = await asyncio.wait_for(poll, 10)  # 30 s poll: must return on the update
    assert status == 200
    (update,) = body["result"]
    assert update["message"]["text"] == "/start"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert_clean(sandbox)


async def test_get_updates_offsets(http: aiohttp.ClientSession, api: str, sandbox: Sandbox) -> None:
    ids = [sandbox.send(42, f"m{i}")["update_id"] for i in range(4)]
    _, body = await call(http, api, "getUpdates", limit=2)
    assert [u["update_id"] for u in body["result"]] == ids[:2]
    _, body = await call(http, api, "getUpdates")  # nothing confirmed yet
    assert [u["update_id"] for u in body["result"]] == ids
    _, body = await call(http, api, "getUpdates", offset=ids[1] + 1)
    assert [u["update_id"] for u in body["result"]] == ids[2:]
    assert sandbox.stats()["pending_updates"] == 2
    _, body = await call(http, api, "getUpdates", offset=-1)
    assert [u["update_id"] for u in body["result"]] == ids[3:]
    _, body = await call(http, api, "getUpdates", offset=ids[3] + 1, timeout=0)
    assert body["result"] == []
    assert sandbox.stats()["pending_updates"] == 0
    assert sandbox.stats()["queued_updates"] == 4
    assert_clean(sandbox)


async def test_allowed_updates_filters(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    await call(http, api, "getUpdates", allowed_updates=["callback_query"])
    assert sandbox.send(42, "hello")["update_id"] is None
    assert sandbox.stats()["filtered_updates"] == 1
    await call(http, api, "getUpdates", allowed_updates=[])
    assert sandbox.send(42, "hello")["update_id"] is not None


async def test_second_poller_conflicts(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    first = asyncio.create_task(call(http, api, "getUpdates", timeout=30))
    while sandbox.stats()["requests"].get("getUpdates", 0) < 1:
        await asyncio.sleep(0.01)
    second = await call(http, api, "getUpdates", timeout=0)
    status, body = await asyncio.wait_for(first, 10)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert second[0] == 200


async def test_upload_and_download_round_trip(
    http: aiohttp.ClientSession, root: str, api: str, sandbox: Sandbox
) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "42")
    form.add_field("caption", "<i>rapport</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field(
        "document", b"%PDF-1.4 fake", filename="rapport.pdf", content_type="application/pdf"
    )
    async with http.post(f"{api}/sendDocument", data=form) as resp:
        assert resp.status == 200
        message = (await resp.json())["result"]
    doc = message["document"]
    assert doc["file_name"] == "rapport.pdf" and doc["mime_type"] == "application/pdf"
    assert message["caption"] == "rapport"
    assert message["caption_entities"] == [{"type": "italic", "offset": 0, "length": 7}]
    _, body = await call(http, api, "getFile", file_id=doc["file_id"])
    path = body["result"]["file_path"]
    assert path.startswith("documents/file_") and path.endswith(".pdf")
    async with http.get(f"{root}/file/bot{TOKEN}/{path}") as resp:
        assert await resp.read() == b"%PDF-1.4 fake"
    # Re-sending by file_id reuses the stored file.
    _, body = await call(http, api, "sendDocument", chat_id=42, document=doc["file_id"])
    assert body["result"]["document"]["file_unique_id"] == doc["file_unique_id"]
    async with http.get(f"{root}/file/bot{TOKEN}/documents/nope") as resp:
        assert resp.status == 404
    assert_clean(sandbox)


async def test_user_voice_can_be_fetched(
    http: aiohttp.ClientSession, root: str, api: str, sandbox: Sandbox
) -> None:
    sent = sandbox.send_voice(42, duration=3, data=b"OggS-voice-bytes")
    _, body = await call(http, api, "getFile", file_id=sent["file_id"])
    assert body["result"]["file_path"].startswith("voice/file_")
    assert body["result"]["file_path"].endswith(".oga")
    async with http.get(f"{root}/file/bot{TOKEN}/{body['result']['file_path']}") as resp:
        assert await resp.read() == b"OggS-voice-bytes"
    status, body = await call(http, api, "getFile", file_id="nope")
    assert (status, body["description"]) == (400, "Bad Request: invalid file_id")


async def test_faults(http: aiohttp.ClientSession, api: str, sandbox: Sandbox) -> None:
    sandbox.faults.add("bad_gateway", method="sendmessage", times=1)
    status, body = await call(http, api, "sendMessage", chat_id=42, text="x")
    assert (status, body["description"]) == (502, "Bad Gateway")
    sandbox.faults.add("drop", chat_id=42)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, api, "sendMessage", chat_id=42, text="x")
    sandbox.set_faults({"rules": [{"kind": "retry_after", "retry_after": 7}]})
    status, body = await call(http, api, "getMe")
    assert (status, body["parameters"]) == (429, {"retry_after": 7})
    assert (await call(http, api, "getMe"))[0] == 200  # times=1 by default
    assert sandbox.faults.fired == 3
    assert sandbox.chats[42].messages == {}


async def test_webhook_delivery(http: aiohttp.ClientSession, api: str, sandbox: Sandbox) -> None:
    received: asyncio.Queue[tuple[str | None, dict]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await received.put((secret, await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        status, _ = await call(
            http, api, "setWebhook", url=f"http://{host}:{port}/hook", secret_token="s3cret"
        )
        assert status == 200
        status, _body = await call(http, api, "getUpdates")
        assert status == 409
        sandbox.send(42, "via webhook")
        secret, update = await asyncio.wait_for(received.get(), 10)
        assert secret == "s3cret"
        assert update["message"]["text"] == "via webhook"
        _, info = await call(http, api, "getWebhookInfo")
        assert info["result"]["url"].endswith("/hook")
        await call(http, api, "deleteWebhook")
        assert (await call(http, api, "getUpdates"))[0] == 200
        assert_clean(sandbox)
    finally:
        await runner.cleanup()


async def test_control_api_over_http(
    http: aiohttp.ClientSession, root: str, api: str, sandbox: Sandbox
) -> None:
    c = f"{root}/_sandbox"
    async with http.post(f"{c}/users", json={"id": 7, "first_name": "Bob", "username": "bob"}) as r:
        assert (await r.json())["username"] == "bob"
    _, sent = await call(http, api, "sendMessage", chat_id=7, text="Choisis", reply_markup=KEYBOARD)
    mid = sent["result"]["message_id"]
    async with http.get(f"{c}/chats/7/messages") as r:
        (view,) = await r.json()
    assert view["buttons"] == [[{"text": "Oui", "callback_data": "q:yes"}]]
    assert view["kind"] == "text" and view["text"] == "Choisis"
    async with http.post(f"{c}/press", json={"user_id": 7, "message_id": mid, "label": "Non"}) as r:
        assert r.status == 400
        assert "buttons: 'Oui'" in (await r.json())["error"]
    async with http.post(f"{c}/press", json={"user_id": 7, "message_id": mid, "label": "Oui"}) as r:
        pressed = await r.json()
    _, body = await call(http, api, "getUpdates")
    query = body["result"][-1]["callback_query"]
    assert query["id"] == pressed["callback_query_id"] and query["data"] == "q:yes"
    assert query["message"]["reply_markup"] == KEYBOARD
    await call(http, api, "answerCallbackQuery", callback_query_id=query["id"], text="Noté")
    async with http.get(f"{c}/callback_queries/{query['id']}") as r:
        answer = await r.json()
    assert answer["answered"] and answer["text"] == "Noté"
    # The bot removes the keyboard: the old button can no longer be pressed.
    await call(http, api, "editMessageReplyMarkup", chat_id=7, message_id=mid)
    async with http.post(
        f"{c}/press", json={"user_id": 7, "message_id": mid, "data": "q:yes"}
    ) as r:
        assert r.status == 400
    async with http.post(f"{c}/send_raw", json={"user_id": 7, "message": {"sticker": {}}}) as r:
        assert r.status == 200
    async with http.post(f"{c}/send_raw", json={"user_id": 7, "message": {"locatio": {}}}) as r:
        assert r.status == 400
    async with http.get(f"{c}/chats/7/history") as r:
        history = await r.json()
    assert [(m["from_bot"], m["kind"]) for m in history] == [(True, "text"), (False, "sticker")]
    async with http.get(f"{c}/stats") as r:
        stats = await r.json()
    assert stats["requests"]["sendMessage"] == 1 and stats["invalid_request_count"] == 0
    async with http.post(f"{c}/reset") as r:
        assert r.status == 200
    assert sandbox.users == {}


async def test_wait_endpoint(
    http: aiohttp.ClientSession, root: str, api: str, sandbox: Sandbox
) -> None:
    waiting = asyncio.create_task(http.get(f"{root}/_sandbox/chats/42/wait?after=0&timeout=30"))
    await asyncio.sleep(0)
    await call(http, api, "sendMessage", chat_id=42, text="coucou")
    resp = await asyncio.wait_for(waiting, 10)
    (view,) = await resp.json()
    assert view["text"] == "coucou"
    async with http.get(f"{root}/_sandbox/chats/42/wait?after={view['seq']}&timeout=0.05") as r:
        assert await r.json() == []


async def test_raw_user_content_is_valid(
    http: aiohttp.ClientSession, api: str, sandbox: Sandbox
) -> None:
    sandbox.send_raw(42, {"sticker": {"emoji": "👍"}})
    sandbox.send_raw(42, {"photo": [{"width": 90, "height": 90}, {}]})
    sandbox.send_raw(42, {"location": {"latitude": 48.85, "longitude": 2.35}})
    sandbox.send_raw(42, {"contact": {"phone_number": "+33100000000", "first_name": "Zoé"}})
    sandbox.send_raw(42, {"document": {"file_name": "a.txt", "mime_type": "text/plain"}})
    sandbox.send_raw(42, {"text": "/aide@porte_voix_bot svp"})
    sandbox.block_user(42)
    _, body = await call(http, api, "getUpdates")
    kinds = [next(k for k in u if k != "update_id") for u in body["result"]]
    assert kinds == ["message"] * 6 + ["my_chat_member"]
    assert body["result"][5]["message"]["entities"][0]["length"] == len("/aide@porte_voix_bot")
    assert body["result"][6]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert_clean(sandbox)


async def test_expired_callback_query(http: aiohttp.ClientSession) -> None:
    async with Sandbox(rate_limits=None, callback_query_ttl=0) as sb:
        sb.add_user(42, "Alice")
        api = f"{sb.root}/bot{TOKEN}"
        _, sent = await call(http, api, "sendMessage", chat_id=42, text="Q", reply_markup=KEYBOARD)
        pressed = sb.press(42, sent["result"]["message_id"], data="q:yes")
        status, body = await call(
            http, api, "answerCallbackQuery", callback_query_id=pressed["callback_query_id"]
        )
        assert status == 400
        assert body["description"] == (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
        assert sb.callback_query(pressed["callback_query_id"])["answered"] is False
        assert sb.invalid_requests == []
