"""Telegram text formatting (parse_mode) as the Bot API server applies it.

The sandbox needs this for three things Telegram does server-side and a bot can get wrong:
rejecting malformed markup (400 ``can't parse entities``), measuring the 4096/1024 limits on
the *visible* text, and deciding whether an edit is "not modified". The parsers follow the
behaviour of tdlib's ``parse_html`` / ``parse_markdown_v2`` closely enough for those purposes;
error texts copy Telegram's wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "parse_text",
    "utf16_len",
]

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Markup the Bot API would refuse; ``str(err)`` is the part after ``can't parse entities:``."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of MessageEntity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    """UTF-8 byte offset of ``src[index]``, which is what Telegram reports in errors."""
    return len(src[:index].encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output text
    attrs: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # set on <pre> by a nested <code class="language-x">


def _decode_html_entity(src: str, i: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``src[i]``; None means "not an entity" (tdlib keeps the ``&``)."""
    end = src.find(";", i + 1, i + 12)
    if end == -1:
        return None
    body = src[i + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1 - i
    try:
        if body[:2] in ("#x", "#X"):
            code = int(body[2:], 16)
        elif body[:1] == "#":
            code = int(body[1:], 10)
        else:
            return None
        return chr(code), end + 1 - i
    except (ValueError, OverflowError):
        return None


def _decode_text_entities(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (dec := _decode_html_entity(value, i)):
            out.append(dec[0])
            i += dec[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _is_name_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "-_")


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Return (visible text, entities) for ``parse_mode=HTML`` or raise EntityParseError."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of the output so far
    stack: list[_OpenTag] = []
    entities: list[Entity] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            dec = _decode_html_entity(src, i)
            piece, i = (dec[0], i + dec[1]) if dec else ("&", i + 1)
            out.append(piece)
            out_len += utf16_len(piece)
            continue
        if c != "<":
            out.append(c)
            out_len += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue
        tag_start = i
        if i + 1 < n and src[i + 1] == "/":
            close = src.find(">", i + 2)
            if close == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(src, i)}")
            name = src[i + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(src, i)}")
            top = stack.pop()
            if name != top.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            entity = _html_entity(top, out_len, stack)
            if entity is not None:
                entities.append(entity)
            i = close + 1
            continue
        j = i + 1
        while j < n and _is_name_char(src[j]):
            j += 1
        name = src[i + 1 : j].lower()
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, tag_start)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and src[j] in " \t\r\n":
                j += 1
            if j >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(src, tag_start)}"
                )
            if src[j] == ">":
                j += 1
                break
            k = j
            while k < n and _is_name_char(src[k]):
                k += 1
            if k == j:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{_byte_offset(src, tag_start)}"
                )
            attr = src[j:k].lower()
            j = k
            while j < n and src[j] in " \t\r\n":
                j += 1
            value = ""
            if j < n and src[j] == "=":
                j += 1
                while j < n and src[j] in " \t\r\n":
                    j += 1
                if j < n and src[j] in "\"'":
                    quote = src[j]
                    end = src.find(quote, j + 1)
                    if end == -1:
                        raise EntityParseError(
                            f"Unclosed start tag at byte offset {_byte_offset(src, tag_start)}"
                        )
                    value = src[j + 1 : end]
                    j = end + 1
                else:
                    k = j
                    while k < n and src[k] not in " \t\r\n>":
                        k += 1
                    value = src[j:k]
                    j = k
            attrs[attr] = _decode_text_entities(value)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(src, tag_start)}"
            )
        if name == "tg-emoji" and "emoji-id" not in attrs:
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{_byte_offset(src, tag_start)}"
            )
        if name == "code" and stack and stack[-1].name == "pre":
            cls = attrs.get("class", "")
            if cls.startswith("language-"):
                stack[-1].language = cls[len("language-") :]
        stack.append(_OpenTag(name=name, start=out_len, attrs=attrs))
        i = j
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(tag: _OpenTag, end: int, stack: list[_OpenTag]) -> Entity | None:
    """Entity for a closed tag, or None when Telegram would drop it (empty, link w/o href)."""
    length = end - tag.start
    if length <= 0:
        return None
    etype = _HTML_TAGS[tag.name]
    entity: Entity = {"type": etype, "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "code" and stack and stack[-1].name == "pre":
        return None  # <pre><code class="language-x"> is one pre entity, not two
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif tag.name == "tg-time":
        try:
            entity["unix_time"] = int(tag.attrs.get("unix", ""))
        except ValueError:
            return None
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    return entity


# ---------------------------------------------------------------------------------------------
# MarkdownV2
# ---------------------------------------------------------------------------------------------

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": ("bold", "Bold"),
    "_": ("italic", "Italic"),
    "__": ("underline", "Underline"),
    "~": ("strikethrough", "Strikethrough"),
    "||": ("spoiler", "Spoiler"),
}


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    """Return (visible text, entities) for ``parse_mode=MarkdownV2`` or raise EntityParseError.

    Covers what a bot realistically sends: bold/italic/underline/strike/spoiler, inline code,
    pre blocks, inline links and the "every reserved character must be escaped" rule that
    catches most MarkdownV2 bugs. Block quotations (``>``) are accepted at line starts.
    """
    out: list[str] = []
    out_len = 0
    stack: list[tuple[str, int, int]] = []  # (marker, utf16 start, source index)
    links: list[tuple[int, int]] = []  # (utf16 start, source index) of open '['
    entities: list[Entity] = []
    i, n = 0, len(src)

    def emit(piece: str) -> None:
        nonlocal out_len
        out.append(piece)
        out_len += utf16_len(piece)

    while i < n:
        c = src[i]
        if c == "\\":
            if i + 1 < n and 0 < ord(src[i + 1]) < 127:
                emit(src[i + 1])
                i += 2
                continue
            emit(c)
            i += 1
            continue
        if c == "`":
            is_pre = src.startswith("```", i)
            fence = "```" if is_pre else "`"
            j = i + len(fence)
            language = None
            if is_pre:
                nl = src.find("\n", j)
                first_line = src[j:nl] if nl != -1 else ""
                if nl != -1 and first_line and " " not in first_line:
                    language, j = first_line, nl + 1
            body: list[str] = []
            while j < n and not src.startswith(fence, j):
                if src[j] == "\\" and j + 1 < n and src[j + 1] in "`\\":
                    body.append(src[j + 1])
                    j += 2
                else:
                    body.append(src[j])
                    j += 1
            if j >= n:
                name = "Pre" if is_pre else "Code"
                raise EntityParseError(
                    f"Can't find end of {name} entity at byte offset {_byte_offset(src, i)}"
                )
            text = "".join(body)
            start = out_len
            emit(text)
            if text:
                entity: Entity = {
                    "type": "pre" if is_pre else "code",
                    "offset": start,
                    "length": utf16_len(text),
                }
                if language:
                    entity["language"] = language
                entities.append(entity)
            i = j + len(fence)
            continue
        if c == "[":
            links.append((out_len, i))
            i += 1
            continue
        if c == "]" and links:
            start, src_start = links.pop()
            if not src.startswith("(", i + 1):
                raise EntityParseError(
                    f"Can't find end of a url at byte offset {_byte_offset(src, src_start)}"
                )
            close = src.find(")", i + 2)
            if close == -1:
                raise EntityParseError(
                    f"Can't find end of a url at byte offset {_byte_offset(src, src_start)}"
                )
            url = src[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            if out_len > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": out_len - start, "url": url}
                )
            i = close + 1
            continue
        if c == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # the quote marker itself is not shown; the rest is parsed normally
            continue
        marker = None
        if src.startswith("__", i):
            marker = "__"
        elif src.startswith("||", i):
            marker = "||"
        elif c in "*_~":
            marker = c
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _src = stack.pop()
                if out_len > start:
                    entities.append(
                        {"type": _MDV2_NAMES[marker][0], "offset": start, "length": out_len - start}
                    )
            else:
                stack.append((marker, out_len, i))
            i += len(marker)
            continue
        if c in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(c)
        i += 1
    if stack:
        marker, _, src_index = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[marker][1]} entity at byte offset "
            f"{_byte_offset(src, src_index)}"
        )
    if links:
        raise EntityParseError(
            f"Can't find end of a url at byte offset {_byte_offset(src, links[-1][1])}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# ---------------------------------------------------------------------------------------------
# Legacy Markdown
# ---------------------------------------------------------------------------------------------


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    """Return (visible text, entities) for legacy ``parse_mode=Markdown``."""
    out: list[str] = []
    out_len = 0
    entities: list[Entity] = []
    i, n = 0, len(src)
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "*_`[":
            out.append(src[i + 1])
            out_len += 1
            i += 2
            continue
        if c in kinds or c == "[":
            if c == "`" and src.startswith("```", i):
                end_marker, etype = "```", "pre"
            elif c == "[":
                end_marker, etype = "]", "text_link"
            else:
                end_marker, etype = c, kinds[c]
            j = src.find(end_marker, i + len(end_marker))
            if j == -1:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            body = src[i + len(end_marker) : j]
            nxt = j + len(end_marker)
            entity: Entity = {"type": etype, "offset": out_len, "length": utf16_len(body)}
            if etype == "text_link":
                if not src.startswith("(", nxt) or (close := src.find(")", nxt)) == -1:
                    raise EntityParseError(
                        "Can't find end of the entity starting at byte offset "
                        f"{_byte_offset(src, i)}"
                    )
                entity["url"] = src[nxt + 1 : close]
                nxt = close + 1
            out.append(body)
            out_len += utf16_len(body)
            if body:
                entities.append(entity)
            i = nxt
            continue
        out.append(c)
        out_len += utf16_len(c)
        i += 1
    return "".join(out), entities


# ---------------------------------------------------------------------------------------------


def _strip(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace as Telegram does, keeping entity offsets consistent."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    left = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def parse_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None = None
) -> tuple[str, list[Entity]]:
    """Visible text and entities for a text/caption as Telegram would store it.

    Raises EntityParseError for bad markup and ValueError("unsupported parse_mode") for an
    unknown mode. Explicit ``entities`` are used when no parse_mode is given.
    """
    if parse_mode is None or parse_mode == "":
        plain, ents = text, [dict(e) for e in (entities or [])]
    else:
        mode = parse_mode.lower()
        if mode == "html":
            plain, ents = parse_html(text)
        elif mode == "markdownv2":
            plain, ents = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, ents = parse_markdown(text)
        else:
            raise ValueError("unsupported parse_mode")
    return _strip(plain, ents)
