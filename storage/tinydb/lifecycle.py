"""Workspaces that removed wi3: the mark that stops their work, and the purge of their data.

The marks live in their own file (``uninstalls.json``). A purge removes the workspace from
the index first, then its files (``teams/<workspace>/``, ``users/<workspace>.json``), and
the mark last: a crash part-way leaves the mark, and the next purge finishes the job.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import datetime

from storage.tinydb import codec
from storage.tinydb.jsonfile import Partition, fsync_directory
from storage.tinydb.layout import is_valid_id, uninstalls_spec
from storage.tinydb.outbox import OutboxMixin


class LifecycleMixin(OutboxMixin):
    """Uninstall marks and the purge of an uninstalled workspace's data."""

    def _marks(self) -> Partition:
        return self._part(uninstalls_spec())

    def mark_uninstalled(self, workspace_id: str, at: datetime | None = None) -> bool:
        """Record that the workspace removed wi3; True the first time."""
        moment = self._now(at)
        marks = self._marks()
        with marks.lock:
            table = marks.table("uninstalls")
            if table.doc(workspace_id) is not None:
                return False
            table.put(workspace_id, {"at": codec.time_to_text(moment)})
        return True

    def mark_installed(self, workspace_id: str) -> bool:
        """wi3 is installed there again; True if it had been marked uninstalled."""
        marks = self._marks()
        with marks.lock:
            return marks.exists() and marks.table("uninstalls").drop({workspace_id}) == 1

    def uninstalled_workspaces(self) -> Mapping[str, datetime]:
        marks = self._marks()
        with marks.lock:
            if not marks.exists():
                return {}
            docs = marks.table("uninstalls").docs()
        return {workspace_id: codec.required_time(doc["at"]) for workspace_id, doc in docs.items()}

    def purge_uninstalled(self, before: datetime) -> tuple[str, ...]:
        """Delete the data of workspaces uninstalled at or before ``before``."""
        cutoff = self._now(before)
        doomed = sorted(workspace_id for workspace_id, at in self.uninstalled_workspaces().items()
                        if at <= cutoff)
        for workspace_id in doomed:
            self._purge_workspace(workspace_id)
            marks = self._marks()
            with marks.lock:
                marks.table("uninstalls").drop({workspace_id})
        return tuple(doomed)

    def _purge_workspace(self, workspace_id: str) -> None:
        index = self._index()
        with index.batch():
            index.table("teams").drop_where(lambda _k, doc: doc["workspace_id"] == workspace_id)
            index.table("workspaces").drop({workspace_id})
        self._rounds.forget_workspace(workspace_id)
        self._leads.reset()  # rebuilt from the index when next asked
        self._drop_outbox_of(workspace_id)
        if is_valid_id(workspace_id):  # ids become paths: never anything else
            self._drop_files(workspace_id)

    def _drop_files(self, workspace_id: str) -> None:
        """Forget the workspace's parsed files, then delete them from the disk."""
        with self._parts_lock:
            doomed = [relpath for relpath, part in self._parts.items()
                      if part.spec.workspace_id == workspace_id]
            for relpath in doomed:
                part = self._parts.pop(relpath)
                self._recent.pop(relpath, None)
                part.close()
        teams_dir = self._dir / "teams" / workspace_id
        if teams_dir.exists():
            shutil.rmtree(teams_dir)
            fsync_directory(teams_dir.parent)
        for folder in ("users", "summaries"):
            gone = self._dir / folder / workspace_id
            if gone.exists():
                shutil.rmtree(gone)
                fsync_directory(gone.parent)
        whole = self._dir / "users" / f"{workspace_id}.json"  # the layout before sharding
        if whole.exists():
            whole.unlink()
            fsync_directory(whole.parent)
