"""What every handler of the emulator works with, the Palette API's (app.py) and the admin API's
(admin.py): its Call, the endpoint that runs it, the emulator's state, the common answers.

Its own module so that both APIs import it and neither imports the other's: app.py builds the
application from both sets of routes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .config import EmulatorConfig
from .constraints import parse_json
from .faults import FaultBook, RequestLog
from .service import Registries
from .store import Store, new_uid


@dataclass(frozen=True)
class Call:
    """What a synchronous handler gets from its request (the body already read)."""

    params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return parse_json(self.body)


Handler = Callable[[Call], Response]


def endpoint(handler: Handler) -> Callable[[Request], Any]:
    """An async Starlette endpoint that reads the body, then runs `handler` in the thread pool."""

    async def run(request: Request) -> Response:
        call = Call(request.path_params, request.query_params, request.headers, await request.body())
        return await run_in_threadpool(handler, call)

    return run


def audited(status: int, content: Any = None) -> Response:
    """An answer carrying the AuditUid header Palette adds to creates, validates and syncs."""
    headers = {"AuditUid": new_uid()}
    if content is None:
        return Response(status_code=status, headers=headers)
    return JSONResponse(content, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


@dataclass
class EmulatorState:
    config: EmulatorConfig
    store: Store
    registries: Registries
    faults: FaultBook
    requests: RequestLog
