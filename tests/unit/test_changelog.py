"""CHANGELOG.md follows the Terraform providers' convention, so users read it as they read any provider's:

    ## 0.2.0 (Unreleased)            the next version, the only one that may be unreleased
    BREAKING CHANGES:                 then NOTES, FEATURES, ENHANCEMENTS, BUG FIXES, in this order
    * resource/oci_registry_helm: ... each line prefixed with the resource or area it changes
    ## 0.1.0 (November 26, 2026)     released versions, newest first

Lines are for users: no issue numbers, no file or module names of this repository.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from provider.version import __version__
from release.checks import released_versions

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"
SUBSECTIONS = ("BREAKING CHANGES:", "NOTES:", "FEATURES:", "ENHANCEMENTS:", "BUG FIXES:")
VERSION_HEADING = re.compile(r"## (?P<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?) \((?P<when>[^)]+)\)")
# What a line is about, as Terraform providers prefix it; several resources are listed comma-separated.
AREA = r"(?:provider|palette-emulator|examples|resource/oci_registry_\w+|data-source/oci_\w+|action/oci_\w+)"
ENTRY = re.compile(rf"\* (?:{AREA}(?:, {AREA})*: |\*\*New (?:Resource|Data Source|List Resources?|Actions?)[:*])")
# Words only a contributor knows: issue references, paths of this repository, test and module names.
INTERNAL = re.compile(
    r"\bissues? \d|\(#\d|#\d+\b|\bitem \d|\.py\b|\btests?/|\bprovider/|\brelease/|FIDELITY|\btest_\w+|\bbench\b"
)


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """Each level-2 heading with the lines under it, in order."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("-")[0].split("."))


def structure_problems(text: str, version: str) -> list[str]:
    """What breaks the convention in a CHANGELOG's text (empty: nothing)."""
    problems: list[str] = []
    if not text.startswith("# Changelog\n"):
        problems.append("the first line is not '# Changelog'")
    sections = _sections(text)
    if not sections:
        return [*problems, "no '## x.y.z (...)' heading"]
    versions: list[str] = []
    for index, (heading, lines) in enumerate(sections):
        match = VERSION_HEADING.fullmatch(heading)
        if match is None:
            problems.append(f"{heading!r}: not '## x.y.z (Unreleased)' or '## x.y.z (Month D, YYYY)'")
            continue
        versions.append(match["version"])
        if match["when"] == "Unreleased":
            if index != 0:
                problems.append(f"{heading!r}: only the newest version may be unreleased")
        else:
            try:
                datetime.strptime(match["when"], "%B %d, %Y")
            except ValueError:
                problems.append(f"{heading!r}: the date is not 'Month D, YYYY'")
        problems.extend(f"{heading}: {problem}" for problem in _section_problems(lines))
    if versions and versions[0] != version:
        problems.append(f"the newest heading is {versions[0]}, provider/version.py says {version}")
    if [_version_key(v) for v in versions] != sorted({_version_key(v) for v in versions}, reverse=True):
        problems.append(f"versions are not newest first without repeats: {versions}")
    return problems


def _section_problems(lines: list[str]) -> list[str]:
    problems: list[str] = []
    seen: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("  "):  # blank, or a bullet's continuation
            continue
        if line.startswith("#"):
            problems.append(f"{line!r}: subsections are Terraform's plain labels ({', '.join(SUBSECTIONS)})")
        elif line.endswith(":") and not line.startswith("*"):
            if line not in SUBSECTIONS:
                problems.append(f"{line!r}: not one of {', '.join(SUBSECTIONS)}")
            elif line in seen or (seen and SUBSECTIONS.index(line) < SUBSECTIONS.index(seen[-1])):
                problems.append(f"{line!r}: repeated or out of order ({' '.join(SUBSECTIONS)})")
            seen.append(line)
        elif not seen:
            problems.append(f"line {number} comes before any subsection: {line[:60]!r}")
        elif not line.startswith("* "):
            problems.append(f"{line[:70]!r}: neither a label, a '* ' entry nor its indented continuation")
    entries = _entries(lines)
    for entry in entries:
        if not ENTRY.match(entry):
            problems.append(f"{entry[:70]!r}: not '* <area>: ...' (areas: provider, resource/<type>, ...)")
        if INTERNAL.search(entry):
            problems.append(f"an internal word in {entry[:70]!r}")
    if not entries:
        problems.append("no entries")
    return problems


def _entries(lines: list[str]) -> list[str]:
    """Each bullet with its continuation lines joined (a word may be split across lines)."""
    entries: list[str] = []
    for line in lines:
        if line.startswith("* "):
            entries.append(line)
        elif line.startswith("  ") and entries:
            entries[-1] += " " + line.strip()
    return entries


def test_the_changelog_follows_the_terraform_providers_convention() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    assert structure_problems(text, __version__) == []
    # scripts/release reads the same headings: the newest is the next version, the rest are released.
    headings = [VERSION_HEADING.fullmatch(heading) for heading, _ in _sections(text)]
    released = [m["version"] for m in headings if m is not None and m["when"] != "Unreleased"]
    assert released_versions(text) == released


def test_a_removed_setting_has_a_migration_line() -> None:
    breaking = CHANGELOG.read_text(encoding="utf-8").split("BREAKING CHANGES:", 1)[1].split("NOTES:", 1)[0]
    assert any("To migrate, delete `project`" in entry for entry in _entries(breaking.splitlines()))


GOOD = """# Changelog

## 0.2.0 (Unreleased)

BREAKING CHANGES:

* provider: `project` is ignored. To migrate, delete it.

BUG FIXES:

* resource/oci_registry_helm, resource/oci_registry_zarf: a fix
  over two lines.

## 0.1.0 (November 26, 2026)

FEATURES:

* **New Resource:** `oci_registry_helm`
"""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("## 0.1.0 (November 26, 2026)", "## 0.1.0 - 2026-11-26"), "not '## x.y.z (Unreleased)'"),
        (("## 0.1.0 (November 26, 2026)", "## 0.1.0 (Unreleased)"), "only the newest version may be unreleased"),
        (("(November 26, 2026)", "(Nov 26 2026)"), "the date is not"),
        (("## 0.2.0 (Unreleased)", "## 0.1.9 (Unreleased)"), "the newest heading is 0.1.9"),
        (("## 0.1.0 (", "## 0.3.0 ("), "not newest first"),
        (("BUG FIXES:", "### Fixed"), "subsections are Terraform's plain labels"),
        (("BUG FIXES:", "FIXES:"), "not one of"),
        (("BUG FIXES:", "BREAKING CHANGES:"), "repeated or out of order"),
        (("BUG FIXES:", "FEATURES:\n\n* docs: a page\n\nBUG FIXES:"), "not '* <area>: ...'"),
        (("* provider: `project`", "* `project`"), "not '* <area>: ...'"),
        (("a fix\n  over", "a fix (issue\n  21, item 3) over"), "an internal word"),
        (("a fix", "a fix in provider/plugin.py"), "an internal word"),
    ],
)
def test_each_breach_of_the_convention_is_found(change: tuple[str, str], problem: str) -> None:
    assert structure_problems(GOOD, "0.2.0") == []
    broken = GOOD.replace(*change)
    assert broken != GOOD
    found = structure_problems(broken, "0.2.0")
    assert any(problem in text for text in found), found
