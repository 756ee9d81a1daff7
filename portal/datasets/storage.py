"""Release files on disk: drafts per release, published versions moved into place atomically."""
from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path


def sha256_bytes(content: bytes) -> str:
    """Hex sha256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def _write_synced(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


class Storage:
    """The file store under STORAGE_DIR."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def draft_dir(self, release_id: int) -> Path:
        """Where a not-yet-published release keeps its files."""
        return self.root / "releases" / str(release_id)

    def published_dir(self, dataset_name: str, version: str) -> Path:
        """Where a published version's files live, forever."""
        return self.root / "published" / dataset_name / version

    def write_draft(self, release_id: int, files: dict[str, bytes]) -> Path:
        """Write a release's files (relative path -> bytes), replacing any earlier draft."""
        target = self.draft_dir(release_id)
        staging = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
        for rel, content in files.items():
            _write_synced(staging / rel, content)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        return target

    def publish(self, release_id: int, dataset_name: str, version: str,
                replacements: dict[str, bytes]) -> Path:
        """Copy a draft into its permanent place, with final files, in one rename."""
        target = self.published_dir(dataset_name, version)
        staging = target.with_name(f".{version}.tmp-{uuid.uuid4().hex}")
        shutil.copytree(self.draft_dir(release_id), staging)
        for rel, content in replacements.items():
            _write_synced(staging / rel, content)
        if target.exists():
            # Left by a publish whose database commit never happened: not public, safe to replace.
            shutil.rmtree(target)
        os.replace(staging, target)
        return target

    def unpublish(self, dataset_name: str, version: str) -> None:
        """Remove a version's directory (only used to undo a publish that did not commit)."""
        shutil.rmtree(self.published_dir(dataset_name, version), ignore_errors=True)

    def discard_draft(self, release_id: int) -> None:
        """Delete a draft's files."""
        shutil.rmtree(self.draft_dir(release_id), ignore_errors=True)
