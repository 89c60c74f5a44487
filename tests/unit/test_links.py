"""Every relative link in the Markdown a reader follows resolves: to a file of this repository and, with an
`#anchor`, to a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens).

The README sends readers to docs/ and CONTRIBUTING.md; a page moved or a heading renamed breaks those
links silently, on GitHub and in the Terraform Registry alike."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def markdown_files() -> list[str]:
    tracked = subprocess.run(["git", "ls-files", "*.md"], cwd=REPO, capture_output=True, text=True, check=True)
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "*.md"], cwd=REPO, capture_output=True, text=True
    )
    names = set(tracked.stdout.split()) | set(untracked.stdout.split())
    # templates/ are the sources scripts/gen-docs copies into docs/, where their links are checked.
    return sorted(n for n in names if (REPO / n).is_file() and not n.startswith(("examples/", "templates/")))


def links(text: str) -> list[str]:
    """The link targets of Markdown text, outside code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    return [target for target in LINK.findall(prose) if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The headings' anchors and explicit ones (`<a id="nestedblock--tls">`, as tfplugindocs writes)."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    headings = {anchor(match[1]) for match in re.finditer(r"^#{1,6}\s+(.*?)\s*#*$", text, re.MULTILINE)}
    return headings | set(re.findall(r'<a (?:id|name)="([^"]+)"', text))


def broken(source: str) -> list[str]:
    path = REPO / source
    problems = []
    for target in links(path.read_text(encoding="utf-8")):
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif fragment and resolved.is_file() and resolved.suffix == ".md" and fragment not in anchors(resolved):
            problems.append(f"{target}: no heading with that anchor in {resolved.relative_to(REPO)}")
    return problems


@pytest.mark.parametrize("source", markdown_files())
def test_relative_links_resolve(source: str) -> None:
    assert broken(source) == []


def test_the_check_sees_links_and_finds_broken_ones() -> None:
    assert {"README.md", "CONTRIBUTING.md", "docs/index.md"} <= set(markdown_files())
    assert "docs/guides/troubleshooting.md" in links((REPO / "README.md").read_text())
    heading = "The admin API, for tests (`/emulator/`, no API key)"
    assert anchor(heading) == "the-admin-api-for-tests-emulator-no-api-key"
    assert links("[a](x.md) `[b](y.md)` [c](https://e.example) ![i](img.png)\n```\n[d](z.md)\n```\n") == ["x.md"]
