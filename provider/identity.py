"""The identity of the installed provider package: one hash over its files' names and contents.

A version label says nothing about an editable checkout or a locally built wheel: any code can carry
"1.2.3". `terraform-provider-oci install` writes this identity into the launcher it puts in the
mirror, so the package's `h1:` hash, which `.terraform.lock.hcl` records, differs whenever the code
differs; the launcher computes it again at every start and refuses code that changed since the
install. A pre-release version such as `1.2.3-dev.<hash>` would say the same in the version, but
Terraform selects a pre-release only when `required_providers` pins it exactly (`version = "1.2.3-dev.x"`),
so every module would have to name one developer's build.

Standard library only (os, hashlib): the launcher imports it at every start. It reads the package's
~90 files in about 2 ms.
"""

from __future__ import annotations

import hashlib
import os

# Python writes these beside the sources at run time: they are not the code that was installed.
_RUNTIME_DIRECTORIES = frozenset({"__pycache__"})
_RUNTIME_SUFFIXES = (".pyc", ".pyo")


def package_identity(package_dir: str) -> str:
    """sha256 (hex) over "sha256hex  relative/path" lines of every file under `package_dir`, sorted by
    path, as Go's dirhash lays out its lines: a renamed, added, removed or edited file changes it."""
    digests: dict[str, str] = {}
    for directory, subdirectories, files in os.walk(package_dir):
        subdirectories[:] = [d for d in subdirectories if d not in _RUNTIME_DIRECTORIES]
        for name in files:
            if name.endswith(_RUNTIME_SUFFIXES):
                continue
            path = os.path.join(directory, name)
            with open(path, "rb") as source:
                digests[os.path.relpath(path, package_dir).replace(os.sep, "/")] = hashlib.sha256(
                    source.read()
                ).hexdigest()
    lines = "".join(f"{digests[relative]}  {relative}\n" for relative in sorted(digests))
    return hashlib.sha256(lines.encode()).hexdigest()


def installed_identity() -> str:
    """The identity of this `provider` package, where Python imports it from."""
    return package_identity(os.path.dirname(os.path.abspath(__file__)))
