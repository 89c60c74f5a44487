"""The action `oci_registry_sync` through real Terraform 1.15.5 against the emulator: `terraform apply
-invoke` forces a sync (the emulator's request log shows `forceSync=true`) and the CLI shows its progress;
a registry whose automatic sync is off (a Zarf one) gets a manual sync and Palette's refusal of one is an
error with its words; a bad uid stops before anything is sent; `wait = false`; a sync that fails; and
the action triggered from a resource's lifecycle (`action_trigger`).

Actions exist from Terraform 1.14: these tests run on 1.15.5 only (1.0.3 cannot parse an `action` block;
`test_provider_schema.py` shows it still sees the provider as before).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator, basic_registry, ecr_registry
from tests.harness.terraform import Workspace

ACTIONS_VERSION = "1.15.5"
SYNC_ROUTE = "/v1/registries/oci/{uid}/basic/sync"
STATUS_ROUTE = "/v1/registries/oci/{uid}/basic/sync/status"


@pytest.fixture
def ws(tmp_path: Path, clean_emulator: Emulator) -> Workspace:
    return Workspace(tmp_path / "tf", ACTIONS_VERSION, env=palette_env(clean_emulator))


def action(uid: str, extra: str = "") -> str:
    return f"""{PROVIDER_BLOCK}
action "oci_registry_sync" "now" {{
  config {{
    uid = "{uid}"{extra}
  }}
}}
"""


def seed(emulator: Emulator, endpoint: str, *, provider_type: str = "helm", sync: bool = True) -> str:
    body = basic_registry(
        "charts", endpoint, provider_type=provider_type, base_content_path="charts" if sync else "", sync=sync
    )
    return emulator.seed("basic", body)


def invoke(ws: Workspace, check: bool = True) -> Any:
    return ws.apply("-invoke=action.oci_registry_sync.now", check=check)


def syncs(emulator: Emulator) -> list[tuple[str, str]]:
    """(path, query) of every sync Palette was asked for."""
    return [(r["path"], r["query"]) for r in emulator.requests() if r["route"] == SYNC_ROUTE]


def test_invoke_forces_a_sync_and_shows_its_progress(ws: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    uid = seed(clean_emulator, parts.public_registry.url)
    ws.write(action(uid))

    result = invoke(ws)

    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")]
    prefix = "Action action.oci_registry_sync.now (triggered by CLI): "
    lines = [line.removeprefix(prefix) for line in result.stdout.splitlines() if line.startswith(prefix)]
    assert lines[0] == f'Palette accepted a forced sync of Helm registry "charts" ({uid})', result
    assert lines[1] == "sync status: InProgress", result
    assert lines[-2:-1] == ["sync status: Completed"] and lines[-1].startswith("synchronized; last synced at "), result
    assert "Action complete: action.oci_registry_sync.now" in result.stdout, result
    statuses = [r for r in clean_emulator.requests() if r["route"] == STATUS_ROUTE]
    assert len(statuses) >= 2  # it waited: InProgress first, Completed last
    assert clean_emulator.registry(uid)["syncStatus"]["status"] == "Completed"


def test_wait_false_requests_the_sync_and_ends(ws: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    uid = seed(clean_emulator, parts.public_registry.url)
    ws.write(action(uid, '\n    wait    = false\n    timeout = "5m"'))

    result = invoke(ws)

    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")]
    assert not [r for r in clean_emulator.requests() if r["route"] == STATUS_ROUTE], "it waited"
    assert "not waiting for the sync to end (wait = false)" in result.stdout, result
    assert result.output.count("Warning: timeout has no effect without wait") == 1, result
    assert "Action complete" in result.stdout


def test_a_zarf_registry_gets_a_manual_sync(ws: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    """The docs describe a manual sync of a registry whose automatic sync is off, and the product page rules out
    only automatic sync for Zarf: a warning at plan, the sync sent, Palette's acceptance reported."""
    uid = seed(clean_emulator, parts.public_registry.url, provider_type="zarf", sync=False)
    ws.write(action(uid))

    result = invoke(ws)

    assert "Warning: Registry does not synchronize automatically" in result.stdout, result
    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")]
    assert f'Palette accepted a forced sync of Zarf registry "charts" ({uid})' in result.stdout, result
    assert "its automatic sync is off" in result.stdout and "Action complete" in result.stdout, result


def test_palette_refusing_a_manual_sync_fails_with_its_words(
    ws: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    clean_emulator.set_variants(["manual-sync-refused"])
    uid = seed(clean_emulator, parts.public_registry.url, sync=False)
    ws.write(action(uid))

    result = invoke(ws, check=False)

    assert result.returncode == 1, result
    assert "Warning: Registry does not synchronize automatically" in result.stdout, result  # at plan
    assert "Error when invoking action" in result.stderr, result
    assert "Palette refused to synchronize the registry" in result.output, result
    assert "not enabled" in result.output and "auto_sync" in result.output, result
    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")]


@pytest.mark.parametrize(
    ("uid", "extra", "error"),
    [
        ("charts/../x", "", "Invalid registry uid"),
        ("5f3b2c1d9e8a7b6c5d4e3f2a", "", "Registry not found"),
        ("5f3b2c1d9e8a7b6c5d4e3f2a", '\n    timeout = "soon"', "Invalid timeout"),
    ],
    ids=["bad-uid", "unknown-uid", "bad-timeout"],
)
def test_bad_configurations_are_errors_at_plan(
    ws: Workspace, clean_emulator: Emulator, uid: str, extra: str, error: str
) -> None:
    ws.write(action(uid, extra))

    result = ws.plan("-invoke=action.oci_registry_sync.now", check=False)

    assert result.returncode == 1, result
    assert error in result.stderr, result
    assert f'uid = "{uid}"' in result.stderr or 'timeout = "soon"' in result.stderr  # at the attribute
    assert syncs(clean_emulator) == []


def test_a_failed_sync_fails_the_action_with_palettes_message(ws: Workspace, clean_emulator: Emulator) -> None:
    uid = seed(clean_emulator, "http://127.0.0.1:1")  # nothing listens there: the emulator's sync fails
    ws.write(action(uid, '\n    timeout = "1m"'))

    result = invoke(ws, check=False)

    assert result.returncode == 1, result
    assert "Registry synchronization failed" in result.output, result
    assert "127.0.0.1:1" in result.output
    assert "Action failed: action.oci_registry_sync.now" in result.stdout, result
    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")]


@pytest.fixture
def silent_registry() -> Iterator[str]:
    """An endpoint that accepts connections and never answers: the emulator's sync of it stays InProgress
    (until the emulator's own contact timeout, 10 s)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_sync_that_outlasts_the_timeout_fails_the_action(
    ws: Workspace, clean_emulator: Emulator, silent_registry: str
) -> None:
    uid = seed(clean_emulator, silent_registry)
    ws.write(action(uid, '\n    timeout = "2s"'))

    result = invoke(ws, check=False)

    assert result.returncode == 1, result
    assert "Registry synchronization did not finish in time" in result.output, result
    assert "sync status: InProgress" in result.stdout, result
    assert "Action failed: action.oci_registry_sync.now" in result.stdout
    assert "did not finish within 2s; last status: InProgress" in result.stdout  # Terraform's one-line summary
    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")]


def triggering_config(parts: Parts, events: str) -> str:
    """A syncing Helm registry whose lifecycle runs the sync action on `events`."""
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "charts" {{
  name              = "charts"
  endpoint          = "{parts.public_registry.url}"
  base_content_path = "charts"
  auto_sync         = true

  lifecycle {{
    action_trigger {{
      events  = [{events}]
      actions = [action.oci_registry_sync.charts]
    }}
  }}
}}

action "oci_registry_sync" "charts" {{
  config {{
    uid = oci_registry_helm.charts.id
  }}
}}
"""


def test_a_resource_triggers_the_sync_after_it_is_created(
    ws: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    ws.write(triggering_config(parts, "after_create, after_update"))

    result = ws.apply()

    uid = ws.resources()["oci_registry_helm.charts"]["id"]
    assert syncs(clean_emulator) == [(f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true")], result
    assert f'Palette accepted a forced sync of Helm registry "charts" ({uid})' in result.stdout, result
    assert "sync status: Completed" in result.stdout, result
    assert ws.plan_changes() == 0  # nothing left to do: the action runs on the events it names only


def test_a_failed_triggered_sync_fails_the_apply_but_keeps_the_registry(
    ws: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """After create, the registry is in the state whatever the action says: an action's error does not taint
    it (the next apply plans nothing), unlike an error from the resource's own create would."""
    failed = '{"isSyncSupported": true, "status": "Failed", "message": "no chart under charts/"}'
    clean_emulator.set_faults(
        [
            {
                "method": "GET",
                "path": "/sync/status$",
                "kind": "status",
                "status": 200,
                "body": failed,
                "content_type": "application/json",
            }
        ]
    )
    ws.write(triggering_config(parts, "after_create"))

    result = ws.apply(check=False)

    assert result.returncode == 1, result
    assert "Registry synchronization failed" in result.output and "no chart under charts/" in result.output, result
    (stored,) = clean_emulator.registries()
    state = ws.show_json()["values"]["root_module"]["resources"]
    assert [(r["address"], r["values"]["id"]) for r in state] == [("oci_registry_helm.charts", stored["uid"])]
    clean_emulator.clear_faults()
    assert ws.plan_changes() == 0, "the registry was tainted"


def test_an_ecr_packs_registry_is_synced_under_the_ecr_path(
    ws: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """The uid alone names the registry: Palette's answer tells the action to use `/oci/{uid}/ecr/sync`."""
    body = ecr_registry(
        "packs",
        access_key=parts.aws_keys.access_key_id,
        secret_key=parts.aws_keys.secret_access_key,
        provider_type="pack",
        base_content_path="spectro-packs",
        sync=True,
    )
    uid = clean_emulator.seed("ecr", body)
    ws.write(action(uid))

    result = invoke(ws)

    forced = [(r["path"], r["query"]) for r in clean_emulator.requests() if r["route"].endswith("/sync")]
    assert forced == [(f"/v1/registries/oci/{uid}/ecr/sync", "forceSync=true")], result
    assert f'Palette accepted a forced sync of Packs registry "packs" ({uid})' in result.stdout, result
    assert "sync status: Completed" in result.stdout, result
    assert parts.aws_keys.secret_access_key not in result.output


def test_a_wrong_key_answered_not_found_is_the_key_not_an_unknown_uid(
    ws: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """A Palette that answers a key it does not know with ResourceNotFound (variant bad-key-not-found): the
    action's lookup names the key, not "Registry not found" for a registry that exists; nothing is synced."""
    uid = seed(clean_emulator, parts.public_registry.url)
    clean_emulator.set_variants(["bad-key-not-found"])
    ws.env["PALETTE_API_KEY"] = "wrong-key-palette-echoes-2718"
    ws.write(action(uid))

    result = ws.plan("-invoke=action.oci_registry_sync.now", check=False)

    assert result.returncode == 1, result
    assert "Palette rejected the API key" in result.stderr and "Registry not found" not in result.stderr
    assert "wrong-key-palette-echoes-2718" not in result.output
    assert syncs(clean_emulator) == []
