"""The 2019 trial format is understood; a report given as a URL is fetched (httpx) and its page date used."""
import http.server
import json
import threading
from functools import partial

import pytest

from auditor.extract import extract
from tests.helpers import audit_text, of, plant, rules, to_html
from tests.test_bad_input import run

T2_2019 = """二、主动公开政府信息情况

第二十条第（一）项\t\t\t
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t1\t1\t12
第二十条第（五）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t3\t0\t5
其他对外管理服务事项\t0\t0\t0
第二十条第（六）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t2\t0\t4
行政强制\t0\t0\t0
第二十条第（八）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t
行政事业性收费\t0\t0\t
第二十条第（九）项\t\t\t
信息内容\t采购项目数量\t采购总金额\t
政府集中采购\t2\t3.5\t

"""


def _as_2019(seed_text: str, year: int) -> str:
    start, end = seed_text.index("二、主动公开政府信息情况"), seed_text.index("三、收到和处理政府信息公开申请情况")
    text = seed_text[:start] + T2_2019 + seed_text[end:]
    i = text.index("→(六) 其他处理".replace("→", "\t"))
    j = text.index("(七) 总计")
    text = text[:i] + "\t(六) 其他处理\t0\t0\t0\t0\t0\t0\t0\n" + text[j:]
    return text.replace("2022", str(year)).replace("2023年2月21日", f"{year + 1}年1月20日")


def test_2019_trial_format_is_read_in_full(seeds):
    result = audit_text(_as_2019(seeds["000"].read_text(encoding="utf-8"), 2019))
    t2, t3 = result.report.tables["二"], result.report.tables["三"]
    assert t2.old_format and t2.value("procurement", "procurement_amount") == 3.5
    assert t2.value("licensing", "decisions") == 5 and t2.cells_present() == 22
    assert t3.other_single and t3.cells_expected() == 161 and t3.cells_present() == 161
    assert not rules(result) & {"TBL-OLD-FORMAT", "TBL-INCOMPLETE", "TBL-LABEL", "T3-TOTAL", "T3-BAL"}


def test_2019_format_in_a_2022_report_is_old_format(seeds):
    result = audit_text(_as_2019(seeds["000"].read_text(encoding="utf-8"), 2022))
    assert [f.evidence.split("、")[0] for f in of(result, "TBL-OLD-FORMAT")] == ["本年新制作数量"]


@pytest.fixture()
def portal(tmp_path, seeds):
    """A detail page on a real HTTP server on 127.0.0.1, GBK-encoded, with a PubDate meta tag."""
    page = to_html(extract(seeds["002"].read_bytes()), encoding="gbk").replace(
        b"<title>", b'<meta name="PubDate" content="2023-02-03 09:30"><title>')
    (tmp_path / "t20230203_1.html").write_bytes(page)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_audit_a_url(portal):
    proc = run("audit", f"{portal}/202302/../t20230203_1.html", f"{portal}/missing.html", "--format", "json")
    assert proc.returncode == 2 and "HTTP 404" in proc.stderr
    first = json.loads(proc.stdout.splitlines()[0])
    assert (first["body"], first["published"], first["published_source"]) == ("平型关镇人民政府", "2023-02-03", "meta")
    assert "PUB-LATE" in {f["rule"] for f in first["findings"]}  # published 3 February, township deadline 31 January
