"""Serving the provider to Terraform: go-plugin over gRPC, TLS and a unix socket (package docstring, item 8).

Stdlib only at the top: grpc, the generated messages and the servicer load inside `serve`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Any

from provider.tfx.certificate import plugin_certificate

log = logging.getLogger("provider.tfx")

# Terraform runs up to 10 operations at once (-parallelism); as many workers serve them.
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
# gRPC's name of the service Terraform calls, whatever package our generated messages live in.
SERVICE_NAME = "tfplugin6.Provider"


def serve(
    provider: Any,
    *,
    debug: bool = False,
    watch: Callable[[threading.Event, Callable[[], None] | None], None] | None = None,
) -> None:
    """Serve `provider` to Terraform until Terraform's Shutdown.

    With `debug` (the `--dev` flag: a person starts the provider, under a debugger say) the server
    listens without TLS and prints the TF_REATTACH_PROVIDERS setting that makes Terraform use it.
    `watch(shutdown, stop)` starts what ends serving when Terraform is gone: by default the parent
    watchdog below; a launch forked by the warm server (`provider.launch.warm`) watches its launcher instead."""
    import signal
    import tempfile

    import grpc

    from provider.tfx.servicer import Servicer

    # Ctrl-C reaches every process of the terminal's group; like go-plugin's servers we leave it to
    # Terraform, which asks running operations to stop (StopProvider) and ends us with Shutdown.
    if not debug:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    shutdown = threading.Event()
    if not debug:
        (watch or _watch_parent)(shutdown, getattr(provider, "stop", None))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=_WORKERS), options=_GRPC_OPTIONS)
    server.add_generic_rpc_handlers((provider_handler(Servicer(provider)), *_go_plugin_handlers(shutdown)))
    with tempfile.TemporaryDirectory(prefix="terraform-provider-oci-") as directory:
        socket = os.path.join(directory, "plugin.sock")
        if debug:
            server.add_insecure_port(f"unix:{socket}")
            server.start()
            print(f"export TF_REATTACH_PROVIDERS='{_reattach(provider, socket)}'", flush=True)
        else:
            certificate = plugin_certificate()
            credentials = grpc.ssl_server_credentials([(certificate.key_pem.encode(), certificate.cert_pem.encode())])
            server.add_secure_port(f"unix:{socket}", credentials)
            server.start()
            # go-plugin's handshake: core protocol 1, plugin protocol 6, where, how, and the certificate.
            print(f"1|6|unix|{socket}|grpc|{certificate.der_b64}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # only in debug mode does Ctrl-C reach us
            shutdown.wait()
        server.stop(grace=_SHUTDOWN_GRACE).wait()


def _reattach(provider: Any, socket: str) -> str:
    import json

    return json.dumps(
        {
            provider.full_name(): {
                "Protocol": "grpc",
                "ProtocolVersion": 6,
                "Pid": os.getpid(),
                "Test": True,
                "Addr": {"Network": "unix", "String": socket},
            }
        }
    )


def provider_handler(servicer: Any) -> Any:
    """Every RPC of our protocol definition that `servicer` implements, under `SERVICE_NAME`; Terraform gets
    gRPC's Unimplemented for the others (as it does from Go providers that predate an RPC)."""
    import grpc
    from google.protobuf.message_factory import GetMessageClass

    from provider.tfx.gen import tfplugin6_pb2 as pb

    handlers = {}
    for method in pb.DESCRIPTOR.services_by_name["Provider"].methods:
        implementation = getattr(servicer, method.name, None)
        if implementation is None:
            continue
        request, response = GetMessageClass(method.input_type), GetMessageClass(method.output_type)
        make = grpc.unary_stream_rpc_method_handler if method.server_streaming else grpc.unary_unary_rpc_method_handler
        handlers[method.name] = make(
            implementation, request_deserializer=request.FromString, response_serializer=response.SerializeToString
        )
    return grpc.method_handlers_generic_handler(SERVICE_NAME, handlers)


def _go_plugin_handlers(shutdown: threading.Event) -> list[Any]:
    """go-plugin's controller (its Shutdown sets `shutdown`) and stdio services. Both carry only
    `google.protobuf.Empty` one way or the other: no generated code is needed for them."""
    import grpc

    def shutdown_now(request: bytes, context: Any) -> bytes:
        shutdown.set()
        return b""

    def no_stdio(request: bytes, context: Any) -> Any:
        return iter(())  # our output goes to stderr, which go-plugin reads directly

    def raw(data: bytes) -> bytes:
        return data

    controller = grpc.unary_unary_rpc_method_handler(shutdown_now, request_deserializer=raw, response_serializer=raw)
    stdio = grpc.unary_stream_rpc_method_handler(no_stdio, request_deserializer=raw, response_serializer=raw)
    return [
        grpc.method_handlers_generic_handler("plugin.GRPCController", {"Shutdown": controller}),
        grpc.method_handlers_generic_handler("plugin.GRPCStdio", {"StreamStdio": stdio}),
    ]


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
