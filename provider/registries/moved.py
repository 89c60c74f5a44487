"""From Spectro Cloud's provider: a `spectrocloud_registry_oci` state as one of ours (a `moved` block).

`moved { from = spectrocloud_registry_oci.x  to = oci_registry_helm.x }` (Terraform 1.8+) hands us the
official provider's state as raw JSON (`provider.tfx.moves`). `move()` maps it onto this provider's
values without calling Palette: the uid stays, so cluster profiles that use the registry keep it, and
the next refresh fills in what Palette reports (scope, sync status). Secrets come from the source
state, which holds them as the user configured them.

The source schema is `spectrocloud/resource_registry_oci_ecr.go` in spectrocloud/terraform-provider-spectrocloud
(commit 0b65bb13): schema version 2 with no state upgraders (:95), `type` ecr|basic (:103-109),
`provider_type` helm|zarf|pack, default helm (:138-144), one `credentials` block whose `credential_type` is
secret|sts|basic|noAuth (:157-169) with a `tls_config` block (:203-224). How its fields reach Palette:
`toRegistryBasic` (:666-717) sends `endpoint_suffix` as `basePath`, any credential type but `basic` as
`noAuth`, and `tls_config.certificate` as the TLS `certificate`; `toRegistryEcr` (:632-664) ignores
`endpoint_suffix`, and an empty credential type is `secret` (:719-733).

What our schema cannot say is refused with the reason and what to do: Zarf on ECR (Palette has no such
registry), a credential type of the other family or one we do not know (token authentication among them),
a `provider_type` another resource type manages (named), a schema version newer than 2.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provider.kinds import KINDS, resource_type_for
from provider.problems import Problem
from provider.registries.values import BasicAuthValues, EcrValues, RegistryValues, TimeoutsValues, TlsValues
from provider.tfx.moves import MoveSource
from provider.words import Auth, Kind, normalised, spellings_of

SOURCE_PROVIDER = "registry.terraform.io/spectrocloud/spectrocloud"
SOURCE_TYPE = "spectrocloud_registry_oci"
SOURCES = ((SOURCE_PROVIDER, SOURCE_TYPE),)
SOURCE_SCHEMA_VERSION = 2  # resource_registry_oci_ecr.go:95

# The official provider's `credential_type` words for each of its registry `type`s.
BASIC_CREDENTIALS: dict[str, Auth] = {"basic": "basic", "noAuth": "none", "": "none"}
ECR_CREDENTIALS = {"secret", "sts", ""}

_IMPORT_INSTEAD = (
    "Or leave the moved block out and take the registry over with an import block (`import { to = <address>, "
    'id = "<uid>" }`), then drop the old resource with a removed block (`lifecycle { destroy = false }`).'
)


def move(source: MoveSource, kind: Kind) -> tuple[RegistryValues | None, list[Problem]]:
    """The state of the `kind` resource (helm | zarf | pack) for the official provider's `source`, or None
    with the problems that refuse it; warnings may come with a state."""
    state = source.state
    problems = list(_refusals(source, kind))
    if problems:
        return None, problems
    family = _text(state.get("type"))
    credentials = _first(state.get("credentials"))
    tls, tls_problems = _tls(_first(credentials.get("tls_config")))
    basic_auth, ecr, auth = _auth(family, credentials, bool(state.get("is_private", True)))
    auto_sync = bool(state.get("is_synchronization"))
    values: RegistryValues = {
        "id": _text(state.get("id")),
        "name": _text(state.get("name")),
        "endpoint": _text(state.get("endpoint")),
        "base_content_path": _text(state.get("base_content_path")) or None,
        # Only basic registries send it (`toRegistryBasic`, :701); "" is the source's default: not managed.
        "base_path": (_text(state.get("endpoint_suffix")) or None) if family == "basic" else None,
        "auto_sync": auto_sync,
        "wait_for_sync": True if state.get("wait_for_sync") else None,  # false is our default: left out
        "preflight": None,
        "basic_auth": basic_auth,
        "ecr": ecr,
        "tls": tls,
        "timeouts": _timeouts(state.get("timeouts")),
        "provider_type": kind,
        "auth_type": auth,
        "sync_supported": auto_sync,
        # scope and the sync status: null until the refresh that follows the move reads them from Palette.
    }
    return values, tls_problems


def _refusals(source: MoveSource, kind: Kind) -> list[Problem]:
    """Why the source cannot become a `kind` registry, each with what to do instead."""
    state, target = source.state, KINDS[kind].resource_type
    if source.schema_version > SOURCE_SCHEMA_VERSION:
        return [
            _refusal(
                "State of a newer spectrocloud provider",
                f"The {SOURCE_TYPE} state was written with schema version {source.schema_version}; this provider "
                f"reads versions up to {SOURCE_SCHEMA_VERSION}. Upgrade terraform-provider-oci, if a newer one "
                "reads it. " + _IMPORT_INSTEAD,
            )
        ]
    uid, family = _text(state.get("id")), _text(state.get("type"))
    found = _text(state.get("provider_type")) or "helm"  # the source's default (:141)
    # Palette's word as the source provider stored it: spelled as this provider spells it (the cases differ).
    credential = str(normalised(_text(_first(state.get("credentials")).get("credential_type")), _CREDENTIALS))
    problems: list[Problem] = []
    if not uid:
        problems.append(
            _refusal(
                "Moved registry has no uid",
                f"The {SOURCE_TYPE} state holds no id: the registry was never created, or its create failed. "
                f"Remove the moved block and let {target} create the registry.",
            )
        )
    if uid and not _text(state.get("name")):
        problems.append(
            _refusal(
                "Moved registry has no name",
                f"The {SOURCE_TYPE} state holds no name, which this provider needs to manage the registry "
                "(a changed name replaces it). Run `terraform apply -refresh-only` with the spectrocloud provider "
                "so the state holds what Palette has, then move it. " + _IMPORT_INSTEAD,
            )
        )
    if found not in KINDS:
        problems.append(
            _refusal(
                "Unknown provider_type in the moved registry",
                f'The {SOURCE_TYPE} state has provider_type "{found}"; this provider manages helm, zarf and pack '
                "registries (oci_registry_helm, oci_registry_zarf, oci_registry_packs). " + _IMPORT_INSTEAD,
            )
        )
    elif found != kind:
        problems.append(
            _refusal(
                "Moved registry is of another kind",
                f'The {SOURCE_TYPE} registry "{state.get("name")}" has provider_type "{found}": move it to '
                f"{resource_type_for(found)}, not {target}. Change the `to` of the moved block and the resource "
                "block's type.",
            )
        )
    if family not in ("basic", "ecr"):
        problems.append(
            _refusal(
                "Unknown registry type in the moved registry",
                f'The {SOURCE_TYPE} state has type "{family}"; the spectrocloud provider writes "basic" or "ecr". '
                + _IMPORT_INSTEAD,
            )
        )
    elif family == "ecr" and kind == "zarf":
        problems.append(
            _refusal(
                "Zarf registry on ECR",
                f'The {SOURCE_TYPE} registry "{state.get("name")}" is a Zarf registry of type "ecr": Palette '
                "supports Zarf registries with basic authentication only, and oci_registry_zarf has no ECR. "
                "Register the Zarf packages from a basic registry (a new oci_registry_zarf with basic_auth), "
                "and keep this one under the spectrocloud provider until nothing uses it.",
            )
        )
    else:
        problems += _credential_refusals(family, credential, state)
    return problems


_CREDENTIALS = spellings_of("secret", "sts", "basic", "noAuth", "token", "pod-identity")


def _credential_refusals(family: str, credential: str, state: Mapping[str, Any]) -> list[Problem]:
    allowed = set(BASIC_CREDENTIALS) if family == "basic" else ECR_CREDENTIALS
    if credential in allowed:
        return []
    name = state.get("name")
    if credential == "token":
        return [
            _refusal(
                "Token authentication is not managed by this provider",
                f'The {SOURCE_TYPE} registry "{name}" uses token authentication, which this provider reads but '
                "cannot express in a configuration. Switch the registry to basic authentication (username and "
                "password) first, refresh the old state, then move it. " + _IMPORT_INSTEAD,
            )
        ]
    other = "ecr" if credential in ECR_CREDENTIALS else "basic" if credential in BASIC_CREDENTIALS else ""
    reason = (
        f'credential_type "{credential}" belongs to registries of type "{other}"'
        if other
        else f'credential_type "{credential}" is none of basic, noAuth (type "basic") or secret, sts (type "ecr")'
    )
    return [
        _refusal(
            "Credentials the moved registry cannot have",
            f'The {SOURCE_TYPE} registry "{name}" has type "{family}", but its {reason}. Run `terraform apply '
            "-refresh-only` with the spectrocloud provider so the state holds what Palette has, then move it. "
            + _IMPORT_INSTEAD,
        )
    ]


def _refusal(summary: str, detail: str) -> Problem:
    return Problem((), summary, detail)


def _auth(
    family: str, credentials: Mapping[str, Any], is_private: bool
) -> tuple[BasicAuthValues | None, EcrValues | None, Auth]:
    """The auth block and auth type: `basic_auth`, `ecr` (keys, a role, or `ecr {}` for a public registry),
    or neither (`none`)."""
    if family == "basic":
        if BASIC_CREDENTIALS[_text(credentials.get("credential_type"))] == "none":
            return None, None, "none"
        password = credentials.get("password")
        basic: BasicAuthValues = {
            "username": _text(credentials.get("username")),
            "password": password if isinstance(password, str) and password else None,
        }
        return basic, None, "basic"
    ecr: EcrValues = {"access_key_id": None, "secret_access_key": None, "role_arn": None, "external_id": None}
    if not is_private:
        return None, ecr, "ecr"  # `ecr {}`: a public registry sends no credentials
    if _text(credentials.get("credential_type")) == "sts":
        ecr["role_arn"] = _text(credentials.get("arn")) or None
        ecr["external_id"] = _text(credentials.get("external_id")) or None
    else:
        ecr["access_key_id"] = _text(credentials.get("access_key")) or None
        ecr["secret_access_key"] = _text(credentials.get("secret_key")) or None
    return None, ecr, "ecr"


def _tls(tls_config: Mapping[str, Any]) -> tuple[TlsValues | None, list[Problem]]:
    """Our `tls` block for the source's `tls_config`: only `insecure_skip_verify` has a twin. Its
    `certificate` is Palette's TLS `certificate` field (`toRegistryBasic`, :708-712), which this provider
    leaves as Palette holds it unless `tls.client_certificate` and its key are configured: a warning says so."""
    problems: list[Problem] = []
    if _text(tls_config.get("certificate")):
        problems.append(
            Problem(
                (),
                "tls_config.certificate stays in Palette",
                "The moved registry's tls_config.certificate is kept in Palette as it is (its TLS `certificate` "
                "field); this provider does not manage it and will not change it. To manage it from Terraform, "
                "set tls.client_certificate with its tls.client_key; to trust a CA, set tls.ca_certificate.",
                severity="warning",
            )
        )
    if not tls_config.get("insecure_skip_verify"):
        return None, problems  # Palette's defaults: a configuration without a tls block
    tls: TlsValues = {
        "ca_certificate": None,
        "insecure_skip_verify": True,
        "client_certificate": None,
        "client_key": None,
    }
    return tls, problems


def _timeouts(value: Any) -> TimeoutsValues | None:
    """The source's create and update timeouts (SDKv2 keeps a `timeouts` object beside the attributes)."""
    given = value if isinstance(value, Mapping) else {}
    create, update = given.get("create"), given.get("update")
    if not create and not update:
        return None
    return {"create": create or None, "update": update or None}


def _first(value: Any) -> Mapping[str, Any]:
    """The one element of a MaxItems=1 block as SDKv2 stores it (a list), or an empty mapping."""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
