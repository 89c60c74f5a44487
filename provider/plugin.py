"""The `oci` provider: its settings, its configuration, and the list of resources and data sources.

Start-up cost matters (Terraform starts the provider 3-5 times per command): this module and what
it imports at the top are cheap; the Palette client (httpx, pydantic) loads on the first API call.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from tf.schema import Attribute, Schema
from tf.types import Bool, Number, String, Unknown

from provider.problems import add_problems
from provider.settings import REMOVED_SETTINGS, SETTINGS, Settings, read_settings, removed_setting_problems

if TYPE_CHECKING:
    import httpx
    from tf.iface import DataSource, Resource
    from tf.utils import Diagnostics

    from provider.palette.client import PaletteClient
    from provider.palette.errors import ConfigurationError, KeyRejectedError
    from provider.session import Session

SOURCE_ADDRESS = "registry.terraform.io/palette/oci"
KEY_REJECTED_AGAIN = "Not done: the API key was rejected"
KEY_REJECTED_AGAIN_DETAIL = (
    'The error "Palette rejected the API key" of this command says where the key came from and how to fix it; '
    "it is not repeated for each registry. Nothing was concluded from Palette's answers: the registry stays "
    "in the state."
)
_TYPES = {"insecure": Bool(), "request_timeout": Number(), "max_retries": Number()}


def _env_note(name: str) -> str:
    setting = next(s for s in SETTINGS if s.name == name)
    return " Environment: " + ", then ".join(f"`{v}`" for v in setting.env) + "."


class OciProvider:
    """Implements `tf.iface.Provider`."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None) -> None:
        """`transport` reaches the Palette client's httpx client (`PaletteClient(transport=)`): the test seam
        of the in-process tests, which serve Palette's API with the emulator's ASGI app and no sockets. The
        plugin's entry point never sets it."""
        self._transport = transport
        self.settings: Settings | None = None
        self._client: PaletteClient | None = None
        self._client_error: ConfigurationError | None = None
        self._lock = threading.Lock()
        self._access_checked = False
        # A rejected key is told in full once per process (one Terraform command's use of this provider
        # configuration): every resource of the plan would otherwise repeat the same page-long error.
        self._key_rejection_told = False
        self._config: dict[str, Any] = {}
        # Set by Terraform's StopProvider (Ctrl-C): waits such as wait_for_sync end and return what they have.
        self.stopping = threading.Event()

    # ------------------------------------------------------------------------ what it offers

    def get_model_prefix(self) -> str:
        return "oci_"

    def full_name(self) -> str:
        return SOURCE_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema(
            description="Registers OCI registries (Helm charts, Zarf packages, Packs) with Spectro Cloud Palette.",
            attributes=[
                Attribute(
                    s.name,
                    _TYPES.get(s.name, String()),
                    optional=True,
                    sensitive=s.name == "api_key",
                    description=s.description + _env_note(s.name),
                )
                for s in SETTINGS
            ]
            + [
                Attribute(
                    r.name,
                    String(),
                    optional=True,
                    deprecated=True,
                    description=f"Deprecated and ignored: {r.detail}. Removed in version {r.until}.",
                )
                for r in REMOVED_SETTINGS
            ],
        )

    def get_resources(self) -> list[type[Resource]]:
        from provider.registries.resources import RESOURCE_CLASSES

        return list(RESOURCE_CLASSES.values())

    def get_data_sources(self) -> list[type[DataSource]]:
        from provider.datasources import RegistriesDataSource, RegistryDataSource

        return [RegistryDataSource, RegistriesDataSource]

    def get_list_resources(self) -> list[type[Any]]:
        """List resources for `terraform query` (Terraform 1.14+), one per registry kind."""
        from provider.listing import LIST_RESOURCES

        return list(LIST_RESOURCES)

    def get_functions(self) -> list[Any]:
        return []

    def get_actions(self) -> list[type[Any]]:
        """Terraform 1.14+ actions (provider.tfx.actions); older Terraform never asks for them."""
        from provider.actions import SyncAction

        return [SyncAction]

    def new_action(self, klass: Any) -> Any:
        return klass(self)

    def new_resource(self, klass: Any) -> Any:
        return klass(self)

    def new_data_source(self, klass: Any) -> Any:
        return klass(self)

    def new_list_resource(self, klass: Any) -> Any:
        return klass(self)

    # ------------------------------------------------------------------------ configuration

    def validate_config(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        # `terraform validate` runs without credentials: a missing API key is reported at configure.
        _, problems = read_settings({**config, "api_key": "-"}, os.environ)
        add_problems(diags, [*problems, *removed_setting_problems(config)])

    def configure_provider(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        ignored = {r.name for r in REMOVED_SETTINGS}
        unknown = sorted(k for k, v in config.items() if v is Unknown and k not in ignored)
        if unknown:
            # Values that depend on resources not yet created: Terraform plans again at apply.
            diags.add_warning(
                "Provider configuration not known yet",
                f"{', '.join(unknown)} depend on values known only after apply; Palette is not contacted until then.",
            )
            return
        self._config = config
        self.close()  # a client (or its error) belongs to the settings it was built from
        settings, problems = read_settings(config, os.environ)
        add_problems(diags, problems)
        self.settings = settings
        if settings is not None and settings.insecure:
            diags.add_warning(
                "TLS verification of the Palette API is off",
                "insecure = true: the provider does not check who answers at the Palette host. Use "
                "ca_certificate for a self-hosted Palette with a private CA instead.",
                path=["insecure"],
            )

    def stop(self) -> None:
        """Terraform asks the operations in flight to end soon (StopProvider, after Ctrl-C)."""
        self.stopping.set()

    # ------------------------------------------------------------------------ the Palette client

    def palette(self, diags: Diagnostics) -> PaletteClient | None:
        """The one client of this process, built on first use; None (with a diagnostic) if it cannot be."""
        with self._lock:
            if self._client is None and self._client_error is None:
                self._build_client()
        if self._client_error is not None:
            from provider.diagnose import report

            report(diags, self._client_error, "connect to Palette")
        elif self._client is None:
            diags.add_error(
                "Provider not configured",
                'The provider "oci" configuration has errors (see above) or is not known yet.',
            )
        return self._client

    def proven_palette(self, diags: Diagnostics) -> PaletteClient | None:
        """The client, once Palette has accepted its API key in this process; None (with an error) if it did
        not. Every refresh and lookup that could conclude a registry is gone uses it: a Palette may answer a
        key it does not know with ResourceNotFound on every path, and believing that would drop every
        registry from the state. The proof (`PaletteClient.prove_key`) is one call per process."""
        client = self.palette(diags)
        if client is None:
            return None
        from provider.palette.errors import KeyRejectedError, PaletteError

        try:
            client.prove_key()
        except KeyRejectedError as exc:
            if self._first_key_rejection():
                diags.add_error("Palette rejected the API key", self._key_rejected_detail(exc), path=["api_key"])
            else:
                # Terraform needs an error from each call that could not do its work (a refresh without one
                # would record the registry as gone): a short one, pointing at the full one.
                diags.add_error(KEY_REJECTED_AGAIN, KEY_REJECTED_AGAIN_DETAIL)
            return None
        except PaletteError as exc:
            from provider.diagnose import report

            report(diags, exc, "prove the API key before reading or creating registries")
            return None
        return client

    def _first_key_rejection(self) -> bool:
        """True once per configuration of this provider: the first rejected key's caller tells it in full."""
        with self._lock:
            first, self._key_rejection_told = not self._key_rejection_told, True
        return first

    def setting_source(self, name: str) -> str:
        """Where the setting `name` was set: the provider block, an environment variable, or its default."""
        from provider.settings import source_of

        return source_of(name, self._config, os.environ)

    def _key_rejected_detail(self, exc: KeyRejectedError) -> str:
        source = self.setting_source("api_key")
        if self._config.get("api_key") == "":
            source += ' (api_key = "" in the provider block counts as unset)'
        permission = (
            " A 403 can also mean that the key's user may read neither the tenant's projects nor its registries."
            if exc.status == 403
            else ""
        )
        return (
            f"Checked before reading or creating registries: {exc}. The key came from {source}. Check api_key in "
            'the provider "oci" block, or PALETTE_API_KEY (then SPECTROCLOUD_APIKEY): the key may be wrong, revoked '
            f"or expired, or meant for another Palette than the host.{permission} Nothing was concluded from "
            "Palette's answers (a Palette that does not know a key may answer that nothing exists): every "
            "registry stays in the state."
        )

    def check_access(self, diags: Diagnostics) -> None:
        """Before a plan creates a registry: do the host and the API key work? Otherwise a wrong key or host
        would pass `terraform plan` and fail the apply after merge. It is the key's proof, made once per process
        and free when a refresh or a data source already made it."""
        with self._lock:
            if self._access_checked or self.settings is None:
                return
            self._access_checked = True
        self.proven_palette(diags)

    def close(self) -> None:
        """Close the client's connections and forget it (and any error building it). Called when the
        provider is configured again and when the plugin stops serving."""
        with self._lock:
            client, self._client, self._client_error = self._client, None, None
            self._key_rejection_told = False
        if client is not None:
            client.close()

    def _build_client(self) -> None:
        """Build the client from the settings. Building contacts nothing: its only failures are
        configuration errors (the host's form, an API key with spaces, a CA that does not load), which
        the same settings would repeat, so the error is kept and reported to every caller until the
        provider is configured again. Anything else is a bug and propagates, uncached."""
        if self.settings is None:
            return
        from provider.palette.client import PaletteClient
        from provider.palette.errors import ConfigurationError

        settings = self.settings
        try:
            self._client = PaletteClient(
                settings.host,
                settings.api_key,
                ca_pem=settings.ca_certificate,
                insecure=settings.insecure,
                timeout=settings.request_timeout,
                max_retries=settings.max_retries,
                transport=self._transport,
            )
        except ConfigurationError as exc:
            self._client_error = exc


if TYPE_CHECKING:

    def _a_session(provider: OciProvider) -> Session:
        """mypy's proof that the provider is the `Session` its resources, data sources, lists and actions receive."""
        return provider
