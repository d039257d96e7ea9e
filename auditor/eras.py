"""The three eras of the law and the format (SPEC §1.3): each report is judged by the rules of its own year.

The report year decides the era, once, in `report.py`; rules declare the eras they cover; nothing else guesses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Era:
    id: str           # stable, in the JSON output: "2008-2018", "2019-2020", "2021-"
    name: str         # Chinese, for people
    law: str
    first_year: int
    last_year: int | None

    def covers(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)


OLD = Era("2008-2018", "2008—2018年度（2007年条例，无统一格式）",
          "《中华人民共和国政府信息公开条例》（国务院令第492号，2008年5月1日施行）", 2008, 2018)
TRIAL = Era("2019-2020", "2019—2020年度（2019年条例，试行格式）",
            "《中华人民共和国政府信息公开条例》（国务院令第711号）；国办公开办函〔2019〕60号试行格式", 2019, 2020)
CURRENT = Era("2021-", "2021年度起（2019年条例，2021年格式）",
              "《中华人民共和国政府信息公开条例》（国务院令第711号）；国办公开办函〔2021〕30号格式", 2021, None)
ERAS = (OLD, TRIAL, CURRENT)
NEW_LAW = (TRIAL, CURRENT)      # the 2019 条例: Art. 49 deadlines, Art. 50 content, the official tables
ALL = ERAS

# 2007 条例 Art. 31: every organ, departments included, published by 31 March
OLD_DEADLINE = "03-31"


def era_of(year: int | None) -> Era | None:
    """The era of a report year; None when the year is unknown (or before the 2007 条例 took effect)."""
    if year is None:
        return None
    return next((e for e in ERAS if e.covers(year)), None)


def deadline_for(kind: str, year: int, *, township: str = "01-31", department: str = "01-31",
                 government: str = "03-31") -> date:
    """The publication deadline (in year + 1) of a `kind` body's report for `year`; month-days as MM-DD.

    Old era: 31 March for every organ (2007 条例 Art. 31).  From 2019: Art. 49 by kind; townships by county rule."""
    if era_of(year) is OLD:
        month_day = OLD_DEADLINE
    else:
        month_day = {"township": township, "department": department, "government": government}[kind]
    month, day = (int(x) for x in month_day.split("-"))
    return date(year + 1, month, day)


def names(eras: tuple[Era, ...]) -> str:
    return "；".join(e.name for e in eras)
