"""A small, realistic workspace to start from: a team channel with a lead and members.

Mixed locales and timezones, a deactivated account and another bot in the channel, so
flows meet the cases real teams bring. Ids are fixed so tests can name people.
"""

from __future__ import annotations

from bot.emulator.workspace import Workspace

LEAD = "U0LOTTE01"
MEMBERS = ("U0ALEX002", "U0SAMI003", "U0NOOR004", "U0KAI0005")
DEACTIVATED = "U0GONE006"
OTHER_BOT = "U0HELPER7"
TEAM_CHANNEL = "C0KENNIS1"
CHANNEL_WITHOUT_BOT = "C0RANDOM2"
PRIVATE_CHANNEL = "G0LEADS03"


def sample_workspace() -> Workspace:
    """A fresh workspace: #team-kennis (bot joined), #random (bot not in), a private channel."""
    workspace = Workspace()
    workspace.add_user(LEAD, "lotte", real_name="Lotte de Vries", locale="nl-NL",
                       tz="Europe/Amsterdam", is_admin=True)
    workspace.add_user(MEMBERS[0], "alex", real_name="Alex Morgan", locale="en-US",
                       tz="America/New_York")
    workspace.add_user(MEMBERS[1], "sami", real_name="Sami Virtanen", locale="en-GB",
                       tz="Europe/Helsinki")
    workspace.add_user(MEMBERS[2], "noor", real_name="Noor Bakker", locale="nl-NL",
                       tz="Europe/Amsterdam")
    workspace.add_user(MEMBERS[3], "kai", real_name="Kai Tanaka", locale="en-US",
                       tz="Asia/Tokyo", is_owner=True)
    workspace.add_user(DEACTIVATED, "gone", real_name="Former Colleague", deleted=True)
    workspace.add_user(OTHER_BOT, "helper", real_name="Helper Bot", is_bot=True)
    everyone = [LEAD, *MEMBERS, DEACTIVATED, OTHER_BOT]
    workspace.add_channel(TEAM_CHANNEL, "team-kennis", everyone)
    workspace.add_channel(CHANNEL_WITHOUT_BOT, "random", [LEAD, *MEMBERS], bot_is_member=False)
    workspace.add_channel(PRIVATE_CHANNEL, "leads", [LEAD, MEMBERS[3]], is_private=True)
    return workspace
