"""Figures shared by the benchmark scripts: latency summaries as the README reports them."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p99_ms: float
    samples: int


def summarise(seconds: list[float]) -> Timing:
    """Median and 99th percentile (nearest rank) of durations given in seconds."""
    ordered = sorted(seconds)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    return Timing(round(statistics.median(ordered) * 1e3, 3), round(p99 * 1e3, 3), len(ordered))
