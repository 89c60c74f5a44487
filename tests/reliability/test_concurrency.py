"""Many registries at once: Terraform's parallelism against one provider process and its pool.

100 registries are created with -parallelism=10 (Terraform 1.0.3) and -parallelism=30 (1.15.5):
every one is created once, Palette equals the state, and the provider's connections to Palette
stay bounded and are reused. Connections are counted on the emulator's side of the kernel's TCP
table while the apply runs (tests/reliability/connections.py).

What bounds them: the plugin serves at most 10 calls at once (tfx.serving._WORKERS), whatever
-parallelism asks, and the client's pool holds at most MAX_CONNECTIONS (20). The pool's own bound
is shown directly by 40 threads sharing one client.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest

from provider.palette.client import PaletteClient
from provider.palette.transport import MAX_CONNECTIONS
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Workspace
from tests.reliability.connections import ConnectionWatch
from tests.reliability.support import (
    LATEST,
    OLDEST,
    assert_no_crash,
    assert_palette_is_the_state,
    many_registries,
)

COUNT = 100


def port_of(emulator: Emulator) -> int:
    return int(urlsplit(emulator.url).port or 0)


@pytest.mark.parametrize(("tf_version", "parallelism"), [(OLDEST, 10), (LATEST, 30)], indirect=["tf_version"])
def test_a_hundred_registries_in_parallel(
    parallelism: int, workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.write(many_registries(public_registry.url, COUNT))

    with ConnectionWatch(port_of(emulator)) as watch:
        applied = ws.apply(f"-parallelism={parallelism}")
    assert_no_crash(applied)

    assert_palette_is_the_state(ws, emulator, {f"reg-{i}" for i in range(COUNT)})
    creates = [r for r in emulator.requests() if r["method"] == "POST" and r["route"] == "/v1/registries/oci/basic"]
    assert len(creates) == COUNT and {r["status"] for r in creates} == {201}  # each sent once, none refused
    requests = emulator.counters()["total"]
    print(f"\n-parallelism={parallelism}: {requests} requests over {len(watch.seen)} connections, peak {watch.peak}")
    assert 0 < watch.peak <= MAX_CONNECTIONS
    assert len(watch.seen) <= requests / 5  # kept alive and reused, not one per request

    if parallelism == 30:
        destroyed = ws.destroy(f"-parallelism={parallelism}")
        assert_no_crash(destroyed)
        assert emulator.registries() == []


def test_the_client_pool_never_opens_more_than_its_limit(clean_emulator: Emulator) -> None:
    """40 callers at once, each request held 0.5 s by Palette: 20 connections, the rest wait their turn."""
    callers = 2 * MAX_CONNECTIONS
    clean_emulator.set_faults([{"method": "GET", "path": "summary$", "kind": "latency", "latency": 0.5}])
    errors: list[BaseException] = []

    def call(client: PaletteClient) -> None:
        try:
            client.list_oci()
        except BaseException as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    with (
        PaletteClient(clean_emulator.url, clean_emulator.api_key, timeout=10, max_retries=0) as client,
        ConnectionWatch(port_of(clean_emulator), interval=0.01) as watch,
    ):
        threads = [threading.Thread(target=call, args=(client,)) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert watch.peak == MAX_CONNECTIONS
    assert len(watch.seen) == MAX_CONNECTIONS  # the second wave reused the first wave's connections
    assert clean_emulator.counters()["total"] == callers
