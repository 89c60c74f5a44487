"""docs/ is what `scripts/gen-docs` makes from the schema now, and goes stale when the schema changes.

The generator is loaded from scripts/gen-docs itself (a script without a .py suffix), so the
test exercises exactly what a contributor runs.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tf.schema import Schema

from provider.actions import SyncAction
from provider.datasources import RegistriesDataSource
from provider.registries.helm import HelmRegistry
from provider.registries.rules import HELM_RULES, PACKS_RULES, ZARF_RULES
from provider.registries.schema import registry_schema
from provider.settings import SETTINGS, Setting

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "gen-docs"
CHANGED = "A description nobody has generated docs from yet."
REGISTRIES_SCHEMA = RegistriesDataSource.get_schema()  # before any test replaces get_schema
SYNC_ACTION_SCHEMA = SyncAction.get_schema()


def _load_generator() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("gen_docs", str(SCRIPT))
    spec = importlib.util.spec_from_loader("gen_docs", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


gen_docs = _load_generator()


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return gen_docs.generate()


# ---------------------------------------------------------------------------- committed = generated


def test_committed_docs_are_what_the_schema_generates(pages: dict[str, str]) -> None:
    assert gen_docs.stale(pages) == [], "docs/ is stale: run scripts/gen-docs and commit the result"
    assert sorted(pages) == [
        "docs/actions/registry_sync.md",
        "docs/data-sources/registries.md",
        "docs/data-sources/registry.md",
        "docs/guides/adopting-ui-registries.md",
        "docs/guides/checking-your-tenant.md",
        "docs/guides/configuration.md",
        "docs/guides/emulator.md",
        "docs/guides/moving-from-spectrocloud.md",
        "docs/guides/next-to-oracle-oci.md",
        "docs/guides/own-hostname.md",
        "docs/guides/python-package.md",
        "docs/guides/release-package-and-mirrors.md",
        "docs/guides/secrets.md",
        "docs/guides/testing-modules.md",
        "docs/guides/troubleshooting.md",
        "docs/index.md",
        "docs/list-resources/registry_helm.md",
        "docs/list-resources/registry_packs.md",
        "docs/list-resources/registry_zarf.md",
        "docs/resources/registry_helm.md",
        "docs/resources/registry_packs.md",
        "docs/resources/registry_zarf.md",
    ]


def test_check_mode_of_the_script_passes_on_this_checkout() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_generation_is_deterministic(pages: dict[str, str]) -> None:
    assert gen_docs.generate() == pages


# ---------------------------------------------------------------------------- a changed description


def _helm_with_new_endpoint_description() -> Schema:
    schema = registry_schema(
        HelmRegistry.description, HelmRegistry.auto_sync_description, HelmRegistry.ecr_description
    )  # a fresh copy: the cached schema stays intact
    next(a for a in schema.attributes if a.name == "endpoint").description = CHANGED
    return schema


def _helm_with_new_password_description() -> Schema:
    schema = registry_schema(HelmRegistry.description, HelmRegistry.auto_sync_description, HelmRegistry.ecr_description)
    basic_auth = next(b for b in schema.block_types if b.type_name == "basic_auth")
    next(a for a in basic_auth.block.attributes if a.name == "password").description = CHANGED
    return schema


def _registries_with_new_description() -> Schema:
    schema = REGISTRIES_SCHEMA
    return Schema(attributes=schema.attributes, block_types=schema.block_types, description=CHANGED)


def _sync_action_with_new_description() -> Schema:
    schema = SYNC_ACTION_SCHEMA
    return Schema(attributes=schema.attributes, block_types=schema.block_types, description=CHANGED)


def _settings_with_new_host_description() -> tuple[Setting, ...]:
    return tuple(Setting(s.name, s.env, CHANGED) if s.name == "host" else s for s in SETTINGS)


def _replace_schema(klass: type, build: Callable[[], Schema]) -> Callable[[pytest.MonkeyPatch], None]:
    return lambda mp: mp.setattr(klass, "get_schema", classmethod(lambda cls: build()))


def _replace_settings(mp: pytest.MonkeyPatch) -> None:
    mp.setattr("provider.plugin.SETTINGS", _settings_with_new_host_description())


# what changes -> (how to change it, the one page that must go stale)
CHANGES: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], str]] = {
    "resource attribute": (
        _replace_schema(HelmRegistry, _helm_with_new_endpoint_description),
        "docs/resources/registry_helm.md",
    ),
    "nested block attribute": (
        _replace_schema(HelmRegistry, _helm_with_new_password_description),
        "docs/resources/registry_helm.md",
    ),
    "data source": (
        _replace_schema(RegistriesDataSource, _registries_with_new_description),
        "docs/data-sources/registries.md",
    ),
    "provider setting": (_replace_settings, "docs/index.md"),
    "action": (_replace_schema(SyncAction, _sync_action_with_new_description), "docs/actions/registry_sync.md"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_description_makes_exactly_its_page_stale(
    change: str,
    pages: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gen_docs.write(pages, tmp_path)  # docs as generated before the change
    patch, page = CHANGES[change]
    patch(monkeypatch)

    regenerated = gen_docs.generate()

    assert CHANGED in regenerated[page] and CHANGED not in pages[page]
    assert gen_docs.stale(regenerated, tmp_path) == [page]
    assert gen_docs.main(["--check"]) == 1  # against this checkout's committed docs
    assert f"stale: {page}\n" in capsys.readouterr().out


def test_writing_regenerates_stale_pages_and_removes_pages_no_schema_makes(
    pages: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "docs" / "resources").mkdir(parents=True)
    (tmp_path / "docs" / "resources" / "registry_gone.md").write_text("# a resource that no longer exists\n")
    (tmp_path / "docs" / "index.md").write_text("hand-edited\n")

    changed = gen_docs.write(pages, tmp_path)

    assert "docs/resources/registry_gone.md" in changed and "docs/index.md" in changed
    assert not (tmp_path / "docs" / "resources" / "registry_gone.md").exists()
    assert gen_docs.stale(pages, tmp_path) == []


# ---------------------------------------------------------------------------- what the pages say


def test_resource_pages_show_their_examples_and_import_commands(pages: dict[str, str]) -> None:
    for kind in ("helm", "zarf", "packs"):
        text = pages[f"docs/resources/registry_{kind}.md"]
        examples = REPO / "examples" / "resources" / f"oci_registry_{kind}"
        assert (examples / "resource.tf").read_text().strip() in text
        assert (examples / "import.sh").read_text().strip() in text
        assert "versions.tf" not in text and "required_providers" not in text


def test_guides_show_the_example_files_they_name(pages: dict[str, str]) -> None:
    secrets = pages["docs/guides/secrets.md"]
    example = (REPO / "examples" / "write-only" / "main.tf").read_text().strip()
    assert f"```terraform\n{example}\n```" in secrets
    assert "tffile" not in secrets and "tffile" not in pages["docs/guides/adopting-ui-registries.md"]


def test_a_guide_naming_a_missing_example_stops_generation() -> None:
    with pytest.raises(gen_docs.DocsError, match=r"examples/nowhere/main\.tf is missing"):
        gen_docs.with_example_files('Text.\n\n{{tffile "examples/nowhere/main.tf"}}\n')


def test_pages_mark_sensitive_attributes_and_block_types(pages: dict[str, str]) -> None:
    helm = pages["docs/resources/registry_helm.md"]
    assert "- `password` (String, Sensitive) " in helm
    assert "- `secret_access_key` (String, Sensitive) " in helm
    assert "- `tls` (Block, Optional) " in helm
    assert "- `auto_sync` (Boolean) " in helm
    assert "- `api_key` (String, Sensitive) " in pages["docs/index.md"]
    assert "- `registries` (List of Object) " in pages["docs/data-sources/registries.md"]


def _section(text: str, heading: str) -> str:
    """The Markdown between `heading` and the next heading of any level."""
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^#|\Z)", text, flags=re.S | re.M)
    assert match, f"no {heading!r}"
    return match.group(1)


def test_schema_sections_hold_required_optional_and_read_only_attributes(pages: dict[str, str]) -> None:
    helm = pages["docs/resources/registry_helm.md"]
    assert re.findall(r"^- `(\w+)`", _section(helm, "### Required"), flags=re.M) == ["endpoint", "name"]
    assert "- `id` (String)" in _section(helm, "### Read-Only")
    assert "- `basic_auth` (Block, Optional)" in _section(helm, "### Optional")
    assert "- `username` (String)" in _section(helm, "### Nested Schema for `basic_auth`")


def test_every_nested_schema_link_has_its_anchor(pages: dict[str, str]) -> None:
    for path, text in pages.items():
        links = set(re.findall(r"\(#(nested[a-z]+--[\w-]+)\)", text))
        anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
        assert links == anchors, path


def test_provider_page_lists_every_setting_and_its_environment_variables(pages: dict[str, str]) -> None:
    index = pages["docs/index.md"]
    assert "# Not hashicorp/oci" in index  # the example usage is examples/provider/provider.tf
    for setting in SETTINGS:
        row = f"| `{setting.name}` | " + ", then ".join(f"`{v}`" for v in setting.env) + " |"
        assert row in index
    assert "| Zarf  | `oci_registry_zarf`  | yes        | **no**  | **no** |" in index


@pytest.mark.parametrize(
    ("page", "rules"),
    [("registry_helm", HELM_RULES), ("registry_zarf", ZARF_RULES), ("registry_packs", PACKS_RULES)],
)
def test_each_resource_page_lists_the_rules_its_kind_runs(
    page: str, rules: tuple[Any, ...], pages: dict[str, str]
) -> None:
    prose = gen_docs.read_rule_prose((*HELM_RULES, *ZARF_RULES, *PACKS_RULES))
    checks = _section(pages[f"docs/resources/{page}.md"], "## Plan-time Checks")
    listed = re.findall(r"^- (.*)$", checks, flags=re.M)
    assert sorted(listed) == sorted(prose[rule.__name__] for rule in rules)


def test_a_rule_without_prose_stops_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    def undocumented_rule(config: dict[str, Any]) -> list[Any]:
        return []

    monkeypatch.setattr(HelmRegistry, "rules", (*HELM_RULES, undocumented_rule))
    with pytest.raises(gen_docs.DocsError, match="undocumented_rule"):
        gen_docs.generate()
