"""A problem found in what a user wrote or set up, and the one way it becomes a Terraform diagnostic.

Provider settings (`provider.settings`), plan-time rules (`provider.registries.rules`) and the
preflight (`provider.preflight`) all report `Problem`s: the attribute it concerns (`path`, from the
root of the provider block or the resource), a summary, the cause and the fix (`detail`), and
whether it stops the operation (`severity`). `add_problems` turns them into diagnostics.

Standard library only: settings and rules run at start-up and plan (Terraform starts the provider
3-5 times per command).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tf.utils import Diagnostics

Severity = Literal["error", "warning"]
Path = tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    path: Path  # attribute names from the root: ("basic_auth", "password")
    summary: str
    detail: str  # the cause, then the fix
    severity: Severity = "error"


def add_problems(diags: Diagnostics, problems: Iterable[Problem], *, prefix: str = "") -> bool:
    """Add one diagnostic per problem, at its attribute, its summary after `prefix` (e.g. "Preflight: ");
    True when none of them is an error."""
    ok = True
    for problem in problems:
        add = diags.add_error if problem.severity == "error" else diags.add_warning
        add(prefix + problem.summary, problem.detail, path=list(problem.path))
        ok = ok and problem.severity != "error"
    return ok
