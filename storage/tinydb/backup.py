"""Export everything to one JSON document and import it into an empty directory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from storage.errors import StorageError
from storage.tinydb import codec
from storage.tinydb.core import StoreCore
from storage.tinydb.layout import (
    META_KEY,
    META_TABLE,
    SCHEMA_VERSION,
    Data,
    FileSpec,
    classify,
    data_files,
    dedupe_spec,
    relpath_is_safe,
)
from storage.tinydb.secret import remove_secret, write_secret
from storage.tinydb.validation import checked

EXPORT_FORMAT = "wi3-storage-export"


class BackupMixin(StoreCore):
    """Export to and import from one JSON document."""

    def export_all(self, *, include_key: bool = False) -> dict[str, Any]:
        """Everything in the directory as one JSON-safe dict.

        Without the pseudonym key (``secret.key``) by default: the answers in an export
        cannot then be matched to people. Request claims are left out: they matter only
        for the hour after a request. ``include_key`` makes a full backup that
        ``import_all`` restores exactly, as sensitive as the directory itself.
        """
        files: dict[str, Data] = {}
        for _path, spec in data_files(self._dir):
            if spec is None or spec.kind == "dedupe":
                continue  # claims: from memory, below (an older layout's are there too)
            data = self._part(spec).snapshot()
            if data is not None:
                files[spec.relpath] = data
        files.update(self._claims_as_files())
        return {
            "format": EXPORT_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "exported_at": codec.time_to_text(self._now()),
            "secret": self._secret.hex() if include_key and self._secret else None,
            "files": files,
        }

    def _claims_as_files(self) -> dict[str, Data]:
        """The live request claims in the JSON form an import (or a copy) takes."""
        by_stripe: dict[int, dict[str, Data]] = {}
        for digest, expires in self._claims.live_claims():
            by_stripe.setdefault(int(digest[0], 16), {})[digest] = {"expires": expires}
        return {dedupe_spec(stripe).relpath: {META_TABLE: {META_KEY: dedupe_spec(stripe).meta()},
                                              "claims": claims}
                for stripe, claims in sorted(by_stripe.items())}

    def import_all(self, dump: Mapping[str, Any]) -> int:
        """Restore an export into this (empty) store; returns the number of files written.

        Everything is validated before anything is written. An export without the key
        leaves the directory without ``secret.key``: the next start then refuses until the
        old one is put back, rather than filing new answers under pseudonyms that do not
        match the restored ones.
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
        elif files:
            remove_secret(self._dir)
            self._secret = None
        for spec, data in files:
            self._part(spec).replace(data)
        self._reload()
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
