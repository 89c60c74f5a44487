"""The Palette client's errors: one hierarchy under `PaletteError`, and the pure function that
turns an HTTP answer into the right class.

Messages are meant for a human reading a Terraform diagnostic. They carry the method, the path,
the status and Palette's own message; never a request body, a header, the API key or a secret
(Palette's message is scrubbed of every secret the client sent and every secret the provider knows,
before it is cut or its whitespace collapsed: `provider.redaction.redact_then_cut`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus

from provider.redaction import redact_secrets, redact_then_cut
from provider.words import Family

# Palette's `v1Error.code` for a missing object (the Go SDK recognises not-found by it).
RESOURCE_NOT_FOUND = "ResourceNotFound"

# Enough for Palette's longest validation messages; a proxy's HTML page is cut short.
MAX_MESSAGE_CHARS = 500


class PaletteError(Exception):
    """Anything that went wrong talking to Palette.

    `status` is the HTTP status (None when no answer arrived), `code` Palette's `v1Error.code`
    ("" when it gave none), `message` Palette's message or our description, `method` and `path`
    the request line (path without query string).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        super().__init__(self._summary())

    def _summary(self) -> str:
        if self.status is None:
            return self.message
        request = f" on {self.method} {self.path}" if self.method and self.path else ""
        detail = f": {self.message}" if self.message else ""
        return f"Palette answered {self.status} {_reason(self.status)}{request}{detail}"

    def __str__(self) -> str:
        return self._summary()


class ConfigurationError(PaletteError, ValueError):
    """The client cannot be built as asked (bad host, plain http to a remote host, bad CA PEM)."""


class NotFoundError(PaletteError):
    """Palette says the object does not exist: an answer whose code is `ResourceNotFound`.

    Only this proves a registry is gone; a 404 without that code is an `UnexplainedNotFoundError`."""


class UnexplainedNotFoundError(PaletteError):
    """404 without Palette's `ResourceNotFound` code (an HTML page from an ingress or load balancer,
    a wrong host or path): it proves nothing about the registry, so nothing may be concluded."""


class FamilyChangedError(PaletteError):
    """The registry exists, but Palette now keeps it in the other family (basic <-> ecr) than the
    one Terraform manages it in: it changed outside Terraform."""

    def __init__(self, message: str, *, uid: str, expected: Family, actual: Family, provider_type: str = "") -> None:
        self.uid = uid
        self.expected = expected
        self.actual = actual
        self.provider_type = provider_type
        super().__init__(message)


class ConflictError(PaletteError):
    """409: typically a registry of that name already exists."""


class UnauthorizedError(PaletteError):
    """401: the API key is missing, wrong or expired."""


class ForbiddenError(PaletteError):
    """403: the API key's user may not do this (e.g. a tenant key changing a system registry)."""


class KeyRejectedError(PaletteError):
    """The call that proves the API key (`PaletteClient.prove_key`) was refused: 401, 403 or a
    `ResourceNotFound` (Palette may answer a key it does not know so). Until a key is proven, no
    `ResourceNotFound` is believed: it may mean "unknown key", not "no such registry"."""


class ValidationFailedError(PaletteError):
    """400/422: Palette refused the request, or a validate endpoint refused the registry."""


class RateLimitedError(PaletteError):
    """429 still answered after every retry."""


class ServerError(PaletteError):
    """5xx still answered after every retry."""


class TransportError(PaletteError):
    """No usable answer: connection refused or reset, TLS failure, timeout (after retries)."""


class AmbiguousWriteError(PaletteError):
    """A write whose outcome is unknown: it may or may not have been stored."""


class AmbiguousNameError(PaletteError):
    """Several registries answer to one name; the caller must use a uid."""


class SyncFailedError(PaletteError):
    """Palette reports that a registry's synchronization failed."""


class SyncTimeoutError(PaletteError):
    """A registry's synchronization did not finish in time."""


class SyncInterruptedError(PaletteError):
    """The wait for a registry's synchronization was stopped (Terraform's Ctrl-C) before it ended."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(unknown status)"


def error_class_for(status: int, code: str) -> type[PaletteError]:
    """The error class for a final (not retried, or retried to exhaustion) HTTP answer."""
    if code == RESOURCE_NOT_FOUND:
        return NotFoundError
    if status == 404:
        return UnexplainedNotFoundError
    by_status: dict[int, type[PaletteError]] = {
        400: ValidationFailedError,
        401: UnauthorizedError,
        403: ForbiddenError,
        409: ConflictError,
        422: ValidationFailedError,
        429: RateLimitedError,
    }
    if status in by_status:
        return by_status[status]
    return ServerError if status >= 500 else PaletteError


def parse_error_body(
    body: bytes, content_type: str | None = None, secrets: Iterable[str | None] = ()
) -> tuple[str, str]:
    """(code, message) from an error answer, defensively; the message redacted (`secrets` and every
    secret the provider knows, then credentials in URL form) before it is tidied and cut.

    Palette answers `v1Error` JSON (`{"code": ..., "message": ...}`); proxies and load
    balancers answer HTML or plain text, and some answers are empty. Never raises.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "", ""
    parsed = _json_object(text)
    if parsed is not None:
        code = _text(parsed.get("code"))
        message = _text(parsed.get("message")) or _text(parsed.get("error"))
        return code, redact_then_cut(message, MAX_MESSAGE_CHARS, secrets)
    if text.startswith("<") or "html" in (content_type or "").lower():
        return "", f"a non-JSON answer (an HTML page of {len(body)} bytes, probably from a proxy)"
    return "", redact_then_cut(text, MAX_MESSAGE_CHARS, secrets)


def _json_object(text: str) -> dict[str, object] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` cut to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every occurrence of each secret (given, or known to the provider) replaced."""
    return redact_secrets(text, secrets)


def error_from_response(
    status: int,
    body: bytes,
    content_type: str | None,
    *,
    method: str,
    path: str,
    secrets: Iterable[str | None] = (),
    note: str = "",
    host: str = "",
) -> PaletteError:
    """The typed error for an HTTP answer; `secrets` are scrubbed from Palette's message, `note`
    (e.g. " (after 6 attempts)") is appended to it. `host` (the base URL) is named when the answer
    is a 404 that Palette did not explain, since something in front of Palette probably gave it."""
    code, message = parse_error_body(body, content_type, secrets)
    message += note
    error_class = error_class_for(status, code)
    if error_class is UnexplainedNotFoundError:
        where = host or "the Palette host"
        message = (
            f"{where} answered 404 without Palette's ResourceNotFound code ({message or 'an empty body'}); "
            "a proxy, ingress or load balancer in front of Palette, or a wrong host, probably answered. "
            "Nothing was concluded from it: the registry was not touched and the Terraform state is kept"
        )
    return error_class(message, status=status, code=code, method=method, path=path)
