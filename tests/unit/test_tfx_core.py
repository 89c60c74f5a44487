"""The framework core in process, fed protobuf requests through the servicer's adapters (no Terraform process),
the way plugin-framework's internal/fwserver tests run: Terraform's contract checked from the schema alone.

- read-only (computed-only) attributes refused at every Validate*Config RPC, at their path, nested blocks too,
  unknown values included, with the schema's reason;
- plans that Terraform core would refuse (`objchange.AssertPlanValid`) stopped with the attribute and both
  values, sensitive ones shown as "(sensitive)";
- at apply, a plan that breaks the rules stopped before the resource's create or update runs; an applied
  object that breaks its plan (`AssertObjectCompatible`) an error that keeps the new object (and its id) in
  the state; write-only values null in every answer; identity kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgpack
import pytest
from tf.schema import Attribute, Block, Schema
from tf.types import String, Unknown

from provider.tfx import SingleNestedBlock, wire, write_only
from provider.tfx.gen import tfplugin6_pb2 as pb
from provider.tfx.schema import read_only
from provider.tfx.servicer import Servicer

TYPE = "x_thing"
CANARY = "hunter2-canary"


def _thing_schema() -> Schema:
    return Schema(
        version=1,
        attributes=[
            read_only(Attribute("id", String(), computed=True), "the server names it"),
            Attribute("name", String(), required=True),
            Attribute("size", String(), optional=True),
            Attribute("mode", String(), optional=True, computed=True),
            Attribute("status", String(), computed=True),  # read-only without a reason: the default one
            Attribute("token", String(), optional=True, sensitive=True),
            write_only(Attribute("token_wo", String(), optional=True, sensitive=True)),
        ],
        block_types=[
            SingleNestedBlock(
                "opts",
                Block(
                    attributes=[
                        Attribute("level", String(), optional=True),
                        read_only(Attribute("echo", String(), computed=True), "it echoes level"),
                    ]
                ),
            )
        ],
    )


@dataclass
class Behaviour:
    """What the resource does, per test: each hook may change the values it is given."""

    plan: Callable[[dict[str, Any]], None] = lambda planned: None
    apply: Callable[[dict[str, Any]], None] = lambda state: None
    writes: list[str] = field(default_factory=list)


class App:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour

    def get_model_prefix(self) -> str:
        return "x_"

    def get_provider_schema(self, diags: Any) -> Schema:
        return Schema(attributes=[])

    def get_resources(self) -> list[Any]:
        behaviour = self.behaviour

        class Thing:
            identity = (("name", "name", True, ""), ("uid", "id", False, ""))

            def __init__(self, provider: Any) -> None:
                pass

            @classmethod
            def get_name(cls) -> str:
                return "thing"

            @classmethod
            def get_schema(cls) -> Schema:
                return _thing_schema()

            def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
                pass

            def plan(self, ctx: Any, prior: Any, planned: dict[str, Any]) -> dict[str, Any]:
                planned["status"] = Unknown if prior is None else prior["status"]
                if prior is None:
                    planned["id"] = Unknown
                behaviour.plan(planned)
                return planned

            def _write(self, what: str, planned: dict[str, Any], uid: str) -> dict[str, Any]:
                behaviour.writes.append(what)
                mode = "auto" if planned.get("mode") in (None, Unknown) else planned["mode"]
                state = {**planned, "id": uid, "status": "ready", "mode": mode}
                behaviour.apply(state)
                return state

            def create(self, ctx: Any, planned: dict[str, Any]) -> dict[str, Any]:
                return self._write("create", planned, "uid-1")

            def update(self, ctx: Any, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
                return self._write("update", planned, prior["id"])

        return [Thing]

    def get_data_sources(self) -> list[Any]:
        class Lookup:
            def __init__(self, provider: Any) -> None:
                pass

            @classmethod
            def get_name(cls) -> str:
                return "lookup"

            @classmethod
            def get_schema(cls) -> Schema:
                return Schema(
                    attributes=[
                        Attribute("name", String(), required=True),
                        read_only(Attribute("size", String(), computed=True), "the data source reads it"),
                    ]
                )

            def validate(self, diags: Any, type_name: str, config: Any) -> None:
                pass

        return [Lookup]

    def get_list_resources(self) -> list[Any]:
        class Things:
            @classmethod
            def get_name(cls) -> str:
                return "thing"

            @classmethod
            def get_schema(cls) -> Schema:
                return Schema(
                    attributes=[Attribute("prefix", String(), optional=True), Attribute("n", String(), computed=True)]
                )

            def validate(self, diags: Any, type_name: str, config: Any) -> None:
                pass

        return [Things]

    def get_actions(self) -> list[Any]:
        class Act:
            @classmethod
            def get_name(cls) -> str:
                return "act"

            @classmethod
            def get_schema(cls) -> Schema:
                return Schema(
                    attributes=[Attribute("uid", String(), required=True), Attribute("at", String(), computed=True)]
                )

            def validate(self, ctx: Any, config: Any) -> None:
                pass

        return [Act]

    def new_resource(self, klass: Any) -> Any:
        return klass(self)

    def new_data_source(self, klass: Any) -> Any:
        return klass(self)

    def new_list_resource(self, klass: Any) -> Any:
        return klass()

    def new_action(self, klass: Any) -> Any:
        return klass()


# ---------------------------------------------------------------------------- helpers

BASE: dict[str, Any] = {"name": "a", "size": "1", "mode": None, "token": None, "token_wo": None, "opts": None}


def servicer(behaviour: Behaviour | None = None) -> Servicer:
    return Servicer(App(behaviour or Behaviour()))


def value(values: dict[str, Any] | None, s: Servicer | None = None) -> pb.DynamicValue:
    """Decoded values of x_thing as Terraform sends them (every attribute, single blocks as lists)."""
    s = s or servicer()
    full = s.core.complete(TYPE, values) if values is not None else None
    if full is not None:
        full = {**full, **{k: v for k, v in values.items() if k.endswith("_wo")}}  # configs carry write-only values
    return wire.encode_state(*s.core.resource_maps(TYPE), full, None)


def raw(message: pb.DynamicValue) -> Any:
    return msgpack.unpackb(message.msgpack, ext_hook=wire.msgpack_ext_hook) if message.msgpack else None


def where(diagnostic: pb.Diagnostic) -> list[str | int]:
    return [s.attribute_name or s.element_key_int for s in diagnostic.attribute.steps]


def errors(diagnostics: Any) -> list[tuple[str, list[str | int], str]]:
    return [(d.summary, where(d), d.detail) for d in diagnostics if d.severity == pb.Diagnostic.ERROR]


def plan(s: Servicer, config: dict[str, Any], prior: dict[str, Any] | None = None) -> pb.PlanResourceChange.Response:
    proposed = {**(prior or {}), **config}
    request = pb.PlanResourceChange.Request(
        type_name=TYPE, prior_state=value(prior, s), proposed_new_state=value(proposed, s), config=value(config, s)
    )
    return s.PlanResourceChange(request, None)


def apply(
    s: Servicer,
    config: dict[str, Any],
    planned: dict[str, Any],
    prior: dict[str, Any] | None = None,
    planned_identity: dict[str, Any] | None = None,
) -> pb.ApplyResourceChange.Response:
    request = pb.ApplyResourceChange.Request(
        type_name=TYPE, prior_state=value(prior, s), planned_state=value(planned, s), config=value(config, s)
    )
    if planned_identity is not None:
        request.planned_identity.CopyFrom(pb.ResourceIdentityData(identity_data=wire.dynamic_value(planned_identity)))
    return s.ApplyResourceChange(request, None)


# ---------------------------------------------------------------------------- read-only attributes


@pytest.mark.parametrize(
    ("config", "path", "detail"),
    [
        ({"id": "abc"}, ["id"], "id is read-only: the server names it; remove it."),
        ({"id": Unknown}, ["id"], "id is read-only: the server names it; remove it."),  # unknown counts as set
        (
            {"status": "bogus"},
            ["status"],
            "status is read-only: the provider sets it, the configuration cannot; remove it.",
        ),
        (
            {"opts": {"level": "1", "echo": "x"}},
            ["opts", 0, "echo"],
            "opts.echo is read-only: it echoes level; remove it.",
        ),
    ],
)
def test_validate_refuses_a_read_only_attribute_at_its_path(
    config: dict[str, Any], path: list[Any], detail: str
) -> None:
    request = pb.ValidateResourceConfig.Request(type_name=TYPE, config=value({**BASE, **config}))
    request.client_capabilities.write_only_attributes_allowed = True
    assert errors(servicer().ValidateResourceConfig(request, None).diagnostics) == [
        ("Invalid Configuration for Read-Only Attribute", path, detail)
    ]


def test_validate_names_every_read_only_attribute_set_at_once() -> None:
    request = pb.ValidateResourceConfig.Request(
        type_name=TYPE, config=value({**BASE, "id": "abc", "status": "x", "opts": {"level": None, "echo": "y"}})
    )
    request.client_capabilities.write_only_attributes_allowed = True
    paths = [p for _, p, _ in errors(servicer().ValidateResourceConfig(request, None).diagnostics)]
    assert paths == [["id"], ["status"], ["opts", 0, "echo"]]


def test_validate_accepts_configurable_attributes_and_null_read_only_ones() -> None:
    request = pb.ValidateResourceConfig.Request(
        type_name=TYPE, config=value({**BASE, "mode": "m", "token": "t", "opts": {"level": "1", "echo": None}})
    )
    request.client_capabilities.write_only_attributes_allowed = True
    assert list(servicer().ValidateResourceConfig(request, None).diagnostics) == []


def test_data_sources_list_resources_and_actions_refuse_read_only_attributes_too() -> None:
    s = servicer()
    data = s.ValidateDataResourceConfig(
        pb.ValidateDataResourceConfig.Request(
            type_name="x_lookup", config=wire.dynamic_value({"name": "a", "size": "9"})
        ),
        None,
    )
    assert [(summary, path) for summary, path, _ in errors(data.diagnostics)] == [
        ("Invalid Configuration for Read-Only Attribute", ["size"])
    ]
    assert "the data source reads it; remove it" in data.diagnostics[0].detail
    listed = s.ValidateListResourceConfig(
        pb.ValidateListResourceConfig.Request(
            type_name="x_thing", config=wire.dynamic_value({"prefix": None, "n": "1"})
        ),
        None,
    )
    assert [path for _, path, _ in errors(listed.diagnostics)] == [["config", "n"]]  # inside the list block's config
    action = s.ValidateActionConfig(
        pb.ValidateActionConfig.Request(type_name="x_act", config=wire.dynamic_value({"uid": "u", "at": Unknown})), None
    )
    assert [path for _, path, _ in errors(action.diagnostics)] == [["at"]]


def test_a_read_only_value_that_reaches_plan_or_apply_is_refused_there_before_any_write() -> None:
    behaviour = Behaviour()
    s = servicer(behaviour)
    config = {**BASE, "id": "abc"}
    assert [p for _, p, _ in errors(plan(s, config).diagnostics)] == [["id"]]
    response = apply(s, config, {**config, "status": Unknown})
    assert [p for _, p, _ in errors(response.diagnostics)] == [["id"]]
    assert behaviour.writes == [] and raw(response.new_state) is None


# ---------------------------------------------------------------------------- plan validity


def _set(name: str, v: Any) -> Callable[[dict[str, Any]], None]:
    return lambda planned: planned.__setitem__(name, v)


@pytest.mark.parametrize(
    ("hook", "prior", "path", "words"),
    [
        (_set("size", "2"), None, ["size"], 'the configuration sets "1", but the plan has "2"'),
        (_set("size", Unknown), None, ["size"], 'the configuration sets "1", but the plan has (known after apply)'),
        (_set("token", "other"), None, ["token"], "the configuration sets (sensitive), but the plan has (sensitive)"),
        (_set("opts", None), None, ["opts"], "the configuration has 1 opts block(s), the plan 0"),
        (
            _set("opts", {"level": "9", "echo": None}),
            None,
            ["opts", 0, "level"],
            'the configuration sets "1", but the plan has "9"',
        ),
        (
            _set("size", "3"),
            {**BASE, "id": "u", "status": "ready", "size": "0"},
            ["size"],
            'the configuration sets "1", but the plan has "3" nor the prior value "0"',
        ),
    ],
)
def test_a_plan_terraform_would_refuse_is_an_error_at_the_attribute_with_both_values(
    hook: Any, prior: Any, path: list[Any], words: str
) -> None:
    config = {**BASE, "token": CANARY, "opts": {"level": "1", "echo": None}}
    response = plan(servicer(Behaviour(plan=hook)), config, prior)
    ((summary, at, detail),) = errors(response.diagnostics)
    assert at == path and words in detail, detail
    assert "refused by the provider's own check" in summary and "bug in the provider" not in summary
    assert "nothing was sent to Palette" in detail
    assert CANARY not in str(list(response.diagnostics))  # the plan holds it, as Terraform keeps sensitive values


def test_a_value_planned_for_an_unset_attribute_that_is_not_computed_is_an_error() -> None:
    response = plan(servicer(Behaviour(plan=_set("size", "5"))), {**BASE, "size": None})
    assert [(p, d.split(". ")[0]) for _, p, d in errors(response.diagnostics)] == [
        (["size"], 'size: the configuration leaves it unset, but the plan has "5"')
    ]


@pytest.mark.parametrize(
    ("hook", "prior"),
    [
        (_set("mode", "auto"), None),  # optional+computed, unset: the provider's to decide
        (_set("status", "anything"), None),  # computed-only: anything goes
        (_set("size", "0"), {**BASE, "id": "u", "status": "ready", "size": "0"}),  # the prior value kept
        (_set("token_wo", "leak"), None),  # write-only: the core nulls it, whatever plan() returns
    ],
)
def test_what_terraform_allows_a_plan_to_do_passes(hook: Any, prior: Any) -> None:
    response = plan(servicer(Behaviour(plan=hook)), {**BASE, "token_wo": "secret"}, prior)
    assert list(response.diagnostics) == []
    assert raw(response.planned_state)["token_wo"] is None


def test_an_unknown_dynamic_block_must_stay_unknown_in_the_plan() -> None:
    s = servicer(Behaviour(plan=_set("opts", None)))
    response = plan(s, {**BASE, "opts": Unknown})
    ((_, at, detail),) = errors(response.diagnostics)
    assert at == ["opts"] and "a dynamic block" in detail
    assert list(plan(servicer(), {**BASE, "opts": Unknown}).diagnostics) == []  # kept unknown: fine


# ---------------------------------------------------------------------------- apply


def test_a_plan_that_breaks_the_rules_stops_the_apply_before_the_write() -> None:
    behaviour = Behaviour()
    response = apply(servicer(behaviour), {**BASE, "size": "1"}, {**BASE, "size": "2", "id": Unknown})
    ((summary, at, detail),) = errors(response.diagnostics)
    assert at == ["size"] and "before any change" in summary and "before sending anything to Palette" in detail
    assert behaviour.writes == [] and raw(response.new_state) is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"size": "2"}, 'size: the plan has "1", but the apply answered "2"'),
        ({"status": Unknown}, "status: its value is still unknown after apply"),
        ({"token": "other"}, "token: the plan has (sensitive), but the apply answered (sensitive)"),
        ({"opts": None}, "opts: the plan has 1 block(s), the apply answered 0"),
    ],
)
def test_an_applied_object_that_breaks_its_plan_is_an_error_and_keeps_the_new_object(
    change: dict[str, Any], words: str
) -> None:
    behaviour = Behaviour(apply=lambda state: state.update(change))
    config = {**BASE, "token": CANARY, "opts": {"level": "1", "echo": None}}
    response = apply(servicer(behaviour), config, {**config, "id": Unknown, "status": Unknown, "mode": Unknown})
    ((summary, _, detail),) = errors(response.diagnostics)
    assert behaviour.writes == ["create"]
    assert summary.startswith("Applied ") and summary.endswith(" differs from the plan")
    assert detail.startswith(words) and "(id uid-1)" in detail and "terraform untaint" in detail
    assert raw(response.new_state)["id"] == "uid-1"  # a created object is never left out of the state
    assert CANARY not in str(list(response.diagnostics)) and "other" not in detail


def test_an_update_that_breaks_its_plan_says_the_next_plan_shows_it() -> None:
    prior = {**BASE, "id": "u", "status": "ready", "mode": "auto"}
    behaviour = Behaviour(apply=lambda state: state.update(mode="manual"))
    response = apply(servicer(behaviour), {**BASE, "size": "2"}, {**prior, "size": "2"}, prior)
    ((_, at, detail),) = errors(response.diagnostics)
    assert at == ["mode"] and "next `terraform plan`" in detail and "untaint" not in detail
    assert behaviour.writes == ["update"]


def test_a_consistent_apply_passes_with_write_only_values_null() -> None:
    behaviour = Behaviour(apply=lambda state: state.update(token_wo="leak"))
    config = {**BASE, "token_wo": "secret"}
    planned = {**config, "token_wo": None, "id": Unknown, "status": Unknown, "mode": Unknown}
    response = apply(servicer(behaviour), config, planned)
    assert list(response.diagnostics) == []
    assert raw(response.new_state)["token_wo"] is None and raw(response.new_state)["status"] == "ready"


def test_an_identity_the_apply_changes_is_an_error() -> None:
    prior = {**BASE, "id": "u", "status": "ready", "mode": "auto"}
    planned = {**prior, "name": Unknown}
    behaviour = Behaviour(apply=lambda state: state.update(name="b"))
    response = apply(servicer(behaviour), {**BASE, "name": Unknown}, planned, prior, {"name": "a", "uid": "u"})
    ((summary, _, detail),) = errors(response.diagnostics)
    assert summary == "Applied identity differs from the plan"
    assert 'the planned identity has name = "a", the apply answered "b"' in detail


# ---------------------------------------------------------------------------- the provider's own types


def test_the_registries_read_only_attributes_are_refused_with_their_reasons() -> None:
    """The issue's cases on the real oci_registry_helm: each at its attribute, saying where the value comes from."""
    from provider.plugin import OciProvider

    s = Servicer(OciProvider())
    config = {
        "name": "charts",
        "endpoint": "registry.example.com",
        "scope": "system",
        "provider_type": "zarf",
        "id": "abc",
        "sync_status": "bogus",
    }
    full = s.core.complete("oci_registry_helm", config)
    request = pb.ValidateResourceConfig.Request(
        type_name="oci_registry_helm", config=wire.encode_state(*s.core.resource_maps("oci_registry_helm"), full, None)
    )
    request.client_capabilities.write_only_attributes_allowed = True
    found = {tuple(path): detail for _, path, detail in errors(s.ValidateResourceConfig(request, None).diagnostics)}
    assert set(found) == {("id",), ("provider_type",), ("scope",), ("sync_status",)}
    assert found[("scope",)].startswith("scope is read-only: it comes from the API key's level")
    assert (
        "oci_registry_zarf manages zarf" in found[("provider_type",)]
        and "change the resource type" in found[("provider_type",)]
    )
    assert "import it" in found[("id",)] and "Palette's answer" in found[("sync_status",)]


def test_copy_values_makes_new_containers_and_keeps_leaves_and_unknown() -> None:
    """What a resource's plan() receives is its own (issue 25 replaced copy.deepcopy with copy_values):
    every dict and list new, equal to the original, `Unknown` still the one sentinel."""
    import copy

    from provider.tfx.core import copy_values

    value: dict[str, Any] = {
        "name": "charts",
        "port": 443,
        "ratio": 1.5,
        "on": True,
        "gone": None,
        "later": Unknown,
        "basic_auth": {"username": "robot", "password": Unknown},
        "tls": [{"ca_certificate": None, "insecure_skip_verify": False}],
        "tags": ["a", "b"],
    }
    copied = copy_values(value)
    assert copied == copy.deepcopy(value)
    assert copied["later"] is Unknown and copied["basic_auth"]["password"] is Unknown
    assert copied is not value and copied["basic_auth"] is not value["basic_auth"]
    assert copied["tls"] is not value["tls"] and copied["tls"][0] is not value["tls"][0]
    copied["basic_auth"]["username"] = "changed"
    copied["tags"].append("c")
    assert value["basic_auth"]["username"] == "robot" and value["tags"] == ["a", "b"]
    assert copy_values(None) is None
