"""Every example directory passes real `terraform validate` (1.0.3 and 1.15.5) on its own.

The examples are what docs/ shows users, so they must be valid configurations, and `validate`
runs the provider's plan-time rules too (ValidateResourceConfig), not just HCL syntax. Each
directory is copied into a Workspace, whose dev_overrides send `palette/oci` to this checkout's
provider. No credentials are needed and Palette is never contacted.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.harness.terraform import REPO, VERSIONS, Workspace

EXAMPLES = REPO / "examples"
# The directories docs/ embeds from; actions (Terraform 1.14+) validate on 1.15.5 only: 1.0.3 cannot parse
# an `action` block (their versions.tf requires >= 1.14, which `terraform init` reports on older versions).
ACTION_EXAMPLE_DIRS = sorted((EXAMPLES / "actions").iterdir())
DOC_EXAMPLE_DIRS = sorted(
    [EXAMPLES / "provider", *(EXAMPLES / "resources").iterdir(), *(EXAMPLES / "data-sources").iterdir()]
)
ACTIONS_VERSION = "1.15.5"
# Configurations users run as they are (tests/acceptance/test_quickstart.py applies them to the emulator).
# `list` blocks for `terraform query` (Terraform 1.14+): `terraform validate -query` reads their .tfquery.hcl files.
LIST_EXAMPLE_DIRS = sorted((EXAMPLES / "list-resources").iterdir())
QUICKSTART = EXAMPLES / "quickstart"
CI = EXAMPLES / "ci"  # module/, and test/ using it
MODULE_TEST = EXAMPLES / "module-test"  # run by `terraform test` in tests/acceptance/test_module_test_example.py
# Needs Oracle's provider too: acceptance/test_next_to_oracle.py runs it through init, plan and apply.
NEXT_TO_ORACLE = EXAMPLES / "next-to-oracle-oci"
# Examples in syntax newer than Terraform 1.0.3: each with the version that brought it, and why.
NEWER = {
    EXAMPLES / "write-only": ("1.11", "write-only arguments (password_wo) need Terraform 1.11"),
    EXAMPLES / "import-by-identity": ("1.12", "import blocks with a resource identity need Terraform 1.12"),
}


def older_than(version: str, minimum: str) -> bool:
    return tuple(map(int, version.split("."))) < tuple(map(int, minimum.split(".")))


def workspace_with(example: Path, directory: Path, version: str) -> Workspace:
    workspace = Workspace(directory, version)
    for source in sorted([*example.glob("*.tf"), *example.glob("*.tfquery.hcl")]):
        shutil.copy(source, workspace.dir / source.name)
    return workspace


def test_every_resource_data_source_and_action_has_an_example_directory() -> None:
    names = {d.relative_to(EXAMPLES).as_posix() for d in DOC_EXAMPLE_DIRS + ACTION_EXAMPLE_DIRS}
    assert names == {
        "provider",
        "resources/oci_registry_helm",
        "resources/oci_registry_zarf",
        "resources/oci_registry_packs",
        "data-sources/oci_registry",
        "data-sources/oci_registries",
        "actions/oci_registry_sync",
    }
    assert {d.name for d in LIST_EXAMPLE_DIRS} == {"oci_registry_helm", "oci_registry_zarf", "oci_registry_packs"}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("example", DOC_EXAMPLE_DIRS, ids=lambda d: d.relative_to(EXAMPLES).as_posix())
def test_example_directory_validates(example: Path, version: str, tmp_path: Path) -> None:
    workspace = workspace_with(example, tmp_path / "work", version)

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 0, str(result)
    assert "Success! The configuration is valid" in result.stdout, str(result)


@pytest.mark.parametrize("example", LIST_EXAMPLE_DIRS, ids=lambda d: d.name)
def test_list_resource_example_validates_with_query(example: Path, tmp_path: Path) -> None:
    workspace = workspace_with(example, tmp_path / "work", "1.15.5")  # Terraform 1.0.3 has no `list` blocks

    result = workspace.run("validate", "-query", "-no-color", check=False)

    assert result.returncode == 0, str(result)
    assert "Success! The configuration is valid" in result.stdout, str(result)


@pytest.mark.parametrize("example", ACTION_EXAMPLE_DIRS, ids=lambda d: d.relative_to(EXAMPLES).as_posix())
def test_action_example_directory_validates(example: Path, tmp_path: Path) -> None:
    workspace = workspace_with(example, tmp_path / "work", ACTIONS_VERSION)

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 0, str(result)
    assert "Success! The configuration is valid" in result.stdout, str(result)


def test_validate_query_applies_the_list_filter_rule(tmp_path: Path) -> None:
    """The check above reaches the provider: an endpoint filter no registry can have is refused at its line."""
    workspace = workspace_with(EXAMPLES / "list-resources" / "oci_registry_helm", tmp_path / "work", "1.15.5")
    query = workspace.dir / "list-resource.tfquery.hcl"
    query.write_text(query.read_text().replace('"https://harbor.example.com"', '"ftp://harbor.example.com"'))

    result = workspace.run("validate", "-query", "-no-color", check=False)

    assert result.returncode == 1, str(result)
    assert "Invalid endpoint filter" in result.output and 'endpoint    = "ftp://harbor.example.com"' in result.output


def test_validate_applies_the_action_rules_to_its_example(tmp_path: Path) -> None:
    """ValidateActionConfig runs at validate: the example with a timeout that is no duration is refused."""
    workspace = workspace_with(EXAMPLES / "actions" / "oci_registry_sync", tmp_path / "work", ACTIONS_VERSION)
    action_tf = workspace.dir / "action.tf"
    original = action_tf.read_text()
    action_tf.write_text(original.replace('timeout = "15m"', 'timeout = "a while"'))
    assert action_tf.read_text() != original

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 1, str(result)
    assert "Invalid timeout" in result.output and '"a while" is not a duration' in result.output, str(result)


@pytest.mark.parametrize("version", VERSIONS)
def test_validate_applies_the_provider_rules_to_an_example(version: str, tmp_path: Path) -> None:
    """The check above means something: a Zarf example with auto_sync = true is refused at validate."""
    workspace = workspace_with(EXAMPLES / "resources" / "oci_registry_zarf", tmp_path / "work", version)
    resource_tf = workspace.dir / "resource.tf"
    original = resource_tf.read_text()
    opening = 'resource "oci_registry_zarf" "packages" {\n'
    resource_tf.write_text(original.replace(opening, opening + "  auto_sync = true\n"))
    assert resource_tf.read_text() != original

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 1, str(result)
    assert "Automatic synchronization is not supported for Zarf registries" in result.output


@pytest.mark.parametrize("version", VERSIONS)
def test_examples_are_formatted_as_terraform_fmt_writes_them(version: str, tmp_path: Path) -> None:
    copies = tmp_path / "examples"
    # One tree: Terraform 1.0.3's fmt takes one directory (and formats `action` and `list` blocks as any other).
    for example in [
        *DOC_EXAMPLE_DIRS,
        *LIST_EXAMPLE_DIRS,
        *ACTION_EXAMPLE_DIRS,
        QUICKSTART,
        CI,
        MODULE_TEST,
        NEXT_TO_ORACLE,
        *NEWER,
    ]:
        shutil.copytree(example, copies / example.relative_to(EXAMPLES))
    workspace = Workspace(tmp_path / "work", version)

    result = workspace.run("fmt", "-check", "-diff", "-recursive", "-no-color", str(copies), check=False)

    assert result.returncode == 0, str(result)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("example", sorted(NEWER), ids=lambda d: d.relative_to(EXAMPLES).as_posix())
def test_newer_syntax_example_validates(example: Path, version: str, tmp_path: Path) -> None:
    minimum, why = NEWER[example]
    if older_than(version, minimum):
        pytest.skip(f"{why}; Terraform {version} is older (its refusal is tested below)")
    workspace = workspace_with(example, tmp_path / "work", version)

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 0, str(result)
    assert "Success! The configuration is valid" in result.stdout, str(result)


@pytest.mark.parametrize("example", sorted(NEWER), ids=lambda d: d.relative_to(EXAMPLES).as_posix())
def test_newer_syntax_examples_are_skipped_on_1_0_3_for_a_true_reason(example: Path, tmp_path: Path) -> None:
    """The skip above is not a convenience: Terraform 1.0.3 cannot parse these examples at all (it reports
    the unknown syntax before it would check required_version)."""
    workspace = workspace_with(example, tmp_path / "work", "1.0.3")

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 1, str(result)
    assert "is not expected here" in result.output, str(result)
    assert "ephemeral" in result.output, str(result)  # both examples take the password from an ephemeral variable


@pytest.mark.parametrize("version", VERSIONS)
def test_quickstart_example_validates(version: str, tmp_path: Path) -> None:
    workspace = workspace_with(QUICKSTART, tmp_path / "work", version)

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 0, str(result)
    assert "Success! The configuration is valid" in result.stdout, str(result)


@pytest.mark.parametrize("version", VERSIONS)
def test_ci_example_module_and_its_test_validate(version: str, tmp_path: Path) -> None:
    shutil.copytree(CI, tmp_path / "ci")  # test/ reaches the module as ../module
    workspace = Workspace(tmp_path / "ci" / "test", version)
    workspace.run("get", "-no-color")  # installs the local module; validate needs it, and no init runs here

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 0, str(result)
    assert "Success! The configuration is valid" in result.stdout, str(result)


def break_team_name(ci: Path) -> None:
    test_tf = ci / "test" / "main.tf"
    test_tf.write_text(test_tf.read_text().replace('team      = "team-a"', 'team      = "Team A"'))
    assert '"Team A"' in test_tf.read_text()


def sync_the_zarf_registry(ci: Path) -> None:
    module_tf = ci / "module" / "main.tf"
    count_line = "count = var.zarf_path == null ? 0 : 1\n"
    module_tf.write_text(module_tf.read_text().replace(count_line, count_line + "  auto_sync = true\n"))
    assert "auto_sync = true" in module_tf.read_text().split('"oci_registry_zarf"')[1]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("breakage", "error"),
    [
        (break_team_name, "The team must be 2-31 lowercase letters"),  # the module's variable validation
        (sync_the_zarf_registry, "Automatic synchronization is not supported for Zarf registries"),  # a rule
    ],
    ids=["module-variable", "provider-rule"],
)
def test_validate_of_the_ci_example_checks_the_module(
    breakage: Callable[[Path], None], error: str, version: str, tmp_path: Path
) -> None:
    """The check above reaches into the module: its variable validation and the provider's rules run."""
    shutil.copytree(CI, tmp_path / "ci")
    breakage(tmp_path / "ci")
    workspace = Workspace(tmp_path / "ci" / "test", version)
    workspace.run("get", "-no-color")

    result = workspace.run("validate", "-no-color", check=False)

    assert result.returncode == 1, str(result)
    assert error in result.output, str(result)
