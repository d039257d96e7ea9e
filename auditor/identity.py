"""Checking one identity of a table under the blank-cell and certainty policy (SPEC §3.3, DESIGN "Certainty before
accusation"), for every arithmetic rule alike.

- A cell that is not there (None) or not a number: the identity is not checked (TBL-INCOMPLETE / TBL-CELL say so).
- A blank total is "not stated": the identity is not checked (TBL-INCOMPLETE reports the blank).
- Blank parts count as 0 when the identity then holds; when it does not, the finding is a warning naming them.
- A cell whose column or digits were not read with certainty makes the finding a warning that says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from auditor.cells import Cell


@dataclass(slots=True)
class Term:
    cell: Cell | None
    row: str                 # the row's and the column's labels, for a message naming a blank or uncertain cell
    column: str
    total: bool = False      # the stated total of this identity: blank means not stated

    @property
    def where(self) -> str:
        return f"“{self.row}”行“{self.column}”列" if self.column else f"“{self.row}”"


@dataclass
class Verdict:
    left: int | float
    right: int | float
    blanks: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return abs(self.left - self.right) < 1e-9

    def doubt(self) -> str | None:
        """Why the finding is not certain, in Chinese; None when it is."""
        reasons = []
        if self.blanks:
            reasons.append("、".join(self.blanks[:4]) + ("等" if len(self.blanks) > 4 else "") + "为空白，按0计")
        if self.uncertain:
            reasons.append("、".join(self.uncertain[:4]) + ("等" if len(self.uncertain) > 4 else "")
                           + "的列位置或数字拆分不能确定")
        return "；".join(reasons) or None


def weigh(left: list[Term], right: list[Term]) -> Verdict | None:
    """Sum both sides; None when the identity cannot be checked."""
    verdict = Verdict(0, 0)
    for side, terms in ((0, left), (1, right)):
        total: int | float = 0
        for t in terms:
            cell = t.cell
            if cell is None:
                return None
            if cell.blank:
                if t.total:
                    return None
                verdict.blanks.append(t.where)
                continue
            if cell.value is None:
                return None
            if not cell.certain:
                verdict.uncertain.append(t.where)
            total += cell.value
        if side == 0:
            verdict.left = total
        else:
            verdict.right = total
    return verdict


def value(cell: Cell | None) -> int | float | None:
    """A cell's value for a message: a blank part shows as 0."""
    if cell is None:
        return None
    return 0 if cell.blank else cell.value
