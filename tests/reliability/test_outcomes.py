"""Outcomes that look like others, through real Terraform (issue 11, items 1-5 and 8).

- A 404 that Palette did not give (a proxy's HTML page) never removes a registry from the state, on
  refresh or destroy; a registry that changed kind (basic <-> ECR) or provider type outside
  Terraform is reported at plan time, never dropped and never an "inconsistent result".
- A create whose outcome is unknown adopts only the registry that carries its own token: two
  resources of one name (Helm and Zarf), and two applies of one configuration racing, never share a
  uid and leave no orphan; a 2xx without a usable uid and `Retry-After: NaN` converge; a create
  Palette stores after the provider's timeout, where names need not be unique, leaves no duplicate.
- Credentials in URL form, from Palette's sync message or from a sensitive endpoint, never reach
  the output or the state.

Most run on Terraform 1.15.5 only: the behaviour is the provider's, not Terraform's; the plan-time
messages, which Terraform renders, run on both versions.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import ECR_HOST, PROVIDER_BLOCK
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Result, Workspace
from tests.reliability.support import (
    CREATE,
    LATEST,
    OLDEST,
    ONE_REGISTRY,
    assert_no_crash,
    assert_palette_is_the_state,
    palette_registries,
    state_registries,
)

HTML_404 = "<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>"
INCONSISTENT = "Provider produced inconsistent result"


def one_line(result: Result) -> str:
    return " ".join(result.output.split())


def helm(endpoint: str, name: str = "charts", extra: str = "") -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "h" {{
  name              = "{name}"
  endpoint          = "{endpoint}"
  base_content_path = "charts"
  {extra}
}}
"""


def only_uid(ws: Workspace) -> str:
    (uid, _), *_ = state_registries(ws)
    return uid


# ------------------------------------------------------------------------------------------- 404s


@pytest.mark.parametrize("tf_version", [LATEST, OLDEST], indirect=True)
def test_a_404_from_a_proxy_never_removes_a_registry(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.env["PALETTE_MAX_RETRIES"] = "0"
    ws.write(helm(public_registry.url))
    ws.apply()
    uid = only_uid(ws)
    proxy = {"kind": "status", "status": 404, "body": HTML_404, "content_type": "text/html"}
    emulator.set_faults([{"path": ONE_REGISTRY, **proxy}, {"path": f"/oci/{uid}$", **proxy}])

    for command in (ws.plan, ws.apply, ws.destroy):
        result = command(check=False)
        assert result.returncode == 1, result
        assert_no_crash(result)
        text = one_line(result)
        assert "without Palette's ResourceNotFound code" in text and emulator.url in text, text
        assert "the registry was not touched" in text
        assert state_registries(ws) == {(uid, "charts")}  # kept: nothing was concluded
    assert palette_registries(emulator) == {(uid, "charts")}  # and nothing was created or deleted

    emulator.clear_faults()
    assert ws.plan_changes() == 0


@pytest.mark.parametrize("tf_version", [LATEST, OLDEST], indirect=True)
def test_a_registry_that_changed_family_is_reported_not_dropped(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.write(helm(public_registry.url))
    ws.apply()
    uid = only_uid(ws)
    basic_spec = emulator.registry(uid)["spec"]  # type: ignore[index]
    sts = {"credentialType": "sts", "sts": {"arn": "arn:aws:iam::123456789012:role/palette-ecr"}}
    emulator.change_family(
        uid,
        "ecr",
        {
            "endpoint": ECR_HOST,
            "isPrivate": True,
            "providerType": "helm",
            "baseContentPath": "charts",
            "credentials": sts,
        },
    )

    for command in (ws.plan, ws.destroy):
        result = command(check=False)
        assert result.returncode == 1, result
        assert_no_crash(result)
        text = one_line(result)
        assert "Registry changed kind outside Terraform" in text and "is now an ECR helm registry" in text, text
        assert "terraform import oci_registry_helm.<name> <uid>" in text
        assert state_registries(ws) == {(uid, "charts")}
    assert palette_registries(emulator) == {(uid, "charts")}

    emulator.change_family(uid, "basic", basic_spec)
    assert ws.plan_changes() == 0


@pytest.mark.parametrize("tf_version", [LATEST, OLDEST], indirect=True)
def test_a_provider_type_changed_outside_terraform_is_a_plan_time_error(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    """An admin made the Helm registry a Zarf one: no update can undo that and no replacement is
    planned on Terraform's own; the plan names the resource type to use."""
    ws, emulator = workspace, clean_emulator
    ws.write(helm(public_registry.url))
    ws.apply()
    uid = only_uid(ws)
    emulator.patch(uid, {"providerType": "zarf"})

    for command in (ws.plan, ws.apply):
        result = command(check=False)
        assert result.returncode == 1, result
        assert_no_crash(result)
        text = one_line(result)
        assert INCONSISTENT not in text
        assert "Registry changed kind outside Terraform" in text and "oci_registry_zarf" in text, text
        assert f"terraform import oci_registry_zarf.<name> {uid}" in text
    assert emulator.registry(uid)["providerType"] == "zarf"  # type: ignore[index]  # nothing was written

    emulator.patch(uid, {"providerType": "helm"})
    assert ws.plan_changes() == 0


# ------------------------------------------------------------------------------ unknown creates


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
@pytest.mark.parametrize("fault", ["status", "commit_then_fail"])
def test_helm_and_zarf_of_one_name_never_share_a_uid(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry, fault: str
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.write(f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "h" {{
  name     = "dup"
  endpoint = "{public_registry.url}"
}}
resource "oci_registry_zarf" "z" {{
  name     = "dup"
  endpoint = "{public_registry.url}"
}}
""")
    emulator.set_faults([{"method": "POST", "path": CREATE, "kind": fault, "status": 503, "times": 1}])
    result = ws.apply(check=False)
    assert result.returncode == 1, result  # one of them cannot have the name
    assert_no_crash(result)
    text = one_line(result)
    assert "A registry with this name already exists" in text and "terraform import" in text, text
    assert [rule["fired"] for rule in emulator.faults()] == [1]
    assert_palette_is_the_state(ws, emulator, {"dup"})
    ((uid, _),) = state_registries(ws)
    kinds = {address.split(".")[0] for address in ws.resources()}
    assert len(kinds) == 1  # one resource holds it
    stored = emulator.registry(uid)
    assert (
        stored is not None
        and {"oci_registry_helm": "helm", "oci_registry_zarf": "zarf"}[kinds.pop()] == stored["providerType"]
    )


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
def test_two_applies_racing_on_one_name_never_share_a_uid(
    tmp_path: Path, workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    """One apply's POST is refused with 503 and Retry-After: 3; the other creates the registry in the
    meantime. The first must not take it for its own."""
    emulator = clean_emulator
    other = Workspace(tmp_path / "tf2", workspace.version, env=palette_env(emulator))
    config = helm(public_registry.url, name="race")
    for ws in (workspace, other):
        ws.write(config)
    emulator.set_faults(
        [{"method": "POST", "path": CREATE, "kind": "status", "status": 503, "retry_after": 3, "times": 1}]
    )
    results: dict[str, Result] = {}

    def run(key: str, ws: Workspace) -> None:
        results[key] = ws.apply(check=False)

    threads = [threading.Thread(target=run, args=(key, ws)) for key, ws in (("a", workspace), ("b", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results.values():
        assert_no_crash(result)
    assert sorted(r.returncode for r in results.values()) == [0, 1], results
    loser = next(r for r in results.values() if r.returncode)
    assert "A registry with this name already exists" in one_line(loser), loser
    held = [state_registries(workspace), state_registries(other)]
    assert sorted(len(h) for h in held) == [0, 1]  # never the same uid in two states
    assert held[0] | held[1] == palette_registries(emulator)  # and no orphan


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 201, "body": "<html><body>Created</body></html>", "content_type": "text/html"},
        {"status": 201, "body": '{"uid": ""}', "content_type": "application/json"},
        {"status": 200, "body": ""},
        {"status": 503, "retry_after": "NaN"},
    ],
    ids=["html-2xx", "empty-uid", "empty-2xx", "retry-after-nan"],
)
def test_a_create_answered_with_nothing_usable_converges(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry, answer: dict[str, Any]
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.write(helm(public_registry.url))
    emulator.set_faults([{"method": "POST", "path": CREATE, "kind": "commit_then_fail", "times": 1, **answer}])
    result = ws.apply(check=False)
    assert result.returncode == 0, result
    assert_no_crash(result)
    assert_palette_is_the_state(ws, emulator, {"charts"})
    assert ws.plan_changes() == 0


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
def test_a_create_stored_after_the_timeout_leaves_no_duplicate(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    """Where Palette lets two registries share a name (variant names-not-unique), the first POST
    outlasts the provider's 2 s request timeout and is stored a second later: the provider keeps
    looking for it by its token and adopts it; a second POST would have stored a registry no state
    holds."""
    ws, emulator = workspace, clean_emulator
    emulator.set_variants(["names-not-unique"])
    ws.env["PALETTE_REQUEST_TIMEOUT"] = "2"
    ws.write(helm(public_registry.url))
    emulator.set_faults([{"method": "POST", "path": CREATE, "kind": "commit_late", "latency": 3, "times": 1}])
    result = ws.apply(check=False)
    assert result.returncode == 0, result
    assert_no_crash(result)
    deadline = time.monotonic() + 10  # the late POST is logged once stored (at the latest 3 s after it came)
    while not any(r["fault"] == "commit_late" for r in emulator.requests()) and time.monotonic() < deadline:
        time.sleep(0.1)
    posts = [r for r in emulator.requests() if r["method"] == "POST" and r["path"].endswith("/basic")]
    assert sorted(str(r["fault"]) for r in posts) == ["commit_late"]  # never sent twice
    assert_palette_is_the_state(ws, emulator, {"charts"})
    assert ws.plan_changes() == 0


# ------------------------------------------------------------------------------------ redaction

CANARY = "CANARY-sync-" + secrets.token_hex(10)


def assert_no_canary(ws: Workspace, *results: Result) -> None:
    for result in results:
        assert CANARY not in result.output, result
    for path in ws.dir.rglob("*"):
        if path.is_file() and path.suffix in (".tfstate", ".backup", ".json", ".tf", ".log", ""):
            assert CANARY not in path.read_text(errors="replace"), path


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
def test_credentials_in_palettes_sync_message_are_redacted(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    leak = f'synchronization failed: Get "https://robot:{CANARY}@harbor.example.com/v2/": 401 Unauthorized'
    ws.write(helm(public_registry.url, extra="auto_sync = true\n  wait_for_sync = true"))
    emulator.set_faults(
        [
            {
                "method": "GET",
                "path": "/sync/status$",
                "kind": "status",
                "status": 200,
                "body": json.dumps({"status": "Failed", "message": leak}),
                "content_type": "application/json",
            }
        ]
    )
    applied = ws.apply(check=False)
    assert_no_crash(applied)
    assert "https://robot:<redacted>@harbor.example.com" in one_line(applied), applied
    emulator.clear_faults()
    uid = only_uid(ws)
    emulator.end_sync(uid, "Failed", leak)
    refreshed = ws.apply("-refresh-only")
    shown = ws.run("show", "-no-color")
    message = ws.resources()["oci_registry_helm.h"]["sync_message"]
    assert message == leak.replace(CANARY, "<redacted>")
    assert_no_canary(ws, applied, refreshed, shown)


@pytest.mark.parametrize("tf_version", [LATEST, OLDEST], indirect=True)
def test_a_scheme_less_endpoint_with_credentials_is_never_quoted(workspace: Workspace) -> None:
    ws = workspace
    ws.write(f"""{PROVIDER_BLOCK}
variable "endpoint" {{
  type      = string
  sensitive = true
}}
resource "oci_registry_helm" "h" {{
  name     = "charts"
  endpoint = var.endpoint
}}
""")
    for endpoint in (f"robot:{CANARY}@harbor.example.com", f"robot:{CANARY}@harbor example.com"):
        result = ws.plan(f"-var=endpoint={endpoint}", check=False)
        assert result.returncode == 1, result
        assert_no_crash(result)
        assert "Invalid registry endpoint" in one_line(result)
        assert_no_canary(ws, result)
