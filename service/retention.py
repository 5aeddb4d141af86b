"""Retention: delete what a deployment promised not to keep, on a schedule.

Contact centres state how long call records may be kept (privacy law, their own policy).
``calltone serve`` runs :func:`retention_loop` from its lifespan: once at start-up and then every
``retention_interval_s``, it deletes calls that ended more than ``retention_days`` ago with their
events, transcript, alerts, feedback and feed entries, and finished scorecards (which quote the
transcript). ``calltone purge`` runs one sweep by hand. Audio is never stored, so there is none
to delete.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from calltone.audio.errors import ParameterError
from calltone.service.storage import StorageError, Store

log = logging.getLogger("calltone.retention")


@dataclass(frozen=True)
class SweepResult:
    """One retention sweep: the cut-off used and rows deleted per table."""

    cutoff: dt.datetime
    deleted: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def sweep(store: Store, *, retention_days: float, now: dt.datetime | None = None) -> SweepResult:
    """Delete everything that ended more than ``retention_days`` before ``now`` (default: the
    current UTC time). ``retention_days`` must be positive; 0 means "keep" and is the caller's
    business (:func:`retention_loop` does not sweep then)."""
    if not retention_days > 0:
        raise ParameterError(
            f"retention_days must be > 0 to delete anything, got {retention_days}; "
            "use 0 only to switch retention off"
        )
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=retention_days)
    return SweepResult(cutoff, store.delete_older_than(cutoff))


async def retention_loop(store: Store, *, retention_days: float, interval_s: float) -> None:
    """Sweep now and then every ``interval_s`` until cancelled; a failed sweep is logged and
    retried at the next interval (the service keeps running)."""
    if retention_days <= 0:
        log.info("retention is off (retention_days = 0): nothing is deleted")
        return
    while True:
        try:
            result = await asyncio.to_thread(sweep, store, retention_days=retention_days)
        except StorageError as exc:
            log.error("retention sweep failed, retrying in %.0f s: %s", interval_s, exc)
        except Exception:  # a bug must not end the schedule (or fail the shutdown that awaits it)
            log.exception("retention sweep failed unexpectedly, retrying in %.0f s", interval_s)
        else:
            if result.total:
                log.info(
                    "retention: deleted %s (ended before %s)",
                    ", ".join(f"{n} {k}" for k, n in result.deleted.items() if n),
                    result.cutoff.isoformat(timespec="seconds"),
                )
        await asyncio.sleep(interval_s)
