"""Pydantic v2 wire models for Palette's OCI registry API.

Attribute names are snake_case; each carries the swagger's camelCase name as its alias
(`palette_emulator/swagger.json`, the `v1...` definitions named in each docstring; what Palette
does beyond the swagger, and the evidence for it, is in palette_emulator/FIDELITY.md).
Build models with either name, read answers with `Model.model_validate(json)`, and produce request
bodies with `to_wire(model)` (aliases, no None values). Unknown fields in answers are ignored so a
newer Palette does not break the client; a registry read for an update keeps the answer it came from
(`RegistryBase.answer`), and `with_unknown_fields` puts the fields these models do not define back into
the request, so a PUT never drops what a newer Palette has (Palette may store an omitted field as
its zero value: FIDELITY.md row 23, an inference).

Enumerations (`providerType`, `registryType`, `auth.type`, `scope`, `credentialType`, the sync status)
are strings on purpose: an answer carrying a value this client does not know must still decode. Palette's
spellings are normalised here, once, as answers enter (and as models are built): a word this client knows,
in any case and with any surrounding spaces ("Helm", " ECR", "NOAUTH"), becomes its one spelling (the
`provider.words` words; Palette's own for `auth.type` and the sync status, which go back to Palette or
into the state as Palette writes them); a word it does not know stays exactly as Palette sent it, for the
messages that quote it. Nothing downstream compares these words in another case.

Secrets (`password`, `token`, `secretKey`, `secretToken`, TLS `key`) are ordinary strings so the
JSON carries them, but are left out of `repr()`/`str()`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

from provider.words import FAMILIES, KIND_NAMES, Family, is_family, normalised, spellings_of


def _word(*words: str, **aliases: str) -> BeforeValidator:
    spellings = spellings_of(*words, **aliases)
    return BeforeValidator(lambda value: normalised(value, spellings))


# Palette's enumerations, each normalised as it enters (see the module doc).
KindWord = Annotated[str | None, _word(*KIND_NAMES)]  # providerType
FamilyWord = Annotated[str | None, _word(*FAMILIES)]  # registryType, the entity's type: "Basic", "ECR"
ScopeWord = Annotated[str | None, _word("tenant", "system", "project")]
AuthTypeWord = Annotated[str | None, _word("noAuth", "basic", "token", none="noAuth")]  # v1RegistryAuth.type
CredentialTypeWord = Annotated[str | None, _word("secret", "sts", "pod-identity")]
# Spectro Cloud's provider documents Completed, InProgress, Failed and Error; its wait also lists Success,
# Pending and Running (provider.palette.sync.classify_sync says what each means).
SYNC_WORDS = ("Completed", "Success", "InProgress", "Pending", "Running", "Failed", "Error", "Unknown")
SyncWord = Annotated[str | None, _word(*SYNC_WORDS)]


class WireModel(BaseModel):
    """Base: camelCase aliases generated from the attribute names, either accepted on input."""

    # hide_input_in_errors: a ValidationError must not quote a password back.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        validate_assignment=True,
        hide_input_in_errors=True,
    )


def _secret() -> Any:
    """A secret field: sent in JSON, hidden from repr()."""
    return Field(default=None, repr=False)


def to_wire(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The JSON body Palette expects: swagger names, None values left out."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=exclude)


class ObjectMeta(WireModel):
    """v1ObjectMeta. Timestamps stay strings (RFC 3339) exactly as Palette wrote them."""

    name: str | None = None
    uid: str | None = None
    annotations: dict[str, str] | None = None
    labels: dict[str, str] | None = None
    creation_timestamp: str | None = None
    deletion_timestamp: str | None = None
    last_modified_timestamp: str | None = None


class TlsConfiguration(WireModel):
    """v1TlsConfiguration."""

    ca: str | None = None
    certificate: str | None = None
    enabled: bool | None = None
    insecure_skip_verify: bool | None = None
    key: str | None = _secret()


class RegistryAuth(WireModel):
    """v1RegistryAuth: `type` is "noAuth", "basic" or "token"."""

    type: AuthTypeWord = None
    username: str | None = None
    password: str | None = _secret()
    token: str | None = _secret()
    tls: TlsConfiguration | None = None


class RegistrySyncStatus(WireModel):
    """v1RegistrySyncStatus: `status` is a free string (see `provider.palette.sync.classify_sync`)."""

    is_sync_supported: bool | None = None
    last_run_time: str | None = None
    last_synced_time: str | None = None
    message: str | None = None
    status: SyncWord = None


class OciRegistryStatus(WireModel):
    """v1OciRegistryStatus."""

    sync_status: RegistrySyncStatus | None = None


class BasicOciRegistrySpec(WireModel):
    """v1BasicOciRegistrySpec (`endpoint` and `auth` required by the swagger)."""

    family: ClassVar[Family] = "basic"

    endpoint: str
    auth: RegistryAuth = Field(default_factory=RegistryAuth)
    base_content_path: str | None = None
    base_path: str | None = None
    contains_spectro_manifest: bool | None = None
    is_sync_supported: bool | None = None
    provider_type: KindWord = None
    registry_uid: str | None = None
    scope: ScopeWord = None


class RegistryBase(WireModel):
    """What a basic and an ECR registry share: the JSON Palette answered when read (`answer`)."""

    _answer: dict[str, Any] | None = PrivateAttr(default=None)

    @property
    def answer(self) -> dict[str, Any] | None:
        """The JSON object this registry was read from (None when built here): its unknown fields
        go back to Palette with an update of it."""
        return self._answer

    def answered(self, answer: Mapping[str, Any] | None) -> Self:
        """This registry, remembering `answer` as the JSON Palette gave for it."""
        self._answer = dict(answer) if answer is not None else None
        return self


class BasicOciRegistry(RegistryBase):
    """v1BasicOciRegistry."""

    family: ClassVar[Family] = "basic"

    kind: str | None = None
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: BasicOciRegistrySpec
    status: OciRegistryStatus | None = None


class AwsStsCredentials(WireModel):
    """v1AwsStsCredentials: the role to assume."""

    arn: str | None = None
    external_id: str | None = None


class AwsPodIdentityCredentials(WireModel):
    """v1AwsPodIdentityCredentials."""

    role_arn: str | None = None
    permission_boundary_arn: str | None = None


class AwsCloudAccount(WireModel):
    """v1AwsCloudAccount: `credential_type` is "secret", "sts" or "pod-identity"; `partition` is "aws",
    "aws-us-gov", "aws-iso" or "aws-iso-b"."""

    credential_type: CredentialTypeWord = None
    access_key: str | None = None
    secret_key: str | None = _secret()
    secret_token: str | None = _secret()
    sts: AwsStsCredentials | None = None
    pod_identity: AwsPodIdentityCredentials | None = None
    partition: str | None = None
    policy_arns: list[str] | None = Field(default=None, alias="policyARNs")
    # v1AwsSecretSpec (regional clouds): kept as Palette sent it, so an update sends it back unchanged.
    secret_spec: dict[str, Any] | None = None


class EcrRegistrySpec(WireModel):
    """v1EcrRegistrySpec (`endpoint` and `isPrivate` required by the swagger)."""

    family: ClassVar[Family] = "ecr"

    endpoint: str
    is_private: bool = True
    base_content_path: str | None = None
    contains_spectro_manifest: bool | None = None
    credentials: AwsCloudAccount | None = None
    default_region: str | None = None
    is_sync_supported: bool | None = None
    provider_type: KindWord = None
    registry_uid: str | None = None
    scope: ScopeWord = None
    tls: TlsConfiguration | None = None


class EcrRegistry(RegistryBase):
    """v1EcrRegistry."""

    family: ClassVar[Family] = "ecr"

    kind: str | None = None
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: EcrRegistrySpec
    status: OciRegistryStatus | None = None


class OciRegistrySpec(WireModel):
    """v1OciRegistrySpec: the summary's spec; `registry_type` tells the family, basic or ecr."""

    endpoint: str | None = None
    provider_type: KindWord = None
    registry_type: FamilyWord = None
    scope: ScopeWord = None
    is_private: bool | None = None
    default_region: str | None = None
    contains_spectro_manifest: bool | None = None


class OciRegistryStatusSummary(WireModel):
    """v1OciRegistryStatusSummary."""

    sync: RegistrySyncStatus | None = None


class OciRegistry(WireModel):
    """v1OciRegistry: one item of `GET /v1/registries/oci/summary`."""

    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: OciRegistrySpec = Field(default_factory=OciRegistrySpec)
    status: OciRegistryStatusSummary | None = None

    @property
    def family(self) -> Family | None:
        """The family, "basic" or "ecr", from Palette's `registryType`; None for a type this client does not know."""
        registry_type = self.spec.registry_type
        return registry_type if is_family(registry_type) else None


class OciRegistries(WireModel):
    """v1OciRegistries."""

    items: list[OciRegistry] = Field(default_factory=list)


class OciRegistryEntity(WireModel):
    """v1OciRegistryEntity: `GET /v1/registries/oci/{uid}`; `type` tells the family, basic or ecr."""

    type: FamilyWord = None
    endpoint: str | None = None
    provider_type: KindWord = None
    scope: ScopeWord = None
    default_region: str | None = None
    auth: RegistryAuth | None = None

    @property
    def family(self) -> Family | None:
        """The family, "basic" or "ecr", from Palette's `type`; None for a type this client does not know."""
        return self.type if is_family(self.type) else None


class ObjectEntity(WireModel):
    """v1ObjectEntity: an object's name and uid."""

    name: str | None = None
    uid: str | None = None


class ProjectMetadata(WireModel):
    """v1ProjectMetadata."""

    metadata: ObjectEntity | None = None


class ProjectsMetadata(WireModel):
    """v1ProjectsMetadata: `GET /v1/dashboard/projects/metadata`, the call that proves an API key
    (`items` is required: an answer without it is not this one)."""

    items: list[ProjectMetadata]


class Uid(WireModel):
    """v1Uid: the answer to a create."""

    uid: str


def with_unknown_fields(body: Mapping[str, Any], answer: Mapping[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """`body` (a request built from `model`) with every field of `answer` (Palette's JSON for the same
    object) that `model` does not define, as Palette sent it, at every depth where both still have
    the object. Fields the model defines stay as `body` has them, absent ones included: those are
    the provider's to set or leave out."""
    result = dict(body)
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    for key, value in answer.items():
        field = fields.get(key)
        if field is None:
            result.setdefault(key, copy.deepcopy(value))
            continue
        inner = _model_in(field.annotation)
        if inner is not None and isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = with_unknown_fields(result[key], value, inner)
    return result


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (`TlsConfiguration | None` holds TlsConfiguration), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((inner for arg in get_args(annotation) if (inner := _model_in(arg)) is not None), None)


def registry_family(value: str | None) -> Family | None:
    """Palette's registry type string as a Family ("Basic", "ECR" and "ecr" all count), for answers read
    as plain JSON (the probe); None for a type this client does not know."""
    word = normalised(value, _FAMILY_SPELLINGS)
    return word if is_family(word) else None


_FAMILY_SPELLINGS = spellings_of(*FAMILIES)
