"""Read one input of `ogiaudit audit`: a local file or a single http(s) URL (httpx; crawls use Scrapy).

A URL is fetched as carefully as the crawler fetches (a hostile server must cost one line, nothing more):
- one deadline for the whole download, redirects included (DOWNLOAD_SECONDS; a server that drips a byte at a time
  is cut off), and every read waits at most READ_SECONDS;
- the body is decoded as a stream (gzip, deflate, br, stacked) and never beyond MAX_BYTES, whatever Content-Length
  or Content-Encoding say;
- every connection goes through the address guard: the given URL's own host and port may be anything (the user
  chose it), any other host must resolve only to public addresses, checked when the socket is opened (so a DNS
  answer cannot change between the check and the connection); redirects to other schemes are refused;
- a refused or failed response is one line naming the status, never its body.
"""
from __future__ import annotations

import os
import time
import zlib
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from auditor.dates import url_date
from auditor.extract import MAX_BYTES, ExtractionError
from auditor.extract._files import read_report_file
from crawler.addresses import is_private, resolve

DOWNLOAD_SECONDS = 40.0   # the whole download, redirects included (OGIAUDIT_DOWNLOAD_SECONDS overrides)
READ_SECONDS = 10.0
MAX_REDIRECTS = 5
USER_AGENT = "ogiaudit/0.1 (annual-report auditor)"


def read_input(source: str, timeout: float = READ_SECONDS) -> tuple[bytes, dict]:
    """The bytes of `source` and what is known about them (url_date).  Raises ExtractionError (one line)."""
    if source.startswith(("http://", "https://")):
        return _fetch(source, timeout), {"url_date": url_date(source)}
    if "://" in source:
        raise ExtractionError("只支持本地文件或 http(s) 网址")
    return read_report_file(source), {}


def _origin(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


class _GuardedBackend(httpcore.SyncBackend):
    """Opens sockets only to allowed addresses: anything for the given URL's host and port, public ones otherwise."""

    def __init__(self, origin: tuple[str, int]):
        self.origin = origin

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = resolve(host, port)
        other_origin = (host.lower().strip("[]"), port) != (self.origin[0].strip("[]"), self.origin[1])
        if other_origin and (not addresses or any(is_private(a) for a in addresses)):
            raise httpcore.ConnectError(f"不访问私有、回环或链路本地地址：{host}")
        if not addresses:
            raise httpcore.ConnectError(f"无法解析主机名：{host}")
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def _client(origin: tuple[str, int], timeout: float) -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(network_backend=_GuardedBackend(origin), ssl_context=httpx.create_ssl_context())
    accept = "gzip, deflate, br" if _brotli() else "gzip, deflate"
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                        headers={"User-Agent": USER_AGENT, "Accept-Encoding": accept})


def _budget() -> float:
    try:
        return float(os.environ.get("OGIAUDIT_DOWNLOAD_SECONDS", DOWNLOAD_SECONDS))
    except ValueError:
        return DOWNLOAD_SECONDS


def _fetch(url: str, timeout: float) -> bytes:
    budget = _budget()
    deadline = time.monotonic() + budget
    origin = _origin(url)
    try:
        with _client(origin, timeout) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                if time.monotonic() > deadline:
                    raise ExtractionError(f"下载超时（超过 {budget:.0f} 秒）")
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = _redirect(url, response)
                        continue
                    if response.status_code >= 400:
                        raise ExtractionError(f"下载失败：HTTP {response.status_code}")
                    return _read_body(response, deadline, budget)
            raise ExtractionError(f"重定向超过 {MAX_REDIRECTS} 次，已停止")
    except httpx.TimeoutException:
        raise ExtractionError("下载超时（服务器长时间没有响应）") from None
    except httpx.HTTPError as exc:
        reason = str(exc) if "地址" in str(exc) or "主机" in str(exc) else _REASONS.get(type(exc).__name__, "网络错误")
        raise ExtractionError(f"下载失败：{reason}") from None


_REASONS = {"ConnectError": "无法连接服务器", "RemoteProtocolError": "服务器的回应不符合 HTTP 协议",
            "ReadError": "读取中断", "WriteError": "发送请求失败", "LocalProtocolError": "请求无法发送",
            "UnsupportedProtocol": "不支持的协议", "DecodingError": "内容无法解码", "TooManyRedirects": "重定向次数过多"}


def _redirect(url: str, response: httpx.Response) -> str:
    location = response.headers.get("Location", "")
    target = urljoin(url, location.strip())
    if urlsplit(target).scheme not in ("http", "https"):
        raise ExtractionError("重定向到了非 http(s) 地址，已停止")
    return target


def _read_body(response: httpx.Response, deadline: float, budget: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise ExtractionError(f"下载内容超过 {MAX_BYTES // 1048576} MB 上限")
    decoder = _Decoder(response.headers.get_list("Content-Encoding", split_commas=True))
    chunks, size = [], 0
    for raw in response.iter_raw():
        if time.monotonic() > deadline:
            raise ExtractionError(f"下载超时（超过 {budget:.0f} 秒）")
        piece = decoder.feed(raw, MAX_BYTES - size + 1)
        size += len(piece)
        if size > MAX_BYTES:
            raise ExtractionError(f"下载内容超过 {MAX_BYTES // 1048576} MB 上限（含解压后）")
        chunks.append(piece)
    return b"".join(chunks)


def _brotli():
    try:
        import brotli
        return brotli
    except ImportError:
        return None


class _Decoder:
    """Content-Encoding undone as a stream, every stage bounded: no call produces more than it is allowed."""

    def __init__(self, encodings: list[str]):
        self.stages = [_stage(e.strip().lower()) for e in reversed(encodings) if e.strip().lower() != "identity"]

    def feed(self, data: bytes, limit: int) -> bytes:
        for stage in self.stages:
            data = stage.feed(data, limit)
        return data


def _stage(encoding: str):
    if encoding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Zlib(zlib.MAX_WBITS, raw_fallback=True)
    if encoding == "br" and _brotli():
        return _Brotli()
    raise ExtractionError(f"不支持的内容编码：{encoding[:40]}")


class _Zlib:
    def __init__(self, wbits: int, raw_fallback: bool = False):
        self.d = zlib.decompressobj(wbits)
        self.raw_fallback, self.started = raw_fallback, False

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            out = self.d.decompress(data, limit)
        except zlib.error:
            if not (self.raw_fallback and not self.started):
                raise ExtractionError("下载内容解压失败（数据已损坏）") from None
            self.d, self.raw_fallback = zlib.decompressobj(-zlib.MAX_WBITS), False   # "deflate" sent raw
            out = self.d.decompress(data, limit)
        self.started = True
        if self.d.unconsumed_tail:   # more output is waiting than the limit allows
            raise ExtractionError(f"下载内容超过 {MAX_BYTES // 1048576} MB 上限（含解压后）")
        return out


class _Brotli:
    def __init__(self):
        self.d = _brotli().Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            out = self.d.process(data, output_buffer_limit=limit)
        except _brotli().error:
            raise ExtractionError("下载内容解压失败（数据已损坏）") from None
        if len(out) >= limit or not self.d.can_accept_more_data():
            raise ExtractionError(f"下载内容超过 {MAX_BYTES // 1048576} MB 上限（含解压后）")
        return out
