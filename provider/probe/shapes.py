"""What the probe records of Palette's answers: their shapes, never their values.

Every string recorded here comes from a fixed vocabulary or through `word()`, which keeps only a
short identifier-like word (a sync word, a registryType, an error code) and replaces anything else
by "<other>". Names, endpoints, secrets, uids and messages are read to classify them and then
dropped: the report is meant to be pasted into a public issue.

Pure functions over decoded JSON; `Observations` is the one mutable tally they write to.
"""

from __future__ import annotations

import re
import types
import typing
from collections import Counter
from typing import Any

from pydantic import BaseModel

# Topics: what a shape is about. The report's rows read them; the "shapes met" section lists them all.
KEY_PROOF = "key proof"
BAD_KEY = "a wrong API key"
SUMMARY_TYPE = "summary registryType"
ENTITY_TYPE = "entity type"
SYNC_WORDS = "sync words"
SYNC_FLAG = "isSyncSupported in a registry answer"
STATUS_BLOCK = "status block"
MASK = "secret masks"
MASK_KNOWN = "mask of the scratch registry's 24-character password"
TLS = "TLS block"
CA_FIELD = "CA field"
SCOPE = "scope"
UNKNOWN_FIELDS = "fields the swagger does not define"
BASE_CONTENT_PATH = "baseContentPath"
BASE_PATH = "basePath"
AUTH_TYPE = "auth.type"
CREDENTIAL_TYPE = "credentialType"
ECR_PRIVATE = "ECR isPrivate"
PACK_SYNC = "Packs registries"
ZARF = "Zarf registries"
DECODE = "the client's models"
ANSWERED = "answered"
NOT_FOUND = "not found"
PATHS_UNKNOWN = "paths unknown to this Palette"

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
OTHER = "<other>"


class Observations:
    """Shapes seen, by topic, with how often each was seen."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}

    def note(self, topic: str, shape: str) -> None:
        self.counts.setdefault(topic, Counter())[shape] += 1

    def shapes(self, topic: str) -> frozenset[str]:
        return frozenset(self.counts.get(topic, ()))

    def to_json(self) -> dict[str, dict[str, int]]:
        return {topic: dict(sorted(counter.items())) for topic, counter in sorted(self.counts.items())}


def word(value: object) -> str:
    """A short word Palette uses as a value (a sync state, a type, an error code) as it is; `""` for
    the empty string, "absent" for None, and "<other>" for anything else (which could be a name)."""
    if value is None:
        return "absent"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) and _WORD.fullmatch(value) else OTHER


def mask_form(value: str) -> str:
    """How a secret came back: "partial" (`abc***def`), "stars" (`******`), "empty" (`""`), or "clear"
    (no `*`: the secret itself, or something Palette did not mask)."""
    if not value:
        return "empty"
    if set(value) == {"*"}:
        return "stars"
    return "partial" if "*" in value else "clear"


def path_list_form(value: object) -> str:
    """How a baseContentPath is written: empty, one path, or several joined by which separator."""
    if not isinstance(value, str) or not value.strip():
        return "empty"
    for separator, name in ((",", "comma"), ("\n", "newline"), (";", "semicolon"), (" ", "space")):
        if separator in value.strip():
            return f"several paths, {name}-separated"
    return "one path"


def path_template(path: str) -> str:
    """A request path with its registry uid replaced by `{uid}` (uids are not recorded)."""
    parts = path.split("?")[0].split("/")
    if len(parts) > 4 and parts[1:4] == ["v1", "registries", "oci"] and parts[4] not in ("basic", "ecr", "summary"):
        parts[4] = "{uid}"
    return "/".join(parts)


def body_kind(content_type: str | None, body: bytes) -> str:
    """An error answer's body as a shape: `v1Error JSON`, other JSON, plain text, HTML or empty."""
    text = body.strip()
    if not text:
        return "empty body"
    if text.startswith(b"<") or "html" in (content_type or "").lower():
        return "HTML"
    try:
        import json

        parsed = json.loads(text)
    except ValueError:
        return "plain text"
    if isinstance(parsed, dict) and "code" in parsed:
        return f"JSON code {word(parsed.get('code'))}"
    return "JSON without a code"


def unknown_fields(document: object, model: type[BaseModel], prefix: str = "") -> list[str]:
    """Paths of the keys in `document` that `model` (the client's wire model, which declares exactly
    the swagger's fields) does not declare, recursing into nested models and lists of them. Maps of
    free keys (annotations, labels) are not entered: their keys are values."""
    if not isinstance(document, dict):
        return []
    fields = {field.alias or name: field.annotation for name, field in model.model_fields.items()}
    found: list[str] = []
    for key, value in document.items():
        path = f"{prefix}{word(key)}"
        if key not in fields:
            found.append(path)
            continue
        nested = _model_in(fields[key])
        if nested is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            found.extend(unknown_fields(item, nested, path + "."))
    return sorted(set(found))


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The wire model inside an annotation such as `TlsConfiguration | None` or `list[OciRegistry]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# What each kind of answer shows ---------------------------------------------------------------


def summary_item(obs: Observations, item: dict[str, Any]) -> None:
    """One item of `GET /v1/registries/oci/summary`."""
    spec = _dict(item.get("spec"))
    obs.note(SUMMARY_TYPE, word(spec.get("registryType")))
    obs.note(SCOPE, word(spec.get("scope")))
    status = item.get("status")
    if not isinstance(status, dict):
        obs.note(STATUS_BLOCK, "summary: no status")
    elif isinstance(status.get("sync"), dict):
        obs.note(STATUS_BLOCK, "summary: status.sync")
        obs.note(SYNC_WORDS, word(status["sync"].get("status")))
    else:
        obs.note(STATUS_BLOCK, "summary: status without sync")


def registry(obs: Observations, family: str, document: dict[str, Any]) -> None:
    """One `GET /v1/registries/oci/{uid}/{basic,ecr}` answer (`family` is the path's)."""
    spec = _dict(document.get("spec"))
    obs.note(SCOPE, word(spec.get("scope")))
    provider_type = str(spec.get("providerType") or "").lower()
    status = document.get("status")
    sync_status = _dict(status).get("syncStatus") if isinstance(status, dict) else None
    if not isinstance(status, dict):
        obs.note(STATUS_BLOCK, "registry: no status")
    elif isinstance(sync_status, dict):
        obs.note(STATUS_BLOCK, "registry: status.syncStatus")
        obs.note(SYNC_WORDS, word(sync_status.get("status")))
    else:
        obs.note(STATUS_BLOCK, "registry: status without syncStatus")
    in_spec = "isSyncSupported" in spec
    in_status = isinstance(sync_status, dict) and "isSyncSupported" in sync_status
    obs.note(SYNC_FLAG, _flag_place(in_spec, in_status, isinstance(status, dict)))
    syncing = spec.get("isSyncSupported") is True or (
        isinstance(sync_status, dict) and sync_status.get("isSyncSupported") is True
    )
    if provider_type == "pack":
        obs.note(PACK_SYNC, "syncing" if syncing else "not syncing")
    if provider_type == "zarf":
        obs.note(ZARF, "on ECR" if family == "ecr" else ("syncing" if syncing else "basic, not syncing"))
    obs.note(BASE_CONTENT_PATH, path_list_form(spec.get("baseContentPath")))
    if family == "basic":
        auth = _dict(spec.get("auth"))
        obs.note(AUTH_TYPE, word(auth.get("type")))
        _secrets(obs, auth, ("password", "token"))
        _tls(obs, "basic", auth)
        if "basePath" in spec:
            obs.note(BASE_PATH, "answered")
    else:
        credentials = spec.get("credentials")
        if isinstance(credentials, dict):
            obs.note(CREDENTIAL_TYPE, word(credentials.get("credentialType")))
            _secrets(obs, credentials, ("secretKey", "secretToken"))
        obs.note(ECR_PRIVATE, _ecr_private(spec))
        _tls(obs, "ecr", spec)


def entity(obs: Observations, document: dict[str, Any]) -> None:
    """One `GET /v1/registries/oci/{uid}` answer."""
    obs.note(ENTITY_TYPE, word(document.get("type")))
    obs.note(SCOPE, word(document.get("scope")))


def sync_status(obs: Observations, document: dict[str, Any]) -> None:
    """One `GET .../sync/status` answer."""
    obs.note(SYNC_WORDS, word(document.get("status")))


def _flag_place(in_spec: bool, in_status: bool, has_status: bool) -> str:
    if in_spec and in_status:
        return "both"
    if in_status:
        return "status only"
    if in_spec:
        return "spec only" if has_status else "spec only (no status block)"
    return "neither"


def _secrets(obs: Observations, holder: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        value = holder.get(name)
        if isinstance(value, str) and (value or (name == "password" and holder.get("username"))):
            obs.note(MASK, mask_form(value))


def _tls(obs: Observations, family: str, holder: dict[str, Any]) -> None:
    tls = holder.get("tls")
    if not isinstance(tls, dict):
        obs.note(TLS, f"{family}: none")
        return
    obs.note(TLS, f"{family}: {'auth.tls' if family == 'basic' else 'tls'}")
    _secrets(obs, tls, ("key",))
    if tls.get("ca"):
        obs.note(CA_FIELD, "tls.ca")
    if tls.get("certificate"):
        obs.note(CA_FIELD, "tls.certificate with a key" if tls.get("key") else "tls.certificate without a key")


def _ecr_private(spec: dict[str, Any]) -> str:
    private = spec.get("isPrivate")
    if private is None:
        return "absent"
    if private:
        return "private"
    credentials = _dict(spec.get("credentials"))
    has_keys = any(credentials.get(k) for k in ("accessKey", "secretKey")) or bool(_dict(credentials.get("sts")))
    return "public with credentials" if has_keys else "public without credentials"
