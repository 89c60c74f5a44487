"""When and how long to retry a Palette request, and what a failed connection means (pure).

Dispositions say whether an attempt's outcome allows sending the request again:
NOT_PROCESSED (Palette did not act on it: 429, nothing sent), MAYBE_PROCESSED (it may have: 5xx,
the connection broke after sending), FINAL (retrying cannot help: other 4xx, TLS not trusted).
"""

from __future__ import annotations

import email.utils
import enum
import math
import random
import re
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from provider.exception_chain import causes
from provider.palette.errors import ConfigurationError
from provider.redaction import redact_then_cut


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait. `max_retries` retries follow the first attempt."""

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, not {self.max_retries}")
        if self.backoff_base < 0 or self.backoff_cap < 0 or self.retry_after_cap < 0:
            raise ConfigurationError("backoff_base, backoff_cap and retry_after_cap must not be negative")

    @property
    def attempts(self) -> int:
        return self.max_retries + 1


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff before retry number `retry` (1-based):
    uniform in [0, min(cap, base * 2**(retry-1))]."""
    ceiling = min(cap, base * 2 ** max(retry - 1, 0))
    return (rng or random).uniform(0.0, ceiling)


# Retry-After beyond this many seconds is read as this many (the policy caps the wait further).
MAX_RETRY_AFTER = 86400.0
_DELTA_SECONDS = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date, at most
    MAX_RETRY_AFTER. None (use backoff instead) when absent or not one of those: `NaN`, `inf`,
    a negative number, `1e3`, garbage. An HTTP-date in the past means now (0). Never raises."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _DELTA_SECONDS.match(text):
        seconds = float(text)
        return min(seconds, MAX_RETRY_AFTER) if math.isfinite(seconds) else None
    when = parse_http_date(text)
    if when is None:
        return None
    try:
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    except (OverflowError, TypeError, ValueError):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) if math.isfinite(seconds) else None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date header (Date, Retry-After) as an aware datetime; None when absent or unreadable."""
    if not value or not value.strip():
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def retry_delay(retry: int, retry_after: float | None, policy: RetryPolicy, rng: random.Random | None = None) -> float:
    """The pause before retry number `retry`: Palette's Retry-After (capped) when it gave one,
    otherwise full-jitter backoff."""
    if retry_after is not None and math.isfinite(retry_after) and retry_after >= 0:
        return min(retry_after, policy.retry_after_cap)
    return backoff_delay(retry, policy.backoff_base, policy.backoff_cap, rng)


class Disposition(enum.Enum):
    """What one attempt's outcome means for retrying."""

    OK = "ok"
    NOT_PROCESSED = "not processed"  # safe to send again: Palette did not act on it
    MAYBE_PROCESSED = "maybe processed"  # Palette may have acted on it; only idempotent requests repeat
    FINAL = "final"  # retrying cannot help


def status_disposition(status: int) -> Disposition:
    """How an HTTP status bears on retrying."""
    if status < 300:
        return Disposition.OK
    if status == 429:
        return Disposition.NOT_PROCESSED
    if status in (500, 502, 503, 504):
        return Disposition.MAYBE_PROCESSED
    return Disposition.FINAL


@dataclass(frozen=True)
class Failure:
    """An attempt that got no HTTP answer."""

    disposition: Disposition
    message: str


def describe_transport_failure(exc: httpx.RequestError, base_url: str, request_line: str) -> Failure:
    """What went wrong, in words, and whether the request may have reached Palette."""
    chain = list(causes(exc))
    tls = next((c for c in chain if isinstance(c, ssl.SSLError)), None)
    if isinstance(tls, ssl.SSLCertVerificationError):
        reason = getattr(tls, "verify_message", None) or "certificate verify failed"
        return Failure(
            Disposition.FINAL,
            f"could not connect to {base_url}: its TLS certificate is not trusted ({reason}); "
            "give the CA certificate that signed it, or disable TLS verification",
        )
    if tls is not None:
        return Failure(Disposition.FINAL, f"could not connect to {base_url}: TLS handshake failed ({tls})")
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(Disposition.NOT_PROCESSED, f"could not connect to {base_url}: timed out")
    if isinstance(exc, httpx.PoolTimeout):
        return Failure(Disposition.NOT_PROCESSED, f"no free connection to {base_url}: timed out waiting")
    if isinstance(exc, httpx.ConnectError):
        return Failure(_connect_disposition(chain), f"could not connect to {base_url}: {_connect_reason(chain)}")
    if isinstance(exc, httpx.ReadTimeout):
        return Failure(Disposition.MAYBE_PROCESSED, f"{base_url} did not answer {request_line} in time")
    if isinstance(exc, httpx.WriteTimeout):
        return Failure(Disposition.MAYBE_PROCESSED, f"timed out sending {request_line} to {base_url}")
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return Failure(
            Disposition.MAYBE_PROCESSED,
            f"the connection to {base_url} broke before the answer to {request_line} arrived",
        )
    return Failure(
        Disposition.FINAL, f"could not talk to {base_url}: {type(exc).__name__}: {redact_then_cut(str(exc), 200)}"
    )


# The resolver's definite answers: no such name, or no address for it. Asking again gets the same
# answer after a backoff (six attempts took 10.8 s), so the first is final. EAI_AGAIN (the resolver
# did not answer) stays retried.
_NAME_NOT_FOUND = frozenset({socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)})


def _connect_disposition(causes: list[BaseException]) -> Disposition:
    if any(isinstance(c, socket.gaierror) and c.errno in _NAME_NOT_FOUND for c in causes):
        return Disposition.FINAL
    return Disposition.NOT_PROCESSED


def _connect_reason(causes: list[BaseException]) -> str:
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "host name not found"
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return "connection reset"
    deepest = causes[-1]
    return redact_then_cut(str(deepest) or type(deepest).__name__, 200)
