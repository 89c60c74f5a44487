"""examples/next-to-oracle-oci through Terraform 1.0.3 and 1.15.5: this provider next to Oracle's.

Both providers are `oci` by type. The example gives Oracle's (`oracle/oci`) the local name `oci` and
this one the local name `palette`, with `provider = palette` on each of its resources. Oracle's
provider is a stand-in under its address (`harness/oracle_standin.py`: its provider settings, one
resource and one data source, served by this repository's protocol layer), in the same filesystem
mirror as this provider's package; the CLI config takes both from the mirror and excludes both from
direct installation, and a recording proxy (`harness/offline.py`) shows nothing was asked of a
public registry. `init` records both providers; `plan` gives each resource to its provider; `apply`
registers the OCIR repository's path with the emulator (validate `accept`: the OCIR host is
illustrative) and `destroy` removes it. Without `provider = palette` Terraform refuses the plan,
naming Oracle's provider: the mistake the guide warns about. A module that calls this provider
`palette` inherits it; one that calls it `oci` cannot be given it (`providers = { oci = palette }` is
refused where the caller's `oci` is Oracle's).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from provider.launch import install
from tests.harness.emulator import Emulator
from tests.harness.offline import RecordingProxy, offline_env, printed_config, recording_proxy
from tests.harness.oracle_standin import NAMESPACE, standin_package
from tests.harness.terraform import REPO, VERSIONS, terraform_binary

# Cold (two providers from one filesystem mirror, launched as installed): tests/conftest.py
pytestmark = pytest.mark.cold

EXAMPLE = REPO / "examples" / "next-to-oracle-oci"
ORACLE_VERSION = "7.0.0"  # any: the example does not pin Oracle's provider
BOTH = '["registry.terraform.io/palette/oci", "registry.terraform.io/oracle/oci"]'


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(sync_delay=0.2, validate="accept") as emu:
        yield emu


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with recording_proxy() as recorder:
        yield recorder


class Machine:
    """A copy of the example in a working directory, both providers in one mirror, Terraform offline."""

    def __init__(self, root: Path, version: str, proxy: RecordingProxy, emulator: Emulator) -> None:
        self.binary = terraform_binary(version)
        self.work = root / "work"
        shutil.copytree(EXAMPLE, self.work)
        self.env = offline_env(root, proxy, root / "terraformrc")
        mirror = root / "mirror"
        printed_config(mirror, self.env)  # installs this provider's package into the mirror
        standin_package(mirror, ORACLE_VERSION, install.terraform_platform())
        Path(self.env["TF_CLI_CONFIG_FILE"]).write_text(
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n    include = {BOTH}\n  }}\n"
            f"  direct {{\n    exclude = {BOTH}\n  }}\n"
            "}\n"
        )
        self.env.update(
            PALETTE_HOST=emulator.url,
            PALETTE_API_KEY=emulator.api_key,
            PALETTE_OCI_PREFLIGHT="off",  # the OCIR host is illustrative
            TF_VAR_ocir_auth_token="not-a-real-token",
        )

    def run(self, command: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.binary), command, "-no-color", *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert not check or done.returncode == 0, done.stdout + done.stderr
        return done


@pytest.mark.parametrize("version", VERSIONS)
def test_the_example_resolves_both_providers_through_init_plan_apply_and_destroy(
    version: str, tmp_path: Path, proxy: RecordingProxy, emulator: Emulator
) -> None:
    emulator.reset()
    machine = Machine(tmp_path, version, proxy, emulator)
    machine.run("init", "-input=false")
    lock = (machine.work / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/oracle/oci"' in lock
    assert 'provider "registry.terraform.io/palette/oci"' in lock

    machine.run("plan", "-input=false", "-out=plan.bin")
    shown = json.loads(machine.run("show", "-json", "plan.bin").stdout)
    providers = {change["address"]: change["provider_name"] for change in shown["resource_changes"]}
    assert providers == {
        "oci_artifacts_container_repository.charts": "registry.terraform.io/oracle/oci",
        "oci_registry_helm.charts": "registry.terraform.io/palette/oci",
    }

    machine.run("apply", "plan.bin")
    (registry,) = emulator.registries()
    spec = registry["spec"]
    assert registry["name"] == "team-a-ocir-charts" and registry["providerType"] == "helm"
    assert spec["endpoint"] == "https://fra.ocir.io"
    assert spec["baseContentPath"] == f"{NAMESPACE}/team-a/charts"
    assert machine.run("plan", "-input=false", "-detailed-exitcode", check=False).returncode == 0

    machine.run("destroy", "-input=false", "-auto-approve")
    assert emulator.registries() == []
    assert proxy.requests == []


@pytest.mark.parametrize("version", VERSIONS)
def test_without_provider_palette_terraform_gives_the_resource_to_oracle(
    version: str, tmp_path: Path, proxy: RecordingProxy, emulator: Emulator
) -> None:
    machine = Machine(tmp_path, version, proxy, emulator)
    main_tf = machine.work / "main.tf"
    main_tf.write_text(main_tf.read_text().replace("  provider = palette\n", ""))
    machine.run("init", "-input=false")
    refused = machine.run("plan", "-input=false", check=False)
    assert refused.returncode == 1
    said = " ".join((refused.stdout + refused.stderr).split())
    assert "Invalid resource type" in said, said
    assert 'The provider oracle/oci does not support resource type "oci_registry_helm"' in said, said
    assert emulator.registries() == [] and proxy.requests == []


PALETTE_MODULE = """\
terraform {
  required_providers {
    palette = { source = "palette/oci" }
  }
}

variable "endpoint" {
  type = string
}

resource "oci_registry_helm" "charts" {
  provider = palette

  name     = "team-b-charts"
  endpoint = var.endpoint
}
"""


def call_module(machine: Machine, module: Path, providers: str) -> None:
    shutil.copytree(module, machine.work / "module")
    (machine.work / "module.tf").write_text(
        f'module "registries" {{\n  source = "./module"\n{providers}\n  endpoint = "https://${{var.ocir_host}}"\n}}\n'
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_a_module_that_calls_this_provider_palette_inherits_the_callers_palette(
    version: str, tmp_path: Path, proxy: RecordingProxy, emulator: Emulator
) -> None:
    module = tmp_path / "palette-module"
    module.mkdir()
    (module / "main.tf").write_text(PALETTE_MODULE)
    machine = Machine(tmp_path, version, proxy, emulator)
    call_module(machine, module, "")  # no providers map: the caller's `palette` by its name
    machine.run("init", "-input=false")
    machine.run("plan", "-input=false", "-out=plan.bin")
    shown = json.loads(machine.run("show", "-json", "plan.bin").stdout)
    providers = {change["address"]: change["provider_name"] for change in shown["resource_changes"]}
    assert providers["module.registries.oci_registry_helm.charts"] == "registry.terraform.io/palette/oci"
    assert providers["oci_artifacts_container_repository.charts"] == "registry.terraform.io/oracle/oci"
    assert proxy.requests == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_module_that_calls_this_provider_oci_cannot_be_given_it_next_to_oracles(
    version: str, tmp_path: Path, proxy: RecordingProxy, emulator: Emulator
) -> None:
    # What the guide warns about: examples/ci/module calls this provider `oci`; where the caller's `oci`
    # is Oracle's, Terraform refuses `providers = { oci = palette }` (both versions, before any provider runs).
    machine = Machine(tmp_path, version, proxy, emulator)
    call_module(machine, REPO / "examples" / "ci" / "module", "  providers = { oci = palette }\n")
    module_tf = machine.work / "module.tf"
    module_tf.write_text(
        module_tf.read_text().replace(
            "\n  endpoint", '\n  team     = "team-b"\n  username = "robot"\n  password = "x"\n  endpoint'
        )
    )
    refused = machine.run("init", "-input=false", check=False)
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 1
    assert "Provider type mismatch" in said or "for a different provider type" in said, said
