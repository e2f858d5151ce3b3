"""Operator commands for wi3's storage: a data directory or a PostgreSQL database.

    python -m storage check [DIR|URL]           report the state (exit 1 on problems)
    python -m storage export [DIR|URL] > x.json everything as JSON, without the pseudonym
                                                key; --include-key adds it (TinyDB only)
    python -m storage import DIR < x.json       restore a TinyDB export into an empty DIR
    python -m storage migrate [URL]             apply pending database migrations
    python -m storage copy [DIR] --to URL       copy a data directory into an empty
                                                database and verify the copy

Without DIR or URL: DATABASE_URL if set, else WI3_DATA_DIR, else ./data. A database needs
WI3_PSEUDONYM_KEY for ``copy`` (and ``check`` uses it to see that it matches). check and
export only read, so they are safe next to a running bot.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from storage.errors import StorageError
from storage.factory import DEFAULT_DATA_DIR, is_database_url
from storage.pseudonyms import parse_key

INCLUDE_KEY_WARNING = (
    "warning: this export includes secret.key, the key that links stored answers to people; "
    "keep it as private as the data directory itself")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m storage",
        description="Check, back up, restore, migrate and move wi3's storage.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="report the state of a data directory or database")
    check.add_argument("target", nargs="?", help="data directory or postgresql:// URL")
    export = commands.add_parser("export", help="write everything as JSON to stdout")
    export.add_argument("target", nargs="?", help="data directory or postgresql:// URL")
    export.add_argument("--include-key", action="store_true",
                        help="also export secret.key (a full backup; keep it private)")
    restore = commands.add_parser("import", help="restore a JSON export into an empty directory")
    restore.add_argument("target", help="the (empty) data directory")
    restore.add_argument("dump", nargs="?", help="export file (default: stdin)")
    migrate = commands.add_parser("migrate", help="apply pending database schema migrations")
    migrate.add_argument("target", nargs="?", help="postgresql:// URL (default: DATABASE_URL)")
    copy = commands.add_parser("copy", help="copy a data directory into an empty database")
    copy.add_argument("target", nargs="?", help="data directory (default: WI3_DATA_DIR)")
    copy.add_argument("--to", required=True, dest="url", help="postgresql:// URL")
    return parser


def _where(target: str | None, *, directory_only: bool = False) -> str:
    if target:
        return target
    if not directory_only and os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return os.environ.get("WI3_DATA_DIR") or str(DEFAULT_DATA_DIR)


def _key_from_environment() -> bytes | None:
    text = os.environ.get("WI3_PSEUDONYM_KEY", "").strip()
    if not text:
        return None
    try:
        return parse_key(text)
    except ValueError as err:
        raise StorageError(f"WI3_PSEUDONYM_KEY: {err}") from err


def _check(target: str) -> int:
    if is_database_url(target):
        from storage.sql.check import check_database

        database = check_database(target, _key_from_environment())
        lines, ok = database.lines(), database.ok
    else:
        from storage.tinydb import check

        directory = check(target)
        lines, ok = directory.lines(), directory.ok
    print("\n".join(lines))
    return 0 if ok else 1


def _export(target: str, include_key: bool) -> int:
    if is_database_url(target):
        if include_key:
            raise StorageError("the pseudonym key is not in the database; back up "
                               "WI3_PSEUDONYM_KEY where you keep the deployment's secrets")
        from storage.sql import SQLStore

        with SQLStore.reader(target) as database:
            dump = database.export_all()
    else:
        from storage.tinydb import TinyDBStore

        with TinyDBStore.open(target, read_only=True) as store:
            dump = store.export_all(include_key=include_key)
        if include_key:
            print(INCLUDE_KEY_WARNING, file=sys.stderr)
    json.dump(dump, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _import(directory: str, dump_path: str | None) -> int:
    from storage.tinydb import TinyDBStore

    if is_database_url(directory):
        raise StorageError("import restores a data directory; to fill a database, import into "
                           "a directory and use `python -m storage copy DIR --to URL`")
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
    with TinyDBStore.open(directory) as store:
        count = store.import_all(dump)
        keyless = store.pseudonym_key is None
    print(f"imported {count} files into {directory}")
    if keyless:
        print(f"the export holds no key: put the old secret.key into {directory} before "
              "starting wi3 (without it, answers cannot be matched to people)")
    return 0


def _migrate(target: str | None) -> int:
    url = target or os.environ.get("DATABASE_URL")
    if not url or not is_database_url(url):
        raise StorageError("migrate needs a postgresql:// URL (argument or DATABASE_URL)")
    from storage.sql import make_engine, shown
    from storage.sql.migrate import head_revision, upgrade

    engine = make_engine(url)
    try:
        applied = upgrade(engine)
    finally:
        engine.dispose()
    done = f"applied {', '.join(applied)}" if applied else "nothing to do"
    print(f"{shown(url)}: schema at {head_revision()} ({done})")
    return 0


def _copy(directory: str, url: str) -> int:
    if not is_database_url(url):
        raise StorageError("--to needs a postgresql:// URL")
    from storage.copy import copy_to_database

    report = copy_to_database(directory, url, _key_from_environment())
    print("\n".join(report.lines(Path(directory).absolute(), url)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(_where(args.target))
        if args.command == "export":
            return _export(_where(args.target), args.include_key)
        if args.command == "import":
            return _import(args.target, args.dump)
        if args.command == "migrate":
            return _migrate(args.target)
        return _copy(_where(args.target, directory_only=True), args.url)
    except StorageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
