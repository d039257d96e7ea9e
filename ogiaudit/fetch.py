"""Read one input of `ogiaudit audit`: a local file or a single http(s) URL (httpx; crawls use Scrapy)."""
from __future__ import annotations

import httpx

from auditor.dates import url_date
from auditor.extract import MAX_BYTES, ExtractionError
from auditor.extract._files import read_report_file


def read_input(source: str, timeout: float = 30.0) -> tuple[bytes, dict]:
    """The bytes of `source` and what is known about them (url_date).  Raises ExtractionError (one line)."""
    if source.startswith(("http://", "https://")):
        return _fetch(source, timeout), {"url_date": url_date(source)}
    if "://" in source:
        raise ExtractionError("只支持本地文件或 http(s) 网址")
    return read_report_file(source), {}


def _fetch(url: str, timeout: float) -> bytes:
    try:
        with httpx.Client(follow_redirects=True, timeout=timeout, max_redirects=5,
                          headers={"User-Agent": "ogiaudit/0.1 (annual-report auditor)"}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise ExtractionError(f"下载失败：HTTP {response.status_code}")
                if response.url.scheme not in ("http", "https"):
                    raise ExtractionError("重定向到了非 http(s) 地址")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ExtractionError(f"下载内容超过 {MAX_BYTES // 1048576} MB 上限")
                    chunks.append(chunk)
                return b"".join(chunks)
    except httpx.TimeoutException:
        raise ExtractionError("下载超时") from None
    except httpx.HTTPError as exc:
        raise ExtractionError(f"下载失败：{type(exc).__name__}") from None
