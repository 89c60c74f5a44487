"""The provider served in-process: `Servicer` fed with protobuf requests as Terraform sends them, its
Palette client answered by the emulator's ASGI app on the same thread. No ports, no Terraform process.

- `AsgiTransport`: a synchronous httpx transport that runs an ASGI app on its own event loop, in the
  calling thread (httpx's `ASGITransport` is async only). The emulator's handlers still run in
  Starlette's worker threads, as they do under uvicorn.
- `InProcessPalette`: the emulator (`create_app`) with its state: the store and the request log, so a
  test can say "nothing was written to Palette".
- `InProcessProvider`: `OciProvider(transport=...)` (the test seam: `PaletteClient(transport=)`) behind a
  `Servicer`, configured as Terraform configures it, with one method per RPC a resource's life uses.
  Values go in and come out as Terraform's wire values (msgpack: blocks as lists, `Unknown` for an
  unknown), so a test checks what Terraform would check.

The RPC methods are the Servicer's public boundary (protobuf in, protobuf out), which survives any
refactoring behind it.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgpack
from tf.types import Unknown

from palette_emulator.app import EmulatorState, create_app
from palette_emulator.config import EmulatorConfig
from provider.plugin import OciProvider
from provider.settings import SETTINGS
from provider.tfx import wire
from provider.tfx.gen import tfplugin6_pb2 as pb
from provider.tfx.servicer import UNEXPECTED, Servicer

API_KEY = "inprocess-api-key"
# Never dialled: every request goes through the transport. Loopback, so plain http is allowed.
HOST = "http://127.0.0.1:9"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AsgiTransport(httpx.BaseTransport):
    """Serve httpx requests with an ASGI app, synchronously, on one event loop of its own."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()  # one request at a time: the loop is not thread-safe

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            return self._loop.run_until_complete(self._handle(request))

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    def close(self) -> None:
        self._loop.close()


class InProcessPalette:
    """The emulator's app and state: `validate="accept"` (no registry is contacted), syncs end at once."""

    def __init__(self, **config: Any) -> None:
        options: dict[str, Any] = {"api_keys": (API_KEY,), "validate": "accept", "sync_delay": 0.0, **config}
        app, self.state = create_app(EmulatorConfig(**options))
        self.transport = AsgiTransport(app)

    @property
    def emulator(self) -> EmulatorState:
        return self.state

    def requests(self) -> list[dict[str, Any]]:
        return self.state.requests.items()

    def writes(self) -> list[str]:
        """Requests that may change what Palette holds (a validate POST stores nothing)."""
        return [
            f"{r['method']} {r['path']}"
            for r in self.requests()
            if r["method"] in WRITE_METHODS and not r["path"].endswith("/validate")
        ]

    def registries(self) -> list[Any]:
        return self.state.store.all()

    def reset(self) -> None:
        self.state.store.delete_all()
        self.state.requests.clear()

    def close(self) -> None:
        self.state.registries.close()
        self.state.store.close()
        self.transport.close()


# ------------------------------------------------------------------------------------------ wire values


def pack(value: Any) -> Any:
    """A Python wire value (None, dicts, lists, `Unknown`) as a DynamicValue."""
    return wire.dynamic_value(value)


def unpack(value: Any) -> Any:
    return wire.read_value(value)


def packable(value: Any) -> bool:
    try:
        wire.dynamic_value(value)
    except (TypeError, ValueError, OverflowError, msgpack.PackException):
        return False
    return True


@dataclass
class Diagnostic:
    severity: str
    summary: str
    detail: str
    path: list[Any]

    @staticmethod
    def of(message: Any) -> Diagnostic:
        steps: list[Any] = []
        for step in message.attribute.steps:
            kind = step.WhichOneof("selector")
            steps.append(getattr(step, kind))
        severity = {pb.Diagnostic.ERROR: "error", pb.Diagnostic.WARNING: "warning"}.get(message.severity, "invalid")
        return Diagnostic(severity, message.summary, message.detail, steps)

    def __str__(self) -> str:
        return f"{self.severity} at {self.path or '(no path)'}: {self.summary}: {self.detail}"


@dataclass
class Answer:
    """One RPC's answer: the values it carries (decoded wire values) and its diagnostics."""

    rpc: str
    diagnostics: list[Diagnostic]
    state: Any = None
    requires_replace: list[list[Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def unexpected(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.summary == UNEXPECTED]


def _answer(rpc: str, response: Any, state: Any = None, replace: Any = ()) -> Answer:
    paths = [[getattr(s, s.WhichOneof("selector")) for s in p.steps] for p in replace]
    return Answer(rpc, [Diagnostic.of(d) for d in response.diagnostics], state, paths)


# ------------------------------------------------------------------------------------------ the provider


class InProcessProvider:
    """The provider as Terraform drives it, in this process. `settings` go into the provider block
    (every setting present, as Terraform sends the whole object; unset ones null)."""

    def __init__(self, palette: InProcessPalette, write_only_allowed: bool = True, **settings: Any) -> None:
        self.palette = palette
        self.provider = OciProvider(transport=palette.transport)
        self.servicer = Servicer(self.provider)
        self.capabilities = pb.ClientCapabilities(write_only_attributes_allowed=write_only_allowed)
        block = {s.name: None for s in SETTINGS} | {"host": HOST, "api_key": API_KEY, "preflight": "off"} | settings
        response = self.servicer.ConfigureProvider(pb.ConfigureProvider.Request(config=pack(block)), None)
        errors = [Diagnostic.of(d) for d in response.diagnostics if d.severity == pb.Diagnostic.ERROR]
        assert not errors, errors

    def close(self) -> None:
        self.provider.close()

    def validate(self, type_name: str, config: Any) -> Answer:
        request = pb.ValidateResourceConfig.Request(
            type_name=type_name, config=pack(config), client_capabilities=self.capabilities
        )
        return _answer("ValidateResourceConfig", self.servicer.ValidateResourceConfig(request, None))

    def plan(self, type_name: str, prior: Any, proposed: Any, config: Any) -> Answer:
        request = pb.PlanResourceChange.Request(
            type_name=type_name,
            prior_state=pack(prior),
            proposed_new_state=pack(proposed),
            config=pack(config),
            client_capabilities=self.capabilities,
        )
        response = self.servicer.PlanResourceChange(request, None)
        return _answer("PlanResourceChange", response, unpack(response.planned_state), response.requires_replace)

    def apply(self, type_name: str, prior: Any, planned: Any, config: Any) -> Answer:
        request = pb.ApplyResourceChange.Request(
            type_name=type_name, prior_state=pack(prior), planned_state=pack(planned), config=pack(config)
        )
        response = self.servicer.ApplyResourceChange(request, None)
        return _answer("ApplyResourceChange", response, unpack(response.new_state))

    def read(self, type_name: str, current: Any) -> Answer:
        request = pb.ReadResource.Request(
            type_name=type_name, current_state=pack(current), client_capabilities=self.capabilities
        )
        response = self.servicer.ReadResource(request, None)
        return _answer("ReadResource", response, unpack(response.new_state))

    def import_(self, type_name: str, id_: str) -> Answer:
        """`terraform import ADDRESS ID`: ImportResourceState, then the ReadResource Terraform sends with its state."""
        request = pb.ImportResourceState.Request(type_name=type_name, id=id_, client_capabilities=self.capabilities)
        response = self.servicer.ImportResourceState(request, None)
        imported = _answer("ImportResourceState", response)
        if imported.errors or not response.imported_resources:
            return imported
        return self.read(type_name, unpack(response.imported_resources[0].state))

    def read_data_source(self, type_name: str, config: Any) -> Answer:
        """ValidateDataResourceConfig, then ReadDataSource, as a plan reads a data source."""
        validated = self.servicer.ValidateDataResourceConfig(
            pb.ValidateDataResourceConfig.Request(type_name=type_name, config=pack(config)), None
        )
        if any(d.severity == pb.Diagnostic.ERROR for d in validated.diagnostics):
            return _answer("ValidateDataResourceConfig", validated)
        request = pb.ReadDataSource.Request(
            type_name=type_name, config=pack(config), client_capabilities=self.capabilities
        )
        response = self.servicer.ReadDataSource(request, None)
        return _answer("ReadDataSource", response, unpack(response.state))


__all__ = ["API_KEY", "Answer", "AsgiTransport", "InProcessPalette", "InProcessProvider", "Unknown", "packable"]
