"""What the extraction sandbox costs, and what hostile files cost with it.

    .venv/bin/python bench/bench_sandbox.py [--rounds N] [--quick]

1. Overhead: the sample portal's PDFs and the seeds as DOCX, read in this process (extract_here) and through the
   warm sandbox worker (a pipe round trip and pickling each way); the worker's start-up, paid once per run.
   Text and HTML (up to 4 MB) are read in process and pay nothing: see bench_audit.py.
2. Hostile files (tests/hostile.py): `ogiaudit audit BOMB SEED` under RLIMIT_AS = 1.5 GB: seconds, and the peak
   resident memory of the command and its worker.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract import (  # noqa: E402
    _sandbox,  # noqa: E402
    extract_here,
    sniff,
)
from crawler.sample_portal.render import DATA, RENDERED, seed_text, text_to_docx  # noqa: E402


def documents() -> dict[str, bytes]:
    docs = {name: (DATA / name).read_bytes() for name in RENDERED}
    for seed in ("000", "001", "002", "003", "004"):
        docs[f"seed{seed}.docx"] = text_to_docx(seed_text(seed))
    return docs


def overhead(rounds: int) -> None:
    docs = documents()
    _sandbox.stop()
    t0 = time.perf_counter()
    first = next(iter(docs.values()))
    _sandbox.extract(first, sniff(first))
    print(f"worker start + first document: {1000 * (time.perf_counter() - t0):.0f} ms")
    print(f"{'document':28} {'in process ms':>14} {'sandbox ms':>11} {'overhead ms':>12}")
    for name, data in docs.items():
        kind = sniff(data)
        here = statistics.median(_timed(lambda d=data, k=kind: extract_here(d, k)) for _ in range(rounds))
        boxed = statistics.median(_timed(lambda d=data, k=kind: _sandbox.extract(d, k)) for _ in range(rounds))
        print(f"{name:28} {here:14.1f} {boxed:11.1f} {boxed - here:12.1f}")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - t)


def bombs() -> None:
    from tests.test_hostile_documents import BOMBS, audit

    seed = next(DATA.glob("000_*.txt"))
    print(f"\n{'hostile file':28} {'size KB':>8} {'seconds':>8} {'peak MB':>8}  line")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, _needle) in sorted(BOMBS.items()):
            path = Path(tmp) / name
            path.write_bytes(make())
            proc, seconds, peak = audit(Path(tmp), str(path), str(seed))
            line = (proc.stderr.strip().splitlines() or [""])[0].split(": ", 2)[-1]
            print(f"{name:28} {path.stat().st_size // 1024:8} {seconds:8.1f} {peak >> 20:8}  {line[:60]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="a few rounds, no hostile files")
    args = parser.parse_args()
    overhead(2 if args.quick else args.rounds)
    if not args.quick:
        bombs()


if __name__ == "__main__":
    main()
