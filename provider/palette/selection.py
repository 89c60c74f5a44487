"""Which registries of Palette's summary list a call means (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from provider.palette.models import OciRegistry
from provider.words import Family


def scope_matches(item_scope: str | None, wanted: str | None = None) -> bool:
    """Whether a registry's `scope` (normalised as it entered) is `wanted` (any scope when not given). An
    empty scope matches: some answers carry none."""
    return not item_scope or not wanted or item_scope == wanted


def registries_named(items: Iterable[OciRegistry], name: str, family: Family | None = None) -> list[OciRegistry]:
    """The summary items called `name` (exactly) and, when given, of `family`."""
    return [item for item in items if item.metadata.name == name and (family is None or item.family == family)]
