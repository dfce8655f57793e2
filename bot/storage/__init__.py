"""Storage: aiosqlite behind one seam (`Database`), one module per family of tables."""

from bot.storage.db import Database, Tx

__all__ = ["Database", "Tx"]
