"""Operator commands for a data directory.

    python -m storage check DIR              report the state of DIR (exit 1 on problems)
    python -m storage export DIR > dump.json everything in DIR as JSON (works next to a
                                             running bot: it only reads)
    python -m storage import DIR < dump.json restore a dump into an empty DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from storage.check import check
from storage.errors import StorageError
from storage.store import Store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m storage",
        description="Inspect, back up and restore a wi3 data directory.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="report the state of a data directory").add_argument("dir")
    commands.add_parser("export", help="write everything as JSON to stdout").add_argument("dir")
    restore = commands.add_parser("import", help="restore a JSON export into an empty directory")
    restore.add_argument("dir")
    restore.add_argument("dump", nargs="?", help="export file (default: stdin)")
    return parser


def _check(directory: str) -> int:
    report = check(directory)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _export(directory: str) -> int:
    with Store.open(directory, read_only=True) as store:
        json.dump(store.export_all(), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _import(directory: str, dump_path: str | None) -> int:
    try:
        if dump_path is None:
            dump = json.load(sys.stdin)
        else:
            with open(dump_path, encoding="utf-8") as handle:
                dump = json.load(handle)
    except (OSError, ValueError) as err:
        raise StorageError(f"cannot read the export: {err}") from err
    if not isinstance(dump, dict):
        raise StorageError("not a wi3 storage export (expected a JSON object)")
    with Store.open(directory) as store:
        count = store.import_all(dump)
    print(f"imported {count} files into {directory}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.dir)
        if args.command == "export":
            return _export(args.dir)
        return _import(args.dir, args.dump)
    except StorageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
