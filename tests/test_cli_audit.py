"""`ogiaudit audit` exactly as RULES.md specifies: JSON Lines, exit codes and options; `ogiaudit rules`."""
import json

from tests.test_bad_input import run


def test_json_lines_contract(seeds):
    proc = run("audit", str(seeds["000"]), str(seeds["001"]), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    first, second = (json.loads(l) for l in proc.stdout.splitlines())
    assert {k: first[k] for k in ("body", "year", "body_kind", "published", "published_source", "deadline")} == {
        "body": "盐锅峡镇人民政府", "year": 2022, "body_kind": "township", "published": "2023-02-21",
        "published_source": "signature", "deadline": "2023-01-31"}
    late = next(f for f in first["findings"] if f["rule"] == "PUB-LATE")
    assert set(late) >= {"rule", "severity", "section", "location", "message", "evidence"}
    assert second["published"] is None and second["published_source"] is None


def test_options(seeds):
    proc = run("audit", str(seeds["004"]), "--format", "json", "--published", "2023-02-02", "--body-kind", "department",
               "--deadline", "2023-02-01", "--year", "2022")
    out = json.loads(proc.stdout)
    assert (out["published_source"], out["deadline"], out["body_kind"]) == ("given", "2023-02-01", "department")
    assert "PUB-LATE" in {f["rule"] for f in out["findings"]}
    only = json.loads(run("audit", str(seeds["000"]), "--format", "json", "--select", "PUB,TBL-CELL").stdout)
    assert {f["rule"] for f in only["findings"]} == {"PUB-LATE", "TBL-CELL"}
    ignored = json.loads(run("audit", str(seeds["000"]), "--format", "json", "--ignore", "PUB-LATE").stdout)
    assert "PUB-LATE" not in {f["rule"] for f in ignored["findings"]}


def test_exit_codes(seeds):
    assert run("audit", str(seeds["002"]), "--format", "json").returncode == 0
    assert run("audit", str(seeds["002"]), "--format", "json", "--fail-on", "error").returncode == 0
    assert run("audit", str(seeds["002"]), "--format", "json", "--fail-on", "warning").returncode == 1
    assert run("audit", str(seeds["000"]), "--format", "json", "--fail-on", "error").returncode == 1
    bad = run("audit", str(seeds["000"]), "--select", "NOPE-1")
    assert bad.returncode == 2 and "未知的规则" in bad.stderr and "Traceback" not in bad.stderr
    bad_date = run("audit", str(seeds["000"]), "--published", "2023-13-45")
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr


def test_table_output_is_chinese(seeds):
    proc = run("audit", str(seeds["000"]), "--format", "table")
    assert proc.returncode == 0
    assert "盐锅峡镇人民政府" in proc.stdout and "错误" in proc.stdout and "PUB-LATE" in proc.stdout


def test_rules_catalogue():
    listing = run("rules")
    for rule_id in ("PUB-LATE", "PUB-MISSING", "SEC-MISSING", "T3-BAL", "T4-SUM", "TXT-TABLE", "CNT-FEE", "X-CARRY"):
        assert rule_id in listing.stdout
    explain = run("rules", "explain", "T3-BAL")
    assert explain.returncode == 0 and "勾稽关系" in explain.stdout and "error" in explain.stdout
    assert run("rules", "explain", "NOPE").returncode == 2


def test_usage_mistakes_are_one_chinese_line():
    for args, said in ((("audit", "--bogus"), "没有这个选项：--bogus"), (("nosuch",), "没有这个命令：nosuch"),
                       (("audit", "x.txt", "--format", "xml"), "--format 的值无效")):
        proc = run(*args)
        assert proc.returncode == 2 and said in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert run().returncode == 0  # bare "ogiaudit" prints the help
