"""`python -m bot`: start wi3.

Commands: `run` (the default) starts the bot with the configuration from the environment
and `.env`; `run-or-try` (what `make run` calls) does the same, but when Slack is not
configured at all it explains how to set it up instead of failing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_config
from bot.texts import text

EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="wi3, the WI3 Slack bot")
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=("run", "run-or-try"),
        help="run: start the bot (default); run-or-try: start it, or explain set-up "
        "when Slack is not configured",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    try:
        config = load_config()
    except ConfigError as error:
        if args.command == "run-or-try" and "SLACK_BOT_TOKEN" in error.missing:
            print(text("run.not_configured"))
            return 0
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    from bot.runtime import run  # imported late: Bolt is slow to import

    try:
        return run(config)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
