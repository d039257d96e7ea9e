"""Every error that reaches the command line is one Chinese line on stderr and exit 2, never a traceback: bad
configuration, an unreachable or missing database, a full disk, a busy port, a closed pipe, memory, the unexpected.
Saving that fails says so and loses nothing."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"


def cli(*args, env: dict | None = None, cwd=None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogiaudit", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, **(env or {})})


def one_line(proc, *needles: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ogiaudit: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_configuration_errors(tmp_path, seeds):
    bad = tmp_path / "bad.toml"
    bad.write_text("[crawl\nmax_list_pages = ", encoding="utf-8")
    proc = cli("audit", str(seeds["000"]), "--config", str(bad))
    assert proc.returncode == 2
    one_line(proc, "配置文件", "格式错误")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[deadlines]\ntownship = "99-99"\n', encoding="utf-8")
    proc = cli("query", "reports", "--config", str(wrong))
    assert proc.returncode == 2
    one_line(proc, "deadlines.township")


def test_invalid_township_deadline(seeds):
    proc = cli("audit", str(seeds["000"]), "--township-deadline", "99-99")
    assert proc.returncode == 2
    line = one_line(proc, "--township-deadline", "MM-DD")
    assert "Invalid" not in line, line


@pytest.mark.parametrize("command", [["query", "reports"], ["db", "upgrade"], ["audit", "--pending"]])
def test_unreachable_database(command):
    proc = cli(*command, "--database", UNREACHABLE)
    assert proc.returncode == 2
    one_line(proc, "数据库")


def test_mistyped_sqlite_path_is_refused_and_not_created(tmp_path):
    missing = tmp_path / "typo" / "ogiaudit.db"
    for command in (["query", "findings"], ["query", "missing", "--year", "2022"], ["db", "current"],
                    ["waive", "1", "--reason", "x"], ["digest", "--dry-run"], ["audit", "--pending"], ["serve"]):
        proc = cli(*command, "--database", f"sqlite:///{missing}")
        assert proc.returncode == 2, command
        one_line(proc, "数据库文件不存在", str(missing))
        assert not missing.exists() and not missing.parent.exists(), command


def test_a_command_that_builds_a_database_still_does(tmp_path):
    db = tmp_path / "new" / "ogiaudit.db"
    proc = cli("db", "upgrade", "--database", f"sqlite:///{db}")
    assert proc.returncode == 0 and db.exists()


def test_full_disk_is_one_line(tmp_path, seeds):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    db = tmp_path / "ogiaudit.db"
    assert cli("audit", str(seeds["000"]), "--save", "--database", f"sqlite:///{db}").returncode == 0
    proc = cli("query", "findings", "--database", f"sqlite:///{db}", "--format", "csv", "--output", "/dev/full")
    assert proc.returncode == 2
    one_line(proc, "磁盘空间不足")
    with open("/dev/full", "w") as full:   # stdout on a full disk
        proc = subprocess.run([sys.executable, "-m", "ogiaudit", "audit", str(seeds["000"]), "--format", "json"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2
    one_line(proc, "磁盘空间不足")


def test_closed_pipe_ends_quietly(seeds):
    inputs = [str(p) for p in seeds.values()] * 30
    proc = subprocess.Popen([sys.executable, "-m", "ogiaudit", "audit", *inputs, "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()   # `ogiaudit audit … | head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert json.loads(first)["body"]
    assert err == "", err
    assert proc.returncode != 0


def test_closed_pipe_ends_quietly_for_queries(tmp_path):
    """`ogiaudit query findings --format csv | head -1`: the rows for people stop quietly too."""
    from conftest_db import FakeResult, finding, settings_for
    from ogiaudit.pipeline import save_results

    url = f"sqlite:///{tmp_path / 'ogiaudit.db'}"
    findings = [finding("TBL-CELL", "warning", column=f"c{i}", message="说明" * 50) for i in range(2000)]
    save_results(settings_for(url, tmp_path), [FakeResult("盐锅峡镇人民政府", 2022, findings)], [None])
    for fmt in ("csv", "table"):
        proc = subprocess.Popen([sys.executable, "-m", "ogiaudit", "query", "findings", "--database", url,
                                 "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
        assert first and err == "", err      # no "无法写入 标准输出" line: the reader just went away


def test_busy_port_for_serve(tmp_path):
    db = tmp_path / "ogiaudit.db"
    assert cli("db", "upgrade", "--database", f"sqlite:///{db}").returncode == 0
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = cli("serve", "--database", f"sqlite:///{db}", "--port", str(port))
    assert proc.returncode == 2
    one_line(proc, "端口", str(port), "已被占用")


def test_save_that_fails_says_so_and_loses_nothing(seeds):
    proc = cli("audit", str(seeds["000"]), "--save", "--database", UNREACHABLE, "--format", "json")
    assert proc.returncode == 2
    one_line(proc, "审核结果未能保存")
    [result] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "PUB-LATE" in {f["rule"] for f in result["findings"]}   # the results are still there


# main() itself, for what a command cannot be made to raise from outside: memory, the unexpected
@pytest.mark.parametrize("raised,needle", [(MemoryError(), "内存不足"), (ValueError("boom"), "意外错误（ValueError：boom）"),
                                           (OSError(28, "No space left on device", "/data/x"), "磁盘空间不足")])
def test_main_turns_any_error_into_one_line(monkeypatch, capsys, raised, needle):
    from ogiaudit import cli as cli_module
    from ogiaudit.commands import rules

    def explode(*_a, **_k):
        raise raised

    monkeypatch.setattr(rules, "print_catalogue", explode, raising=False)
    monkeypatch.setattr(cli_module, "app", _app_raising(raised))
    monkeypatch.setattr(sys, "argv", ["ogiaudit", "boom"])
    with pytest.raises(SystemExit) as exit_:
        cli_module.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [err.strip()] and needle in err and "Traceback" not in err
    monkeypatch.setenv("OGIAUDIT_DEBUG", "1")
    with pytest.raises(SystemExit):
        cli_module.main()
    assert "Traceback" in capsys.readouterr().err


def _app_raising(exc):
    import typer

    app = typer.Typer()

    @app.command()
    def boom() -> None:
        raise exc

    @app.command()
    def other() -> None:
        pass

    return app
