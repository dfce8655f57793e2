"""Meetings as plain data: recurrence rules, reminder times and calendar files.

Nothing here talks to Telegram or the database, so the rules can be tested on their own.
"""
