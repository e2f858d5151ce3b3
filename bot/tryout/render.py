"""Block Kit as a terminal shows it: readable text, buttons as numbered choices.

The try-out prints every message the bot sends with this one renderer: the questions the
person at the terminal answers, the personal summary, the lead's replies and the
channel's results post. Slack's markup is turned into what a Slack client would display
(`<#C123>` becomes `#team`, a date its fallback text, `*bold*` plain).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

WIDTH = 78
RULE = "─" * 40

Names = Callable[[str], str | None]
"""Looks up a user or channel id and returns its name (None when unknown)."""

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Choice:
    """A button, numbered from 1 in reading order."""

    number: int
    label: str
    action_id: str
    value: str | None
    style: str | None = None


@dataclass(frozen=True)
class Picker:
    """A menu or a set of checkboxes: the person may pick several of its options."""

    block_id: str
    action_id: str
    kind: str  # the Block Kit element type, e.g. "multi_static_select" or "checkboxes"
    options: tuple[tuple[str, str], ...]  # (value, label)
    max_selected: int | None = None

    def state(self, values: Iterable[str]) -> dict[str, Any]:
        """What Slack sends back in `state.values` when these options are selected."""
        chosen = set(values)
        selected = [
            {"value": value, "text": {"type": "plain_text", "text": label}}
            for value, label in self.options
            if value in chosen
        ]
        return {self.action_id: {"type": self.kind, "selected_options": selected}}


@dataclass
class Screen:
    """One message as text, with what can be done with it."""

    text: str
    numbered: bool = True
    choices: list[Choice] = field(default_factory=list)
    pickers: list[Picker] = field(default_factory=list)

    def choice(self, number: int) -> Choice | None:
        return next((c for c in self.choices if c.number == number), None)

    def choice_for(self, action_id: str) -> Choice | None:
        return next((c for c in self.choices if c.action_id == action_id), None)


def mrkdwn(text: str, names: Names | None = None) -> str:
    """Slack's markup as plain text: mentions by name, links by label, dates by fallback."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("#") or target.startswith("@"):
            name = names(target[1:]) if names else None
            return target[0] + (label or name or target[1:])
        if target.startswith("!"):
            return label or target[1:]
        return label or target

    plain = _LINK.sub(link, text)
    plain = _CODE.sub(r"\1", plain)
    plain = _BOLD.sub(r"\1", plain)
    plain = _ITALIC.sub(r"\1", plain)
    for entity, character in _ENTITIES:
        plain = plain.replace(entity, character)
    return plain


def render(
    blocks: list[dict[str, Any]],
    fallback: str = "",
    names: Names | None = None,
    *,
    numbered: bool = True,
) -> Screen:
    """A message's blocks as a `Screen`; a message without blocks shows its text.

    With `numbered`, buttons read `[1] Start` (something to choose); without, `[ Start ]`
    (a message that is only read)."""
    screen = Screen(text="", numbered=numbered)
    lines: list[str] = []
    if not blocks and fallback:
        lines.append(_wrap(mrkdwn(fallback, names)))
    for index, block in enumerate(blocks):
        lines.extend(_block_lines(block, index, screen, names))
    screen.text = "\n".join(lines).rstrip()
    return screen


def _block_lines(block: dict[str, Any], index: int, screen: Screen, names: Names | None
                 ) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"), names)
        return [title, "═" * min(len(title), WIDTH)]
    if kind == "section":
        lines = [_wrap(_text_of(block.get("text"), names))] if block.get("text") else []
        lines += [_wrap(_text_of(f, names)) for f in block.get("fields", [])]
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            lines += _elements_lines([accessory], _block_id(block, index), screen, names)
        return lines
    if kind == "context":
        texts = [_text_of(e, names) for e in block.get("elements", []) if "text" in e]
        return [_wrap(text, indent="  ") for text in texts if text]
    if kind == "divider":
        return [RULE]
    if kind == "image":
        return [f"[{block.get('alt_text', 'image')}]"]
    if kind == "actions":
        return _elements_lines(block.get("elements", []), _block_id(block, index), screen, names)
    return []


def _elements_lines(elements: list[dict[str, Any]], block_id: str, screen: Screen,
                    names: Names | None) -> list[str]:
    labels: list[str] = []
    lines: list[str] = []
    for element in elements:
        if element.get("type") == "button":
            number = len(screen.choices) + 1
            label = _text_of(element.get("text"), names)
            screen.choices.append(Choice(number, label, str(element.get("action_id")),
                                         element.get("value"), element.get("style")))
            labels.append(f"[{number}] {label}" if screen.numbered else f"[ {label} ]")
        elif "options" in element and "action_id" in element:
            picker = _picker(element, block_id, names)
            screen.pickers.append(picker)
            lines += [f"    ({letter}) {label}" for letter, (_, label)
                      in zip(option_letters(len(picker.options)), picker.options, strict=True)]
    if labels:
        lines.extend(_button_rows(labels))
    return lines


def _button_rows(labels: list[str]) -> list[str]:
    """Buttons side by side, a new row only between two buttons, never inside one."""
    rows: list[str] = []
    for label in labels:
        if rows and len(rows[-1]) + 2 + len(label) <= WIDTH:
            rows[-1] += "  " + label
        else:
            rows.append(label)
    return rows


def _picker(element: dict[str, Any], block_id: str, names: Names | None) -> Picker:
    options = tuple(
        (str(option.get("value")), _text_of(option.get("text"), names))
        for option in element.get("options", [])
    )
    maximum = element.get("max_selected_items")
    return Picker(block_id, str(element["action_id"]), str(element.get("type")), options,
                  int(maximum) if maximum else None)


def option_letters(count: int) -> list[str]:
    """Options are lettered (a, b, c...), so they never mix up with numbered buttons."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i] if i < len(letters) else f"z{i}" for i in range(count)]


def _text_of(node: Any, names: Names | None) -> str:
    if isinstance(node, dict):
        text = str(node.get("text", ""))
        return mrkdwn(text, names) if node.get("type") == "mrkdwn" else text
    return str(node or "")


def _block_id(block: dict[str, Any], index: int) -> str:
    return str(block.get("block_id", f"block-{index}"))


def _wrap(text: str, indent: str = "") -> str:
    """Wrap long paragraphs to the terminal; keep the line breaks the bot chose."""
    return "\n".join(_wrap_line(line, indent) for line in text.splitlines())


def _wrap_line(line: str, indent: str) -> str:
    if not line.strip():
        return ""
    hanging = "  " if line.lstrip().startswith(("•", "-")) else ""
    return textwrap.fill(line, WIDTH, initial_indent=indent,
                         subsequent_indent=indent + hanging)
