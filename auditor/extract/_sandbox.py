"""Untrusted bytes are read in a worker process with a memory and a time budget, so that a hostile file (a zip,
flate or XML bomb, a glyph-heavy PDF, a giant TIFF, a parser crash) costs one line for that file and nothing else.

- One worker process is started on first use and reused (starting one costs ~0.3 s; a document then costs a
  pipe round trip, ~1 ms).  It caps its own address space (RLIMIT_AS, MEMORY_MB), leads its own process group
  (Tesseract and other helpers included) and dies with its parent.
- The parent gives each document SECONDS of wall-clock time; past that (plus a short grace) the whole group is
  killed and the document is one ExtractionError.  A worker that dies (out of memory, a crash) is replaced on the
  next document.  Inside the worker, extract.deadline() lets OCR and LibreOffice stop in time on their own.
- Replies are unpickled by an allow-list (Document and its parts only): a compromised worker cannot run code here.
"""
from __future__ import annotations

import contextlib
import io
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import IO, Any, cast

from auditor.document import Document
from auditor.extract import ocr_engines
from auditor.extract.base import ExtractionError

MEMORY_MB = int(os.environ.get("OGIAUDIT_EXTRACT_MEMORY_MB", "1024"))
SECONDS = 50.0         # a document's wall-clock budget (OGIAUDIT_EXTRACT_SECONDS overrides: big scans on slow machines)


def seconds() -> float:
    try:
        return float(os.environ.get("OGIAUDIT_EXTRACT_SECONDS", SECONDS))
    except ValueError:
        return SECONDS
GRACE = 5.0            # the worker's own deadline comes first; this much later the parent kills it
_HEADER = struct.Struct("!Q")
_MAX_REPLY = 512 << 20


class _Restricted(pickle.Unpickler):
    ALLOWED = {("auditor.document", n) for n in ("Document", "Paragraph", "Table", "DatedValue")} | {
        ("datetime", "date"), ("builtins", "frozenset"), ("builtins", "set"), ("copyreg", "_reconstructor"),
        ("builtins", "object")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} 不在允许的类型中")
        return super().find_class(module, name)


def write_message(fh: IO[bytes], payload: bytes) -> None:
    fh.write(_HEADER.pack(len(payload)))
    fh.write(payload)
    fh.flush()


def read_exactly(fh: IO[bytes], n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = fh.read(n - len(buf))
        if not chunk:
            raise EOFError("读取进程意外退出")
        buf += chunk
    return bytes(buf)


class _Timeout(Exception):
    pass


class Sandbox:
    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "OGIAUDIT_EXTRACT_MEMORY_MB": str(MEMORY_MB), "MALLOC_ARENA_MAX": "2",
               "OGIAUDIT_SANDBOX_PARENT": str(os.getpid())}
        stderr = None if os.environ.get("OGIAUDIT_DEBUG") else subprocess.DEVNULL
        self.proc = subprocess.Popen([sys.executable, "-m", "auditor.extract._worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr, start_new_session=True, env=env,
                                     bufsize=0)
        return self.proc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        for fh in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if fh is not None:  # both pipes are always opened
                    fh.close()

    def extract(self, data: bytes, kind: str, seconds: float) -> Document:
        """The Document of `data` read in the worker, or ExtractionError (one line)."""
        with self.lock:
            proc = self.proc
            if proc is None or proc.poll() is not None:
                self.stop()
                proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None  # opened with PIPE
            request = (kind, data, seconds, ocr_engines.current())   # the OCR engine chosen in this process
            try:
                write_message(proc.stdin, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
                status, value = self._reply(proc.stdout, time.monotonic() + seconds + GRACE)
            except _Timeout:
                self.stop()
                raise ExtractionError(f"读取超时（超过 {seconds:.0f} 秒），文件可能是恶意构造的，已停止读取") from None
            except (EOFError, OSError, pickle.UnpicklingError, ValueError):
                code = self._exit_code()
                self.stop()
                raise ExtractionError(_death(code)) from None
            except BaseException:   # interrupted: never leave a worker busy with a bomb
                self.stop()
                raise
            if status == "fatal":   # MemoryError and the like: the next document gets a fresh worker
                self.stop()
            if status == "ok":
                return cast(Document, value)  # the allow-list lets nothing else through but the one-line error
            raise ExtractionError(value)

    def _exit_code(self) -> int | None:
        try:
            return self.proc.wait(timeout=2) if self.proc else None
        except subprocess.TimeoutExpired:
            return None

    def _reply(self, out: IO[bytes], deadline: float) -> tuple[str, Any]:
        """The worker's reply: ("ok", a Document), or ("error" or "fatal", the one-line reason)."""
        header = self._read(out, _HEADER.size, deadline)
        (size,) = _HEADER.unpack(header)
        if size > _MAX_REPLY:
            raise ValueError("reply too large")
        reply: tuple[str, Any] = _Restricted(io.BytesIO(self._read(out, size, deadline))).load()
        return reply

    @staticmethod
    def _read(fh: IO[bytes], n: int, deadline: float) -> bytes:
        buf = bytearray()
        fd = fh.fileno()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise _Timeout()
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError()
            buf += chunk
        return bytes(buf)


def _death(code: int | None) -> str:
    """Why the worker died: killed by a signal (a parser that could not allocate aborts or traps), or it exited."""
    if code is None or code < 0 or code > 128:
        return f"读取时进程崩溃或超出内存上限（{MEMORY_MB} MB），文件可能是恶意构造的，已跳过"
    return f"读取进程意外退出（退出码 {code}），已跳过"


_SANDBOX = Sandbox()


def extract(data: bytes, kind: str, budget: float | None = None) -> Document:
    return _SANDBOX.extract(data, kind, budget or seconds())


def stop() -> None:
    _SANDBOX.stop()


import atexit  # noqa: E402

atexit.register(stop)
