"""Legacy Word (.doc) and WPS (.wps) files: LibreOffice headless converts them to DOCX in a child process (its own
temporary profile folder, a time limit, the whole process group killed on timeout), then the DOCX path reads them.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from auditor.document import Document
from auditor.extract import docx
from auditor.extract.base import ExtractionError, remaining

TIMEOUT = 120  # seconds for one conversion
MISSING = "未安装 LibreOffice，无法读取 DOC/WPS 文件：apt-get install libreoffice-writer-nogui（或 libreoffice-writer）"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract(data: bytes) -> Document:

    _check_compound_file(data)
    return docx.extract(convert(data, "docx"))  # extract() names the format doc or wps


def _check_compound_file(data: bytes) -> None:
    """A .doc/.wps is an OLE compound file: a header LibreOffice would otherwise import as plain text."""
    if len(data) < 1536 or data[28:30] != b"\xfe\xff" or int.from_bytes(data[30:32], "little") not in (9, 12):
        raise ExtractionError("DOC/WPS 文件已损坏或不完整（不是有效的 Word/WPS 复合文档）")
    sector = 1 << int.from_bytes(data[30:32], "little")
    if len(data) < 512 + 2 * sector:
        raise ExtractionError("DOC/WPS 文件不完整（文件被截断）")


def convert(data: bytes, target: str = "docx", timeout: float = TIMEOUT) -> bytes:
    """Convert a DOC/WPS file to `target` (docx or pdf) with LibreOffice; the converted bytes.  Both attempts
    together stay within `timeout` and within the document's deadline (extract.remaining)."""

    exe = soffice()
    if exe is None:
        raise ExtractionError(MISSING)
    with tempfile.TemporaryDirectory(prefix="ogiaudit-lo-") as tmp:
        work = Path(tmp)
        stop = time.monotonic() + remaining(timeout)
        for name in ("report.doc", "report.wps"):
            if stop - time.monotonic() < 1:
                raise ExtractionError("DOC/WPS 文件转换超时，文件可能已损坏或是恶意构造的")
            src = work / name
            src.write_bytes(data)
            out = work / "out"
            out.mkdir(exist_ok=True)
            _run([exe, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--invisible",
                  "--nologo", "--norestore", "--nolockcheck", "--convert-to", target, "--outdir", str(out), str(src)],
                 stop - time.monotonic(), work)
            result = out / f"report.{target}"
            if result.exists() and result.stat().st_size > 0:
                return result.read_bytes()
            src.unlink()
    raise ExtractionError("DOC/WPS 文件无法转换（文件已损坏、已加密或不是 Word/WPS 文档）")


def _run(cmd: list[str], timeout: float, home: Path) -> None:
    env = {**os.environ, "HOME": str(home), "SAL_USE_VCLPLUGIN": "svp"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env=env, cwd=home, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise ExtractionError(f"DOC/WPS 文件转换超时（超过 {timeout:.0f} 秒），文件可能已损坏") from None
