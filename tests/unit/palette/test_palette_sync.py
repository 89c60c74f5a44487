"""provider/palette/sync.py: the wait for a sync over the statuses it is given (no Palette, no sleep to speak of)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from provider.palette.errors import SyncFailedError, SyncInterruptedError, SyncTimeoutError
from provider.palette.models import RegistrySyncStatus
from provider.palette.sync import wait_for_sync


def statuses(*answers: dict[str, object]) -> Iterator[RegistrySyncStatus]:
    """Palette's answers as they enter the client (words normalised), then the last one again and again."""
    decoded = [RegistrySyncStatus.model_validate(answer) for answer in answers]
    yield from decoded
    while True:
        yield decoded[-1]


def test_the_wait_ends_at_success_in_any_spelling_and_shows_every_status() -> None:
    answers = statuses({"status": "InProgress"}, {"status": "running"}, {"status": "completed"})
    seen: list[str | None] = []
    final = wait_for_sync(lambda: next(answers), "u1", 5.0, poll=0.001, on_status=lambda s: seen.append(s.status))
    assert final.status == "Completed" and seen == ["InProgress", "Running", "Completed"]


def test_a_registry_that_does_not_sync_ends_the_wait() -> None:
    answers = statuses({"status": "", "isSyncSupported": False})
    assert wait_for_sync(lambda: next(answers), "u1", 5.0, poll=0.001).is_sync_supported is False


def test_a_failure_quotes_palettes_message_without_credentials() -> None:
    answers = statuses({"status": "ERROR", "message": "pull from https://robot:hunter2-secret@h failed"})
    with pytest.raises(SyncFailedError, match=r"registry u1 failed \(Error\)") as failed:
        wait_for_sync(lambda: next(answers), "u1", 5.0, poll=0.001)
    assert "hunter2-secret" not in str(failed.value)


def test_an_unknown_word_waits_until_the_timeout_naming_it() -> None:
    answers = statuses({"status": "Brand-new"})
    with pytest.raises(SyncTimeoutError, match="last status: Brand-new"):
        wait_for_sync(lambda: next(answers), "u1", 0.01, poll=0.001)


def test_stop_ends_the_wait_at_once() -> None:
    stop = threading.Event()
    stop.set()
    answers = statuses({"status": "Pending"})
    with pytest.raises(SyncInterruptedError, match="last status: Pending"):
        wait_for_sync(lambda: next(answers), "u1", 60.0, stop=stop)
