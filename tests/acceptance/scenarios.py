"""The kind x auth matrix of the acceptance tests, rendered as Terraform configuration."""

from __future__ import annotations

from dataclasses import dataclass

from tests.harness.moto import AwsKeys
from tests.harness.registry import DockerRegistry

ECR_HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
OTHER_ECR_HOST = "210987654321.dkr.ecr.us-east-1.amazonaws.com"
PROVIDER_BLOCK = """\
terraform {
  required_providers {
    oci = { source = "palette/oci" }
  }
}

provider "oci" {}
"""


@dataclass(frozen=True)
class Parts:
    """The real registries and AWS identities the emulator validates configurations against."""

    registry: DockerRegistry
    public_registry: DockerRegistry
    aws_keys: AwsKeys
    role_arn: str
    external_id: str


@dataclass(frozen=True)
class Scenario:
    resource_type: str  # oci_registry_helm | oci_registry_zarf | oci_registry_packs
    auth: str  # basic | ecr-keys | ecr-sts | public

    @property
    def id(self) -> str:
        return f"{self.resource_type.removeprefix('oci_registry_')}-{self.auth}"

    @property
    def address(self) -> str:
        return f"{self.resource_type}.this"

    @property
    def provider_type(self) -> str:
        return {"oci_registry_helm": "helm", "oci_registry_zarf": "zarf", "oci_registry_packs": "pack"}[
            self.resource_type
        ]

    @property
    def family(self) -> str:
        return "ecr" if self.auth.startswith("ecr") else "basic"

    def endpoint(self, parts: Parts) -> str:
        if self.family == "ecr":
            return ECR_HOST
        return (parts.public_registry if self.auth == "public" else parts.registry).url

    def other_endpoint(self) -> str:
        """An endpoint an out-of-band change may set (never contacted: Terraform puts the configured one back)."""
        return OTHER_ECR_HOST if self.family == "ecr" else "https://drifted.example.com"

    def credentials_block(self, parts: Parts) -> str:
        if self.auth == "basic":
            return f"""
  basic_auth {{
    username = "{parts.registry.username}"
    password = "{parts.registry.password}"
  }}"""
        if self.auth == "ecr-keys":
            return f"""
  ecr {{
    access_key_id     = "{parts.aws_keys.access_key_id}"
    secret_access_key = "{parts.aws_keys.secret_access_key}"
  }}"""
        if self.auth == "ecr-sts":
            return f"""
  ecr {{
    role_arn    = "{parts.role_arn}"
    external_id = "{parts.external_id}"
  }}"""
        return ""

    def config(
        self,
        parts: Parts,
        *,
        name: str = "registry-a",
        base_content_path: str = "content",
        extra: str = "",
        endpoint: str | None = None,
    ) -> str:
        return f"""{PROVIDER_BLOCK}
resource "{self.resource_type}" "this" {{
  name              = "{name}"
  endpoint          = "{endpoint or self.endpoint(parts)}"
  base_content_path = "{base_content_path}"{extra}
{self.credentials_block(parts)}
}}
"""


MATRIX = (
    Scenario("oci_registry_helm", "basic"),
    Scenario("oci_registry_helm", "ecr-keys"),
    Scenario("oci_registry_helm", "ecr-sts"),
    Scenario("oci_registry_zarf", "basic"),
    Scenario("oci_registry_packs", "basic"),
    Scenario("oci_registry_packs", "ecr-keys"),
    Scenario("oci_registry_helm", "public"),
)
