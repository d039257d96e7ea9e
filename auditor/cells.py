"""Cell text -> value: plain numbers, numbers with an annotation ("50（营业执照）"), dashes, blanks, digit runs."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from auditor.document import Box

_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")
# a number printed with its unit ("75394432.52元", "3件"): still the number
_WITH_UNIT = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)\s*(?:万元|元|件|条|个|项|人|次|户|家)$")
_ANNOTATED = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)\s*[（(\[【].*$")
_DASH = re.compile(r"^(?:[-—–/／－_\\~～…]+|无|空|不适用|N/?A)$", re.I)


@dataclass(slots=True)
class Cell:
    text: str                   # as printed
    value: int | float | None   # the number, when there is one
    plain: bool                 # a plain non-negative number: nothing else in the cell
    certain: bool = True        # its column and its digits were read with certainty
    pos: Box | None = None  # page and box on the page (Table.boxes), if known

    @property
    def blank(self) -> bool:
        """A real cell left empty: it keeps its column, and it is "not stated" (SPEC §3.3)."""
        return not self.text.strip()


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def to_number(text: str) -> int | float | None:
    text = text.replace(",", "")
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


@lru_cache(maxsize=16384)
def classify(text: str) -> str:
    """'number', 'annotated', 'dash', 'blank' or 'label'."""
    t = norm(text)
    if not t:
        return "blank"
    if _NUMBER.match(t) or _WITH_UNIT.match(t):
        return "number"
    if _ANNOTATED.match(t):
        return "annotated"
    if _DASH.match(t):
        return "dash"
    return "label"


def make_cell(text: str, certain: bool = True) -> Cell:
    if text == "0":  # most cells of most reports
        return Cell(text, 0, True, certain)
    t = norm(text)
    kind = classify(t)
    if kind == "number":
        value = to_number(m.group(1) if (m := _WITH_UNIT.match(t)) else t)
        return Cell(text, value, value is not None and value >= 0, certain)
    if kind == "annotated" and (m := _ANNOTATED.match(t)):
        return Cell(text, to_number(m.group(1)), False, certain)
    return Cell(text, None, False, certain)


@lru_cache(maxsize=4096)
def split_run(run: str, n: int, groups: int = 1, max_solutions: int = 2) -> list[list[int]]:
    """Split a run of digits printed without separators ("21710000218") into n integers.

    The run is split into `groups` equal groups whose last member is the sum of the others (the table identities
    T3-ROW and T4-SUM); with groups=0 there is no identity and only an unambiguous split counts.  Returns up to
    `max_solutions` solutions: one means the split is certain, more means it is ambiguous.
    """
    if not run.isdigit() or len(run) > min(60, n * 4):  # no real row prints 4-digit averages; bounds the search
        return []
    solutions: list[list[int]] = []
    if groups == 1:
        _single_group(run, n, solutions, max_solutions)
    elif groups:
        _equal_groups(run, n // groups, groups, solutions, max_solutions)
    else:
        _unambiguous(run, n, solutions, max_solutions)
    return solutions


def _parts(run: str, pos: int, k: int) -> Iterator[tuple[list[int], int]]:
    """Every way to read k numbers from run[pos:] (no leading zeros), yielding (numbers, end)."""
    if k == 0:
        yield [], pos
        return
    for end in range(pos + 1, min(len(run), pos + 9) + 1):
        piece = run[pos:end]
        if len(piece) > 1 and piece[0] == "0":
            break
        for rest, stop in _parts(run, end, k - 1):
            yield [int(piece), *rest], stop


def _equal_groups(run: str, size: int, groups: int, solutions: list[list[int]], max_solutions: int) -> None:
    """`groups` groups of `size` numbers, each group's last member the sum of the others."""

    def grouped(pos: int, g: int, acc: list[int]) -> None:
        if len(solutions) >= max_solutions:
            return
        if g == groups:
            if pos == len(run):
                solutions.append(acc)
            return
        for addends, end in _parts(run, pos, size - 1):
            total = str(sum(addends))
            if run.startswith(total, end):
                grouped(end + len(total), g + 1, acc + addends + [int(total)])

    grouped(0, 0, [])


def _unambiguous(run: str, n: int, solutions: list[list[int]], max_solutions: int) -> None:
    """n numbers with no identity between them."""
    for numbers, end in _parts(run, 0, n):
        if end == len(run):
            solutions.append(numbers)
            if len(solutions) >= max_solutions:
                break


def _single_group(run: str, n: int, solutions: list[list[int]], max_solutions: int) -> None:
    """n-1 addends then their total: try each length of the total, and prune addends by the running sum."""
    for total_len in range(1, len(run)):
        total_text = run[-total_len:]
        if len(total_text) > 1 and total_text[0] == "0":
            continue
        _addends(run[:-total_len], n - 1, int(total_text), total_len, solutions, max_solutions)


def _addends(prefix: str, count: int, total: int, total_len: int, solutions: list[list[int]],
             max_solutions: int) -> None:
    """`count` numbers of at most total_len digits reading `prefix` and summing to `total`."""
    budget = [20000]  # steps per total length: a hostile run gives up instead of spinning

    def walk(pos: int, k: int, acc: list[int], remaining: int) -> None:
        budget[0] -= 1
        if len(solutions) >= max_solutions or budget[0] < 0:
            return
        if k == 0:
            if pos == len(prefix) and remaining == 0:
                solutions.append([*acc, total])
            return
        left = len(prefix) - pos
        if left < k or left > k * total_len:
            return
        for end in range(pos + 1, min(len(prefix), pos + total_len) + 1):
            piece = prefix[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            value = int(piece)
            if value > remaining:
                break
            walk(end, k - 1, acc + [value], remaining - value)

    walk(0, count, [], total)
