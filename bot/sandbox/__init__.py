"""Local stand-in for the Telegram Bot API: spec checks, aiohttp server, test client."""

from bot.sandbox.client import Button, ChatMessage, Person, SandboxClient, SandboxClientError
from bot.sandbox.limits import FaultRule, Faults, RateLimits
from bot.sandbox.server import ApiError, Sandbox, SandboxError
from bot.sandbox.spec import BotApiSpec, FileUpload, get_spec

__all__ = [
    "ApiError",
    "BotApiSpec",
    "Button",
    "ChatMessage",
    "FaultRule",
    "Faults",
    "FileUpload",
    "Person",
    "RateLimits",
    "Sandbox",
    "SandboxClient",
    "SandboxClientError",
    "SandboxError",
    "get_spec",
]
