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

from provider.settings import SETTINGS, Settings, resolve

if TYPE_CHECKING:
    from tf.iface import DataSource, Resource
    from tf.utils import Diagnostics

    from provider.palette.client import PaletteClient

SOURCE_ADDRESS = "registry.terraform.io/palette/oci"
_TYPES = {"insecure": Bool(), "request_timeout": Number(), "max_retries": Number()}


def _env_note(name: str) -> str:
    setting = next(s for s in SETTINGS if s.name == name)
    return " Environment: " + ", then ".join(f"`{v}`" for v in setting.env) + "."


class OciProvider:
    """Implements `tf.iface.Provider`."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self._client: PaletteClient | None = None
        self._client_error: Any = None
        self._lock = threading.Lock()
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
            ],
        )

    def get_resources(self) -> list[type[Resource]]:
        from provider.registries.helm import HelmRegistry
        from provider.registries.packs import PacksRegistry
        from provider.registries.zarf import ZarfRegistry

        return [HelmRegistry, ZarfRegistry, PacksRegistry]

    def get_data_sources(self) -> list[type[DataSource]]:
        from provider.datasources import RegistriesDataSource, RegistryDataSource

        return [RegistryDataSource, RegistriesDataSource]

    def get_functions(self) -> list[Any]:
        return []

    def new_resource(self, klass: Any) -> Any:
        return klass(self)

    def new_data_source(self, klass: Any) -> Any:
        return klass(self)

    # ------------------------------------------------------------------------ configuration

    def validate_config(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        # `terraform validate` runs without credentials: a missing API key is reported at configure.
        _, problems = resolve({**config, "api_key": "-"}, os.environ)
        for problem in problems:
            diags.add_error(problem.summary, problem.detail, path=[problem.attribute])

    def configure_provider(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        unknown = sorted(k for k, v in config.items() if v is Unknown)
        if unknown:
            # Values that depend on resources not yet created: Terraform plans again at apply.
            diags.add_warning(
                "Provider configuration not known yet",
                f"{', '.join(unknown)} depend on values known only after apply; Palette is not contacted until then.",
            )
            return
        settings, problems = resolve(config, os.environ)
        for problem in problems:
            diags.add_error(problem.summary, problem.detail, path=[problem.attribute])
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

    def _build_client(self) -> None:
        if self.settings is None:
            return
        from provider.palette.client import PaletteClient
        from provider.palette.errors import PaletteError

        settings = self.settings
        try:
            client = PaletteClient(
                settings.host,
                settings.api_key,
                ca_pem=settings.ca_certificate,
                insecure=settings.insecure,
                timeout=settings.request_timeout,
                max_retries=settings.max_retries,
            )
            if settings.project:
                client.set_project(client.resolve_project(settings.project))
            self._client = client
        except PaletteError as exc:
            self._client_error = exc
