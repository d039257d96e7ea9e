#!/usr/bin/env python3
"""A snapshot of the auditor's findings over every report we have, for refactors that must not change behaviour.

    .venv/bin/python scripts/findings_snapshot.py /tmp/snap-before          # on the untouched branch
    ... refactor ...
    .venv/bin/python scripts/findings_snapshot.py /tmp/snap-after
    .venv/bin/python scripts/findings_snapshot.py --compare /tmp/snap-before /tmp/snap-after

It audits, with the default context of `ogiaudit audit` (no --published, no config):
- every file of ../shared/seeds/ and ../shared/realdata/ (reports and portal pages), the sample portal's data
  (crawler/sample_portal/data/) and /work/scratch/realx/ when present;
- derived HTML pages: each text report wrapped in a few CMS page shapes (meta PubDate, a 发布时间 byline, a
  <publishtime> tag, a 成文日期 that is not a publication date, no CMS container), so the HTML reading of
  publication dates and content containers is covered too.

It writes one canonical JSON file per input (the `ogiaudit audit --format json` line: findings with rule, severity,
location, message, certainty; no timings or versions), sorted keys, plus index.json listing every input and whether it
was read.  A file that cannot be read is recorded as {"error": "..."} (the one-line reason), not skipped silently.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.audit import AuditContext, audit_bytes  # noqa: E402
from auditor.extract import failure_line  # noqa: E402

SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
SOURCES = [SHARED / "seeds", SHARED / "realdata", ROOT / "crawler" / "sample_portal" / "data",
           Path("/work/scratch/realx")]
SKIP_NAMES = {"README.md", "SOURCES.md", "__init__.py"}
TEXT_SUFFIXES = {".txt", ".md"}

# CMS page shapes for the derived HTML variants: {title}, {body} (paragraphs as <p>), {date}
PAGES = {
    "trs-meta": ('<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
                 '<meta name="PubDate" content="{date} 09:30"><title>{title}</title></head><body>'
                 '<div class="nav">首页 &gt; 政务公开 &gt; 年报</div><div class="TRS_Editor">{body}</div>'
                 '<div class="footer">主办单位：某某县人民政府办公室 版权所有</div></body></html>'),
    "byline": ('<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
               '<div class="info">发布时间：{date} 来源：本网</div><div id="zoom" class="article-content">{body}</div>'
               '</body></html>'),
    "publishtime": ('<html><head><meta charset="gbk"><title>{title}</title></head><body><ucaptitle>{title}</ucaptitle>'
                    '<publishtime>{date}</publishtime><ucapcontent>{body}</ucapcontent></body></html>'),
    "signed-only": ('<html><head><meta charset="utf-8"><title>{title}</title></head><body><table><tr><td>'
                    '成文日期：{date}</td><td>发文日期：{date}</td></tr></table><div>{body}</div></body></html>'),
    "no-container": ('<html><head><meta charset="utf-8"><title>{title}</title></head><body><div>'
                     '<p>日期：{date}</p><section><article>{body}</article></section></div>'
                     '<div class="content">相关链接 友情链接</div></body></html>'),
}
DATES = {"trs-meta": "2025-03-10", "byline": "2024年1月31日", "publishtime": "2023/02/01",
         "signed-only": "2024-01-15", "no-container": "2022.3.31"}


def inputs() -> Iterator[tuple[str, Path]]:
    for base in SOURCES:
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and p.name not in SKIP_NAMES):
            yield f"{base.name}/{path.relative_to(base)}", path


def derived(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """HTML pages made from a text report (see PAGES)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 10:
        return
    title = html.escape(lines[0].lstrip("#").strip())
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    for shape, page in PAGES.items():
        out = page.format(title=title, body=body, date=DATES[shape])
        yield f"{name}@{shape}.html", out.encode("gb18030" if 'charset="gbk"' in page else "utf-8")


def audit_one(name: str, data: bytes) -> dict:
    try:
        result = audit_bytes(data, AuditContext(source=name))
    except Exception as exc:  # noqa: BLE001 - recorded, as `ogiaudit audit` prints it
        return {"source": name, "error": failure_line(exc), "findings": []}
    return result.to_dict()


def _file_name(name: str) -> str:
    safe = re.sub(r"[^\w.@-]+", "_", name)[-120:]
    return f"{safe}.{hashlib.sha1(name.encode()).hexdigest()[:8]}.json"


def snapshot(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    index: dict[str, str] = {}
    for name, path in inputs():
        data = path.read_bytes()
        items = [(name, data)]
        if path.suffix.lower() in TEXT_SUFFIXES:
            items += list(derived(name, data))
        for item_name, item_data in items:
            result = audit_one(item_name, item_data)
            (out / _file_name(item_name)).write_text(
                json.dumps(result, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
            index[item_name] = "error: " + result["error"] if "error" in result else \
                f"{len(result['findings'])} findings"
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, sort_keys=True, indent=1) + "\n",
                                    encoding="utf-8")
    unreadable = sum(v.startswith("error") for v in index.values())
    print(f"{len(index)} inputs audited into {out} ({unreadable} not read as a report, recorded)")
    return 0


def compare(before: Path, after: Path) -> int:
    a = {p.name: p.read_text(encoding="utf-8") for p in before.glob("*.json")}
    b = {p.name: p.read_text(encoding="utf-8") for p in after.glob("*.json")}
    differ = sorted(n for n in a.keys() & b.keys() if a[n] != b[n])
    only = sorted(a.keys() ^ b.keys())
    for n in differ:
        print(f"differs: {n}")
    for n in only:
        print(f"only in {'before' if n in a else 'after'}: {n}")
    print(f"{len(a.keys() & b.keys())} files compared, {len(differ)} differ, {len(only)} in one snapshot only")
    return 1 if differ or only else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), type=Path)
    parser.add_argument("out", nargs="?", type=Path)
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("give the output folder, or --compare BEFORE AFTER")
    return snapshot(args.out)


if __name__ == "__main__":
    sys.exit(main())
