"""The probe's read-only part: the key proof, a wrong key, the summary and each registry, through
the real client (`PaletteClient.answer`, so retries, TLS and headers are the provider's own).

Each answer is classified by `shapes` as it arrives, its unknown fields listed against the client's
wire models (which declare exactly the swagger's fields), and decoded by those models as the
provider would: a decoding failure is a shape too.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from provider.palette.client import PaletteClient
from provider.palette.models import BasicOciRegistry, EcrRegistry, OciRegistries, OciRegistryEntity, registry_family
from provider.probe import shapes
from provider.probe.shapes import Observations

KEY_PROOF_PATH = "/v1/dashboard/projects/metadata"
SUMMARY_PATH = "/v1/registries/oci/summary"
# Not a uid but a name, as a user might pass one: Palette should answer ResourceNotFound (row 3).
NAME_AS_UID_PATH = "/v1/registries/oci/terraform-provider-oci-probe-no-such-registry/basic"
# A path no version of the API has (row 4).
UNKNOWN_PATH = "/v1/registries/oci/summary/terraform-provider-oci-probe"
# Registries read one by one; a tenant with more is sampled (the first ones the summary lists).
MAX_REGISTRIES = 200
_UID = re.compile(r"[A-Za-z0-9._-]+")


class KeyRefused(Exception):
    """The key proof failed; `shape` says how Palette answered, `refused` whether that answer is a
    refusal of the key (401, 403, or ResourceNotFound, as Palette may answer a bad key) rather than
    a host that does not answer as Palette's API (another 404, an HTML page, a 5xx)."""

    def __init__(self, shape: str, refused: bool) -> None:
        self.shape = shape
        self.refused = refused
        super().__init__(shape)


def answer_shape(response: httpx.Response) -> str:
    return f"{response.status_code} {shapes.body_kind(response.headers.get('Content-Type'), response.content)}"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def decoded(obs: Observations, what: str, document: Any, model: type[BaseModel]) -> None:
    """Note the fields `model` does not declare and whether the client's model decodes `document`."""
    for field in shapes.unknown_fields(document, model):
        obs.note(shapes.UNKNOWN_FIELDS, f"{what}: {field}")
    try:
        model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_input=False)[0]
        where = ".".join(shapes.word(part) if isinstance(part, str) else "[]" for part in first["loc"])
        obs.note(shapes.DECODE, f"{what}: fails at {where or 'the top level'} ({first['type']})")
    else:
        obs.note(shapes.DECODE, f"{what}: decodes")


def read_registry(client: PaletteClient, obs: Observations, family: str, uid: str) -> dict[str, Any]:
    """`GET /v1/registries/oci/{uid}/{family}` as JSON (`{}` when it cannot be read), its shapes noted."""
    response = client.answer(f"/v1/registries/oci/{uid}/{family}")
    document = _json(response) if response.status_code == 200 else None
    if not isinstance(document, dict):
        obs.note(shapes.DECODE, f"{family} registry: answered {answer_shape(response)}")
        return {}
    shapes.registry(obs, family, document)
    decoded(obs, f"{family} registry", document, BasicOciRegistry if family == "basic" else EcrRegistry)
    return document


def prove_key(client: PaletteClient, wrong_key_client: PaletteClient, obs: Observations) -> None:
    """The key proof Spectro Cloud's SDK makes; then the same call with a key that cannot be right,
    to record how Palette refuses one. KeyRefused when the user's own key is refused."""
    answer = client.answer(KEY_PROOF_PATH)
    obs.note(shapes.KEY_PROOF, answer_shape(answer) if answer.status_code != 200 else "200")
    if answer.status_code != 200:
        shape = answer_shape(answer)
        raise KeyRefused(shape, answer.status_code in (401, 403) or shape.endswith("ResourceNotFound"))
    obs.note(shapes.BAD_KEY, answer_shape(wrong_key_client.answer(KEY_PROOF_PATH)))


def read_all(client: PaletteClient, obs: Observations) -> int:
    """The summary and each registry (up to MAX_REGISTRIES); how many registries the summary lists."""
    summary = client.answer(SUMMARY_PATH)
    document = _json(summary) if summary.status_code == 200 else None
    if not isinstance(document, dict):
        obs.note(shapes.DECODE, f"summary: answered {answer_shape(summary)}")
        return 0
    decoded(obs, "summary", document, OciRegistries)
    items = [item for item in document.get("items") or [] if isinstance(item, dict)]
    entity_read: set[str] = set()
    for index, item in enumerate(items):
        shapes.summary_item(obs, item)
        uid = str((item.get("metadata") or {}).get("uid") or "")
        family = registry_family((item.get("spec") or {}).get("registryType"))
        if index >= MAX_REGISTRIES or family is None or not _UID.fullmatch(uid):
            continue
        read_registry(client, obs, family, uid)
        if family not in entity_read:  # one of each family is enough for the entity and the other path
            entity_read.add(family)
            _read_entity(client, obs, uid)
            other = "ecr" if family == "basic" else "basic"
            obs.note(
                shapes.NOT_FOUND, f"other family: {answer_shape(client.answer(f'/v1/registries/oci/{uid}/{other}'))}"
            )
    obs.note(shapes.NOT_FOUND, f"name as uid: {answer_shape(client.answer(NAME_AS_UID_PATH))}")
    obs.note(shapes.NOT_FOUND, f"unknown path: {answer_shape(client.answer(UNKNOWN_PATH))}")
    return len(items)


def _read_entity(client: PaletteClient, obs: Observations, uid: str) -> None:
    response = client.answer(f"/v1/registries/oci/{uid}")
    document = _json(response) if response.status_code == 200 else None
    if not isinstance(document, dict):
        shape = answer_shape(response)
        if response.status_code == 405 or (response.status_code == 404 and "ResourceNotFound" not in shape):
            obs.note(shapes.PATHS_UNKNOWN, f"GET /v1/registries/oci/{{uid}}: {shape}")
        return
    shapes.entity(obs, document)
    decoded(obs, "entity", document, OciRegistryEntity)
