#!/usr/bin/env python3
"""The baseline for bench/startup.py: a provider on `tf` with nothing in it.

No resources, no data sources, an empty provider schema, served by `tf.runner.run_provider` exactly
as tf ships it. Its start-up is the framework's floor on this machine: Python, grpc, protobuf, the
generated plugin code and tf's TLS certificate handling, and nothing of ours.

With `--lean` the same empty provider is served by our `provider.tfx.serve` instead: the floor of
our serving path, which tells what our provider's own modules add to a start.

    TF_PLUGIN_MAGIC_COOKIE=... .venv/bin/python bench/bare_provider.py [--lean] < /dev/null
"""

from __future__ import annotations

import os
import sys
from typing import Any

from tf.runner import run_provider
from tf.schema import Schema


class BareProvider:
    """Implements `tf.iface.Provider` with nothing to offer."""

    def get_model_prefix(self) -> str:
        return "bare_"

    def full_name(self) -> str:
        return "registry.terraform.io/bench/bare"

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


if __name__ == "__main__":
    if "--lean" in sys.argv[1:]:
        from provider.tfx import serve

        serve(BareProvider())
        os._exit(0)  # as our entry point ends the process once Terraform has shut the plugin down
    else:
        run_provider(BareProvider())
