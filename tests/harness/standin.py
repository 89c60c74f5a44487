"""A stand-in for Spectro Cloud's provider (`spectrocloud/spectrocloud`) for `moved` tests.

Terraform refuses a state that names a provider it cannot start ("Missing required provider"), even
when a `moved` block hands every resource of that provider to another one. It needs no more than a
provider that starts: the move is the target provider's work on the raw state, and Terraform never
asks the source for its resource schema (this stand-in offers no resource type, and the moves of
`tests/acceptance/test_moved_from_spectrocloud.py` pass). Served under that address through a dev
override.

    python -m tests.harness.standin          (Terraform starts it: the launcher `install()` writes)
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

from tf.schema import Schema

REPO = Path(__file__).resolve().parents[2]
ADDRESS = "spectrocloud/spectrocloud"


class StandIn:
    """Implements `tf.iface.Provider`: no resource types, no settings."""

    def get_model_prefix(self) -> str:
        return "spectrocloud_"

    def full_name(self) -> str:
        return f"registry.terraform.io/{ADDRESS}"

    def get_provider_schema(self, diags: Any) -> Schema:
        return Schema(attributes=[])

    def get_resources(self) -> list[Any]:
        return []

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
