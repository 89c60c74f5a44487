"""Error parsing and messages: pure functions, no network."""

from __future__ import annotations

import json

import pytest

from provider.palette.errors import (
    MAX_MESSAGE_CHARS,
    ConfigurationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PaletteError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
    UnexplainedNotFoundError,
    ValidationFailedError,
    error_class_for,
    error_from_response,
    parse_error_body,
    redact,
)


def test_v1error_body_gives_code_and_message() -> None:
    body = json.dumps({"code": "ResourceNotFound", "message": "Registry 'x' not found", "ref": "abc"}).encode()
    assert parse_error_body(body, "application/json") == ("ResourceNotFound", "Registry 'x' not found")


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"", None, ("", "")),
        (b"upstream connect error\n  or disconnect", "text/plain", ("", "upstream connect error or disconnect")),
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", ("", None)),
        (b"[1, 2]", "application/json", ("", "[1, 2]")),
        (b'{"code": 7, "message": ["x"]}', "application/json", ("", "")),
        (b'{"error": "rate limited"}', "application/json", ("", "rate limited")),
        (b"\xff\xfe broken", None, ("", "\ufffd\ufffd broken")),
    ],
)
def test_odd_bodies_are_parsed_defensively(body: bytes, content_type: str | None, expected: tuple) -> None:
    code, message = parse_error_body(body, content_type)
    assert code == expected[0]
    if expected[1] is None:
        assert "HTML page" in message and "502" not in message
    else:
        assert message == expected[1]


def test_long_messages_are_capped() -> None:
    _, message = parse_error_body(json.dumps({"code": "X", "message": "a" * 10_000}).encode())
    assert len(message) == MAX_MESSAGE_CHARS and message.endswith("…")
    _, text = parse_error_body(b"b" * 10_000, "text/plain")
    assert len(text) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (404, "ResourceNotFound", NotFoundError),
        (404, "", UnexplainedNotFoundError),  # a proxy's page proves nothing
        (404, "NotFound", UnexplainedNotFoundError),
        (400, "ResourceNotFound", NotFoundError),
        (409, "", ConflictError),
        (401, "", UnauthorizedError),
        (403, "", ForbiddenError),
        (400, "InvalidArgument", ValidationFailedError),
        (422, "", ValidationFailedError),
        (429, "", RateLimitedError),
        (500, "", ServerError),
        (503, "", ServerError),
        (418, "", PaletteError),
    ],
)
def test_status_and_code_choose_the_error_kind(status: int, code: str, kind: type[PaletteError]) -> None:
    assert error_class_for(status, code) is kind


def test_str_reads_like_a_sentence() -> None:
    body = json.dumps({"code": "DuplicateRegistry", "message": "registry 'charts' already exists"}).encode()
    error = error_from_response(409, body, "application/json", method="POST", path="/v1/registries/oci/basic")
    assert isinstance(error, ConflictError)
    assert str(error) == (
        "Palette answered 409 Conflict on POST /v1/registries/oci/basic: registry 'charts' already exists"
    )
    assert (error.status, error.code, error.method, error.path) == (
        409,
        "DuplicateRegistry",
        "POST",
        "/v1/registries/oci/basic",
    )
    assert error.message == "registry 'charts' already exists"


def test_note_is_appended_and_secrets_scrubbed() -> None:
    body = json.dumps({"code": "Bad", "message": "auth failed for s3cr3t-pass with key KEY-123456"}).encode()
    error = error_from_response(
        400, body, None, method="POST", path="/p", secrets=["s3cr3t-pass", "KEY-123456", None, ""], note=" (x)"
    )
    assert "s3cr3t-pass" not in str(error) and "KEY-123456" not in str(error)
    assert str(error).endswith("auth failed for <redacted> with key <redacted> (x)")


def test_redact_leaves_short_and_empty_secrets_alone() -> None:
    assert redact("a b c", ["b", "", None]) == "a b c"
    # Under 6 characters a secret is a piece of ordinary words: not looked for in text (issue 24).
    assert redact("pass passphrase", ["pass", "passphrase"]) == "pass <redacted>"
    assert redact("secret1 secret1phrase", ["secret1", "secret1phrase"]) == "<redacted> <redacted>"


def test_errors_without_status_are_just_the_message() -> None:
    assert str(PaletteError("could not connect to https://h: connection refused")) == (
        "could not connect to https://h: connection refused"
    )


def test_configuration_error_is_a_value_error() -> None:
    assert issubclass(ConfigurationError, ValueError) and issubclass(ConfigurationError, PaletteError)
