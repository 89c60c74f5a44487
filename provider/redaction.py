"""The provider's one redaction of credential-shaped text (stdlib only: cheap at start-up).

Anything that comes from Palette (its error and sync messages) or from the configuration (an
endpoint written as `robot:PASSWORD@harbor.example.com`) may carry credentials in URL form. Before
such a string reaches a diagnostic or an attribute it goes through `redact_credentials`, which
replaces the password of every `user:password@host` and `scheme://user:password@host` with
REDACTED and keeps the rest (the user name and the host say what was meant). The plugin applies it
once more to every diagnostic it sends (see `provider.tfx`), as the last line of defence.

Known secrets (the password the client sent, the API key) are removed by value elsewhere
(`provider.palette.errors.redact`); this function needs no list, it works on the shape.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"

# [scheme://]user:password@host. The user has no separator characters; the password runs to the
# LAST "@" that a host follows, so an "@" or "/" inside a password is hidden too (hiding a little
# more than the password is the safe side of the error).
_CREDENTIALS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?"
    r"(?P<user>[^\s:/@'\"<>()\[\]{}\\,;]+)"
    r":(?P<password>[^\s'\"<>]+)"
    r"@(?P<host>[^\s@/'\"<>\\]*)"
)


def redact_credentials(text: str) -> str:
    """`text` with the password of every `[scheme://]user:password@host` replaced by REDACTED."""
    if "@" not in text:
        return text
    return _CREDENTIALS.sub(_replace, text)


def _replace(match: re.Match[str]) -> str:
    if match.group("password") == REDACTED:
        return match.group(0)
    return f"{match.group('scheme') or ''}{match.group('user')}:{REDACTED}@{match.group('host')}"


def redact_optional(text: str | None) -> str | None:
    """`redact_credentials` for values that may be None."""
    return None if text is None else redact_credentials(text)
