"""Who someone is, as far as wi3 needs to know: language, admin rights, bot or deactivated.

Slack's `users.info` answers all of it; locales and DM channels are cached in storage, the
rest (admin flags) for a few minutes in memory, so clicks never wait on Slack twice. The
cache only saves asking again: when it cannot be written (a full disk) the request it
serves goes on, with what Slack just said.

A large channel (a pulse to a whole organisation) is known from the workspace directory
instead (`users.list`, Tier 2: 20 calls a minute): a thousand people a page, each page
taken in turn from the workspace's shared Tier 2 budget, read only when this instance does
not know most members already, and its locales saved in one go, so every instance sending
the fan-out finds them in the store instead of asking `users.info` per person.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.clients import Clients
from bot.method_budgets import MethodBudgets
from conversations.i18n import Lang, normalise_lang
from storage import StorageError, Store, UserInfo

logger = logging.getLogger(f"wi3.{__name__}")

PROFILE_TTL = timedelta(days=1)
PROFILE_REFRESH = PROFILE_TTL / 2
"""An unchanged profile is saved again only this long after it was last saved."""
FLAGS_TTL_SECONDS = 300.0
# Above this many channel members not known already, read the workspace directory a
# thousand people per call (users.list, tier 2) instead of asking about each member
# (users.info, tier 4).
DIRECTORY_THRESHOLD = 50
DIRECTORY_PAGE = 1000
"""People per `users.list` page: Slack's largest page, so the fewest Tier 2 calls."""
USERS_LIST = "users.list"
MEMBERS_LIST = "conversations.members"
DM_OPEN = "conversations.open"


@dataclass(frozen=True)
class Person:
    user_id: str
    lang: Lang
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False
    timezone: str | None = None
    name: str | None = None
    """How Slack shows the person (display name, else real name), for documents that
    cannot render a mention, such as the PDF report."""

    @property
    def can_answer(self) -> bool:
        """Humans with an active account; bots and deactivated users are never invited."""
        return not (self.is_bot or self.deleted)


class People:
    def __init__(self, clients: Clients, store: Store, clock: Callable[[], datetime],
                 budgets: MethodBudgets | None = None) -> None:
        self.clients = clients
        self.store = store
        self.clock = clock
        self.budgets = budgets or MethodBudgets(store)
        self._flags: dict[tuple[str, str], tuple[float, Person]] = {}
        self._lock = threading.Lock()
        self._bot_user_ids: dict[str, str] = {}

    def bot_user_id(self, workspace_id: str) -> str | None:
        """The app's own user id in a workspace (each installation has its own)."""
        if workspace_id not in self._bot_user_ids:
            try:
                found = self.clients.client_for(workspace_id).auth_test().get("user_id")
            except SlackApiError:
                logger.warning("auth.test failed; cannot tell the app's own user id")
                return None
            if found:
                self._bot_user_ids[workspace_id] = str(found)
        return self._bot_user_ids.get(workspace_id)

    def person(self, workspace_id: str, user_id: str, *, fresh: bool = False) -> Person:
        """Everything about a user, from a short-lived memory cache or from Slack."""
        key = (workspace_id, user_id)
        with self._lock:
            cached = self._flags.get(key)
        if cached and not fresh and time.monotonic() - cached[0] < FLAGS_TTL_SECONDS:
            return cached[1]
        person = self._fetch(workspace_id, user_id)
        with self._lock:
            self._flags[key] = (time.monotonic(), person)
        return person

    def lang(self, workspace_id: str, user_id: str) -> Lang:
        """A user's language: cached locale if recent, else asked from Slack."""
        with self._lock:
            cached = self._flags.get((workspace_id, user_id))
        if cached and time.monotonic() - cached[0] < FLAGS_TTL_SECONDS:
            return cached[1].lang
        info = self.store.get_user(workspace_id, user_id)
        if info and info.fetched_at and self.clock() - info.fetched_at < PROFILE_TTL:
            return normalise_lang(info.locale)
        return self.person(workspace_id, user_id).lang

    def _fetch(self, workspace_id: str, user_id: str) -> Person:
        try:
            user: dict[str, Any] = self.clients.client_for(workspace_id).users_info(
                user=user_id, include_locale=True)["user"]
        except SlackApiError as error:
            code = error.response.get("error")
            logger.info("users.info for a user failed: %s", code)
            info = self.store.get_user(workspace_id, user_id)
            # An account Slack does not know cannot answer or lead; on other errors
            # (rate limits, outages) assume a person and carry on.
            return Person(user_id, normalise_lang(info.locale if info else None),
                          deleted=code == "user_not_found")
        self._remember(workspace_id, user_id, locale=user.get("locale"), timezone=user.get("tz"))
        return _person_from(user)

    def _read_directory(self, workspace_id: str) -> None:
        """Fill the memory cache from `users.list` (one call per thousand people, each in
        turn from the Tier 2 budget) and save everyone's locale in the store."""
        client = self.clients.client_for(workspace_id)
        throttle = self.budgets.of(workspace_id, USERS_LIST)
        profiles: list[UserInfo] = []
        cursor = None
        while True:
            page = throttle.call(lambda c=cursor: client.users_list(  # type: ignore[misc]
                cursor=c, limit=DIRECTORY_PAGE, include_locale=True))
            now = time.monotonic()
            members: list[dict[str, Any]] = page.get("members", [])
            with self._lock:
                for user in members:
                    if user.get("id"):
                        self._flags[(workspace_id, str(user["id"]))] = (now, _person_from(user))
            profiles += [UserInfo(workspace_id, str(user["id"]), locale=user.get("locale"),
                                  timezone=user.get("tz"), fetched_at=self.clock())
                         for user in members if user.get("id") and "locale" in user]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        try:
            self.store.save_profiles(profiles)
        except StorageError as error:
            logger.warning("could not cache the workspace directory's locales (%s)", error)

    def _unknown(self, workspace_id: str, members: list[str]) -> int:
        """How many of `members` this instance knows nothing fresh about."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for user in members
                       if (cached := self._flags.get((workspace_id, user))) is None
                       or now - cached[0] >= FLAGS_TTL_SECONDS)

    def _remember(self, workspace_id: str, user_id: str, **fields: Any) -> None:
        """Cache what Slack said; a refresh that changes nothing writes nothing, until the
        saved profile is half its life old (so `lang` goes on trusting it)."""
        previous = self.store.get_user(workspace_id, user_id)
        base = previous or UserInfo(workspace_id=workspace_id, user_id=user_id)
        fresh = replace(base, fetched_at=self.clock(), **fields)
        if previous is not None and previous.fetched_at is not None and fresh.fetched_at \
                and replace(fresh, fetched_at=previous.fetched_at) == previous \
                and fresh.fetched_at - previous.fetched_at < PROFILE_REFRESH:
            return
        self._cache(fresh)

    def remember_dm_channel(self, workspace_id: str, user_id: str, channel_id: str) -> None:
        info = self.store.get_user(workspace_id, user_id)
        if info is None or info.dm_channel != channel_id:
            base = info or UserInfo(workspace_id=workspace_id, user_id=user_id)
            self._cache(replace(base, dm_channel=channel_id))

    def _cache(self, info: UserInfo) -> None:
        try:
            self.store.save_user(info)
        except StorageError as error:
            logger.warning("could not cache what Slack said about a user; carrying on (%s)",
                           error)

    def dm_channel(self, workspace_id: str, user_id: str) -> str:
        """The DM channel id with a user (cached; `conversations.open` on a miss)."""
        info = self.store.get_user(workspace_id, user_id)
        if info and info.dm_channel:
            return info.dm_channel
        client = self.clients.client_for(workspace_id)
        opened = self.budgets.of(workspace_id, DM_OPEN).call(  # Tier 3
            lambda: client.conversations_open(users=user_id), attempts=1)
        channel = opened["channel"]["id"]
        self.remember_dm_channel(workspace_id, user_id, channel)
        return str(channel)

    def channel_members(self, workspace_id: str, channel_id: str) -> list[str]:
        """The people who can answer: channel members minus bots, deactivated users, the app."""
        members = self._member_ids(workspace_id, channel_id)
        own = self.bot_user_id(workspace_id)
        if self._unknown(workspace_id, members) > DIRECTORY_THRESHOLD:
            try:
                self._read_directory(workspace_id)
            except SlackApiError as error:
                logger.info("users.list failed (%s); asking per member",
                            error.response.get("error"))
        return [
            user for user in dict.fromkeys(members)
            if user != own and self.person(workspace_id, user).can_answer
        ]

    def in_channel(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        return user_id in self._member_ids(workspace_id, channel_id, paced=False)

    def _member_ids(self, workspace_id: str, channel_id: str, *,
                    paced: bool = True) -> list[str]:
        """Everyone in the channel as Slack lists them, a thousand a page (Slack's largest);
        `paced`: each page in turn from the Tier 4 budget (a fan-out's reading, not a
        request thread's quick look, which must not queue behind it)."""
        client = self.clients.client_for(workspace_id)
        throttle = self.budgets.of(workspace_id, MEMBERS_LIST)
        members: list[str] = []
        cursor = None
        while True:
            def read(c: str | None = cursor) -> Any:
                return client.conversations_members(channel=channel_id, cursor=c,
                                                    limit=DIRECTORY_PAGE)
            page = throttle.call(read) if paced else read()
            members += page.get("members", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members

    def shown_name(self, workspace_id: str, user_id: str) -> str | None:
        """The person's name as Slack shows it, or None when Slack will not say."""
        return self.person(workspace_id, user_id).name

    def channel_name(self, workspace_id: str, channel_id: str) -> str | None:
        """The channel's name ("team-demo"), or None when Slack will not say."""
        try:
            client = self.clients.client_for(workspace_id)
            name = client.conversations_info(channel=channel_id)["channel"].get("name")
        except SlackApiError as error:
            logger.info("conversations.info failed (%s); no channel name",
                        error.response.get("error"))
            return None
        return str(name) if name else None

    def bot_in_channel(self, workspace_id: str, channel_id: str) -> bool:
        try:
            client = self.clients.client_for(workspace_id)
            channel = client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError:
            return False
        return bool(channel.get("is_member"))


def _person_from(user: dict[str, Any]) -> Person:
    """What wi3 needs to know of a Slack user object (from users.info or users.list)."""
    user_id = str(user.get("id", ""))
    return Person(
        user_id=user_id,
        lang=normalise_lang(user.get("locale")),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")
                      or user.get("is_primary_owner")),
        is_bot=bool(user.get("is_bot") or user.get("is_app_user")) or user_id == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        timezone=user.get("tz"),
        name=_shown_name(user),
    )


def _shown_name(user: dict[str, Any]) -> str | None:
    profile = user.get("profile") or {}
    for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name"),
                 user.get("name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None
