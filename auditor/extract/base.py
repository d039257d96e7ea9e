"""What every extractor shares: the one-line ExtractionError, the size limits of a Document, and the deadline of
the document being read (remaining()).  No format code here; every module of the package imports this one."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from auditor.document import Document, Table

MAX_BYTES = 64 * 1024 * 1024  # a report larger than this is not a report; refuse it before any parser sees it
INLINE_BYTES = 4 * 1024 * 1024          # text and HTML up to this size are read in this process
INLINE_KINDS = ("text", "markdown", "html")
MAX_CHARS = 4_000_000                   # text in one Document (a 300-page report has about 500,000)
MAX_CELLS = 1_000_000                   # table cells in one Document


class ExtractionError(Exception):
    """A document that cannot be read.  The message is one line, in Chinese, saying what is wrong."""


def failure_line(exc: BaseException) -> str:
    """One line saying why a document could not be read or audited, whatever was raised (a hostile file may make
    a parser raise anything: that is this document's problem, said in one line, and the run goes on)."""
    if isinstance(exc, ExtractionError):
        text = str(exc)
    elif isinstance(exc, MemoryError):
        text = "读取时内存不足（文件可能是恶意构造的），已跳过"
    elif isinstance(exc, RecursionError):
        text = "文件结构嵌套过深，无法读取，已跳过"
    elif isinstance(exc, OSError):
        text = f"无法读取文件：{exc.strerror or exc}"
    else:
        text = f"读取或审核时出错（{type(exc).__name__}：{exc}），已跳过"
    return " ".join(text.split())[:500] or type(exc).__name__


def check_size(document: Document) -> None:
    """A Document too large to be a report (the product of an amplification attack) is refused in one line."""
    chars = cells = 0
    for block in document.blocks:
        if isinstance(block, Table):
            cells += sum(len(row) for row in block.rows)
            chars += sum(len(cell) for row in block.rows for cell in row)
        else:
            chars += len(block.text)
        if chars > MAX_CHARS or cells > MAX_CELLS:
            raise ExtractionError(f"文件内容过多（超过 {MAX_CHARS // 10000} 万字或 {MAX_CELLS // 10000} 万个单元格），"
                                  "不像是年度报告，疑似恶意构造")


_DEADLINE: float | None = None


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Within: remaining() counts down from `seconds` (the sandbox worker's time for one document)."""
    global _DEADLINE
    previous, _DEADLINE = _DEADLINE, time.monotonic() + seconds
    try:
        yield
    finally:
        _DEADLINE = previous


def remaining(default: float) -> float:
    """Seconds a slow step (OCR of a page, a LibreOffice conversion) may still take: `default`, or less when the
    document's deadline is nearer."""
    return default if _DEADLINE is None else min(default, _DEADLINE - time.monotonic())
