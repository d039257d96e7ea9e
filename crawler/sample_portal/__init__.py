"""The sample portal: six county sites in the CMS families of the crawler, built from the seed reports and real
portal layouts, served on 127.0.0.1 (for the tests and `ogiaudit demo`).  See site.py for what is planted where."""
from __future__ import annotations

from pathlib import Path

PORTALS_TEMPLATE = Path(__file__).with_name("portals.toml")


def portals_toml(base_url: str) -> str:
    """The sample portals' config rows, pointing at a running sample portal."""
    return PORTALS_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url.rstrip("/"))


def write_portals(base_url: str, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(portals_toml(base_url), encoding="utf-8")
    return path
