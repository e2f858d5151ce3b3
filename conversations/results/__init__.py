"""Results a team can trust: closing rounds, the privacy gate, and what leads read.

* `outcome`: the privacy gate and `RoundOutcome`, the only form in which a closed round
  reaches a view;
* `history`: a team's snapshots, compared only within one subject;
* `snapshot`: scoring a closed round once into its snapshot;
* `publication`: the channel post and chart of a closed round;
* `closing`: `ClosingFlow`, closing rounds and publishing their results;
* `reports`: `ReportsFlow`, `/wi3 status`, `status all`, `export` and reposting.

Import from the modules themselves: the views need `outcome` without the flows that use
the views.
"""
