"""Reports of the old era (2008–2018, the 2007 条例; SPEC §1.3): the six topics of old Art. 32, found by content and
not by heading number, and the provincial statistics table (指标名称 / 计量单位 / 本年度 / 历年累计) as a labelled grid.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from auditor.cells import Cell, classify, make_cell
from auditor.document import Block, Paragraph, Table


@dataclass(frozen=True)
class Topic:
    key: str
    name: str                 # as old Art. 32 words it
    pattern: re.Pattern[str]
    required: bool = True     # (六) "other matters" is there only when there are any


TOPICS = (
    Topic("proactive", "（一）主动公开政府信息的情况", re.compile(r"主动公开")),
    Topic("on_request", "（二）依申请公开政府信息和不予公开政府信息的情况", re.compile(r"依申请|申请公开|公开申请|受理.{0,8}申请")),
    Topic("fees", "（三）政府信息公开的收费及减免情况", re.compile(r"收费|减免|收取.{0,10}费|费用")),
    Topic("review", "（四）因政府信息公开申请行政复议、提起行政诉讼的情况", re.compile(r"行政复议|行政诉讼|复议|诉讼")),
    Topic("problems", "（五）政府信息公开工作存在的主要问题及改进情况",
          re.compile(r"(存在|主要|突出)的?(主要)?问题|不足之处|(还|仍)存在.{0,12}(问题|不足)|改进(措施|情况|方向)|整改")),
    Topic("other", "（六）其他需要报告的事项", re.compile(r"其他需要报告|其他事项"), required=False),
)


# "本报告由概述、主动公开…和统计表共七个部分组成": the preamble lists the parts; that is not reporting on them
_OUTLINE = re.compile(r"[^。]*本(?:年度)?报告[^。]*(?:组成|包括|分为|共分|部分)[^。]*。?")


def missing_topics(text: str) -> list[Topic]:
    """The required topics of old Art. 32 of which the report says nothing at all."""
    text = _OUTLINE.sub("", text)
    return [t for t in TOPICS if t.required and not t.pattern.search(text)]


# --- the statistics table ---------------------------------------------------------------------------------------
@dataclass
class StatRow:
    label: str
    unit: str
    cells: list[Cell | None]
    parent: int | None = None    # index of the total this row is a part of ("其中：1、…")
    unsplit: str | None = None   # a run of digits with several readings, left unread


@dataclass
class StatsTable:
    columns: list[str]
    rows: list[StatRow] = field(default_factory=list)

    def parts(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i, row in enumerate(self.rows):
            if row.parent is not None:
                out.setdefault(row.parent, []).append(i)
        return out

    def exclusive_parts(self) -> dict[int, list[int]]:
        """The "其中" lists whose items exclude each other: the ways an application arrives (当面, 网上, 信函…) and the
        kinds of reply (同意公开, 不予公开…).  Not the channels a document was published through (one document is
        on the website and in the gazette: 平潭 2017, 网站 2122 of 2122), nor properties of some of the items
        (全文电子化, 规范性文件): those may add up to more than their total."""
        return {p: c for p, c in self.parts().items() if all(_EXCLUSIVE.search(self.rows[i].label) for i in c)}


# the breakdowns that partition their total: one application arrives one way, one reply is of one kind
_EXCLUSIVE = re.compile(r"当面|网上|网络|在线|信函|传真|邮件|电子邮件|电话|来信|来访|申请数|"
                        r"答复数|同意|不同意|不予|部分公开|其他类型|非本|不属于|不存在|告知|转办|不予受理")


_UNITS = "万元|人次|条|件|元|个|次|项|份|篇|人"
_HEADER = re.compile(r"指标名称|计量单位")
_SUB = re.compile(r"^\s*(其中[：:]?)?\s*(\d{1,2})\s*[、.．]\s*|^\s*其中[：:]\s*")


def stats_table(blocks: list[Block]) -> StatsTable | None:
    """The statistics table of an old-era report, from a real table or from text run together."""
    for i, b in enumerate(blocks):
        if isinstance(b, Table) and any(_HEADER.search(" ".join(r)) for r in b.rows[:3]):
            return _from_table(b)
        if isinstance(b, Paragraph) and (m := _HEADER.search(b.text)):
            rest = " ".join([b.text[m.start():]] + [x.text for x in blocks[i + 1:i + 40] if isinstance(x, Paragraph)])
            return _from_text(rest)
    return None


def _columns(header: str) -> list[str]:
    columns = ["本年度"]
    if "累计" in header:
        columns.append("历年累计")
    return columns


def _from_table(table: Table) -> StatsTable:
    header = next(" ".join(r) for r in table.rows if _HEADER.search(" ".join(r)))
    stats = StatsTable(_columns(header))
    n = len(stats.columns)
    builder = _Builder(stats)
    for r in range(len(table.rows)):
        cells = [c.strip() for c in table.own_cells(r)]
        if not cells or _HEADER.search(" ".join(cells)):
            continue
        label = cells[0]
        unit = cells[1] if len(cells) > 1 and classify(cells[1]) == "label" and len(cells[1]) <= 3 else ""
        values = cells[2:] if unit else cells[1:]
        values = values[:n] if table.grid else [v for v in values if v][:n]
        row = StatRow(_clean(label), unit, [make_cell(v) if (v or table.grid) else None for v in values]
                      + [None] * (n - len(values)))
        builder.add(row, label)
    return stats


@dataclass
class _Builder:
    """Rows in order: "其中：1、…" starts the parts of the last main row, "2、" "3、" … continue them."""

    stats: StatsTable
    main: int | None = None
    part: int = 0             # the number of the last part, 0 when not inside a "其中" list

    def add(self, row: StatRow, label: str) -> None:
        m = _SUB.match(label)
        number = int(m.group(2)) if m and m.group(2) else None
        starts = bool(m) and label.lstrip().startswith("其中")
        if self.main is not None and (starts or (number is not None and self.part and number == self.part + 1)):
            row.parent = self.main
            self.part = number or self.part + 1
        else:
            self.main, self.part = len(self.stats.rows), 0
        self.stats.rows.append(row)


def _clean(label: str) -> str:
    return _SUB.sub("", unicodedata.normalize("NFKC", label)).strip()


_ROW = re.compile(rf"(?P<label>(?:其中[：:]?\s*)?(?:\d{{1,2}}\s*[、.．]\s*)?[^\d\s][^\d]*?)\s*(?P<unit>{_UNITS})\s*"
                  r"(?P<digits>\d[\d.]*)")
_HEADER_WORDS = re.compile(r"指标名称|计量单位|单位|本年度|历年累计|累计|\d{4}\s*年度?")


def _from_text(text: str) -> StatsTable:
    """"主动公开文件数条294981916其中：1、政府网站公开数条2949819162、政府公报公开数条00…": label, unit and the
    digits of every column run together; the next item's number ("2、") is glued to the digits before it."""
    pos = 0
    while (m := _HEADER_WORDS.match(text, pos)) or (pos < len(text) and text[pos].isspace()):
        pos = m.end() if m else pos + 1
    stats = StatsTable(_columns(text[:pos]))
    builder = _Builder(stats)
    carried = ""
    while m := _ROW.search(text, pos):
        label, digits = carried + m.group("label").strip(), m.group("digits")
        carried = ""
        after = text[m.end():m.end() + 1]
        number = _SUB.match(label)
        if after in "、.．" and after:
            nxt = str(int(number.group(2)) + 1) if number and number.group(2) else "1"
            if digits.endswith(nxt) and len(digits) > len(nxt):
                digits, carried = digits[:-len(nxt)], nxt
        row = StatRow(_clean(label), m.group("unit"), [])
        row.cells = _split(digits, len(stats.columns), row)
        builder.add(row, label)
        pos = m.end()
        if len(stats.rows) > 200:
            break
    return stats


def _split(digits: str, n: int, row: StatRow) -> list[Cell | None]:
    """A run of digits into n values, when only one reading is possible (no leading zeros; 历年累计 ≥ 本年度)."""
    if n == 1:
        return [make_cell(digits)]
    readings = []
    for cut in range(1, len(digits)):
        a, b = digits[:cut], digits[cut:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0") or "." in a + b:
            continue
        if int(b) >= int(a):
            readings.append((a, b))
    if len(readings) == 1:
        return [make_cell(v) for v in readings[0]]
    row.unsplit = digits
    return [None] * n
