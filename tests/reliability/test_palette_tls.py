"""The Palette API over HTTPS with a private CA, through real Terraform.

The emulator answers HTTPS with a certificate of the session's test CA (tests/palette's
`tls_emulator`). The provider trusts it when given the CA (`ca_certificate`, or
PALETTE_CA_CERTIFICATE holding the PEM or a path to it); a wrong or missing CA fails at once with
a clear message; `insecure = true` works and warns; plain http to a host that is not loopback is
refused before any connection, unless `insecure` allows it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace
from tests.palette.conftest import tls_emulator  # noqa: F401  (an HTTPS emulator, module-scoped)
from tests.reliability.support import LATEST, assert_no_crash

LIST_REGISTRIES = """
data "oci_registries" "all" {}

output "count" {
  value = length(data.oci_registries.all.registries)
}
"""


def provider_block(settings: str) -> str:
    return PROVIDER_BLOCK.replace('provider "oci" {}', f'provider "oci" {{\n{settings}\n}}')


@pytest.fixture
def https_workspace(tmp_path: Path, tf_version: str, tls_emulator: Emulator) -> Workspace:  # noqa: F811
    tls_emulator.reset()
    env = {
        "PALETTE_HOST": tls_emulator.url,
        "PALETTE_API_KEY": tls_emulator.api_key,
        "PALETTE_OCI_PREFLIGHT": "off",
        "PALETTE_MAX_RETRIES": "1",
    }
    return Workspace(tmp_path / "tf", tf_version, env=env)


def one_error(result: object) -> str:
    """The output as one line: Terraform wraps long diagnostics."""
    return " ".join(str(result).split())


def test_the_ca_in_the_provider_block_is_trusted(
    https_workspace: Workspace,
    tls_emulator: Emulator,  # noqa: F811
    test_ca: CertificateAuthority,
) -> None:
    ws = https_workspace
    test_ca.write_cert(ws.dir / "palette-ca.pem")
    ws.write(
        provider_block('  ca_certificate = file("palette-ca.pem")')
        + 'resource "oci_registry_helm" "r" {\n  name = "charts"\n  endpoint = "charts.example.com"\n}\n'
        + LIST_REGISTRIES.replace("{}", "{\n  depends_on = [oci_registry_helm.r]\n}")
    )
    applied = ws.apply()
    assert_no_crash(applied)
    assert [item["name"] for item in tls_emulator.registries()] == ["charts"]
    assert ws.outputs() == {"count": 1}
    assert ws.plan_changes() == 0


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
@pytest.mark.parametrize("as_path", [True, False], ids=["path", "pem"])
def test_the_ca_in_the_environment_is_trusted(
    as_path: bool, https_workspace: Workspace, test_ca: CertificateAuthority
) -> None:
    ws = https_workspace
    pem_file = test_ca.write_cert(ws.dir / "palette-ca.pem")
    ws.env["PALETTE_CA_CERTIFICATE"] = str(pem_file) if as_path else test_ca.cert_pem
    ws.write(provider_block("") + LIST_REGISTRIES)
    assert ws.apply().returncode == 0
    assert ws.outputs() == {"count": 0}


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
@pytest.mark.parametrize("ca", ["another", "none"])
def test_an_untrusted_certificate_fails_at_once_and_says_why(
    ca: str,
    https_workspace: Workspace,
    tls_emulator: Emulator,  # noqa: F811
) -> None:
    ws = https_workspace
    if ca == "another":
        CertificateAuthority.create("some other CA").write_cert(ws.dir / "other-ca.pem")
        ws.env["PALETTE_CA_CERTIFICATE"] = str(ws.dir / "other-ca.pem")
    ws.write(provider_block("") + LIST_REGISTRIES)
    result = ws.plan(check=False)
    assert result.returncode == 1
    assert_no_crash(result)
    message = one_error(result.stderr)
    assert "Error: Cannot reach Palette" in message
    assert f"could not connect to {tls_emulator.url}: its TLS certificate is not trusted" in message
    assert "give the CA certificate that signed it" in message
    assert "attempts" not in message  # not retried: trying again cannot make it trusted


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
def test_insecure_works_and_warns(https_workspace: Workspace) -> None:
    ws = https_workspace
    ws.write(provider_block("  insecure = true") + LIST_REGISTRIES)
    result = ws.apply()
    assert ws.outputs() == {"count": 0}
    assert "Warning: TLS verification of the Palette API is off" in one_error(result.output)


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
def test_plain_http_to_a_remote_host_is_refused_before_any_connection(https_workspace: Workspace) -> None:
    ws = https_workspace
    ws.env["PALETTE_HOST"] = "http://palette.invalid"
    ws.write(provider_block("") + LIST_REGISTRIES)
    refused = ws.plan(check=False)
    assert refused.returncode == 1
    message = one_error(refused.stderr)
    assert "Error: Invalid Palette host" in message
    assert "http://palette.invalid uses plain http, which would send the API key unencrypted" in message
    assert "use https://palette.invalid" in message
    assert "host name not found" not in message  # refused before even looking the name up

    # With insecure the same host is tried: the name does not resolve, which the refusal never got to.
    ws.write(provider_block("  insecure = true") + LIST_REGISTRIES)
    tried = ws.plan(check=False)
    assert tried.returncode == 1
    assert "could not connect to http://palette.invalid: host name not found" in one_error(tried.stderr)
