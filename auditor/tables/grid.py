"""The official grid of a table (二, 三 or 四) as filled from a report, and how labels are compared."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from auditor.cells import Cell
from auditor.labels import T3_OTHER_SINGLE, RowSpec

_PUNCT = re.compile(r"[\s\W_]+")
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d))\s*")


@lru_cache(maxsize=8192)
def squash(text: str) -> str:
    """A label reduced to its characters: no numbering, spaces or punctuation (for comparing labels)."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = NUMBERING.sub("", re.sub(r"\s+", "", t))
    return _PUNCT.sub("", t)


@dataclass
class LabelDeviation:
    row: str         # official label of the row or column
    printed: str     # as printed
    column: bool = False


@dataclass
class Grid:
    """One official table: row key -> cells in column order (None: the cell is not there)."""

    name: str
    specs: tuple[RowSpec, ...]
    rows: dict[str, list[Cell | None]] = field(default_factory=dict)
    short_rows: dict[str, int] = field(default_factory=dict)   # row -> how many values it had, when too few
    printed_labels: dict[str, str] = field(default_factory=dict)
    deviations: list[LabelDeviation] = field(default_factory=list)
    old_format: list[str] = field(default_factory=list)        # 2019-format markers seen
    other_single: bool = False                                 # 三(六) printed as one row
    ambiguous: dict[str, list[list[int]]] = field(default_factory=dict)  # digit runs with several readings
    unsplit: dict[str, str] = field(default_factory=dict)                # digit runs left unread
    labels_seen: set[str] = field(default_factory=set)                   # rows whose label is printed
    _spec: dict[str, RowSpec] = field(default_factory=dict, repr=False)
    _spec_for: object = field(default=None, repr=False)

    @property
    def spec(self) -> dict[str, RowSpec]:
        if self._spec_for is not self.specs:
            self._spec, self._spec_for = {s.key: s for s in self.specs}, self.specs
        return self._spec

    def cell(self, row: str, column: str) -> Cell | None:
        cells = self.rows.get(row)
        if not cells:
            return None
        return cells[_column_index(self.spec[row].columns, column)]

    def value(self, row: str, column: str) -> int | float | None:
        c = self.cell(row, column)
        return c.value if c else None

    def grid_specs(self) -> list[RowSpec]:
        specs = [s for s in self.specs if s.in_grid]
        if self.other_single:
            specs = [s for s in specs if s.key not in ("other_overdue_correction", "other_unpaid_fee", "other_other")]
            specs.append(T3_OTHER_SINGLE)
        return specs

    def cells_expected(self) -> int:
        return sum(len(s.columns) for s in self.grid_specs())

    def cells_present(self) -> int:
        """Cells printed, including those of a row too short to place them in their columns."""
        placed = sum(1 for s in self.grid_specs() for c in self.rows.get(s.key) or [] if c is not None and not c.blank)
        return placed + sum(self.short_rows.values())

    @property
    def present(self) -> bool:
        """The table is there: it has values, or at least its row labels (an empty form is there, incomplete)."""
        return bool(self.rows) or len(self.labels_seen) >= 2

    def missing_rows(self) -> list[RowSpec]:
        """Rows lacking a cell, or whose stated total is blank (not stated: its identities are not checked)."""
        return [s for s in self.grid_specs() if not self.rows.get(s.key) or any(c is None for c in self.rows[s.key])
                or self.blank_totals(s.key)]

    def blank_totals(self, key: str) -> list[str]:
        """The column keys of row `key` whose cell is a total left blank."""
        cells = self.rows.get(key) or []
        columns = self.spec[key].columns if key in self.spec else ()
        return [col for col, c in zip(columns, cells, strict=False)
                if c is not None and c.blank and (col == "total" or key == "total_handled")]

    def values(self) -> dict[str, dict[str, int | float | None]]:
        return {key: {col: (c.value if c else None) for col, c in zip(self.spec[key].columns, cells, strict=False)}
                for key, cells in self.rows.items()}


@lru_cache(maxsize=256)
def _column_index(columns: tuple[str, ...], column: str) -> int:
    return columns.index(column)
