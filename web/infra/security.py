"""Password hashing, random tokens and their hashes."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from functools import lru_cache

from passlib.context import CryptContext
from zxcvbn import zxcvbn

PASSWORD_MIN, PASSWORD_MAX = 8, 256
GUESSABLE_BELOW = 2  # zxcvbn scores 0-4; 0 and 1 are guessed within about a million tries
TOKEN_BYTES = 32  # 256 bits of randomness for session ids, CSRF and API tokens
API_TOKEN_PREFIX = "tpm_"


@lru_cache(maxsize=2)
def password_context(cheap: bool = False) -> CryptContext:
    """argon2 through passlib; `cheap` lowers the cost for the test suite only."""
    if cheap:
        return CryptContext(
            schemes=["argon2"], argon2__memory_cost=1024, argon2__time_cost=1, argon2__parallelism=1
        )
    return CryptContext(schemes=["argon2"], deprecated="auto")


def hash_password(password: str, *, cheap: bool = False) -> str:
    """Hash a password for storage."""
    return password_context(cheap).hash(password)


def verify_password(password: str, password_hash: str | None, *, cheap: bool = False) -> bool:
    """Check a password; runs a hash even without a stored one so timing does not reveal accounts."""
    ctx = password_context(cheap)
    if not password_hash:
        ctx.dummy_verify()
        return False
    try:
        return ctx.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def password_problem(password: str, *, related: Sequence[str] = ()) -> str | None:
    """Why a new password is unacceptable, or None.

    Besides the length, zxcvbn (Dropbox's estimator, with its lists of common passwords, names and
    keyboard patterns) must rate it at least GUESSABLE_BELOW: "12345678", "password" and eight
    spaces are refused. `related` are words a guesser would try first (the email address).
    """
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    # zxcvbn's time grows with length; its first 100 characters decide the rating anyway.
    rating = zxcvbn(password[:100], user_inputs=[w for w in related if w])
    if rating["score"] < GUESSABLE_BELOW:
        warning = rating["feedback"].get("warning") or "It would be easy to guess."
        return f"Choose a harder password: {warning.rstrip('.')}. A few unrelated words make a strong one."
    return None


def new_token() -> str:
    """A random URL-safe token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token: a database leak does not reveal live cookies or API tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(a: str | None, b: str | None) -> bool:
    """Constant-time comparison that is false when either side is missing."""
    return bool(a) and bool(b) and secrets.compare_digest(str(a), str(b))


CSRF_COOKIE = "tpmprep_csrf"  # for visitors without a session (sign-up and login forms)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def expected_csrf(request) -> str | None:
    """The CSRF token this visitor's forms must carry: the session's, or the visitor cookie's."""
    if getattr(request.state, "csrf", None):
        return request.state.csrf
    return request.cookies.get(CSRF_COOKIE)


# Password hashing gets its own few threads, at a lower CPU priority: a flood of logins then
# queues here, as coroutines, instead of filling the request thread pool and taking the CPU that
# every other request needs (argon2's own lane threads inherit the lower priority on Linux).
HASH_SLOTS = max(1, (os.cpu_count() or 2) // 2)
HASH_QUEUE_MAX = 64  # checks waiting beyond this are told to retry (503), not kept waiting for minutes
HASH_NICE = 10
# Each kind of check (sign-up, login) may fill only its share of the queue: a flood of one (say,
# logins with stolen passwords) still leaves room for the other (a new candidate signing up).
HASH_KINDS = ("signup", "login")


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass


_hash_pool = ThreadPoolExecutor(max_workers=HASH_SLOTS, thread_name_prefix="password-hashing", initializer=_lower_priority)
_hash_pending = dict.fromkeys(HASH_KINDS, 0)  # only touched on event-loop threads, between awaits


class HashingBusy(Exception):
    """Too many password checks are already waiting; the caller should answer 503 with Retry-After."""


def hashing_share() -> int:
    """How many checks of one kind may be running or waiting at once."""
    return HASH_SLOTS + HASH_QUEUE_MAX // len(HASH_KINDS)


async def run_hashing(kind: str, fn, /, *args, **kwargs):
    """Run a password hash or check of `kind` (and the short reads around it) on the hashing threads."""
    if _hash_pending[kind] >= hashing_share():
        raise HashingBusy()
    _hash_pending[kind] += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_hash_pool, functools.partial(fn, *args, **kwargs))
    finally:
        _hash_pending[kind] -= 1
