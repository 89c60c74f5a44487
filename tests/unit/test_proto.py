"""The protocol layer's own definitions: generated code up to date, schemas as Terraform read them before."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATED = REPO / "provider" / "tfx" / "gen"


def test_generated_code_matches_the_proto(tmp_path):
    """scripts/gen-proto into a temp dir gives byte-identical files: run it after changing the .proto."""
    pytest.importorskip("grpc_tools")
    subprocess.run(
        [str(REPO / "scripts" / "gen-proto"), str(tmp_path)],
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["tfplugin6_pb2.py", "tfplugin6_pb2.pyi"]
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, GENERATED, names, shallow=False)
    assert not mismatch and not errors, f"stale generated code: {mismatch + errors}; run scripts/gen-proto"


def _schemas():
    from provider.plugin import OciProvider

    provider = OciProvider()
    yield "provider", provider.get_provider_schema(None)  # type: ignore[arg-type]
    for klass in [*provider.get_resources(), *provider.get_data_sources()]:
        yield klass.get_name(), klass.get_schema()


def test_schemas_encode_as_tf_encoded_them():
    """Terraform before 1.11 reads the very bytes tf's own encoder made (write-only flags aside, which
    its protocol version does not have and skips), so an older Terraform sees the schema it saw."""
    from provider.tfx import wire

    for name, schema in _schemas():
        ours = wire.schema(schema, write_only=False).SerializeToString(deterministic=True)
        theirs = schema.to_pb().SerializeToString(deterministic=True)
        assert ours == theirs, name


def test_the_service_is_terraforms():
    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.servicer import Servicer

    methods = {m.name for m in pb.DESCRIPTOR.services_by_name["Provider"].methods}
    served = {name for name in methods if hasattr(Servicer, name)}
    assert {"GetProviderSchema", "PlanResourceChange", "ApplyResourceChange", "StopProvider"} <= served
