"""The data directory's pseudonym key (``secret.key``), see ``storage.pseudonyms``.

The key is made on first start and kept in the data directory, readable by the owner
only (0600).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from storage.errors import CorruptFileError, StorageError, StorageWriteError
from storage.pseudonyms import KEY_BYTES as SECRET_BYTES
from storage.tinydb.jsonfile import FILE_MODE, write_atomically
from storage.tinydb.layout import SECRET_FILE


def read_secret(data_dir: Path) -> bytes | None:
    """The stored secret, None if there is none; CorruptFileError if it is malformed."""
    path = data_dir / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise CorruptFileError(path, str(err)) from err
    try:
        secret = bytes.fromhex(text)
    except ValueError as err:
        raise CorruptFileError(path, "not a hexadecimal secret") from err
    if len(secret) != SECRET_BYTES:
        raise CorruptFileError(path, f"secret has {len(secret)} bytes, expected {SECRET_BYTES}")
    return secret


def secret_is_private(data_dir: Path) -> bool:
    mode = (data_dir / SECRET_FILE).stat().st_mode
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def load_or_create_secret(data_dir: Path, *, may_create: bool) -> bytes:
    """Load the secret (tightening its mode to 0600), or make one for a new directory.

    Making a new secret for a directory that already holds answers would orphan them
    (``forget`` could no longer find a user's answers), so that is refused.
    """
    secret = read_secret(data_dir)
    path = data_dir / SECRET_FILE
    if secret is not None:
        if not secret_is_private(data_dir):
            os.chmod(path, FILE_MODE)
        return secret
    if not may_create:
        raise StorageError(
            f"{path} is missing but the data directory already holds data; restore it "
            "from a backup (without it, answers cannot be matched to users to forget them)"
        )
    return write_secret(data_dir, secrets.token_bytes(SECRET_BYTES))


def write_secret(data_dir: Path, secret: bytes) -> bytes:
    path = data_dir / SECRET_FILE
    try:
        write_atomically(path, secret.hex().encode("ascii") + b"\n")
    except OSError as err:
        raise StorageWriteError(path, err) from err
    return secret



def remove_secret(data_dir: Path) -> None:
    """Remove a key made for a directory that turned out to need another (an import)."""
    (data_dir / SECRET_FILE).unlink(missing_ok=True)
