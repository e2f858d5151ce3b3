"""Results a team can trust: closing rounds, the privacy gate, and what leads read.

* `outcome`: the privacy gate and `RoundOutcome`, the only form in which a closed round
  reaches a view;
* `history`: a team's snapshots, compared only within one subject;
* `snapshot`: scoring a closed round once into its snapshot;
* `publication`: the channel post and chart of a closed round;
* `closing`: `ClosingFlow`, closing rounds and publishing their results;
* `reports`: `ReportsFlow`, `/wi3 status`, `status all`, `export` and reposting.
"""

from conversations.results.closing import ClosingFlow
from conversations.results.outcome import RoundOutcome, Withheld, shown_result
from conversations.results.publication import PublishResults
from conversations.results.reports import ReportsFlow

__all__ = ["ClosingFlow", "PublishResults", "ReportsFlow", "RoundOutcome", "Withheld",
           "shown_result"]
