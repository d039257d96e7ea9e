"""Find the six sections of a report, tolerant of the heading variants of SPEC §3.1."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from auditor.document import Block, Paragraph, Table
from auditor.labels import SECTION_KEYWORDS, SECTION_NUMERALS, SECTION_PATTERNS, SECTION_TITLES, SECTION_VARIANTS

_NUM = r"(?P<num>[一二三四五六七八九十]{1,2}|[1-9]|[（(][一二三四五六七八九十]{1,2}[)）])"
_SEP = r"\s*(?P<sep>[、.．,，:：]?)\s*"
_LINE = {k: re.compile(rf"^{_NUM}{_SEP}(?P<phrase>{p})\s*[。:：.]?$") for k, p in SECTION_PATTERNS.items()}
_BARE = {k: re.compile(rf"^(?P<phrase>{p})[。:：]?$") for k, p in SECTION_PATTERNS.items()}
# a heading run into the text of a one-paragraph report (平潭: "…31日。一、总体情况 2024年，…")
_INLINE = re.compile("|".join(rf"{n}、(?:{SECTION_PATTERNS[n]})" for n in SECTION_NUMERALS))
# 五 printed with no heading of its own, only its sub-headings (上海市 2025: "（一）2024年工作中存在问题的改进情况")
_FIVE_SUBHEADING = re.compile(r"^[（(][一二][)）].{0,20}(存在的?主要问题|存在的?问题|主要问题)")
_HEADING_WORDS = ("情况", "主动公开", "收到和处理", "行政复议", "行政诉讼", "问题", "其他", "概述", "事项")
_MARKUP = re.compile(r"^[#*\s]+|[*\s]+$")


@dataclass
class Section:
    numeral: str
    heading: str          # the heading as printed ("" when found through a sub-heading)
    start: int            # index of the heading block
    end: int = 0          # index one past the section's last block
    numbering_ok: bool = True
    wording_ok: bool = True
    via_subheading: bool = False
    via_table: bool = False   # no heading found, but its table is plainly there
    text: str = ""        # the narrative, lines joined

    @property
    def first(self) -> int:
        """Index of the first block of the section's content (the heading itself is not content)."""
        return self.start if (self.via_subheading or self.via_table) else self.start + 1


def split_run_on(blocks: list[Block]) -> list[Block]:
    """Give every section heading a paragraph of its own: headings run into a one-paragraph report, printed on the
    line of a table's last row, or standing in a table cell.  Tab-separated paragraphs (a text table typed in Word)
    become table rows, as the text extractor does."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Paragraph) and "\t" in b.text.strip():
            row = [c.strip() for c in b.text.split("\t")]
            if out and isinstance(out[-1], _TabbedTable):
                out[-1].rows.append(row)
            else:
                out.append(_TabbedTable(rows=[row], page=b.page))
        elif isinstance(b, Paragraph):
            out += _split_paragraph(b)
        else:  # a Table
            out += _split_table(b)
    return out


def _split_paragraph(b: Paragraph) -> list[Block]:
    spans = [span for m in _NUMERAL_MARK.finditer(b.text)
             if m.start() > 0 and _splits_at(b.text, m.start()) and (span := _heading_at(b.text, m.start()))]
    if not spans:
        return [b]
    out: list[Block] = []
    pos = 0
    for start, end in spans:  # the heading becomes a paragraph of its own, like any other heading
        if start < pos:
            continue
        if piece := b.text[pos:start].strip():
            out.append(Paragraph(piece, b.page))
        out.append(Paragraph(b.text[start:end], b.page))
        pos = end
    if piece := b.text[pos:].strip():
        out.append(Paragraph(piece, b.page))
    return out


_NUMERAL_MARK = re.compile(r"[一二三四五六]、")
_HINTS = {"一": ("总体", "情况"), "二": ("主动", "公开"), "三": ("申请", "收到"), "四": ("复议", "诉讼"),
          "五": ("问题", "改进", "整改"), "六": ("其他", "事项")}


def _heading_at(text: str, at: int) -> tuple[int, int] | None:
    """The span of a section heading starting at `at` inside running text: as worded, or near one wording."""
    length = _heading_length(text[at:at + 50])
    return (at, at + length) if length else None


@lru_cache(maxsize=4096)
def _heading_length(text: str) -> int | None:
    if m := _INLINE.match(text):
        return m.end()
    numeral, body = text[0], 2
    if not any(w in text[body:body + 30] for w in _HINTS[numeral]):  # cheap: no word of the heading, no heading
        return None
    best: tuple[int, int] | None = None
    for v in SECTION_VARIANTS[numeral]:
        limit = max(1, len(v) // 6)
        for length in range(max(2, len(v) - limit), len(v) + limit + 1):
            d = edit_distance(text[body:body + length], v, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, body + length)
    return best[1] if best else None


def _splits_at(text: str, at: int) -> bool:
    """A heading inside a paragraph starts a section when the paragraph is a run-on report, or when the heading
    follows the numbers of a table row printed on the same line."""
    if len(text) > 120:
        return True
    before = text[:at].rstrip()
    return bool(before) and (before[-1].isdigit() or before[-1] in "。；;")


def _split_table(table: Table) -> list[Block]:
    """A heading standing in a cell of a table ends the table there and starts its section."""
    out: list[Block] = []
    start = 0
    for r, row in enumerate(table.rows):
        at = next((c for c, text in enumerate(row) if (r, c) not in table.copies and text.strip()
                   and _top_heading(text.strip())), None)
        if at is None:
            continue
        before = [x for x in row[:at]]  # a heading printed after the last row's values: the row stays
        if r > start or any(x.strip() for x in before):
            out.append(_rows(table, start, r, [before] if any(x.strip() for x in before) else []))
        out.append(Paragraph(row[at].strip(), table.page))
        start = r + 1
    if not out:
        return [table]
    if start < len(table.rows):
        out.append(_rows(table, start, len(table.rows)))
    return out


def _rows(table: Table, a: int, b: int, extra: list[list[str]] | None = None) -> Table:
    copies = frozenset((r - a, c) for r, c in table.copies if a <= r < b)
    return Table(rows=table.rows[a:b] + (extra or []), copies=copies, page=table.page, grid=table.grid)


def _top_heading(text: str) -> bool:
    if len(text) > 45 or len(text) < 4 or text[0] not in _LEADS:  # most cells are numbers or row labels
        return False
    h = heading_of(text)
    return h is not None and h[3] <= 1


_LEADS = set("一二三四五六123456#*")


class _TabbedTable(Table):
    """Consecutive tab-separated paragraphs gathered into one table."""


@lru_cache(maxsize=8192)
def heading_of(text: str) -> tuple[str, bool, bool, float] | None:
    """(numeral, numbering_ok, wording_ok, rank) when `text` is a section heading; rank 0 is the best candidate
    (right numeral), 1 another top-level number, 2 a sub-item number such as （一）, 3 no number at all; a heading
    matched only approximately (a typo) ranks half a step after an exact one."""
    if len(text) > 90:
        return None
    if not any(k in text for k in _HEADING_WORDS):  # cheap test first: most paragraphs are prose
        return (_approximate(text) or _in_own_words(text)) if len(text) <= 45 else None
    line = _MARKUP.sub("", text)
    line = re.sub(r"\s+", "", line) if len(line) <= 60 else line
    if len(line) > 45:
        return None
    for numeral, pattern in _LINE.items():
        m = pattern.match(line)
        if m:
            num = m.group("num")
            numbering_ok = num == numeral and m.group("sep") == "、"
            return numeral, numbering_ok, m.group("phrase") == SECTION_TITLES[numeral], _rank(num, numeral)
    for numeral, pattern in _BARE.items():
        m = pattern.match(line)
        if m:
            return numeral, False, m.group("phrase") == SECTION_TITLES[numeral], 3
    return _approximate(line) or _in_own_words(line)


def _rank(num: str, numeral: str) -> int:
    return 0 if num in (numeral, str(SECTION_NUMERALS.index(numeral) + 1)) else 2 if num[0] in "（(" else 1


_TOP = re.compile(r"^(?P<num>[一二三四五六]|[1-6])\s*(?P<sep>[、.．,，])\s*(?P<phrase>[^\d].{1,38}?)[。:：.]?$")
_NOT_WORD = re.compile(r"[\s\W_]+")


def _approximate(text: str) -> tuple[str, bool, bool, float] | None:
    """A numbered heading with a typo ("四、政府信息公开行政法复议、行政诉讼情况"): near one official wording."""
    m = _TOP.match(_MARKUP.sub("", text).strip())
    if not m:
        return None
    phrase = _NOT_WORD.sub("", m.group("phrase"))
    best: tuple[float, str] | None = None
    for numeral, targets in _TARGETS.items():
        for target in targets:
            limit = max(1, len(target) // 6)
            d = edit_distance(phrase, target, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, numeral)
    if best is None:
        return None
    numeral = best[1]
    num = m.group("num")
    return numeral, num == numeral and m.group("sep") == "、", False, _rank(num, numeral) + 0.5  # after exact ones


_TARGETS = {n: tuple(_NOT_WORD.sub("", v) for v in vs) for n, vs in SECTION_VARIANTS.items()}
_KEYWORDS = {n: re.compile(k) for n, k in SECTION_KEYWORDS.items()}


def _in_own_words(text: str) -> tuple[str, bool, bool, float] | None:
    """A top-level heading under the section's own number, in words of its own that name what the section is about
    ("五、存在的不足及下一步工作打算"): after exact and approximate matches, and only under its own number."""
    m = _TOP.match(_MARKUP.sub("", text).strip())
    if not m or "。" in m.group("phrase") or len(m.group("phrase")) > 30:
        return None
    numeral = m.group("num")   # a Chinese numeral only: "3.补正后申请内容仍不明确" is a row of table 三, not 三
    if numeral not in SECTION_NUMERALS or not _KEYWORDS[numeral].search(m.group("phrase")):
        return None
    return numeral, m.group("sep") == "、", False, 0.75


def edit_distance(a: str, b: str, limit: int = 8) -> int:
    """Levenshtein distance, or limit + 1 as soon as it is certain to exceed `limit` (only near misses matter)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def find_sections(blocks: list[Block], anchors: dict[str, int] | None = None) -> dict[str, Section]:
    """The sections found, each the first heading of its kind; ranges run to the next heading found.
    anchors: sections without a heading, found where their table is (numeral -> index of the table)."""
    found: dict[str, Section] = {}
    ranks: dict[str, float] = {}
    for i, b in enumerate(blocks):
        if isinstance(b, Paragraph) and (h := heading_of(b.text)):
            numeral, numbering_ok, wording_ok, rank = h
            if rank < ranks.get(numeral, 9):
                found[numeral] = Section(numeral, b.text.strip(), i, numbering_ok=numbering_ok, wording_ok=wording_ok)
                ranks[numeral] = rank
    for numeral, i in (anchors or {}).items():
        found[numeral] = Section(numeral, "", i, numbering_ok=False, wording_ok=False, via_table=True)
    if "五" not in found and "四" in found:
        _find_five_by_subheading(blocks, found)
    ordered = sorted(found.values(), key=lambda s: s.start)
    for s, nxt in zip(ordered, [*ordered[1:], None], strict=False):
        s.end = nxt.start if nxt else len(blocks)
        s.text = join_lines(b.text for b in blocks[s.first:s.end] if isinstance(b, Paragraph))
    return found


def _find_five_by_subheading(blocks: list[Block], found: dict[str, Section]) -> None:
    start = found["四"].start
    stop = found["六"].start if "六" in found else len(blocks)
    last_table = max((i for i in range(start, stop) if isinstance(blocks[i], Table)), default=start)
    for i in range(last_table + 1, stop):
        b = blocks[i]
        if isinstance(b, Paragraph) and len(b.text) < 40 and _FIVE_SUBHEADING.match(b.text.strip()):
            found["五"] = Section("五", "", i, numbering_ok=False, wording_ok=False, via_subheading=True)
            return


_SENTENCE_END = set("。！？；：!?;:）)】」”\"")


def join_lines(lines: Iterable[str]) -> str:
    """Join extracted lines into running text: a line broken mid-sentence (page break, PDF wrap) is glued back."""
    out: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and out[-1][-1] not in _SENTENCE_END and not re.match(r"^[（(]?[一二三四五六七八九十\d]+[、.．)）]", line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)
