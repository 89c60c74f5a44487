"""The XDG base directories (stdlib only: cheap at start-up).

The XDG Base Directory Specification: "All paths set in these environment variables must be absolute. If
an implementation encounters a relative path in any of these variables it should consider the path
invalid and ignore it." A relative `XDG_CACHE_HOME` would otherwise put the provider's files (the plugin's
TLS private key among them) in whatever directory Terraform runs in.

`provider.launch.handover` reads `XDG_CACHE_HOME` by the same rule inline: every launch runs it, and it imports
no module of ours.
"""

from __future__ import annotations

import os
from pathlib import Path


def base_directory(variable: str, default: str) -> Path:
    """`$variable` when it holds an absolute path, else `~/<default>` (`XDG_CACHE_HOME`, ".cache")."""
    value = os.environ.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else Path(os.path.expanduser("~")) / default
