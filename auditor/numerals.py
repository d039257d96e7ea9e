"""Chinese numerals (cn2an, as DESIGN.md says): 二〇二三 -> 2023, 二十一 -> 21, and 12 -> 十二 for list numbering.

cn2an builds its tables when imported (about 0.4 s), so it is imported on first use: auditing a report whose dates
are all in Arabic digits never pays for it.  This is the one function-level import of the auditor kept for speed.
"""
from __future__ import annotations

from functools import cache
from types import ModuleType

# cn2an reads 〇 and 零 as zero, not the white circle ○ or the letter O that typists and OCR put for 〇
_ZERO_LOOKALIKES = str.maketrans({"○": "〇", "O": "〇", "Ｏ": "〇"})


@cache
def _cn2an() -> ModuleType:
    import cn2an  # noqa: PLC0415 - see the module's docstring

    module: ModuleType = cn2an
    return module


def cn_to_int(text: str) -> int | None:
    """The value of a Chinese numeral, digit by digit (二〇二三) or with units (二十一); None when it is malformed
    (十〇, 〇二十)."""
    try:
        return int(_cn2an().cn2an(text.translate(_ZERO_LOOKALIKES), "normal"))
    except (ValueError, KeyError, IndexError):
        return None


def int_to_cn(n: int) -> str:
    """A list number as Word prints a chinese-counting list: 1 -> 一, 10 -> 十, 21 -> 二十一; outside 1–99 in
    digits (a list that long is no report's outline)."""
    return str(_cn2an().an2cn(n)) if 0 < n < 100 else str(n)
