"""A local stand-in for Slack: the Web API (`SlackEmulator`) and Slack's requests to the
bot (`SlackDriver`). Stdlib plus slack_sdk's signature helper; used by tests and the
local try-out, never in production.
"""

from bot.emulator.driver import DriverResponse, SlackDriver
from bot.emulator.inline import InlineExecutor
from bot.emulator.seed import sample_workspace
from bot.emulator.server import DEFAULT_TOKEN, Call, SlackEmulator
from bot.emulator.workspace import (
    Channel,
    HomeView,
    Message,
    ModalView,
    ResponsePost,
    Upload,
    User,
    Workspace,
)

__all__ = [
    "DEFAULT_TOKEN",
    "Call",
    "Channel",
    "DriverResponse",
    "HomeView",
    "InlineExecutor",
    "Message",
    "ModalView",
    "ResponsePost",
    "SlackDriver",
    "SlackEmulator",
    "Upload",
    "User",
    "Workspace",
    "sample_workspace",
]
