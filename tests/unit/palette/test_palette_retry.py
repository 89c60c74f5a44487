"""Retry timing and dispositions: pure functions, no network."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider.palette.errors import ConfigurationError
from provider.palette.retry import (
    Disposition,
    RetryPolicy,
    backoff_delay,
    parse_retry_after,
    retry_delay,
    status_disposition,
)


@given(
    retry=st.integers(min_value=1, max_value=64),
    base=st.floats(min_value=0.0, max_value=10.0),
    cap=st.floats(min_value=0.0, max_value=60.0),
    seed=st.integers(),
)
def test_backoff_stays_within_full_jitter_bounds(retry: int, base: float, cap: float, seed: int) -> None:
    delay = backoff_delay(retry, base, cap, random.Random(seed))
    assert 0.0 <= delay <= min(cap, base * 2 ** (retry - 1))


def test_backoff_ceiling_doubles_until_the_cap() -> None:
    # rng.uniform(0, c) with a seeded rng hitting its maximum is unlikely; check the ceiling by
    # sampling: the largest of many draws approaches it and never passes it.
    def largest(retry: int) -> float:
        rng = random.Random(7)
        return max(backoff_delay(retry, 0.5, 4.0, rng) for _ in range(2000))

    assert 0.45 < largest(1) <= 0.5
    assert 0.9 < largest(2) <= 1.0
    assert 1.8 < largest(3) <= 2.0
    assert 3.6 < largest(4) <= 4.0
    assert 3.6 < largest(10) <= 4.0


def test_backoff_is_jittered_not_fixed() -> None:
    rng = random.Random(1)
    draws = {round(backoff_delay(3, 1.0, 30.0, rng), 6) for _ in range(50)}
    assert len(draws) > 40


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("", None),
        (None, None),
        ("soon", None),
        # Not delta-seconds: ignored (backoff applies), never an exception after a write was sent.
        ("-4", None),
        ("NaN", None),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("Infinity", None),
        ("1e3", None),
        ("0x10", None),
        ("3 s", None),
        ("\u0663", None),
        ("1" * 400, None),
        ("99999999999", 86400.0),
    ],
)
def test_retry_after_in_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_as_http_date() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=42), usegmt=True), now) == 42.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:10 GMT", now) == 10.0
    assert parse_retry_after(format_datetime(now - timedelta(minutes=5), usegmt=True), now) == 0.0


@given(st.text())
def test_retry_after_never_raises_and_is_finite(header: str) -> None:
    seconds = parse_retry_after(header)
    assert seconds is None or 0.0 <= seconds <= 86400.0


def test_retry_after_dates_out_of_range_are_ignored() -> None:
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT") == 86400.0
    assert parse_retry_after("Mon, 01 Jan 0001 00:00:00 GMT") in (0.0, None)


def test_retry_delay_ignores_a_retry_after_that_is_not_a_finite_wait() -> None:
    policy = RetryPolicy(max_retries=3, backoff_base=0.001, backoff_cap=0.002, retry_after_cap=10.0)
    for bad in (float("nan"), float("inf"), -1.0):
        assert 0.0 <= retry_delay(1, bad, policy) <= 0.002


def test_retry_delay_prefers_retry_after_but_caps_it() -> None:
    policy = RetryPolicy(max_retries=3, backoff_base=100.0, backoff_cap=100.0, retry_after_cap=10.0)
    assert retry_delay(1, 2.0, policy) == 2.0
    assert retry_delay(1, 3600.0, policy) == 10.0
    tiny = RetryPolicy(max_retries=3, backoff_base=0.001, backoff_cap=0.002)
    assert 0.0 <= retry_delay(5, None, tiny) <= 0.002


@pytest.mark.parametrize(
    ("status", "disposition"),
    [
        (200, Disposition.OK),
        (201, Disposition.OK),
        (204, Disposition.OK),
        (301, Disposition.FINAL),
        (307, Disposition.FINAL),
        (429, Disposition.NOT_PROCESSED),
        (500, Disposition.MAYBE_PROCESSED),
        (502, Disposition.MAYBE_PROCESSED),
        (503, Disposition.MAYBE_PROCESSED),
        (504, Disposition.MAYBE_PROCESSED),
        (400, Disposition.FINAL),
        (401, Disposition.FINAL),
        (403, Disposition.FINAL),
        (404, Disposition.FINAL),
        (409, Disposition.FINAL),
        (422, Disposition.FINAL),
        (501, Disposition.FINAL),
    ],
)
def test_which_statuses_are_retried(status: int, disposition: Disposition) -> None:
    assert status_disposition(status) is disposition


def test_policy_counts_attempts_and_refuses_negative_values() -> None:
    assert RetryPolicy(max_retries=0).attempts == 1
    assert RetryPolicy(max_retries=5).attempts == 6
    with pytest.raises(ConfigurationError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ConfigurationError):
        RetryPolicy(backoff_base=-0.1)


def test_http_dates_parse_or_give_none() -> None:
    from provider.palette.retry import parse_http_date

    assert parse_http_date("Sat, 01 Mar 2025 12:00:10 GMT") == datetime(2025, 3, 1, 12, 0, 10, tzinfo=UTC)
    assert parse_http_date("") is None
    assert parse_http_date(None) is None
    assert parse_http_date("not a date") is None
