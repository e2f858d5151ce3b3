"""Figures shared by the benchmark scripts: latency summaries as the README reports them,
and when a question's update reached the emulated Slack."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator import SlackEmulator


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


def on_screen_updates(emulator: SlackEmulator, landed: Callable[[str, str], None]) -> None:
    """Call `landed(channel, ts)` when Slack receives a message's update: a click's
    `response_url` with `replace_original` (how the bot moves a question on), or a
    `chat.update`."""
    api_call, respond = emulator.handle_api, emulator.handle_response_url

    def noting_api(method: str, token: str | None, params: dict[str, Any], *rest: Any) -> Any:
        reply = api_call(method, token, params, *rest)
        if method == "chat.update" and reply.status == 200:
            landed(str(params.get("channel")), str(params.get("ts")))
        return reply

    def noting_response(secret: str, url: str, body: dict[str, Any]) -> Any:
        target = dict(emulator.api_holding(secret).response_urls.get(secret) or {})
        reply = respond(secret, url, body)
        if reply.status == 200 and body.get("replace_original") and target.get("message_ts"):
            landed(str(target["channel"]), str(target["message_ts"]))
        return reply

    emulator.handle_api = noting_api  # type: ignore[method-assign]
    emulator.handle_response_url = noting_response  # type: ignore[method-assign]
