"""The seam for a local speech-to-text engine, so a voice note meets the same net as a text.

Porte-voix ships no model: an operator who installs one points `PORTEVOIX_STT` at it,
e.g. `faster-whisper:/opt/models/whisper-small` (a CTranslate2 model directory, decoded on
the CPU; `pip install faster-whisper`). Audio never leaves the machine: the voice note is
downloaded from Telegram by the adapter, handed to the model in memory, and forgotten. The
transcript is used for the safety net only; it is never stored, logged or sent to a body
(the body receives the voice note itself).

Without an engine, voice notes are not read, and every acknowledgement of one carries the
3114 (`replies.voice_line`). A transcriber that fails or is too slow counts as no transcript.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

ENV = "PORTEVOIX_STT"
TIMEOUT_SECONDS = 60.0  # a voice note is at most a few minutes; a stuck model must not hold a chat


class TranscriberError(ValueError):
    """`PORTEVOIX_STT` cannot be used; the message says why, in one line."""


class Transcriber(Protocol):
    """Turns one voice note (Telegram's OGG/Opus bytes) into text, or None."""

    async def transcribe(self, audio: bytes, language: str | None) -> str | None: ...


class WhisperTranscriber:
    """faster-whisper on the CPU (int8), loaded once; each note decoded in a worker thread."""

    def __init__(self, model_dir: Path) -> None:
        try:
            from faster_whisper import WhisperModel  # type: ignore[import-not-found]
        except ImportError as error:
            raise TranscriberError(
                f"{ENV}: faster-whisper is not installed (pip install faster-whisper)"
            ) from error
        if not model_dir.is_dir():
            raise TranscriberError(f"{ENV}: no model directory at {model_dir}")
        self.model = WhisperModel(str(model_dir), device="cpu", compute_type="int8")

    async def transcribe(self, audio: bytes, language: str | None) -> str | None:
        return await asyncio.to_thread(self._run, audio, language)

    def _run(self, audio: bytes, language: str | None) -> str:
        segments, _info = self.model.transcribe(
            io.BytesIO(audio), language=language, vad_filter=True
        )
        return " ".join(segment.text.strip() for segment in segments)


class StubTranscriber:
    """For tests and demos: answers every voice note with the same sentence."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self.heard = 0  # how many notes it was given (never what they said)

    async def transcribe(self, audio: bytes, language: str | None) -> str | None:
        self.heard += 1
        return self.sentence


ENGINES: Mapping[str, Callable[[str], Transcriber]] = {
    "faster-whisper": lambda where: WhisperTranscriber(Path(where).expanduser()),
}


def from_setting(value: str | None) -> Transcriber | None:
    """`engine:path` → a transcriber; empty or unset → None (voice notes are not read)."""
    if not value or not value.strip():
        return None
    engine, _, where = value.strip().partition(":")
    if engine not in ENGINES or not where:
        known = ", ".join(f"{name}:<model directory>" for name in ENGINES)
        raise TranscriberError(f"{ENV}: expected {known}, got {value!r}")
    return ENGINES[engine](where)


async def transcript_of(transcriber: Transcriber, audio: bytes, language: str | None) -> str | None:
    """The words of a voice note, or None if the engine fails or takes too long."""
    try:
        return await asyncio.wait_for(transcriber.transcribe(audio, language), TIMEOUT_SECONDS)
    except Exception as error:
        log.warning("speech-to-text failed (%s): the voice note is not read", type(error).__name__)
        return None
