"""A stand-in for Oracle's provider, `registry.terraform.io/oracle/oci`, for the tests of a configuration
using both providers (`acceptance/test_next_to_oracle.py`, examples/next-to-oracle-oci).

Oracle's provider is a Go binary of ~100 MB that the tests cannot download; what matters to Terraform is
its address, its local name `oci` and the `oci_` prefix of its types. This stand-in has them, served by
this repository's own protocol layer: a provider block with Oracle's usual settings, the resource
`oci_artifacts_container_repository` and the data source `oci_objectstorage_namespace` (the names and
the attributes the example uses, from Oracle's documentation; no other). It keeps nothing anywhere:
create returns the planned values with an id, read returns the state.

`standin_package(directory, version)` writes it into a filesystem mirror as Oracle's package (a shell
launcher running this module with the test's Python).
"""

from __future__ import annotations

import io
import shlex
import sys
import zipfile
from pathlib import Path
from typing import Any

from tf.iface import Provider
from tf.schema import Attribute, Schema
from tf.types import Bool, String

ADDRESS = "registry.terraform.io/oracle/oci"
NAMESPACE = "standin-namespace"
REPO = Path(__file__).resolve().parents[2]


class ContainerRepository:
    """`oci_artifacts_container_repository`: an OCI Registry (OCIR) repository."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "artifacts_container_repository"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            attributes=[
                Attribute("id", String(), computed=True),
                Attribute("compartment_id", String(), required=True, requires_replace=True),
                Attribute("display_name", String(), required=True, requires_replace=True),
                Attribute("is_public", Bool(), optional=True, computed=True),
                Attribute("namespace", String(), computed=True),
            ]
        )

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        pass

    def plan(self, ctx: Any, current: dict[str, Any] | None, planned: dict[str, Any]) -> dict[str, Any]:
        if planned.get("is_public") is None:
            planned["is_public"] = False
        if current is None:
            planned["namespace"] = NAMESPACE
        return planned

    def create(self, ctx: Any, planned: dict[str, Any]) -> dict[str, Any]:
        return {**planned, "id": f"ocid1.containerrepo.oc1..{planned['display_name'].replace('/', '-')}"}

    def read(self, ctx: Any, current: dict[str, Any]) -> dict[str, Any]:
        return current

    def update(self, ctx: Any, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        return planned

    def delete(self, ctx: Any, current: dict[str, Any]) -> None:
        return None


class ObjectStorageNamespace:
    """`oci_objectstorage_namespace`: the tenancy's namespace (OCIR's paths start with it)."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "objectstorage_namespace"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            attributes=[
                Attribute("id", String(), computed=True),
                Attribute("compartment_id", String(), optional=True),
                Attribute("namespace", String(), computed=True),
            ]
        )

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        pass

    def read(self, ctx: Any, config: dict[str, Any]) -> dict[str, Any]:
        return {**config, "id": NAMESPACE, "namespace": NAMESPACE}


class OracleStandIn(Provider):
    """`tf.iface.Provider` (whose defaults make the resource and data source objects) under Oracle's
    address and prefix."""

    def get_model_prefix(self) -> str:
        return "oci_"

    def full_name(self) -> str:
        return ADDRESS

    def get_provider_schema(self, diags: Any) -> Schema:
        names = ("region", "tenancy_ocid", "user_ocid", "fingerprint", "private_key_path", "config_file_profile")
        return Schema(attributes=[Attribute(name, String(), optional=True) for name in names])

    def validate_config(self, diags: Any, config: dict[str, Any]) -> None:
        pass

    def configure_provider(self, diags: Any, config: dict[str, Any]) -> None:
        pass

    def get_data_sources(self) -> list[type[Any]]:
        return [ObjectStorageNamespace]

    def get_resources(self) -> list[type[Any]]:
        return [ContainerRepository]


def standin_package(directory: Path, version: str, target: str) -> Path:
    """Oracle's package in the packed mirror layout under `directory`, launching this module."""
    from provider.launch import install

    provider_dir = directory / "registry.terraform.io" / "oracle" / "oci"
    provider_dir.mkdir(parents=True, exist_ok=True)
    launcher = (
        "#!/bin/sh\n"
        f"cd {shlex.quote(str(REPO))} && exec {shlex.quote(sys.executable)} -m tests.harness.oracle_standin\n"
    )
    entry = zipfile.ZipInfo(f"terraform-provider-oci_v{version}", date_time=(1980, 1, 1, 0, 0, 0))
    entry.create_system = 3  # Unix: Terraform's unzip honours the mode
    entry.external_attr = 0o100755 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(entry, launcher)
    package = provider_dir / install.package_name(version, target)
    package.write_bytes(buffer.getvalue())
    return package


if __name__ == "__main__":
    from provider.tfx import serve

    serve(OracleStandIn())
