"""Our extensions of the `tf` framework (pinned at tf==1.2.0), documented in one place.

`tf` maps Terraform's plugin protocol onto a small Python interface. Where it falls short for a
first-class provider, this module fills the gap, and nothing else in the project touches `tf`'s
internals:

1. No single nested blocks (``basic_auth { ... }``): `SingleNestedBlock`.
2. No object type for attributes (lists of objects in data sources): `Object`.
3. `plan()` is not called when a resource is created, nested-block changes are missing from
   `changed_fields`, and replacement can only be declared statically. `Servicer.PlanResourceChange`
   calls `plan()` for creates and updates alike with a `PlanContext` that carries the
   configuration, every changed attribute or block, and a `requires_replace` list the resource
   may extend (Palette cannot turn sync off, so `auto_sync` true -> false replaces).
   Destroy plans (Terraform >= 1.3 sends them) are answered instead of refused.
4. Terraform rejects a returned state that lacks an attribute: every state we return is completed
   with nulls (`complete_state`).
5. The default `upgrade()` warns on every plan: `UpgradeResourceState` calls `upgrade()` only for
   states written by an older schema version, and our resources upgrade without a warning.
6. An exception in a handler reaches the user as "Plugin error" with a Python traceback: every RPC
   turns an unexpected exception into an error diagnostic (the traceback goes to the log only).
7. Data source results are sent without passing through the schema's encoders: we encode them.
   Terraform >= 1.6 sends *refined* unknowns (msgpack extension 12, e.g. for `"reg-${count.index}"`),
   which tf passes on as raw extension objects: `msgpack_ext_hook` decodes them as `Unknown`.
8. Serving: `serve()` replaces `tf.runner.run_provider` (which cannot take our servicer but by
   patching tf) with the same go-plugin wire behaviour, built from tf's generated gRPC code, minus
   work Terraform waits for at every one of the 3-5 starts per command:
   - tf reads its cached certificate back through `cryptography.x509` to check its expiry (an
     import that costs as much as grpc's) and makes an RSA key when the cache is cold; we cache
     the expiry beside the PEMs (`plugin_certificate()`, ~/.cache/terraform-provider-oci) and make
     a P-256 key when needed, so a start imports no cryptography at all.
   - tf polls for shutdown every 50 ms and stops its server before Shutdown is answered (Terraform
     sees a cancelled call); we answer Shutdown, finish the calls still running, then return, and
     the entry point ends the process without the interpreter's teardown of grpc (~60 ms).
   - tf ends the server on StopProvider and on Ctrl-C, losing the answers of operations in flight
     (a registry Palette created but the state never records); we answer StopProvider and keep
     serving, and ignore SIGINT as go-plugin servers do: Terraform decides when we stop.
     StopProvider calls the provider's `stop()` when it has one, so long waits (`wait_for_sync`)
     end early and return what they have.
   - gRPC's default 4 MiB message limit refuses a plan holding a few megabytes of CA bundle; we
     allow 256 MiB each way, as go-plugin does for Go providers.
   - A go-plugin server ends when Terraform does; tf's keeps running (~60 MB) after Terraform is
     killed. A daemon thread watches the parent process id and shuts the server down when it
     changes (the process was re-parented: Terraform is gone).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent import futures
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from tf.iface import PlanContext as _TfPlanContext
from tf.schema import Attribute, Block, NestedBlock, NestMode
from tf.types import TfType, Unknown

log = logging.getLogger("provider.tfx")

AttributePath = list[str]


@dataclass
class PlanContext(_TfPlanContext):
    """What `plan()` sees: tf's context plus the configuration and a replacement list to extend."""

    config: dict[str, Any] | None = None
    requires_replace: list[AttributePath] = field(default_factory=list)


class SingleNestedBlock(NestedBlock):
    """A block that appears at most once (``tls { ... }``); in Python its value is a dict or None.

    On the wire it is a list of at most one object (nesting mode LIST, max_items 1), as Go SDK
    providers declare such blocks: Terraform 1.0's plan renderer crashes on a sensitive value inside a
    block of nesting mode SINGLE ("value is marked, so must be unmarked first"). Diagnostics that
    point into such a block get the element index Terraform then needs (`_point_into_blocks`).
    """

    def __init__(self, type_name: str, block: Block):
        super().__init__(type_name, NestMode.Single, block, max_items=1)

    def to_pb(self) -> Any:
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
        return [] if value is None else [_encode_object(self._amap(), self._bmap(), value)]

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):  # the wire form; a bare object is accepted too
            value = value[0] if value else None
        if value is None or value is Unknown:
            return value
        return _decode_object(self._amap(), self._bmap(), value)

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        if a_decoded is None or b_decoded is None or a_decoded is Unknown or b_decoded is Unknown:
            return a_decoded is b_decoded
        return _objects_equal(self._amap(), self._bmap(), a_decoded, b_decoded)


def _point_into_blocks(response: Any, single_blocks: set[str]) -> Any:
    """Diagnostics name attributes as ("basic_auth", "password"); on the wire such a block is a list,
    so Terraform finds the attribute's line only at ("basic_auth", [0], "password")."""
    from tf.gen import tfplugin_pb2 as pb

    for diagnostic in getattr(response, "diagnostics", ()):
        steps = list(diagnostic.attribute.steps)
        if len(steps) > 1 and steps[0].attribute_name in single_blocks and steps[1].attribute_name:
            del diagnostic.attribute.steps[:]
            diagnostic.attribute.steps.extend([steps[0], pb.AttributePath.Step(element_key_int=0), *steps[1:]])
    return response


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


Obj = dict[str, Any]  # a decoded object value: attribute and block names to values


def _encode_object(attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], value: Obj) -> Obj:
    return _convert_object(attrs, blocks, value, "encode")


def _decode_object(attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], value: Obj) -> Obj:
    return _convert_object(attrs, blocks, value, "decode")


def _convert_object(attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], value: Obj, how: str) -> Obj:
    """Every attribute and block of `value` through its type's `encode` or `decode`; unknowns pass as they are."""
    converters = {name: getattr(attr.type, how) for name, attr in attrs.items()}
    converters.update({name: getattr(block, how) for name, block in blocks.items()})
    return {
        name: value.get(name) if value.get(name) is Unknown else convert(value.get(name))
        for name, convert in converters.items()
    }


def _objects_equal(attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], a: Obj, b: Obj) -> bool:
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


def complete_state(attrs: dict[str, Attribute], blocks: dict[str, NestedBlock], state: Obj | None) -> Obj | None:
    """Every attribute and block present, absent ones null: Terraform rejects partial objects."""
    if state is None:
        return None
    full = {name: state.get(name) for name in attrs}
    full.update({name: state.get(name) for name in blocks})
    return full


_Handler = TypeVar("_Handler", bound=Callable[..., Any])


_RESOURCE_RPCS = (
    "ValidateResourceConfig",
    "PlanResourceChange",
    "ApplyResourceChange",
    "ReadResource",
    "ImportResourceState",
)


def _redact_diagnostics(response: Any) -> Any:
    """Every diagnostic's summary and detail through the provider's one redaction of
    credential-shaped text (`provider.redaction`): the last line of defence, whatever produced it."""
    from provider.redaction import redact_credentials

    for diagnostic in getattr(response, "diagnostics", ()):
        for name in ("summary", "detail"):
            text = getattr(diagnostic, name)
            if text and "@" in text:
                setattr(diagnostic, name, redact_credentials(text))
    return response


def _diagnosed(response_name: str) -> Callable[[_Handler], _Handler]:
    """Turn an unexpected exception in an RPC handler into an error diagnostic, not a plugin crash;
    redact credential-shaped text in every diagnostic of the answer."""

    def wrap(handler: _Handler) -> _Handler:
        @functools.wraps(handler)
        def run(self: Any, request: Any, context: Any) -> Any:
            try:
                response = handler(self, request, context)
                if response_name in _RESOURCE_RPCS:
                    blocks = self._get_res_blocks(request.type_name)
                    _point_into_blocks(response, {n for n, b in blocks.items() if isinstance(b, SingleNestedBlock)})
                return _redact_diagnostics(response)
            except Exception as exc:  # the last line of defence: never a traceback for the user
                from tf.gen import tfplugin_pb2 as pb
                from tf.utils import Diagnostics

                log.exception("unexpected error in %s", response_name)
                diags = Diagnostics().add_error(
                    "Internal error in terraform-provider-oci",
                    f"{type(exc).__name__}: {exc}. This is a bug in the provider; "
                    "please report it with the output of TF_LOG=debug.",
                )
                return _redact_diagnostics(getattr(pb, response_name).Response(diagnostics=diags.to_pb()))

        return run  # type: ignore[return-value]

    return wrap


# msgpack extension codes in the values Terraform sends: 0 is an unknown value; 12 an unknown with
# refinements (Terraform >= 1.6 knows e.g. that `"reg-${count.index}"` starts with "reg-").
_UNKNOWN_EXT_CODES = (0, 12)


def msgpack_ext_hook(code: int, data: bytes) -> Any:
    """Decode Terraform's msgpack extensions: both kinds of unknown become `Unknown` (refinements are
    dropped: a rule treats a refined unknown like any other unknown and checks the value at apply)."""
    if code in _UNKNOWN_EXT_CODES:
        return Unknown
    from msgpack import ExtType

    return ExtType(code, data)


def _servicer_class() -> type:
    """Build the servicer lazily: grpc and the generated protobuf code load only when serving."""
    import tf.utils
    from tf.gen import tfplugin_pb2 as pb
    from tf.iface import ImportContext, ReadDataContext, UpgradeContext, is_importable
    from tf.provider import ProviderServicer, _decode_state, _encode_state
    from tf.utils import Diagnostics, _to_attribute_path, read_dynamic_value

    tf.utils._msgpack_ext_hook = msgpack_ext_hook  # read_dynamic_value looks the hook up at each call

    class Servicer(ProviderServicer):
        """tf's servicer with the gaps of this module's docstring closed."""

        def _schema_maps(self, type_name: str) -> tuple[dict[str, Attribute], dict[str, NestedBlock]]:
            return self._get_res_attrs(type_name), self._get_res_blocks(type_name)

        @_diagnosed("ValidateResourceConfig")
        def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
            # The configuration through the schema's decoders (tf hands it over raw): blocks as dicts.
            diags = Diagnostics()
            attrs, blocks = self._schema_maps(request.type_name)
            _, config = _decode_state(diags, attrs, blocks, request.config)
            if not diags.has_errors():
                inst = self.app.new_resource(self._get_res_cls(request.type_name))
                inst.validate(diags, request.type_name, config or {})
            return pb.ValidateResourceConfig.Response(diagnostics=diags.to_pb())

        @_diagnosed("ValidateDataResourceConfig")
        def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
            return super().ValidateDataResourceConfig(request, context)

        @_diagnosed("ValidateProviderConfig")
        def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
            return super().ValidateProviderConfig(request, context)

        @_diagnosed("ConfigureProvider")
        def ConfigureProvider(self, request: Any, context: Any) -> Any:
            return super().ConfigureProvider(request, context)

        @_diagnosed("UpgradeResourceState")
        def UpgradeResourceState(self, request: Any, context: Any) -> Any:
            import json

            diags = Diagnostics()
            klass = self._get_res_cls(request.type_name)
            attrs, blocks = self._schema_maps(request.type_name)
            state = json.loads(request.raw_state.json) if request.raw_state.json else None
            if state is not None and request.version < (klass.get_schema().version or 0):
                inst = self.app.new_resource(klass)
                state = inst.upgrade(UpgradeContext(diags, request.type_name), request.version, state)
            # Through the schema's decoders and encoders: blocks and absent attributes take today's form.
            _, decoded = _decode_state(diags, attrs, blocks, state or {})
            upgraded = _encode_state(attrs, blocks, complete_state(attrs, blocks, decoded), None)
            return pb.UpgradeResourceState.Response(upgraded_state=upgraded, diagnostics=diags.to_pb())

        @_diagnosed("ReadResource")
        def ReadResource(self, request: Any, context: Any) -> Any:
            diags = Diagnostics()
            attrs, blocks = self._schema_maps(request.type_name)
            current_enc, current = _decode_state(diags, attrs, blocks, request.current_state)
            if diags.has_errors() or current is None:
                return pb.ReadResource.Response(new_state=request.current_state, diagnostics=diags.to_pb())
            from tf.iface import ReadContext

            inst = self.app.new_resource(self._get_res_cls(request.type_name))
            new_state = complete_state(attrs, blocks, inst.read(ReadContext(diags, request.type_name), current))
            return pb.ReadResource.Response(
                new_state=_encode_state(attrs, blocks, new_state, current_enc), diagnostics=diags.to_pb()
            )

        @_diagnosed("PlanResourceChange")
        def PlanResourceChange(self, request: Any, context: Any) -> Any:
            diags = Diagnostics()
            type_name = request.type_name
            attrs, blocks = self._schema_maps(type_name)
            _, prior = _decode_state(diags, attrs, blocks, request.prior_state)
            proposed_enc, proposed = _decode_state(diags, attrs, blocks, request.proposed_new_state)
            _, config = _decode_state(diags, attrs, blocks, request.config)
            if diags.has_errors():
                return pb.PlanResourceChange.Response(diagnostics=diags.to_pb())
            if proposed is None:  # a destroy plan: nothing to decide
                return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)

            schema_items: dict[str, Attribute | NestedBlock] = {**attrs, **blocks}
            if prior is None:
                changed = {k for k, v in proposed.items() if v is not None}
                replace: list[AttributePath] = []
                planned = {k: _unknown_if_unset(attrs.get(k), v) for k, v in proposed.items()}
            else:
                planned = {**deepcopy(proposed), **_blocks_from_config(blocks, config or {})}
                changed = {
                    k for k, item in schema_items.items() if not values_equal(item, prior.get(k), planned.get(k))
                }
                replace = [[k] for k in sorted(changed) if k in attrs and attrs[k].requires_replace]

            ctx = PlanContext(
                diags,
                type_name,
                changed_fields=changed,
                config=config,
                requires_replace=replace,
            )
            inst = self.app.new_resource(self._get_res_cls(type_name))
            result = complete_state(attrs, blocks, inst.plan(ctx, deepcopy(prior), planned))
            return pb.PlanResourceChange.Response(
                planned_state=_encode_state(attrs, blocks, result, proposed_enc),
                requires_replace=[_to_attribute_path(list(p)) for p in ctx.requires_replace],
                diagnostics=diags.to_pb(),
            )

        @_diagnosed("ApplyResourceChange")
        def ApplyResourceChange(self, request: Any, context: Any) -> Any:
            from tf.iface import CreateContext, DeleteContext, UpdateContext

            diags = Diagnostics()
            type_name = request.type_name
            attrs, blocks = self._schema_maps(type_name)
            _, prior = _decode_state(diags, attrs, blocks, request.prior_state)
            planned_enc, planned = _decode_state(diags, attrs, blocks, request.planned_state)
            if diags.has_errors():
                return pb.ApplyResourceChange.Response(new_state=request.prior_state, diagnostics=diags.to_pb())
            inst = self.app.new_resource(self._get_res_cls(type_name))
            if planned is None:
                new_state = inst.delete(DeleteContext(diags, type_name), prior) if prior is not None else None
            elif prior is None:
                new_state = inst.create(CreateContext(diags, type_name), planned)
            else:
                new_state = inst.update(UpdateContext(diags, type_name), prior, planned)
            new_state = complete_state(attrs, blocks, new_state)
            return pb.ApplyResourceChange.Response(
                new_state=_encode_state(attrs, blocks, new_state, planned_enc), diagnostics=diags.to_pb()
            )

        @_diagnosed("ImportResourceState")
        def ImportResourceState(self, request: Any, context: Any) -> Any:
            diags = Diagnostics()
            type_name = request.type_name
            klass = self._get_res_cls(type_name)
            if not is_importable(klass):
                diags.add_error(f"{type_name} cannot be imported")
                return pb.ImportResourceState.Response(diagnostics=diags.to_pb())
            attrs, blocks = self._schema_maps(type_name)
            state = self.app.new_resource(klass).import_(ImportContext(diags, type_name), request.id)
            imported = []
            if state is not None and not diags.has_errors():
                encoded = _encode_state(attrs, blocks, complete_state(attrs, blocks, state), None)
                imported.append(pb.ImportResourceState.ImportedResource(type_name=type_name, state=encoded))
            return pb.ImportResourceState.Response(imported_resources=imported, diagnostics=diags.to_pb())

        @_diagnosed("ReadDataSource")
        def ReadDataSource(self, request: Any, context: Any) -> Any:
            diags = Diagnostics()
            klass = self._get_ds_cls(request.type_name)
            schema = klass.get_schema()
            attrs = {a.name: a for a in schema.attributes}
            blocks = {b.type_name: b for b in schema.block_types}
            _, config = _decode_state(diags, attrs, blocks, read_dynamic_value(request.config) or {})
            if diags.has_errors():
                return pb.ReadDataSource.Response(diagnostics=diags.to_pb())
            state = self.app.new_data_source(klass).read(ReadDataContext(diags, request.type_name), config)
            if state is None:  # on error, echo the configuration: Terraform needs an object
                state = config
            state = complete_state(attrs, blocks, state)
            return pb.ReadDataSource.Response(
                state=_encode_state(attrs, blocks, state, None), diagnostics=diags.to_pb()
            )

        def StopProvider(self, request: Any, context: Any) -> Any:
            # Terraform's Ctrl-C: operations in flight should end soon. We keep serving (their answers
            # carry the state); a provider with `stop()` cuts its long waits short.
            stop = getattr(self.app, "stop", None)
            if callable(stop):
                stop()
            return pb.StopProvider.Response()

    return Servicer


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


# ---------------------------------------------------------------------------------------------
# Serving (docstring item 8)
# ---------------------------------------------------------------------------------------------

# Terraform runs up to 10 operations at once (-parallelism); tf's runner has as many workers.
_WORKERS = 10
# go-plugin's limits for Go providers (math.MaxInt32 on the client; 256 MiB is what a plan can use).
_MAX_MESSAGE_BYTES = 256 << 20
_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
]
# How often the watchdog looks whether Terraform (the parent process) is still there.
_PARENT_POLL = 1.0
# How long Shutdown waits for calls still running (its own answer among them) before ending them.
_SHUTDOWN_GRACE = 2.0
# The plugin's TLS certificate: Terraform trusts exactly the one in the handshake line, so a
# certificate reused for its lifetime is as good as a new one, and costs nothing at start-up.
_CERTIFICATE_DAYS = 30
_RENEW_WITHIN = 86400.0


class PluginCertificate(NamedTuple):
    cert_pem: str
    key_pem: str
    der_b64: str  # as the handshake line carries it: base64 DER without padding
    not_after: float  # seconds since the epoch


def serve(provider: Any, watch: Callable[[threading.Event, Callable[[], None] | None], None] | None = None) -> None:
    """Serve `provider` to Terraform (go-plugin over gRPC, TLS, a unix socket) until Terraform's Shutdown.

    `watch(shutdown, stop)` starts what ends serving when Terraform is gone: by default the parent
    watchdog below; a launch forked by the warm server (`provider.warm`) watches its launcher instead."""
    import signal
    import tempfile

    import grpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    # Ctrl-C reaches every process of the terminal's group; like go-plugin's servers we leave it to
    # Terraform, which asks running operations to stop (StopProvider) and ends us with Shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    certificate = plugin_certificate()
    shutdown = threading.Event()
    (watch or _watch_parent)(shutdown, getattr(provider, "stop", None))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=_WORKERS), options=_GRPC_OPTIONS)
    rpc.add_ProviderServicer_to_server(_servicer_class()(provider), server)
    _add_go_plugin_services(server, shutdown)
    with tempfile.TemporaryDirectory(prefix="terraform-provider-oci-") as directory:
        socket = os.path.join(directory, "plugin.sock")
        credentials = grpc.ssl_server_credentials([(certificate.key_pem.encode(), certificate.cert_pem.encode())])
        server.add_secure_port(f"unix:{socket}", credentials)
        server.start()
        # go-plugin's handshake: core protocol 1, plugin protocol 6, where, how, and the certificate.
        print(f"1|6|unix|{socket}|grpc|{certificate.der_b64}", flush=True)
        shutdown.wait()
        server.stop(grace=_SHUTDOWN_GRACE).wait()


def _watch_parent(shutdown: threading.Event, stop: Callable[[], None] | None) -> None:
    """End serving when Terraform is gone: our parent process id changes when it dies (we are
    re-parented to init or a subreaper). A thread that sleeps between checks costs nothing at start-up."""
    parent = os.getppid()

    def watch() -> None:
        while not shutdown.wait(_PARENT_POLL):
            if os.getppid() != parent:
                log.warning("Terraform (process %d) is gone; the provider stops", parent)
                if stop is not None:
                    stop()
                shutdown.set()
                return

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def serve_with_tf_runner(provider: Any) -> None:
    """tf's own runner with our servicer, for its debugging flags (`--dev`: Terraform reattaches)."""
    import tf.provider
    from tf.runner import run_provider

    # tf's runner builds `tf.provider.ProviderServicer` by name when it starts; we hand it ours.
    tf.provider.ProviderServicer = _servicer_class()
    run_provider(provider)


def _add_go_plugin_services(server: Any, shutdown: threading.Event) -> None:
    """go-plugin's controller (Shutdown sets `shutdown`) and stdio services, as tf's runner has them."""
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request: Any, context: Any) -> Any:
            shutdown.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter(())  # our output goes to stderr, which go-plugin reads directly

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)


def plugin_certificate(cache: Path | None = None) -> PluginCertificate:
    """The plugin's TLS certificate from the user's cache; a new one (stored there) when absent or expiring."""
    path = cache or _certificate_cache()
    try:
        cached = PluginCertificate(**json.loads(path.read_text()))
        if cached.not_after - time.time() > _RENEW_WITHIN and cached.der_b64:
            return cached
    except (OSError, ValueError, TypeError):
        pass  # absent, unreadable or not ours: make a new one
    fresh = _new_certificate()
    _store_certificate(path, fresh)
    return fresh


def _certificate_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "terraform-provider-oci" / "plugin-tls.json"


def _new_certificate() -> PluginCertificate:
    """A self-signed certificate for "localhost" on a P-256 key (a millisecond; RSA takes far longer)."""
    import base64
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    not_after = now + timedelta(days=_CERTIFICATE_DAYS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PluginCertificate(
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem=key_pem.decode(),
        der_b64=base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode().rstrip("="),
        not_after=not_after.timestamp(),
    )


def _store_certificate(path: Path, certificate: PluginCertificate) -> None:
    """Write atomically, readable by the user alone; a cache that cannot be written is only slower."""
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".plugin-tls-")  # mode 0600
        with os.fdopen(handle, "w") as out:
            json.dump(certificate._asdict(), out)
        os.replace(partial, path)
    except OSError as exc:
        log.debug("plugin certificate not cached at %s: %s", path, exc)
