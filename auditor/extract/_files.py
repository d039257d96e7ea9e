"""Reading a report file from disk without trusting its size (private; for the CLI and the archive)."""
from __future__ import annotations

import os
import stat

from auditor.extract.base import MAX_BYTES, ExtractionError


def read_report_file(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, or ExtractionError (one line) when it is not a regular file or is too big to be a report.
    The size is checked before anything is read, and never more than MAX_BYTES + 1 bytes are read (a file that
    grows while being read, or a device, cannot exhaust memory)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ExtractionError("文件不存在") from None
    except OSError as exc:
        raise ExtractionError(f"无法读取文件：{exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ExtractionError("不是普通文件")
    if st.st_size > MAX_BYTES:
        raise ExtractionError(f"文件过大（{st.st_size / 1048576:.0f} MB，上限 {MAX_BYTES // 1048576} MB），不像是年度报告")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ExtractionError(f"无法读取文件：{exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ExtractionError(f"文件过大（超过 {MAX_BYTES // 1048576} MB），不像是年度报告")
    return data
