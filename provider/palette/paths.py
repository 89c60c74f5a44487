"""Palette's registry paths (pure): a uid as one path segment, a family checked, the path of a registry."""

from __future__ import annotations

import re

from provider.palette.errors import NotFoundError
from provider.words import FAMILIES, Family

SUMMARY_PATH = "/v1/registries/oci/summary"


def uid_segment(uid: str) -> str:
    """A uid as one path segment: refuse anything that would change the path."""
    if not uid or not re.fullmatch(r"[A-Za-z0-9._-]+", uid):
        raise NotFoundError(f"{uid!r} is not a Palette uid", code="ResourceNotFound")
    return uid


def checked_family(family: str) -> Family:
    """`family` checked: "basic" or "ecr"."""
    if family not in FAMILIES:
        raise ValueError(f"registry family must be 'basic' or 'ecr', not {family!r}")
    return "basic" if family == "basic" else "ecr"


def registry_path(uid: str, family: str) -> str:
    return f"/v1/registries/oci/{uid_segment(uid)}/{checked_family(family)}"
