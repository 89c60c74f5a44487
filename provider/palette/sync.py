"""Sync polling: Palette's sync status words as states, and the wait for a sync to end (pure but for
the status reads it is given and the clock)."""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable

from provider.palette.errors import SyncFailedError, SyncInterruptedError, SyncTimeoutError, truncate
from provider.palette.models import RegistrySyncStatus
from provider.redaction import redact_credentials


class SyncState(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    IN_PROGRESS = "in progress"


SYNC_SUCCESS = frozenset({"Success", "Completed"})
SYNC_FAILURE = frozenset({"Failed", "Error"})


def classify_sync(status: str | None) -> SyncState:
    """Palette's free-form `syncStatus.status` (normalised as it entered, `models.SyncWord`) as a state.
    Completed/Success succeeded and Failed/Error failed, as in Spectro Cloud's own provider (Completed,
    InProgress, Failed, Error are the only words Spectro documents); anything else (InProgress, Pending,
    Running, Unknown, "") is not finished yet.

    A word neither list knows is where the two providers part: Spectro's wait fails on it with an
    unexpected-state error after the registry is stored, which taints it. Here it counts as not finished:
    the wait goes on and, if the word stays, ends at the timeout with a warning naming it. A word
    Palette adds later is likelier a new spelling of "in progress" than a failure, and a warning keeps
    the registry and its uid in the state untainted."""
    if status in SYNC_SUCCESS:
        return SyncState.SUCCEEDED
    if status in SYNC_FAILURE:
        return SyncState.FAILED
    return SyncState.IN_PROGRESS


def wait_for_sync(
    read_status: Callable[[], RegistrySyncStatus],
    uid: str,
    timeout: float,
    *,
    poll: float = 2.0,
    max_poll: float = 15.0,
    stop: threading.Event | None = None,
    on_status: Callable[[RegistrySyncStatus], None] | None = None,
) -> RegistrySyncStatus:
    """Read the sync status of registry `uid` (`read_status`), the interval growing from `poll` to
    `max_poll`, until it succeeds or Palette says the registry does not synchronize (returned; the caller
    reads which), fails (SyncFailedError with Palette's message) or `timeout` seconds pass
    (SyncTimeoutError naming the last status seen). Setting `stop` ends the wait at once
    (SyncInterruptedError naming the last status seen). `on_status` sees every status read, first."""
    deadline = time.monotonic() + timeout
    interval = poll
    while True:
        status = read_status()
        if on_status is not None:
            on_status(status)
        state = classify_sync(status.status)
        if state is SyncState.SUCCEEDED or status.is_sync_supported is False:
            return status
        if state is SyncState.FAILED:
            detail = f": {truncate(redact_credentials(status.message))}" if status.message else ""
            raise SyncFailedError(f"Palette reports that the sync of registry {uid} failed ({status.status}){detail}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            last = status.status or "no status yet"
            raise SyncTimeoutError(
                f"the sync of registry {uid} did not finish within {timeout:g}s; last status: {last}"
                + (f" ({truncate(redact_credentials(status.message))})" if status.message else "")
            )
        if stop is None:
            time.sleep(min(interval, remaining))
        elif stop.wait(min(interval, remaining)):
            raise SyncInterruptedError(
                f"stopped waiting for the sync of registry {uid}; last status: {status.status or 'no status yet'}"
            )
        interval = min(interval * 1.5, max_poll)
