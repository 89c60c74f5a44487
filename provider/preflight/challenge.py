"""`WWW-Authenticate` challenges (RFC 9110 section 11.6.1), as registries send them.

A registry answers 401 with `Basic realm="..."` or, for the token flow of the distribution
spec, `Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"`.
Quoted values may hold commas and escaped quotes, and one header may carry several challenges.
Registries send no token68 form (`Basic abc==`), so it is not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?')
_SCHEME = re.compile(rf"[\s,]*({_TOKEN})\s*,?")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower case: "basic", "bearer"
    params: dict[str, str] = field(default_factory=dict)  # names in lower case

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def parse(headers: Iterable[str]) -> list[Challenge]:
    """Every challenge in the given `WWW-Authenticate` header values, in order."""
    challenges: list[Challenge] = []
    for header in headers:
        challenges.extend(_parse_one(header))
    return challenges


def _parse_one(header: str) -> list[Challenge]:
    challenges: list[Challenge] = []
    position = 0
    while position < len(header):
        param = _PARAM.match(header, position)
        if param and challenges:
            name, value = param.group(1).lower(), param.group(2)
            if value.startswith('"'):
                value = _ESCAPE.sub(r"\1", value[1:-1])
            challenges[-1].params[name] = value
            position = param.end()
            continue
        scheme = _SCHEME.match(header, position)
        if not scheme or scheme.end() == position:
            break  # not a challenge we understand: keep what we have
        challenges.append(Challenge(scheme.group(1).lower(), {}))
        position = scheme.end()
    return challenges


def find(challenges: Iterable[Challenge], scheme: str) -> Challenge | None:
    return next((c for c in challenges if c.scheme == scheme), None)
