"""Settings: config/ogiaudit.toml, overridden by OGIAUDIT_* environment variables (nested keys joined by "__"),
overridden by command-line options.  Secrets (the SMTP password) come only from the environment."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG = Path("config/ogiaudit.toml")


class ConfigError(Exception):
    """A configuration mistake, told in one line."""


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OGIAUDIT_", env_nested_delimiter="__", extra="ignore")

    database_url: str = "sqlite:///ogiaudit.db"
    archive_dir: Path = Path("archive")
    portals: list[str] = Field(default_factory=lambda: ["config/portals/*.toml"])
    deadlines: Deadlines = Field(default_factory=Deadlines)
    smtp: Smtp = Field(default_factory=Smtp)
    operator: str | None = None
    schedule: Schedule = Field(default_factory=Schedule)
    crawl: Crawl = Field(default_factory=Crawl)
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
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"配置项 {where} 无效：{first['msg']}") from None
