"""The provider's one redaction of secrets in text (stdlib only: cheap at start-up).

Anything that comes from Palette (its error and sync messages) or from the configuration (an
endpoint written as `robot:PASSWORD@harbor.example.com`) may carry secrets. Before such a string
reaches a diagnostic, a progress line or an attribute it goes through `redact_credentials`, in two
steps, always in this order:

1. by value: every secret this process knows. Those are the secrets a caller passes, and every
   secret `remember` was given (the API key when a Palette client is made, each registry's configured
   password, secret key and client key, write-only ones included, as the resources see them). Palette
   may echo what it was sent, in any shape, so the value is the test; but a short value is also a
   piece of ordinary words (`password = "e"` turned "answered" into "answ******r******d"), so where
   it is replaced depends on its length (`_pattern`): from LONG_SECRET_CHARS wherever it appears,
   from MIN_SECRET_CHARS only as a whole token (no letter or digit either side), shorter never in
   free text. Nothing else prints a secret at all, whatever its length.
2. by shape: the password of every `user:password@host` and `scheme://user:password@host`, for
   credentials the provider was never told (a URL in Palette's own message). The user name and the
   host stay: they say what was meant.

Redaction comes before any cut or whitespace change: a message cut in the middle of a secret, or a
secret whose spaces were collapsed, no longer matches its value (`redact_then_cut`). The plugin
applies `redact_credentials` once more to every diagnostic it sends (see `provider.tfx`).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable

REDACTED = "<redacted>"
# Shorter values are too common in ordinary words to be found in text safely: not replaced there.
MIN_SECRET_CHARS = 6
# From this length a value is not a piece of an unrelated word: replaced even inside a longer token.
LONG_SECRET_CHARS = 12
_known: set[str] = set()  # every secret `remember` was given in this process
_known_longest_first: tuple[str, ...] = ()  # the same, in the order redaction needs: kept with _known
# Palette answers a secret of 12 characters or more masked as its first and last three around "***"
# (palette_emulator/FIDELITY.md, row 9): the secret itself is then whatever runs from those three to
# these three, at most this long.
_MASK = re.compile(r"(?P<head>[^*]{3})\*{3}(?P<tail>[^*]{3})", re.DOTALL)
MAX_MASKED_CHARS = 256
# What `remember_masked` learned: for each first three characters, the last three of the secrets that
# start so. A listing of thousands of registries teaches thousands: looked up by position, not one
# pattern each.
_masked: dict[str, frozenset[str]] = {}
_known_lock = threading.Lock()  # Terraform calls the provider from several threads

# [scheme://]user:password@host. The user has no separator characters; the password runs to the
# LAST "@" that a host follows, so an "@" or "/" inside a password is hidden too (hiding a little
# more than the password is the safe side of the error).
_CREDENTIALS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?"
    r"(?P<user>[^\s:/@'\"<>()\[\]{}\\,;]+)"
    r":(?P<password>[^\s'\"<>]+)"
    r"@(?P<host>[^\s@/'\"<>\\]*)"
)


def remember(secrets: Iterable[object]) -> None:
    """Make `redact_credentials` remove these values (non-strings and short ones are ignored) for the
    rest of the process: a provider process serves one Terraform command, and a secret it has seen in
    one call (a resource's write-only password at plan) must not come back in another (the action that
    syncs that registry, whose Palette message echoes it)."""
    global _known_longest_first
    usable = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET_CHARS}
    if usable - _known:
        with _known_lock:
            _known.update(usable)
            _known_longest_first = tuple(sorted(_known, key=len, reverse=True))


def remember_masked(masks: Iterable[object]) -> None:
    """Make `redact_credentials` remove what these masks (`abc***xyz`, as Palette answers a stored secret)
    stand for: any run of 12 to MAX_MASKED_CHARS characters from "abc" to the last "xyz" within reach.
    For secrets this process was never told, such as a write-only password during a refresh (Terraform
    sends it with the configuration only), whose echo in a sync message would otherwise reach the state.
    Over-redacting a little text after the secret is the safe side of that guess."""
    for mask in masks:
        found = _MASK.fullmatch(mask) if isinstance(mask, str) else None
        if found is None:
            continue  # "******", "" or a value not masked so: nothing to learn from it
        head, tail = found["head"], found["tail"]
        if tail not in _masked.get(head, frozenset()):
            with _known_lock:
                _masked[head] = _masked.get(head, frozenset()) | {tail}


def redact_secrets(text: str, secrets: Iterable[str | None] = (), mask: str = REDACTED) -> str:
    """`text` with each secret (those given and those remembered) replaced by `mask` where `_pattern`
    finds it, longest first, so that no fragment of a longer secret survives a shorter one; then what
    remembered masks stand for."""
    given = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True)
    for values in (given, _known_longest_first):
        for secret in values:
            if secret in text:
                text = _pattern(secret).sub(lambda _: mask, text)
    return _redact_masked(text, mask) if _masked else text


@functools.lru_cache(maxsize=1024)
def _pattern(secret: str) -> re.Pattern[str]:
    """Where `secret` is replaced: anywhere when it is long, else only as a whole token, so that a
    6-character password leaves the words that contain it alone."""
    if len(secret) >= LONG_SECRET_CHARS:
        return re.compile(re.escape(secret))
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])")


def _redact_masked(text: str, mask: str) -> str:
    """`text` with each run that a remembered mask stands for replaced: from a known first three
    characters to the last matching three within MAX_MASKED_CHARS, 12 characters at least."""
    pieces: list[str] = []
    start = position = 0
    while position <= len(text) - 12:
        tails = _masked.get(text[position : position + 3])
        end = max((_last(text, tail, position) for tail in tails), default=-1) if tails else -1
        if end < 0:
            position += 1
            continue
        pieces += [text[start:position], mask]
        start = position = end
    return "".join(pieces) + text[start:] if pieces else text


def _last(text: str, tail: str, head_at: int) -> int:
    """The end of the last `tail` that closes a secret starting at `head_at` (-1: none)."""
    found = text.rfind(tail, head_at + 9, head_at + MAX_MASKED_CHARS)
    return found + 3 if found >= 0 else -1


def redact_credentials(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with each known secret (given or remembered) and the password of every
    `[scheme://]user:password@host` replaced by REDACTED."""
    text = redact_secrets(text, secrets)
    if "@" not in text:
        return text
    return _CREDENTIALS.sub(_replace, text)


def redact_then_cut(text: str, limit: int, secrets: Iterable[str | None] = ()) -> str:
    """`text` redacted, its whitespace runs collapsed to one space, then cut to `limit` characters
    (marking the cut): in this order, so that neither the cut nor the collapse can hide a secret
    from its redaction."""
    tidy = " ".join(redact_credentials(text, secrets).split())
    return tidy if len(tidy) <= limit else tidy[: limit - 1] + "…"


def _replace(match: re.Match[str]) -> str:
    if match.group("password") == REDACTED:
        return match.group(0)
    return f"{match.group('scheme') or ''}{match.group('user')}:{REDACTED}@{match.group('host')}"


def redact_optional(text: str | None) -> str | None:
    """`redact_credentials` for values that may be None."""
    return None if text is None else redact_credentials(text)
