"""The wire: Terraform's values, paths, diagnostics and schemas as our generated protocol messages.

Conversion only, in both directions, with no provider logic: `decode_state` / `encode_state` (a
DynamicValue through the schema's decoders and encoders), `attribute_path`, `diagnostics` (tf's
`Diagnostics` as messages, pointed into single blocks), `schema` (tf's schema objects as a
`Schema` message, write-only flags included where Terraform understands them). The servicer
(`provider.tfx.servicer`) is the only user.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack
from tf.schema import Attribute, Block, NestedBlock, NestMode, Schema, TextFormat
from tf.types import Unknown

from provider.tfx.gen import tfplugin6_pb2 as pb
from provider.tfx.schema import SingleNestedBlock, is_write_only

# msgpack extension codes in the values Terraform sends: 0 is an unknown value; 12 an unknown with
# refinements (Terraform >= 1.6 knows e.g. that `"reg-${count.index}"` starts with "reg-").
_UNKNOWN_EXT_CODES = (0, 12)
_UNKNOWN = msgpack.ExtType(0, b"\x00")


class EncodeError(Exception):
    """A value the schema's encoder refused: a bug in the provider, reported as such."""


# ---------------------------------------------------------------------------- values


def msgpack_ext_hook(code: int, data: bytes) -> Any:
    """Decode Terraform's msgpack extensions: both kinds of unknown become `Unknown` (refinements are
    dropped: a rule treats a refined unknown like any other unknown and checks the value at apply)."""
    return Unknown if code in _UNKNOWN_EXT_CODES else msgpack.ExtType(code, data)


def _msgpack_default(value: Any) -> Any:
    if value is Unknown:
        return _UNKNOWN
    raise TypeError(f"cannot encode {type(value).__name__} for Terraform")


def read_value(value: pb.DynamicValue) -> Any:
    """A DynamicValue as Python: JSON (raw states) or msgpack (everything else); None when empty."""
    if value.json:
        return json.loads(value.json)
    if value.msgpack:
        return msgpack.unpackb(value.msgpack, ext_hook=msgpack_ext_hook)
    return None


def dynamic_value(value: Any) -> pb.DynamicValue:
    """Python as a DynamicValue (msgpack); None as an empty one, which Terraform reads as null."""
    if value is None:
        return pb.DynamicValue()
    return pb.DynamicValue(msgpack=msgpack.packb(value, default=_msgpack_default))


def decode_state(
    diags: Any, attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], value: Any
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the raw object, the object through the schema's decoders); (None, None) for a null object.
    A field that does not decode is an error diagnostic at its path, and Unknown."""
    raw = value if isinstance(value, dict) else read_value(value)
    if raw is None:
        return None, None
    decoded: dict[str, Any] = {}
    for name, item in raw.items():
        decode = attrs[name].type.decode if name in attrs else blocks[name].decode if name in blocks else None
        if decode is None:
            continue
        if item is Unknown:
            decoded[name] = item
            continue
        try:
            decoded[name] = decode(item)
        except Exception as exc:
            diags.add_error(
                f"Failed to decode field '{name}'", detail=f"Error decoding field '{name}': {exc}", path=[name]
            )
            decoded[name] = Unknown
    return raw, decoded


def encode_object(
    attrs: dict[str, Attribute],
    blocks: dict[str, NestedBlock],
    state: dict[str, Any] | None,
    old: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """`state` through the schema's encoders. Where `old` (the raw object Terraform sent) holds an equal
    value, its encoding is kept: Terraform compares what it planned with what it gets byte for byte."""
    if state is None:
        return None
    encoded: dict[str, Any] = {}
    for name, item in state.items():
        try:
            if item is Unknown:
                encoded[name] = Unknown
                continue
            kind: Any = attrs.get(name) or blocks[name]
            codec = kind.type if isinstance(kind, Attribute) else kind
            new = codec.encode(item)
            previous = (old or {}).get(name, Unknown)
            if previous is not Unknown and (previous == new or codec.semantically_equal(codec.decode(previous), item)):
                encoded[name] = previous
            else:
                encoded[name] = new
        except Exception as exc:
            raise EncodeError(f"Failed to encode field '{name}': {type(exc).__name__}: {exc}") from exc
    return encoded


def encode_state(
    attrs: dict[str, Attribute],
    blocks: dict[str, NestedBlock],
    state: dict[str, Any] | None,
    old: dict[str, Any] | None,
) -> pb.DynamicValue:
    return dynamic_value(encode_object(attrs, blocks, state, old))


# ---------------------------------------------------------------------------- paths and diagnostics


def attribute_path(path: list[Any]) -> pb.AttributePath:
    """A path as Terraform's AttributePath: names are attribute steps; (0,) and ("key",) element steps."""
    steps = []
    for step in path:
        if isinstance(step, tuple):
            key = step[0]
            steps.append(
                pb.AttributePath.Step(element_key_int=key)
                if isinstance(key, int)
                else pb.AttributePath.Step(element_key_string=key)
            )
        elif isinstance(step, int):
            steps.append(pb.AttributePath.Step(element_key_int=step))
        else:
            steps.append(pb.AttributePath.Step(attribute_name=step))
    return pb.AttributePath(steps=steps)


_SEVERITY = {"error": pb.Diagnostic.ERROR, "warning": pb.Diagnostic.WARNING}


def diagnostics(diags: Any, single_blocks: frozenset[str] | set[str] = frozenset()) -> list[pb.Diagnostic]:
    """tf's Diagnostics as messages. A path into a single block, ("basic_auth", "password"), is a path into
    the list of at most one it is on the wire, ("basic_auth", [0], "password"): only there does Terraform
    find the attribute's line. Summaries and details go through the provider's one redaction of
    credential-shaped text: the last line of defence, whatever produced them."""
    from provider.redaction import redact_credentials

    messages = []
    for diagnostic in diags.diagnostics:
        path = list(diagnostic.path or [])
        if len(path) > 1 and path[0] in single_blocks and isinstance(path[1], str):
            path = [path[0], (0,), *path[1:]]
        summary, detail = diagnostic.summary or "", diagnostic.detail or ""
        message = pb.Diagnostic(
            severity=_SEVERITY.get(diagnostic.severity, pb.Diagnostic.INVALID),
            summary=redact_credentials(summary) if "@" in summary else summary,
            detail=redact_credentials(detail) if "@" in detail else detail,
        )
        if path:
            message.attribute.CopyFrom(attribute_path(path))
        messages.append(message)
    return messages


# ---------------------------------------------------------------------------- schemas


def _kind(description_kind: TextFormat | None) -> Any:
    return pb.PLAIN if description_kind is TextFormat.Plain else pb.MARKDOWN


def attribute(attr: Attribute, *, write_only: bool) -> Any:
    message = pb.Schema.Attribute(
        name=attr.name,
        type=attr.type.tf_type(),
        description=attr.description or "",
        required=bool(attr.required),
        optional=bool(attr.optional),
        computed=bool(attr.computed),
        sensitive=bool(attr.sensitive),
        description_kind=_kind(attr.description_kind),
        deprecated=bool(attr.deprecated),
    )
    if write_only and is_write_only(attr):
        message.write_only = True
    return message


def block(value: Block, *, write_only: bool) -> Any:
    message = pb.Schema.Block(
        attributes=[attribute(a, write_only=write_only) for a in value.attributes],
        block_types=[nested_block(b, write_only=write_only) for b in value.block_types],
        description=value.description or "",
        deprecated=bool(value.deprecated),
    )
    if value.description_kind is not None or value.description:
        message.description_kind = _kind(value.description_kind)
    return message


_NESTING = {NestMode.Set: pb.Schema.NestedBlock.SET, NestMode.Single: pb.Schema.NestedBlock.SINGLE}


def nested_block(value: NestedBlock, *, write_only: bool) -> Any:
    if isinstance(value, SingleNestedBlock):  # a list of at most one (see SingleNestedBlock)
        nesting, min_items, max_items = pb.Schema.NestedBlock.LIST, 0, 1
    else:
        nesting, min_items, max_items = _NESTING[value.nesting_mode], value.min_items or 0, value.max_items or 0
    return pb.Schema.NestedBlock(
        type_name=value.type_name,
        block=block(value.block, write_only=write_only),
        nesting=nesting,
        min_items=min_items,
        max_items=max_items,
    )


def schema(value: Schema, *, write_only: bool = True) -> pb.Schema:
    """A schema as Terraform reads it; `write_only` False leaves the write-only flags out."""
    body = Block(
        attributes=value.attributes,
        block_types=value.block_types,
        description=value.description,
        description_kind=value.description_kind,
        deprecated=value.deprecated,
    )
    return pb.Schema(version=value.version or 0, block=block(body, write_only=write_only))
