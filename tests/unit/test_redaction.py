"""The provider's one redaction of credential-shaped text (provider/redaction.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider.redaction import REDACTED, redact_credentials
from provider.registries.rules import endpoint_problem

CANARY = "Canary-9f3b2c71d0e4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'Get "https://robot:{CANARY}@harbor.example.com/v2/": 401',
            'Get "https://robot:<redacted>@harbor.example.com/v2/": 401',
        ),
        (f"robot:{CANARY}@harbor.example.com", "robot:<redacted>@harbor.example.com"),
        (f"robot$ci:{CANARY}@harbor.example.com:5000/charts", "robot$ci:<redacted>@harbor.example.com:5000/charts"),
        (f"oci://u:{CANARY}@[::1]:5000", "oci://u:<redacted>@[::1]:5000"),
        (f"user:p@ss/{CANARY}@host.example.com", "user:<redacted>@host.example.com"),  # "@" and "/" in a password
        (f"credentials robot:{CANARY}@ rejected", "credentials robot:<redacted>@ rejected"),
        ("no credentials here: harbor.example.com:5000", "no credentials here: harbor.example.com:5000"),
        ("robot@harbor.example.com", "robot@harbor.example.com"),  # a user without a password stays
        ("https://u:<redacted>@h", "https://u:<redacted>@h"),  # idempotent
    ],
)
def test_credentials_in_url_form_are_redacted(text: str, expected: str) -> None:
    assert redact_credentials(text) == expected
    assert redact_credentials(expected) == expected


@given(
    user=st.from_regex(r"[a-z][a-z0-9$._-]{0,12}", fullmatch=True),
    password=st.text(min_size=4).filter(lambda p: not any(c.isspace() or c in "'\"<>" for c in p)),
    host=st.from_regex(r"[a-z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True),
    prefix=st.sampled_from(["", "https://"]),
)
def test_no_password_survives(user: str, password: str, host: str, prefix: str) -> None:
    text = f"failed: {prefix}{user}:{password}@{host}/v2/ (401)"
    redacted = redact_credentials(text)
    assert password not in redacted.replace(REDACTED, "") or password in f"{prefix}{user}{host}/v2/ failed (401)"
    assert REDACTED in redacted


def test_a_scheme_less_endpoint_with_credentials_is_never_quoted() -> None:
    problem = endpoint_problem(f"robot:{CANARY}@harbor.example.com")
    assert problem is not None and CANARY not in problem and "basic_auth" in problem
    problem = endpoint_problem(f"robot:{CANARY}@harbor example.com")
    assert problem is not None and CANARY not in problem


def test_secrets_are_removed_before_the_cut_and_the_collapse() -> None:
    """Issue 21, item 12: a cut through a secret, or a collapse of its spaces, would hide it from its
    redaction."""
    from provider.redaction import redact_then_cut

    secret = "Spaced  Canary\t9f3b2c71d0e4"
    cut = redact_then_cut("x" * 40 + secret + " rest", 50, [secret])
    assert cut == "x" * 40 + REDACTED[:-1] + "…" and len(cut) == 50
    collapsed = redact_then_cut(f"login  with\n{secret} failed", 500, [secret])
    assert collapsed == f"login with {REDACTED} failed"


def test_remembered_secrets_are_redacted_by_value() -> None:
    """Issue 21, item 13: a secret the provider has seen (a write-only password) is removed wherever it
    appears, in any shape, without the caller naming it."""
    from provider.redaction import remember

    secret = "Remembered-" + CANARY
    message = f"sync failed: password {secret} rejected"
    assert redact_credentials(message) == message
    remember([secret, None, 7, "abc"])  # non-strings and short values are ignored
    assert redact_credentials(message) == f"sync failed: password {REDACTED} rejected"
    assert redact_credentials("abc") == "abc"


def test_what_palettes_masks_stand_for_is_redacted() -> None:
    """Issue 21, item 13: a process that never saw a write-only secret knows it by Palette's mask
    (first and last three characters): everything from those three to the last such three within reach."""
    from provider.redaction import remember_masked

    secret = "Mq7-" + CANARY + "-zx9"
    message = f"login with {secret} failed; see docs"
    assert redact_credentials(message) == message
    remember_masked([f"{secret[:3]}***{secret[-3:]}", "******", "", None, "no mask here"])
    assert redact_credentials(message) == f"login with {REDACTED} failed; see docs"
    assert redact_credentials("Mq7 and zx9 alone") == "Mq7 and zx9 alone"  # too short to be the secret


def test_a_short_secret_is_found_only_where_it_is_safe() -> None:
    """Issue 24: a short password turned "answered" into "answ******r******d". Below MIN_SECRET_CHARS a
    value is not looked for in text; up to LONG_SECRET_CHARS only as a whole token; longer, anywhere."""
    from provider.redaction import LONG_SECRET_CHARS, MIN_SECRET_CHARS, redact_secrets

    assert MIN_SECRET_CHARS >= 6 and LONG_SECRET_CHARS >= 12
    assert redact_secrets("the registry answered", ["e"]) == "the registry answered"
    assert redact_secrets("pw hunt3r rejected; hunt3rs and xhunt3r stay", ["hunt3r"]) == (
        f"pw {REDACTED} rejected; hunt3rs and xhunt3r stay"
    )
    assert redact_secrets("user:hunt3r@host", ["hunt3r"]) == f"user:{REDACTED}@host"
    long = "Canary9f3b2c71"
    assert redact_secrets(f"x{long}y", [long]) == f"x{REDACTED}y"
