"""Shared fixtures: where the real documents are, and small helpers to plant defects in copies of them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OGIAUDIT_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.fail(f"the real documents are missing: {SHARED} (set OGIAUDIT_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def seeds(shared_dir) -> dict[str, Path]:
    """'000' … '004' -> the seed file."""
    return {p.name[:3]: p for p in sorted((shared_dir / "seeds").glob("0*.txt"))}


@pytest.fixture(scope="session")
def realdata(shared_dir) -> Path:
    return shared_dir / "realdata" / "reports"
