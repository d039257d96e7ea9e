"""Reading the region of a table into items: labels and the values printed after them, from real tables, rows
printed as running text, one paragraph per row or one paragraph per cell."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from auditor.cells import classify
from auditor.document import Block, Box, Paragraph, Table
from auditor.labels import RowSpec
from auditor.tables.grid import NUMBERING

_CJK = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef“”‘’、（）]"
SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")
NUMERIC_PREFIX = re.compile(r"^\s*((?:\d[\d,]*(?:\.\d+)?\s*)+)")
_NOTE = re.compile(r"[(（][^()（）\d]{1,20}[)）]")
_ROW_PARAGRAPH = re.compile(r"^(?P<label>(?:\d{1,2}\s*[.．、]\s*)?[^\d\s][^\d]{1,80}?)?\s*(?P<values>(?:\d[\d,]*(?:\.\d+)?\s+){1,14}\d[\d,]*(?:\.\d+)?)$")


@dataclass
class Item:
    labels: list[str]
    values: list[str]               # the printed values, empty fields at either end dropped
    from_table: bool
    cells: list[str] | None = None  # a real grid's value cells as they stand, blanks included
    boxes: list[Box | None] | None = None  # where `cells` were printed (Table.boxes), when known
    fields: list[str] | None = None  # a row's value fields as printed, blanks included, when not a real grid (tabs)


def table_items(table: Table) -> list[Item]:
    items = []
    for r in range(len(table.rows)):
        cells = [c.strip() for c in table.own_cells(r)]
        boxes = table.own_boxes(r) if table.boxes else None
        kinds = [classify(c) for c in cells]
        label_idx = [i for i, k in enumerate(kinds) if k == "label"]
        labels = [cells[i] for i in label_idx]
        start = (label_idx[-1] + 1) if label_idx else 0
        raw = cells[start:]
        values = list(raw)
        while values and not values[0]:
            values.pop(0)
        while values and not values[-1]:
            values.pop()
        if labels or values:
            real = table.grid and values
            items.append(Item(labels, values, True, raw if real else None, boxes[start:] if real and boxes else None,
                              None if real else raw))
    return items


def positional(cells: list[str] | None, n: int) -> list[str] | None:
    """A real grid row's n value cells with blanks in their columns, when the row has exactly n of them (empty
    layout cells before or after excepted); None otherwise."""
    if cells is None:
        return None
    cells = list(cells)
    while len(cells) > n and not cells[0]:
        cells.pop(0)
    while len(cells) > n and not cells[-1]:
        cells.pop()
    return cells if len(cells) == n else None


def positional_boxes(cells: list[str] | None, boxes: list[Box | None] | None, n: int) -> list[Box | None] | None:
    """The boxes of the cells `positional` keeps, in the same order."""
    if cells is None or boxes is None or len(boxes) != len(cells):
        return None
    lo, hi = 0, len(cells)
    while hi - lo > n and not cells[lo]:
        lo += 1
    while hi - lo > n and not cells[hi - 1]:
        hi -= 1
    return boxes[lo:hi] if hi - lo == n else None


def _paragraph_items(text: str, label_re: re.Pattern[str]) -> list[Item]:
    """Rows printed as running text ("（一）予以公开710000071（二）部分公开…"): a label followed directly by numbers."""
    text = SPACE_NEAR_CJK.sub("", unicodedata.normalize("NFKC", text))
    matches = list(label_re.finditer(text))
    items = []
    for m, nxt in zip(matches, [*matches[1:], None], strict=False):
        segment = text[m.end(): nxt.start() if nxt else len(text)]
        num = NUMERIC_PREFIX.match(segment)
        if num:
            values = num.group(1).split()
            if note := _NOTE.match(segment, num.end()):  # "50(营业执照)": the note belongs to the number
                values[-1] += note.group(0)
            items.append(Item([m.group(0)], values, False))
    return items


def _fuzzy(label: str) -> str:
    """A label as a pattern in running text: punctuation optional (quotes, brackets and commas come and go)."""
    out = []
    for ch in unicodedata.normalize("NFKC", label):
        if ch.isspace():
            continue
        out.append(re.escape(ch) if ch.isalnum() else r"[^\w]?")
    return "".join(out)


@lru_cache(maxsize=16)
def label_regex(specs: tuple[RowSpec, ...], extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Official labels (with their numbering) as they appear in running text."""
    alts = []
    for s in specs:
        body = _fuzzy(NUMBERING.sub("", unicodedata.normalize("NFKC", s.label)))
        num = s.numbering.strip("（）()、.")
        if not num:
            alts.append(body)
        elif s.numbering[0] in "（(":
            alts.append(rf"[(（]{num}[)）]{body}")
        else:
            alts.append(rf"{num}[.．、]?{body}")
    alts += [_fuzzy(e) for e in extra]
    alts.sort(key=len, reverse=True)
    return re.compile("|".join(alts))


def _cell_paragraph(text: str) -> Item | None:
    """A paragraph that is one table cell: a table pasted as one paragraph per cell (Word to CMS editor)."""
    t = text.strip()
    kind = classify(t)
    if kind in ("number", "annotated", "dash"):
        return Item([], [t], True)
    if len(t) <= 60 and "。" not in t and not NUMERIC_PREFIX.search(t[-12:] if t else ""):
        return Item([t], [], True)
    return None


def region_items(blocks: list[Block], label_re: re.Pattern[str] | None) -> list[Item]:
    items: list[Item] = []
    no_tables = not any(isinstance(b, Table) for b in blocks)
    for b in blocks:
        if isinstance(b, Table):
            items += table_items(b)
        elif label_re is not None:
            scanned = _paragraph_items(b.text, label_re)
            if not scanned and (row := row_paragraph(b.text)):
                items.append(row)
            elif not scanned and no_tables and (cell := _cell_paragraph(b.text)):
                items.append(cell)
            else:
                items += scanned
    return items


def row_paragraph(text: str) -> Item | None:
    """A table row printed as one paragraph, its cells separated by spaces ("2.其他法律法规禁止公开 0 0 0 0 0 0 0"), the
    label in any wording (matched later by its keywords); or the numbers of a row whose label stood just before."""
    m = _ROW_PARAGRAPH.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    label = (m.group("label") or "").strip()
    return Item([label] if label else [], m.group("values").split(), False)


def region_text(blocks: list[Block]) -> str:
    parts = []
    for b in blocks:
        parts.append(b.text if isinstance(b, Paragraph) else " ".join(" ".join(r) for r in b.rows))
    return "\n".join(parts)
