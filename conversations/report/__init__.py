"""Reports for meetings and consultants, and the organisation at a glance.

* `pdf`: the printable report of a closed round (`Report`, `report_pdf`, `Commitment`);
* `layout`: A4 pages drawn with matplotlib and written by its PDF backend;
* `palette`: the colours a phase and a position have on the report and the heat map;
* `heatmap`: the teams x elements heat map of `/wi3 status all` (plain rows in, PNG out);
* `overview`: the overview's rows, counts per element and phase, and its CSV;
* `flow`: `ReportFlow`, `/wi3 report` (which round, the privacy gate, the PDF by DM).

Every figure comes from outcomes that passed the privacy gate
(`conversations.results.outcome`).
"""
