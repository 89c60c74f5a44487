"""Expand (Terraform values -> Palette wire models) and flatten (Palette answer -> Terraform values).

The only place that knows both vocabularies. Small pure functions: no HTTP, no Terraform calls.
`flatten` takes the prior values because Palette never returns secrets: the configured secret is
kept, and values Palette reports in another spelling of the same thing (an empty string for an
unset path, a PEM without its trailing newline) keep the configured spelling, so that a plan right
after apply is empty while real drift still shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provider.redaction import redact_credentials
from provider.registries.rules import ECR_HOST

if TYPE_CHECKING:
    from provider.palette.models import (
        AwsCloudAccount,
        BasicOciRegistry,
        BasicOciRegistrySpec,
        EcrRegistry,
        EcrRegistrySpec,
        TlsConfiguration,
    )

Values = dict[str, Any]
AUTH_BASIC, AUTH_ECR, AUTH_NONE = "basic", "ecr", "none"


def auth_type(values: Values) -> str:
    """Which Palette API a configuration maps to: basic (with or without credentials) or ECR."""
    if values.get("ecr") is not None:
        return AUTH_ECR
    return AUTH_BASIC if values.get("basic_auth") is not None else AUTH_NONE


def api_kind(auth: str) -> str:
    """The path segment of Palette's API for an auth type: `/oci/{uid}/basic` or `/oci/{uid}/ecr`."""
    return "ecr" if auth == AUTH_ECR else "basic"


def ecr_region(endpoint: str) -> str | None:
    match = ECR_HOST.match(endpoint)
    return match.group("region") if match else None


# ---------------------------------------------------------------------------- expand


def expand_tls(values: Values) -> TlsConfiguration:
    from provider.palette.models import TlsConfiguration

    tls = values.get("tls") or {}
    return TlsConfiguration(
        enabled=not str(values.get("endpoint", "")).startswith("http://"),
        ca=tls.get("ca_certificate") or "",
        insecure_skip_verify=bool(tls.get("insecure_skip_verify")),
    )


def expand_basic_spec(values: Values, provider_type: str) -> BasicOciRegistrySpec:
    from provider.palette.models import BasicOciRegistrySpec, RegistryAuth

    credentials = values.get("basic_auth")
    auth = RegistryAuth(type="noAuth", tls=expand_tls(values))
    if credentials is not None:
        auth = RegistryAuth(
            type="basic", username=credentials["username"], password=credentials["password"], tls=auth.tls
        )
    return BasicOciRegistrySpec(
        endpoint=values["endpoint"],
        auth=auth,
        base_content_path=values.get("base_content_path") or "",
        is_sync_supported=bool(values.get("auto_sync")),
        provider_type=provider_type,
    )


def expand_basic(values: Values, provider_type: str) -> BasicOciRegistry:
    from provider.palette.models import BasicOciRegistry, ObjectMeta

    return BasicOciRegistry(
        metadata=ObjectMeta(name=values["name"], uid=_known_text(values.get("id"))),
        spec=expand_basic_spec(values, provider_type),
    )


def expand_ecr_credentials(ecr: Values) -> AwsCloudAccount:
    from provider.palette.models import AwsCloudAccount, AwsStsCredentials

    if ecr.get("role_arn"):
        return AwsCloudAccount(
            credential_type="sts", sts=AwsStsCredentials(arn=ecr["role_arn"], external_id=ecr.get("external_id") or "")
        )
    return AwsCloudAccount(
        credential_type="secret", access_key=ecr.get("access_key_id"), secret_key=ecr.get("secret_access_key")
    )


def expand_ecr_spec(values: Values, provider_type: str) -> EcrRegistrySpec:
    from provider.palette.models import EcrRegistrySpec

    return EcrRegistrySpec(
        endpoint=values["endpoint"],
        is_private=True,
        base_content_path=values.get("base_content_path") or "",
        credentials=expand_ecr_credentials(values["ecr"]),
        default_region=ecr_region(values["endpoint"]),
        is_sync_supported=bool(values.get("auto_sync")),
        provider_type=provider_type,
        tls=expand_tls(values),
    )


def expand_ecr(values: Values, provider_type: str) -> EcrRegistry:
    from provider.palette.models import EcrRegistry, ObjectMeta

    return EcrRegistry(
        metadata=ObjectMeta(name=values["name"], uid=_known_text(values.get("id"))),
        spec=expand_ecr_spec(values, provider_type),
    )


def expand(values: Values, provider_type: str) -> BasicOciRegistry | EcrRegistry:
    if auth_type(values) == AUTH_ECR:
        return expand_ecr(values, provider_type)
    return expand_basic(values, provider_type)


def _known_text(value: Any) -> str | None:
    """A string the plan already knows (a planned `id` is unknown until Palette answers)."""
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------- flatten


def flatten(registry: BasicOciRegistry | EcrRegistry, prior: Values | None) -> Values:
    """Terraform values from a registry Palette returned; `prior` is the state or plan it refreshes."""
    from provider.palette.models import EcrRegistry

    prior = prior or {}
    spec = registry.spec
    sync = registry.status.sync_status if registry.status else None
    credentials: Values | None = None
    if isinstance(registry, EcrRegistry):
        auth, credentials = AUTH_ECR, _flatten_ecr(registry.spec.credentials, prior.get("ecr"))
        tls = registry.spec.tls
    else:
        basic = registry.spec.auth
        auth = AUTH_BASIC if (basic.type or "noAuth") != "noAuth" else AUTH_NONE
        if auth == AUTH_BASIC:
            credentials = _flatten_basic_auth(basic, prior.get("basic_auth"))
        tls = basic.tls
    return {
        "id": registry.metadata.uid,
        "name": registry.metadata.name,
        "endpoint": spec.endpoint,
        "base_content_path": same_or_new(prior.get("base_content_path"), spec.base_content_path or None, _text_equal),
        "auto_sync": bool(spec.is_sync_supported),
        "wait_for_sync": prior.get("wait_for_sync"),
        "preflight": prior.get("preflight"),
        "basic_auth": credentials if auth == AUTH_BASIC else None,
        "ecr": credentials if auth == AUTH_ECR else None,
        "tls": _flatten_tls(tls, prior.get("tls")),
        "timeouts": prior.get("timeouts"),
        "provider_type": spec.provider_type or "",
        "auth_type": auth,
        "scope": spec.scope or "",
        "sync_supported": bool(sync and sync.is_sync_supported),
        "sync_status": (sync.status if sync else None) or "",
        "sync_message": redact_credentials((sync.message if sync else None) or ""),
        "last_synced_at": (sync.last_synced_time if sync else None) or "",
    }


def same_or_new(prior: Any, new: Any, equal: Any) -> Any:
    """Keep the configured spelling when Palette reports the same value differently."""
    return prior if equal(prior, new) else new


def _text_equal(a: str | None, b: str | None) -> bool:
    return (a or "").strip() == (b or "").strip()


def _flatten_basic_auth(auth: Any, prior: Values | None) -> Values:
    return {"username": auth.username or "", "password": (prior or {}).get("password")}


def _flatten_ecr(credentials: AwsCloudAccount | None, prior: Values | None) -> Values:
    prior = prior or {}
    if credentials is not None and credentials.credential_type == "sts":
        sts = credentials.sts
        return {
            "access_key_id": None,
            "secret_access_key": None,
            "role_arn": (sts.arn if sts else None) or None,
            "external_id": same_or_new(
                prior.get("external_id"), (sts.external_id if sts else None) or None, _text_equal
            ),
        }
    return {
        "access_key_id": (credentials.access_key if credentials else None) or None,
        "secret_access_key": prior.get("secret_access_key"),
        "role_arn": None,
        "external_id": None,
    }


def _flatten_tls(tls: TlsConfiguration | None, prior: Values | None) -> Values | None:
    ca = (tls.ca if tls else None) or None
    insecure = bool(tls and tls.insecure_skip_verify)
    if prior is None and ca is None and not insecure:
        return None  # Palette's defaults for a configuration without a tls block
    prior = prior or {}
    return {
        "ca_certificate": same_or_new(prior.get("ca_certificate"), ca, _text_equal),
        "insecure_skip_verify": same_or_new(prior.get("insecure_skip_verify"), insecure, lambda a, b: bool(a) == b),
    }
