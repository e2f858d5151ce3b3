"""The try-out's story: set up a team, start a round, everyone answers, close, results.

Every step goes through the real path a Slack workspace would take: the demo workspace
lives in the local Slack emulator, the bot is the real Bolt app from `create_app` served
over HTTP on 127.0.0.1, and each command or click is a signed request from `SlackDriver`.
What the bot sends back is read from the emulator and printed with `render`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.emulator import SlackDriver, SlackEmulator
from bot.tryout.demo import (
    CHANNEL_NAME,
    COLLEAGUES,
    PERSON,
    TEAM_CHANNEL,
    Colleague,
)
from bot.tryout.render import Screen, render
from bot.tryout.respondents import Pick, Respondent, Simulated
from model import Content

Say = Callable[[str], None]
Texts = Callable[..., str]
# A respondent never needs more clicks than this: 22 statements, the checklist, a resume.
MAX_CLICKS = 60


class TryoutError(RuntimeError):
    """The bot did not answer as Slack would expect; the message says what happened."""


@dataclass
class Participation:
    """How one person's answering went."""

    answered: int = 0
    dont_know: int = 0
    finished: bool = False
    selected: tuple[str, ...] = ()


class Session:
    """Plays the try-out against a served bot, printing what each person would see."""

    def __init__(
        self,
        emulator: SlackEmulator,
        driver: SlackDriver,
        content: Content,
        *,
        say: Say,
        texts: Texts,
        rng: random.Random,
    ) -> None:
        self.emulator = emulator
        self.driver = driver
        self.content = content
        self.say = say
        self.texts = texts
        self.rng = rng

    # ------------------------------------------------------------------ the story

    def command(self, text: str) -> None:
        """The person types `/wi3 {text}` in the team channel; show what wi3 answers."""
        replies_before = len(self.emulator.responses())
        posts_before = {m.ts for m in self.emulator.messages_to(TEAM_CHANNEL)}
        self.say("")
        self.say(self.texts("you_type", channel=CHANNEL_NAME, command=f"/wi3 {text}"))
        response = self.driver.command(PERSON, TEAM_CHANNEL, text)
        if response.status != 200:
            raise TryoutError(f"/wi3 {text}: HTTP {response.status}")
        for reply in self.emulator.responses()[replies_before:]:
            if reply.user == PERSON:
                self.say(self.texts("reply"))
                self.show(reply.body.get("blocks") or [], str(reply.body.get("text", "")))
        for post in self.emulator.messages_to(TEAM_CHANNEL):
            if post.ts not in posts_before and (post.blocks or post.text):
                self.say(self.texts("channel_post", channel=CHANNEL_NAME))
                self.show(post.blocks, post.text)

    def take_part(self, user_id: str, respondent: Respondent, *, shown: bool) -> Participation:
        """Answer one person's DMs with `respondent` until nothing is left to click."""
        outcome = Participation()
        last_ts = None
        for _ in range(MAX_CLICKS):
            message = self.emulator.last_message(user_id)
            if message is None:
                raise TryoutError(f"no invitation reached {user_id}")
            screen = render(message.blocks, message.text, self.names)
            if shown:
                self.say("")
                if message.ts != last_ts:
                    self.say(self.texts("dm"))
                self.say(_indented(screen.text))
            last_ts = message.ts
            if not screen.choices:
                outcome.finished = True
                return outcome
            pick = respondent.pick(screen)
            if pick is None:
                return outcome
            self._count(outcome, pick)
            if shown:
                self._show_pick(pick)
            self._click(user_id, message.channel, message.ts, pick)
        raise TryoutError(f"{user_id} kept getting questions")

    def colleagues_answer(self) -> dict[str, Participation]:
        """Each simulated colleague answers in their own DM; one line each."""
        self.say("")
        self.say(self.texts("colleagues"))
        outcomes: dict[str, Participation] = {}
        for colleague in COLLEAGUES:
            respondent = Simulated(colleague.profile, self.rng, self.content,
                                   stops_after=colleague.stops_after)
            outcome = self.take_part(colleague.user_id, respondent, shown=False)
            outcomes[colleague.user_id] = outcome
            self.say("  " + self._colleague_line(colleague, outcome))
        return outcomes

    # ------------------------------------------------------------------ helpers

    def names(self, slack_id: str) -> str | None:
        """Display names for mentions: `@alex`, `#team-demo`."""
        workspace = self.emulator.workspace
        if slack_id in workspace.users:
            return workspace.users[slack_id].name
        channel = workspace.channels.get(slack_id)
        return channel.name if channel is not None else None

    def show(self, blocks: list[dict[str, Any]], fallback: str = "") -> Screen:
        """Print a message that is only read, not answered (buttons without numbers)."""
        screen = render(blocks, fallback, self.names, numbered=False)
        self.say(_indented(screen.text))
        return screen

    def _click(self, user_id: str, channel: str, ts: str, pick: Pick) -> None:
        message = self.emulator.message(channel, ts)
        response = self.driver.click(user_id, message, pick.choice.action_id,
                                     state=pick.state or None)
        if response.status != 200:
            raise TryoutError(f"a click on {pick.choice.label!r}: HTTP {response.status}")

    def _show_pick(self, pick: Pick) -> None:
        if pick.selected:
            self.say(self.texts("you_selected", labels=", ".join(pick.selected)))
        self.say(self.texts("you_chose", label=pick.choice.label))

    @staticmethod
    def _count(outcome: Participation, pick: Pick) -> None:
        action = pick.choice.action_id
        if action.startswith("wi3_answer_") or action == "wi3_dont_know":
            outcome.answered += 1
            outcome.dont_know += action == "wi3_dont_know"
        if pick.selected:
            outcome.selected = pick.selected

    def _colleague_line(self, colleague: Colleague, outcome: Participation) -> str:
        language = self.texts("language_nl" if colleague.locale.startswith("nl")
                              else "language_en")
        key = "colleague_finished" if outcome.finished else "colleague_left"
        return self.texts(key, name=colleague.name, language=language,
                          answered=outcome.answered, dont_know=outcome.dont_know,
                          selected="; ".join(outcome.selected) or "-")


def _indented(text: str) -> str:
    return "\n".join(f"  │ {line}".rstrip() for line in text.splitlines())


def save_chart(emulator: SlackEmulator, out_dir: Path, uploaded_before: int) -> Path | None:
    """Write the chart the bot uploaded to the channel (bytes as received) to `out_dir`."""
    return _save_upload(emulator, out_dir, uploaded_before, TEAM_CHANNEL, ".png")


def save_report(emulator: SlackEmulator, out_dir: Path, uploaded_before: int) -> Path | None:
    """Write the PDF report the bot sent you by DM to `out_dir`, next to the chart."""
    return _save_upload(emulator, out_dir, uploaded_before, emulator.dm_channel(PERSON), ".pdf")


def _save_upload(emulator: SlackEmulator, out_dir: Path, uploaded_before: int, channel: str,
                 suffix: str) -> Path | None:
    found = [upload for upload in emulator.uploads()[uploaded_before:]
             if upload.channel == channel and upload.filename.endswith(suffix)]
    if not found:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    path = (out_dir / Path(found[-1].filename).name).absolute()
    path.write_bytes(found[-1].content)
    return path
