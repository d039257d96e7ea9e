"""RULESET_VERSION moves when the rules do (auditor/ruleset.py): a changed catalogue needs a new version; a changed
auditor needs a decision, recorded in auditor/ruleset.lock.json."""
import json

import pytest

from auditor import ruleset
from auditor.rules import load_all


def test_version_matches_the_rules_and_the_code():
    found = ruleset.problems()
    assert not found, "\n".join(found) + "\n(see auditor/ruleset.py: python -m auditor.ruleset --record)"


@pytest.fixture
def lock(tmp_path, monkeypatch):
    path = tmp_path / "ruleset.lock.json"
    path.write_text(json.dumps(ruleset.current()))
    monkeypatch.setattr(ruleset, "LOCK", path)
    return path


def test_a_changed_template_needs_a_new_version(lock, monkeypatch):
    rule = load_all()["PUB-LATE"]
    monkeypatch.setattr(rule, "template", rule.template + "！")
    assert any("bump" in p for p in ruleset.problems())
    assert ruleset.record() == 1                       # refused under the same version
    monkeypatch.setattr(ruleset, "RULESET_VERSION", "2099.1.1")
    assert ruleset.record() == 0 and not ruleset.problems()
    assert json.loads(lock.read_text())["version"] == "2099.1.1"


def test_a_changed_severity_or_era_needs_a_new_version(lock, monkeypatch):
    rule = load_all()["PUB-LATE"]
    monkeypatch.setattr(rule, "severity", "info")
    assert any("bump" in p for p in ruleset.problems())
    monkeypatch.setattr(rule, "eras", ())
    assert ruleset.record() == 1


def test_code_fingerprint_ignores_comments_and_docstrings():
    a = ruleset._code('"""doc"""\nx = 1  # one\n\n\ndef f():\n    """doc"""\n    return x\n')
    b = ruleset._code('"""other"""\nx = 1\ndef f():\n    """another"""\n    return x\n')
    assert a == b != ruleset._code("x = 2\ndef f():\n    return x\n")
