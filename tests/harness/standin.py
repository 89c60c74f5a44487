"""A stand-in for Spectro Cloud's provider (`spectrocloud/spectrocloud`) for `moved` tests.

Terraform refuses a state that names a provider it cannot start ("Missing required provider"), even
when a `moved` block hands every resource of that provider to another one. This tiny provider is
served under that address through a dev override: it offers `spectrocloud_registry_oci` with the
official schema's version (2), manages nothing and is never asked to (the move happens first).

    python -m tests.harness.standin          (Terraform starts it: the launcher `install()` writes)
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

from tf.schema import Attribute, Schema
from tf.types import String

REPO = Path(__file__).resolve().parents[2]
ADDRESS = "spectrocloud/spectrocloud"


class RegistryOci:
    """`spectrocloud_registry_oci` as far as Terraform needs to know it: its name and schema version."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "registry_oci"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(version=2, attributes=[Attribute("id", String(), computed=True)])


class StandIn:
    """Implements `tf.iface.Provider`: one resource type, no settings."""

    def get_model_prefix(self) -> str:
        return "spectrocloud_"

    def full_name(self) -> str:
        return f"registry.terraform.io/{ADDRESS}"

    def get_provider_schema(self, diags: Any) -> Schema:
        return Schema(attributes=[])

    def get_resources(self) -> list[Any]:
        return [RegistryOci]

    def get_data_sources(self) -> list[Any]:
        return []

    def get_functions(self) -> list[Any]:
        return []

    def validate_config(self, diags: Any, config: dict[str, Any]) -> None:
        pass

    def configure_provider(self, diags: Any, config: dict[str, Any]) -> None:
        pass

    def new_resource(self, klass: Any) -> Any:
        return klass(self)

    def new_data_source(self, klass: Any) -> Any:
        return klass(self)


def install(directory: Path) -> Path:
    """A launcher `terraform-provider-spectrocloud` in `directory`, for a dev override of ADDRESS."""
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / "terraform-provider-spectrocloud"
    launcher.write_text(f'#!/bin/sh\ncd "{REPO}" && exec "{sys.executable}" -m tests.harness.standin\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    return launcher


if __name__ == "__main__":
    from provider.tfx import serve

    serve(StandIn())
    os._exit(0)
