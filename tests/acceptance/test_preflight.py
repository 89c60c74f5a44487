"""Preflight through real Terraform: "plan" fails `terraform plan` at the attribute, "apply" stops the
create before Palette hears of it, "off" (and a per-resource override) contacts no registry at all."""

from __future__ import annotations

import secrets
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace
from tests.preflight.tokens import TokenAuthRegistry, TokenService


class CountingListener:
    """A TCP port that accepts connections, counts them and closes them: no registry, but a witness."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def witness() -> Iterator[CountingListener]:
    listener = CountingListener()
    yield listener
    listener.close()


def helm(endpoint: str, password: str, extra: str = "") -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "this" {{
  name     = "charts"
  endpoint = "{endpoint}"{extra}
  basic_auth {{
    username = "palette-ci"
    password = "{password}"
  }}
}}
"""


def test_plan_mode_fails_the_plan_at_the_password(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.env["PALETTE_OCI_PREFLIGHT"] = "plan"
    workspace.write(helm(parts.registry.url, "not-the-password"))
    result = workspace.plan(check=False)
    assert result.returncode == 1
    assert "Error: Preflight:" in result.stderr
    quoted = 'password = "not-the-password"'  # Terraform quotes the attribute's line of the configuration
    assert quoted in result.stderr
    assert "not-the-password" not in result.stderr.split(quoted)[-1]  # the message itself never holds it
    assert clean_emulator.requests() == []


def test_plan_mode_passes_a_good_registry(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.env["PALETTE_OCI_PREFLIGHT"] = "plan"
    workspace.write(helm(parts.registry.url, parts.registry.password))
    assert "Error" not in workspace.plan().stderr
    workspace.apply()
    assert [r["name"] for r in clean_emulator.registries()] == ["charts"]


def test_apply_mode_stops_the_create_before_palette(
    workspace: Workspace, clean_emulator: Emulator, witness: CountingListener
) -> None:
    workspace.env["PALETTE_OCI_PREFLIGHT"] = "apply"
    workspace.write(helm(f"http://127.0.0.1:{witness.port}", "pw"))
    workspace.plan()  # "apply" mode does not check during plan
    assert witness.connections == 0
    result = workspace.apply(check=False)
    assert result.returncode == 1 and "Preflight:" in result.stderr
    assert witness.connections >= 1
    assert [r for r in clean_emulator.requests() if r["method"] != "GET"] == []


@pytest.mark.parametrize(
    ("provider_mode", "override"),
    [("off", ""), ("plan", '\n  preflight = "off"')],
    ids=["provider-off", "resource-override"],
)
def test_off_contacts_no_registry(
    provider_mode: str, override: str, workspace: Workspace, clean_emulator: Emulator, witness: CountingListener
) -> None:
    workspace.env["PALETTE_OCI_PREFLIGHT"] = provider_mode
    workspace.write(helm(f"http://127.0.0.1:{witness.port}", "pw", override))
    workspace.plan()
    assert witness.connections == 0


def test_credentials_never_go_to_a_plain_http_token_service(
    workspace: Workspace,
    clean_emulator: Emulator,
    tmp_path_factory: pytest.TempPathFactory,
    test_ca: CertificateAuthority,
) -> None:
    """Issue 21, item 11: an https registry whose Bearer realm is http:// fails the plan at the password,
    saying why, and its token service never sees the password."""
    service = TokenService(test_ca, "palette-ci", "tk-" + secrets.token_hex(8), tls=False).start()
    registry = TokenAuthRegistry(tmp_path_factory.mktemp("http-realm"), ca=test_ca, token_service=service)
    try:
        registry.start()
        workspace.env["PALETTE_OCI_PREFLIGHT"] = "plan"
        ca = test_ca.cert_pem.replace("\n", "\\n")
        workspace.write(helm(registry.host, service.password, f'\n  tls {{\n    ca_certificate = "{ca}"\n  }}'))
        result = workspace.plan(check=False)
    finally:
        registry.stop()
        service.stop()
    assert result.returncode == 1, result
    errors = " ".join(result.stderr.split())
    assert "Error: Preflight: Token service over plain HTTP" in errors, result
    assert f'password = "{service.password}"' in result.stderr  # Terraform quotes the attribute's line
    assert "over plain HTTP" in errors and "https:// token service" in errors
    assert service.requests == []
    assert clean_emulator.requests() == []


def test_a_short_password_leaves_the_registrys_words_alone(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """Issue 24: with `password = "e"` every "e" of the message became "******" ("R******gistry
    r******j******ct******d"). A secret this short is not looked for in text (it is part of ordinary
    words); the words stay whole."""
    workspace.env["PALETTE_OCI_PREFLIGHT"] = "plan"
    workspace.write(helm(parts.registry.url, "e"))
    result = workspace.plan(check=False)
    assert result.returncode == 1, result
    errors = " ".join(result.stderr.split())
    assert "Error: Preflight: Registry rejected the credentials" in errors, result
    assert "(HTTP 401). Check them; for a robot account or an access token" in errors, result
    assert "******" not in result.stderr, result


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])  # nothing listens there once closed


@pytest.mark.parametrize(
    ("provider_mode", "resource", "advice"),
    [
        ("off", '\n  preflight = "plan"', 'set preflight = "off" on this resource: its preflight = "plan" overrides'),
        ("plan", "", 'set PALETTE_OCI_PREFLIGHT=off, where preflight = "plan" comes from, or preflight = "off" on'),
    ],
    ids=["resource", "environment"],
)
def test_the_advice_to_turn_preflight_off_names_where_it_was_set(
    provider_mode: str, resource: str, advice: str, workspace: Workspace, clean_emulator: Emulator
) -> None:
    """Issue 24: the advice said "in the provider block" when the resource's preflight = "plan" had
    overridden the provider's "off"."""
    workspace.env["PALETTE_OCI_PREFLIGHT"] = provider_mode
    workspace.write(helm(f"http://127.0.0.1:{_closed_port()}", "pw", resource))
    result = workspace.plan(check=False)
    assert result.returncode == 1, result
    errors = " ".join(result.stderr.split())
    assert "Error: Preflight:" in errors and advice in errors, result
    assert "in the provider block" not in errors


def test_the_emulators_validate_refusal_names_validate_accept(workspace: Workspace, clean_emulator: Emulator) -> None:
    """Issue 24: with preflight off, palette-emulator's own contact check refused the create; its
    message now says how to turn that check off (`--validate accept`), which Terraform shows."""
    workspace.env["PALETTE_OCI_PREFLIGHT"] = "off"
    workspace.write(helm(f"http://127.0.0.1:{_closed_port()}", "pw"))
    result = workspace.apply(check=False)
    assert result.returncode == 1, result
    errors = " ".join(result.stderr.split())
    assert "unreachable" in errors and "start it with --validate accept" in errors, result
    assert clean_emulator.registries() == []
