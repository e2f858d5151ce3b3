"""`python -m bot.probe`: the container's health probe, with the standard library only.

It asks the bot in this container for `GET /healthz` on PORT (HTTP mode's port, or Socket
Mode's side port: the same variable) and exits 0 on 200, 1 otherwise, with one line
saying what it saw. The container runtime runs it every few seconds, in every replica:
importing Bolt, slack_sdk and waitress for that, as `python -m bot healthcheck` does,
would cost a second of CPU each time. Nothing here imports more than the standard
library (`bot/__init__` is empty; `bot.texts` reads its TOML with `tomllib`), and a test
keeps it that way.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

from bot.texts import text

DEFAULT_PORT = "3000"
TIMEOUT_SECONDS = 3.0


def probe(port: str, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, str]:
    """Whether `/healthz` on 127.0.0.1:`port` answers 200, and one line about it."""
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return True, text("healthcheck.healthy", url=url, status=reply.status)
    except urllib.error.HTTPError as error:
        said = error.read(300).decode("utf-8", "replace").strip()
        return False, text("healthcheck.unhealthy", url=url, error=f"{error.code} {said}")
    except (urllib.error.URLError, OSError) as error:
        return False, text("healthcheck.unhealthy", url=url, error=type(error).__name__)


def main() -> int:
    healthy, line = probe(os.environ.get("PORT") or DEFAULT_PORT)
    print(line)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
