"""Bad input: a clear finding or a one-line error, never a traceback, and the other inputs still audited."""
import json
import os
import subprocess
import sys

from tests.helpers import audit_text, of, rules

CLI = [sys.executable, "-c", "from ogiaudit.cli import main; main()"]


def run(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_unreadable_inputs_get_one_line_each_and_the_rest_is_audited(tmp_path, seeds):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(os.urandom(4096))
    bulletin = tmp_path / "万载县2015年国民经济和社会发展统计公报.html"   # readable, but not an annual report
    bulletin.write_text("<html><head><title>万载县2015年国民经济和社会发展统计公报</title></head><body>"
                        + "<p>全年地区生产总值123.4亿元，比上年增长8.5%。</p>" * 40 + "</body></html>", encoding="utf-8")
    proc = run("audit", str(empty), str(seeds["000"]), str(junk), str(bulletin), str(tmp_path / "nope.txt"),
               str(seeds["002"]), "--format", "json")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 4
    assert "文件为空" in errors[0] and "无法识别" in errors[1] and "不是政府信息公开工作年度报告" in errors[2]
    assert "文件不存在" in errors[3]
    lines = [json.loads(l) for l in proc.stdout.splitlines()]
    assert [l["source"].rsplit("/", 1)[-1][:3] for l in lines] == ["emp", "000", "jun", "万载县", "nop", "002"]
    assert [bool(l.get("error")) for l in lines] == [True, False, True, True, True, False]
    assert "PUB-LATE" in {f["rule"] for f in lines[1]["findings"]}


def test_report_cut_off_halfway(seeds):
    text = seeds["004"].read_text(encoding="utf-8")
    half = text[: text.index("（五）不予处理") if "（五）不予处理" in text else len(text) // 2]
    result = audit_text(half)
    assert {f.section for f in of(result, "SEC-MISSING")} == {"四", "五", "六"}
    assert [f.location.table for f in of(result, "TBL-INCOMPLETE")] == ["三"]


def test_a_notice_about_reports_is_not_a_report():
    notice = ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知\n\n各乡镇人民政府，县政府各部门：\n\n"
              "请于2024年1月31日前完成年度报告的编制和发布工作。\n\n县政府办公室\n\n2024年1月2日\n").encode()
    from auditor.audit import audit_bytes
    from auditor.extract import ExtractionError
    try:
        audit_bytes(notice)
    except ExtractionError as exc:
        assert "不是政府信息公开工作年度报告" in str(exc)
    else:
        raise AssertionError("a notice was audited as a report")


def test_binary_with_text_extension_and_gbk_text(tmp_path, seeds):
    gbk = tmp_path / "report.html"  # a GBK *text* file named .html: sniffed as text, decoded as GB18030
    gbk.write_bytes(seeds["000"].read_text(encoding="utf-8").encode("gbk", errors="replace"))
    proc = run("audit", str(gbk), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["body"] == "盐锅峡镇人民政府"
