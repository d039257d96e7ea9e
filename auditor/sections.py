"""Find the six sections of a report, tolerant of the heading variants of SPEC §3.1."""
from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.document import Block, Paragraph, Table
from auditor.labels import SECTION_NUMERALS, SECTION_PATTERNS, SECTION_TITLES

_NUM = r"(?P<num>[一二三四五六七八九十]{1,2}|[1-9]|[（(][一二三四五六七八九十]{1,2}[)）])"
_SEP = r"\s*(?P<sep>[、.．,，:：]?)\s*"
_LINE = {k: re.compile(rf"^{_NUM}{_SEP}(?P<phrase>{p})\s*[。:：.]?$") for k, p in SECTION_PATTERNS.items()}
_BARE = {k: re.compile(rf"^(?P<phrase>{p})[。:：]?$") for k, p in SECTION_PATTERNS.items()}
# a heading run into the text of a one-paragraph report (平潭: "…31日。一、总体情况 2024年，…")
_INLINE = re.compile("|".join(rf"{n}、(?:{SECTION_PATTERNS[n]})" for n in SECTION_NUMERALS))
# 五 printed with no heading of its own, only its sub-headings (上海市 2025: "（一）2024年工作中存在问题的改进情况")
_FIVE_SUBHEADING = re.compile(r"^[（(][一二][)）].{0,20}(存在的?主要问题|存在的?问题|主要问题)")
_HEADING_WORDS = ("总体情况", "主动公开", "收到和处理", "行政复议", "行政诉讼", "主要问题", "其他需要报告")
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
    text: str = ""        # the narrative, lines joined


def split_run_on(blocks: list[Block]) -> list[Block]:
    """Split paragraphs that carry several section headings inline into one paragraph per heading, and read
    tab-separated paragraphs (a text table typed in Word) as table rows, as the text extractor does."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Paragraph) and "\t" in b.text.strip():
            row = [c.strip() for c in b.text.split("\t")]
            if out and isinstance(out[-1], _TabbedTable):
                out[-1].rows.append(row)
            else:
                out.append(_TabbedTable(rows=[row], page=b.page))
            continue
        if isinstance(b, Paragraph) and len(b.text) > 120:
            matches = list(_INLINE.finditer(b.text))
            if matches:
                pos = 0
                for m in matches:  # the heading becomes a paragraph of its own, like any other heading
                    if piece := b.text[pos:m.start()].strip():
                        out.append(Paragraph(piece, b.page))
                    out.append(Paragraph(m.group(0), b.page))
                    pos = m.end()
                if piece := b.text[pos:].strip():
                    out.append(Paragraph(piece, b.page))
                continue
        out.append(b)
    return out


class _TabbedTable(Table):
    """Consecutive tab-separated paragraphs gathered into one table."""


def heading_of(text: str) -> tuple[str, bool, bool, int] | None:
    """(numeral, numbering_ok, wording_ok, rank) when `text` is a section heading; rank 0 is the best candidate
    (right numeral), 1 another top-level number, 2 a sub-item number such as （一）, 3 no number at all."""
    if len(text) > 90 or not any(k in text for k in _HEADING_WORDS):  # cheap test first: most paragraphs are prose
        return None
    line = _MARKUP.sub("", text)
    line = re.sub(r"\s+", "", line) if len(line) <= 60 else line
    if len(line) > 45:
        return None
    for numeral, pattern in _LINE.items():
        m = pattern.match(line)
        if m:
            num = m.group("num")
            numbering_ok = num == numeral and m.group("sep") == "、"
            rank = 0 if num in (numeral, str(SECTION_NUMERALS.index(numeral) + 1)) else 2 if num[0] in "（(" else 1
            return numeral, numbering_ok, m.group("phrase") == SECTION_TITLES[numeral], rank
    for numeral, pattern in _BARE.items():
        m = pattern.match(line)
        if m:
            return numeral, False, m.group("phrase") == SECTION_TITLES[numeral], 3
    return None


def find_sections(blocks: list[Block]) -> dict[str, Section]:
    """The sections found, each the first heading of its kind; ranges run to the next heading found."""
    found: dict[str, Section] = {}
    ranks: dict[str, int] = {}
    for i, b in enumerate(blocks):
        if isinstance(b, Paragraph) and (h := heading_of(b.text)):
            numeral, numbering_ok, wording_ok, rank = h
            if rank < ranks.get(numeral, 9):
                found[numeral] = Section(numeral, b.text.strip(), i, numbering_ok=numbering_ok, wording_ok=wording_ok)
                ranks[numeral] = rank
    if "五" not in found and "四" in found:
        _find_five_by_subheading(blocks, found)
    ordered = sorted(found.values(), key=lambda s: s.start)
    for s, nxt in zip(ordered, [*ordered[1:], None]):
        s.end = nxt.start if nxt else len(blocks)
        s.text = join_lines(b.text for b in blocks[s.start + (0 if s.via_subheading else 1):s.end]
                            if isinstance(b, Paragraph))
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


def join_lines(lines) -> str:
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
