"""Child processes that never outlive their parent and are stopped whole (their process group, grandchildren too).

- die_with_parent(parent_pid): called first thing in a child: the kernel kills it when the parent dies (even by
  SIGKILL), so a killed run leaves no orphan crawling.
- die_with(pid): the same for a process that is not the parent (the caller of a fork server).
- stop_group(proc, grace): SIGTERM to the child's process group, then SIGKILL to it after `grace` seconds.
- run_group(argv, timeout, ...): subprocess.run in a new process group, the whole group killed on timeout.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> None:
    """Linux: deliver `sig` to this process when its parent dies; exit now if the parent is already gone."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig))
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up is all there is
        pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def die_with(pid: int) -> None:
    """Kill this process's whole group when process `pid` ends (even by SIGKILL), whoever is this process's parent:
    a child forked by a fork server has the fork server as parent, not the process that asked for it."""
    import select
    import threading

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (OSError, AttributeError):   # no pidfd (old kernel, not Linux): PDEATHSIG and stop_group remain
        return

    def watch() -> None:
        select.select([fd], [], [])      # readable when `pid` has ended
        try:
            os.killpg(os.getpgrp(), signal.SIGKILL)
        finally:
            os._exit(1)

    threading.Thread(target=watch, name="die-with", daemon=True).start()


def _running(proc) -> bool:
    return proc.is_alive() if hasattr(proc, "is_alive") else proc.poll() is None


def _reaped(proc) -> bool:
    return (proc.exitcode if hasattr(proc, "exitcode") else proc.returncode) is not None


def _signal_group(proc, sig: int) -> None:
    """The group the child leads (a group id stays reserved while any member lives, so it names only ours); the
    child alone when it is not (yet) a group leader and not yet reaped (a reaped pid may belong to another)."""
    try:
        os.killpg(proc.pid, sig)
        return
    except (ProcessLookupError, PermissionError):
        pass
    if not _reaped(proc):
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)


def stop_group(proc, grace: float = 5.0) -> None:
    """Stop a child that leads its own process group (multiprocessing.Process or subprocess.Popen): SIGTERM to
    the group, SIGKILL to the group after `grace` seconds.  Waits for the child itself."""
    if proc.pid is None:
        return
    if _running(proc):
        _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _running(proc):
            time.sleep(0.05)
    _signal_group(proc, signal.SIGKILL)   # grandchildren that outlived the leader, too
    if hasattr(proc, "join"):
        proc.join(timeout=5)
    else:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def run_group(argv: list[str], timeout: float | None = None, grace: float = 30.0, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run in a new process group; on timeout the whole group is stopped (SIGTERM, then SIGKILL after
    `grace` seconds) and TimeoutExpired is raised, as subprocess.run does."""
    proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(proc, grace)
        raise
    except BaseException:
        stop_group(proc, grace)
        raise
    return subprocess.CompletedProcess(argv, proc.returncode)
