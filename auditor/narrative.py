"""Reading enumerations in the narrative (SPEC §2.7 N5): a stated total and its parts, as a careful reader does.

"共发布信息348条，其中政府预决算19条、部门预决算224条（含…）…；因…引起的行政复议2件" — the total is the quantity just
before "其中"; the parts run to the end of the enumeration: not into brackets or a "，包括…" (a breakdown of one
part), not past a new "其中" or "共…" (another enumeration), not into a clause about something else.  Each "；" is a
place where the enumeration may end, so a total met there is met.  A total that is one of two counts just before
"其中" is not certain, and "其中重点…" is a selection, not a breakdown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

UNITS = {"件": "件", "条": "条", "篇": "篇", "个": "个", "人": "人", "名": "人", "位": "人", "次": "次", "项": "项",
         "期": "期", "场": "场", "处": "处", "万元": "万元", "元": "元", "户": "户", "家": "家", "份": "份", "起": "起"}
_QTY = re.compile(r"(?<![\d.第])(\d+(?:\.\d+)?)\s*(万元|件|条|篇|个|人|名|位|次|项|期|场|处|元|户|家|份|起)(?![\d%])")
_APPROX = re.compile(r"(超过?|近|约|余|多|以上|左右|逾)$")
TOTAL_MARK = re.compile(r"(共计|共有|共|总计|合计|累计|总数|总量|总共)")
_SENTENCES = re.compile(r"[^。！？\n]+")
# a clause that turns to another subject ends the enumeration before it
_OTHER_SUBJECT = re.compile(r"^\s*(因|另|另外|此外|同时|并|还|以及|截至|截止|全年|本年|今年)")
# a number printed without its unit as a part: "不予公开信息数1402" (a label just before, a separator after)
_BARE_NUMBER = re.compile(r"(?<=[\u4e00-\u9fff”》）)])\s*(\d+)\s*(?=[、，,；;。]|$)")
_BRACKETS = re.compile(r"[（(][^（()）]*[)）]")
# "…1条，包括机构概况1条，以及…2条": a breakdown of the part before it, to the end of the clause, as a bracket is
_BREAKDOWN = re.compile(r"[，,]\s*(?:包括|包含|含有|含|涵盖)")
_SELECTION = re.compile(r"^[：:\s]*(?:重点|主要|突出|较为|比较|尤其|特别)")


@dataclass
class Qty:
    value: float
    unit: str
    start: int
    approx: bool


def quantities(text: str) -> list[Qty]:
    out = []
    for m in _QTY.finditer(text):
        before, after = text[max(0, m.start() - 2):m.start()], text[m.end():m.end() + 1]
        approx = bool(_APPROX.search(before)) or after in ("余", "多")
        out.append(Qty(float(m.group(1)), UNITS[m.group(2)], m.start(), approx))
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(text) if s.strip()]


@dataclass
class Enumeration:
    totals: list[Qty]                 # the stated totals (one per unit)
    explicit: bool                    # "共/合计/…" before the total: the parts should add up to it exactly
    clauses: list[list[Qty]] = field(default_factory=list)  # the parts, clause by clause ("；")
    bare: int = 0                     # parts printed without a unit

    def parts(self, unit: str) -> list[Qty]:
        return [q for clause in self.clauses for q in clause if q.unit == unit]

    def met_at_a_clause_end(self, total: Qty) -> bool:
        running = 0.0
        for clause in self.clauses:
            running += sum(q.value for q in clause if q.unit == total.unit)
            if abs(running - total.value) < 1e-6:
                return True
        return False


def enumerations(sentence: str, previous: str = "") -> list[Enumeration]:
    """Every "total …，其中 parts" in a sentence; a sentence that opens with "其中" takes its total from the one before."""
    out = []
    for m in re.finditer("其中", sentence):
        head = sentence[:m.start()]
        if not head.strip("，,：: ") and previous:
            head = previous
        clauses = re.split(r"[，,：:]", re.split(r"[；;]", head.rstrip("，,：: （("))[-1])
        totals = [q for q in quantities(clauses[-1]) if not q.approx]
        if not totals or _two_counts(clauses, totals):
            continue
        tail = _tail(sentence[m.end():], bracketed=head.count("（") + head.count("(") > head.count("）") + head.count(")"))
        # "其中重点…" picks some out; it does not claim to list them all
        enum = Enumeration(totals, bool(TOTAL_MARK.search(clauses[-1])) and not _SELECTION.match(tail))
        for part in re.split(r"[；;]", tail):
            if enum.clauses and _OTHER_SUBJECT.match(part):
                break
            flat = _without_breakdown(_BRACKETS.sub("", part))
            enum.clauses.append(quantities(flat))
            enum.bare += len(_BARE_NUMBER.findall(_QTY.sub("", flat)))
        out.append(enum)
    return out


def _without_breakdown(part: str) -> str:
    """The part up to a "，包括…" that follows one of its quantities ("其中，包括…" itself introduces the parts)."""
    m = _BREAKDOWN.search(part)
    return part[:m.start()] if m and _QTY.search(part, 0, m.start()) else part


def _two_counts(clauses: list[str], totals: list[Qty]) -> bool:
    """"收到申请9件，上年结转1件，其中网上5件、信函5件": the parts may be of either count or of both, so the total is
    not certain (unless the last one says 共/合计)."""
    if len(clauses) < 2 or TOTAL_MARK.search(clauses[-1]):
        return False
    units = {t.unit for t in totals}
    return any(q.unit in units and not q.approx for q in quantities(clauses[-2]))


def _tail(text: str, bracketed: bool) -> str:
    """The enumeration after "其中": to the closing bracket when it was opened inside brackets, else to the next
    "其中" or "共…" (another enumeration)."""
    if bracketed:
        close = min((i for i in (text.find("）"), text.find(")")) if i >= 0), default=len(text))
        return text[:close]
    text = text.split("其中", 1)[0]
    return TOTAL_MARK.split(text, maxsplit=1)[0]
