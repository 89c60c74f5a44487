"""Terraform configurations the benchmarks share: N registries, or N null resources.

One resource block per registry, names written out: Terraform 1.15.5 validates `count` templates
such as "bench-${count.index}" as refined unknown values, which this measures nothing about.
"""

from __future__ import annotations

PROVIDERS = {
    "oci": 'oci = { source = "palette/oci" }',
    "null": 'null = { source = "hashicorp/null" }',
}


def _required(provider: str) -> str:
    return f"terraform {{\n  required_providers {{\n    {PROVIDERS[provider]}\n  }}\n}}\n"


def registries_config(count: int, endpoint: str, prefix: str = "bench", password: str = "password") -> str:
    """`count` `oci_registry_helm` with basic auth on `endpoint`, named prefix-0, prefix-1, ...; their
    passwords password-0, password-1, ... (another `password` is an update of every registry)"""
    blocks = [
        f'resource "oci_registry_helm" "r{i}" {{\n'
        f'  name     = "{prefix}-{i}"\n'
        f'  endpoint = "{endpoint}"\n'
        f'  basic_auth {{\n    username = "robot"\n    password = "{password}-{i}"\n  }}\n}}\n'
        for i in range(count)
    ]
    return "\n".join([_required("oci"), 'provider "oci" {}\n', *blocks])


def null_resources_config(count: int, prefix: str = "bench") -> str:
    """`count` `null_resource` of the Go null provider, each with one trigger."""
    blocks = [
        f'resource "null_resource" "r{i}" {{\n  triggers = {{ name = "{prefix}-{i}" }}\n}}\n' for i in range(count)
    ]
    return "\n".join([_required("null"), *blocks])
