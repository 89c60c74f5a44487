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
# The checks end their advice with this sentence; `name_where_preflight_is_set` makes it name the place
# this run's mode came from (a resource's preflight overrides the provider's).
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
    """`problem` with every secret replaced by a mask, by the provider's one rule of where a secret is
    found in text (`provider.redaction`: a short one never inside an ordinary word)."""
    from provider.redaction import redact_secrets  # stdlib only

    listed = list(secrets)
    return replace(
        problem,
        summary=redact_secrets(problem.summary, listed, MASK),
        detail=redact_secrets(problem.detail, listed, MASK),
    )


def off_hint(mode: str, source: str) -> str:
    """The advice to turn preflight off, at the place `mode` was set: "this resource", or a
    `settings.source_of` phrase (the provider block, an environment variable, the default)."""
    start = "If only Palette's network can reach this registry, "
    if source == "this resource":
        return f'{start}set preflight = "off" on this resource: its preflight = "{mode}" overrides the provider\'s.'
    if source.startswith("the environment variable "):
        variable = source.removeprefix("the environment variable ")
        return (
            f'{start}set {variable}=off, where preflight = "{mode}" comes from, or preflight = "off" on this resource.'
        )
    if source == "the default":
        return f'{start}set preflight = "off" in the provider "oci" block, or on this resource.'
    return f'{start}set preflight = "off" in the provider "oci" block (it says "{mode}"), or on this resource.'


def name_where_preflight_is_set(problems: Iterable[Problem], mode: str, source: str) -> list[Problem]:
    """`problems` with the generic advice to turn preflight off replaced by `off_hint(mode, source)`."""
    hint = off_hint(mode, source)
    return [replace(p, detail=p.detail.replace(OFF_HINT, hint)) for p in problems]
