"""Walking an exception's chain: httpx wraps httpcore, which wraps the OSError or SSLError that says
what really happened. Shared by the Palette client and preflight, which both explain such failures."""

from __future__ import annotations

from collections.abc import Iterator


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything it was raised from, innermost last (each once, even in a cycle)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
