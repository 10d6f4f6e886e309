"""Cross-process locks (stepdown/core/locks.py): one holder at a time, on Redis or on a file."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid

import pytest
import redis

from stepdown.core import locks
from tests.redis_server import redis_url  # noqa: F401 - the fixture
from tests.test_cli import STEPDOWN

HOLD_SCRIPT = (
    "import time; from stepdown.core import locks\n"
    "with locks.lock('held-elsewhere', ttl=1):\n"
    "    print('held', flush=True); time.sleep(60)\n"
)


def most_holders_at_once(*, threads: int = 6, rounds: int = 4, **lock_options) -> tuple[int, int]:
    """Let ``threads`` threads take the lock ``rounds`` times each; return the most that were
    inside at the same moment, and how many turns were taken in all."""
    guard = threading.Lock()
    state = {"inside": 0, "most": 0, "turns": 0}

    def work():
        for _ in range(rounds):
            with locks.lock("contended", **lock_options):
                with guard:
                    state["inside"] += 1
                    state["most"] = max(state["most"], state["inside"])
                time.sleep(0.01)
                with guard:
                    state["inside"] -= 1
                    state["turns"] += 1

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return state["most"], state["turns"]


@pytest.fixture
def file_locks(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return tmp_path


@pytest.fixture
def redis_locks(settings, redis_url):  # noqa: F811
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    return prefix


def start_holder(data_dir, extra_env=None) -> subprocess.Popen:
    """A separate `stepdown` process that takes the lock 'held-elsewhere' and keeps it."""
    env = {**os.environ, "STEPDOWN_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    holder = subprocess.Popen(  # noqa: S603 - our own console script
        [STEPDOWN, "shell", "-c", HOLD_SCRIPT], env=env, stdout=subprocess.PIPE, text=True
    )
    for line in holder.stdout:  # Django's shell may say what it imported first
        if line.strip() == "held":
            return holder
    holder.kill()
    pytest.fail("the holding process did not take the lock")


def test_lock_lets_one_thread_in_at_a_time_when_threads_contend_on_a_file(file_locks):
    assert locks.backend_name() == "file"
    most, turns = most_holders_at_once()
    assert (most, turns) == (1, 24)
    assert (file_locks / "locks" / "contended.lock").exists()


def test_lock_lets_one_thread_in_at_a_time_when_threads_contend_on_redis(redis_locks, redis_url):  # noqa: F811
    assert locks.backend_name() == "redis"
    client = redis.Redis.from_url(redis_url)
    with locks.lock("contended"):
        [key] = client.keys(f"{redis_locks}:*lock:contended")
        assert client.pttl(key) > 0  # a crashed holder's lock lapses
    assert not client.exists(key)
    most, turns = most_holders_at_once()
    assert (most, turns) == (1, 24)


def test_lock_gives_up_after_waiting_when_another_process_holds_it_on_a_file(file_locks):
    holder = start_holder(file_locks)
    try:
        started = time.monotonic()
        with pytest.raises(locks.LockUnavailable), locks.lock("held-elsewhere", wait=0.5):
            pass
        assert time.monotonic() - started >= 0.5
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: the kernel lets go of the file lock
        holder.wait(timeout=20)
    with locks.lock("held-elsewhere", wait=0):
        pass


def test_lock_is_renewed_while_held_and_lapses_when_its_holder_crashes_on_redis(
    redis_locks,
    redis_url,  # noqa: F811
    tmp_path,
):
    holder = start_holder(tmp_path, {"REDIS_URL": redis_url, "STEPDOWN_CACHE_PREFIX": redis_locks})
    try:
        time.sleep(2.5)  # more than twice the ttl: only renewal keeps it
        with pytest.raises(locks.LockUnavailable), locks.lock("held-elsewhere", wait=0):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=20)
    with locks.lock("held-elsewhere", wait=3):  # the 1-second ttl runs out
        pass


def test_lock_is_released_only_by_its_holder_on_redis(redis_url):  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    key = f"test-{uuid.uuid4().hex}"
    holder = locks.RedisLock(client, key, ttl=30)
    other = locks.RedisLock(client, key, ttl=30)
    assert holder.acquire(wait=0)
    assert not other.acquire(wait=0.1)
    other.release()  # someone without the token cannot free it
    assert client.get(key).decode() == holder.token
    holder.release()
    assert not client.exists(key)
    assert other.acquire(wait=0)
    other.release()


def test_lock_refuses_names_that_are_not_short_words(file_locks):
    with pytest.raises(ValueError), locks.lock("../escape"):
        pass
