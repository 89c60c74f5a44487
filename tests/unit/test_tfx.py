"""Our extensions of tf: single nested blocks, objects, complete states."""

from __future__ import annotations

from tf.schema import Attribute, Block
from tf.types import Bool, String, Unknown

from provider.tfx import Object, SingleNestedBlock, complete_state, values_equal

TLS = SingleNestedBlock(
    "tls", Block(attributes=[Attribute("ca", String(), optional=True), Attribute("skip", Bool(), optional=True)])
)


def test_single_block_is_a_list_of_at_most_one_on_the_wire():
    assert TLS.encode({"ca": "x"}) == [{"ca": "x", "skip": None}]
    assert TLS.decode([{"ca": "x", "skip": True}]) == {"ca": "x", "skip": True}
    assert TLS.decode({"ca": "x", "skip": True}) == {"ca": "x", "skip": True}
    assert TLS.encode(None) == [] and TLS.decode([]) is None and TLS.decode(None) is None
    assert TLS.encode(Unknown) is Unknown
    schema = TLS.to_pb()
    assert (schema.nesting, schema.max_items) == (schema.NestingMode.LIST, 1)


def test_diagnostics_inside_a_single_block_get_the_element_index():
    from tf.utils import Diagnostics

    from provider.tfx import wire

    diags = Diagnostics().add_error("x", path=["tls", "ca"]).add_error("y", path=["tls"]).add_error("z", path=["name"])
    messages = wire.diagnostics(diags, {"tls"})
    steps = [[(s.attribute_name, s.element_key_int) for s in d.attribute.steps] for d in messages]
    assert steps == [[("tls", 0), ("", 0), ("ca", 0)], [("tls", 0)], [("name", 0)]]


def test_single_block_equality():
    assert TLS.semantically_equal({"ca": "x", "skip": None}, {"ca": "x", "skip": None})
    assert not TLS.semantically_equal({"ca": "x"}, {"ca": "y"})
    assert not TLS.semantically_equal(None, {"ca": "x"})
    assert TLS.semantically_equal(None, None)
    assert not TLS.semantically_equal({"ca": Unknown}, {"ca": "x"})
    assert values_equal(TLS, None, None)


def test_object_type_describes_itself_for_terraform():
    obj = Object({"id": String(), "ok": Bool()})
    assert obj.tf_type() == b'["object",{"id":"string","ok":"bool"}]'
    assert obj.encode({"id": "a"}) == {"id": "a", "ok": None}


def test_complete_state_adds_nulls_and_drops_nothing_known():
    attrs = {"a": Attribute("a", String()), "b": Attribute("b", String())}
    assert complete_state(attrs, {"tls": TLS}, {"a": "1"}) == {"a": "1", "b": None, "tls": None}
    assert complete_state(attrs, {}, None) is None


def test_refined_unknowns_decode_as_unknown():
    import msgpack

    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.wire import read_value as read_dynamic_value

    refined = msgpack.ExtType(12, b"\x82\x01\xc2\x02\xa4reg-")  # what Terraform 1.15 sends for "reg-${...}"
    value = pb.DynamicValue(msgpack=msgpack.packb({"name": refined, "plain": msgpack.ExtType(0, b"\x00")}))
    assert read_dynamic_value(value) == {"name": Unknown, "plain": Unknown}
    other = pb.DynamicValue(msgpack=msgpack.packb({"x": msgpack.ExtType(5, b"?")}))
    assert read_dynamic_value(other) == {"x": msgpack.ExtType(5, b"?")}


def test_plugin_certificate_is_cached_reused_and_renewed(tmp_path, monkeypatch):
    import json
    import stat

    from provider import tfx

    cache = tmp_path / "tls" / "plugin-tls.json"
    first = tfx.plugin_certificate(cache)
    assert "BEGIN CERTIFICATE" in first.cert_pem and first.not_after > 0
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert tfx.plugin_certificate(cache) == first  # reused

    expiring = first._replace(not_after=1.0)
    cache.write_text(json.dumps(expiring._asdict()))
    renewed = tfx.plugin_certificate(cache)
    assert renewed.der_b64 != first.der_b64 and renewed.not_after > 1.0

    cache.write_text("not json")
    assert tfx.plugin_certificate(cache).cert_pem.startswith("-----BEGIN CERTIFICATE-----")


def test_plugin_certificate_works_when_the_cache_cannot_be_written(tmp_path):
    from provider import tfx

    blocked = tmp_path / "file"
    blocked.write_text("")
    certificate = tfx.plugin_certificate(blocked / "sub" / "plugin-tls.json")  # parent is a file
    assert certificate.der_b64


def test_write_only_values_are_null_in_what_the_servicer_answers():
    from provider.tfx import write_only
    from provider.tfx.schema import without_write_only, write_only_paths

    auth = SingleNestedBlock(
        "auth", Block(attributes=[Attribute("user", String()), write_only(Attribute("secret_wo", String()))])
    )
    attrs = {"token_wo": write_only(Attribute("token_wo", String())), "name": Attribute("name", String())}
    paths = write_only_paths(attrs, {"auth": auth})
    assert paths == [("token_wo",), ("auth", "secret_wo")]
    state = {"name": "n", "token_wo": "t", "auth": {"user": "u", "secret_wo": "s"}}
    assert without_write_only(state, paths) == {"name": "n", "token_wo": None, "auth": {"user": "u", "secret_wo": None}}
    assert state["auth"]["secret_wo"] == "s"  # a copy


def test_write_only_arguments_are_refused_by_terraform_before_1_11():
    from tf.utils import Diagnostics

    from provider.tfx.core import refuse_write_only

    diags = Diagnostics()
    refuse_write_only(diags, {"auth": {"secret_wo": "s"}, "token_wo": None}, [("token_wo",), ("auth", "secret_wo")])
    assert [(d.summary, d.path) for d in diags.diagnostics] == [
        ("secret_wo needs Terraform 1.11 or later", ["auth", "secret_wo"])
    ]
    assert "Use secret instead" in diags.diagnostics[0].detail
