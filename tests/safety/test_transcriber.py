"""The speech-to-text seam: configured by one setting, stubbed in tests, never blocking."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.safety import transcriber
from bot.safety.transcriber import StubTranscriber, TranscriberError, from_setting, transcript_of


def test_no_setting_means_voice_notes_are_not_read() -> None:
    assert from_setting(None) is None
    assert from_setting("  ") is None


@pytest.mark.parametrize("value", ["whisper", "vosk:/models/fr", "faster-whisper:", "x:y"])
def test_a_wrong_setting_is_one_clear_line(value: str) -> None:
    with pytest.raises(TranscriberError, match="PORTEVOIX_STT: expected faster-whisper:"):
        from_setting(value)


def test_a_model_that_cannot_be_loaded_says_why(tmp_path: Path) -> None:
    with pytest.raises(
        TranscriberError,
        match=r"PORTEVOIX_STT: (faster-whisper is not installed|no model directory)",
    ):
        from_setting(f"faster-whisper:{tmp_path / 'absent'}")


async def test_the_stub_hears_its_sentence_and_counts_notes_not_words() -> None:
    stub = StubTranscriber("je vais bien")
    assert await transcript_of(stub, b"OggS...", "fr") == "je vais bien"
    assert stub.heard == 1


class Broken:
    async def transcribe(self, audio: bytes, language: str | None) -> str | None:
        raise RuntimeError("model crashed")


class Slow:
    async def transcribe(self, audio: bytes, language: str | None) -> str | None:
        await asyncio.sleep(10)
        return "too late"


async def test_a_failing_or_slow_engine_counts_as_not_read(monkeypatch, caplog) -> None:
    assert await transcript_of(Broken(), b"x", "fr") is None
    monkeypatch.setattr(transcriber, "TIMEOUT_SECONDS", 0.05)
    assert await transcript_of(Slow(), b"x", "fr") is None
    assert all("model crashed" not in r.getMessage() for r in caplog.records)
