"""The schema shared by `oci_registry_helm`, `oci_registry_zarf` and `oci_registry_packs`.

One shape for all three kinds, so a module can switch kind by changing the resource type. The
schema reads as documentation: `scripts/gen-docs` renders it into `docs/`.
"""

from __future__ import annotations

from tf.schema import Attribute, Block, Schema
from tf.types import Bool, Number, String

from provider.durations import DEFAULT_WAIT
from provider.kinds import KINDS
from provider.tfx import SingleNestedBlock, write_only
from provider.tfx.schema import read_only

# Version 1 from the start: `upgrade()` fills attributes that later versions add.
SCHEMA_VERSION = 1

# Attributes Palette computes; read-only in every kind.
COMPUTED = (
    "id",
    "provider_type",
    "auth_type",
    "scope",
    "sync_supported",
    "sync_status",
    "sync_message",
    "last_synced_at",
)

# Why configuration cannot set each read-only attribute: the diagnostic says it and "remove it".
READ_ONLY_REASONS = {
    "id": "it is the uid Palette gives the registry when it is created; to manage a registry that exists, "
    "import it (an import block, or `terraform import`) instead",
    "provider_type": "the resource type sets it ("
    + ", ".join(f"{info.resource_type} manages {info.kind}" for info in KINDS.values())
    + "); to register another kind, change the resource type",
    "auth_type": "the blocks set it (basic_auth: basic, ecr: ecr, neither: none)",
    "scope": "it comes from the API key's level: a tenant's key registers tenant registries, a system "
    "administrator's key system ones",
    "sync_supported": "it is Palette's answer about the registry's synchronization",
    "sync_status": "it is Palette's answer about the registry's synchronization (read it, in a postcondition say)",
    "sync_message": "it is Palette's answer about the registry's synchronization",
    "last_synced_at": "it is Palette's answer about the registry's synchronization",
}

SCOPE_DESCRIPTION = (
    "`tenant`, or `system` for a registry every tenant may use (self-hosted Palette, VerteX). Registries are "
    "tenant-level in Palette: projects use the tenant's registries."
)


def _write_only_pair(name: str, plain: str, what: str) -> list[Attribute]:
    """`<name>` (write-only, Terraform 1.11+) and `<name>_version`, whose change sends it again."""
    return [
        write_only(
            Attribute(
                name,
                String(),
                optional=True,
                sensitive=True,
                description=f"{what}, write-only: Terraform 1.11 and later send it to the provider at apply and keep "
                f"it in neither the plan nor the state. Set exactly one of `{plain}` and `{name}`; change "
                f"`{name}_version` to send a new value. See the Secrets guide.",
            )
        ),
        Attribute(
            f"{name}_version",
            Number(),
            optional=True,
            description=f"Any number; changing it sends `{name}` to Palette again (an in-place update). Terraform "
            f"cannot see a change of `{name}` itself, as it keeps no trace of it.",
        ),
    ]


# Computed values a create or an update can change: unknown in the plan until the apply.
VOLATILE = ("sync_status", "sync_message", "last_synced_at")


def _basic_auth_block() -> SingleNestedBlock:
    return SingleNestedBlock(
        "basic_auth",
        Block(
            description="Username and password of the registry (HTTP basic authentication). "
            "Conflicts with `ecr`; leave both out for a public registry.",
            attributes=[
                Attribute("username", String(), required=True, description="Registry username."),
                Attribute(
                    "password",
                    String(),
                    optional=True,
                    sensitive=True,
                    description="Registry password or token. Palette never returns it; the provider keeps "
                    "the configured value, so it is stored in the state. Set exactly one of `password` and "
                    "`password_wo`.",
                ),
                *_write_only_pair("password_wo", "password", "Registry password or token"),
            ],
        ),
    )


def _ecr_block(kind_note: str) -> SingleNestedBlock:
    return SingleNestedBlock(
        "ecr",
        Block(
            description="AWS ECR credentials: either `access_key_id` + `secret_access_key`, or `role_arn` "
            "(with an optional `external_id`) for Palette to assume through STS. An empty `ecr {}` registers a "
            f'public registry (`endpoint = "public.ecr.aws"`). {kind_note}',
            attributes=[
                Attribute("access_key_id", String(), optional=True, description="AWS access key id."),
                Attribute(
                    "secret_access_key",
                    String(),
                    optional=True,
                    sensitive=True,
                    description="AWS secret access key. Palette never returns it; the provider keeps the "
                    "configured value, so it is stored in the state.",
                ),
                *_write_only_pair("secret_access_key_wo", "secret_access_key", "AWS secret access key"),
                Attribute(
                    "role_arn",
                    String(),
                    optional=True,
                    description="IAM role ARN (`arn:aws:iam::<account>:role/<name>`) Palette assumes through STS.",
                ),
                Attribute(
                    "external_id", String(), optional=True, description="External id the role's trust policy requires."
                ),
            ],
        ),
    )


def _tls_block() -> SingleNestedBlock:
    return SingleNestedBlock(
        "tls",
        Block(
            description="TLS settings Palette uses to reach the registry.",
            attributes=[
                Attribute(
                    "ca_certificate",
                    String(),
                    optional=True,
                    description="PEM bundle of the CA certificates that sign the registry's certificate; "
                    "checked at plan time.",
                ),
                Attribute(
                    "insecure_skip_verify",
                    Bool(),
                    optional=True,
                    description="Skip verification of the registry's TLS certificate. Default `false`.",
                ),
                Attribute(
                    "client_certificate",
                    String(),
                    optional=True,
                    description="PEM certificate Palette presents to the registry (mutual TLS), with `client_key`. "
                    "Leave both out to keep whatever client certificate Palette has (one set in the UI, say).",
                ),
                Attribute(
                    "client_key",
                    String(),
                    optional=True,
                    sensitive=True,
                    description="PEM private key of `client_certificate`. Palette never returns it; the provider "
                    "keeps the configured value, so it is stored in the state.",
                ),
                *_write_only_pair("client_key_wo", "client_key", "PEM private key of `client_certificate`"),
            ],
        ),
    )


def _timeouts_block() -> SingleNestedBlock:
    return SingleNestedBlock(
        "timeouts",
        Block(
            description="How long `wait_for_sync` waits for the first synchronization.",
            attributes=[
                Attribute(
                    "create",
                    String(),
                    optional=True,
                    description=f'Duration such as `"10m"`. Default `"{DEFAULT_WAIT}"`.',
                ),
                Attribute(
                    "update",
                    String(),
                    optional=True,
                    description=f'Duration such as `"10m"`. Default `"{DEFAULT_WAIT}"`.',
                ),
            ],
        ),
    )


def registry_schema(kind_description: str, auto_sync: str, ecr: str) -> Schema:
    """The schema of one kind: the shared shape, with the kind's own words for `auto_sync` and `ecr`."""
    return Schema(
        version=SCHEMA_VERSION,
        description=kind_description,
        attributes=_with_reasons(
            Attribute("id", String(), computed=True, description="Palette uid of the registry."),
            Attribute(
                "name",
                String(),
                required=True,
                requires_replace=True,
                description="Registry name, unique in its scope. Changing it replaces the registry.",
            ),
            Attribute(
                "endpoint",
                String(),
                required=True,
                description="Registry host (`host[:port]`) or `http(s)://` URL, without credentials, query or "
                "fragment. For ECR: `<account>.dkr.ecr.<region>.amazonaws.com`, no scheme.",
            ),
            Attribute(
                "base_content_path",
                String(),
                optional=True,
                description="Repository path under which Palette finds content. Required when `auto_sync` is "
                "true and for Packs registries.",
            ),
            Attribute(
                "base_path",
                String(),
                optional=True,
                description="Path Palette appends to the endpoint to reach the registry's API (Palette's "
                "`basePath`; some registries, such as JFrog Artifactory, need it). Leave it out to keep "
                "whatever Palette has.",
            ),
            Attribute(
                "auto_sync",
                Bool(),
                optional=True,
                computed=True,
                description=f"Let Palette synchronize the registry's content automatically. {auto_sync}",
            ),
            Attribute(
                "wait_for_sync",
                Bool(),
                optional=True,
                description="Make create and update wait until the synchronization Palette starts has ended. A "
                "sync that fails or outlasts the timeout is a warning, with `sync_status` and `sync_message` "
                "recorded: to fail a pipeline on it, add a postcondition on `sync_status`. Default `false`.",
            ),
            Attribute(
                "preflight",
                String(),
                optional=True,
                description='Override the provider\'s `preflight` for this registry: `"off"`, `"apply"` or `"plan"`. '
                "Preflight checks the registry from the machine running Terraform (reachable, TLS trusted, an OCI "
                "registry, credentials accepted, content of this kind) before Palette stores it.",
            ),
            Attribute("provider_type", String(), computed=True, description="`helm`, `zarf` or `pack`."),
            Attribute(
                "auth_type",
                String(),
                computed=True,
                description="`basic`, `ecr` or `none`; `token` for a registry made in the UI with token "
                "authentication, which this provider reads but does not manage.",
            ),
            Attribute(
                "scope",
                String(),
                computed=True,
                description=SCOPE_DESCRIPTION,
            ),
            Attribute(
                "sync_supported",
                Bool(),
                computed=True,
                description="Whether Palette reports that the registry synchronizes "
                "(`status.syncStatus.isSyncSupported`). A Helm registry created before Palette 4.5.0 stays `false` "
                "even after `auto_sync` is turned on: it must be re-registered.",
            ),
            Attribute(
                "sync_status",
                String(),
                computed=True,
                description="Last synchronization status Palette reports, e.g. `InProgress`, `Completed`, `Failed` "
                "(Palette may also spell a success `Success`); empty when the registry does not sync.",
            ),
            Attribute("sync_message", String(), computed=True, description="Palette's message about the last sync."),
            Attribute(
                "last_synced_at", String(), computed=True, description="RFC 3339 time of the last successful sync."
            ),
        ),
        block_types=[_basic_auth_block(), _ecr_block(ecr), _tls_block(), _timeouts_block()],
    )


def _with_reasons(*attributes: Attribute) -> list[Attribute]:
    """The attributes, each read-only one (`COMPUTED`) with its reason."""
    return [read_only(a, READ_ONLY_REASONS[a.name]) if a.name in COMPUTED else a for a in attributes]
