"""Translations and dates: French (FALC) is the source language, other languages are catalogs.

Catalogs are read from `locales/<lang>/LC_MESSAGES/bot.po` and compiled in memory at start, so
there is no build step and no stale `.mo` file can ever be served.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SOURCE_LANGUAGE = "fr"
DOMAIN = "bot"
ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet (translated at use)."""
    return message


@dataclass(frozen=True)
class Translator:
    """Everything a conversation needs to speak one language."""

    lang: str
    translations: NullTranslations

    def __call__(self, message: str) -> str:
        return self.gettext(message)

    def gettext(self, message: str) -> str:
        if self.lang == SOURCE_LANGUAGE or not message:
            return message
        return self.translations.gettext(message)

    def full_date(self, value: date | datetime, tz: tzinfo | None = None) -> str:
        """« samedi 1er mars 2026 »: weekday, day, month and year, as FALC asks."""
        if isinstance(value, datetime) and tz is not None:
            value = value.astimezone(tz)
        day = value.date() if isinstance(value, datetime) else value
        text = format_date(day, "EEEE d MMMM y", locale=self.lang)
        if self.lang == "fr" and day.day == 1:
            text = text.replace(" 1 ", " 1er ", 1)
        return text

    def time_of_day(self, value: datetime, tz: tzinfo | None = None) -> str:
        """« 14 h 30 » in French (house style), the locale's short time elsewhere."""
        if tz is not None:
            value = value.astimezone(tz)
        if self.lang == "fr":
            return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"
        return format_time(value, "short", locale=self.lang)

    def language_name(self, code: str) -> str:
        """A language's name in that language, as people look for their own: « Français »."""
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]


class Catalogs:
    """The compiled catalogs for the territory's languages."""

    def __init__(self, languages: Iterable[str], locales_dir: Path = LOCALES_DIR) -> None:
        self.languages = tuple(languages)
        self.locales_dir = locales_dir
        self._translators: dict[str, Translator] = {}
        for lang in self.languages:
            self._translators[lang] = Translator(lang, self._load(lang))

    def _load(self, lang: str) -> NullTranslations:
        if lang == SOURCE_LANGUAGE:
            return NullTranslations()
        po_path = self.locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            return NullTranslations()
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        return Translations(fp=buffer, domain=DOMAIN)

    def get(self, lang: str | None) -> Translator:
        return self._translators.get(lang or "", self._translators[self.languages[0]])


def negotiate(language_code: str | None, available: Iterable[str], default: str) -> str:
    """Maps Telegram's IETF tag (« pt-br », « fr ») onto one of the territory's languages."""
    options = list(available)
    if not language_code:
        return default
    try:
        wanted = Locale.parse(language_code, sep="-")
    except (ValueError, UnknownLocaleError):
        return default
    for option in options:
        if Locale.parse(option).language == wanted.language:
            return option
    return default
