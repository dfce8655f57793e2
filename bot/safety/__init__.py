"""The crisis safety net: every free text and voice transcript meets it before anything else.

It owns the reviewed word list (`data/`: warning signs of suicide and self-harm, violence,
a child or another person in danger, abuse by staff), the normalisation that lets it read
« jveux mourrir », « su1c1de » or « ⚰️ », the detector with its two levels (a clear danger
interrupts with the full list of numbers; a possible sign adds the 3114 and a gentle line to
the normal reply), the replies themselves, and the seam for a local speech-to-text engine.

It may import `bot.config`, `bot.engine` (Reply, Button) and `bot.i18n`; never `telegram`
nor the conversation service. Nothing here keeps or logs what a person wrote: a `Detection`
holds the level, the signs and the categories, never the text.
"""

from bot.safety.detector import NOT_FIRED, Detection, Level, detect
from bot.safety.lexicon import CATEGORIES, DATA_DIR, Lexicon
from bot.safety.phrases import LexiconError, compile_phrase
from bot.safety.text import normalise, tokens

__all__ = [
    "CATEGORIES",
    "DATA_DIR",
    "NOT_FIRED",
    "Detection",
    "Level",
    "Lexicon",
    "LexiconError",
    "compile_phrase",
    "detect",
    "normalise",
    "tokens",
]
