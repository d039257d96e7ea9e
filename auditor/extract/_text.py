"""Small text helpers shared by the PDF, DOCX and OCR extractors (private)."""
from __future__ import annotations

import re

# a page number alone on a line: "-3-", "— 3 —", "第3页", "第 3 页 共 5 页", "3/5", "3"
PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_·•]*(?:第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})[\s\-—–－_·•]*$")

_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER.match(text)) and len(text.strip()) <= 20


def is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch))


def join_lines(lines: list[str]) -> str:
    """Join the lines of one cell or one paragraph: no separator between CJK characters, a space otherwise."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(line[0])) and not out.endswith(("-", "/")):
            out += " "
        out += line
    return out


def clean_cell(text: str) -> str:
    """A table cell's text on one line: lines joined, the spaces PDFs put between CJK characters removed."""
    text = join_lines(text.replace("\r", "\n").split("\n"))
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return re.sub(r"\s+", " ", text).strip()
