"""Turns what the flows asked for (`conversations.outbound`) into Slack Web API calls.

What answers a request (replies, the question moving on, App Home, an export) goes out
here, at once. What a change caused (invitations, announcements, results, reminders) was
queued in the outbox with the change; `SendQueued` only wakes the dispatcher
(`bot.outbox`), which sends it once. A Slack error is logged with its code (never a
token) and, where someone is waiting, answered with a friendly line; the outbounds after
it still go out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot import crash
from bot.clients import Clients, WorkspaceGone
from bot.drawing import Drawer, HereAndNow, drawn
from bot.failures import explain, log_failure
from bot.homes import Homes
from bot.people import People
from bot.throttle import retry_after_of
from conversations.i18n import DEFAULT_LANG, Lang, t
from conversations.outbound import (
    OpenModal,
    Outbound,
    PostToChannel,
    PublishHome,
    Reply,
    SendDM,
    SendQueued,
    UpdateMessage,
    UploadFile,
)
from conversations.views.diagnostic import notice

logger = logging.getLogger(f"wi3.{__name__}")


class Replier(Protocol):
    """Answers whoever made the request, privately (`bot.listeners.context.ReplyTo`)."""

    def __call__(self, message: dict[str, Any], *, replace_original: bool = False) -> None: ...

    def replaces(self, channel_id: str, ts: str) -> bool:
        """Whether replying with `replace_original` updates the message `(channel_id, ts)`."""
        ...


class Queue(Protocol):
    """The outbox's dispatcher, as far as the sender needs it."""

    def kick(self) -> None: ...

    def send_later(self, workspace_id: str, message: Mapping[str, Any], *,
                   user_id: str | None = None, channel_id: str | None = None) -> None: ...


class Sender:
    def __init__(self, clients: Clients, people: People, queue: Queue,
                 drawer: Drawer | None = None, homes: Homes | None = None) -> None:
        self.clients = clients
        self.homes = homes
        self.people = people
        self.queue = queue
        self.drawer = drawer or HereAndNow()

    def send(
        self,
        outbounds: Iterable[Outbound],
        *,
        workspace_id: str,
        reply: Replier | None = None,
        lang: Lang = DEFAULT_LANG,
    ) -> None:
        for outbound in outbounds:
            try:
                self._send_one(outbound, workspace_id=workspace_id, reply=reply)
            except WorkspaceGone:
                logger.info("wi3 is not installed in the workspace any more; nothing sent")
                return
            except SlackApiError as error:
                if retry_after_of(error) is not None and \
                        self._queued_for_later(outbound, workspace_id):
                    logger.info("%s over Slack's rate budget: queued for later",
                                type(outbound).__name__)
                    if reply is not None:
                        self._tell_late(reply, lang)
                    continue
                log_failure(error, f"sending {type(outbound).__name__}")
                if reply is not None and not isinstance(outbound, Reply):
                    self._apologise(reply, error, lang, outbound)

    @staticmethod
    def _tell_late(reply: Replier, lang: Lang) -> None:
        try:
            reply(notice(t(lang, "errors.late")))
        except Exception as failure:  # the response_url may have expired
            log_failure(failure, "telling the person something will be late")

    def _queued_for_later(self, outbound: Outbound, workspace_id: str) -> bool:
        """Put what must still happen, and can wait, into the outbox: a DM, a channel post,
        or an update (as a new message in its place). False for what cannot wait."""
        match outbound:
            case SendDM(user_id=user_id, message=message):
                self.queue.send_later(workspace_id, message, user_id=user_id)
            case PostToChannel(channel_id=channel, message=message) | \
                    UpdateMessage(channel_id=channel, message=message):
                self.queue.send_later(workspace_id, message, channel_id=channel)
            case _:
                return False
        return True

    def _apologise(self, reply: Replier, error: SlackApiError, lang: Lang,
                   outbound: object) -> None:
        channel = getattr(outbound, "channel_id", None) or ""
        try:
            reply(notice(explain(error, lang, channel)))
        except Exception as failure:  # the response_url may have expired
            log_failure(failure, "telling the person about a Slack error")

    def _send_one(
        self, outbound: Outbound, *, workspace_id: str, reply: Replier | None
    ) -> None:
        match outbound:
            case Reply(message=message, replace_original=replace_original):
                if reply is None:
                    logger.info("a reply had nobody to go to; dropped")
                    return
                reply(message, replace_original=replace_original)
            case SendDM(user_id=user_id, message=message):
                self.post_dm(workspace_id, user_id, message)
            case PostToChannel(channel_id=channel, message=message):
                self.clients.client_for(workspace_id).chat_postMessage(
                    channel=channel, text=message["text"], blocks=message["blocks"])
            case UpdateMessage(channel_id=channel, ts=ts, message=message):
                if reply is not None and reply.replaces(channel, ts):
                    reply(message, replace_original=True)  # no Web API call spent
                    return
                self.clients.client_for(workspace_id).chat_update(
                    channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])
            case UploadFile():
                self.upload(workspace_id, outbound)
            case PublishHome(user_id=user_id, view=view, unseen=unseen) if self.homes:
                self.homes.publish(workspace_id, user_id, view, slack_shows_one=not unseen)
            case PublishHome(user_id=user_id, view=view):
                self.clients.client_for(workspace_id).views_publish(user_id=user_id, view=view)
            case OpenModal(trigger_id=trigger_id, view=view):
                self.clients.client_for(workspace_id).views_open(trigger_id=trigger_id, view=view)
            case SendQueued():
                crash.point("queued")  # the change and its messages are saved, none sent
                self.queue.kick()

    def post_dm(self, workspace_id: str, user_id: str, message: dict[str, Any]) -> str:
        """Post into the app's DM with a user; returns the message ts.

        Posting to the user id opens the DM without `conversations.open` (tier 3)."""
        response = self.clients.client_for(workspace_id).chat_postMessage(
            channel=user_id, text=message["text"], blocks=message["blocks"])
        channel = response.get("channel")
        if channel:
            self.people.remember_dm_channel(workspace_id, user_id, str(channel))
        return str(response.get("ts"))

    def upload(self, workspace_id: str, upload: UploadFile) -> None:
        channel = upload.channel_id
        if channel is None and upload.user_id is not None:
            channel = self.people.dm_channel(workspace_id, upload.user_id)
        self.clients.client_for(workspace_id).files_upload_v2(
            channel=channel,
            content=drawn(upload.content, self.drawer),
            filename=upload.filename,
            title=upload.title,
            initial_comment=upload.comment,
        )
