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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.workspace import Message
from bot.tryout.demo import (
    CHANNEL_NAME,
    COLLEAGUES,
    PERSON,
    TEAM_CHANNEL,
    Colleague,
)
from bot.tryout.render import Screen, render
from bot.tryout.respondents import Pick, Planned, Planner, Respondent, Simulated
from conversations.actions.suggestions import suggestion_text
from conversations.refs import ActionIds
from conversations.views.plan import DUE, OWNER, TEXT, TIP, field_block
from model import Content

Say = Callable[[str], None]
Texts = Callable[..., str]
# A respondent never needs more clicks than this: 22 statements, the checklist, a resume.
MAX_CLICKS = 60
PLAN_TRIES = 3
"""Submissions of the "Plan actions" window before the try-out moves on."""
DUE_IN = timedelta(days=7)
"""The due date offered when planning: a week from today."""


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

    def plan_one_action(self, planner: Planner) -> None:
        """The lead's discussion guide, then "Plan actions": one commitment is filled in
        the window wi3 opens (`views.open`) and submitted (`view_submission`) until wi3
        takes it; the channel's "Our next steps" and the owner's DM are shown."""
        guide = self._guide()
        if guide is None:
            return
        self.say("")
        self.say(self.texts("guide_dm"))
        self.show(guide.blocks, guide.text)
        _, button = guide.find_button(ActionIds.PLAN_ACTIONS)
        if self.driver.click(PERSON, guide, ActionIds.PLAN_ACTIONS).status != 200:
            raise TryoutError("a click on Plan actions was not answered")
        modal = self.emulator.modal(PERSON)
        if modal is None:
            raise TryoutError("Plan actions opened no window")
        self.say("")
        self.say(self.texts("plan_opened", button=button["text"]["text"]))
        intro = modal.blocks[:next((n for n, b in enumerate(modal.blocks)
                                    if b["type"] == "divider"), len(modal.blocks))]
        self.show(intro)
        options = modal.inputs().get(field_block(1, TIP), {}).get("options", [])
        values = [str(option["value"]) for option in options]
        people = [(user, self.names(user) or user) for user in
                  self.emulator.workspace.channels[TEAM_CHANNEL].members]
        default_due = (date.today() + DUE_IN).isoformat()
        before = {m.ts for m in self.emulator.messages_to(TEAM_CHANNEL)}
        for _ in range(PLAN_TRIES):
            planned = planner.plan(len(values), values, people, default_due)
            if planned is None:
                self.say(self.texts("plan_skipped"))
                return
            self._submit(planned, options)
            if self.emulator.modal(PERSON) is None:
                self._show_saved(before, planned.owner)
                return
        self.say(self.texts("plan_skipped"))

    def _guide(self) -> Message | None:
        for message in reversed(self.emulator.messages_to(PERSON)):
            try:
                message.find_button(ActionIds.PLAN_ACTIONS)
            except LookupError:
                continue
            return message
        return None

    def _submit(self, planned: Planned, options: list[dict[str, Any]]) -> None:
        lang = self.emulator.workspace.users[PERSON].locale
        chosen = suggestion_text(lang, planned.tip, self.content) if planned.tip else None
        self.say(self.texts("you_planned", text=planned.text or chosen,
                            owner=self.names(planned.owner) or planned.owner, due=planned.due))
        values = {field_block(1, TIP): planned.tip, field_block(1, TEXT): planned.text,
                  field_block(1, OWNER): planned.owner, field_block(1, DUE): planned.due}
        if not options:
            del values[field_block(1, TIP)]
        if self.driver.submit_view(PERSON, values).status != 200:
            raise TryoutError("saving the commitment was not answered")
        modal = self.emulator.modal(PERSON)
        if modal is not None and modal.errors:
            self.say(self.texts("plan_refused"))
            self.say(_indented("\n".join(modal.errors.values())))

    def _show_saved(self, before: set[str], owner: str) -> None:
        """What the channel got ("Our next steps") and what the owner was sent."""
        for post in self.emulator.messages_to(TEAM_CHANNEL):
            if post.ts not in before:
                self.say("")
                self.say(self.texts("channel_post", channel=CHANNEL_NAME))
                self.show(post.blocks, post.text)
        told = self.emulator.last_message(owner)
        if told is not None:
            self.say("")
            self.say(self.texts("owner_dm", name=self.names(owner) or owner))
            self.show(told.blocks, told.text)

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
