"""Schema extensions of `tf` (items 1, 2 and 4 of the package docstring) and the plan context.

Cheap to import: only `tf.schema`, `tf.types` and `tf.iface`, which every provider module loads anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from tf.iface import CreateContext as _TfCreateContext
from tf.iface import PlanContext as _TfPlanContext
from tf.iface import UpdateContext as _TfUpdateContext
from tf.schema import Attribute, Block, NestedBlock, NestMode
from tf.types import TfType, Unknown

AttributePath = list[str]


@dataclass
class PlanContext(_TfPlanContext):
    """What `plan()` sees: tf's context plus the configuration and a replacement list to extend."""

    config: dict[str, Any] | None = None
    requires_replace: list[AttributePath] = field(default_factory=list)


@dataclass
class CreateContext(_TfCreateContext):
    """tf's context plus the configuration: write-only values reach create() only from there."""

    config: dict[str, Any] | None = None


@dataclass
class UpdateContext(_TfUpdateContext):
    """tf's context plus the configuration: write-only values reach update() only from there."""

    config: dict[str, Any] | None = None


@dataclass
class ListContext:
    """What a list resource's `list()` sees (`terraform query`, Terraform 1.14+): where its diagnostics go,
    whether Terraform wants whole resource objects (`include_resource`, and always with
    `-generate-config-out`), and the most results it will read (None: no limit)."""

    diagnostics: Any
    type_name: str
    include_resource: bool = False
    limit: int | None = None


class Listed(NamedTuple):
    """One result of a list resource: a name for people, and the values of the managed resource of the same
    type: its identity attributes at least, every attribute when the context asks for the resource."""

    display_name: str
    values: dict[str, Any]


class ListResource(Protocol):
    """A list resource (`list "<type>" "<name>" { config { ... } }` in a `.tfquery.hcl` file) lists existing
    objects of the managed resource type of the same name, which must declare an identity. Its class has
    `get_name()` and `get_schema()` (the `config` block's schema, which Terraform wraps itself)."""

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None: ...

    def list(self, ctx: ListContext, config: dict[str, Any]) -> Iterable[Listed]: ...


def write_only(attribute: Attribute) -> Attribute:
    """Mark an attribute write-only (Terraform 1.11+): Terraform passes its value to the provider from the
    configuration and never keeps it in a plan or a state. The servicer keeps it null in every state it
    answers, hands it to create/update from the configuration, and refuses it (at plan time) from a
    Terraform that does not say it supports write-only attributes."""
    attribute.write_only = True
    return attribute


def is_write_only(attribute: Attribute) -> bool:
    return bool(getattr(attribute, "write_only", False))


def read_only(attribute: Attribute, why: str) -> Attribute:
    """A computed-only attribute with the reason configuration cannot set it ("it comes from the API key's
    level"): every Validate*Config RPC refuses a value for it at its path with this reason and "remove it"."""
    if attribute.optional or attribute.required or not attribute.computed:
        raise ValueError(f"{attribute.name}: only a computed attribute that is not optional is read-only")
    attribute.read_only_reason = why
    return attribute


def is_read_only(attribute: Attribute) -> bool:
    """Computed and not optional: Terraform's configuration has no say in its value."""
    return bool(attribute.computed) and not attribute.optional and not attribute.required


def read_only_reason(attribute: Attribute) -> str | None:
    reason = getattr(attribute, "read_only_reason", None)
    return reason if isinstance(reason, str) else None


class SingleNestedBlock(NestedBlock):
    """A block that appears at most once (``tls { ... }``); in Python its value is a dict or None.

    On the wire it is a list of at most one object (nesting mode LIST, max_items 1), as Go SDK
    providers declare such blocks: Terraform 1.0's plan renderer crashes on a sensitive value inside a
    block of nesting mode SINGLE ("value is marked, so must be unmarked first"). Diagnostics that
    point into such a block get the element index Terraform then needs (`provider.tfx.wire`).
    """

    def __init__(self, type_name: str, block: Block):
        super().__init__(type_name, NestMode.Single, block, max_items=1)

    def to_pb(self) -> Any:
        """tf's message for this block (scripts and tests); the servicer encodes schemas itself (`wire`)."""
        from tf.gen import tfplugin_pb2 as pb

        return pb.Schema.NestedBlock(
            type_name=self.type_name,
            block=self.block.to_pb(),
            nesting=pb.Schema.NestedBlock.NestingMode.LIST,
            min_items=0,
            max_items=1,
        )

    def encode(self, value: Any) -> Any:
        if value is Unknown:
            return value
        return [] if value is None else [_convert_object(self._amap(), self._bmap(), value, "encode")]

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):  # the wire form; a bare object is accepted too
            value = value[0] if value else None
        if value is None or value is Unknown:
            return value
        return _convert_object(self._amap(), self._bmap(), value, "decode")

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        if a_decoded is None or b_decoded is None or a_decoded is Unknown or b_decoded is Unknown:
            return a_decoded is b_decoded
        return _objects_equal(self._amap(), self._bmap(), a_decoded, b_decoded)


class Object(TfType):
    """An object type with fixed attribute types, e.g. the elements of ``oci_registries.registries``."""

    def __init__(self, attribute_types: dict[str, TfType]):
        self.attribute_types = attribute_types

    def encode(self, value: Any) -> Any:
        if value is None or value is Unknown:
            return value
        return {k: t.encode(value.get(k)) for k, t in self.attribute_types.items()}

    def decode(self, value: Any) -> Any:
        if value is None or value is Unknown:
            return value
        return {k: t.decode(value.get(k)) for k, t in self.attribute_types.items()}

    def tf_type(self) -> bytes:
        fields = ",".join(f'"{k}":{t.tf_type().decode()}' for k, t in self.attribute_types.items())
        return f'["object",{{{fields}}}]'.encode()


def _convert_object(
    attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], value: dict[str, Any], how: str
) -> dict[str, Any]:
    """Every attribute and block of `value` through its type's `encode` or `decode`; unknowns pass as they are."""
    converters = {name: getattr(attr.type, how) for name, attr in attrs.items()}
    converters.update({name: getattr(block, how) for name, block in blocks.items()})
    return {
        name: value.get(name) if value.get(name) is Unknown else convert(value.get(name))
        for name, convert in converters.items()
    }


def _objects_equal(
    attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], a: dict[str, Any], b: dict[str, Any]
) -> bool:
    for name, attr in attrs.items():
        va, vb = a.get(name), b.get(name)
        if va is Unknown or vb is Unknown:
            if va is not vb:
                return False
        elif not attr.type.semantically_equal(va, vb):
            return False
    return all(blk.semantically_equal(a.get(name), b.get(name)) for name, blk in blocks.items())


def values_equal(attr_or_block: Attribute | NestedBlock, a: Any, b: Any) -> bool:
    """Semantic equality of two decoded values of one attribute or block, Unknown-aware."""
    if isinstance(attr_or_block, NestedBlock):
        return bool(attr_or_block.semantically_equal(a, b))
    if a is Unknown or b is Unknown:
        return a is b
    return bool(attr_or_block.type.semantically_equal(a, b))


def complete_state(
    attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], state: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Every attribute and block present, absent ones null: Terraform rejects partial objects."""
    if state is None:
        return None
    full = {name: state.get(name) for name in attrs}
    full.update({name: state.get(name) for name in blocks})
    return full


WriteOnlyPath = tuple[str, ...]


def write_only_paths(attrs: dict[str, Attribute], blocks: dict[str, NestedBlock]) -> list[WriteOnlyPath]:
    """Where a schema's write-only attributes are: ("name",) at the top, ("block", "name") in a block."""
    paths: list[WriteOnlyPath] = [(name,) for name, attr in attrs.items() if is_write_only(attr)]
    for name, block in blocks.items():
        paths.extend((name, attr.name) for attr in block.block.attributes if is_write_only(attr))
    return paths


def write_only_value(values: dict[str, Any] | None, path: WriteOnlyPath) -> Any:
    """The value at `path` (None when the block is absent)."""
    node: Any = values
    for step in path:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def without_write_only(values: dict[str, Any] | None, paths: list[WriteOnlyPath]) -> dict[str, Any] | None:
    """`values` with every write-only attribute null: what a plan or a state may hold of them."""
    if values is None or not paths:
        return values
    result = dict(values)
    for path in paths:
        if len(path) == 1:
            if path[0] in result:
                result[path[0]] = None
        elif isinstance(result.get(path[0]), dict) and result[path[0]].get(path[1]) is not None:
            result[path[0]] = {**result[path[0]], path[1]: None}
    return result
