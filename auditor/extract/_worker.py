"""The extraction worker (python -m auditor.extract._worker), started by _sandbox.py: reads (kind, bytes, seconds,
OCR engine) requests on stdin, answers ("ok", Document) / ("error", line) / ("fatal", line) on stdout, under
RLIMIT_AS."""
from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import resource
import signal
import sys

from auditor.extract import extract_here, ocr_engines
from auditor.extract._sandbox import read_exactly, write_message
from auditor.extract.base import ExtractionError, check_size, deadline


def _limit_memory() -> None:
    mb = int(os.environ.get("OGIAUDIT_EXTRACT_MEMORY_MB", "1024"))
    limit = mb << 20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))   # PR_SET_PDEATHSIG
    parent = os.environ.get("OGIAUDIT_SANDBOX_PARENT")
    if parent and os.getppid() != int(parent):
        os._exit(1)


def _answer(kind: str, data: bytes, seconds: float, engine: str | None = None) -> tuple[str, object]:
    try:
        ocr_engines.use(engine)
        with deadline(seconds):
            document = extract_here(data, kind)
        check_size(document)
        return "ok", document
    except ExtractionError as exc:
        return "error", " ".join(str(exc).split()) or "无法读取"
    except MemoryError:
        return "fatal", f"读取时超出内存上限（{os.environ.get('OGIAUDIT_EXTRACT_MEMORY_MB', '1024')} MB），文件可能是恶意构造的，已跳过"
    except RecursionError:
        return "fatal", "文件结构嵌套过深，无法读取，已跳过"
    except Exception as exc:  # noqa: BLE001 - a parser's failure on hostile bytes is that file's one line
        message = " ".join(str(exc).split())[:200]
        return "fatal", f"读取时出错（{type(exc).__name__}{'：' + message if message else ''}），已跳过"


def main() -> None:
    _die_with_parent()
    _limit_memory()
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)   # whatever a library prints goes to stderr, never into the replies
    requests = sys.stdin.buffer
    while True:
        try:
            size = int.from_bytes(read_exactly(requests, 8), "big")
            kind, data, seconds, *engine = pickle.loads(read_exactly(requests, size))
        except EOFError:
            return
        status, value = _answer(kind, data, seconds, *engine)
        try:
            payload = pickle.dumps((status, value), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            status, payload = "fatal", pickle.dumps(("fatal", "读取结果过大，已跳过"))
        write_message(replies, payload)
        if status == "fatal":
            return


if __name__ == "__main__":
    main()
