"""Command line: `python -m bot [run|demo|check|invite|roles|revoke|export]`.

run     the bot against Telegram (or any Bot API server at TELEGRAM_API_URL), long polling
demo    the sandbox, the bot and the example territory on a temporary database, chat in the terminal
check   validate the territory file, the flows and the catalogs, print the routing table
invite  print a one-time link that gives a role (pair-aidant, or coordinator of a body)
roles   list who holds which role, by pseudonym
revoke  end a role (a coordinator leaves or hands over); audited
export  a body's cases (or its participation figures) as CSV, for an annual report
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.config import ConfigError, Settings, load_territory


def _logging(verbose: bool) -> None:
    from bot.logs import configure

    configure(verbose)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import ALLOWED_UPDATES, build_application

    settings = Settings.from_env()
    if not settings.token:
        print("TELEGRAM_BOT_TOKEN is not set: give the token BotFather gave you.", file=sys.stderr)
        return 2
    territory = load_territory(settings.config_path)
    _logging(args.verbose)
    from bot.safety.transcriber import TranscriberError, from_setting

    try:
        transcriber = from_setting(settings.stt)
    except TranscriberError as error:
        print(error, file=sys.stderr)
        return 2
    application = build_application(settings, territory, transcriber=transcriber)
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.check import run_check
    from bot.flows import FLOWS_DIR

    settings = Settings.from_env()
    config = Path(args.config) if args.config else settings.config_path
    flows = Path(args.flows) if args.flows else FLOWS_DIR
    warnings: list[str] = []
    problems, summary = run_check(config, flows, warnings_out=warnings)
    for line in summary:
        print(f"ok  {line}")
    if not problems:
        from bot.routing import route_lines

        print("routes (kind, theme[@establishment] -> bodies, deciding rule):")
        for line in route_lines(load_territory(config)):
            print(f"    {line}")
    if args.warnings:
        for warning in warnings:
            print(f"warn  {warning}")
    for problem in problems:
        print(f"ERROR {problem}")
    if problems:
        print(f"{len(problems)} problem(s) found.")
        return 1
    print("All checks passed.")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    """Prints a one-time, expiring deep link that gives a role to whoever opens it first."""
    import asyncio
    from datetime import timedelta

    from bot.invites import create_invite_link

    settings = Settings.from_env()
    territory = load_territory(settings.config_path)
    role = args.role.replace("-", "_")
    if args.body and args.body not in {b.id for b in territory.bodies}:
        known = ", ".join(b.id for b in territory.bodies)
        print(f"unknown body {args.body!r} (known: {known})", file=sys.stderr)
        return 2
    if role == "coordinator" and not args.body:
        print("a coordinator invite needs --body", file=sys.stderr)
        return 2
    link = asyncio.run(
        create_invite_link(settings, role, args.body, timedelta(days=args.days), args.bot_username)
    )
    print(link)
    return 0


def cmd_roles(args: argparse.Namespace) -> int:
    import asyncio

    from bot.invites import list_roles

    lines = asyncio.run(list_roles(Settings.from_env()))
    print("\n".join(lines) if lines else "no roles yet")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    import asyncio

    from bot.invites import revoke_role

    role = args.role.replace("-", "_")
    changed = asyncio.run(revoke_role(Settings.from_env(), args.person, role, args.body))
    if not changed:
        print(f"no active {args.role} role for {args.person!r}", file=sys.stderr)
        return 2
    print(f"revoked: {args.person} {args.role} {args.body or ''}".rstrip())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.export import run_export

    return run_export(
        Settings.from_env(),
        args.body,
        args.date_from,
        args.date_to,
        figures=args.figures,
        out=args.out,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    _logging(args.verbose) if args.verbose else logging.basicConfig(level=logging.WARNING)
    return run_demo(port=args.port, config=Path(args.config) if args.config else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="more logs")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default)")
    check = sub.add_parser("check", help="validate territory, flows and catalogs")
    check.add_argument("--config", help="territory file (default: PORTEVOIX_CONFIG or the example)")
    check.add_argument("--flows", help="folder of flow files (default: flows/)")
    check.add_argument("--warnings", action="store_true", help="list plain-language warnings")
    invite = sub.add_parser("invite", help="print a one-time link that gives a role")
    invite.add_argument("--role", required=True, choices=["pair-aidant", "coordinator"])
    invite.add_argument("--body", help="body id (required for a coordinator)")
    invite.add_argument("--days", type=int, default=7, help="days before the link expires")
    invite.add_argument(
        "--bot-username", help="the bot's @username (default: asked to the Bot API)"
    )
    sub.add_parser("roles", help="list who holds which role (by pseudonym)")
    revoke = sub.add_parser("revoke", help="end a role (audited)")
    revoke.add_argument("--person", required=True, help="pseudonym, e.g. 7F3K")
    revoke.add_argument("--role", required=True, choices=["pair-aidant", "coordinator"])
    revoke.add_argument("--body", help="only this body's coordinator role")
    export = sub.add_parser("export", help="a body's cases or figures as CSV (docs/export.md)")
    export.add_argument("--body", required=True, help="body id")
    export.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
    export.add_argument("--figures", action="store_true", help="participation figures instead")
    export.add_argument("--out", help="file to write (default: standard output)")
    demo = sub.add_parser("demo", help="sandbox + bot + example territory, chat in the terminal")
    demo.add_argument("--port", type=int, default=8081, help="sandbox port (0: any free port)")
    demo.add_argument("--config", help="territory file (default: the example)")
    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        commands = {
            "run": cmd_run,
            "check": cmd_check,
            "demo": cmd_demo,
            "invite": cmd_invite,
            "roles": cmd_roles,
            "revoke": cmd_revoke,
            "export": cmd_export,
        }
        return commands[command](args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
