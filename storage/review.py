"""The review desk's tables (migration 0012): desk accounts, the reviewer's verdict on each finding, and the history
of every review action.  A waiver (豁免) stays the finding's own status (`finding.status = "waived"`, as with
`ogiaudit waive`); the desk records it in the history too."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, Session, SQLModel, select

from storage.rows import now

# storage.models imports this module (its tables belong to the one metadata), so the writers that import models,
# storage.repository and storage.models itself, are imported where used below: a cycle, not a preference

ROLES = ("admin", "reviewer", "viewer")
VERDICTS = ("confirmed", "dismissed")                     # 确认, 驳回
ACTIONS = ("confirm", "dismiss", "waive", "unwaive", "reset")


class DeskUserRow(SQLModel, table=True):
    __tablename__ = "desk_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    role: str                                             # admin | reviewer | viewer
    password_hash: str
    portals: list[str] | None = Field(default=None, sa_column=Column(JSON))   # the portals a reviewer supervises
    regions: list[str] | None = Field(default=None, sa_column=Column(JSON))   # region paths ("省/市"), all below
    created_at: datetime = Field(sa_type=DateTime)
    password_changed_at: datetime = Field(sa_type=DateTime)
    failed_logins: int = 0                                # wrong passwords since the last good login
    locked_until: datetime | None = Field(default=None, sa_type=DateTime)
    last_login: datetime | None = Field(default=None, sa_type=DateTime)


class FindingReviewRow(SQLModel, table=True):
    """The current verdict on a finding (the last 确认 or 驳回); its history is in review_action."""
    __tablename__ = "finding_review"

    finding_id: int = Field(primary_key=True, foreign_key="finding.id")
    verdict: str = Field(index=True)                      # confirmed | dismissed
    by: str
    reason: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(sa_type=DateTime)


class ReviewActionRow(SQLModel, table=True):
    """One review action: who, when, why."""
    __tablename__ = "review_action"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    action: str                                           # confirm | dismiss | waive | unwaive | reset
    by: str
    reason: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(sa_type=DateTime)


# --- accounts ---------------------------------------------------------------------------------------------------------
class UserError(ValueError):
    """A mistake about an account, told in one Chinese line."""


def get_user(session: Session, name: str) -> DeskUserRow | None:
    return session.exec(select(DeskUserRow).where(DeskUserRow.name == name)).first()


def list_users(session: Session) -> list[DeskUserRow]:
    return list(session.exec(select(DeskUserRow).order_by(DeskUserRow.name)).all())


def add_user(session: Session, name: str, role: str, password_hash: str, *, portals: list[str] = (),
             regions: list[str] = ()) -> DeskUserRow:
    if role not in ROLES:
        raise UserError(f"角色应为 {'/'.join(ROLES)}，而不是 {role!r}")
    if not name.strip() or len(name) > 100:
        raise UserError("用户名不能为空，且不超过100个字符")
    if role == "reviewer" and not portals and not regions:
        raise UserError("审核人须用 --scope 门户编号 或 --region 地区 指定负责的范围")
    if get_user(session, name) is not None:
        raise UserError(f"用户 {name} 已存在")
    when = now()
    row = DeskUserRow(name=name, role=role, password_hash=password_hash, portals=list(portals) or None,
                      regions=[r.strip("/") for r in regions] or None, created_at=when, password_changed_at=when)
    session.add(row)
    session.flush()
    return row


def remove_user(session: Session, name: str) -> None:
    row = get_user(session, name)
    if row is None:
        raise UserError(f"没有用户 {name}")
    session.delete(row)
    session.flush()


def set_password(session: Session, name: str, password_hash: str) -> DeskUserRow:
    row = get_user(session, name)
    if row is None:
        raise UserError(f"没有用户 {name}")
    row.password_hash, row.password_changed_at = password_hash, now()
    row.failed_logins, row.locked_until = 0, None
    session.add(row)
    session.flush()
    return row


def login_failed(session: Session, row: DeskUserRow, *, limit: int, lock: float) -> None:
    """Count a wrong password; `limit` in a row lock the account for `lock` seconds."""
    row.failed_logins += 1
    if row.failed_logins >= limit:
        row.locked_until = now() + timedelta(seconds=lock)
    session.add(row)
    session.flush()


def login_succeeded(session: Session, row: DeskUserRow) -> None:
    row.failed_logins, row.locked_until, row.last_login = 0, None, now()
    session.add(row)
    session.flush()


# --- review actions ---------------------------------------------------------------------------------------------------
def verdicts(session: Session, finding_ids=None) -> dict[int, str]:
    """The current verdict (confirmed | dismissed) of each reviewed finding: of all of them, or of `finding_ids`.
    Findings nobody reviewed are absent.  Digests and 整改通知书 decide from this."""
    stmt = select(FindingReviewRow.finding_id, FindingReviewRow.verdict)
    if finding_ids is None:
        return dict(session.exec(stmt).all())
    ids, out = list(finding_ids), {}
    for k in range(0, len(ids), 500):    # bound the IN list (SQLite's variables, PostgreSQL's plans)
        out.update(session.exec(stmt.where(FindingReviewRow.finding_id.in_(ids[k:k + 500]))).all())
    return out


def review(session: Session, finding_id: int, action: str, by: str, reason: str | None = None) -> None:
    """Apply one review action to a finding and keep it in the history.  confirm / dismiss set the verdict;
    waive / unwaive are the existing waiver (storage.repository); reset clears the verdict."""
    from storage import repository
    if action not in ACTIONS:
        raise UserError(f"未知的审核操作：{action}")
    reason = (reason or "").strip() or None
    if action in ("dismiss", "waive") and not reason:
        raise UserError("驳回和豁免须写明理由")
    if action == "waive":
        repository.waive(session, finding_id, reason=reason, by=by)
    elif action == "unwaive":
        repository.unwaive(session, finding_id)
    else:
        _set_verdict(session, finding_id, action, by, reason)
    session.add(ReviewActionRow(finding_id=finding_id, action=action, by=by, reason=reason, at=now()))
    session.flush()


def _set_verdict(session: Session, finding_id: int, action: str, by: str, reason: str | None) -> None:
    from storage import repository
    from storage.models import FindingRow
    if session.get(FindingRow, finding_id) is None:
        raise repository.NotFound(f"没有编号为 {finding_id} 的问题")
    row = session.get(FindingReviewRow, finding_id)
    if action == "reset":
        if row is not None:
            session.delete(row)
        return
    verdict = "confirmed" if action == "confirm" else "dismissed"
    row = row or FindingReviewRow(finding_id=finding_id, verdict=verdict, by=by, at=now())
    row.verdict, row.by, row.reason, row.at = verdict, by, reason, now()
    session.add(row)
