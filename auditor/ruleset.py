"""RULESET_VERSION, and the check that it moves when the rules do.

RULESET_VERSION is a human date base ("2026.12.1"): storage records it with every audit, and a stored report audited
under another version is re-audited (`ogiaudit audit --pending`).  Bumping it by hand was easy to forget, so
ruleset.lock.json records, for the current version, two fingerprints:

- the catalogue: each rule's id, severity, eras, title, legal basis, description and message template;
- the code: the syntax tree of every module of auditor/ (comments, docstrings and formatting do not count).

tests/test_ruleset_version.py fails when either no longer matches:
- the catalogue changed and the version did not: bump RULESET_VERSION (findings change; stored reports must be
  re-audited), then record;
- only the code changed: if findings can change, bump RULESET_VERSION; if not (a refactor, shown by an empty
  `scripts/findings_snapshot.py --compare`), keep it.  Either way record:
      .venv/bin/python -m auditor.ruleset --record
  Recording refuses a changed catalogue under an unchanged version.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from auditor.rules import load_all

RULESET_VERSION = "2026.12.2"  # bump when a rule's behaviour changes: stored reports are then re-audited

PACKAGE = Path(__file__).resolve().parent
LOCK = PACKAGE / "ruleset.lock.json"


def catalogue() -> list[dict[str, Any]]:
    """The rule catalogue as data: what a rule promises, in its own words."""
    return [{"id": rule_id, "severity": cls.severity, "eras": [e.id for e in cls.eras], "title": cls.title,
             "basis": cls.basis, "description": cls.description, "template": cls.template,
             "needs_history": cls.needs_history}
            for rule_id, cls in sorted(load_all().items())]


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def catalogue_fingerprint() -> str:
    return _digest(catalogue())


def _code(source: str) -> str:
    """A module's syntax tree without docstrings: what the module does, not how it is written down."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            body[0] = ast.Pass()
    return ast.dump(tree, annotate_fields=False)


def code_fingerprint() -> str:
    modules = sorted(PACKAGE.rglob("*.py"))
    return _digest({str(p.relative_to(PACKAGE)): _code(p.read_text(encoding="utf-8")) for p in modules})


def current() -> dict[str, str]:
    return {"version": RULESET_VERSION, "catalogue": catalogue_fingerprint(), "code": code_fingerprint()}


def recorded() -> dict[str, str]:
    """The lock's fingerprints; those of the current rules when there is no lock yet (the first record)."""
    if not LOCK.exists():
        return current()
    data: dict[str, str] = json.loads(LOCK.read_text(encoding="utf-8"))
    return data


def problems() -> list[str]:
    """What is out of step between the rules, the code, RULESET_VERSION and ruleset.lock.json (empty: all well)."""
    now, lock = current(), recorded()
    out = [] if LOCK.exists() else [f"{LOCK.name} is missing: record"]
    if now["catalogue"] != lock["catalogue"] and now["version"] == lock["version"]:
        out.append(f"the rule catalogue changed but RULESET_VERSION is still {now['version']}: bump it "
                   "(auditor/ruleset.py), then record")
    if now["code"] != lock["code"]:
        out.append("the auditor's code changed since ruleset.lock.json was recorded: if findings can change, bump "
                   "RULESET_VERSION; if not (scripts/findings_snapshot.py --compare is empty), keep it; then record")
    if now["version"] != lock["version"] and not out:
        out.append(f"RULESET_VERSION is {now['version']} but ruleset.lock.json records {lock['version']}: record")
    return out


def record() -> int:
    now, lock = current(), recorded()
    if now["catalogue"] != lock["catalogue"] and now["version"] == lock["version"]:
        print(f"refused: the rule catalogue changed; bump RULESET_VERSION (now {now['version']}) first",
              file=sys.stderr)
        return 1
    LOCK.write_text(json.dumps(now, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {LOCK.name}: {now}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auditor.ruleset", description="RULESET_VERSION and its lock")
    parser.add_argument("--record", action="store_true", help="record the current fingerprints in ruleset.lock.json")
    args = parser.parse_args(argv)
    if args.record:
        return record()
    found = problems()
    print("\n".join(found) or f"RULESET_VERSION {RULESET_VERSION} matches the rules and the code")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
