"""Settings: config/ogiaudit.toml, overridden by OGIAUDIT_* environment variables (nested keys joined by "__"),
overridden by command-line options.  Secrets (the SMTP password) come only from the environment."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from storage.errors import StorageError

DEFAULT_CONFIG = Path("config/ogiaudit.toml")


class ConfigError(Exception):
    """A configuration mistake, told in one line."""


# what the command line shows as one line (exit 2): the front's own mistakes and storage's (storage.errors), which
# storage raises without knowing the front
ONE_LINE_ERRORS: tuple[type[Exception], ...] = (ConfigError, StorageError)


class Deadlines(BaseModel):
    township: str = "01-31"  # month-day; the law sets none for 乡镇/街道, county notices do
    department: str = "01-31"
    government: str = "03-31"

    @field_validator("township", "department", "government")
    @classmethod
    def _month_day(cls, v: str) -> str:
        from datetime import date
        try:
            month, day = (int(x) for x in v.split("-"))
            date(2024, month, day)
        except Exception:
            raise ValueError(f"日期应为 MM-DD，例如 01-31，而不是 {v!r}") from None
        return f"{month:02d}-{day:02d}"


class Smtp(BaseModel):
    host: str = "localhost"
    port: int = 25
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password: SecretStr | None = None
    sender: str = "ogiaudit@localhost"
    timeout: float = 30.0
    ca_file: str | None = None          # a CA certificate (PEM) to trust for a server with its own certificate


class Schedule(BaseModel):
    timezone: str = "Asia/Shanghai"
    season_start: str = "02-01"     # daily runs from this month-day ...
    season_end: str = "04-30"       # ... to this one; weekly otherwise
    run_time: str = "02:00"
    weekly_run_day: str = "mon"
    digest_day: str = "mon"
    digest_time: str = "08:00"
    misfire_grace_hours: float = 12     # a run missed while the scheduler was down still runs (once) within this
    run_timeout_hours: float = 12       # a child process (crawl, digest) running longer is stopped
    queue: bool = False                 # the scheduled run only enqueues (run --queue); `ogiaudit worker`s do the work


class Crawl(BaseModel):
    user_agent: str = "ogiaudit/0.1 (+https://github.com/ogiaudit; zwgk-audit@example.org)"
    max_download_mb: int = 50
    concurrent_per_host: int = 2
    download_timeout: float = 30.0
    obey_robots: bool = True
    max_list_pages: int = Field(default=200, ge=1)    # list pages (下一页, sub-columns) read per portal; more: incomplete
    max_reports: int = Field(default=5000, ge=1)      # report entries followed per portal; more: incomplete
    max_hours: float = Field(default=6.0, gt=0)       # one crawl; a crawl stopped by this is incomplete
    max_memory_mb: int = Field(default=2048, ge=256)  # the crawl process's address space; beyond: the crawl fails


class Digest(BaseModel):
    confirmed_only: bool = False        # true: supervisors' digests carry only errors a reviewer confirmed (审核台 确认)


class Ocr(BaseModel):
    engine: Literal["tesseract", "rapidocr"] = "tesseract"   # bench/bench_ocr.py measures both


class Channel(BaseModel):
    """A group-bot webhook ([channels.NAME]): DingTalk, WeCom or Feishu, on the public service or a government
    deployment's own host.  The webhook address and the signing secret are secrets: never printed, never logged."""
    kind: Literal["dingtalk", "wecom", "feishu"]
    webhook: SecretStr
    secret: SecretStr | None = None     # DingTalk 加签 / Feishu 签名校验
    timeout: float = 15.0

    @field_validator("webhook")
    @classmethod
    def _http(cls, v: SecretStr) -> SecretStr:
        if not v.get_secret_value().lower().startswith(("https://", "http://")):
            raise ValueError("webhook 应为 http(s):// 地址")
        return v


class Web(BaseModel):
    base_url: str | None = None         # the review desk's address, linked from channel messages


class Notice(BaseModel):
    office: str = "县人民政府办公室（县政务公开办）"     # the issuing office printed on 整改通知书
    deadline_days: int = 30                             # correction within this many days of the notice
    template: str | None = None                         # default: config/notice_template.docx


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OGIAUDIT_", env_nested_delimiter="__", extra="ignore")

    database_url: str = "sqlite:///ogiaudit.db"
    archive_dir: Path = Path("archive")
    portals: list[str] = Field(default_factory=lambda: ["config/portals/*.toml"])
    deadlines: Deadlines = Field(default_factory=Deadlines)
    smtp: Smtp = Field(default_factory=Smtp)
    operator: str | list[str] | None = None   # an address or "channel:NAME" (several: a list)
    schedule: Schedule = Field(default_factory=Schedule)
    crawl: Crawl = Field(default_factory=Crawl)
    ocr: Ocr = Field(default_factory=Ocr)
    channels: dict[str, Channel] = Field(default_factory=dict)
    web: Web = Field(default_factory=Web)
    notice: Notice = Field(default_factory=Notice)
    digest: Digest = Field(default_factory=Digest)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))


class _TomlSource(PydanticBaseSettingsSource):
    path: Path | None = None

    def get_field_value(self, field, field_name):  # pragma: no cover - required by the interface
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _TomlSource.path or Path(os.environ.get("OGIAUDIT_CONFIG", DEFAULT_CONFIG))
        if not path.exists():
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from None
        smtp = data.get("smtp")
        if isinstance(smtp, dict) and "password" in smtp:
            raise ConfigError(f"配置文件 {path}：SMTP 密码只能来自环境变量 OGIAUDIT_SMTP__PASSWORD，不能写在文件里")
        return data


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the file, the environment and the command line (non-None overrides win)."""
    _TomlSource.path = config
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"配置项 {where} 无效：{_cn(first)}") from None
    from auditor.extract import ocr_engines
    ocr_engines.use(settings.ocr.engine)
    return settings


def _cn(error: dict) -> str:
    """pydantic's English messages for the common mistakes, in Chinese."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "missing":
        return "缺少这一项"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"应为 {'、'.join(e.strip() for e in expected.split(','))} 之一"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]
