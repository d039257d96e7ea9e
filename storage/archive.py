"""The archive: every fetched document's bytes stored once, content-addressed, at archive_dir/ab/cd/<sha256>.

The one home of the archive's layout: the writers (storage.repository.record_document), the crawler (comparing a
changed document with its earlier version) and the re-audit (ogiaudit.pipeline) all find a file through here.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def archive_path(sha256: str, archive_dir: Path | str = "") -> Path:
    """Where the bytes with this SHA-256 live: archive_dir/ab/cd/<sha256> (relative without archive_dir)."""
    return Path(archive_dir) / sha256[:2] / sha256[2:4] / sha256


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, flushed to disk, then renamed: a reader (another worker on NFS) never sees
    half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def archive_bytes(data: bytes, archive_dir: Path | str) -> tuple[str, Path]:
    """Store the bytes once, content-addressed (temp file + rename); returns (sha256, path)."""
    digest = hashlib.sha256(data).hexdigest()
    target = archive_path(digest, archive_dir)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
    return digest, target


def locate(archive_dir: Path | str, sha256: str, recorded: str | None = None) -> Path:
    """The archived file of a document: the path recorded with it (absolute, or relative to archive_dir), else its
    place by SHA-256 in archive_dir.  Raises FileNotFoundError (one Chinese line) when none is there."""
    path = Path(recorded) if recorded else None
    candidates = [path] if path else []
    if path and not path.is_absolute():
        candidates.append(Path(archive_dir) / path)
    candidates.append(archive_path(sha256, archive_dir))
    for p in candidates:
        if p.is_file():
            return p
    raise FileNotFoundError(f"存档文件不存在：{recorded or sha256}")
