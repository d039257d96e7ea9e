"""Audit throughput for text and HTML reports: reports per second per core (target: at least 200).

    .venv/bin/python bench/bench_audit.py [--rounds N] [--quick]

Audits the five seeds and the real text reports, as text and rendered as HTML, many times in one process (one core)
and prints the figures and the ratio to the target.  Machines here are noisy: compare ratios from one run.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.audit import audit_bytes  # noqa: E402
from auditor.extract import extract  # noqa: E402
from tests.helpers import to_html  # noqa: E402

SHARED = Path(os.environ.get("OGIAUDIT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
TARGET = 200.0


def corpus() -> dict[str, list[bytes]]:
    texts = [p.read_bytes() for p in sorted((SHARED / "seeds").glob("0*.txt"))]
    texts += [p.read_bytes() for p in sorted((SHARED / "realdata/reports").glob("*")) if p.suffix in (".txt", ".md")]
    return {"text": texts, "html": [to_html(extract(t)) for t in texts]}


def measure(documents: list[bytes], rounds: int) -> tuple[float, int]:
    from auditor.extract import ExtractionError

    readable = []
    for d in documents:  # warm up: imports, regex compilation; a document not read as a report is left out
        try:
            audit_bytes(d)
            readable.append(d)
        except ExtractionError:
            pass
    documents = readable
    start = time.process_time()
    for _ in range(rounds):
        for d in documents:
            audit_bytes(d)
    elapsed = time.process_time() - start
    return len(documents) * rounds / elapsed, len(documents) * rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="a few rounds, to check the benchmark runs")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    print(f"{'format':<8}{'reports':>9}{'reports/s/core':>17}{'vs target 200':>15}")
    for fmt, docs in corpus().items():
        rate, n = measure(docs, rounds)
        print(f"{fmt:<8}{n:>9}{rate:>17.1f}{rate / TARGET:>14.2f}x")


if __name__ == "__main__":
    main()
