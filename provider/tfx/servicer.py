"""The servicer: Terraform's plugin protocol 6.10, one thin adapter per RPC over the framework core.

As plugin-framework's proto6server over fwserver: each adapter decodes its request with `provider.tfx.wire`,
calls one method of `provider.tfx.core.Core` with plain values, and encodes the answer. What a provider
may and must do (the contract's checks, complete states, write-only nulls) is the core's; an adapter only
converts. Imported only when the plugin serves (`provider.tfx.serving`). Every unary adapter turns an
unexpected exception into an error diagnostic (`_diagnosed`; the traceback goes to the log only), and the
streams end in one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import TypeVar

from tf.utils import Diagnostics

from provider.redaction import redact_credentials
from provider.tfx import moves, wire
from provider.tfx.core import UNEXPECTED, Core, Some, Values, unexpected_failure
from provider.tfx.gen import tfplugin6_pb2 as pb
from provider.tfx.schema import ListContext, Listed

__all__ = ["UNEXPECTED", "Servicer"]


_Request = TypeVar("_Request")
_Response = TypeVar("_Response")


def _diagnosed(
    response: Callable[..., _Response],
) -> Callable[[Callable[[Servicer, _Request, object], _Response]], Callable[[Servicer, _Request, object], _Response]]:
    """Turn an unexpected exception in an adapter into an error diagnostic, not a plugin crash."""

    def wrap(
        handler: Callable[[Servicer, _Request, object], _Response],
    ) -> Callable[[Servicer, _Request, object], _Response]:
        @functools.wraps(handler)
        def run(self: Servicer, request: _Request, context: object) -> _Response:
            try:
                return handler(self, request, context)
            except Exception as exc:  # the last line of defence: never a traceback for the user
                return response(diagnostics=wire.diagnostics(unexpected_failure(handler.__name__, exc)))

        return run

    return wrap


def _capabilities() -> pb.ServerCapabilities:
    """What this server supports. Terraform reads the capabilities it acts on (`move_resource_state` for `moved`
    blocks across resource types, `plan_destroy`) from GetProviderSchema; GetMetadata carries them too."""
    return pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True, move_resource_state=True)


def _object(value: pb.DynamicValue) -> Values | None:
    """A DynamicValue that holds an object (a configuration, say), undecoded."""
    raw = wire.read_value(value)
    return raw if isinstance(raw, dict) else None


class Servicer:
    """Serves one provider object (`provider.plugin.OciProvider`, or any `tf.iface.Provider`)."""

    def __init__(self, app: object):
        self.core = Core(app)
        self._schema_response: pb.GetProviderSchema.Response | None = None

    def _resource_diagnostics(self, diags: Diagnostics, type_name: str) -> list[pb.Diagnostic]:
        return wire.diagnostics(diags, self.core.single_blocks(type_name))

    def _identity(self, identity: Values | None) -> pb.ResourceIdentityData | None:
        return None if identity is None else pb.ResourceIdentityData(identity_data=wire.dynamic_value(identity))

    # ------------------------------------------------------------------------ provider

    @_diagnosed(pb.GetMetadata.Response)
    def GetMetadata(self, request: pb.GetMetadata.Request, context: object) -> pb.GetMetadata.Response:
        core = self.core
        return pb.GetMetadata.Response(
            server_capabilities=_capabilities(),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in core.resources()],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t) for t in core.data_sources()],
            list_resources=[pb.GetMetadata.ListResourceMetadata(type_name=t) for t in core.list_resources()],
            actions=[pb.GetMetadata.ActionMetadata(type_name=t) for t in core.actions()],
        )

    @_diagnosed(pb.GetProviderSchema.Response)
    def GetProviderSchema(
        self, request: pb.GetProviderSchema.Request, context: object
    ) -> pb.GetProviderSchema.Response:
        if self._schema_response is None:
            core, diags = self.core, Diagnostics()
            self._schema_response = pb.GetProviderSchema.Response(
                provider=wire.schema(core.provider_schema(diags)),
                provider_meta=pb.Schema(block=pb.Schema.Block()),
                resource_schemas={t: wire.schema(k.get_schema()) for t, k in core.resources().items()},
                data_source_schemas={t: wire.schema(k.get_schema()) for t, k in core.data_sources().items()},
                # Fields Terraform before 1.14 does not know: its protobuf decoder skips them.
                list_resource_schemas={t: wire.schema(k.get_schema()) for t, k in core.list_resources().items()},
                action_schemas={
                    t: pb.ActionSchema(schema=wire.schema(k.get_schema())) for t, k in core.actions().items()
                },
                server_capabilities=_capabilities(),
                diagnostics=wire.diagnostics(diags),
            )
        return self._schema_response

    @_diagnosed(pb.GetFunctions.Response)
    def GetFunctions(self, request: pb.GetFunctions.Request, context: object) -> pb.GetFunctions.Response:
        return pb.GetFunctions.Response()

    @_diagnosed(pb.ValidateProviderConfig.Response)
    def ValidateProviderConfig(
        self, request: pb.ValidateProviderConfig.Request, context: object
    ) -> pb.ValidateProviderConfig.Response:
        diags = self.core.validate_provider(_object(request.config) or {})
        return pb.ValidateProviderConfig.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.ConfigureProvider.Response)
    def ConfigureProvider(
        self, request: pb.ConfigureProvider.Request, context: object
    ) -> pb.ConfigureProvider.Response:
        diags = self.core.configure_provider(_object(request.config) or {})
        return pb.ConfigureProvider.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.StopProvider.Response)
    def StopProvider(self, request: pb.StopProvider.Request, context: object) -> pb.StopProvider.Response:
        self.core.stop()
        return pb.StopProvider.Response()

    # ------------------------------------------------------------------------ actions (Terraform 1.14+)

    @_diagnosed(pb.ValidateActionConfig.Response)
    def ValidateActionConfig(
        self, request: pb.ValidateActionConfig.Request, context: object
    ) -> pb.ValidateActionConfig.Response:
        diags = Diagnostics()
        _, config = wire.decode_state(diags, *self.core.action_maps(request.type_name), request.config)
        if not diags.has_errors():
            diags = self.core.validate_action(request.type_name, config)
        return pb.ValidateActionConfig.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.PlanAction.Response)
    def PlanAction(self, request: pb.PlanAction.Request, context: object) -> pb.PlanAction.Response:
        diags = Diagnostics()
        _, config = wire.decode_state(diags, *self.core.action_maps(request.action_type), request.config)
        if not diags.has_errors():
            self.core.plan_action(diags, request.action_type, config)
        return pb.PlanAction.Response(diagnostics=wire.diagnostics(diags))

    def InvokeAction(self, request: pb.InvokeAction.Request, context: object) -> Iterator[pb.InvokeAction.Event]:
        """A stream: a Progress event per line the action sends, as it sends it, then Completed."""
        diags = Diagnostics()
        try:
            _, config = wire.decode_state(diags, *self.core.action_maps(request.action_type), request.config)
            if not diags.has_errors():
                for message in self.core.invoke_action(diags, request.action_type, config):
                    line = redact_credentials(message) if "@" in message else message
                    yield pb.InvokeAction.Event(progress=pb.InvokeAction.Event.Progress(message=line))
        except Exception as exc:  # as `_diagnosed`: never a traceback for the user
            diags = unexpected_failure("InvokeAction", exc)
        completed = pb.InvokeAction.Event.Completed(diagnostics=wire.diagnostics(diags))
        yield pb.InvokeAction.Event(completed=completed)

    # ------------------------------------------------------------------------ resource identity (Terraform 1.12+)
    # Only Terraform 1.12+ asks for identity schemas; older Terraform skips the identity fields of the answers
    # below, which its protocol version does not have.

    @_diagnosed(pb.GetResourceIdentitySchemas.Response)
    def GetResourceIdentitySchemas(
        self, request: pb.GetResourceIdentitySchemas.Request, context: object
    ) -> pb.GetResourceIdentitySchemas.Response:
        schemas = {
            type_name: pb.ResourceIdentitySchema(
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
            for type_name, identity in self.core.identity_schemas().items()
        }
        return pb.GetResourceIdentitySchemas.Response(identity_schemas=schemas)

    @_diagnosed(pb.UpgradeResourceIdentity.Response)
    def UpgradeResourceIdentity(
        self, request: pb.UpgradeResourceIdentity.Request, context: object
    ) -> pb.UpgradeResourceIdentity.Response:
        # Version 0 is the only one so far: the stored identity is today's.
        raw = json.loads(request.raw_identity.json) if request.raw_identity.json else None
        return pb.UpgradeResourceIdentity.Response(
            upgraded_identity=pb.ResourceIdentityData(identity_data=wire.dynamic_value(raw))
        )

    # ------------------------------------------------------------------------ resources

    @_diagnosed(pb.ValidateResourceConfig.Response)
    def ValidateResourceConfig(
        self, request: pb.ValidateResourceConfig.Request, context: object
    ) -> pb.ValidateResourceConfig.Response:
        # The configuration through the schema's decoders (tf hands it over raw): blocks as dicts.
        diags, type_name = Diagnostics(), request.type_name
        _, config = wire.decode_state(diags, *self.core.resource_maps(type_name), request.config)
        if not diags.has_errors():
            allowed = request.client_capabilities.write_only_attributes_allowed
            diags = self.core.validate_resource(type_name, config, allowed)
        return pb.ValidateResourceConfig.Response(diagnostics=self._resource_diagnostics(diags, type_name))

    @_diagnosed(pb.UpgradeResourceState.Response)
    def UpgradeResourceState(
        self, request: pb.UpgradeResourceState.Request, context: object
    ) -> pb.UpgradeResourceState.Response:
        diags, type_name = Diagnostics(), request.type_name
        attrs, blocks = self.core.resource_maps(type_name)
        stored = json.loads(request.raw_state.json) if request.raw_state.json else None
        state = self.core.upgrade_resource(diags, type_name, request.version, stored)
        # Through the schema's decoders and encoders: blocks and absent attributes take today's form.
        _, decoded = wire.decode_state(diags, attrs, blocks, state or {})
        upgraded = wire.encode_state(attrs, blocks, self.core.complete(type_name, decoded), None)
        return pb.UpgradeResourceState.Response(
            upgraded_state=upgraded, diagnostics=self._resource_diagnostics(diags, type_name)
        )

    @_diagnosed(pb.ReadResource.Response)
    def ReadResource(self, request: pb.ReadResource.Request, context: object) -> pb.ReadResource.Response:
        diags, type_name = Diagnostics(), request.type_name
        attrs, blocks = self.core.resource_maps(type_name)
        current_raw, current = wire.decode_state(diags, attrs, blocks, request.current_state)
        if diags.has_errors() or current is None:
            return pb.ReadResource.Response(
                new_state=request.current_state, diagnostics=self._resource_diagnostics(diags, type_name)
            )
        new_state = self.core.read_resource(diags, type_name, current)
        prior_identity = (
            _object(request.current_identity.identity_data) if request.HasField("current_identity") else None
        )
        return pb.ReadResource.Response(
            new_state=wire.encode_state(attrs, blocks, new_state, current_raw),
            diagnostics=self._resource_diagnostics(diags, type_name),
            new_identity=self._identity(self.core.identity(type_name, new_state, prior_identity)),
        )

    @_diagnosed(pb.PlanResourceChange.Response)
    def PlanResourceChange(
        self, request: pb.PlanResourceChange.Request, context: object
    ) -> pb.PlanResourceChange.Response:
        diags, type_name = Diagnostics(), request.type_name
        attrs, blocks = self.core.resource_maps(type_name)
        _, prior = wire.decode_state(diags, attrs, blocks, request.prior_state)
        proposed_raw, proposed = wire.decode_state(diags, attrs, blocks, request.proposed_new_state)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        if diags.has_errors():
            return pb.PlanResourceChange.Response(diagnostics=self._resource_diagnostics(diags, type_name))
        if proposed is None:  # a destroy plan: nothing to decide
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        plan = self.core.plan_resource(diags, type_name, prior, proposed, config)
        keep_identity = plan.keeps_identity and request.HasField("prior_identity")
        return pb.PlanResourceChange.Response(
            planned_identity=request.prior_identity if keep_identity else None,
            planned_state=wire.encode_state(attrs, blocks, plan.state, proposed_raw),
            requires_replace=[wire.attribute_path(list(p)) for p in plan.requires_replace],
            diagnostics=self._resource_diagnostics(plan.diagnostics, type_name),
        )

    @_diagnosed(pb.ApplyResourceChange.Response)
    def ApplyResourceChange(
        self, request: pb.ApplyResourceChange.Request, context: object
    ) -> pb.ApplyResourceChange.Response:
        diags, type_name = Diagnostics(), request.type_name
        attrs, blocks = self.core.resource_maps(type_name)
        _, prior = wire.decode_state(diags, attrs, blocks, request.prior_state)
        planned_raw, planned = wire.decode_state(diags, attrs, blocks, request.planned_state)
        _, config = wire.decode_state(diags, attrs, blocks, request.config)
        if diags.has_errors():
            return pb.ApplyResourceChange.Response(
                new_state=request.prior_state, diagnostics=self._resource_diagnostics(diags, type_name)
            )
        applied = self.core.apply_resource(type_name, prior, planned, config)
        if not applied.written:  # refused before any write: Terraform keeps what it had
            return pb.ApplyResourceChange.Response(
                new_state=request.prior_state, diagnostics=self._resource_diagnostics(applied.diagnostics, type_name)
            )
        planned_identity = (
            _object(request.planned_identity.identity_data) if request.HasField("planned_identity") else None
        )
        identity = self.core.applied_identity(applied.diagnostics, type_name, applied.state, planned_identity)
        return pb.ApplyResourceChange.Response(
            new_state=wire.encode_state(attrs, blocks, applied.state, planned_raw),
            diagnostics=self._resource_diagnostics(applied.diagnostics, type_name),
            new_identity=self._identity(identity),
        )

    @_diagnosed(pb.ImportResourceState.Response)
    def ImportResourceState(
        self, request: pb.ImportResourceState.Request, context: object
    ) -> pb.ImportResourceState.Response:
        diags, type_name = Diagnostics(), request.type_name
        given = request.id
        if not given and request.HasField("identity"):  # `import { identity = { name = "charts" } }`
            identity = _object(request.identity.identity_data) or {}
            given = next((str(identity[n]) for n in ("uid", "name") if identity.get(n)), "")
        state = self.core.import_resource(diags, type_name, given)
        imported = []
        if state is not None:
            encoded = wire.encode_state(*self.core.resource_maps(type_name), state, None)
            imported.append(
                pb.ImportResourceState.ImportedResource(
                    type_name=type_name, state=encoded, identity=self._identity(self.core.identity(type_name, state))
                )
            )
        return pb.ImportResourceState.Response(
            imported_resources=imported, diagnostics=self._resource_diagnostics(diags, type_name)
        )

    @_diagnosed(pb.MoveResourceState.Response)
    def MoveResourceState(
        self, request: pb.MoveResourceState.Request, context: object
    ) -> pb.MoveResourceState.Response:
        """A `moved` block from another resource type or provider (Terraform 1.8+): `provider.tfx.moves`."""
        diags, type_name = Diagnostics(), request.target_type_name
        source = moves.decode_source(
            diags,
            request.source_provider_address,
            request.source_type_name,
            request.source_schema_version,
            request.source_state.json,
        )
        state = self.core.move_resource(diags, type_name, source) if source is not None else None
        if state is None:
            return pb.MoveResourceState.Response(diagnostics=self._resource_diagnostics(diags, type_name))
        return pb.MoveResourceState.Response(
            target_state=wire.encode_state(*self.core.resource_maps(type_name), state, None),
            target_identity=self._identity(self.core.identity(type_name, state)),
            diagnostics=self._resource_diagnostics(diags, type_name),
        )

    # ------------------------------------------------------------------------ list resources (Terraform 1.14+)
    # `terraform query` over `list` blocks in `.tfquery.hcl` files. Terraform wraps the schema a list resource
    # declares into the list block's `config` block itself, sends only that block's value, and asks for whole
    # resource objects when the block says `include_resource = true`, and always for `-generate-config-out`.

    @_diagnosed(pb.ValidateListResourceConfig.Response)
    def ValidateListResourceConfig(
        self, request: pb.ValidateListResourceConfig.Request, context: object
    ) -> pb.ValidateListResourceConfig.Response:
        diags = Diagnostics()
        _, config = wire.decode_state(diags, *self.core.list_maps(request.type_name), request.config)
        if not diags.has_errors():
            diags = self.core.validate_list_resource(request.type_name, config)
        return pb.ValidateListResourceConfig.Response(diagnostics=wire.diagnostics(diags))

    def ListResource(self, request: pb.ListResource.Request, context: object) -> Iterator[pb.ListResource.Event]:
        """A stream of events, one per object. Diagnostics ride on the next event, or on one of their own at
        the end (Terraform skips an event without identity that carries only warnings, and stops at an error).
        An unexpected exception is an error event, never a broken stream."""
        try:
            yield from self._list_events(request)
        except Exception as exc:
            yield pb.ListResource.Event(diagnostic=wire.diagnostics(unexpected_failure("ListResource", exc)))

    def _list_events(self, request: pb.ListResource.Request) -> Iterator[pb.ListResource.Event]:
        diags, type_name = Diagnostics(), request.type_name
        _, config = wire.decode_state(diags, *self.core.list_maps(type_name), request.config)
        limit = request.limit if request.limit > 0 else None
        ctx = ListContext(diags, type_name, include_resource=request.include_resource_object, limit=limit)
        sent = 0
        if not diags.has_errors():
            for count, listed in enumerate(self.core.list(ctx, config), 1):
                event = self._list_event(type_name, listed, ctx.include_resource)
                event.diagnostic.extend(wire.diagnostics(Some(diags.diagnostics[sent:])))
                sent = len(diags.diagnostics)
                yield event
                if diags.has_errors() or (limit is not None and count >= limit):
                    return
        if len(diags.diagnostics) > sent:
            yield pb.ListResource.Event(diagnostic=wire.diagnostics(Some(diags.diagnostics[sent:])))

    def _list_event(self, type_name: str, listed: Listed, include_resource: bool) -> pb.ListResource.Event:
        """One object: its identity, its display name, and with `include_resource` the object as
        ImportResourceState answers it (complete, write-only attributes null)."""
        event = pb.ListResource.Event(
            identity=self._identity(self.core.identity(type_name, listed.values)), display_name=listed.display_name
        )
        if include_resource:
            state = self.core.complete(type_name, listed.values)
            event.resource_object.CopyFrom(wire.encode_state(*self.core.resource_maps(type_name), state, None))
        return event

    # ------------------------------------------------------------------------ data sources

    @_diagnosed(pb.ValidateDataResourceConfig.Response)
    def ValidateDataResourceConfig(
        self, request: pb.ValidateDataResourceConfig.Request, context: object
    ) -> pb.ValidateDataResourceConfig.Response:
        diags = Diagnostics()
        _, config = wire.decode_state(diags, *self.core.data_source_maps(request.type_name), request.config)
        if not diags.has_errors():
            diags = self.core.validate_data_source(request.type_name, config)
        return pb.ValidateDataResourceConfig.Response(diagnostics=wire.diagnostics(diags))

    @_diagnosed(pb.ReadDataSource.Response)
    def ReadDataSource(self, request: pb.ReadDataSource.Request, context: object) -> pb.ReadDataSource.Response:
        diags, type_name = Diagnostics(), request.type_name
        attrs, blocks = self.core.data_source_maps(type_name)
        _, config = wire.decode_state(diags, attrs, blocks, _object(request.config) or {})
        if diags.has_errors():
            return pb.ReadDataSource.Response(diagnostics=wire.diagnostics(diags))
        state = self.core.read_data_source(diags, type_name, config)
        return pb.ReadDataSource.Response(
            state=wire.encode_state(attrs, blocks, state, None), diagnostics=wire.diagnostics(diags)
        )
