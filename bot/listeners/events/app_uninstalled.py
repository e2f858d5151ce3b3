"""The workspace removed wi3 (`app_uninstalled`), or revoked its bot token
(`tokens_revoked` with the bot token, see `tokens_revoked`).

Either way wi3 can no longer act there: the installation goes (multi-workspace mode), and
the workspace is marked, which stops its scheduled pulses, fan-outs, reminders and results
at once; its data goes after `WI3_UNINSTALL_GRACE_DAYS` (see `Services.uninstalled`).
The workspace is the installation's (Bolt's context), which is what Slack's `team_id`
names for these events; Bolt asks no token for them (there is none any more)."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext
from slack_sdk.oauth.installation_store import InstallationStore

from bot.services import Services


def make_app_uninstalled(services: Services,
                         installations: InstallationStore | None) -> Callable[..., None]:
    def app_uninstalled(context: BoltContext) -> None:
        gone(services, installations, context)

    return app_uninstalled


def gone(services: Services, installations: InstallationStore | None,
          context: BoltContext) -> None:
    workspace_id = context.team_id
    if not workspace_id:
        return
    if installations is not None:
        installations.delete_all(enterprise_id=context.enterprise_id, team_id=workspace_id)
    services.uninstalled(workspace_id, services.clock())
