"""Spec checks and text formatting, without a server."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.formatting import (
    EntityParseError,
    parse_html,
    parse_markdown_v2,
    parse_text,
    utf16_len,
)
from bot.sandbox.spec import FileUpload, get_spec

spec = get_spec()

KEYBOARD = '{"inline_keyboard": [[{"text": "Oui", "callback_data": "q:yes"}]]}'


def test_spec_is_cached_and_indexed() -> None:
    assert get_spec() is spec
    assert spec.version == "Bot API 10.0"
    assert spec.canonical_method("SENDMESSAGE") == "sendMessage"
    assert spec.canonical_method("sendMessages") is None


def test_decode_params_follows_field_types() -> None:
    raw = {
        "chat_id": "42",
        "text": "123",
        "reply_markup": KEYBOARD,
        "disable_notification": "true",
    }
    params = spec.decode_params("sendMessage", raw)
    assert params == {
        "chat_id": 42,
        "text": "123",  # String fields stay raw: never JSON-decoded into an int
        "reply_markup": {"inline_keyboard": [[{"text": "Oui", "callback_data": "q:yes"}]]},
        "disable_notification": True,
    }
    assert spec.decode_params("sendMessage", {"chat_id": "@channel"})["chat_id"] == "@channel"
    assert spec.decode_params("sendMessage", {"chat_id": "-1001"})["chat_id"] == -1001
    upload = FileUpload("a.txt", "text/plain", b"x")
    decoded = spec.decode_params("sendDocument", {"document": upload, "caption": "null"})
    assert decoded == {"document": upload, "caption": "null"}
    assert spec.decode_params("sendDocument", {"document": "attach://f"})["document"] == (
        "attach://f"
    )


def test_check_request_accepts_valid_requests() -> None:
    params = spec.decode_params(
        "sendMessage", {"chat_id": "42", "text": "hi", "reply_markup": KEYBOARD}
    )
    assert spec.check_request("sendMessage", params) == []
    assert spec.check_request("getMe", {}) == []
    assert spec.check_request("getme", {}) == []
    assert (
        spec.check_request(
            "setMyCommands",
            {
                "commands": [{"command": "start", "description": "Démarrer"}],
                "scope": {"type": "chat", "chat_id": 42},
                "language_code": "fr",
            },
        )
        == []
    )
    assert (
        spec.check_request(
            "sendDocument",
            {
                "chat_id": 1,
                "document": FileUpload("a", "b", b"x"),
                "thumbnail": "attach://t",
                "t": FileUpload("t.jpg", "image/jpeg", b"y"),
            },
        )
        == []
    )


@pytest.mark.parametrize(
    ("method", "params", "problem"),
    [
        ("nope", {}, "Not Found: method not found"),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "foo": 1},
            'Bad Request: parameter "foo" is unknown',
        ),
        ("sendMessage", {"text": "x"}, "Bad Request: chat_id is required"),
        ("sendMessage", {"chat_id": 1, "text": ""}, "Bad Request: message text is empty"),
        (
            "sendMessage",
            {"chat_id": True, "text": "x"},
            'Bad Request: parameter "chat_id" must be Integer or String, not Boolean',
        ),
        (
            "getUpdates",
            {"offset": "abc"},
            'Bad Request: parameter "offset" must be Integer, not String',
        ),
        (
            "sendMessage",
            {
                "chat_id": 1,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"callback_data": "a"}]]},
            },
            'Bad Request: field "reply_markup.inline_keyboard[0][0].text" is required in '
            "InlineKeyboardButton",
        ),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "link_preview_options": {"is_disabled": "yes"}},
            'Bad Request: field "link_preview_options.is_disabled" must be Boolean, not String',
        ),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "entities": [{"type": "bold", "offset": 0}]},
            'Bad Request: field "entities[0].length" is required in MessageEntity',
        ),
        (
            "setMyCommands",
            {"commands": [{"command": "a", "description": "b"}], "scope": {"type": "chat"}},
            'Bad Request: field "scope.chat_id" is required in BotCommandScopeChat',
        ),
    ],
)
def test_check_request_problems(method: str, params: dict, problem: str) -> None:
    assert problem in spec.check_request(method, params)


def _markup(*rows: list[dict]) -> dict:
    return {"inline_keyboard": list(rows)}


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"text": "a" * 4097}, "Bad Request: message is too long"),
        ({"text": "   \n "}, "Bad Request: message text is empty"),
        (
            {"text": "<b>x", "parse_mode": "HTML"},
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        ({"text": "x", "parse_mode": "HTMLX"}, "Bad Request: unsupported parse_mode"),
        (
            {"text": "x", "reply_markup": _markup([{"text": "é", "callback_data": "é" * 33}])},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"text": "x", "reply_markup": _markup([{"text": "a", "callback_data": ""}])},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"text": "x", "reply_markup": _markup([{"text": "a"}])},
            "Bad Request: text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "text": "x",
                "reply_markup": _markup([{"text": str(i), "callback_data": "d"} for i in range(9)]),
            },
            "Bad Request: too many buttons in a row",
        ),
        (
            {"text": "x", "reply_markup": _markup(*[[{"text": "b", "callback_data": "d"}]] * 101)},
            "Bad Request: reply markup is too long",
        ),
        (
            {"text": "x", "reply_markup": _markup([{"text": "a", "url": "javascript:alert(1)"}])},
            "Bad Request: BUTTON_URL_INVALID",
        ),
    ],
)
def test_send_message_limits(params: dict, problem: str) -> None:
    assert spec.check_request("sendMessage", {"chat_id": 1, **params}) == [problem]


def test_limits_count_visible_text_and_bytes() -> None:
    ok = [
        {"text": "a" * 4096},
        {"text": "<b>" + "a" * 4096 + "</b>", "parse_mode": "HTML"},
        {"text": "&lt;" * 4096, "parse_mode": "HTML"},
        {"text": "x", "reply_markup": _markup([{"text": "é", "callback_data": "é" * 32}])},
        {"text": "x", "reply_markup": _markup(*[[{"text": "b", "callback_data": "d"}] * 8] * 12)},
    ]
    for params in ok:
        assert spec.check_request("sendMessage", {"chat_id": 1, **params}) == []
    caption = {"chat_id": 1, "document": "file-id", "caption": "c" * 1025}
    assert spec.check_request("sendDocument", caption) == [
        "Bad Request: message caption is too long"
    ]
    answer = {"callback_query_id": "1", "text": "t" * 201}
    assert spec.check_request("answerCallbackQuery", answer) == ["Bad Request: MESSAGE_TOO_LONG"]
    bad_command = {"commands": [{"command": "Start", "description": "x"}]}
    assert spec.check_request("setMyCommands", bad_command) == ["Bad Request: BOT_COMMAND_INVALID"]


def test_check_object() -> None:
    user = {"id": 1, "is_bot": False, "first_name": "A"}
    message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "from": user}
    assert spec.check_object("Update", {"update_id": 1, "message": message}) == []
    assert spec.check_object("User", {"id": 1, "is_bot": "no", "first_name": "A", "x": 1}) == [
        'User: field "is_bot" must be Boolean, not String',
        'User: field "x" is unknown in User',
    ]
    broken = {"update_id": 1, "message": {**message, "chat": {"id": 1}}}
    assert spec.check_object("Update", broken) == [
        'Update: field "message.chat.type" is required in Chat'
    ]
    member = {"status": "kicked", "user": user, "until_date": 0}
    assert spec.check_object("ChatMember", member) == []
    assert spec.check_object("ChatMember", {"status": "kicked", "user": user}) == [
        'ChatMember: field "until_date" is required in ChatMemberBanned'
    ]
    assert spec.check_result("editMessageText", True) == []  # Message or Boolean (inline)
    assert spec.check_result("sendMessage", True) == [
        "sendMessage result: value must be Message, not Boolean"
    ]
    assert spec.check_result("getMe", {"id": 1}) != []


def test_parse_html() -> None:
    text, entities = parse_html(
        '<b>Gras</b> &amp; <a href="https://x.org/?a=1&amp;b=2">lien</a> 🙂<i>i</i>'
    )
    assert text == "Gras & lien 🙂i"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://x.org/?a=1&b=2"},
        {"type": "italic", "offset": 14, "length": 1},  # the emoji counts 2 UTF-16 units
    ]
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert (text, entities) == (
        "x = 1",
        [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
    )
    assert parse_html("a & b > c")[0] == "a & b > c"  # Telegram tolerates a bare & and >
    assert parse_html("<tg-spoiler>s</tg-spoiler>")[1][0]["type"] == "spoiler"
    assert (
        parse_html("<blockquote expandable>q</blockquote>")[1][0]["type"] == "expandable_blockquote"
    )


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("é <x>", 'Unsupported start tag "x" at byte offset 3'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_html_errors(html: str, error: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert str(info.value) == error


def test_parse_markdown_v2() -> None:
    text, entities = parse_markdown_v2(r"*Gras* _it_ __sous__ [lien](https://x\.org) `c\`d` fin\.")
    assert text == "Gras it sous lien c`d fin."
    assert [e["type"] for e in entities] == ["bold", "italic", "underline", "text_link", "code"]
    with pytest.raises(EntityParseError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("Fin.")
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity"):
        parse_markdown_v2("*gras")


def test_parse_text_strips_like_telegram() -> None:
    text, entities = parse_text("  <b>x</b> y \n", "HTML")
    assert text == "x y"
    assert entities == [{"type": "bold", "offset": 0, "length": 1}]
    with pytest.raises(ValueError, match="unsupported parse_mode"):
        parse_text("x", "rst")


@settings(max_examples=100, deadline=None, database=None)
@given(st.text())
def test_escaped_html_round_trips(text: str) -> None:
    """Whatever a user typed, html.escape() makes it safe for parse_mode=HTML."""
    plain, entities = parse_html(html.escape(text, quote=False))
    assert plain == text and entities == []
    wrapped, entities = parse_html(f"<b>{html.escape(text)}</b>")
    assert wrapped == text
    assert entities == ([{"type": "bold", "offset": 0, "length": utf16_len(text)}] if text else [])
