"""List resources (`terraform query`): the filters as pure functions, and the servicer's stream of events
(identity, display name, whole objects, limit, diagnostics, no tracebacks) over a small list resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
from tf.schema import Attribute, Schema
from tf.types import String

from provider.listing import display_name, filter_problems, matches
from provider.palette.hosts import endpoint_key
from provider.registries.lookup import Row
from provider.tfx.schema import ListContext, Listed


def row(name: str = "charts", endpoint: str = "harbor.example.com") -> Row:
    return Row("0" * 24, name, "helm", "basic", endpoint, "tenant", "basic")


@pytest.mark.parametrize(
    ("stored", "wanted"),
    [
        ("harbor.example.com", "https://harbor.example.com"),
        ("https://Harbor.Example.com/", "harbor.example.com"),
        (" harbor.example.com:8443 ", "https://harbor.example.com:8443//"),
        ("http://127.0.0.1:5000", "HTTP://127.0.0.1:5000/"),
    ],
)
def test_an_endpoint_matches_how_the_provider_reaches_it(stored: str, wanted: str) -> None:
    assert endpoint_key(stored) == endpoint_key(wanted)
    assert matches(row(endpoint=stored), {"endpoint": wanted, "name_prefix": None})


@pytest.mark.parametrize(
    ("stored", "wanted"),
    [
        ("http://harbor.example.com", "harbor.example.com"),  # a host alone means https
        ("harbor.example.com:8443", "harbor.example.com"),
        ("harbor.example.com/charts", "harbor.example.com"),
    ],
)
def test_other_endpoints_do_not_match(stored: str, wanted: str) -> None:
    assert not matches(row(endpoint=stored), {"endpoint": wanted})


def test_name_prefix_is_case_sensitive_and_unset_filters_pass_everything() -> None:
    assert matches(row("team-a-charts"), {"name_prefix": "team-a-"})
    assert not matches(row("Team-A-charts"), {"name_prefix": "team-a-"})
    assert not matches(row("charts-team-a"), {"name_prefix": "team-a"})
    assert matches(row("anything"), {"name_prefix": None, "endpoint": None})
    assert matches(row("anything"), {})
    assert not matches(row("team-a-x", "a.example.com"), {"name_prefix": "team-a-", "endpoint": "b.example.com"})


def test_an_endpoint_filter_no_registry_could_have_is_refused_with_the_fix() -> None:
    assert filter_problems({"endpoint": "harbor.example.com", "name_prefix": "x"}) == []
    assert filter_problems({"endpoint": None}) == []
    (problem,) = filter_problems({"endpoint": "ftp://harbor.example.com"})
    assert (problem.path, problem.summary, problem.severity) == (("endpoint",), "Invalid endpoint filter", "error")
    assert 'The scheme "ftp" is not http or https' in problem.detail and "leave endpoint out" in problem.detail
    (problem,) = filter_problems({"endpoint": "https://robot:s3cret@harbor.example.com"})
    assert "s3cret" not in problem.detail


# ---------------------------------------------------------------------------- the servicer's stream


class Things:
    """A list resource over a fixed list; counts what Terraform pulled, and fails where told to."""

    pulled = 0

    def __init__(self, app: Any) -> None:
        self.app = app

    @classmethod
    def get_name(cls) -> str:
        return "thing"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(attributes=[Attribute("name_prefix", String(), optional=True)])

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        if config.get("name_prefix") == "bad":
            diags.add_error("Bad prefix", "Use another.", path=["name_prefix"])

    def list(self, ctx: ListContext, config: dict[str, Any]) -> Iterator[Listed]:
        for i, name in enumerate(self.app.names):
            if name == "warn":
                ctx.diagnostics.add_warning("Left out", "warn is not listed")
                continue
            if name == "boom":
                raise RuntimeError("boom")
            if name == "error":
                ctx.diagnostics.add_error("Palette failed", "try again")
                return
            Things.pulled += 1
            values = {"id": f"uid-{i}", "name": name, "secret_wo": "never", "size": "3"}
            yield Listed(name.upper(), values if ctx.include_resource else {"id": f"uid-{i}", "name": name})


class Thing:
    identity = (("name", "name", True, "Name."), ("uid", "id", False, "Uid."))

    @classmethod
    def get_name(cls) -> str:
        return "thing"

    @classmethod
    def get_schema(cls) -> Schema:
        from provider.tfx import write_only

        return Schema(
            attributes=[
                Attribute("id", String(), computed=True),
                Attribute("name", String(), required=True),
                Attribute("size", String(), optional=True),
                write_only(Attribute("secret_wo", String(), optional=True, sensitive=True)),
            ]
        )


class App:
    def __init__(self, names: list[str]) -> None:
        self.names = names

    def get_model_prefix(self) -> str:
        return "x_"

    def get_resources(self) -> list[Any]:
        return [Thing]

    def get_data_sources(self) -> list[Any]:
        return []

    def get_provider_schema(self, diags: Any) -> Schema:
        return Schema(attributes=[])

    def get_list_resources(self) -> list[Any]:
        return [Things]

    def new_list_resource(self, klass: Any) -> Any:
        return klass(self)


def events(names: list[str], *, include: bool = False, limit: int = 100) -> list[Any]:
    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.servicer import Servicer

    Things.pulled = 0
    request = pb.ListResource.Request(
        type_name="x_thing",
        config=pb.DynamicValue(msgpack=msgpack.packb({"name_prefix": None})),
        include_resource_object=include,
        limit=limit,
    )
    return list(Servicer(App(names)).ListResource(request, None))


def identity(event: Any) -> Any:
    return msgpack.unpackb(event.identity.identity_data.msgpack)


def test_each_event_has_identity_and_display_name_and_no_object_unless_asked() -> None:
    found = events(["a", "b"])
    assert [(identity(e), e.display_name) for e in found] == [
        ({"name": "a", "uid": "uid-0"}, "A"),
        ({"name": "b", "uid": "uid-1"}, "B"),
    ]
    assert not any(e.HasField("resource_object") for e in found)
    assert not any(e.diagnostic for e in found)


def test_whole_objects_are_complete_and_hold_no_write_only_value() -> None:
    (event,) = events(["a"], include=True)
    assert msgpack.unpackb(event.resource_object.msgpack) == {
        "id": "uid-0",
        "name": "a",
        "size": "3",
        "secret_wo": None,
    }


def test_the_stream_stops_at_the_limit_without_reading_more() -> None:
    assert len(events(["a", "b", "c", "d"], limit=2)) == 2
    assert Things.pulled == 2


def test_warnings_ride_on_the_next_event_or_on_their_own_at_the_end() -> None:
    first, second = events(["warn", "a", "warn"])
    assert identity(first)["name"] == "a" and [d.summary for d in first.diagnostic] == ["Left out"]
    assert not second.HasField("identity") and [d.summary for d in second.diagnostic] == ["Left out"]


def test_an_error_is_an_event_that_ends_the_stream() -> None:
    *listed, last = events(["a", "error", "b"])
    assert [identity(e)["name"] for e in listed] == ["a"]
    assert [(d.severity, d.summary) for d in last.diagnostic] == [(1, "Palette failed")]  # 1: ERROR


def test_an_unexpected_exception_is_an_error_event_not_a_broken_stream() -> None:
    *listed, last = events(["a", "boom"])
    assert [identity(e)["name"] for e in listed] == ["a"]
    (diagnostic,) = last.diagnostic
    assert diagnostic.summary == "Unexpected failure in terraform-provider-oci"
    assert "RuntimeError: boom" in diagnostic.detail


def test_validation_points_into_the_config_block() -> None:
    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.servicer import Servicer

    request = pb.ValidateListResourceConfig.Request(
        type_name="x_thing", config=pb.DynamicValue(msgpack=msgpack.packb({"name_prefix": "bad"}))
    )
    (diagnostic,) = Servicer(App([])).ValidateListResourceConfig(request, None).diagnostics
    assert diagnostic.summary == "Bad prefix"
    assert [s.attribute_name for s in diagnostic.attribute.steps] == ["config", "name_prefix"]


def test_list_resources_are_offered_in_metadata_and_schema() -> None:
    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.servicer import Servicer

    servicer = Servicer(App([]))
    metadata = servicer.GetMetadata(pb.GetMetadata.Request(), None)
    assert [m.type_name for m in metadata.list_resources] == ["x_thing"]
    schema = servicer.GetProviderSchema(pb.GetProviderSchema.Request(), None)
    (attribute,) = schema.list_resource_schemas["x_thing"].block.attributes  # Terraform adds the config block
    assert (attribute.name, attribute.optional) == ("name_prefix", True)


def test_the_provider_offers_one_list_resource_per_kind_named_as_its_resource() -> None:
    from provider.kinds import KINDS
    from provider.plugin import OciProvider

    provider = OciProvider()
    listed = {"oci_" + k.get_name(): k.kind for k in provider.get_list_resources()}
    assert listed == {info.resource_type: kind for kind, info in KINDS.items()}
    resources = {"oci_" + r.get_name(): r for r in provider.get_resources()}
    assert all(resources[t].identity for t in listed)  # Terraform lists only resources with an identity


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("team-a-charts", "team-a-charts"),
        ("Chärts ünïcode 図", "Chärts ünïcode 図"),  # printable: as it is
        ("a\x1b[31mred", "a\\x1b[31mred"),  # ANSI
        ("t\x1b]0;title\x07", "t\\x1b]0;title\\x07"),  # OSC
        ("one\ntwo\r\tthree", "one\\ntwo\\r\\tthree"),
        ("rtl\u202egnp.exe", "rtl\\u202egnp.exe"),  # bidirectional override
        ("c1\x9bcsi\u2028ls", "c1\\x9bcsi\\u2028ls"),  # C1 CSI, line separator
    ],
)
def test_display_names_escape_control_characters(name: str, shown: str) -> None:
    """Issue 21, item 14: nothing in a display name moves the cursor or restyles the terminal."""
    assert display_name(name) == shown
    assert display_name(name).isprintable()
