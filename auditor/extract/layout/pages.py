"""Pages joined into one Document: a paragraph or a table that runs on over a page break is one."""
from __future__ import annotations

import re

from auditor.document import Block, Box, Paragraph, Table
from auditor.extract._text import clean_cell, join_lines
from auditor.extract.layout.paragraphs import PageBlocks


def join_pages(pages: list[PageBlocks]) -> list[Block]:
    """Concatenate pages: a table continued on the next page becomes one table, a paragraph cut by the page
    break becomes one paragraph."""
    blocks: list[Block] = []
    prev: PageBlocks | None = None
    for pb in pages:
        items = list(pb.blocks)
        if pb.lead_fragment:
            last = blocks[-1] if blocks else None
            if isinstance(last, Table) and last.rows:
                row = list(last.rows[-1])
                labels = [c for c, t in enumerate(row) if t and not _NUMERIC.match(t)]
                if labels:
                    row[labels[-1]] = clean_cell(row[labels[-1]] + pb.lead_fragment)
                    blocks[-1] = Table(rows=last.rows[:-1] + [row], copies=last.copies, page=last.page, grid=last.grid,
                                       boxes=last.boxes)
                else:
                    items.insert(0, Paragraph(pb.lead_fragment, page=pb.blocks[0].page if pb.blocks else None))
            else:
                items.insert(0, Paragraph(pb.lead_fragment, page=pb.blocks[0].page if pb.blocks else None))
        if prev is not None and items and blocks:
            last, first = blocks[-1], items[0]
            if isinstance(last, Table) and isinstance(first, Table) and _same_columns(last, first):
                first = _continue_labels(last, first)
                last, first = _join_split_row(last, first)
                rows = last.rows + first.rows
                off = len(last.rows)
                copies = set(last.copies) | {(r + off, c) for r, c in first.copies}
                blocks[-1] = Table(rows=rows, copies=frozenset(copies), page=last.page, grid=last.grid and first.grid,
                                   boxes=_shift_boxes(last.boxes, first.boxes, off))
                items = items[1:]
            elif isinstance(last, Paragraph) and isinstance(first, Paragraph) and prev.last_open \
                    and not pb.first_indented:
                blocks[-1] = Paragraph(join_lines([last.text, first.text]), page=last.page)
                items = items[1:]
        blocks.extend(items)
        prev = pb
    return blocks


def _shift_boxes(a: dict[tuple[int, int], Box] | None, b: dict[tuple[int, int], Box] | None,
                 offset: int) -> dict[tuple[int, int], Box] | None:
    """The boxes of table `a` followed by those of `b` whose rows come `offset` rows lower."""
    if not a and not b:
        return None
    out = dict(a or {})
    out.update({(r + offset, c): box for (r, c), box in (b or {}).items()})
    return out


def _same_columns(a: Table, b: Table) -> bool:
    if not a.rows or not b.rows:
        return False
    return len(a.rows[0]) == len(b.rows[0])


_NUMERIC = re.compile(r"^[\d.,，\s%-]+$")


def _continue_labels(last: Table, first: Table) -> Table:
    """A merged label cell cut by the page break leaves empty label cells at the top of the continuation:
    they are copies of the label above the break."""
    if not last.rows or not first.rows:
        return first
    head = first.rows[0]
    numeric = [c for c, text in enumerate(head) if text and _NUMERIC.match(text)]
    if not numeric:
        return first
    rows = [list(r) for r in first.rows]
    copies = set(first.copies)
    above = last.rows[-1]
    for c in range(numeric[0]):
        if head[c] or (0, c) in copies or not above[c] or _NUMERIC.match(above[c]):
            continue
        # the empty cell at (0, c) and every copy of it below
        rows[0][c] = above[c]
        copies.add((0, c))
        r = 1
        while r < len(rows) and (r, c) in copies and rows[r][c] == "":
            rows[r][c] = above[c]
            r += 1
    return Table(rows=rows, copies=frozenset(copies), page=first.page, grid=first.grid, boxes=first.boxes)


_ROW_START = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]")


def _join_split_row(last: Table, first: Table) -> tuple[Table, Table]:
    """A row cut by the page break (its text goes on at the top of the next page): one row again."""
    if not last.rows or not first.rows or len(first.rows) < 1:
        return last, first
    a, b = last.rows[-1], first.rows[0]
    if len(a) != len(b):
        return last, first
    filled_b = [c for c, t in enumerate(b) if t and (0, c) not in first.copies]
    if not filled_b:
        return last, first
    if any(not a[c] for c in filled_b) or any(_ROW_START.match(b[c]) for c in filled_b):
        return last, first
    if any(_NUMERIC.match(b[c]) for c in filled_b):
        return last, first
    a_numeric = any(t and _NUMERIC.match(t) for t in a)
    if not a_numeric and not any(_unbalanced(a[c]) for c in filled_b):
        return last, first
    r = len(last.rows) - 1
    # the last row's owners get the continuation text; their copies in that row follow
    new_a = list(a)
    for c in filled_b:
        if (r, c) not in last.copies:
            new_a[c] = a[c] + b[c]
    rows = last.rows[:-1] + [new_a]
    rest = [list(x) for x in first.rows[1:]]
    copies = {(rr - 1, cc) for rr, cc in first.copies if rr > 0}
    return (Table(rows=rows, copies=last.copies, page=last.page, grid=last.grid, boxes=last.boxes),
            Table(rows=rest, copies=frozenset(copies), page=first.page, grid=first.grid,
                  boxes=_shift_boxes(None, {k: v for k, v in (first.boxes or {}).items() if k[0] > 0}, -1)))


def _unbalanced(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")
