"""Durations as Terraform writes them (stdlib only, pure): Go's `time.ParseDuration`.

Terraform's own `timeouts` and every Go provider read durations with Go's rules, so users write them so:
an optional sign, then one or more decimal numbers, each with an optional fraction and a unit ("300ms",
"1.5h", "2h45m", "-1m"); units ns, us (µs, μs), ms, s, m and h; "0" alone needs no unit. Digits are ASCII
only: Python's `\\d` would also take "٣" (Arabic-Indic three), which Go refuses. A duration beyond Go's
range (about 2,562,047 hours) is refused, as Go does.

`parse_duration` is the one parser: resources' `timeouts`, the sync action's `timeout` and the warm
server's idle timeout use it; `wait_problem` is the one check of a wait's duration (the resources'
`timeouts`, the sync action's `timeout`), `format_duration` writes one back (the defaults in docs).
"""

from __future__ import annotations

import re
from typing import Literal

# How long a write waits for its registry to synchronize, and the sync action for its sync, unless told
# (DEFAULT_WAIT, "10m", is how schemas and messages write it).
DEFAULT_WAIT_SECONDS = 10 * 60.0
# What a message about a duration that does not parse tells the user to write.
DURATION_HINT = (
    "Write a duration as Terraform does (Go's time.ParseDuration): numbers with units ns, us, ms, s, m and h, "
    'such as "10m", "1h30m", "1.5h" or "90s".'
)

_UNIT_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # µ, MICRO SIGN
    "\u03bcs": 1_000,  # μ, GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
# One term: ASCII digits with an optional fraction (at least one digit on either side of the point), then
# a unit. Longer units first, so that "ms" is not read as "m" followed by garbage.
_TERM = re.compile(r"([0-9]*)(?:\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_MAX_NANOSECONDS = 2**63 - 1  # Go's time.Duration is an int64 of nanoseconds
_NANOSECONDS_PER_SECOND = 1_000_000_000


def parse_duration(text: str) -> float | None:
    """Seconds in `text` read as Go's time.ParseDuration reads it (negative for "-5m"); None when Go
    would refuse it (no unit, a unit Go does not know, non-ASCII digits, spaces, out of range)."""
    nanoseconds = parse_nanoseconds(text)
    return None if nanoseconds is None else nanoseconds / _NANOSECONDS_PER_SECOND


def parse_nanoseconds(text: str) -> int | None:
    """`parse_duration`, exact: Go's nanoseconds."""
    sign, rest = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if rest == "0":
        return 0
    if not rest:
        return None
    total = 0  # nanoseconds, exact: Go truncates a fraction's digits beyond a nanosecond, as this does
    position = 0
    while position < len(rest):
        term = _TERM.match(rest, position)
        if term is None or not (term[1] or term[2]):  # "." alone, or no number at all, before the unit
            return None
        unit = _UNIT_NANOSECONDS[term[3]]
        fraction = term[2] or ""
        total += int(term[1] or 0) * unit + int(fraction or 0) * unit // 10 ** len(fraction)
        position = term.end()
    if total > _MAX_NANOSECONDS + (1 if sign < 0 else 0):
        return None
    return sign * total


# Units from the largest, for writing a duration: each holds what the larger ones leave.
_WRITTEN_UNITS = tuple((unit, _UNIT_NANOSECONDS[unit]) for unit in ("h", "m", "s", "ms", "us", "ns"))


def format_nanoseconds(nanoseconds: int) -> str:
    """A duration as `parse_nanoseconds` reads it back exactly, in whole units from the largest, leaving
    out the zero ones: "10m", "1h30m", "1m0s" is written "1m", "1.5s" is "1s500ms"; "0s" for zero."""
    sign, rest = ("-", -nanoseconds) if nanoseconds < 0 else ("", nanoseconds)
    parts = []
    for unit, size in _WRITTEN_UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts) if parts else "0s"


def format_duration(seconds: float) -> str:
    """`seconds` written as `format_nanoseconds` writes it (to the nearest nanosecond)."""
    return format_nanoseconds(round(seconds * _NANOSECONDS_PER_SECOND))


DEFAULT_WAIT = format_duration(DEFAULT_WAIT_SECONDS)


WaitProblem = tuple[Literal["invalid", "not positive"], str]


def wait_problem(text: str) -> WaitProblem | None:
    """Why `text` cannot be how long to wait, as (what is wrong, the sentence saying it); None when it can:
    ("invalid", ...) when it is not a duration, ("not positive", ...) when it is zero or negative. The
    caller adds the fix that fits where it was written."""
    seconds = parse_duration(text)
    if seconds is None:
        return "invalid", f'"{text}" is not a duration. {DURATION_HINT}'
    if seconds < 0:
        return "not positive", f'"{text}" is negative: a wait counts forward from now, so it needs a positive duration.'
    if seconds == 0:
        return "not positive", f'"{text}" is zero: it leaves no time to wait.'
    return None
