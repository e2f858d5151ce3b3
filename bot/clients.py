"""Which Slack client speaks for a workspace.

With one bot token (`SLACK_BOT_TOKEN`) there is one client for the one workspace. In
multi-workspace mode each workspace has its own installation, and so its own token, which
may expire and be refreshed: `client_for` asks the installation store every time (a file or
one indexed row), so a token refreshed or revoked by anyone is never used stale. Every
Slack call outside a request (scheduler jobs, invitations, reminders, results) and inside
one goes through here, so nothing of one workspace ever reaches another with its token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from storage import TeamStore

MakeClient = Callable[[str], WebClient]
"""A client for one bot token (the API URL, timeouts and retries come with it)."""


class WorkspaceGone(Exception):
    """wi3 has no installation in this workspace (removed, or never installed): nothing is
    sent there."""

    def __init__(self, workspace_id: str) -> None:
        super().__init__(f"wi3 is not installed in workspace {workspace_id}")
        self.workspace_id = workspace_id


class Clients(Protocol):
    def client_for(self, workspace_id: str) -> WebClient:
        """The client carrying this workspace's token; `WorkspaceGone` if there is none."""
        ...


class OneToken:
    """Single-workspace mode: the bot token's client for its workspace."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def client_for(self, workspace_id: str) -> WebClient:
        return self.client


class PerInstallation:
    """Multi-workspace mode: each workspace's client from its installation.

    `installations` should refresh expiring tokens on the way out
    (`bot.installations.RotatingInstallationStore`); `workspaces` says which Enterprise Grid
    org a workspace belongs to, which the installation is filed under."""

    def __init__(self, installations: InstallationStore, workspaces: TeamStore,
                 make_client: MakeClient) -> None:
        self.installations = installations
        self.workspaces = workspaces
        self.make_client = make_client
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client_for(self, workspace_id: str) -> WebClient:
        workspace = self.workspaces.get_workspace(workspace_id)
        installation = self.installations.find_installation(
            enterprise_id=workspace.enterprise_id if workspace else None, team_id=workspace_id)
        token = installation.bot_token if installation is not None else None
        if not token:
            raise WorkspaceGone(workspace_id)
        with self._lock:
            client = self._clients.get(workspace_id)
            if client is None or client.token != token:
                client = self._clients[workspace_id] = self.make_client(token)
            return client
