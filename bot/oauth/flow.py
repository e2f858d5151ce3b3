"""Bolt's OAuth flow, with wi3's pages and what an installation means for wi3's storage.

Bolt runs the flow (state, `oauth.v2.access`, saving the installation); wi3 adds the pages
in the installer's language, refuses an org-wide Enterprise Grid install (revoking the
token Slack just issued, so nothing stays installed), and records the workspace: its
Grid org (the installation is filed under it), and that it is installed again, so a
workspace that removed wi3 within the grace period finds its teams again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation

from bot.oauth.pages import browser_lang, done_page, failed_page, install_page, org_refused_page
from conversations.i18n import Lang
from storage import Store, Workspace

logger = logging.getLogger(f"wi3.{__name__}")

HTML = "text/html; charset=utf-8"


class OrgInstallRefused(BoltError):
    """An org-wide (Enterprise Grid) installation: wi3 is installed per workspace."""


class InstallFlow(OAuthFlow):
    def __init__(self, *, client: WebClient, settings: OAuthSettings, store: Store) -> None:
        settings.callback_options = CallbackOptions(success=self._done, failure=self._failed)
        super().__init__(client=client, logger=logger, settings=settings)
        self.store = store

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(_lang(request), url)

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        if installation.is_enterprise_install or not installation.team_id:
            self._revoke(installation.bot_token)
            raise OrgInstallRefused("org-wide installations are refused")
        try:
            self.settings.installation_store.save(installation)
            self.store.save_workspace(Workspace(
                installation.team_id, enterprise_id=installation.enterprise_id,
                name=installation.team_name, bot_user_id=installation.bot_user_id))
            if self.store.mark_installed(installation.team_id):
                logger.info("workspace %s installed wi3 again; its teams are kept",
                            installation.team_id)
        except Exception as error:  # a full disk, a database away: say so, never a 500 page
            logger.warning("could not save an installation (%s)", type(error).__name__)
            raise BoltError("the installation could not be saved") from error
        logger.info("wi3 was installed in workspace %s", installation.team_id)

    def _revoke(self, token: str | None) -> None:
        if token is None:
            return
        try:
            self.client.auth_revoke(token=token)
        except SlackApiError as error:
            logger.warning("could not revoke a refused installation's token (%s)",
                           error.response.get("error"))

    def _done(self, args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        lang = _lang(args.request)
        open_url = f"slack://app?team={installation.team_id}&id={installation.app_id}"
        return _html(200, done_page(lang, installation.team_name or "Slack", open_url),
                     args.settings.state_utils.build_set_cookie_for_deletion())

    def _failed(self, args: FailureArgs) -> BoltResponse:
        lang = _lang(args.request)
        install_path = args.settings.install_path
        if isinstance(args.error, OrgInstallRefused):
            return _html(403, org_refused_page(lang, install_path))
        logger.info("an installation did not finish: %s", args.reason)
        return _html(args.suggested_status_code, failed_page(lang, args.reason, install_path))


def _lang(request: BoltRequest) -> Lang:
    values = request.headers.get("accept-language") or [""]
    return browser_lang(values[0])


def _html(status: int, body: str, cookie: str | None = None) -> BoltResponse:
    headers: dict[str, str | Sequence[str]] = {"Content-Type": HTML}
    if cookie is not None:
        headers["Set-Cookie"] = [cookie]
    return BoltResponse(status=status, body=body, headers=headers)
