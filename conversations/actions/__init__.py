"""From results to action: the leads' discussion guide, the team's commitments, follow-up.

* `read`: what a team committed to, as every surface reads it (the read API for reports);
* `guide`: the discussion guide each lead gets by DM when a round's results are posted;
* `planning`: the "Plan actions" and edit modals, and what a submission saves and sends;
* `follow_up`: the due-date DMs (a scheduler job) and their Done / Still working / Dropped;
* `listing`: `/wi3 actions` and dropping a commitment;
* `flow`: `ActionsFlow`, all of the above for the bot.

Commitments are team content, not answers: the team sees them with their owners; the
privacy rules for answers are untouched (the guide shows only what the channel post shows).
Import from the modules themselves (the results post reads `read` without the flows).
"""
