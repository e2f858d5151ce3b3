"""Stored JSON handed out for reading, without copying it.

A snapshot's ``result`` (and a last result's ``summary``) is kept as parsed JSON. Readers
only decode it, so the TinyDB backend hands out the stored structure itself, wrapped so
that no caller can change it: ``frozen(value)`` is a read-only view, nested containers are
wrapped when reached, and nothing is copied. ``json.dumps(value, default=json_default)``
writes a view (or data holding views) as the JSON it wraps, for saving it again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload


def frozen(value: Any) -> Any:
    """``value`` as a read-only view if it is a dict or a list; scalars as they are."""
    if isinstance(value, dict):
        return ReadOnlyMapping(value)
    if isinstance(value, list):
        return ReadOnlyList(value)
    return value


def unwrapped(value: Any) -> Any:
    """The data a view wraps, for a reader that only reads it and reads much of it (each
    value reached through a view is wrapped anew); anything else as it is."""
    if isinstance(value, ReadOnlyMapping | ReadOnlyList):
        return value._data
    return value


def json_default(value: Any) -> Any:
    """``json.dumps``'s hook for what it cannot write itself: a view is its data."""
    if isinstance(value, ReadOnlyMapping | ReadOnlyList):
        return value._data
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class ReadOnlyMapping(Mapping[str, Any]):
    """A JSON object that can be read, not changed."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return frozen(self._data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReadOnlyMapping):
            return self._data == other._data
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._data)


class ReadOnlyList(Sequence[Any]):
    """A JSON array that can be read, not changed."""

    __slots__ = ("_data",)

    def __init__(self, data: list[Any]) -> None:
        self._data = data

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> ReadOnlyList: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ReadOnlyList(self._data[index])
        return frozen(self._data[index])

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        """Straight over the list (`Sequence`'s own iterates by index until IndexError)."""
        return map(frozen, self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReadOnlyList):
            return self._data == other._data
        if isinstance(other, list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                           strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._data)
