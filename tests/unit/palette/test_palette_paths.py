"""provider/palette/paths.py: a uid is one path segment, a family is basic or ecr (pure)."""

from __future__ import annotations

import pytest

from provider.palette.errors import NotFoundError
from provider.palette.paths import checked_family, registry_path


def test_a_registry_path_names_its_family() -> None:
    assert registry_path("5f3b2c1d9e8a7b6c5d4e3f2a", "ecr") == "/v1/registries/oci/5f3b2c1d9e8a7b6c5d4e3f2a/ecr"
    assert checked_family("basic") == "basic"


@pytest.mark.parametrize("uid", ["", "a/b", "..%2f", "a b", "a?x=1"])
def test_a_uid_that_would_change_the_path_is_not_found(uid: str) -> None:
    with pytest.raises(NotFoundError, match="is not a Palette uid"):
        registry_path(uid, "basic")


def test_a_family_is_basic_or_ecr() -> None:
    with pytest.raises(ValueError, match="must be 'basic' or 'ecr'"):
        checked_family("Basic")  # Palette's spellings are normalised as answers enter, not here
