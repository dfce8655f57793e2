"""Run the sandbox standalone: ``python -m bot.sandbox --port 8081``.

For the terminal demo, a browser phone or manual poking with curl: point the bot at
``--base-url http://HOST:PORT/bot`` and drive users through ``/_sandbox/*``.
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.sandbox.limits import RateLimits
from bot.sandbox.server import Sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--bot-username", default="porte_voix_bot")
    parser.add_argument("--no-rate-limits", action="store_true", help="disable flood limits")
    parser.add_argument("--lenient", action="store_true", help="record but accept invalid calls")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sandbox = Sandbox(
        bot_username=args.bot_username,
        rate_limits=None if args.no_rate_limits else RateLimits(),
        strict=not args.lenient,
    )
    root = f"http://{args.host}:{args.port}"
    print(f"Bot API:  base_url={root}/bot  base_file_url={root}/file/bot")
    print(f"Control:  {root}/_sandbox/  (stats: {root}/_sandbox/stats)")
    web.run_app(sandbox.app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
