"""The servicer: Terraform's plugin protocol 6.10 over the provider's `tf`-style interface.

An ordinary class, imported only when the plugin serves (`provider.tfx.serving`). Each RPC decodes its
request with `provider.tfx.wire`, calls the provider, and encodes the answer; the gaps of `tf` that the
package docstring lists are closed here. Every handler turns an unexpected exception into an error
diagnostic (the traceback goes to the log only).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterator
from copy import deepcopy
from typing import Any, TypeVar

from tf.iface import (
    DeleteContext,
    ImportContext,
    ReadContext,
    ReadDataContext,
    UpgradeContext,
    is_importable,
)
from tf.schema import Attribute, NestedBlock
from tf.utils import Diagnostics

from provider.redaction import redact_credentials
from provider.tfx import moves, wire
from provider.tfx.actions import ActionContext, streamed
from provider.tfx.gen import tfplugin6_pb2 as pb
from provider.tfx.schema import (
    AttributePath,
    CreateContext,
    ListContext,
    Listed,
    PlanContext,
    SingleNestedBlock,
    UpdateContext,
    WriteOnlyPath,
    complete_state,
    values_equal,
    without_write_only,
    write_only_paths,
    write_only_value,
)

log = logging.getLogger("provider.tfx")

_Handler = TypeVar("_Handler", bound=Callable[..., Any])

# Attributes that name a place in a resource's configuration: their diagnostics are pointed into blocks.
_RESOURCE_RPCS = frozenset(
    {"ValidateResourceConfig", "PlanResourceChange", "ApplyResourceChange", "ReadResource", "ImportResourceState"}
)


def _diagnosed(response: Callable[..., Any]) -> Callable[[_Handler], _Handler]:
    """Turn an unexpected exception in an RPC handler into an error diagnostic, not a plugin crash."""

    def wrap(handler: _Handler) -> _Handler:
        @functools.wraps(handler)
        def run(self: Servicer, request: Any, context: Any) -> Any:
            try:
                return handler(self, request, context)
            except Exception as exc:  # the last line of defence: never a traceback for the user
                return response(diagnostics=wire.diagnostics(_unexpected_failure(handler.__name__, exc)))

        return run  # type: ignore[return-value]

    return wrap


UNEXPECTED = "Unexpected failure in terraform-provider-oci"


def _unexpected_failure(handler: str, exc: Exception) -> Diagnostics:
    """The last line of defence, for a failure no check foresaw. Every foreseen one has its own diagnostic
    at the attribute with the fix; this one says what stopped and how to get it looked at."""
    log.exception("unexpected error in %s", handler)
    return Diagnostics().add_error(
        UNEXPECTED,
        f"{handler} stopped at {type(exc).__name__}: {exc}. Run the command again; if it fails the same way, "
        "report it with the output of TF_LOG=debug (the provider redacts credentials from its log).",
    )


class Servicer:
    """Serves one provider object (`provider.plugin.OciProvider`, or any `tf.iface.Provider`)."""

    def __init__(self, app: Any):
        self.app = app
        prefix = app.get_model_prefix()
        self._resources: dict[str, Any] | None = None
        self._data_sources: dict[str, Any] | None = None
        self._list_resources: dict[str, Any] | None = None
        self._actions: dict[str, Any] | None = None
        self._prefix = prefix
        self._schemas: dict[str, tuple[dict[str, Attribute], dict[str, NestedBlock]]] = {}
        self._schema_response: Any = None

    # ------------------------------------------------------------------------ what the provider offers

    def resources(self) -> dict[str, Any]:
        if self._resources is None:
            self._resources = {self._prefix + r.get_name(): r for r in self.app.get_resources()}
        return self._resources

    def data_sources(self) -> dict[str, Any]:
        if self._data_sources is None:
            self._data_sources = {self._prefix + d.get_name(): d for d in self.app.get_data_sources()}
        return self._data_sources

    def list_resources(self) -> dict[str, Any]:
        """List resources (Terraform 1.14+), from the provider's optional `get_list_resources()`: each is
        named as the managed resource type whose objects it lists."""
        if self._list_resources is None:
            listed: list[Any] = getattr(self.app, "get_list_resources", list)()
            self._list_resources = {self._prefix + k.get_name(): k for k in listed}
        return self._list_resources

    def actions(self) -> dict[str, Any]:
        """Terraform 1.14+ actions (`provider.tfx.actions`), from the provider's `get_actions()` if it has one."""
        if self._actions is None:
            listed: list[Any] = getattr(self.app, "get_actions", list)()
            self._actions = {self._prefix + a.get_name(): a for a in listed}
        return self._actions

    def _maps(self, klass: Any, key: str) -> tuple[dict[str, Attribute], dict[str, NestedBlock]]:
        if key not in self._schemas:
            schema = klass.get_schema()
            self._schemas[key] = (
                {a.name: a for a in schema.attributes},
                {b.type_name: b for b in schema.block_types},
            )
        return self._schemas[key]

    def schema_maps(self, type_name: str) -> tuple[dict[str, Attribute], dict[str, NestedBlock]]:
        return self._maps(self.resources()[type_name], type_name)

    def write_only(self, type_name: str) -> list[WriteOnlyPath]:
        return write_only_paths(*self.schema_maps(type_name))

    def _complete(self, type_name: str, state: dict[str, Any] | None) -> dict[str, Any] | None:
        """A state to answer: every attribute present, write-only ones null (Terraform keeps none of them)."""
        attrs, blocks = self.schema_maps(type_name)
        return without_write_only(complete_state(attrs, blocks, state), self.write_only(type_name))

    def _single_blocks(self, type_name: str) -> set[str]:
        _, blocks = self.schema_maps(type_name)
        return {name for name, block in blocks.items() if isinstance(block, SingleNestedBlock)}

    def _diagnostics(self, diags: Diagnostics, type_name: str | None = None) -> list[Any]:
        return wire.diagnostics(diags, self._single_blocks(type_name) if type_name else set())

    # ------------------------------------------------------------------------ provider

    @_diagnosed(pb.GetMetadata.Response)
    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=self._capabilities(),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in self.resources()],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t) for t in self.data_sources()],
            list_resources=[pb.GetMetadata.ListResourceMetadata(type_name=t) for t in self.list_resources()],
            actions=[pb.GetMetadata.ActionMetadata(type_name=t) for t in self.actions()],
        )

    @staticmethod
    def _capabilities() -> Any:
        return pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True, move_resource_state=True)

    @_diagnosed(pb.GetProviderSchema.Response)
    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        if self._schema_response is None:
            diags = Diagnostics()
            self._schema_response = pb.GetProviderSchema.Response(
                provider=wire.schema(self.app.get_provider_schema(diags)),
                provider_meta=pb.Schema(block=pb.Schema.Block()),
                resource_schemas={t: wire.schema(k.get_schema()) for t, k in self.resources().items()},
                data_source_schemas={t: wire.schema(k.get_schema()) for t, k in self.data_sources().items()},
                # Fields Terraform before 1.14 does not know: its protobuf decoder skips them.
                list_resource_schemas={t: wire.schema(k.get_schema()) for t, k in self.list_resources().items()},
                action_schemas={
                    t: pb.ActionSchema(schema=wire.schema(k.get_schema())) for t, k in self.actions().items()
                },
                # Terraform reads the capabilities it acts on (move_resource_state for `moved`) from here.
                server_capabilities=self._capabilities(),
                diagnostics=wire.diagnostics(diags),
            )
        return self._schema_response

    @_diagnosed(pb.GetFunctions.Response)
    def GetFunctions(self, request: Any, context: Any) -> Any:
        return pb.GetFunctions.Response()

    # ------------------------------------------------------------------------ actions (Terraform 1.14+)
    # `provider.tfx.actions` says what an action implements. Only Terraform 1.14+ calls these.

    def _action(self, diags: Diagnostics, type_name: str, config: Any) -> tuple[Any, dict[str, Any]]:
        """The action and its configuration through the schema's decoders."""
        klass = self.actions()[type_name]
        attrs, blocks = self._maps(klass, "action." + type_name)
        _, decoded = wire.decode_state(diags, attrs, blocks, config)
        return self.app.new_action(klass), decoded or {}

    @_diagnosed(pb.ValidateActionConfig.Response)
    def ValidateActionConfig(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        action, config = self._action(diags, request.type_name, request.config)
        if not diags.has_errors():
            action.validate(ActionContext(diags, request.type_name), config)
        return pb.ValidateActionConfig.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.PlanAction.Response)
    def PlanAction(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        action, config = self._action(diags, request.action_type, request.config)
        if not diags.has_errors():
            action.plan(ActionContext(diags, request.action_type), config)
        return pb.PlanAction.Response(diagnostics=wire.diagnostics(diags))

    def InvokeAction(self, request: Any, context: Any) -> Iterator[Any]:
        """A stream: a Progress event per line the action sends, as it sends it, then Completed."""
        diags = Diagnostics()
        try:
            action, config = self._action(diags, request.action_type, request.config)
            if not diags.has_errors():
                run = functools.partial(_invoke, action, diags, request.action_type, config)
                for message in streamed(run):
                    line = redact_credentials(message) if "@" in message else message
                    yield pb.InvokeAction.Event(progress=pb.InvokeAction.Event.Progress(message=line))
        except Exception as exc:  # as `_diagnosed`: never a traceback for the user
            diags = _unexpected_failure("InvokeAction", exc)
        completed = pb.InvokeAction.Event.Completed(diagnostics=wire.diagnostics(diags))
        yield pb.InvokeAction.Event(completed=completed)

    # ------------------------------------------------------------------------ resource identity (Terraform 1.12+)
    # A resource class declares `identity`: (identity attribute, state attribute, required for import,
    # description) tuples. Only Terraform 1.12+ asks for identity schemas; older Terraform skips the
    # identity fields of the answers below, which its protocol version does not have.

    @_diagnosed(pb.GetResourceIdentitySchemas.Response)
    def GetResourceIdentitySchemas(self, request: Any, context: Any) -> Any:
        schemas = {}
        for type_name, klass in self.resources().items():
            identity = getattr(klass, "identity", None)
            if identity:
                schemas[type_name] = pb.ResourceIdentitySchema(
                    version=0,
                    identity_attributes=[
                        pb.ResourceIdentitySchema.IdentityAttribute(
                            name=name,
                            type=b'"string"',
                            required_for_import=required,
                            optional_for_import=not required,
                            description=description,
                        )
                        for name, _, required, description in identity
                    ],
                )
        return pb.GetResourceIdentitySchemas.Response(identity_schemas=schemas)

    @_diagnosed(pb.UpgradeResourceIdentity.Response)
    def UpgradeResourceIdentity(self, request: Any, context: Any) -> Any:
        # Version 0 is the only one so far: the stored identity is today's.
        raw = json.loads(request.raw_identity.json) if request.raw_identity.json else None
        return pb.UpgradeResourceIdentity.Response(
            upgraded_identity=pb.ResourceIdentityData(identity_data=wire.dynamic_value(raw))
        )

    def _identity(self, type_name: str, state: dict[str, Any] | None, prior: Any = None) -> Any:
        """The identity of `state` (None without one): the prior identity while it names the same registry,
        so that it stays stable across refreshes."""
        identity = getattr(self.resources()[type_name], "identity", None)
        if not identity or state is None:
            return None
        fresh = {name: state.get(attribute) for name, attribute, _, _ in identity}
        if any(fresh[name] is None for name, _, required, _ in identity if required) or not state.get("id"):
            return None
        known = wire.read_value(prior.identity_data) if prior is not None and prior.HasField("identity_data") else None
        if isinstance(known, dict) and all(known.get(k) in (None, v) for k, v in fresh.items()):
            fresh = {**fresh, **{k: v for k, v in known.items() if v is not None}}
        return pb.ResourceIdentityData(identity_data=wire.dynamic_value(fresh))

    @_diagnosed(pb.ValidateProviderConfig.Response)
    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        self.app.validate_config(diags, wire.read_value(request.config) or {})
        return pb.ValidateProviderConfig.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.ConfigureProvider.Response)
    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        self.app.configure_provider(diags, wire.read_value(request.config) or {})
        return pb.ConfigureProvider.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.StopProvider.Response)
    def StopProvider(self, request: Any, context: Any) -> Any:
        # Terraform's Ctrl-C: operations in flight should end soon. We keep serving (their answers carry
        # the state); a provider with `stop()` cuts its long waits short.
        stop = getattr(self.app, "stop", None)
        if callable(stop):
            stop()
        return pb.StopProvider.Response()

    # ------------------------------------------------------------------------ resources

    def _resource(self, type_name: str) -> Any:
        return self.app.new_resource(self.resources()[type_name])

    @_diagnosed(pb.ValidateResourceConfig.Response)
    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        # The configuration through the schema's decoders (tf hands it over raw): blocks as dicts.
        diags = Diagnostics()
        type_name = request.type_name
        attrs, blocks = self.schema_maps(type_name)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        if not request.client_capabilities.write_only_attributes_allowed:
            _refuse_write_only(diags, config, self.write_only(type_name))
        if not diags.has_errors():
            self._resource(type_name).validate(diags, type_name, config or {})
        return pb.ValidateResourceConfig.Response(diagnostics=self._diagnostics(diags, type_name))

    @_diagnosed(pb.UpgradeResourceState.Response)
    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        klass = self.resources()[type_name]
        attrs, blocks = self.schema_maps(type_name)
        state = json.loads(request.raw_state.json) if request.raw_state.json else None
        if state is not None and request.version < (klass.get_schema().version or 0):
            state = self._resource(type_name).upgrade(UpgradeContext(diags, type_name), request.version, state)
        # Through the schema's decoders and encoders: blocks and absent attributes take today's form.
        _, decoded = wire.decode_state(diags, attrs, blocks, state or {})
        upgraded = wire.encode_state(attrs, blocks, self._complete(type_name, decoded), None)
        return pb.UpgradeResourceState.Response(
            upgraded_state=upgraded, diagnostics=self._diagnostics(diags, type_name)
        )

    @_diagnosed(pb.ReadResource.Response)
    def ReadResource(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        attrs, blocks = self.schema_maps(type_name)
        current_raw, current = wire.decode_state(diags, attrs, blocks, request.current_state)
        if diags.has_errors() or current is None:
            return pb.ReadResource.Response(
                new_state=request.current_state, diagnostics=self._diagnostics(diags, type_name)
            )
        new_state = self._complete(type_name, self._resource(type_name).read(ReadContext(diags, type_name), current))
        prior_identity = request.current_identity if request.HasField("current_identity") else None
        return pb.ReadResource.Response(
            new_state=wire.encode_state(attrs, blocks, new_state, current_raw),
            diagnostics=self._diagnostics(diags, type_name),
            new_identity=self._identity(type_name, new_state, prior_identity),
        )

    @_diagnosed(pb.PlanResourceChange.Response)
    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        attrs, blocks = self.schema_maps(type_name)
        _, prior = wire.decode_state(diags, attrs, blocks, request.prior_state)
        proposed_raw, proposed = wire.decode_state(diags, attrs, blocks, request.proposed_new_state)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        if diags.has_errors():
            return pb.PlanResourceChange.Response(diagnostics=self._diagnostics(diags, type_name))
        if proposed is None:  # a destroy plan: nothing to decide
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)

        schema_items: dict[str, Attribute | NestedBlock] = {**attrs, **blocks}
        hidden = self.write_only(type_name)
        prior, proposed = without_write_only(prior, hidden), without_write_only(proposed, hidden)
        assert proposed is not None
        if prior is None:
            changed = {k for k, v in proposed.items() if v is not None}
            replace: list[AttributePath] = []
            planned = {k: _unknown_if_unset(attrs.get(k), v) for k, v in proposed.items()}
        else:
            planned = {**deepcopy(proposed), **_blocks_from_config(blocks, config or {})}
            planned = without_write_only(planned, hidden) or {}
            changed = {k for k, item in schema_items.items() if not values_equal(item, prior.get(k), planned.get(k))}
            replace = [[k] for k in sorted(changed) if k in attrs and attrs[k].requires_replace]

        ctx = PlanContext(diags, type_name, changed_fields=changed, config=config, requires_replace=replace)
        result = self._complete(type_name, self._resource(type_name).plan(ctx, deepcopy(prior), planned))
        return pb.PlanResourceChange.Response(
            planned_identity=(
                request.prior_identity
                if request.HasField("prior_identity") and prior and not ctx.requires_replace
                else None
            ),
            planned_state=wire.encode_state(attrs, blocks, result, proposed_raw),
            requires_replace=[wire.attribute_path(list(p)) for p in ctx.requires_replace],
            diagnostics=self._diagnostics(diags, type_name),
        )

    @_diagnosed(pb.ApplyResourceChange.Response)
    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        attrs, blocks = self.schema_maps(type_name)
        _, prior = wire.decode_state(diags, attrs, blocks, request.prior_state)
        planned_raw, planned = wire.decode_state(diags, attrs, blocks, request.planned_state)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        if diags.has_errors():
            return pb.ApplyResourceChange.Response(
                new_state=request.prior_state, diagnostics=self._diagnostics(diags, type_name)
            )
        resource = self._resource(type_name)
        if planned is None:
            new_state = resource.delete(DeleteContext(diags, type_name), prior) if prior is not None else None
        elif prior is None:
            new_state = resource.create(CreateContext(diags, type_name, config=config), planned)
        else:
            new_state = resource.update(UpdateContext(diags, type_name, config=config), prior, planned)
        new_state = self._complete(type_name, new_state)
        prior_identity = request.planned_identity if request.HasField("planned_identity") else None
        return pb.ApplyResourceChange.Response(
            new_state=wire.encode_state(attrs, blocks, new_state, planned_raw),
            diagnostics=self._diagnostics(diags, type_name),
            new_identity=self._identity(type_name, new_state, prior_identity),
        )

    @_diagnosed(pb.ImportResourceState.Response)
    def ImportResourceState(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        klass = self.resources()[type_name]
        if not is_importable(klass):
            diags.add_error(f"{type_name} cannot be imported")
            return pb.ImportResourceState.Response(diagnostics=wire.diagnostics(diags))
        attrs, blocks = self.schema_maps(type_name)
        given = request.id
        if not given and request.HasField("identity"):  # `import { identity = { name = "charts" } }`
            identity = wire.read_value(request.identity.identity_data) or {}
            given = next((str(identity[n]) for n in ("uid", "name") if identity.get(n)), "")
        state = self.app.new_resource(klass).import_(ImportContext(diags, type_name), given)
        imported = []
        if state is not None and not diags.has_errors():
            state = self._complete(type_name, state)
            encoded = wire.encode_state(attrs, blocks, state, None)
            imported.append(
                pb.ImportResourceState.ImportedResource(
                    type_name=type_name, state=encoded, identity=self._identity(type_name, state)
                )
            )
        return pb.ImportResourceState.Response(
            imported_resources=imported, diagnostics=self._diagnostics(diags, type_name)
        )

    @_diagnosed(pb.MoveResourceState.Response)
    def MoveResourceState(self, request: Any, context: Any) -> Any:
        """A `moved` block from another resource type or provider (Terraform 1.8+): `provider.tfx.moves`."""
        diags = Diagnostics()
        type_name = request.target_type_name
        attrs, blocks = self.schema_maps(type_name)
        source = moves.decode_source(
            diags,
            request.source_provider_address,
            request.source_type_name,
            request.source_schema_version,
            request.source_state.json,
        )
        state = None
        if source is not None:
            state = moves.move(self._resource(type_name), moves.MoveContext(diags, type_name), source)
        if state is None or diags.has_errors():
            return pb.MoveResourceState.Response(diagnostics=self._diagnostics(diags, type_name))
        state = self._complete(type_name, state)
        return pb.MoveResourceState.Response(
            target_state=wire.encode_state(attrs, blocks, state, None),
            target_identity=self._identity(type_name, state),
            diagnostics=self._diagnostics(diags, type_name),
        )

    # ------------------------------------------------------------------------ list resources (Terraform 1.14+)
    # `terraform query` over `list` blocks in `.tfquery.hcl` files. Terraform wraps the schema a list resource
    # declares into the list block's `config` block itself, sends only that block's value, and asks for whole
    # resource objects when the block says `include_resource = true`, and always for `-generate-config-out`.

    @_diagnosed(pb.ValidateListResourceConfig.Response)
    def ValidateListResourceConfig(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        klass = self.list_resources()[type_name]
        attrs, blocks = self._maps(klass, "list." + type_name)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        if not diags.has_errors():
            self.app.new_list_resource(klass).validate(diags, type_name, config or {})
        # Terraform points these paths into the list block, whose `config` block holds the attributes.
        return pb.ValidateListResourceConfig.Response(diagnostics=wire.diagnostics(_in_config_block(diags)))

    def ListResource(self, request: Any, context: Any) -> Iterator[Any]:
        """A stream of events, one per object. Diagnostics ride on the next event, or on one of their own at
        the end (Terraform skips an event without identity that carries only warnings, and stops at an error).
        An unexpected exception is an error event, never a broken stream."""
        try:
            yield from self._list_events(request)
        except Exception as exc:
            yield pb.ListResource.Event(diagnostic=wire.diagnostics(_unexpected_failure("ListResource", exc)))

    def _list_events(self, request: Any) -> Iterator[Any]:
        diags = Diagnostics()
        type_name = request.type_name
        klass = self.list_resources()[type_name]
        attrs, blocks = self._maps(klass, "list." + type_name)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        limit = request.limit if request.limit > 0 else None
        ctx = ListContext(diags, type_name, include_resource=request.include_resource_object, limit=limit)
        sent = 0
        if not diags.has_errors():
            for count, listed in enumerate(self.app.new_list_resource(klass).list(ctx, config or {}), 1):
                event = self._list_event(type_name, listed, ctx.include_resource)
                event.diagnostic.extend(wire.diagnostics(_Some(diags.diagnostics[sent:])))
                sent = len(diags.diagnostics)
                yield event
                if diags.has_errors() or (limit is not None and count >= limit):
                    return
        if len(diags.diagnostics) > sent:
            yield pb.ListResource.Event(diagnostic=wire.diagnostics(_Some(diags.diagnostics[sent:])))

    def _list_event(self, type_name: str, listed: Listed, include_resource: bool) -> Any:
        """One object: its identity, its display name, and with `include_resource` the object as
        ImportResourceState answers it (complete, write-only attributes null)."""
        event = pb.ListResource.Event(
            identity=self._identity(type_name, listed.values), display_name=listed.display_name
        )
        if include_resource:
            attrs, blocks = self.schema_maps(type_name)
            state = self._complete(type_name, listed.values)
            event.resource_object.CopyFrom(wire.encode_state(attrs, blocks, state, None))
        return event

    # ------------------------------------------------------------------------ data sources

    @_diagnosed(pb.ValidateDataResourceConfig.Response)
    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        klass = self.data_sources()[request.type_name]
        self.app.new_data_source(klass).validate(diags, request.type_name, wire.read_value(request.config))
        return pb.ValidateDataResourceConfig.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.ReadDataSource.Response)
    def ReadDataSource(self, request: Any, context: Any) -> Any:
        diags = Diagnostics()
        type_name = request.type_name
        klass = self.data_sources()[type_name]
        attrs, blocks = self._maps(klass, "data." + type_name)
        _, config = wire.decode_state(diags, attrs, blocks, wire.read_value(request.config) or {})
        if diags.has_errors():
            return pb.ReadDataSource.Response(diagnostics=wire.diagnostics(diags))
        state = self.app.new_data_source(klass).read(ReadDataContext(diags, type_name), config)
        if state is None:  # on error, echo the configuration: Terraform needs an object
            state = config
        state = complete_state(attrs, blocks, state)
        return pb.ReadDataSource.Response(
            state=wire.encode_state(attrs, blocks, state, None), diagnostics=wire.diagnostics(diags)
        )


def _invoke(action: Any, diags: Diagnostics, type_name: str, config: dict[str, Any], progress: Any) -> None:
    action.invoke(ActionContext(diags, type_name, progress), config)


def _blocks_from_config(blocks: dict[str, NestedBlock], config: dict[str, Any]) -> dict[str, Any]:
    """Blocks without computed attributes are planned as configured.

    Terraform 1.0's proposed new state keeps a single block the configuration removed, then rejects
    the plan that keeps it ("planned for existence but config wants absence").
    """
    return {
        name: deepcopy(config.get(name))
        for name, block in blocks.items()
        if not any(a.computed for a in block.block.attributes)
    }


def _unknown_if_unset(attr: Attribute | None, value: Any) -> Any:
    """On create, a computed attribute the configuration leaves unset is unknown until apply."""
    if attr is not None and value is None and attr.computed:
        return attr.default
    return value


def _refuse_write_only(diags: Diagnostics, config: dict[str, Any] | None, paths: list[WriteOnlyPath]) -> None:
    """A Terraform that does not say it supports write-only attributes (before 1.11) would keep their
    values in its plan and state: a plan-time error at each one set, naming the alternative."""
    for path in paths:
        if write_only_value(config, path) is None:
            continue
        name = ".".join(path)
        plain = path[-1].removesuffix("_wo")
        diags.add_error(
            f"{path[-1]} needs Terraform 1.11 or later",
            f"{name} is a write-only argument: Terraform 1.11 and later send it to the provider without keeping it "
            "in the plan or the state. This Terraform does not support write-only arguments and would store the "
            f"secret in its state. Use {plain} instead (sensitive, but kept in the state), or upgrade Terraform.",
            path=list(path),
        )


class _Some:
    """Some of a `Diagnostics`' diagnostics, for `wire.diagnostics`."""

    def __init__(self, diagnostics: list[Any]):
        self.diagnostics = diagnostics


def _in_config_block(diags: Diagnostics) -> _Some:
    """Diagnostics of a list resource's configuration with their paths moved into the `config` block."""
    from tf.utils import Diagnostic

    return _Some(
        [Diagnostic(d.severity, d.summary, d.detail, ["config", *d.path]) if d.path else d for d in diags.diagnostics]
    )
