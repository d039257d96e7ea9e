"""`ogiaudit users add|list|remove|passwd`: the review desk's accounts.  Passwords come from standard input (never
from the command line, where other users of the machine could read them) and are kept as argon2 hashes."""
from __future__ import annotations

import sys

import typer

from ogiaudit.commands import options


def read_password(prompt: str = "密码") -> str:
    """From a terminal: asked twice without echo; from a pipe: the first line."""
    if sys.stdin.isatty():
        import getpass
        first = getpass.getpass(f"{prompt}：")
        if getpass.getpass(f"再输入一次{prompt}：") != first:
            raise ValueError("两次输入的密码不一致")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="审核台的账号：添加、列出、删除、重设密码（密码从标准输入读取）。", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add", help="添加账号：admin 管理员、reviewer 审核人（须指定范围）、viewer 只读。")
    def add(name: str = typer.Argument(..., help="用户名"),
            role: str = typer.Option(..., "--role", help="admin | reviewer | viewer"),
            scope: list[str] | None = typer.Option(None, "--scope", help="负责的门户编号（可多次给出）"),
            region: list[str] | None = typer.Option(None, "--region", help="负责的地区，如 甘肃省/临夏回族自治州（可多次给出）"),
            database: options.Database = None, config: options.Config = None) -> None:
        from ogiaudit.web.auth import hash_password
        from storage import review
        password = _password()
        with _session(database, config) as s:
            _do(lambda: review.add_user(s, name, role, hash_password(password), portals=scope or [],
                                        regions=region or []))
        typer.echo(f"已添加用户 {name}（{role}）")

    @users.command("list", help="列出账号。")
    def list_(database: options.Database = None, config: options.Config = None) -> None:
        from ogiaudit.web.words import ROLE, moment
        from storage import review
        with _session(database, config, readonly=True) as s:
            for u in review.list_users(s):
                scope = "、".join((u.portals or []) + (u.regions or [])) or "全部"
                typer.echo(f"{u.name}\t{ROLE.get(u.role, u.role)}\t范围：{scope}\t最近登录：{moment(u.last_login) or '从未'}")

    @users.command("remove", help="删除账号（其已登录的会话随即失效）。")
    def remove(name: str = typer.Argument(..., help="用户名"),
               database: options.Database = None, config: options.Config = None) -> None:
        from storage import review
        with _session(database, config) as s:
            _do(lambda: review.remove_user(s, name))
        typer.echo(f"已删除用户 {name}")

    @users.command("passwd", help="重设密码（从标准输入读取；其已登录的会话随即失效）。")
    def passwd(name: str = typer.Argument(..., help="用户名"),
               database: options.Database = None, config: options.Config = None) -> None:
        from ogiaudit.web.auth import hash_password
        from storage import review
        password = _password()
        with _session(database, config) as s:
            _do(lambda: review.set_password(s, name, hash_password(password)))
        typer.echo(f"已重设用户 {name} 的密码")


def _password() -> str:
    from ogiaudit.commands.query import fail
    try:
        password = read_password()
        if len(password) < 8:
            raise ValueError("密码至少8个字符")
    except ValueError as exc:
        fail(str(exc))
    return password


def _session(database, config, readonly: bool = False):
    from ogiaudit.commands.query import opened
    return _Opened(opened(database, config, readonly=readonly))


class _Opened:
    """`opened` yields (settings, session): only the session is needed here."""

    def __init__(self, cm):
        self.cm = cm

    def __enter__(self):
        return self.cm.__enter__()[1]

    def __exit__(self, *exc):
        return self.cm.__exit__(*exc)


def _do(step) -> None:
    from ogiaudit.commands.query import fail
    from storage.review import UserError
    try:
        step()
    except UserError as exc:
        fail(str(exc))
