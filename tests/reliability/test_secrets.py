"""No secret in any output, log or diagnostic: canary values in every sensitive field (the basic
password, the ECR secret key, the API key) through plan, apply, import, refresh, update, failed
applies and destroy, with TF_LOG=trace (Terraform's log then carries the provider's own stderr).

The canaries are the real secrets of the session's parts (a docker-registry password and a moto
secret key, both random) and a random API key of an emulator started for this module, so every
command really succeeds with them. Besides each command's stdout and stderr, the scan covers the
emulator's request log and output and every file Terraform wrote. A canary is found when its
whole value, or its middle (what Palette's mask `abc***xyz` hides), appears.

The basic password and the ECR secret key are in terraform.tfstate, as Terraform stores every
sensitive value there; the API key is configuration only and must never be.

The secrets come from `sensitive` variables, as users pass them, on both Terraform versions; the
Packs registry synchronises, so later plans also render its sync status changing (drift) next to
a sensitive block.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.scenarios import ECR_HOST
from tests.harness.emulator import Emulator
from tests.harness.moto import AwsKeys, MotoServer
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Result, Workspace
from tests.reliability.support import assert_no_crash

API_KEY = "CANARY-api-key-" + secrets.token_hex(12)
WRONG_API_KEY = "CANARY-wrong-api-key-" + secrets.token_hex(12)
WRONG_PASSWORD = "CANARY-wrong-password-" + secrets.token_hex(12)

CONFIG = """\
terraform {
  required_providers {
    oci = { source = "palette/oci" }
  }
}

variable "palette_api_key" {
  type      = string
  sensitive = true
}
variable "registry_password" {
  type      = string
  sensitive = true
}
variable "ecr_secret_key" {
  type      = string
  sensitive = true
}

provider "oci" {
  api_key = var.palette_api_key
}

resource "oci_registry_helm" "basic" {
  name              = "charts"
  endpoint          = "%(registry)s"
  base_content_path = "%(path)s"
  basic_auth {
    username = "%(username)s"
    password = var.registry_password
  }
}

resource "oci_registry_packs" "ecr" {
  name              = "packs"
  endpoint          = "%(ecr_host)s"
  base_content_path = "%(path)s"
  ecr {
    access_key_id     = "%(access_key)s"
    secret_access_key = var.ecr_secret_key
  }
}

data "oci_registries" "all" {
  depends_on = [oci_registry_helm.basic, oci_registry_packs.ecr]
}
"""


@pytest.fixture(scope="module")
def canary_emulator(moto_server: MotoServer) -> Iterator[Emulator]:
    """An emulator whose only tenant key is the API key canary."""
    with Emulator(api_keys=(API_KEY,), validate="contact", env=moto_server.env()) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def aws_keys(moto_server: MotoServer) -> AwsKeys:
    return moto_server.create_user_with_keys("palette-ecr-secrets-" + secrets.token_hex(4))


class Leaks:
    """Everything the test produced, to be searched for canaries."""

    def __init__(self, canaries: dict[str, str]) -> None:
        self.canaries = canaries
        self.texts: dict[str, str] = {}

    def add(self, where: str, text: str) -> None:
        self.texts[where] = text

    def command(self, where: str, result: Result) -> Result:
        assert_no_crash(result)
        self.add(where, result.output)
        return result

    def found(self) -> list[str]:
        return [
            f"{name} in {where}"
            for where, text in self.texts.items()
            for name, value in self.canaries.items()
            if value in text or value[3:-3] in text
        ]


def files_terraform_wrote(ws: Workspace, *, skip: tuple[str, ...]) -> dict[str, str]:
    return {
        str(path.relative_to(ws.dir)): path.read_text(errors="replace")
        for path in sorted(ws.dir.rglob("*"))
        if path.is_file() and not path.name.startswith(skip) and path.stat().st_size < 5_000_000
    }


def test_no_secret_leaks_through_any_command(
    tmp_path: Path,
    tf_version: str,
    canary_emulator: Emulator,
    docker_registry: DockerRegistry,
    aws_keys: AwsKeys,
) -> None:
    emulator = canary_emulator
    emulator.reset()
    password, secret_key = docker_registry.password, aws_keys.secret_access_key
    assert len(password) >= 12 and len(secret_key) >= 12  # long enough to be searched for safely
    leaks = Leaks(
        {
            "basic password": password,
            "ECR secret key": secret_key,
            "API key": API_KEY,
            "wrong API key": WRONG_API_KEY,
            "wrong password": WRONG_PASSWORD,
        }
    )
    ws = Workspace(
        tmp_path / "tf",
        tf_version,
        env={
            "PALETTE_HOST": emulator.url,
            "PALETTE_OCI_PREFLIGHT": "off",
            "PALETTE_MAX_RETRIES": "1",
            "TF_LOG": "trace",
            "TF_VAR_palette_api_key": API_KEY,
            "TF_VAR_registry_password": password,
            "TF_VAR_ecr_secret_key": secret_key,
        },
    )

    def write(path: str = "charts") -> None:
        ws.write(
            CONFIG
            % {
                "registry": docker_registry.url,
                "username": docker_registry.username,
                "ecr_host": ECR_HOST,
                "access_key": aws_keys.access_key_id,
                "path": path,
            }
        )

    write()
    leaks.command("plan", ws.plan())
    leaks.command("apply", ws.apply())
    uids = {item["name"]: item["uid"] for item in emulator.registries()}
    assert set(uids) == {"charts", "packs"}
    leaks.command("plan after apply", ws.plan())
    ws.state_rm("oci_registry_helm.basic")
    ws.state_rm("oci_registry_packs.ecr")
    leaks.command("import by name", ws.import_("oci_registry_helm.basic", "charts"))
    leaks.command("import by uid", ws.import_("oci_registry_packs.ecr", uids["packs"]))
    leaks.command("refresh", ws.run("apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"))
    leaks.command("apply after import", ws.apply())
    write(path="charts-v2")
    leaks.command("update", ws.apply())

    # Failures: Palette refuses a password (its message quotes the request), and the API key.
    failing = leaks.command(
        "wrong password",
        ws.run("apply", "-no-color", "-auto-approve", check=False, env={"TF_VAR_registry_password": WRONG_PASSWORD}),
    )
    assert failing.returncode == 1 and "Palette refused the registry" in failing.stderr
    failing = leaks.command(
        "wrong API key", ws.run("plan", "-no-color", check=False, env={"TF_VAR_palette_api_key": WRONG_API_KEY})
    )
    assert failing.returncode == 1 and "Palette rejected the API key" in failing.stderr

    state_files = files_terraform_wrote(ws, skip=("main.tf",))
    state = json.loads((ws.dir / "terraform.tfstate").read_text())
    leaks.command("destroy", ws.destroy())
    assert emulator.registries() == []

    # The provider's log lines reached the captured output: what was searched includes them.
    assert "provider.palette: GET /v1/registries/oci/" in leaks.texts["refresh"]
    assert "provider.palette: PUT /v1/registries/oci/" in leaks.texts["update"]
    leaks.add("the emulator's request log", json.dumps(emulator.requests()))
    assert emulator.process is not None
    leaks.add("the emulator's output", "\n".join(emulator.process.stdout_lines) + emulator.process.stderr_tail(200))
    for name, text in files_terraform_wrote(ws, skip=("main.tf", "terraform.tfstate")).items():
        leaks.add(name, text)
    assert leaks.found() == []

    # terraform.tfstate: the configured secrets (Terraform keeps sensitive values there), never the key.
    for name, text in state_files.items():
        assert API_KEY[3:-3] not in text and WRONG_API_KEY[3:-3] not in text, name
    secrets_in_state = [instance["attributes"] for r in state["resources"] for instance in r["instances"]]
    basic_auth = {"password": password, "username": docker_registry.username}
    blocks = [a.get("basic_auth") for a in secrets_in_state]  # a block is a list of one in state
    assert [basic_auth] in [[{k: b[0][k] for k in basic_auth}] for b in blocks if b]
    assert all(b[0]["password_wo"] is None for b in blocks if b)  # write-only: never in a state


SENSITIVE_VARIABLE = """\
terraform {
  required_providers {
    oci = { source = "palette/oci" }
  }
}

provider "oci" {}

variable "password" {
  type      = string
  sensitive = true
}

resource "oci_registry_helm" "this" {
  name              = "charts"
  endpoint          = "%(endpoint)s"
  base_content_path = "%(path)s"
  basic_auth {
    username = "%(username)s"
    password = var.password
  }
}
"""


def test_an_update_with_a_password_from_a_sensitive_variable(
    workspace: Workspace, docker_registry: DockerRegistry
) -> None:
    """How most users pass a password. Terraform 1.0.3 crashes rendering the plan of any change to a
    registry whose block holds a value from a sensitive variable ("value is marked, so must be
    unmarked first") when the block has nesting mode single: our blocks are lists of at most one
    on the wire for that reason (tfx.SingleNestedBlock)."""
    workspace.env["TF_VAR_password"] = docker_registry.password

    def write(path: str) -> None:
        endpoint, username = docker_registry.url, docker_registry.username
        workspace.write(SENSITIVE_VARIABLE % {"endpoint": endpoint, "username": username, "path": path})

    write("charts")
    workspace.apply()
    write("charts-v2")
    result = workspace.apply(check=False)
    assert "TERRAFORM CRASH" not in result.output
    assert result.returncode == 0, result


# ------------------------------------------------------------------ Palette echoing a configured secret

ECHOING_CONFIG = """%(provider)s
variable "password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "oci_registry_helm" "charts" {
  name              = "charts"
  endpoint          = "%(endpoint)s"
  base_content_path = "charts"
  auto_sync         = true
  wait_for_sync     = true
  basic_auth {
    username            = "robot"
    password_wo         = var.password
    password_wo_version = 1
  }

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.oci_registry_sync.charts]
    }
  }
}

action "oci_registry_sync" "charts" {
  config {
    uid = oci_registry_helm.charts.id
  }
}
"""


FAILED_STATUS = [
    {"method": "GET", "path": "/sync/status$", "kind": "status", "status": 200, "content_type": "application/json"}
]


def test_a_sync_message_echoing_a_write_only_password_is_redacted(
    tmp_path: Path, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    """Issue 21, item 13: Palette's sync message quotes the configured `password_wo` as it is, not in URL
    form. The resource's sync wait (a warning), `sync_message` in the state and the action's progress and
    error (Terraform 1.15.5: actions are 1.14+) show `<redacted>` instead, also in a refresh and an
    `-invoke` of the action, whose processes never see the write-only value (they go by Palette's mask of
    it, `abc***xyz`). The anonymous docker-registry lets any password through Palette's validate, so the
    canary is random."""
    from tests.acceptance.conftest import palette_env
    from tests.acceptance.scenarios import PROVIDER_BLOCK

    canary = "CANARY-echo-" + secrets.token_hex(12)
    leak = f"login to 127.0.0.1 as robot with password {canary} failed: 401"
    failed = json.dumps({"isSyncSupported": True, "status": "Failed", "message": leak})
    emulator = clean_emulator
    emulator.set_faults([{**fault, "body": failed} for fault in FAILED_STATUS])
    ws = Workspace(tmp_path / "tf", "1.15.5", env={**palette_env(emulator), "TF_VAR_password": canary})
    ws.write(ECHOING_CONFIG % {"provider": PROVIDER_BLOCK, "endpoint": public_registry.url})

    applied = ws.apply(check=False)
    assert_no_crash(applied)
    assert applied.returncode == 1 and "Registry synchronization failed" in applied.output, applied
    assert "with password <redacted> failed" in " ".join(applied.output.split()), applied
    (uid,) = [r["uid"] for r in emulator.registries()]
    emulator.clear_faults()
    emulator.end_sync(uid, "Failed", leak)
    refreshed = ws.run("apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false")
    assert_no_crash(refreshed)
    state = (ws.dir / "terraform.tfstate").read_text()
    # The action alone, in processes that never saw the configuration's write-only password.
    emulator.set_faults([{**fault, "body": failed} for fault in FAILED_STATUS])
    invoked = ws.run("apply", "-invoke=action.oci_registry_sync.charts", "-auto-approve", "-no-color", check=False)
    assert_no_crash(invoked)
    assert invoked.returncode == 1 and "with password <redacted> failed" in " ".join(invoked.output.split()), invoked
    assert ws.resources()["oci_registry_helm.charts"]["sync_message"] == leak.replace(canary, "<redacted>")
    assert [
        name
        for name, text in {
            "apply": applied.output,
            "refresh": refreshed.output,
            "state": state,
            "invoke": invoked.output,
        }.items()
        if canary in text
    ] == []


def test_a_proxy_never_sees_a_loopback_palette(tmp_path: Path, clean_emulator: Emulator) -> None:
    """Issue 21, item 10: with every proxy variable set, a plain-http Palette on 127.0.0.1 is reached
    directly. Before, the provider sent its ApiKey header in clear to the proxy, and the plan failed with
    only "Cannot reach Palette"."""
    from tests.acceptance.conftest import palette_env
    from tests.acceptance.scenarios import PROVIDER_BLOCK
    from tests.harness.proxy import RecordingProxy

    with RecordingProxy() as proxy:
        proxies = {name: proxy.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy")}
        ws = Workspace(tmp_path / "tf", "1.15.5", env={**palette_env(clean_emulator), **proxies})
        ws.write(f"""{PROVIDER_BLOCK}
data "oci_registries" "all" {{}}
""")
        planned = ws.plan()
        assert_no_crash(planned)
    assert [text for text in proxy.received if clean_emulator.api_key in text or "127.0.0.1" in text] == []


def test_a_relative_xdg_cache_home_keeps_the_plugin_key_out_of_the_working_directory(
    tmp_path: Path, clean_emulator: Emulator
) -> None:
    """Issue 21, item 15: the provider Terraform starts stores its TLS certificate and private key under
    the XDG cache; a relative XDG_CACHE_HOME is ignored (as the XDG spec says), not resolved against the
    directory Terraform runs in."""
    from tests.acceptance.conftest import palette_env
    from tests.acceptance.scenarios import PROVIDER_BLOCK

    ws = Workspace(tmp_path / "tf", "1.15.5", env={**palette_env(clean_emulator), "XDG_CACHE_HOME": "cache"})
    ws.write(f"""{PROVIDER_BLOCK}
data "oci_registries" "all" {{}}
""")
    assert_no_crash(ws.plan())
    assert not (ws.dir / "cache").exists(), sorted(p.name for p in ws.dir.iterdir())
