"""Button clicks and menu choices in DMs, App Home and ephemeral messages."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.listeners.actions import (
    answer,
    checklist,
    follow_up,
    forget,
    navigation,
    plan,
    results,
)
from bot.services import Services
from conversations.refs import ActionIds


def register(app: App, services: Services) -> None:
    app.action(re.compile(rf"^{ActionIds.ANSWER_PREFIX}[1-5]$"))(answer.make_answer(services))
    app.action(ActionIds.DONT_KNOW)(answer.make_dont_know(services))
    app.action(ActionIds.START)(navigation.make_start(services))
    app.action(ActionIds.BACK)(navigation.make_back(services))
    app.action(ActionIds.LATER)(navigation.make_later(services))
    app.action(ActionIds.BARRIERS)(checklist.acknowledge_choice)
    app.action(ActionIds.REASONS)(checklist.acknowledge_choice)
    app.action(ActionIds.CHECKLIST_DONE)(checklist.make_done(services))
    app.action(ActionIds.CHECKLIST_SKIP)(checklist.make_skip(services))
    app.action(ActionIds.FORGET_CONFIRM)(forget.make_confirm(services))
    app.action(ActionIds.FORGET_CANCEL)(forget.make_cancel(services))
    app.action(ActionIds.REPOST_RESULTS)(results.make_repost(services))
    app.action(ActionIds.PLAN_ACTIONS)(plan.make_plan(services))
    app.action(ActionIds.EDIT_COMMITMENT)(plan.make_edit(services))
    app.action(ActionIds.DROP_COMMITMENT)(plan.make_drop(services))
    app.action(ActionIds.COMMITMENT_DONE)(follow_up.make_answer(services, "done"))
    app.action(ActionIds.COMMITMENT_WORKING)(follow_up.make_answer(services, "working"))
    app.action(ActionIds.COMMITMENT_DROPPED)(follow_up.make_answer(services, "dropped"))
