"""Every installation recipe a user copies keeps `terraform init` off the public registry.

`source = "palette/oci"` means `registry.terraform.io/palette/oci` (Terraform's default registry host),
a namespace this project does not hold. A CLI config whose `direct` method does not exclude it lets a
machine whose mirror lacks the package install whatever that namespace publishes. So: every
`provider_installation` block in README.md, docs/, templates/, examples/ and scripts/ that has a
`direct` method excludes the address from it, and every recipe that runs `terraform-provider-oci
install` writes the config block it prints (`--print-config`) or tells the user to add it.
`acceptance/test_safe_name.py` shows, through Terraform, that such a config asks nothing of a
public registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from provider.launch import install

REPO = Path(__file__).resolve().parents[2]
USER_FACING = ("README.md", "docs", "templates", "examples", "scripts")
EXCLUSION = re.compile(r'exclude\s*=\s*\[[^\]]*"registry\.terraform\.io/palette/oci"[^\]]*\]')


def recipe_files() -> Iterator[Path]:
    for name in USER_FACING:
        root = REPO / name
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        yield from (p for p in paths if "__pycache__" not in p.parts)


def blocks(text: str, keyword: str) -> Iterator[str]:
    """Each `keyword { ... }` in `text`, braces balanced (HCL in Markdown, YAML or a Python string)."""
    for match in re.finditer(rf"\b{keyword}\s*\{{", text):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        yield text[match.start() : end + 1]


def installation_blocks() -> list[tuple[str, str]]:
    found = []
    for path in recipe_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found += [(str(path.relative_to(REPO)), block) for block in blocks(text, "provider_installation")]
    return found


def test_the_recipes_hold_installation_blocks() -> None:
    # The check below must not pass vacuously: README and the mirrors guide hold such blocks.
    where = {path for path, _ in installation_blocks()}
    assert {"README.md", "docs/guides/release-package-and-mirrors.md"} <= where


@pytest.mark.parametrize(("path", "block"), installation_blocks(), ids=lambda v: str(v)[:60])
def test_every_direct_method_excludes_the_public_address(path: str, block: str) -> None:
    for direct in blocks(block, "direct"):
        assert EXCLUSION.search(direct), f"{path}: a direct method without the exclusion:\n{block}"


def test_the_block_install_prints_passes_the_same_check(tmp_path: Path) -> None:
    (block,) = blocks(install.cli_config(tmp_path), "provider_installation")
    (direct,) = blocks(block, "direct")
    assert EXCLUSION.search(direct)


def test_the_check_refuses_a_direct_method_without_the_exclusion() -> None:
    bare = 'provider_installation {\n  filesystem_mirror {\n    path = "/m"\n  }\n  direct {}\n}\n'
    other = 'provider_installation {\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
    for text in (bare, other):
        (block,) = blocks(text, "provider_installation")
        assert not all(EXCLUSION.search(d) for d in blocks(block, "direct"))


def test_every_scripted_install_writes_the_config_it_prints() -> None:
    # examples/ci's workflow and scripts/quickstart run `install` unattended: they must use its block.
    runs = [
        (str(path.relative_to(REPO)), line.strip())
        for path in recipe_files()
        if path.suffix in ("", ".yml", ".yaml", ".sh")
        for line in path.read_text(errors="replace").splitlines()
        if re.search(r"terraform-provider-oci install\b", line) and not line.lstrip().startswith("#")
    ]
    commands = [(p, line) for p, line in runs if "--dir" in line]
    assert {p for p, _ in commands} >= {"scripts/quickstart", "examples/ci/.github/workflows/terraform.yml"}
    for path, line in commands:
        assert "--print-config >" in line, f"{path}: {line}"
