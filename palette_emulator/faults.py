"""Fault injection and request observation for reliability tests (the `/emulator/*` admin API).

A fault rule matches requests by method and a regex searched in the path, fires with a given
probability (its own seeded `random.Random`, so a sequence is reproducible) and at most `times`
times. Kinds:
  status            answer `status` (a v1Error body, optional Retry-After) without doing the request
  latency           wait `latency` seconds, then do the request normally
  drop              close the connection without any HTTP answer
  commit_then_fail  do the request (writes are stored), then answer `status`, or drop when no status
  commit_late       read the whole request, wait `latency` seconds, then do it even when the client has
                    given up and gone (a write stored after the client's timeout); the answer goes to
                    the client if it is still there. (A `latency` rule does the request only if the
                    client still waits: the server reads the body after the pause.)

`status` and `commit_then_fail` answers may carry a `body` (any text, e.g. a proxy's HTML page, "" or
`{"uid": ""}`) with a `content_type` instead of the v1Error body, so a 2xx that says nothing usable
can be given too. `retry_after` is a number or any text (e.g. "NaN", as a broken proxy sends it).

Every `/v1/` request is logged (method, path, route template, status, duration, fault, project)
and counted. `/emulator/*` requests are neither faulted nor logged.

Dropping needs the socket: `DropCapableH11Protocol` (uvicorn's h11 protocol) puts the connection's
transport in the ASGI scope extensions, and the middleware aborts it.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from .api_error import ApiError, status_code_name

KINDS = ("status", "latency", "drop", "commit_then_fail", "commit_late")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TRANSPORT_EXTENSION = "palette_emulator.transport"
MAX_LOGGED_REQUESTS = 100_000


@dataclass
class FaultRule:
    id: int
    path: str
    kind: str
    method: str | None = None
    status: int | None = None
    retry_after: float | str | None = None
    latency: float = 0.0
    rate: float = 1.0
    seed: int | None = None
    times: int | None = None
    body: str | None = None
    content_type: str | None = None
    fired: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path)
        self._random = random.Random(self.seed)

    def public(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if not key.startswith("_")}

    def applies_to(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        return self._pattern.search(path) is not None

    def fires(self) -> bool:
        return self.rate >= 1.0 or self._random.random() < self.rate


def _number(raw: dict[str, Any], key: str, default: float | None, low: float = 0.0) -> float | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
        raise ValueError(f"{key}: must be a number >= {low}")
    return float(value)


def parse_rule(raw: Any, rule_id: int) -> FaultRule:
    """A FaultRule from its JSON form; ValueError naming the field when it is malformed."""
    if not isinstance(raw, dict):
        raise ValueError("each rule must be an object")
    fields = {"method", "path", "kind", "status", "retry_after", "latency", "rate", "seed", "times", "body"}
    unknown = set(raw) - fields - {"content_type"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    kind, path = raw.get("kind"), raw.get("path")
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}")
    if not isinstance(path, str):
        raise ValueError("path: is required (a regular expression searched in the request path)")
    try:
        re.compile(path)
    except re.error as exc:
        raise ValueError(f"path: not a valid regular expression: {exc}") from None
    status = raw.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError("status: must be an HTTP status code")
    if kind == "status" and status is None:
        raise ValueError("status: is required for kind status")
    rate = _number(raw, "rate", 1.0)
    times = raw.get("times")
    if times is not None and (not isinstance(times, int) or times < 0):
        raise ValueError("times: must be a non-negative integer")
    if rate is not None and rate > 1.0:
        raise ValueError("rate: must be a probability between 0 and 1")
    for key in ("body", "content_type"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise ValueError(f"{key}: must be a string")
    retry_after = raw.get("retry_after")
    return FaultRule(
        id=rule_id,
        path=path,
        kind=kind,
        method=raw.get("method"),
        status=status,
        retry_after=retry_after if isinstance(retry_after, str) else _number(raw, "retry_after", None),
        latency=_number(raw, "latency", 0.0) or 0.0,
        rate=1.0 if rate is None else rate,
        seed=raw.get("seed"),
        times=times,
        body=raw.get("body"),
        content_type=raw.get("content_type"),
    )


class FaultBook:
    """The active fault rules. Thread-safe; the first rule that applies and fires wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, raws: list[Any]) -> list[FaultRule]:
        with self._lock:
            rules = [parse_rule(raw, self._next_id + index) for index, raw in enumerate(raws)]
            self._next_id += len(rules)
            self._rules.extend(rules)
            return list(self._rules)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.applies_to(method, path) and rule.fires():
                    rule.fired += 1
                    return rule
        return None


@dataclass
class RequestRecord:
    method: str
    path: str
    query: str  # the raw query string ("forceSync=true" on a forced sync), "" without one
    route: str
    status: int | None
    duration_ms: float
    fault: str | None
    project_uid: str | None


class RequestLog:
    """Every /v1/ request in arrival order, and counters over them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._by_route: Counter[str] = Counter()
        self._total = 0
        self._writes = 0

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            if len(self._records) < MAX_LOGGED_REQUESTS:
                self._records.append(record)
            self._total += 1
            if record.method in WRITE_METHODS and not record.path.endswith("/validate"):
                self._writes += 1
            self._by_route[f"{record.method} {record.route}"] += 1

    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(record) for record in self._records]

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return {"total": self._total, "writes": self._writes, "by_route": dict(self._by_route)}

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._by_route.clear()
            self._total = self._writes = 0


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _error_answer(send: Send, rule: FaultRule, status: int) -> None:
    if rule.body is not None:
        content = rule.body.encode()
        headers = [(b"content-type", (rule.content_type or "text/plain").encode())]
    else:
        error = ApiError(status, status_code_name(status), f"injected fault #{rule.id} ({rule.kind})").body()
        content = json.dumps(error).encode()
        headers = [(b"content-type", b"application/json")]
    if isinstance(rule.retry_after, str):
        headers.append((b"retry-after", rule.retry_after.encode()))
    elif rule.retry_after is not None:
        seconds = int(rule.retry_after) if rule.retry_after.is_integer() else rule.retry_after
        headers.append((b"retry-after", str(seconds).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _drop(scope: Scope, receive: Receive) -> None:
    """Abort the TCP connection: the client gets no HTTP answer at all."""
    transport = scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
    if transport is None:
        raise RuntimeError("drop faults need the emulator's server protocol (DropCapableH11Protocol)")
    transport.abort()
    # Wait until the server has noticed the disconnect, so it does not try to answer for us.
    async with asyncio.timeout(5):
        while (await receive())["type"] != "http.disconnect":
            pass


async def _received(receive: Receive) -> list[Message]:
    """The request's body messages, read to the end (a disconnect ends them early)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            return messages


def _replay(messages: list[Message]) -> Receive:
    """A `receive` giving `messages` again, then a disconnect: what the app reads after a pause
    during which the client may have left."""
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    return receive


class FaultMiddleware:
    """ASGI middleware: injects faults into /v1/ requests and records them."""

    def __init__(self, app: ASGIApp, book: FaultBook, log: RequestLog, route_of: Callable[[Scope], str]) -> None:
        self.app = app
        self.book = book
        self.log = log
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method, path = scope["method"], scope["path"]
        rule = self.book.pick(method, path)
        seen: dict[str, int | None] = {"status": None}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            await send(message)

        try:
            await self._serve(rule, scope, receive, recording_send)
        finally:
            self.log.add(
                RequestRecord(
                    method=method,
                    path=path,
                    query=bytes(scope.get("query_string", b"")).decode("latin-1"),
                    route=self.route_of(scope),
                    status=seen["status"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    fault=rule.kind if rule else None,
                    project_uid=_header(scope, b"projectuid"),
                )
            )

    async def _serve(self, rule: FaultRule | None, scope: Scope, receive: Receive, send: Send) -> None:
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "status":
            await _error_answer(send, rule, rule.status or 503)
        elif rule.kind == "latency":
            await asyncio.sleep(rule.latency)
            await self.app(scope, receive, send)
        elif rule.kind == "drop":
            await _drop(scope, receive)
        elif rule.kind == "commit_late":
            request = await _received(receive)
            await asyncio.sleep(rule.latency)
            await self.app(scope, _replay(request), send)
        else:  # commit_then_fail: do the work, throw its answer away, then fail

            async def discard(message: Message) -> None:
                pass

            await self.app(scope, receive, discard)
            if rule.status is None:
                await _drop(scope, receive)
            else:
                await _error_answer(send, rule, rule.status)


# The uvicorn major this subclass was written and tested against; pyproject.toml pins uvicorn below
# the next one, and tests/emulator/test_pins.py fails when another is installed.
UVICORN_TESTED_MAJOR = 0


class DropCapableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing each connection's transport to the app for `drop` faults.

    It relies on uvicorn internals (`connection_made` and the `app` attribute of H11Protocol), hence
    the pin: see UVICORN_TESTED_MAJOR."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        inner = self.app

        async def app_with_transport(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("extensions", {})[TRANSPORT_EXTENSION] = transport
            await inner(scope, receive, send)

        self.app = app_with_transport
