"""`python -m bot try`: wi3 on this computer, without Slack and without the internet.

The real Bolt app runs against the local Slack emulator (`bot.emulator`) with a demo
team; the person at the terminal answers the real diagnostic as numbered choices, the
simulated colleagues answer too, and the round's results post is printed with its chart
saved as a PNG.
"""

from bot.tryout.runner import DEFAULT_OUT_DIR, TryoutOptions, run_tryout

__all__ = ["DEFAULT_OUT_DIR", "TryoutOptions", "run_tryout"]
