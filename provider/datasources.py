"""Data sources: `oci_registry` (one registry by name or id) and `oci_registries` (all, filterable)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from tf.schema import Attribute, Schema
from tf.types import Bool, List, String

from provider.kinds import KINDS
from provider.palette.errors import PaletteError
from provider.registries import mapping
from provider.registries.lookup import ELEMENT_FIELDS
from provider.registries.schema import SCOPE_DESCRIPTION
from provider.tfx import Object
from provider.tfx.schema import read_only
from provider.words import KIND_NAMES, Kind, is_kind

if TYPE_CHECKING:
    from tf.iface import ReadDataContext
    from tf.utils import Diagnostics

    from provider.session import Session


def _computed(name: str, type_: Any, description: str, why: str = "") -> Attribute:
    """A read-only attribute: configuration setting it is refused at `terraform validate` with `why`."""
    reason = why or "the data source reads it from Palette (find the registry by id or name)"
    return read_only(Attribute(name, type_, computed=True, description=description), reason)


class RegistryDataSource:
    """`oci_registry`: every read-only attribute of one registry of any kind."""

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "registry"

    @classmethod
    @cache
    def get_schema(cls) -> Schema:
        return Schema(
            description="Looks up one OCI registry of any kind by `name` or `id`.",
            attributes=[
                Attribute("id", String(), optional=True, computed=True, description="Palette uid. Set this or `name`."),
                Attribute(
                    "name", String(), optional=True, computed=True, description="Registry name. Set this or `id`."
                ),
                _computed("endpoint", String(), "Registry endpoint."),
                _computed("base_content_path", String(), "Repository path Palette reads content from."),
                _computed("auto_sync", Bool(), "Whether Palette synchronizes the registry automatically."),
                _computed("provider_type", String(), "`helm`, `zarf` or `pack`."),
                _computed("auth_type", String(), "`basic`, `ecr`, `none` or `token`."),
                _computed("scope", String(), SCOPE_DESCRIPTION),
                _computed("sync_supported", Bool(), "Whether Palette reports that the registry synchronizes."),
                _computed("sync_status", String(), "Last synchronization status."),
                _computed("sync_message", String(), "Palette's message about the last sync."),
                _computed("last_synced_at", String(), "RFC 3339 time of the last successful sync."),
            ],
        )

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        if config.get("id") is not None and config.get("name") is not None:
            diags.add_error("Conflicting lookup keys", "Set either id or name, not both.", path=["name"])
        elif config.get("id") is None and config.get("name") is None:
            diags.add_error("Missing lookup key", 'Set name = "<registry name>" or id = "<uid>".')

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        client = self.provider.proven_palette(ctx.diagnostics)  # "not found" only for a known key
        if client is None:
            return None
        from provider.registries.lookup import locate, not_found_hint

        key = str(config.get("id") or config.get("name"))
        try:
            found = locate(client, key)
            if found is None:
                hint = "" if config.get("id") else not_found_hint(client, key)
                ctx.diagnostics.add_error(
                    "Registry not found",
                    f'No OCI registry with the {"id" if config.get("id") else "name"} "{key}" is visible to this '
                    f"API key.{hint}",
                    path=["id" if config.get("id") else "name"],
                )
                return None
            values = mapping.flatten(client.get(found.family, found.uid), None)
        except PaletteError as exc:
            from provider.diagnose import report

            report(ctx.diagnostics, exc, f'read registry "{key}"')
            return None
        return {name: values.get(name) for name in (a.name for a in self.get_schema().attributes)}


class RegistriesDataSource:
    """`oci_registries`: every registry the API key can see (the tenant's, and system ones)."""

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "registries"

    @classmethod
    @cache
    def get_schema(cls) -> Schema:
        element = Object({name: String() for name in ELEMENT_FIELDS})
        return Schema(
            description="Lists the OCI registries the API key can see: the tenant's, and the system's on "
            "self-hosted Palette.",
            attributes=[
                _computed(
                    "id",
                    String(),
                    "The filter the list was made with (`all` when none).",
                    "it names the filter the list was made with; to filter, set provider_type",
                ),
                Attribute(
                    "provider_type",
                    String(),
                    optional=True,
                    description="Only registries of this kind: `helm`, `zarf` or `pack`.",
                ),
                _computed(
                    "registries",
                    List(element),
                    "The registries, sorted by name: `id`, `name`, `provider_type`, `auth_type`, `endpoint`, `scope`.",
                    "it is the list Palette answers",
                ),
            ],
        )

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        wanted = config.get("provider_type")
        if isinstance(wanted, str) and wanted not in KINDS:
            known = ", ".join(f'"{kind}"' for kind in KIND_NAMES)
            diags.add_error(
                "Unknown provider_type",
                f'provider_type must be one of {known}; got "{wanted}".',
                path=["provider_type"],
            )

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        client = self.provider.proven_palette(ctx.diagnostics)  # "not found" only for a known key
        if client is None:
            return None
        wanted = config.get("provider_type")
        kind: Kind | None = wanted if is_kind(wanted) else None  # validate refused any other word
        try:
            from provider.registries.lookup import registry_rows

            rows = [row.element() for row in registry_rows(client, kind)]
        except PaletteError as exc:
            from provider.diagnose import report

            report(ctx.diagnostics, exc, "list registries")
            return None
        return {"id": wanted or "all", "provider_type": wanted, "registries": rows}
