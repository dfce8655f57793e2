"""Minutes and digests: what coordinators send after a meeting, and what bodies read weekly.

Plain Python over plain data and the storage seam; nothing here talks to Telegram.
"""
