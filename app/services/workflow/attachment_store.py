"""Where the bytes of uploaded files live: a small interface and its local-disk implementation.

Files are content-addressed: the key is the SHA-256 of the content, so storing
the same content twice is one file, and a command that rolls back after storing
leaves a harmless orphan, never a wrong file. The attachment rows (metadata,
permissions) stay in the database; a store only keeps bytes by key.

`ATTACHMENT_STORAGE` names the implementation in `BACKENDS` ("local", the
default: `UPLOAD_FOLDER`). Several app hosts need the same files: mount the
upload folder from a shared volume on each of them. An object store (S3 and
compatible) would be another class with these three methods, added to `BACKENDS`.
"""
import os
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app


class AttachmentStore(Protocol):
    def save(self, key: str, content: bytes) -> None:
        """Store content under key (idempotent: the key is the content's hash)."""

    def open(self, key: str) -> BinaryIO:
        """The stored bytes for reading; FileNotFoundError when the key is unknown."""

    def exists(self, key: str) -> bool:
        """Whether content is stored under key."""


class LocalDiskStore:
    """Files under a folder, `<first two hex digits>/<sha256>`; written through a temporary name and
    renamed, so a reader on any host sharing the folder never sees half a file."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key):
        if len(key) < 3 or not key.isalnum():      # keys are hex digests: nothing can point outside the folder
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def save(self, key, content):
        target = self.path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{key}.{secrets.token_hex(4)}"
        tmp.write_bytes(content)
        os.replace(tmp, target)

    def open(self, key):
        return self.path(key).open("rb")

    def exists(self, key):
        return self.path(key).exists()


BACKENDS = {
    "local": lambda config: LocalDiskStore(config["UPLOAD_FOLDER"]),
}


def init_app(app):
    name = app.config["ATTACHMENT_STORAGE"]
    if name not in BACKENDS:
        raise RuntimeError(f"CHAINQ_ATTACHMENT_STORAGE={name!r}: not one of {', '.join(sorted(BACKENDS))}")
    app.extensions["chainq.attachment_store"] = BACKENDS[name](app.config)


def store() -> AttachmentStore:
    """The current app's store."""
    return current_app.extensions["chainq.attachment_store"]
