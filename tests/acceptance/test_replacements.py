"""Changes Palette cannot make in place: basic <-> ECR, sync true -> false; turning sync on is in place,
and a Helm registry created before Palette 4.5.0 fails that update, and every plan after it, with the
re-registration command (no replacement is ever planned on a guess); a failed sync is a warning, never a taint."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts, Scenario
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.terraform import Workspace

HELM_BASIC = Scenario("oci_registry_helm", "basic")
HELM_ECR = Scenario("oci_registry_helm", "ecr-keys")
PACKS_BASIC = Scenario("oci_registry_packs", "basic")
PACKS_STS = Scenario("oci_registry_packs", "ecr-sts")


def only(emulator: Emulator) -> dict:
    [stored] = emulator.registries()
    return stored


def test_switching_between_basic_and_ecr_replaces(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(HELM_BASIC.config(parts))
    workspace.apply()
    basic_uid = only(clean_emulator)["uid"]

    workspace.write(HELM_ECR.config(parts))
    plan = workspace.plan().stdout
    assert "must be replaced" in plan and "1 to add, 0 to change, 1 to destroy" in plan
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["kind"] == "ecr" and stored["uid"] != basic_uid
    assert workspace.plan_changes() == 0

    workspace.write(HELM_BASIC.config(parts))
    workspace.apply()
    assert only(clean_emulator)["kind"] == "basic"


def test_packs_switch_to_sts_replaces(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(PACKS_BASIC.config(parts))
    workspace.apply()
    workspace.write(PACKS_STS.config(parts))
    assert "1 to add, 0 to change, 1 to destroy" in workspace.plan().stdout
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["kind"] == "ecr" and stored["spec"]["credentials"]["sts"]["externalId"] == parts.external_id


def test_turning_sync_on_is_in_place_and_off_replaces(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = false"))
    workspace.apply()
    uid = only(clean_emulator)["uid"]

    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = true\n  wait_for_sync = true"))
    assert "0 to add, 1 to change, 0 to destroy" in workspace.plan().stdout
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["uid"] == uid and stored["spec"]["isSyncSupported"] is True
    state = workspace.resources()[HELM_BASIC.address]
    assert state["sync_status"] == "Completed" and state["last_synced_at"]
    assert workspace.plan_changes() == 0

    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = false"))
    plan = workspace.plan().stdout
    assert "1 to add, 0 to change, 1 to destroy" in plan and "forces replacement" in plan
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["uid"] != uid and stored["spec"]["isSyncSupported"] is False


def test_legacy_helm_registry_fails_the_sync_update_then_every_plan_until_re_registered(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """Turning sync on for a Helm registry created before Palette 4.5.0: the apply fails at auto_sync with the
    re-registration command, and from then on so does every plan (the pull request goes red, not only the
    merge: the plan used to show `~ auto_sync = false -> true` again, forever). `terraform apply -replace`
    cannot get past it (Terraform asks for the in-place plan first); `terraform taint` then `apply` converges."""
    body = basic_registry(
        "registry-a",
        parts.registry.url,
        username=parts.registry.username,
        password=parts.registry.password,
        base_content_path="content",
    )
    legacy_uid = clean_emulator.seed("basic", body, legacy=True)
    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = false"))
    workspace.import_(HELM_BASIC.address, legacy_uid)
    workspace.apply()  # the imported state learns the password
    assert workspace.resources()[HELM_BASIC.address]["sync_supported"] is False
    assert workspace.plan_changes() == 0

    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = true"))
    plan = workspace.plan()
    assert "0 to add, 1 to change, 0 to destroy" in plan.stdout  # nothing tells a legacy registry apart yet
    result = workspace.apply(check=False)
    assert result.returncode == 1
    assert_re_register_message(result.stderr, legacy_uid)
    assert only(clean_emulator)["uid"] == legacy_uid  # updated in place, not replaced
    state = workspace.resources()[HELM_BASIC.address]
    assert (state["auto_sync"], state["sync_supported"]) == (True, False)  # what Palette accepted, what it does

    for attempt in (workspace.plan(check=False), workspace.apply(f"-replace={HELM_BASIC.address}", check=False)):
        assert attempt.returncode == 1, attempt  # the refresh keeps the record: every plan stops at auto_sync
        assert_re_register_message(attempt.stderr, legacy_uid)
        assert "to change" not in attempt.stdout
    assert only(clean_emulator)["uid"] == legacy_uid

    workspace.run("taint", HELM_BASIC.address)
    assert "1 to add, 0 to change, 1 to destroy" in workspace.plan().stdout
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["uid"] != legacy_uid and stored["legacy"] is False and stored["spec"]["isSyncSupported"] is True
    assert workspace.resources()[HELM_BASIC.address]["sync_supported"] is True
    assert workspace.plan_changes() == 0


def assert_re_register_message(stderr: str, uid: str) -> None:
    """The error is at auto_sync (Terraform quotes the line under the `with` line that gives the address),
    names the registry and its uid, and gives the command."""
    message = " ".join(stderr.split())
    assert "Error: Registry must be re-registered to synchronize" in message
    assert f"with {HELM_BASIC.address}" in message and "auto_sync = true" in stderr
    assert f'registry "registry-a" (uid {uid})' in message and "created before Palette 4.5.0" in message
    assert "terraform taint <address>" in message and 'address in the "with" line above' in message
    assert "inconsistent result" not in message and "shown below" not in message


class _OnceThenBroken(BaseHTTPRequestHandler):
    """An OCI registry that answers `/v2/` once (Palette's validate), then fails (its sync)."""

    answered = 0

    def do_GET(self) -> None:
        type(self).answered += 1
        self.send_response(200 if type(self).answered == 1 else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_failed_sync_on_create_is_a_warning_and_no_taint(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    _OnceThenBroken.answered = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OnceThenBroken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        workspace.write(
            f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "this" {{
  name              = "registry-a"
  endpoint          = "http://127.0.0.1:{server.server_address[1]}"
  base_content_path = "charts"
  auto_sync         = true
  wait_for_sync     = true
}}
"""
        )
        result = workspace.apply(check=False)
    finally:
        server.shutdown()
        server.server_close()
    message = " ".join(result.output.split())
    assert result.returncode == 0, result
    assert "Warning: Registry synchronization failed" in message and "postcondition" in message
    state = workspace.resources()[HELM_BASIC.address]
    stored = only(clean_emulator)
    assert state["id"] == stored["uid"] and state["sync_status"] == "Failed" and state["sync_message"]
    assert "tainted" not in workspace.run("show", "-no-color").stdout
    assert "must be replaced" not in workspace.plan().stdout  # cluster profiles keep their registry
