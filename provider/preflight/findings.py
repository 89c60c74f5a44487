"""What a preflight check reports: a `Finding` at an attribute, with the cause and the fix.

Pure and cheap to import. `Failed` carries an error finding out of a check and stops the run;
`redact` is the last line of defence that keeps secrets out of every message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning"]
Path = tuple[str, ...]

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


@dataclass(frozen=True)
class Finding:
    severity: Severity
    path: Path  # attribute names from the resource's root: ("basic_auth", "password")
    summary: str
    detail: str  # the cause, then the fix


def error(path: Path, summary: str, detail: str) -> Finding:
    return Finding("error", path, summary, detail)


def warning(path: Path, summary: str, detail: str) -> Finding:
    return Finding("warning", path, summary, detail)


class Failed(Exception):
    """An error finding that ends the run: later checks depend on this one."""

    def __init__(self, finding: Finding):
        super().__init__(finding.summary)
        self.finding = finding


class Skipped(Exception):
    """A warning finding that ends the run: later checks cannot run, but nothing is known to be wrong."""

    def __init__(self, finding: Finding):
        super().__init__(finding.summary)
        self.finding = finding


def redact(finding: Finding, secrets: Iterable[str]) -> Finding:
    """`finding` with every secret replaced by a mask (longest first, so no fragment survives)."""
    summary, detail = finding.summary, finding.detail
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        summary, detail = summary.replace(secret, MASK), detail.replace(secret, MASK)
    return replace(finding, summary=summary, detail=detail)
