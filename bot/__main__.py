"""`python -m bot`: start wi3, try it out locally, or check its set-up.

Commands:
- `run` (the default) starts the bot with the configuration from the environment and
  `.env`; missing configuration is one log line (in WI3_LOG_FORMAT) and exit code 2.
- `run-or-try` (what `make run` calls) does the same, but when Slack is not configured
  at all it explains how to connect it and starts the local try-out instead.
- `try [--lang en|nl] [--auto]` is the local try-out: the real bot against an emulated
  Slack workspace, answered at the terminal (or automatically with `--auto`).
- `doctor` checks the configuration, the token, its scopes and the data directory.
- `healthcheck` asks the running bot's `GET /healthz` (HTTP mode, or Socket Mode's side
  port). The container's own probe is `python -m bot.probe`, which imports nothing but
  the standard library.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.config import ConfigError, load_config, load_settings
from bot.logs import configure_logging
from bot.texts import text

EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
COMMANDS = ("run", "run-or-try", "try", "doctor", "healthcheck")

logger = logging.getLogger("wi3.bot.__main__")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="wi3, the WI3 Slack bot")
    commands = parser.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    commands.add_parser("run", help="start the bot (the default)")
    commands.add_parser("run-or-try", help="start the bot, or the local try-out when Slack "
                        "is not configured")
    tryout = commands.add_parser("try", help="try wi3 locally with a demo team, no Slack needed")
    tryout.add_argument("--lang", choices=("en", "nl"), default="en",
                        help="the language of the try-out and of your Slack (default: en)")
    tryout.add_argument("--auto", action="store_true",
                        help="answer for you as well (no typing needed)")
    tryout.add_argument("--data-dir", type=Path, default=None,
                        help="keep the try-out's data here (default: a temporary directory)")
    tryout.add_argument("--out", type=Path, default=None,
                        help="where to save the results chart and the report (default: ./try-out)")
    tryout.add_argument("--seed", type=int, default=None,
                        help="vary how the simulated colleagues answer")
    commands.add_parser("doctor", help="check the configuration, the Slack token and the "
                        "data directory")
    commands.add_parser("healthcheck", help="exit 0 when the running bot is healthy")
    args = parser.parse_args(argv)
    args.command = args.command or "run"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    try:
        if args.command == "try":
            return _try(args)
        if args.command == "doctor":
            from bot.doctor import run_doctor

            return run_doctor()
        if args.command == "healthcheck":
            from bot.doctor import healthcheck

            return healthcheck()
        return _run(args.command)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _run(command: str) -> int:
    try:
        config = load_config()
    except ConfigError as error:
        if command == "run-or-try" and "SLACK_BOT_TOKEN" in error.missing:
            print(text("run.not_configured"))
            print()
            print(text("run.trying_instead"))
            return _try(argparse.Namespace(lang="en", auto=not sys.stdin.isatty(),
                                           data_dir=None, out=None, seed=None))
        _log_refusal(error)
        return EXIT_CONFIG
    from bot.runtime import run  # imported late: Bolt is slow to import

    return run(config)


def _log_refusal(error: ConfigError) -> None:
    """The configuration's one line, logged like every other line of the bot (the log
    format as asked for, if that much could be read)."""
    asked = load_settings().get("WI3_LOG_FORMAT", "text").lower()
    configure_logging(log_format="json" if asked == "json" else "text")
    logger.error("%s", error)


def _try(args: argparse.Namespace) -> int:
    from bot.tryout import DEFAULT_OUT_DIR, TryoutOptions, run_tryout

    options = TryoutOptions(lang=args.lang, auto=args.auto, data_dir=args.data_dir,
                            out_dir=args.out or DEFAULT_OUT_DIR)
    if args.seed is not None:
        options = replace(options, seed=args.seed)
    return run_tryout(options)


if __name__ == "__main__":
    sys.exit(main())
