"""`ogiaudit demo`: crawl → audit → PUB-MISSING against the bundled sample portal, into a fresh SQLite database."""
import sqlite3
from datetime import date

from rich.console import Console

from ogiaudit.commands.demo import DEMO_AS_OF, run_demo


def test_demo_prints_the_compliance_table(tmp_path):
    console = Console(record=True, width=200)
    outcome = run_demo(tmp_path / "demo", date.fromisoformat(DEMO_AS_OF), progress=False, console=console)
    out = console.export_text()
    assert outcome.crawl.error is None
    assert "2022 年度报告合规情况（截至 2023年4月30日）" in out
    assert "未发布（PUB-MISSING）：刘家峡镇人民政府" in out
    assert "辛庄镇人民政府" in out and "暂不判定" in out          # its portal had a failed fetch: not a finding
    assert "宣和镇人民政府" in out                                # found, not configured: listed
    rows = {r["portal"]: r for r in outcome.compliance}
    assert rows["sample-yongjing"]["published"] == 1 and rows["sample-yongjing"]["on_time"] == 0
    db = sqlite3.connect(tmp_path / "demo" / "ogiaudit.db")
    rules = {r for (r,) in db.execute("select rule from finding")}
    assert {"PUB-MISSING", "PUB-LATE"} <= rules
    assert db.execute("select count(*) from document").fetchone()[0] == 7
    # a second demo in the same folder starts from a fresh database
    outcome = run_demo(tmp_path / "demo", date.fromisoformat(DEMO_AS_OF), progress=False, console=Console(record=True))
    db = sqlite3.connect(tmp_path / "demo" / "ogiaudit.db")
    assert db.execute("select count(*) from document").fetchone()[0] == 7
