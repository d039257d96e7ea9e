"""The portals to crawl and the bodies expected to publish there (config/portals/*.toml, INTERFACE.md)."""
from __future__ import annotations

import glob
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ogiaudit.settings import ConfigError

KINDS = ("department", "government", "township")


@dataclass(frozen=True)
class BodySpec:
    name: str
    kind: str | None = None


@dataclass
class Portal:
    id: str
    name: str
    region: list[str]
    start_urls: list[str]
    supervisor: list[str] = field(default_factory=list)
    township_deadline: str | None = None
    allowed_hosts: list[str] = field(default_factory=list)
    bodies: list[BodySpec] = field(default_factory=list)
    cms: str | None = None            # a CMS family module name in crawler/portals/, when known
    obey_robots: bool = True
    robots_reason: str | None = None  # why robots.txt is not obeyed, when it is not
    source: str = ""                  # the file it came from


def portal_from_dict(data: dict) -> Portal:
    """A Portal from its dataclasses.asdict() form (a queued job's argument)."""
    bodies = [BodySpec(**b) for b in data.get("bodies", [])]
    return Portal(**{**data, "bodies": bodies})


def _as_list(value, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}：{key} 应为字符串或字符串列表")


def _portal(raw: dict, where: str) -> Portal:
    for key in ("id", "name", "start_urls"):
        if key not in raw:
            raise ConfigError(f"{where}：缺少 {key}")
    pid = raw["id"]
    if not isinstance(pid, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", pid):
        raise ConfigError(f"{where}：id 只能由字母、数字、-、_ 组成，而不是 {pid!r}")
    where = f"{where}（{pid}）"
    start_urls = _as_list(raw["start_urls"], where, "start_urls")
    for url in start_urls:
        if not re.match(r"https?://", url):
            raise ConfigError(f"{where}：start_urls 只能是 http(s) 地址，而不是 {url!r}")
    deadline = raw.get("township_deadline")
    if deadline is not None and not re.fullmatch(r"\d{2}-\d{2}", str(deadline)):
        raise ConfigError(f"{where}：township_deadline 应为 MM-DD，而不是 {deadline!r}")
    bodies = []
    for b in raw.get("body", []) or []:
        if not isinstance(b, dict) or "name" not in b:
            raise ConfigError(f"{where}：[[portal.body]] 缺少 name")
        kind = b.get("kind")
        if kind is not None and kind not in KINDS:
            raise ConfigError(f"{where}：机构 {b['name']} 的 kind 应为 {'/'.join(KINDS)}，而不是 {kind!r}")
        bodies.append(BodySpec(name=b["name"], kind=kind))
    obey = raw.get("obey_robots", True)
    if obey is False and not raw.get("robots_reason"):
        raise ConfigError(f"{where}：不遵守 robots.txt 时必须在 robots_reason 写明理由")
    return Portal(
        id=pid, name=raw["name"], region=_as_list(raw.get("region"), where, "region"), start_urls=start_urls,
        supervisor=_as_list(raw.get("supervisor"), where, "supervisor"), township_deadline=deadline,
        allowed_hosts=_as_list(raw.get("allowed_hosts"), where, "allowed_hosts"), bodies=bodies,
        cms=raw.get("cms"), obey_robots=bool(obey), robots_reason=raw.get("robots_reason"), source=where,
    )


def load_portals(patterns: list[str] | tuple[str, ...]) -> list[Portal]:
    """Every portal in the files matching `patterns`.  Raises ConfigError (one line) on any mistake."""
    files: list[Path] = []
    for pattern in patterns:
        matched = sorted(glob.glob(str(pattern)))
        if not matched and not any(ch in str(pattern) for ch in "*?["):
            raise ConfigError(f"门户配置文件不存在：{pattern}")
        files.extend(Path(m) for m in matched)
    portals: dict[str, Portal] = {}
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"门户配置文件 {path} 格式错误：{exc}") from None
        entries = data.get("portal", [])
        if not isinstance(entries, list):
            raise ConfigError(f"{path}：应使用 [[portal]] 表数组")
        for i, raw in enumerate(entries, 1):
            portal = _portal(raw, f"{path} 第{i}个 [[portal]]")
            if portal.id in portals:
                raise ConfigError(f"{path}：门户 id {portal.id} 重复（已在 {portals[portal.id].source} 中定义）")
            portals[portal.id] = portal
    return list(portals.values())
