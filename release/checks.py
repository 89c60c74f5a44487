"""What `scripts/release` checks before it builds anything: that the version is new and the tree committed.

Pure functions over text (the CHANGELOG, `git status --porcelain`, the tags at HEAD), so that each
rule is tested without a repository; `refusals` runs git and reads the files.

A version is released once CHANGELOG.md has a `## x.y.z (Month D, YYYY)` heading for it (any
`## x.y.z` heading but `## x.y.z (Unreleased)`, Terraform providers' convention for the next one).
Building that version again from another commit would publish different code under a version
users already locked: refused, unless HEAD is that release's tag `vx.y.z` (each platform's
machine builds the same tag). A tree with uncommitted changes would ship code no commit holds.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# "## 0.1.0 (November 26, 2026)", "## 1.2.0 (Unreleased)", "## [0.1.0] - ...", "## 1.0.0-rc.1": a level-2
# heading starting with a version; what follows it says whether it is released.
_VERSION_HEADING = re.compile(
    r"^##\s+\[?v?(?P<version>\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)\]?(?P<rest>(?:\s[^\n]*)?)$", re.MULTILINE
)
UNRELEASED = "(Unreleased)"


def released_versions(changelog: str) -> list[str]:
    """The versions CHANGELOG.md lists as released, newest first (as written)."""
    return [match["version"] for match in _VERSION_HEADING.finditer(changelog) if match["rest"].strip() != UNRELEASED]


def already_released(version: str, changelog: str, tags_at_head: list[str]) -> str | None:
    """Why `version` cannot be built here (None: it can): it is released and HEAD is not its tag."""
    if version not in released_versions(changelog) or f"v{version}" in tags_at_head:
        return None
    return (
        f"version {version} is already released (CHANGELOG.md has a '## {version}' heading) and this commit "
        f"is not its tag v{version}. Bump __version__ in provider/version.py (semantic versioning: a breaking "
        "change bumps the minor before 1.0, the major after) and list the changes under "
        "'## <that version> (Unreleased)'."
    )


def uncommitted(porcelain: str) -> str | None:
    """Why the tree cannot be released (None: it can): `git status --porcelain` lists changes."""
    changed = [line[3:] for line in porcelain.splitlines() if line.strip()]
    if not changed:
        return None
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return (
        f"the working tree has uncommitted changes ({shown}): a release is built from a commit. "
        "Commit or remove them (git status lists them), then run scripts/release again."
    )


def refusals(repo: Path, version: str) -> list[str]:
    """The reasons this checkout cannot release `version`: both rules, from git and CHANGELOG.md."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise OSError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip() or done.returncode}")
        return done.stdout

    reasons = [uncommitted(git("status", "--porcelain"))]
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    reasons.append(already_released(version, changelog, git("tag", "--points-at", "HEAD").split()))
    return [reason for reason in reasons if reason is not None]
