"""Wiring for `python -m bot try`: the emulator, a store, the real app, served locally.

Nothing here needs an environment variable or the internet: the Slack Web API is the
local emulator (with its own token), Slack's requests are signed with a secret made up
for this run, and the data lives in a temporary directory unless `--data-dir` is given.
"""

from __future__ import annotations

import logging
import random
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.app import create_app
from bot.config import Config
from bot.emulator import InlineExecutor, SlackDriver, SlackEmulator
from bot.http_server import BackgroundServer, SlackWsgiApp
from bot.logs import configure_logging
from bot.services import Services
from bot.slack_client import make_listener_client, make_sending_client
from bot.texts import text
from bot.tryout.demo import (
    CHANNEL_NAME,
    COLLEAGUES,
    PERSON,
    YOUR_PROFILE,
    demo_workspace,
)
from bot.tryout.respondents import Ask, AtTheTerminal, Simulated
from bot.tryout.session import Session, TryoutError, save_chart, save_report
from model import load_content
from storage import StorageError, open_store

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_DATA_DIR = 2
EXIT_INTERRUPTED = 130
DEFAULT_OUT_DIR = Path("try-out")
DEFAULT_SEED = 2009  # the year of the article series; any number gives a plausible team

Say = Callable[[str], None]
Texts = Callable[..., str]


@dataclass(frozen=True)
class TryoutOptions:
    """What `python -m bot try` was asked for."""

    lang: str = "en"
    auto: bool = False
    data_dir: Path | None = None
    out_dir: Path = DEFAULT_OUT_DIR
    seed: int = DEFAULT_SEED


def run_tryout(
    options: TryoutOptions, *, out: TextIO | None = None, ask: Ask = input
) -> int:
    """Play the try-out, printing to `out` and reading the person's choices with `ask`.

    Returns the exit code: 0 when the results were shown, 2 when the data directory
    cannot be used, 1 when the bot misbehaved (a bug: the message says where), 130 after
    Ctrl-C.
    """
    stream = out or sys.stdout

    def say(line: str) -> None:
        print(line, file=stream, flush=True)

    def texts(key: str, **values: object) -> str:
        return text(f"tryout.{options.lang}.{key}", **values)

    configure_logging("WARNING")
    _quiet_libraries()
    try:
        with _served_bot(options, texts) as (emulator, driver):
            session = Session(emulator, driver, load_content(), say=say, texts=texts,
                              rng=random.Random(options.seed))
            return _play(session, options, say, texts, ask)
    except StorageError as error:
        print(texts("data_dir_unusable", error=str(error)), file=sys.stderr)
        return EXIT_DATA_DIR
    except TryoutError as error:
        print(texts("failed", error=str(error)), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # Ctrl-C at a prompt: the emulator and store are closed
        say("")
        say(texts("interrupted"))
        return EXIT_INTERRUPTED


def _play(session: Session, options: TryoutOptions, say: Say, texts: Texts, ask: Ask) -> int:
    """The round from the lead's chair: set up, start, answer, watch, close, results, and
    then the lead's discussion guide and one commitment planned from it."""
    names = ", ".join(f"@{c.name}" for c in COLLEAGUES)
    say(texts("banner", you=texts("your_name"), channel=CHANNEL_NAME,
              count=len(COLLEAGUES), names=names, subject=texts("subject")))
    say(texts("auto_note" if options.auto else "how_to_answer"))
    session.command("setup")
    session.command(f"start {texts('subject')}")
    you = _you(session, options, say, texts, ask)
    if not session.take_part(PERSON, you, shown=True).finished:
        say(texts("you_left"))
    session.colleagues_answer()
    session.command("status")
    _close_and_keep_the_chart(session, options, say, texts)
    session.plan_one_action(you)
    _keep_the_report(session, options, say, texts)
    if options.data_dir is not None:
        say(texts("data_kept", path=options.data_dir))
    say(texts("outro"))
    return EXIT_OK


def _you(session: Session, options: TryoutOptions, say: Say, texts: Texts,
         ask: Ask) -> AtTheTerminal | Simulated:
    """The person at the terminal, or with --auto a simulation answering for them."""
    simulated = Simulated(YOUR_PROFILE, session.rng, session.content)
    if options.auto:
        return simulated
    return AtTheTerminal(lambda prompt: ask(prompt + " "), say, texts, simulated)


def _close_and_keep_the_chart(session: Session, options: TryoutOptions, say: Say,
                              texts: Texts) -> None:
    """`/wi3 close` (the results post is printed), then the chart the bot uploaded."""
    uploaded_before = len(session.emulator.uploads())
    session.command("close")
    say("")
    try:
        chart = save_chart(session.emulator, options.out_dir, uploaded_before)
    except OSError as error:
        say(texts("chart_not_saved", path=options.out_dir.absolute(),
                  error=error.strerror or type(error).__name__))
        return
    say(texts("chart_saved", channel=CHANNEL_NAME, path=chart) if chart else texts("no_chart"))


def _keep_the_report(session: Session, options: TryoutOptions, say: Say,
                     texts: Texts) -> None:
    """`/wi3 report`: the PDF wi3 sends the lead by DM, saved next to the chart."""
    uploaded_before = len(session.emulator.uploads())
    session.command("report")
    try:
        report = save_report(session.emulator, options.out_dir, uploaded_before)
    except OSError as error:
        say(texts("report_not_saved", path=options.out_dir.absolute(),
                  error=error.strerror or type(error).__name__))
        return
    if report is not None:
        say(texts("report_saved", path=report))


@contextmanager
def _served_bot(
    options: TryoutOptions, texts: Texts
) -> Iterator[tuple[SlackEmulator, SlackDriver]]:
    """The emulated workspace, and the real app serving it on 127.0.0.1."""
    with ExitStack() as stack:
        data_dir = options.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="wi3-try-")))
        workspace = demo_workspace(options.lang, texts("your_name"), texts("your_real_name"))
        emulator = stack.enter_context(SlackEmulator(workspace))
        config = Config(bot_token=emulator.token, signing_secret=secrets.token_hex(16),
                        app_token=None, slack_api_url=emulator.api_url, data_dir=data_dir)
        store = stack.enter_context(open_store(data_dir))
        services = Services.build(
            store, make_listener_client(config), fanout_client=make_sending_client(config),
            messages_per_second=1000.0,
        )
        app = create_app(config, store, client=make_listener_client(config),
                         listener_executor=InlineExecutor(), services=services)
        wsgi_app = SlackWsgiApp(app)
        server = stack.enter_context(BackgroundServer(wsgi_app))
        wsgi_app.mark_ready()
        yield emulator, SlackDriver(emulator, server.events_url, str(config.signing_secret))


def _quiet_libraries() -> None:
    """The try-out talks to the person; library chatter would bury the story."""
    for name in ("slack_bolt", "slack_sdk", "wi3.bolt", "waitress", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)


__all__ = ["DEFAULT_OUT_DIR", "TryoutOptions", "run_tryout"]
