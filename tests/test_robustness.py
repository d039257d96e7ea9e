"""Mangled copies of real reports never crash the auditor: a result or a one-line ExtractionError."""
import random

import pytest

from auditor.audit import audit_bytes
from auditor.extract import ExtractionError, extract
from tests.helpers import to_html


def _mutations(text: str, rng: random.Random):
    lines = text.splitlines()
    for _ in range(25):
        copy = list(lines)
        for _ in range(rng.randint(1, 8)):
            op = rng.choice(("drop", "dup", "swap", "cut", "digits", "tabs"))
            if not copy:
                break
            i = rng.randrange(len(copy))
            if op == "drop":
                del copy[i]
            elif op == "dup":
                copy.insert(i, copy[i])
            elif op == "swap":
                j = rng.randrange(len(copy))
                copy[i], copy[j] = copy[j], copy[i]
            elif op == "cut":
                copy = copy[:i]
            elif op == "digits":
                copy[i] = "".join(rng.choice("0123456789") if ch.isdigit() else ch for ch in copy[i]) + "9" * rng.randint(0, 30)
            else:
                copy[i] = copy[i].replace("\t", "")
        yield "\n".join(copy)


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_mangled_seeds_never_crash(seeds, name):
    rng = random.Random(name)
    text = seeds[name].read_text(encoding="utf-8")
    for mangled in _mutations(text, rng):
        for data in (mangled.encode(), to_html(extract(mangled.encode() or b" ")) if mangled.strip() else b""):
            try:
                result = audit_bytes(data)
            except ExtractionError as exc:
                assert "\n" not in str(exc)
                continue
            assert all(f.message and f.rule for f in result.findings)
