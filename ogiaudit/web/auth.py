"""Passwords (argon2), sessions (Starlette's signed, HttpOnly cookie, with a server-side lifetime), CSRF tokens and
the slowing of wrong passwords."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("never-a-password")   # unknown users cost the same time as known ones


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValueError("密码至少8个字符")
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def stamp(password_hash: str) -> str:
    """A short fingerprint of the password hash kept in the session: a new password ends the old sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass
class Policy:
    session_seconds: float = 8 * 3600     # a login lasts a working day
    fail_limit: int = 5                   # wrong passwords in a row before the account is locked ...
    lock_seconds: float = 300             # ... for this long
    fail_delay: float = 1.0               # every wrong password is answered this much later


def csrf_token(session: dict) -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(session: dict, sent: str | None) -> bool:
    token = session.get("csrf")
    return bool(token and sent and secrets.compare_digest(token, sent))


def start(session: dict, user_id: int, password_hash: str) -> None:
    session.clear()
    session.update(uid=user_id, pw=stamp(password_hash), t=time.time(), csrf=secrets.token_urlsafe(32))


def alive(session: dict, policy: Policy) -> bool:
    started = session.get("t")
    return isinstance(started, (int, float)) and time.time() - started < policy.session_seconds


class Attempts:
    """Wrong passwords per client address (unknown user names are counted here; known ones in the database)."""

    def __init__(self) -> None:
        self._seen: dict[str, list[float]] = {}

    def failed(self, client: str) -> int:
        now = time.time()
        recent = [t for t in self._seen.get(client, []) if now - t < 3600] + [now]
        self._seen[client] = recent[-100:]
        return len(recent)

    def count(self, client: str) -> int:
        now = time.time()
        return sum(1 for t in self._seen.get(client, []) if now - t < 3600)
