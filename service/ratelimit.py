"""Failed sign-in rate limiting, keyed by client address and token.

Every place that checks a token a client presents (the API's bearer token, a socket's
``?token=``, the pages' cookie, the sign-in form) reports failures here. After
``signin_max_failures`` *different* failed tokens from one address within ``signin_window_s``
seconds, that address is locked out for ``signin_window_s`` seconds: every *failing* token from
it is answered 429 with ``Retry-After`` (sockets close with 1008 and a reason) instead of 401,
telling a misbehaving client to back off. Requests without any token are not counted.

A valid token is never refused (issue 15). The earlier rule refused even the right token during
a lockout, so behind NAT or a softphone gateway one browser with a stale cookie (reconnecting
its sockets, or loading ``/signin``) locked the whole floor out, real agents' calls included.
The same stale token presented again counts once, so a reconnect loop cannot lock anyone out;
and the pages clear a cookie whose token failed. Guessing is not what the lockout stops: tokens
carry 256 random bits (storage/auth.py), so no number of guesses per window finds one.

The limiter is in memory and per process: each server process (and each node of a multi-node
deployment) counts on its own, and a restart forgets. Memory is bounded: at most
``MAX_TRACKED_ADDRESSES`` addresses are kept; expired entries go first, then the least recently
seen. The client address is the TCP peer; behind a reverse proxy every client shares the
proxy's address (run uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips`` so the peer
is the real client).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from calltone.audio.errors import CalltoneError

MAX_TRACKED_ADDRESSES = 10_000
"""Addresses with recent failures kept in memory at most (about 1 MB at the default limits)."""


class SigninLockedError(CalltoneError):
    """Too many failed sign-ins from one address: refuse until ``retry_after_s`` has passed."""

    def __init__(self, address: str, retry_after_s: float, max_failures: int, window_s: float):
        self.address = address
        self.retry_after_s = retry_after_s
        super().__init__(
            f"too many failed sign-ins from {address} ({max_failures} within {window_s:g} s); "
            f"try again in {self.retry_after_whole_s} s with a valid token "
            "(limits: CALLTONE_SIGNIN_MAX_FAILURES, CALLTONE_SIGNIN_WINDOW_S)"
        )

    @property
    def retry_after_whole_s(self) -> int:
        """Seconds to wait, rounded up, as a ``Retry-After`` header wants them."""
        return max(1, math.ceil(self.retry_after_s))


@dataclass
class _Entry:
    failures: OrderedDict[str, float] = field(default_factory=OrderedDict)
    """Failed token keys (digests) -> when each last failed, oldest first."""
    locked_until: float = 0.0


class SigninLimiter:
    """Counts failed tokens per address and locks an address out (thread-safe).

    ``max_failures`` 0 turns the limit off.
    """

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        *,
        max_addresses: int = MAX_TRACKED_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_addresses = max_addresses
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def check(self, address: str) -> None:
        """Raise :class:`SigninLockedError` while ``address`` is locked out."""
        if self.max_failures <= 0:
            return
        with self._lock:
            entry = self._entries.get(address)
            if entry is None:
                return
            left = entry.locked_until - self._clock()
        if left > 0:
            raise SigninLockedError(address, left, self.max_failures, self.window_s)

    def failed(self, address: str, token_key: str = "") -> None:
        """Count a failed token from ``address``; the same ``token_key`` (a digest of the
        token) counts once per window. The Nth different one within the window locks it."""
        if self.max_failures <= 0:
            return
        now = self._clock()
        with self._lock:
            entry = self._entries.get(address)
            if entry is None:
                self._make_room(now)
                entry = self._entries[address] = _Entry()
            else:
                self._entries.move_to_end(address)
            if entry.locked_until > now:
                return  # already locked; the lockout does not grow
            failures = entry.failures
            failures[token_key] = now
            failures.move_to_end(token_key)
            while failures and next(iter(failures.values())) <= now - self.window_s:
                failures.popitem(last=False)
            if len(failures) >= self.max_failures:
                entry.locked_until = now + self.window_s
                failures.clear()

    def _make_room(self, now: float) -> None:
        if len(self._entries) < self.max_addresses:
            return
        stale = [
            address
            for address, e in self._entries.items()
            if e.locked_until <= now
            and (not e.failures or next(reversed(e.failures.values())) <= now - self.window_s)
        ]
        for address in stale:
            del self._entries[address]
        while len(self._entries) >= self.max_addresses:
            self._entries.popitem(last=False)
