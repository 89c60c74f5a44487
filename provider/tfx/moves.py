"""`moved` blocks across resource types and providers (Terraform 1.8+, protocol 6.5's MoveResourceState).

Terraform hands the target provider the source resource's state as raw JSON, with the source's provider
address, resource type and schema version, and asks for a state of the target type. A resource class
accepts such moves by declaring `moves_from`, the (provider address, resource type) pairs it knows, and
a `move_state(ctx, source)` that returns the new state (None after an error diagnostic). Anything else
gets the diagnostic Terraform's own providers give: the target does not support moving from that source.

Standard library only: the servicer imports it, the resources name `MoveSource` in their signatures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


class MoveSource(NamedTuple):
    """The resource a `moved` block moves from, as Terraform sends it."""

    provider_address: str  # e.g. "registry.terraform.io/spectrocloud/spectrocloud"
    type_name: str
    schema_version: int
    state: dict[str, Any]  # the source provider's state JSON, decoded; never through our schema


@dataclass
class MoveContext:
    """What `move_state()` sees: where its diagnostics go and the target resource type."""

    diagnostics: Any
    type_name: str


class Movable(Protocol):
    """A resource that accepts `moved` blocks from other resource types."""

    moves_from: tuple[tuple[str, str], ...]

    def move_state(self, ctx: MoveContext, source: MoveSource) -> dict[str, Any] | None: ...


def decode_source(diags: Any, provider_address: str, type_name: str, version: int, raw: bytes) -> MoveSource | None:
    """The source of a move from the request's fields; None after an error when its state is not a JSON object."""
    try:
        state = json.loads(raw) if raw else None
    except ValueError:
        state = None
    if not isinstance(state, dict):
        diags.add_error(
            "Cannot read the state of the moved resource",
            f"The state of the {type_name} resource that the moved block moves from is not a JSON object. Restore "
            "the state file from its backup, or remove the moved block and import the resource instead "
            "(an import block, or `terraform import`).",
        )
        return None
    return MoveSource(provider_address, type_name, version, state)


def move(resource: Any, ctx: MoveContext, source: MoveSource) -> dict[str, Any] | None:
    """The target state of a move into `resource`, or None after diagnostics in `ctx`."""
    accepted: tuple[tuple[str, str], ...] = getattr(resource, "moves_from", ())
    if (source.provider_address, source.type_name) not in accepted:
        ctx.diagnostics.add_error("Unsupported resource move", unsupported_detail(ctx.type_name, source, accepted))
        return None
    moved: dict[str, Any] | None = resource.move_state(ctx, source)
    return moved


def unsupported_detail(target: str, source: MoveSource, accepted: tuple[tuple[str, str], ...]) -> str:
    """Why a move is refused and what to do: the sources this target accepts, or an import block."""
    known = ", ".join(f"{type_name} of {address}" for address, type_name in accepted)
    return (
        f'{target} does not support moving from "{source.type_name}" of provider "{source.provider_address}". '
        + (f"It accepts moves from: {known}. " if known else "")
        + f"Remove the moved block and bring the resource under {target} with an import block (or `terraform "
        "import`) instead, then remove the old resource from the state with a removed block (`lifecycle { "
        "destroy = false }`) or `terraform state rm`."
    )
