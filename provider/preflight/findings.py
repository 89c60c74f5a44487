"""What a preflight check reports: a `Problem` (provider.problems) at an attribute, with the cause and the fix.

Pure and cheap to import. `Failed` carries an error out of a check and stops the run; `redact` is
the last line of defence that keeps secrets out of every message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from provider.problems import Path, Problem

ENDPOINT: Path = ("endpoint",)
BASE_CONTENT_PATH: Path = ("base_content_path",)
CA_CERTIFICATE: Path = ("tls", "ca_certificate")
BASIC_AUTH: Path = ("basic_auth",)
BASIC_USERNAME: Path = ("basic_auth", "username")
BASIC_PASSWORD: Path = ("basic_auth", "password")
ECR_BLOCK: Path = ("ecr",)
ECR_ROLE_ARN: Path = ("ecr", "role_arn")
ECR_ACCESS_KEY_ID: Path = ("ecr", "access_key_id")
ECR_SECRET_ACCESS_KEY: Path = ("ecr", "secret_access_key")

MASK = "******"
OFF_HINT = 'If only Palette\'s network can reach this registry, set preflight = "off" in the provider block.'


def error(path: Path, summary: str, detail: str) -> Problem:
    return Problem(path, summary, detail, "error")


def warning(path: Path, summary: str, detail: str) -> Problem:
    return Problem(path, summary, detail, "warning")


class Failed(Exception):
    """An error that ends the run: later checks depend on this one."""

    def __init__(self, problem: Problem):
        super().__init__(problem.summary)
        self.problem = problem


class Skipped(Exception):
    """A warning that ends the run: later checks cannot run, but nothing is known to be wrong."""

    def __init__(self, problem: Problem):
        super().__init__(problem.summary)
        self.problem = problem


def redact(problem: Problem, secrets: Iterable[str]) -> Problem:
    """`problem` with every secret replaced by a mask (longest first, so no fragment survives)."""
    summary, detail = problem.summary, problem.detail
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        summary, detail = summary.replace(secret, MASK), detail.replace(secret, MASK)
    return replace(problem, summary=summary, detail=detail)
