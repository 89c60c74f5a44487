"""The in-process harness and Terraform's checks it reimplements (tests/harness/inprocess.py, contract.py):
each check catches what Terraform would, so the contract properties can trust them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tf.types import Unknown

from provider.registries.helm import HelmRegistry
from tests.harness.contract import compatible_errors, plan_errors, proposed_new, unknowns
from tests.harness.inprocess import InProcessPalette, InProcessProvider

SCHEMA = HelmRegistry.get_schema()
TYPE = "oci_registry_helm"


def config(**values: object) -> dict[str, object]:
    base: dict[str, object] = {a.name: None for a in SCHEMA.attributes}
    base |= {b.type_name: [] for b in SCHEMA.block_types}
    return base | {"name": "charts", "endpoint": "harbor.example.com"} | values


@pytest.fixture
def provider() -> Iterator[InProcessProvider]:
    palette = InProcessPalette()
    served = InProcessProvider(palette)
    yield served
    served.close()
    palette.close()


def test_a_registry_is_created_through_the_servicer_and_the_emulator_logs_it(provider: InProcessProvider) -> None:
    wanted = config()
    planned = provider.plan(TYPE, None, proposed_new(SCHEMA, None, wanted), wanted)
    assert planned.errors == [] and planned.state["id"] is Unknown
    assert provider.palette.writes() == []  # planning reads (the access check) and writes nothing
    applied = provider.apply(TYPE, None, planned.state, wanted)
    assert applied.errors == [] and unknowns(applied.state) == []
    assert provider.palette.writes() == ["POST /v1/registries/oci/basic"]
    assert [r.uid for r in provider.palette.registries()] == [applied.state["id"]]


def test_plan_errors_finds_what_terraform_refuses() -> None:
    wanted = config(basic_auth=Unknown)
    good = proposed_new(SCHEMA, None, wanted) | {"id": Unknown}
    assert plan_errors(SCHEMA, None, wanted, good) == []
    assert plan_errors(SCHEMA, None, wanted, good | {"basic_auth": []}) == [
        "basic_auth: planned value [] for unknown dynamic block"
    ]
    assert plan_errors(SCHEMA, None, wanted, good | {"endpoint": "other"}) != []
    assert plan_errors(SCHEMA, None, wanted, good | {"base_path": "x"}) != []  # not computed: null as configured
    assert plan_errors(SCHEMA, None, wanted, good | {"scope": "x"}) == []  # computed-only: anything


def test_compatible_errors_finds_a_known_planned_value_changed() -> None:
    planned = config(auth_type="ecr", id=Unknown)
    assert compatible_errors(SCHEMA, planned, planned | {"id": "u"}) == []
    assert compatible_errors(SCHEMA, planned, planned | {"auth_type": "basic"}) == [
        "auth_type: planned value changed: 'ecr' -> 'basic'"
    ]
    basic = [{"username": "u", "password": "p", "password_wo": None, "password_wo_version": None}]
    assert compatible_errors(SCHEMA, planned | {"basic_auth": Unknown}, planned | {"basic_auth": basic}) == []
    assert compatible_errors(SCHEMA, planned | {"basic_auth": basic}, planned) == [
        "basic_auth: block count changed from 1 to 0"
    ]
