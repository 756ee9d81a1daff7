"""Release files behind a small interface: drafts per release, published files by content hash.

Published files are content-addressed (the key is the sha256 of the bytes, plus the file's
own name so an operator or a backup can still tell what it is), so a key can never be
overwritten with other content, and a file becomes public only when the database
row that names its hash commits. An object store can implement ``FileStore`` without any
change to the workflow.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from abc import ABC, abstractmethod
from pathlib import Path


def sha256_bytes(content: bytes) -> str:
    """Hex sha256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_synced(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


class FileStore(ABC):
    """What the release workflow needs from a file store."""

    @abstractmethod
    def write_draft(self, release_id: int, files: dict[str, bytes]) -> None:
        """Write a draft's files (relative path -> bytes), replacing any earlier draft whole."""

    @abstractmethod
    def read_draft(self, release_id: int, rel: str) -> bytes | None:
        """One file of a draft, or None."""

    @abstractmethod
    def discard_draft(self, release_id: int) -> None:
        """Delete a draft's files."""

    @abstractmethod
    def put(self, content: bytes, name: str) -> tuple[str, bool]:
        """Store bytes under their hash; returns (sha256, True if this call created the blob)."""

    @abstractmethod
    def has(self, sha256: str, name: str) -> bool:
        """True when the blob is stored."""

    @abstractmethod
    def read(self, sha256: str, name: str) -> bytes | None:
        """The blob's bytes, or None."""

    @abstractmethod
    def local_path(self, sha256: str, name: str) -> Path | None:
        """A local file to stream, or None (an object store would hand out a URL instead)."""

    @abstractmethod
    def delete(self, sha256: str, name: str) -> None:
        """Remove a blob (only ever one that no committed row names)."""


class LocalStorage(FileStore):
    """The file store in a local directory (STORAGE_DIR, under instance/ by default)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # Drafts: a directory per release, replaced as a whole by one rename.
    def draft_dir(self, release_id: int) -> Path:
        """Where a not-yet-published release keeps its files."""
        return self.root / "releases" / str(release_id)

    def write_draft(self, release_id: int, files: dict[str, bytes]) -> None:
        """Write a draft's files under a temporary name, then rename it into place."""
        target = self.draft_dir(release_id)
        staging = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
        for rel, content in files.items():
            _write_synced(staging / rel, content)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)

    def read_draft(self, release_id: int, rel: str) -> bytes | None:
        """One file of a draft, or None."""
        path = self.draft_dir(release_id) / rel
        return path.read_bytes() if path.is_file() else None

    def discard_draft(self, release_id: int) -> None:
        """Delete a draft's files."""
        shutil.rmtree(self.draft_dir(release_id), ignore_errors=True)

    # Published blobs: blobs/ab/abcdef.../name.csv, written to a temporary name and renamed.
    def blob_path(self, sha256: str, name: str) -> Path:
        """Where the blob with this hash (stored under this file name) lives."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256")
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError("not a plain file name")
        return self.root / "blobs" / sha256[:2] / sha256 / name

    def put(self, content: bytes, name: str) -> tuple[str, bool]:
        """Store bytes under their hash; an existing, intact blob is left untouched."""
        sha = sha256_bytes(content)
        target = self.blob_path(sha, name)
        if target.is_file() and _sha256_file(target) == sha:
            return sha, False
        staging = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
        _write_synced(staging, content)
        os.replace(staging, target)
        return sha, True

    def has(self, sha256: str, name: str) -> bool:
        """True when the blob is stored."""
        return self.blob_path(sha256, name).is_file()

    def read(self, sha256: str, name: str) -> bytes | None:
        """The blob's bytes, or None."""
        path = self.blob_path(sha256, name)
        return path.read_bytes() if path.is_file() else None

    def local_path(self, sha256: str, name: str) -> Path | None:
        """The blob's file, or None."""
        path = self.blob_path(sha256, name)
        return path if path.is_file() else None

    def delete(self, sha256: str, name: str) -> None:
        """Remove a blob (and its hash directory once empty)."""
        path = self.blob_path(sha256, name)
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass  # another name of the same bytes is still there

    # Versions published before content addressing lived in one directory per version;
    # they are still read from there.
    def published_dir(self, dataset_name: str, version: str) -> Path:
        """The directory of a version published in the earlier layout."""
        return self.root / "published" / dataset_name / version


# The name the rest of the code (and its tests) knew the local store by.
Storage = LocalStorage
