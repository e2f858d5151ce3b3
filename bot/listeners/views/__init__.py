"""Modal submissions (`view_submission`): the "Plan actions" and edit modals."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.views import edit, plan
from bot.services import Services
from conversations.refs import ViewIds


def register(app: App, services: Services) -> None:
    app.view(ViewIds.PLAN)(plan.make_plan_submitted(services))
    app.view(ViewIds.EDIT)(edit.make_edit_submitted(services))
