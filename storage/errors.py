"""Storage's own errors: each one Chinese line, for the front to show as it shows its own (exit 2 on the command
line).  Storage does not know the front; the front maps these (ogiaudit.settings.ONE_LINE_ERRORS)."""
from __future__ import annotations


class StorageError(Exception):
    """A storage failure told in one line (Chinese)."""


class DatabaseError(StorageError):
    """The database cannot be reached, opened or migrated (one line, Chinese)."""
