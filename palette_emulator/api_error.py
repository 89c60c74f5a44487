"""The one exception type handlers raise; the app turns it into a v1Error-shaped JSON answer.

Palette answers every failure with `{"code": ..., "message": ...}` (the Go SDK's v1Error) and
clients branch on `code` (a not-found is recognised by `ResourceNotFound`), so the codes below
are part of the emulator's contract. Messages never carry secrets.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An answer other than success: HTTP status, v1Error code and a human message."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None, *, plain: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.plain = plain  # answered as text/plain, the message alone (not a v1Error)

    def body(self, ref: str = "") -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "ref": ref}


def status_code_name(status: int) -> str:
    """A v1Error code for a bare HTTP status: 503 -> "ServiceUnavailable"."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return f"Http{status}"
    return "".join(word.capitalize() for word in phrase.replace("-", " ").split())


def bad_request(message: str, code: str = "BadRequest") -> ApiError:
    return ApiError(400, code, message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "Unauthorized", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "Forbidden", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", message)


def conflict(message: str) -> ApiError:
    return ApiError(409, "RegistryAlreadyExists", message)
