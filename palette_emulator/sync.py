"""Registry synchronisation that progresses over time.

Starting a sync records a new run (generation, start time). In contact mode a worker thread runs
the same check as the validate endpoint and records Success or Failed for that generation (a newer
run makes an older outcome irrelevant); in accept mode the outcome is Success at once. What a
client sees is computed from timestamps when it asks: "InProgress" until `sync_delay` seconds have
passed AND the outcome is known, then the outcome. No timers, so tests are deterministic.

The stored outcome is "Success" or "Failed"; answers spell it as Palette does (`sync_word`): the
only list Spectro documents is Completed, InProgress, Failed, Error (FIDELITY.md, row 14), so a
success is "Completed" unless a variant says otherwise.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .config import EmulatorConfig
from .contact import ContactFailed, check
from .store import Registry, Store, SyncRun
from .views import timestamp

log = logging.getLogger("palette_emulator.sync")


# How answers spell a stored success: the documented word, or "Success" (Spectro's mock and its wait
# accept it too) with the variant "sync-success-word".
SUCCESS_WORD = "Completed"


def sync_phase(reg: Registry, delay: float, now: float | None = None) -> str:
    """status.syncStatus.status at time `now`: "" (sync off), "InProgress", "Success" or "Failed"."""
    run = reg.sync
    if run.started is None or not reg.syncing:
        return ""
    if not run.result or (time.time() if now is None else now) < run.started + delay:
        return "InProgress"
    return run.result


def sync_word(reg: Registry, delay: float, now: float, variants: frozenset[str] = frozenset()) -> str:
    """`sync_phase` as answers spell it. The variant "sync-words" answers what Spectro's wait lists besides
    the documented words: "Pending" for the first half of the delay, "Running" for the rest."""
    phase = sync_phase(reg, delay, now)
    if phase == "Success":
        return "Success" if "sync-success-word" in variants else SUCCESS_WORD
    if phase == "InProgress" and "sync-words" in variants:
        started = reg.sync.started or now
        return "Pending" if now < started + delay / 2 else "Running"
    return phase


def sync_status(
    reg: Registry, delay: float, now: float | None = None, variants: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """v1RegistrySyncStatus for `reg` at time `now`.

    `isSyncSupported` says whether the registry synchronizes: Spectro's own provider reads its
    sync on/off setting from here (FIDELITY.md, "Sync on/off"). A registry created before Palette
    4.5.0 reports false even after an update asked for synchronization."""
    now = time.time() if now is None else now
    phase = sync_word(reg, delay, now, variants)
    status: dict[str, Any] = {"isSyncSupported": reg.syncing, "status": phase}
    run = reg.sync
    if not phase or run.started is None:
        return status
    status["lastRunTime"] = timestamp(run.started)
    if phase in ("Success", SUCCESS_WORD):
        due = run.started + delay
        status["lastSyncedTime"] = timestamp(max(due, run.finished or due))
    elif phase == "Failed":
        status["message"] = run.message
    return status


class SyncRunner:
    def __init__(self, store: Store, config: EmulatorConfig) -> None:
        self._store = store
        self._config = config
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="palette-sync")

    def start(self, reg: Registry) -> None:
        """Begin a new sync run on `reg` (the caller saves `reg`, then calls `launch`)."""
        now = time.time()
        reg.sync = SyncRun(generation=reg.sync.generation + 1, started=now)
        if self._config.validate == "accept":
            reg.sync.result, reg.sync.finished = "Success", now

    def launch(self, reg: Registry, spec: dict[str, Any] | None = None) -> None:
        """Run the check of an unfinished run in the background (none for a registry that does not sync), against
        `spec` when given (the registry as a variant's Palette contacts it), else the stored spec."""
        if reg.sync.started is not None and not reg.sync.result:
            self._pool.submit(self._run, reg.uid, reg.family, spec or reg.spec, reg.sync.generation)

    def resume_unfinished(self) -> None:
        """After a restart: finish the runs the previous process left open."""
        for reg in self._store.unfinished_syncs():
            self.launch(reg)

    def _run(self, uid: str, family: Any, spec: dict[str, Any], generation: int) -> None:
        try:
            check(family, spec, self._config.contact_timeout)
        except ContactFailed as failure:
            result, message = "Failed", f"synchronization failed: {failure}"
        except Exception:  # a bug in a check must not leave the run open forever
            log.exception("sync check of registry %s crashed", uid)
            result, message = "Failed", "synchronization failed: internal error in the emulator"
        else:
            result, message = "Success", ""
        self._store.record_sync_result(uid, generation, result, message, time.time())

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
