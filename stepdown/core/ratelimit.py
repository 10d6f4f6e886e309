"""Rate limits for the forum's own writes (new topic, reply, report, message).

A rate is written like "5/10m/user,20/h/ip": at most 5 per 10 minutes per member and 20 per hour
per address. Counters are fixed windows in the cache, so with Redis they are shared by every app
process. Sign-in, registration and password reset are limited by allauth with the same notation.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    amount: int
    period: int  # seconds
    per: str  # "user" or "ip"


def parse_rates(text: str) -> list[Rate]:
    """Parse "5/10m/user,20/h/ip" into rates; raise ValueError on a malformed rate."""
    rates = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        amount, duration, per = part.split("/")
        count = duration[:-1] or "1"
        if duration[-1] not in UNIT_SECONDS or per not in {"user", "ip"}:
            raise ValueError(f"malformed rate {part!r}")
        rates.append(Rate(int(amount), int(count) * UNIT_SECONDS[duration[-1]], per))
    return rates


def client_ip(request: HttpRequest) -> str:
    """The client's address, taking STEPDOWN_TRUSTED_PROXY_COUNT proxies into account."""
    proxies = settings.STEPDOWN_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [hop for hop in forwarded if hop]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the fullest window opens again

    @property
    def retry_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def hit(request: HttpRequest, action: str) -> Verdict:
    """Count one ``action`` by this request's member and address; say whether it may go ahead.

    Every configured rate is counted, so a refused attempt still uses up the window: someone
    retrying in a loop stays limited.
    """
    rates = parse_rates(settings.STEPDOWN_RATE_LIMITS.get(action, ""))
    now = time.time()
    allowed, retry_after = True, 0
    for rate in rates:
        if rate.per == "user":
            if not request.user.is_authenticated:
                continue
            who = f"u{request.user.pk}"
        else:
            who = f"ip{client_ip(request)}"
        window = int(now // rate.period)
        key = f"stepdown:rl:{action}:{rate.per}:{who}:{window}"
        cache.add(key, 0, timeout=rate.period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rate.period + 1)
            count = 1
        if count > rate.amount:
            allowed = False
            retry_after = max(retry_after, int((window + 1) * rate.period - now) + 1)
    return Verdict(allowed=allowed, retry_after=retry_after)
