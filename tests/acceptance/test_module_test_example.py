"""examples/module-test runs as its guide says: `terraform init && terraform test` on Terraform 1.15.5
(`terraform test` is 1.6+), against a palette-emulator started as the CI example starts it
(`--validate accept`: the module's endpoints are illustrative). The provider comes from this checkout
(the Workspace's dev_overrides) and reads PALETTE_HOST and PALETTE_API_KEY from the environment.

Every run block must pass (a plan asserting planned values, a plan expected to fail at a variable,
an apply asserting outputs and `sync_status`), and `terraform test` must leave nothing in Palette:
it destroys what the runs created."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.emulator import Emulator
from tests.harness.terraform import REPO, Workspace

EXAMPLE = REPO / "examples" / "module-test"
VERSION = "1.15.5"


@pytest.fixture
def accepting_emulator() -> Iterator[Emulator]:
    with Emulator(validate="accept") as emulator:
        yield emulator


def test_the_module_test_example_passes_terraform_test(tmp_path: Path, accepting_emulator: Emulator) -> None:
    workspace = Workspace(
        tmp_path / "module",
        VERSION,
        env={"PALETTE_HOST": accepting_emulator.url, "PALETTE_API_KEY": accepting_emulator.api_key},
    )
    for source in EXAMPLE.glob("*.tf"):
        shutil.copy(source, workspace.dir / source.name)
    shutil.copytree(EXAMPLE / "tests", workspace.dir / "tests")

    workspace.run("init", "-no-color", "-input=false")
    tested = workspace.run("test", "-no-color", check=False)
    assert tested.returncode == 0, tested.output
    for run in ("plans_the_charts_registry_only", "refuses_a_team_name_with_capitals", "registers_and_syncs"):
        assert f'run "{run}"... pass' in tested.stdout, tested.output
    assert "Success! 3 passed, 0 failed." in tested.stdout, tested.output

    # The apply reached Palette: both registries were created (the plans created nothing).
    requests = accepting_emulator.requests()
    created = [r for r in requests if r["method"] == "POST" and r["path"] == "/v1/registries/oci/basic"]
    assert len(created) == 2, requests
    assert accepting_emulator.registries() == []  # `terraform test` destroyed them
