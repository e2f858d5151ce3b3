"""Errors of the storage layer.

Every error is a :class:`StorageError` whose message is one line an operator can act on,
so the bot can print it and exit without a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.records import Progress, Round


class StorageError(Exception):
    """Base class: something about the stored data, or the place it is stored, is wrong."""


class StoreLockedError(StorageError):
    """Another process already owns the data directory."""

    def __init__(self, data_dir: Path, owner: str | None = None) -> None:
        self.data_dir = data_dir
        held_by = f" (held by process {owner})" if owner else ""
        super().__init__(
            f"data directory {data_dir} is already in use by another wi3 process{held_by}; "
            "stop that process or point WI3_DATA_DIR elsewhere"
        )


class CorruptFileError(StorageError):
    """A data file cannot be read or does not have the expected shape."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"data file {path} cannot be used: {reason}; it was left untouched "
            "(restore it from a backup or fix it by hand, then run `python -m storage check`)"
        )


class SchemaVersionError(StorageError):
    """A data file or the database was written by a newer wi3 than this one."""

    def __init__(self, path: Path | str, found: int | str, supported: int | str) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        where, what = ((f"data file {path}", "this data directory") if isinstance(path, Path)
                       else (str(path), "it"))
        super().__init__(
            f"{where} has schema version {found}, but this wi3 understands "
            f"versions up to {supported}; upgrade wi3 before using {what}"
        )


class StorageWriteError(StorageError):
    """A write did not reach the disk or the database (disk full, I/O error, connection
    lost).

    Normally the previous state is kept (``replaced`` is False). If only the final
    directory sync failed, the new contents are in place but may not survive a power cut.
    """

    def __init__(self, path: Path | str, cause: BaseException, *,
                 replaced: bool = False) -> None:
        self.path = path
        self.cause = cause
        self.replaced = replaced
        reason = getattr(cause, "strerror", None) or _first_line(cause)
        outcome = ("the new contents are in place but may not survive a power cut"
                   if replaced else "the previous contents were kept")
        super().__init__(f"could not save {path}: {reason}; {outcome}")


class StoreUnavailableError(StorageError):
    """The database cannot be reached or refused a read."""

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(f"the database cannot be used: {_first_line(cause)}")


def _first_line(cause: BaseException) -> str:
    """An exception as one line (database drivers add context on further lines)."""
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


class StoreClosedError(StorageError):
    """The store was used after close() or is read-only."""


class UnknownRoundError(StorageError):
    """No round with this id exists."""

    def __init__(self, round_id: str) -> None:
        self.round_id = round_id
        super().__init__(f"no round with id {round_id!r}")


class RoundClosedError(StorageError):
    """A respondent-side write arrived for a round that is no longer open."""

    def __init__(self, round_: Round) -> None:
        self.round = round_
        super().__init__(f"round {round_.id} is closed")


class StalePositionError(StorageError):
    """An answer for a question the respondent is no longer at (a stale or double click,
    or another instance was faster); it carries where they are now."""

    def __init__(self, current: Progress) -> None:
        self.current = current
        super().__init__(
            f"round {current.round_id}: the respondent is at question {current.position + 1} now"
        )


class RepeatedRequestError(StorageError):
    """A write came with a request claim that is already taken: Slack's retry or a
    replay of a request handled before. Nothing was written."""

    def __init__(self, key_kind: str) -> None:
        super().__init__(f"a repeated delivery of a request already handled ({key_kind})")


class RoundAlreadyOpenError(StorageError):
    """A team already has an open round; it carries that round."""

    def __init__(self, round_: Round) -> None:
        self.round = round_
        super().__init__(
            f"channel {round_.channel_id} already has an open round ({round_.id})"
        )


class UnknownCommitmentError(StorageError):
    """No commitment with this id exists (removed, or a tampered button)."""

    def __init__(self, commitment_id: str) -> None:
        self.commitment_id = commitment_id
        super().__init__(f"no commitment with id {commitment_id!r}")
