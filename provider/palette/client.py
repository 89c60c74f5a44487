"""A small, typed client for Palette's OCI registry API (httpx, synchronous, thread-safe): what to ask.

It knows nothing of Terraform. `PaletteClient` is the API the provider uses; the rooms behind it:
`transport` (one pooled httpx client, the API key header, retries: which answers are retried and how
often), `recovery` (a create whose answer was lost: looked up by its token, never adopted blindly),
`sync` (the wait for a sync to end), `paths` and `selection` (pure). Terraform calls the provider in
parallel, so every method may be called from several threads at once.

The API key is proven before any "not found" is believed: a Palette may answer a key it does not know
with `ResourceNotFound` on every path. `prove_key` makes the call Spectro Cloud's SDK validates a key
with (`GET /v1/dashboard/projects/metadata`; after a 403, the registry list), once per client; `get`,
`get_oci`, `list_oci` and `delete` raise NotFoundError only after it succeeded, and KeyRejectedError
when Palette refused it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, NoReturn, Self, TypeVar

import httpx
from pydantic import BaseModel

from provider.palette import recovery, sync
from provider.palette.errors import (
    AmbiguousNameError,
    FamilyChangedError,
    ForbiddenError,
    KeyRejectedError,
    NotFoundError,
    PaletteError,
    UnauthorizedError,
)
from provider.palette.models import (
    BasicOciRegistry,
    BasicOciRegistrySpec,
    EcrRegistry,
    EcrRegistrySpec,
    OciRegistries,
    OciRegistry,
    OciRegistryEntity,
    ProjectsMetadata,
    RegistryAuth,
    RegistrySyncStatus,
    to_wire,
    with_unknown_fields,
)
from provider.palette.paths import SUMMARY_PATH, checked_family, registry_path, uid_segment
from provider.palette.recovery import CREATE_CLOCK_SLACK
from provider.palette.selection import registries_named, scope_matches
from provider.palette.transport import DEFAULT_USER_AGENT, Transport, decode
from provider.proxies import Route
from provider.words import Family

_M = TypeVar("_M", bound=BaseModel)

# The call that proves an API key, as Spectro Cloud's SDK makes it (`client.Validate`): its success is a
# list of the tenant's projects, which no answer to an unknown key can be.
KEY_PROOF_PATH = "/v1/dashboard/projects/metadata"


class PaletteClient:
    """Palette's OCI registry API. Methods return models and raise `PaletteError` subclasses."""

    # How much older than the first attempt (by Palette's clock) a registry found after a lost
    # create may be and still count as the one that create stored.
    create_clock_slack: float = CREATE_CLOCK_SLACK

    def __init__(
        self,
        host: str,
        api_key: str,
        *,
        ca_pem: str | None = None,
        insecure: bool = False,
        timeout: float = 30.0,
        max_retries: int = 5,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`transport` is httpx's own argument, passed through: the test seam through which the in-process
        tests (tests/harness/inprocess.py) serve requests with the emulator's ASGI app, no sockets. The
        provider never sets it; `ca_pem` and `insecure` do not apply to a transport given here."""
        self._transport = Transport(
            host,
            api_key,
            ca_pem=ca_pem,
            insecure=insecure,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            retry_after_cap=retry_after_cap,
            rng=rng,
            transport=transport,
        )
        self.base_url: str = self._transport.base_url
        self.timeout: float = self._transport.timeout
        self.policy = self._transport.policy
        self.proxy: Route | None = self._transport.proxy
        # `prove_key`'s outcome, once known: True, or the refusal (a key Palette refused stays refused).
        self._key_proof: bool | KeyRejectedError | None = None
        self._key_proof_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PaletteClient({self.base_url})"

    @property
    def _http(self) -> httpx.Client:
        return self._transport.http

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one registry: the family (basic or ecr) comes from the model's class, or is given ------

    def validate(self, spec: BasicOciRegistrySpec | EcrRegistrySpec) -> None:
        """Palette checks the registry (reachable, credentials accepted; for ECR, its AWS credentials):
        204, or ValidationFailedError."""
        self._call("POST", f"/v1/registries/oci/{spec.family}/validate", body=to_wire(spec))

    def get(self, family: Family, uid: str) -> BasicOciRegistry | EcrRegistry:
        """The registry at `/oci/{uid}/{family}`. NotFoundError only when Palette says the registry is
        gone; FamilyChangedError when it is now of the other family; UnexplainedNotFoundError for a 404
        Palette did not give."""
        checked = checked_family(family)
        model: type[BasicOciRegistry | EcrRegistry] = BasicOciRegistry if checked == "basic" else EcrRegistry
        path = registry_path(uid, checked)
        try:
            response = self._call("GET", path)
        except NotFoundError as exc:
            raise self._gone_or_other_family(uid, checked, exc) from None
        return decode(model, response, "GET", path).answered(response.json())

    def get_oci(self, uid: str) -> OciRegistryEntity:
        """Any family; `.family` tells "basic" from "ecr".

        `GET /v1/registries/oci/{uid}` is in the swagger, but no Spectro code calls it (its import tries
        the `/ecr` path, then `/basic`), so nothing proves a Palette serves it. Where it answers 404 or
        405, or a body without a family this client knows, the family paths answer instead, in that
        order: only their ResourceNotFound proves the registry gone (NotFoundError); a 404 from the
        by-uid path alone does not. A type this client does not know, which neither family path holds,
        is returned as it is, for the caller to name. NotFoundError only once the key is proven."""
        path = f"/v1/registries/oci/{uid_segment(uid)}"
        try:
            entity = _entity_or_none(self._call("GET", path))
        except PaletteError as exc:
            if exc.status not in BY_UID_UNANSWERED:
                raise
            entity = None
        if entity is not None and entity.family is not None:
            return entity
        unknown_type = entity if entity is not None and (entity.type or "").strip() else None
        try:
            return self._entity_by_family_paths(uid) or unknown_type or self._gone(uid)
        except NotFoundError as exc:
            raise self._believed(exc) from None

    def _entity_by_family_paths(self, uid: str) -> OciRegistryEntity | None:
        """The registry `uid` read from `/ecr`, then `/basic`, as an entity; None when both answer
        ResourceNotFound. Any other failure proves nothing and propagates."""
        models: tuple[type[EcrRegistry | BasicOciRegistry], ...] = (EcrRegistry, BasicOciRegistry)
        for model in models:
            try:
                return entity_of(self._read(model, registry_path(uid, model.family)))
            except NotFoundError:
                continue
        return None

    @staticmethod
    def _gone(uid: str) -> NoReturn:
        raise NotFoundError(
            f"registry {uid} not found: Palette answered ResourceNotFound on both the ECR and the basic path",
            status=404,
            code="ResourceNotFound",
            method="GET",
            path=f"/v1/registries/oci/{uid}/basic",
        )

    def list_oci(self) -> list[OciRegistry]:
        """`GET /v1/registries/oci/summary`: every OCI registry visible in this scope."""
        try:
            return self._read(OciRegistries, SUMMARY_PATH).items
        except NotFoundError as exc:
            raise self._believed(exc) from None

    # -- the API key: proven before any "not found" is believed ---------------------------------

    def prove_key(self) -> None:
        """Prove that Palette knows this client's API key, once: `GET /v1/dashboard/projects/metadata`, the
        call Spectro Cloud's SDK validates a key with. A Palette may answer a key it does not know with
        `ResourceNotFound` on every path, so a registry's "not found" means "gone" only after this succeeded.
        A key refused that call with 403 is proven by the registry list instead (see `_prove`).

        KeyRejectedError when Palette refuses the key (401, 403 or ResourceNotFound; remembered: the same key
        gets the same answer); other PaletteErrors (unreachable, 5xx after retries, an answer of another
        shape) prove nothing and are not remembered. Thread-safe: parallel callers wait for one proof."""
        if self._key_proof is True:
            return
        with self._key_proof_lock:
            if isinstance(self._key_proof, KeyRejectedError):
                raise self._key_proof
            if self._key_proof is None:
                try:
                    self._prove()
                except (UnauthorizedError, ForbiddenError, NotFoundError) as exc:
                    self._key_proof = KeyRejectedError(
                        exc.message, status=exc.status, code=exc.code, method=exc.method, path=exc.path
                    )
                    raise self._key_proof from None
                self._key_proof = True

    def _prove(self) -> None:
        """The proof's calls. A key whose user may not list the tenant's projects (403: a system
        administrator's key, a narrow custom role) but may read the registry list is proven by that list:
        its success cannot be a not-found either. Reads the path directly: `list_oci` would ask for the
        proof under way."""
        try:
            self._read(ProjectsMetadata, KEY_PROOF_PATH)
        except ForbiddenError:
            self._read(OciRegistries, SUMMARY_PATH)

    def _believed(self, not_found: NotFoundError) -> PaletteError:
        """`not_found` when this client's key is proven; else why it is not (a bad key's "not found" is not)."""
        try:
            self.prove_key()
        except PaletteError as exc:
            return exc
        return not_found

    def find_by_name(self, name: str, family: Family | None = None) -> OciRegistry | None:
        """The registry called `name` (and of `family` when given), or None. When several match
        (a tenant registry and a system one of the same name), the tenant's wins: it is the one
        this API key can change; AmbiguousNameError when that still leaves several."""
        found = registries_named(self.list_oci(), name, family)
        if len(found) > 1:
            found = [r for r in found if scope_matches(r.spec.scope, "tenant")] or found
        if len(found) > 1:
            listed = ", ".join(f"{r.metadata.uid} ({r.spec.scope or 'unknown'} scope)" for r in found)
            raise AmbiguousNameError(f"several OCI registries are named {name!r}: {listed}; use the uid")
        return found[0] if found else None

    def update(self, uid: str, registry: BasicOciRegistry | EcrRegistry) -> None:
        """PUT the whole registry. Palette may store what the body omits as its zero value
        (FIDELITY.md row 23, an inference), so when `registry` was read from Palette (`get`, then
        changed: its `answer` is kept) the fields of that answer which the models do not define go
        back as Palette sent them: a newer Palette's fields are never dropped."""
        body = to_wire(registry, exclude={"status"})
        if registry.answer is not None:
            body = with_unknown_fields(body, registry.answer, type(registry))
        self._call("PUT", registry_path(uid, registry.family), body=body)

    def delete(self, family: Family, uid: str) -> None:
        """Delete; NotFoundError when already gone (Palette says so; callers decide whether that is
        success), FamilyChangedError when the registry now lives under the other family's path."""
        checked = checked_family(family)
        try:
            self._call("DELETE", registry_path(uid, checked))
        except NotFoundError as exc:
            raise self._gone_or_other_family(uid, checked, exc) from None

    def _gone_or_other_family(self, uid: str, family: Family, not_found: NotFoundError) -> PaletteError:
        """After Palette answered ResourceNotFound on `/oci/{uid}/{family}`: `not_found` when the
        registry is really gone, FamilyChangedError when `GET /v1/registries/oci/{uid}` shows it in the
        other family (Palette keeps basic and ECR registries apart, and answers ResourceNotFound on the
        other family's path), or the error of that lookup (e.g. a proxy's 404) when it proves nothing."""
        try:
            entity = self.get_oci(uid)  # its not-found is believed only once the key is proven
        except NotFoundError:
            return not_found
        except PaletteError as exc:
            return exc
        actual = entity.family
        if actual is None or actual == family:
            return self._believed(not_found)
        provider_type = entity.provider_type or ""
        return FamilyChangedError(
            f"registry {uid} is now {'an ECR' if actual == 'ecr' else 'a basic'} "
            f"{provider_type + ' ' if provider_type else ''}registry in Palette, not the {family} registry "
            "Terraform manages: it changed outside Terraform",
            uid=uid,
            expected=family,
            actual=actual,
            provider_type=provider_type,
        )

    # -- sync ------------------------------------------------------------------------------------

    def sync(self, uid: str, family: Family, *, force: bool = False) -> None:
        """Start a synchronization (202)."""
        params = {"forceSync": "true"} if force else None
        self._call("POST", f"{registry_path(uid, family)}/sync", params=params)

    def sync_status(self, uid: str, family: Family) -> RegistrySyncStatus:
        return self._read(RegistrySyncStatus, f"{registry_path(uid, family)}/sync/status")

    def wait_for_sync(
        self,
        uid: str,
        family: Family,
        timeout: float,
        *,
        poll: float = 2.0,
        max_poll: float = 15.0,
        stop: threading.Event | None = None,
        on_status: Callable[[RegistrySyncStatus], None] | None = None,
    ) -> RegistrySyncStatus:
        """`provider.palette.sync.wait_for_sync` over this registry's sync status."""
        return sync.wait_for_sync(
            lambda: self.sync_status(uid, family),
            uid,
            timeout,
            poll=poll,
            max_poll=max_poll,
            stop=stop,
            on_status=on_status,
        )

    # -- answers as they come (terraform-provider-oci probe) ------------------------------------

    def answer(self, path: str) -> httpx.Response:
        """`GET path`'s last answer whatever its status (`Transport.answer`): the probe records the shapes
        of Palette's answers, refusals included."""
        return self._transport.answer(path)

    # -- create: never a stranger, a duplicate only when stored late (provider.palette.recovery) ---

    def create(self, registry: BasicOciRegistry | EcrRegistry) -> str:
        """Create; returns the new uid. A lost answer is looked up by the create's token before
        anything is sent again (`provider.palette.recovery`)."""
        return recovery.create(self._transport, registry, clock_slack=self.create_clock_slack)

    # -- plumbing: every read goes through `_call` ----------------------------------------------

    def _read(self, model: type[_M], path: str, *, params: Mapping[str, str] | None = None) -> _M:
        return decode(model, self._call("GET", path, params=params), "GET", path)

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An idempotent request, retried (`Transport.call`); the answer, or a typed error."""
        return self._transport.call(method, path, body=body, params=params)


# Answers of `GET /v1/registries/oci/{uid}` that say nothing about the registry: the path may not be
# served (404 of any code, 405), so the family paths are asked instead (`PaletteClient.get_oci`).
BY_UID_UNANSWERED = frozenset({404, 405})


def _entity_or_none(response: httpx.Response) -> OciRegistryEntity | None:
    """The by-uid answer as an entity, or None when its body is not one (a shape this client does not know)."""
    try:
        return OciRegistryEntity.model_validate(response.json())
    except ValueError:
        return None


def entity_of(registry: BasicOciRegistry | EcrRegistry) -> OciRegistryEntity:
    """What `GET /v1/registries/oci/{uid}` says of a registry, from its family path's answer."""
    spec = registry.spec
    if isinstance(registry, EcrRegistry):
        tls = registry.spec.tls
        auth = RegistryAuth(tls=tls) if tls is not None else None
        region = registry.spec.default_region
    else:
        auth, region = registry.spec.auth, None
    return OciRegistryEntity(
        type=registry.family,
        endpoint=spec.endpoint,
        provider_type=spec.provider_type,
        scope=spec.scope,
        default_region=region,
        auth=auth,
    )
