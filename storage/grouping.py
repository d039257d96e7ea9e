"""How reports and bodies are grouped in the counted queries (compliance, trends, overdue counts)."""
from __future__ import annotations

GROUPINGS = ("region", "portal", "body_kind")
LEVELS = ("province", "city", "county")


def fold(key: str | None, by: str, level: str | None) -> str:
    """A group key cut to `level` (regions: province/city/county prefixes of the region path)."""
    if by != "region" or not level:
        return key or ""
    parts = (key or "").split("/")
    n = LEVELS.index(level) + 1
    return "/".join(parts[:n])
