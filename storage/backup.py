"""Export everything to one JSON document and import it into an empty directory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from storage import codec
from storage.core import StoreCore
from storage.errors import StorageError
from storage.layout import (
    SCHEMA_VERSION,
    Data,
    FileSpec,
    classify,
    data_files,
    relpath_is_safe,
)
from storage.secret import write_secret
from storage.validation import checked

EXPORT_FORMAT = "wi3-storage-export"


class BackupMixin(StoreCore):
    """Export to and import from one JSON document."""

    def export_all(self) -> dict[str, Any]:
        """Everything in the directory as one JSON-safe dict, including the secret.

        The dump lets ``import_all`` restore a directory exactly, so it is as sensitive
        as the directory itself.
        """
        files: dict[str, Data] = {}
        for _path, spec in data_files(self._dir):
            if spec is None:
                continue
            data = self._part(spec).snapshot()
            if data is not None:
                files[spec.relpath] = data
        return {
            "format": EXPORT_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "exported_at": codec.time_to_text(self._now()),
            "secret": self._secret.hex() if self._secret else None,
            "files": files,
        }

    def import_all(self, dump: Mapping[str, Any]) -> int:
        """Restore an export into this (empty) store; returns the number of files written.

        Everything is validated before anything is written.
        """
        if dump.get("format") != EXPORT_FORMAT or not isinstance(dump.get("files"), dict):
            raise StorageError("not a wi3 storage export (missing format or files)")
        if any(spec is not None for _, spec in data_files(self._dir)):
            raise StorageError(f"import needs an empty data directory; {self._dir} holds data")
        files = self._validated_import(dump["files"])
        if dump.get("secret"):
            try:
                secret = bytes.fromhex(dump["secret"])
            except (TypeError, ValueError) as err:
                raise StorageError("the export's secret is not hexadecimal") from err
            self._secret = write_secret(self._dir, secret)
        for spec, data in files:
            self._part(spec).replace(data)
        self._build_directory()
        return len(files)

    def _validated_import(self, contents: Mapping[str, Any]) -> list[tuple[FileSpec, Data]]:
        files: list[tuple[FileSpec, Data]] = []
        for relpath, content in contents.items():
            spec = classify(relpath) if relpath_is_safe(relpath) else None
            if spec is None:
                raise StorageError(f"the export holds an unexpected file name {relpath!r}")
            path = self._dir / relpath
            data = json.loads(json.dumps(content))  # a private copy of the caller's data
            data, _ = checked(path, spec, data)
            files.append((spec, data))
        return files
