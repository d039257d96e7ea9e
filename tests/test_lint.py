"""CI runs the linters through this test (scripts/test does not run scripts/lint itself): ruff over the project,
mypy strict over auditor/ (pyproject.toml)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _have(tool: str) -> bool:
    return (BIN / tool).exists() or shutil.which(tool) is not None


@pytest.mark.skipif(not (_have("ruff") and _have("mypy")),
                    reason="ruff or mypy is not installed (pip install -e '.[test]' installs both)")
def test_lint_is_clean():
    done = subprocess.run(["bash", str(ROOT / "scripts" / "lint")], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"scripts/lint failed:\n{done.stdout}\n{done.stderr}"
