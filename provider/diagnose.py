"""Palette errors -> Terraform diagnostics a user can act on.

The client raises typed errors that know nothing of Terraform; this is where each error class gets the
summary and the fix a Terraform user needs. Messages come from the client, which never puts a
secret in them; every detail goes through `provider.redaction.redact_credentials` as well, since
Palette's own messages may quote a URL with credentials.
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
    resource_type: str | None = None,
    *,
    name: str | None = None,
    warning: bool = False,
) -> None:
    """Add one diagnostic for `exc`, which happened while doing `action` ("create registry x"): an error,
    or a warning when the operation still succeeded (`warning`).

    `resource_type` (e.g. "oci_registry_helm") and `name` (the registry's) make the import commands in
    the fix concrete. Terraform tells a provider the resource type, never the resource's address: the
    commands name the type and leave the resource's own name for the user to fill in, saying so."""
    from provider.palette import errors
    from provider.redaction import redact_credentials

    address = f"{resource_type}.<name>" if resource_type else "<resource address>"
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
            errors.KeyRejectedError,
            "Palette rejected the API key",
            "Check api_key in the provider block, or PALETTE_API_KEY (then SPECTROCLOUD_APIKEY): the key may be "
            "wrong, revoked or expired. Nothing was concluded from Palette's answers (a Palette that does not know "
            "a key may answer that nothing exists): the registry stays in the state.",
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
            "Check the provider's host, the network, and ca_certificate/insecure for a self-hosted Palette. When "
            "the message names a proxy, check it, or list the Palette host in NO_PROXY to connect directly.",
        ),
        (errors.RateLimitedError, "Palette kept answering 429 Too Many Requests", "Retry later or raise max_retries."),
        (errors.ServerError, "Palette failed to answer", "Palette answered a server error after every retry."),
        (
            errors.AmbiguousWriteError,
            "Palette's answer was lost",
            "The write may or may not have been stored, and the state cannot record what is not known. The "
            "registry may exist in Palette: if it does, bring it under Terraform with `terraform import "
            f"{address} <name>` (with this resource's address; a uid works too), since a new apply would stop "
            'at "A registry with this name already exists"; if not, run `terraform apply` again.',
        ),
        (
            errors.UnexplainedNotFoundError,
            "Palette's address answered 404 Not Found without Palette's error code",
            "This does not prove the registry is gone, so Terraform keeps it in the state and changed nothing. "
            "Check the provider's host (a proxy, ingress or load balancer in front of Palette may be "
            "misrouting), then run the command again.",
        ),
        (
            errors.FamilyChangedError,
            "Registry changed kind outside Terraform",
            "Palette keeps basic and ECR registries apart. Either change the registry back in Palette, or make the "
            "configuration match it (`basic_auth` or no credentials for a basic registry, `ecr` for an ECR one), "
            f"then `terraform state rm {address}` and `terraform import {address} <uid>`. Terraform kept the "
            "registry in the state and changed nothing.",
        ),
        (
            errors.SyncFailedError,
            "Registry synchronization failed",
            "The registry is registered and recorded in the state, with sync_status and sync_message; Palette's "
            "message says why the sync failed. " + _POSTCONDITION,
        ),
        (
            errors.SyncTimeoutError,
            "Registry synchronization did not finish in time",
            "The registry is registered and recorded in the state, and Palette goes on synchronizing it. Raise "
            "timeouts.create / timeouts.update to wait longer, or set wait_for_sync = false. " + _POSTCONDITION,
        ),
        (errors.ConfigurationError, "Invalid provider configuration", "Fix the provider block as the message says."),
    ]
    summary, fix = "Palette request failed", ""
    for error_class, class_summary, class_fix in hints:
        if isinstance(exc, error_class):
            summary, fix = class_summary, class_fix
            break
    detail = redact_credentials(f"Could not {action}: {exc}")
    add = diags.add_warning if warning else diags.add_error
    add(summary, f"{detail}\n\n{fix}" if fix else detail)


_POSTCONDITION = (
    "To fail a pipeline on it, add to the resource: lifecycle { postcondition { condition = "
    'contains(["Completed", "Success"], self.sync_status); error_message = self.sync_message } }.'
)
