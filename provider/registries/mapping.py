"""Expand (Terraform values -> Palette wire models) and flatten (Palette answer -> Terraform values).

The only place that knows both vocabularies. Small pure functions: no HTTP, no Terraform calls.

`expand` takes the registry as Palette holds it now (None on create): a PUT replaces what Palette
stores, and what it omits may be stored as its zero value (FIDELITY.md, row 23), so an update starts
from Palette's own answer and overlays only what this provider manages. A client certificate, a
`basePath`, an ECR partition or policy ARNs set in the UI survive a password change; so do fields
the wire models do not define (a newer Palette's): the result keeps the answer it was built over,
and `PaletteClient.update` sends them back as Palette gave them.

`flatten` takes the prior values because Palette never returns secrets: the configured secret is
kept, and values Palette reports in another spelling of the same thing (an empty string for an
unset path, a PEM without its trailing newline) keep the configured spelling, so that a plan right
after apply is empty while real drift still shows. Optional settings the configuration leaves
out (`base_path`, a client certificate) are not managed: they stay null in the state whatever
Palette holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provider.ecr import ecr_is_public, ecr_region
from provider.redaction import redact_credentials, remember_masked
from provider.registries.auth import auth_type, basic_auth_type
from provider.registries.values import (
    BasicAuthValues,
    EcrValues,
    RegistryValues,
    TlsValues,
)
from provider.registries.writeonly import secret
from provider.words import Kind, ReadAuth

if TYPE_CHECKING:
    from provider.palette.models import (
        AwsCloudAccount,
        BasicOciRegistry,
        BasicOciRegistrySpec,
        EcrRegistry,
        EcrRegistrySpec,
        OciRegistryStatus,
        RegistryAuth,
        RegistrySyncStatus,
        TlsConfiguration,
    )

# ---------------------------------------------------------------------------- expand


def expand_tls(values: RegistryValues, current: TlsConfiguration | None = None) -> TlsConfiguration:
    """The TLS settings to send: Palette's current ones with the configured ones laid over them.

    The CA goes in `tls.ca` and, unless `tls.certificate` holds a client certificate, in `tls.certificate`
    too. The evidence conflicts: the description of Spectro's pull request #978 says Palette trusts only
    `tls.ca` (for the classic Helm endpoint), while Spectro's own OCI resource sends the CA in
    `tls.certificate`, without a key, and reads it back from there, against these very endpoints. Sent in
    both, the CA reaches whichever field Palette's OCI path reads (FIDELITY.md, "CA field")."""
    from provider.palette.models import TlsConfiguration

    tls = values.get("tls") or {}
    result = current.model_copy(deep=True) if current is not None else TlsConfiguration()
    result.enabled = not str(values.get("endpoint", "")).startswith("http://")
    ca = tls.get("ca_certificate") or ""
    if tls.get("client_certificate") is not None:  # managed here; otherwise Palette's pair stays
        result.certificate, result.key = tls["client_certificate"], secret(tls, "client_key")
    elif certificate_holds_ca(current) and (ca or result.certificate):  # nothing to send, nothing to clear: left out
        result.certificate = ca
    result.ca = ca
    result.insecure_skip_verify = bool(tls.get("insecure_skip_verify"))
    return result


def certificate_holds_ca(tls: TlsConfiguration | None) -> bool:
    """Whether `tls.certificate` is free for the CA or holds one: empty, a copy of `tls.ca`, or (Spectro's
    OCI resource's encoding) a certificate without a key while `tls.ca` is empty. A certificate with a key is
    a client pair (mutual TLS, perhaps set in the UI): it stays."""
    if tls is None or not (tls.certificate or "").strip():
        return True
    return _text_equal(tls.certificate, tls.ca) or not ((tls.ca or "").strip() or (tls.key or "").strip())


def read_ca(tls: TlsConfiguration | None) -> str | None:
    """The CA Palette answers: `tls.ca`, else a `tls.certificate` that holds one (Spectro's OCI resource sends
    and reads the CA there, with no key beside it)."""
    if tls is None:
        return None
    if (tls.ca or "").strip():
        return tls.ca
    if (tls.certificate or "").strip() and not (tls.key or "").strip():
        return tls.certificate
    return None


def expand_auth(values: RegistryValues, current: RegistryAuth | None = None) -> RegistryAuth:
    from provider.palette.models import RegistryAuth

    tls = expand_tls(values, current.tls if current is not None else None)
    credentials = values.get("basic_auth")
    if credentials is None:
        return RegistryAuth(type="noAuth", tls=tls)
    password = secret(credentials, "password")
    return RegistryAuth(type="basic", username=credentials["username"], password=password, tls=tls)


def expand_basic_spec(
    values: RegistryValues, kind: Kind, current: BasicOciRegistrySpec | None = None
) -> BasicOciRegistrySpec:
    from provider.palette.models import BasicOciRegistrySpec

    spec = current.model_copy(deep=True) if current is not None else BasicOciRegistrySpec(endpoint=values["endpoint"])
    spec.endpoint = values["endpoint"]
    spec.auth = expand_auth(values, current.auth if current is not None else None)
    spec.base_content_path = values.get("base_content_path") or ""
    if values.get("base_path") is not None:
        spec.base_path = values["base_path"]
    spec.is_sync_supported = bool(values.get("auto_sync"))
    spec.provider_type = kind
    spec.scope = None  # Palette decides the scope
    return spec


def expand_ecr_credentials(ecr: EcrValues, current: AwsCloudAccount | None = None) -> AwsCloudAccount:
    """The configured credentials over Palette's current account (its partition, policy ARNs and
    regional settings stay)."""
    from provider.palette.models import AwsCloudAccount, AwsStsCredentials

    account = current.model_copy(deep=True) if current is not None else AwsCloudAccount()
    account.secret_token = account.pod_identity = None
    if ecr.get("role_arn"):
        account.credential_type = "sts"
        account.sts = AwsStsCredentials(arn=ecr["role_arn"], external_id=ecr.get("external_id") or "")
        account.access_key = account.secret_key = None
    else:
        account.credential_type = "secret"
        account.access_key, account.secret_key = ecr.get("access_key_id"), secret(ecr, "secret_access_key")
        account.sts = None
    return account


def expand_ecr_spec(values: RegistryValues, kind: Kind, current: EcrRegistrySpec | None = None) -> EcrRegistrySpec:
    from provider.palette.models import EcrRegistrySpec

    ecr = values.get("ecr")
    assert ecr is not None, "an ECR registry's values have an ecr block"
    public = ecr_is_public(ecr)
    spec = current.model_copy(deep=True) if current is not None else EcrRegistrySpec(endpoint=values["endpoint"])
    spec.endpoint = values["endpoint"]
    spec.is_private = not public
    spec.credentials = None if public else expand_ecr_credentials(ecr, current.credentials if current else None)
    spec.base_content_path = values.get("base_content_path") or ""
    spec.default_region = ecr_region(values["endpoint"]) or spec.default_region
    spec.is_sync_supported = bool(values.get("auto_sync"))
    spec.provider_type = kind
    spec.scope = None
    spec.tls = expand_tls(values, current.tls if current is not None else None)
    return spec


def expand(
    values: RegistryValues, kind: Kind, current: BasicOciRegistry | EcrRegistry | None = None
) -> BasicOciRegistry | EcrRegistry:
    """The registry to send: a create when `current` is None, else an update of `current` (Palette's
    answer for the same registry, which must be of the same basic/ECR family)."""
    from provider.palette.models import BasicOciRegistry, EcrRegistry, ObjectMeta

    metadata = current.metadata.model_copy(deep=True) if current is not None else ObjectMeta()
    metadata.name, metadata.uid = values["name"], _known_text(values.get("id")) or metadata.uid
    # Palette's answer travels with the update: its fields these models do not define go back (client.update).
    if auth_type(values) == "ecr":
        ecr = current if isinstance(current, EcrRegistry) else None
        spec = expand_ecr_spec(values, kind, ecr.spec if ecr else None)
        return EcrRegistry(metadata=metadata, spec=spec).answered(ecr.answer if ecr else None)
    basic = current if isinstance(current, BasicOciRegistry) else None
    basic_spec = expand_basic_spec(values, kind, basic.spec if basic else None)
    return BasicOciRegistry(metadata=metadata, spec=basic_spec).answered(basic.answer if basic else None)


def _known_text(value: Any) -> str | None:
    """A string the plan already knows (a planned `id` is unknown until Palette answers)."""
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------- flatten


def sync_enabled(registry: BasicOciRegistry | EcrRegistry) -> bool:
    """Whether the registry synchronizes: `status.syncStatus.isSyncSupported` where Palette reports it
    (Spectro Cloud's own provider reads it there), else `spec.isSyncSupported`."""
    reported = _sync_status(registry.status)
    if reported is not None and reported.is_sync_supported is not None:
        return bool(reported.is_sync_supported)
    return bool(registry.spec.is_sync_supported)


def _sync_status(status: OciRegistryStatus | None) -> RegistrySyncStatus | None:
    return status.sync_status if status is not None else None


def flatten(registry: BasicOciRegistry | EcrRegistry, prior: RegistryValues | None) -> RegistryValues:
    """Terraform values from a registry Palette returned; `prior` is the state or plan it refreshes."""
    from provider.palette.models import EcrRegistry

    prior = prior or {}
    remember_masked(masked_secrets(registry))  # before sync_message is redacted: it may echo them
    spec = registry.spec
    sync = _sync_status(registry.status)
    auth: ReadAuth
    basic_auth: BasicAuthValues | None = None
    ecr: EcrValues | None = None
    base_path: str | None = None
    if isinstance(registry, EcrRegistry):
        auth, tls = "ecr", registry.spec.tls
        ecr = _flatten_ecr(registry.spec, prior.get("ecr"))
    else:
        auth, tls = basic_auth_type(registry.spec.auth), registry.spec.auth.tls
        if auth == "basic":
            basic_auth = _flatten_basic_auth(registry.spec.auth, prior.get("basic_auth"))
        if prior.get("base_path") is not None:  # managed only when configured
            base_path = same_or_new(prior.get("base_path"), registry.spec.base_path or "", _text_equal)
    syncing = sync_enabled(registry)
    return {
        "id": registry.metadata.uid,
        "name": registry.metadata.name,
        "endpoint": spec.endpoint,
        "base_content_path": same_or_new(prior.get("base_content_path"), spec.base_content_path or None, _text_equal),
        "base_path": base_path,
        "auto_sync": syncing,
        "wait_for_sync": prior.get("wait_for_sync"),
        "preflight": prior.get("preflight"),
        "basic_auth": basic_auth,
        "ecr": ecr,
        "tls": _flatten_tls(tls, prior.get("tls")),
        "timeouts": prior.get("timeouts"),
        "provider_type": spec.provider_type or "",
        "auth_type": auth,
        "scope": spec.scope or "",
        "sync_supported": syncing,
        "sync_status": (sync.status if sync else None) or "",
        "sync_message": redact_credentials((sync.message if sync else None) or ""),
        "last_synced_at": (sync.last_synced_time if sync else None) or "",
    }


def masked_secrets(registry: BasicOciRegistry | EcrRegistry) -> list[str]:
    """The secrets of a registry as Palette answered them (masked: `abc***xyz`), for
    `provider.redaction.remember_masked`: the basic password or token, the ECR secret key or session
    token, the TLS client key."""
    spec = registry.spec
    auth, credentials = getattr(spec, "auth", None), getattr(spec, "credentials", None)
    tls = getattr(auth, "tls", None) or getattr(spec, "tls", None)
    found = [
        getattr(auth, "password", None),
        getattr(auth, "token", None),
        getattr(credentials, "secret_key", None),
        getattr(credentials, "secret_token", None),
        getattr(tls, "key", None),
    ]
    return [value for value in found if isinstance(value, str)]


def same_or_new(prior: Any, new: Any, equal: Any) -> Any:
    """Keep the configured spelling when Palette reports the same value differently."""
    return prior if equal(prior, new) else new


def _text_equal(a: str | None, b: str | None) -> bool:
    return (a or "").strip() == (b or "").strip()


# Each block keeps the configured `<secret>_wo_version`, which only Terraform knows (Palette has no such
# thing). The write-only value itself is left out: it is null in every state (the block's encoder fills it in).


def _flatten_basic_auth(auth: RegistryAuth, prior: BasicAuthValues | None) -> BasicAuthValues:
    prior = prior or {}
    values: BasicAuthValues = {"username": auth.username or "", "password": prior.get("password")}
    if "password_wo_version" in prior:
        values["password_wo_version"] = prior["password_wo_version"]
    return values


MANAGED_CREDENTIAL_TYPES = ("", "secret", "sts")  # none (public), access keys, an IAM role


def unmanaged_credential_type(registry: BasicOciRegistry | EcrRegistry) -> str | None:
    """The ECR credential type of `registry` when no `ecr` block can express it ("pod-identity", set in the UI,
    or a type newer than this provider); None for every registry this provider can manage."""
    from provider.palette.models import EcrRegistry

    if not isinstance(registry, EcrRegistry) or registry.spec.credentials is None:
        return None
    credential_type = registry.spec.credentials.credential_type or ""
    return None if credential_type in MANAGED_CREDENTIAL_TYPES else credential_type


def _flatten_ecr(spec: EcrRegistrySpec, prior: EcrValues | None) -> EcrValues:
    prior = prior or {}
    credentials = spec.credentials
    credential_type = (credentials.credential_type if credentials else None) or ""
    none: EcrValues = {"access_key_id": None, "secret_access_key": None, "role_arn": None, "external_id": None}
    if "secret_access_key_wo_version" in prior:
        none["secret_access_key_wo_version"] = prior["secret_access_key_wo_version"]
    if not spec.is_private and not credential_type:
        return none  # a public registry: `ecr {}`
    if credential_type == "sts":
        sts = credentials.sts if credentials else None
        return {
            **none,
            "role_arn": (sts.arn if sts else None) or None,
            "external_id": same_or_new(
                prior.get("external_id"), (sts.external_id if sts else None) or None, _text_equal
            ),
        }
    if credential_type in ("", "secret"):
        return {
            **none,
            "access_key_id": (credentials.access_key if credentials else None) or None,
            "secret_access_key": prior.get("secret_access_key"),
        }
    return none  # a credential type this provider does not manage (pod identity, or newer): shown as no credentials


def _flatten_tls(tls: TlsConfiguration | None, prior: TlsValues | None) -> TlsValues | None:
    ca = read_ca(tls)
    insecure = bool(tls and tls.insecure_skip_verify)
    if prior is None and ca is None and not insecure:
        return None  # Palette's defaults for a configuration without a tls block
    prior = prior or {}
    client_certificate = prior.get("client_certificate")
    if client_certificate is not None:  # managed only when configured
        client_certificate = same_or_new(client_certificate, (tls.certificate if tls else None) or "", _text_equal)
    values: TlsValues = {
        "ca_certificate": same_or_new(prior.get("ca_certificate"), ca, _text_equal),
        "insecure_skip_verify": same_or_new(prior.get("insecure_skip_verify"), insecure, lambda a, b: bool(a) == b),
        "client_certificate": client_certificate,
        "client_key": prior.get("client_key") if client_certificate is not None else None,
    }
    if "client_key_wo_version" in prior:
        values["client_key_wo_version"] = prior["client_key_wo_version"]
    return values
