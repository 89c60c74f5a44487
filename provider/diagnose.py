"""Palette errors -> Terraform diagnostics a user can act on.

The client raises typed errors that know nothing of Terraform; this is where each kind gets the
summary and the fix a Terraform user needs. Messages come from the client, which never puts a
secret in them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tf.utils import Diagnostics

    from provider.palette.errors import PaletteError


def report(
    diags: Diagnostics,
    exc: PaletteError,
    action: str,
    path: list[str] | None = None,
    *,
    resource_type: str | None = None,
    name: str | None = None,
) -> None:
    """Add one error diagnostic for `exc`, which happened while doing `action` ("create registry x").

    `resource_type` and `name` (the registry's) make the import command of a 409 concrete. Terraform
    tells a provider the resource type, never the resource's address: the command names the type and
    leaves the resource's own name for the user to fill in, saying so."""
    from provider.palette import errors

    import_command = "`terraform import <resource address> <name or uid>`"
    if resource_type and name:
        import_command = (
            f'`terraform import {resource_type}.NAME "{name}"` (NAME: this resource\'s name in your configuration, '
            f"which Terraform does not tell providers; or an import block with to = {resource_type}.NAME and "
            f'id = "{name}")'
        )

    hints: list[tuple[type[PaletteError], str, str]] = [
        (
            errors.UnauthorizedError,
            "Palette rejected the API key",
            "Check api_key in the provider block or PALETTE_API_KEY: the key may be wrong, revoked or expired.",
        ),
        (
            errors.ForbiddenError,
            "Palette refused the operation",
            "The API key's user may not do this. A registry at system scope can only be changed by a system "
            "administrator's key.",
        ),
        (
            errors.ConflictError,
            "A registry with this name already exists",
            f"Choose another name, or bring the existing registry under Terraform: {import_command}.",
        ),
        (
            errors.ValidationFailedError,
            "Palette refused the registry",
            "Check the endpoint, the credentials and the TLS settings; Palette's message says what failed.",
        ),
        (
            errors.TransportError,
            "Cannot reach Palette",
            "Check the provider's host, the network, and ca_certificate/insecure for a self-hosted Palette.",
        ),
        (errors.RateLimitedError, "Palette kept answering 429 Too Many Requests", "Retry later or raise max_retries."),
        (errors.ServerError, "Palette failed to answer", "Palette answered a server error after every retry."),
        (
            errors.AmbiguousWriteError,
            "Palette's answer was lost",
            "The write may or may not have been stored, and the state cannot record what is not known. If Palette "
            "now has the registry, bring it under Terraform with `terraform import <resource address> <name>` "
            '(a new apply would stop at "A registry with this name already exists"); if not, run `terraform '
            "apply` again.",
        ),
        (errors.SyncFailedError, "Registry synchronization failed", "Palette's message says why."),
        (
            errors.SyncTimeoutError,
            "Registry synchronization did not finish in time",
            "Raise timeouts.create / timeouts.update, or set wait_for_sync = false.",
        ),
        (errors.ConfigurationError, "Invalid provider configuration", "Fix the provider block as the message says."),
    ]
    summary, fix = "Palette request failed", ""
    for kind, kind_summary, kind_fix in hints:
        if isinstance(exc, kind):
            summary, fix = kind_summary, kind_fix
            break
    detail = f"Could not {action}: {exc}"
    diags.add_error(summary, f"{detail}\n\n{fix}" if fix else detail, path=path)
