"""A registry's Terraform values, typed: the attributes and blocks of `registries/schema.py`.

One shape serves the configuration, the plan and the state of all three kinds. Terraform's values
reach the provider as plain dicts decoded against that schema (`provider.tfx`); the resource
methods in `lifecycle.py`, which `tf` calls with them, are where they enter as `RegistryValues`.
A null attribute or block is None. At validate and plan any value may also be tf's `Unknown`
(it depends on what another resource will be): the rules skip those (`known`) and every
value is known at apply.

Standard library only: the rules read these at plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, TypeGuard, cast

from provider.words import ReadAuth


class BasicAuthValues(TypedDict, total=False):
    """The `basic_auth` block. A secret is given as `password` or, write-only, `password_wo`."""

    username: str | None
    password: str | None
    password_wo: str | None
    password_wo_version: float | None


class EcrValues(TypedDict, total=False):
    """The `ecr` block: static keys, or a role to assume; neither for a public registry."""

    access_key_id: str | None
    secret_access_key: str | None
    secret_access_key_wo: str | None
    secret_access_key_wo_version: float | None
    role_arn: str | None
    external_id: str | None


class TlsValues(TypedDict, total=False):
    """The `tls` block."""

    ca_certificate: str | None
    insecure_skip_verify: bool | None
    client_certificate: str | None
    client_key: str | None
    client_key_wo: str | None
    client_key_wo_version: float | None


class TimeoutsValues(TypedDict, total=False):
    """The `timeouts` block: Terraform durations such as "10m"."""

    create: str | None
    update: str | None


class RegistryValues(TypedDict, total=False):
    """`oci_registry_helm`, `oci_registry_zarf` and `oci_registry_packs`: what a user sets, then what
    Palette computes (`schema.COMPUTED`)."""

    id: str | None
    name: str | None
    endpoint: str
    base_content_path: str | None
    base_path: str | None
    auto_sync: bool | None
    wait_for_sync: bool | None
    preflight: str | None
    basic_auth: BasicAuthValues | None
    ecr: EcrValues | None
    tls: TlsValues | None
    timeouts: TimeoutsValues | None
    # computed
    provider_type: str | None  # a Kind, or the word Palette sent for a kind this provider does not know
    auth_type: ReadAuth | None
    scope: str | None
    sync_supported: bool | None
    sync_status: str | None
    sync_message: str | None
    last_synced_at: str | None


def known(value: Any) -> TypeGuard[str]:
    """A string the configuration sets and that is known now (every value the rules read is a string)."""
    return isinstance(value, str)


# A block's values, read by attribute name (the secret helpers take the block and the name).
Block = Mapping[str, Any]


def by_name(values: RegistryValues) -> dict[str, Any]:
    """The same dict, for code that walks attribute names from a list (`schema.VOLATILE`,
    `lifecycle.STORED`) instead of naming one: a TypedDict only takes literal keys."""
    return cast("dict[str, Any]", values)
