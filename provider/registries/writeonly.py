"""Write-only plumbing (stdlib and tf only, pure): each secret beside its write-only twin.

Terraform 1.11+ sends a write-only argument (`password_wo`) in the configuration only, never in the plan or
the state; the provider reads it where it needs the secret (rules, preflight, expand) and nowhere else.
"""

from __future__ import annotations

from typing import Any

from provider.registries.values import Block, RegistryValues, by_name

# Each secret beside its write-only twin (Terraform 1.11+), by block: `<secret>_wo`, `<secret>_wo_version`.
SECRETS = {"basic_auth": "password", "ecr": "secret_access_key", "tls": "client_key"}


def with_write_only(values: RegistryValues, config: RegistryValues | None) -> RegistryValues:
    """`values` (a plan, where write-only attributes are null) with the write-only values of the
    configuration Terraform sent beside it: what rules, preflight and expand read at apply."""
    if not config:
        return values
    result = values.copy()
    blocks, configured = by_name(result), by_name(config)
    for block, secret in SECRETS.items():
        # At plan a block may be unknown as a whole (`dynamic` over a value known only at apply): no secret yet.
        given = _block(configured.get(block)).get(f"{secret}_wo")
        if isinstance(blocks.get(block), dict) and given is not None:
            blocks[block] = {**blocks[block], f"{secret}_wo": given}
    return result


def _block(value: Any) -> Block:
    """A block's values; an absent or unknown block has none."""
    return value if isinstance(value, dict) else {}


def secret(block: Block | None, name: str) -> Any:
    """A secret as configured, whichever of `<name>` and `<name>_wo` holds it (the rules allow one)."""
    block = block or {}
    return block.get(name) if block.get(name) is not None else block.get(f"{name}_wo")


def plain_secrets(values: RegistryValues) -> RegistryValues:
    """Each configured secret under its plain name (`password`), wherever it was given: for code that
    only uses secrets (preflight) and need not know which of the two attributes held it."""
    result = values.copy()
    blocks = by_name(result)
    for block, name in SECRETS.items():
        if isinstance(blocks.get(block), dict):
            blocks[block] = {**blocks[block], name: secret(blocks[block], name)}
    return result


def configured_secrets(values: RegistryValues) -> list[object]:
    """Every secret in `values`, plain and write-only (`password`, `password_wo`, ...): what Palette's
    messages must never carry into the state or the output (`provider.redaction.remember`)."""
    blocks = by_name(values)
    found: list[object] = []
    for block, name in SECRETS.items():
        given = blocks.get(block)
        if isinstance(given, dict):
            found += [given.get(name), given.get(f"{name}_wo")]
    return found
