"""Shared fixtures: where the seeds and the real documents are, and small helpers to plant defects in copies of them.

The five seed reports are part of the project (crawler/sample_portal/data/00*.txt, the sample portal's sources), so
every test that needs only them runs on a fresh clone.  The real documents (real reports, saved portal pages) are in
../shared beside the project (or OGIAUDIT_SHARED): the tests that need them skip, saying so, when it is absent
(OGIAUDIT_REQUIRE_SHARED=1, set by .ci/run, makes that a failure instead).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OGIAUDIT_SHARED", REPO.parent / "shared"))
SEEDS = REPO / "crawler" / "sample_portal" / "data"


def shared_missing() -> str | None:
    """None when ../shared (the real documents) is there, else the reason the tests needing it skip."""
    if (SHARED / "realdata").is_dir():
        return None
    return f"needs the real documents of ../shared beside the project: {SHARED} is absent (set OGIAUDIT_SHARED)"


def require_shared() -> Path:
    reason = shared_missing()
    if reason:
        if os.environ.get("OGIAUDIT_REQUIRE_SHARED"):
            pytest.fail(f"OGIAUDIT_REQUIRE_SHARED is set and the test {reason}")
        pytest.skip(reason)
    return SHARED


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()


@pytest.fixture(scope="session")
def seeds() -> dict[str, Path]:
    """'000' … '004' -> the seed file (the project's own copy)."""
    found = {p.name[:3]: p for p in sorted(SEEDS.glob("0*.txt"))}
    assert len(found) == 5, f"the five seed reports are missing from {SEEDS}"
    return found


@pytest.fixture(scope="session")
def realdata(shared_dir) -> Path:
    return shared_dir / "realdata" / "reports"
