"""provider/durations.py: Go's time.ParseDuration grammar, generated against a reference.

The reference composes a duration from its parts (sign, terms of whole digits, fraction digits and a unit)
and computes its nanoseconds exactly; the text made from the same parts must parse to that value, and a
duration written by `format_nanoseconds` must parse back to itself."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider.durations import (
    DEFAULT_WAIT,
    DEFAULT_WAIT_SECONDS,
    format_duration,
    format_nanoseconds,
    parse_duration,
    parse_nanoseconds,
    wait_problem,
)
from provider.registries import rules

# Go's units (time.unitMap), spelled as Go accepts them.
UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9}
UNITS["h"] = 3600 * 10**9
MAX = 2**63 - 1  # Go's Duration is an int64 of nanoseconds


@dataclass(frozen=True)
class Term:
    whole: str  # ASCII digits, possibly empty
    fraction: str | None  # digits after a ".", or None for no "."
    unit: str

    @property
    def text(self) -> str:
        return self.whole + ("" if self.fraction is None else "." + self.fraction) + self.unit

    @property
    def nanoseconds(self) -> int:
        """Exact: Go drops what is below a nanosecond."""
        size = UNITS[self.unit]
        fraction = self.fraction or ""
        return int(self.whole or 0) * size + int(fraction or 0) * size // 10 ** len(fraction)


digits = st.text(alphabet="0123456789", max_size=6)
terms = st.builds(Term, digits, st.none() | st.text(alphabet="0123456789", max_size=9), st.sampled_from(sorted(UNITS)))
# A term needs a digit on one side of its point; Go refuses "." and "h" alone.
usable_terms = terms.filter(lambda term: bool(term.whole or term.fraction))


def reference(sign: str, parts: list[Term]) -> int | None:
    total = sum(term.nanoseconds for term in parts)
    if total > MAX + (1 if sign == "-" else 0):
        return None
    return -total if sign == "-" else total


@given(st.sampled_from(["", "+", "-"]), st.lists(usable_terms, min_size=1, max_size=4))
def test_a_duration_composed_from_parts_parses_to_their_sum(sign: str, parts: list[Term]) -> None:
    text = sign + "".join(term.text for term in parts)
    assert parse_nanoseconds(text) == reference(sign, parts), text


@given(st.integers(min_value=-(2**63), max_value=MAX))
def test_a_written_duration_parses_back_to_itself(nanoseconds: int) -> None:
    text = format_nanoseconds(nanoseconds)
    assert parse_nanoseconds(text) == nanoseconds, text
    assert " " not in text and "." not in text  # whole units only


@given(st.lists(usable_terms, min_size=1, max_size=3), st.data())
def test_a_space_or_a_non_ascii_digit_anywhere_is_refused(parts: list[Term], data: st.DataObject) -> None:
    text = "".join(term.text for term in parts)
    where = data.draw(st.integers(min_value=0, max_value=len(text)))
    odd = data.draw(st.sampled_from([" ", "\t", "\u0663", "\uff11", "\u00a0"]))  # Arabic-Indic 3, fullwidth 1
    assert parse_nanoseconds(text[:where] + odd + text[where:]) is None


@given(st.lists(usable_terms, min_size=1, max_size=3))
def test_a_term_without_a_unit_is_refused(parts: list[Term]) -> None:
    text = "".join(term.text for term in parts)
    assert parse_nanoseconds(text + "5") is None
    assert parse_nanoseconds(text + "5d") is None  # a unit Go does not know


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1.5h", 5400), ("300ms", 0.3), ("1h30m", 5400), ("-1m", -60), ("0", 0), ("-0", 0), ("2.h", 7200), (".5s", 0.5)],
)
def test_what_timeouts_users_write(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


def test_the_default_wait_is_written_once() -> None:
    assert (DEFAULT_WAIT, DEFAULT_WAIT_SECONDS) == ("10m", 600.0)
    assert parse_duration(DEFAULT_WAIT) == DEFAULT_WAIT_SECONDS
    assert format_duration(5400.5) == "1h30m500ms" and format_duration(0) == "0s"


@pytest.mark.parametrize(
    ("text", "what", "words"),
    [
        ("-5m", "not positive", "is negative"),
        ("-0.5s", "not positive", "is negative"),
        ("0s", "not positive", "is zero"),
        ("5 m", "invalid", "is not a duration"),
    ],
)
def test_a_wait_that_cannot_be_says_why(text: str, what: str, words: str) -> None:
    problem = wait_problem(text)
    assert problem is not None and problem[0] == what and words in problem[1]
    assert wait_problem("1.5h") is None


def test_a_negative_timeout_is_refused_as_negative_at_plan() -> None:
    config: rules.Config = {"name": "n", "endpoint": "h.example.com", "timeouts": {"create": "-5m"}}
    [problem] = rules.check(rules.HELM_RULES, config)
    assert problem.path == ("timeouts", "create") and problem.summary == "timeouts.create must be longer than zero"
    assert '"-5m" is negative' in problem.detail and 'such as "10m"' in problem.detail
