"""Cross-process locks, for work that must not run twice at the same time.

``with lock("name"):`` is held by one process at a time, on any machine that shares the cache:

- with Redis as the cache (``REDIS_URL``): a key set with ``SET NX PX`` to a random token. Only
  the holder's token releases it (compare-and-delete in one Lua script), so a holder that was
  too slow never frees a lock someone else holds now. While the holder works, a thread renews
  the key every third of ``ttl``, so a long migration keeps its lock; a holder that crashed
  stops renewing, and its lock lapses after ``ttl`` seconds.
- otherwise (the embedded SQLite and in-process cache: one machine): ``flock`` on a file in
  the data directory's ``locks/``. The kernel releases it when the holder's process ends.

Where it is used: ``stepdown serve`` migrates and collects static files under
``lock("serve-setup")``, so app processes (on one machine or several) starting at the same time
do not run the same migration twice or write the same static files at once.

The data directory has a lock of its own, always a file lock (it is about this machine's
directory): ``stepdown serve`` and ``stepdown worker`` hold it shared for their whole life
(:func:`keep_data_dir_in_use`), and ``stepdown restore`` takes it alone
(:func:`data_dir_alone`), so a restore never replaces the database under a running server, and
a server does not start in the middle of a restore.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,79}")
DATA_DIR_LOCK = "data-dir-in-use"

# Delete / extend the key only while it still holds our token (atomic in Redis).
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class LockUnavailable(Exception):
    """Someone else held the lock for longer than we were willing to wait."""


class DataDirInUse(Exception):
    """A server or worker runs on the data directory (or a restore does)."""


def _check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"lock names are short, lower-case words: {name!r}")
    return name


def _wait_steps(wait: float) -> Iterator[None]:
    """Yield once per attempt until ``wait`` seconds have passed, pausing between attempts."""
    deadline = time.monotonic() + max(0.0, wait)
    pause = 0.02
    while True:
        yield
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.5)


class RedisLock:
    """One attempt at the lock ``key`` in Redis (``client``: a redis-py client)."""

    def __init__(self, client, key: str, *, ttl: float) -> None:
        self.client = client
        self.key = key
        self.ttl_ms = max(1000, int(ttl * 1000))
        self.token = secrets.token_hex(16)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self, wait: float) -> bool:
        for _ in _wait_steps(wait):
            if self.client.set(self.key, self.token, nx=True, px=self.ttl_ms):
                self._renewer = threading.Thread(
                    target=self._renew, name=f"lock-renew {self.key}", daemon=True
                )
                self._renewer.start()
                return True
        return False

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000):
            try:
                if not self.client.eval(_RENEW, 1, self.key, self.token, self.ttl_ms):
                    logger.warning("Lost the lock %s: it lapsed before it was renewed.", self.key)
                    return
            except Exception:  # Redis away for a moment: try again at the next turn
                logger.warning("Could not renew the lock %s.", self.key, exc_info=True)

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        self.client.eval(_RELEASE, 1, self.key, self.token)


class FileLock:
    """One attempt at an ``flock`` on ``path``: exclusive, or ``shared`` with other sharers."""

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self.path = path
        self.mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        self.fd: int | None = None

    def acquire(self, wait: float) -> bool:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        for _ in _wait_steps(wait):
            try:
                fcntl.flock(fd, self.mode | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            self.fd = fd
            return True
        os.close(fd)
        return False

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def lock_dir(data_dir: Path | None = None) -> Path:
    return Path(data_dir or settings.DATA_DIR) / "locks"


def backend_name() -> str:
    """``"redis"`` when the default cache is Redis, else ``"file"``."""
    return "redis" if isinstance(caches["default"], RedisCache) else "file"


def _new_lock(name: str, ttl: float) -> RedisLock | FileLock:
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(f"lock:{name}")
        return RedisLock(cache._cache.get_client(key, write=True), key, ttl=ttl)
    return FileLock(lock_dir() / f"{name}.lock")


@contextmanager
def lock(name: str, *, wait: float = 30.0, ttl: float = 60.0) -> Iterator[None]:
    """Hold the lock ``name`` for the ``with`` block, waiting up to ``wait`` seconds for it.

    Raises LockUnavailable when it stays taken. ``ttl``: how long a Redis lock outlives a holder
    that crashed (a live holder keeps renewing it); file locks end with their process.
    """
    held = _new_lock(_check_name(name), ttl)
    if not held.acquire(wait):
        raise LockUnavailable(f"the lock {name!r} is held elsewhere (waited {wait:g} s)")
    try:
        yield
    finally:
        held.release()


_kept_data_dir_locks: list[FileLock] = []


def keep_data_dir_in_use(data_dir: Path | None = None) -> None:
    """Mark the data directory in use for the rest of this process's life (shared with other
    servers and workers), including the program it becomes with ``exec`` (gunicorn) and that
    program's children. Raises DataDirInUse while a restore holds it."""
    held = FileLock(lock_dir(data_dir) / f"{DATA_DIR_LOCK}.lock", shared=True)
    if not held.acquire(wait=0):
        raise DataDirInUse("a restore is running on this data directory")
    assert held.fd is not None
    os.set_inheritable(held.fd, True)
    _kept_data_dir_locks.append(held)


@contextmanager
def data_dir_alone(data_dir: Path | None = None) -> Iterator[None]:
    """Hold the data directory alone for the ``with`` block: no server, worker or other restore
    may run on it meanwhile. Raises DataDirInUse at once when one does."""
    held = FileLock(lock_dir(data_dir) / f"{DATA_DIR_LOCK}.lock")
    if not held.acquire(wait=0):
        raise DataDirInUse("a server, worker or restore is running on this data directory")
    try:
        yield
    finally:
        held.release()
