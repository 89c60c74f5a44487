"""A registry's auth and family, derived (pure): from a configuration, from a plan, from Palette's `auth.type`.

The words are `provider.words`' `Auth` (basic | ecr | none, and token as read) and `Family` (basic | ecr).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tf.types import Unknown

from provider.registries.values import RegistryValues
from provider.words import Auth, Family, ReadAuth, family_of

if TYPE_CHECKING:
    from provider.palette.models import RegistryAuth


def auth_type(values: RegistryValues) -> Auth:
    """How Palette reaches the registry a configuration describes: ECR, basic (with credentials) or none."""
    if values.get("ecr") is not None:
        return "ecr"
    return "basic" if values.get("basic_auth") is not None else "none"


def planned_auth_type(values: RegistryValues) -> Any:
    """`auth_type` at plan: Unknown while a block that decides it is unknown (a `dynamic` block whose
    `for_each` Terraform learns only at apply). Planning a guess would make Terraform reject the apply
    ("inconsistent final plan") when the block turns out otherwise."""
    ecr, basic_auth = values.get("ecr"), values.get("basic_auth")
    if ecr is Unknown or (ecr is None and basic_auth is Unknown):
        return Unknown
    return auth_type(values)


def basic_auth_type(auth: RegistryAuth | None) -> ReadAuth:
    """Palette's `auth.type` as this provider's auth: basic, none, or token (read, not managed)."""
    word = (auth.type if auth else None) or ""
    if word in ("", "noAuth"):
        return "none"
    return "token" if word == "token" else "basic"


def managed_family(values: RegistryValues) -> Family:
    """The family of a registry Terraform manages, from its `auth_type` (token lives in the basic family)."""
    return family_of(values.get("auth_type") or "none")
