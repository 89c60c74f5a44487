"""Every answer Palette may give where the evidence is silent: the provider's whole lifecycle against
each emulator variant, in this process.

palette_emulator/FIDELITY.md lists each behaviour the emulator shows with its evidence or the mark
"assumption"; every assumption has a variant (palette_emulator/variants.py) that answers the other
plausible way. A variant only changes Palette's answers, which the client decodes and the resources
flatten, so the real provider (`OciProvider(transport=)`: the real `PaletteClient`, rules, mapping and
lifecycle) runs here behind its `Servicer`, fed protobuf requests as Terraform sends them
(`harness/inprocess.py`), with each answer held to Terraform's own checks (`harness/contract.py`), and
the emulator's ASGI app answers the client through an httpx transport (no port). The emulator still
validates and syncs against the real registries: a TLS docker-registry whose CA the configuration
gives, and moto for ECR through STS.

Three registries (a syncing Helm one with basic auth over TLS with its CA, a Packs one on ECR through
STS, a public Zarf one) go through create, a clean plan, both data sources, import by name and by uid,
a plan and apply after import, an in-place update and destroy. Whatever the variant, the provider
never sends a body field outside the swagger that Palette did not answer itself; under extra-fields
(a newer Palette) the fields its answers carry go back with the update, and the stored registries keep
them. acceptance/test_variants.py runs two variants the same way through real Terraform.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from palette_emulator.variants import VARIANTS
from palette_emulator.views import EXTRA_FIELDS
from provider.plugin import OciProvider
from tests.harness.contract import compatible_errors, plan_errors, proposed_new, raw_equal, unknowns
from tests.harness.inprocess import HOST, Answer, InProcessPalette, InProcessProvider
from tests.harness.moto import MotoServer
from tests.harness.registry import DockerRegistry

# All variants at once (the `outcomes` fixture) take about 20 s on a busy machine, most of it the provider
# waiting on syncs: the full run only.
pytestmark = pytest.mark.slow

# Every variant but the ones that change only what a wrong API key gets (acceptance/test_variants.py) and
# what a manual sync of a registry without automatic sync gets (acceptance/test_sync_action.py).
LIFECYCLE_VARIANTS = sorted(set(VARIANTS) - {"bad-key-403", "bad-key-not-found", "manual-sync-refused"})
HELM, PACKS, ZARF = "oci_registry_helm", "oci_registry_packs", "oci_registry_zarf"
PLUGIN = OciProvider()
SCHEMAS = {PLUGIN.get_model_prefix() + r.get_name(): r.get_schema() for r in PLUGIN.get_resources()}
DATA_SCHEMAS = {PLUGIN.get_model_prefix() + d.get_name(): d.get_schema() for d in PLUGIN.get_data_sources()}
ROLE_SESSION_EXTERNAL_ID = "palette-tenant-1"


def whole(schema: Any, **values: Any) -> dict[str, Any]:
    """An object as Terraform sends it: every attribute (null unless given), every block a list."""
    empty: dict[str, Any] = {a.name: None for a in schema.attributes} | {b.type_name: [] for b in schema.block_types}
    return empty | values


def block(type_name: str, name: str, **values: Any) -> list[dict[str, Any]]:
    (nested,) = [b for b in SCHEMAS[type_name].block_types if b.type_name == name]
    return [whole(nested.block, **values)]


def configurations(tls: DockerRegistry, public: DockerRegistry, role_arn: str, content: str) -> dict[str, Any]:
    """The three registries' configurations (acceptance/test_variants.py writes the same in HCL)."""
    return {
        HELM: whole(
            SCHEMAS[HELM],
            name="variant-charts",
            endpoint=tls.url,
            base_content_path=content,
            auto_sync=True,
            wait_for_sync=True,
            basic_auth=block(HELM, "basic_auth", username=tls.username, password=tls.password),
            tls=block(HELM, "tls", ca_certificate=tls.ca_pem),
        ),
        PACKS: whole(
            SCHEMAS[PACKS],
            name="variant-ecr",
            endpoint="123456789012.dkr.ecr.us-east-1.amazonaws.com",
            base_content_path=content,
            wait_for_sync=True,
            ecr=block(PACKS, "ecr", role_arn=role_arn, external_id=ROLE_SESSION_EXTERNAL_ID),
        ),
        ZARF: whole(SCHEMAS[ZARF], name="variant-zarf", endpoint=public.url),
    }


class Terraform:
    """The RPCs Terraform sends for the commands a user runs, each answer checked as Terraform checks it."""

    def __init__(self, provider: InProcessProvider) -> None:
        self.provider = provider

    @staticmethod
    def ok(answer: Answer) -> Any:
        assert not answer.errors and not answer.unexpected, f"{answer.rpc}: {[str(d) for d in answer.diagnostics]}"
        return answer.state

    def plan(self, type_name: str, prior: dict[str, Any] | None, config: dict[str, Any]) -> Answer:
        """ValidateResourceConfig, then PlanResourceChange with Terraform's proposed new state."""
        schema = SCHEMAS[type_name]
        self.ok(self.provider.validate(type_name, config))
        answer = self.provider.plan(type_name, prior, proposed_new(schema, prior, config), config)
        self.ok(answer)
        assert plan_errors(schema, prior, config, answer.state) == [], answer.state
        return answer

    def apply(self, type_name: str, prior: dict[str, Any] | None, config: dict[str, Any]) -> dict[str, Any]:
        """`terraform apply` of one resource: the plan shown, the plan again at apply, the apply."""
        schema = SCHEMAS[type_name]
        shown = self.plan(type_name, prior, config)
        final = self.plan(type_name, prior, config)
        assert shown.requires_replace == final.requires_replace == [], "a replacement where an update was meant"
        assert compatible_errors(schema, shown.state, final.state) == [], "inconsistent final plan"
        if prior is not None and raw_equal(final.state, prior):
            return prior  # no change: Terraform calls no apply
        applied = self.ok(self.provider.apply(type_name, prior, final.state, config))
        assert compatible_errors(schema, final.state, applied) == [], "inconsistent result after apply"
        assert unknowns(applied) == []
        return dict(applied)

    def refresh(self, type_name: str, state: dict[str, Any]) -> dict[str, Any]:
        refreshed = self.ok(self.provider.read(type_name, state))
        assert refreshed is not None, f"{type_name}: the registry is gone"
        return dict(refreshed)

    def no_changes(self, type_name: str, state: dict[str, Any], config: dict[str, Any], variant: str) -> None:
        """`plan -detailed-exitcode` answers 0: the refreshed state planned as it is."""
        refreshed = self.refresh(type_name, state)
        again = self.plan(type_name, refreshed, config)
        assert again.requires_replace == [], f"{variant}: {type_name} planned a replacement"
        assert raw_equal(again.state, refreshed), (
            f"{variant}: {compatible_errors(SCHEMAS[type_name], refreshed, again.state)}"
        )

    def import_(self, type_name: str, id_: str) -> dict[str, Any]:
        imported = self.ok(self.provider.import_(type_name, id_))
        assert imported is not None, f"{type_name}: nothing imported for {id_}"
        return dict(imported)

    def data(self, type_name: str, **config: Any) -> dict[str, Any]:
        return dict(self.ok(self.provider.read_data_source(type_name, whole(DATA_SCHEMAS[type_name], **config))))

    def apply_all(
        self, prior: dict[str, dict[str, Any] | None], configs: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        """Each resource's apply at once, as Terraform walks independent resources in parallel (the syncs
        the Helm and Packs registries wait for overlap)."""
        with ThreadPoolExecutor(max_workers=len(configs)) as pool:
            futures = {name: pool.submit(self.apply, name, prior.get(name), config) for name, config in configs.items()}
            return {name: future.result() for name, future in futures.items()}

    def destroy(self, type_name: str, state: dict[str, Any]) -> None:
        gone = self.ok(self.provider.plan(type_name, state, None, None))
        assert self.ok(self.provider.apply(type_name, state, gone, None)) is None


class Palette:
    """The in-process emulator's admin API (what tests/harness/emulator.py calls over HTTP)."""

    def __init__(self, palette: InProcessPalette) -> None:
        self.http = httpx.Client(transport=palette.transport, base_url=HOST)

    def get(self, path: str) -> Any:
        answer = self.http.get(path)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def registries(self) -> list[dict[str, Any]]:
        return list(self.get("/emulator/registries")["items"])

    def unknown_fields(self) -> list[str]:
        return list(self.get("/emulator/unknown-fields")["items"])


@pytest.fixture(scope="module")
def role_arn(moto_server: MotoServer) -> str:
    return moto_server.create_role("palette-ecr-variants", external_id=ROLE_SESSION_EXTERNAL_ID)


@pytest.fixture(scope="module")
def aws(moto_server: MotoServer, role_arn: str) -> Iterator[str]:
    """The emulator's boto3 (here, in this process) reaches moto with its administrator's keys; a role to assume."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in moto_server.env().items():
            patch.setenv(name, value)
        yield role_arn


@pytest.fixture(scope="module")
def public_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("public-registry"), auth=False) as registry:
        yield registry


@pytest.fixture(scope="module")
def outcomes(
    aws: str, docker_registry_tls: DockerRegistry, public_registry: DockerRegistry
) -> dict[str, BaseException | None]:
    """Every variant's lifecycle, all at once (each with its own emulator and provider): most of a run is
    the provider's sync polling, 2 s between reads. Each test below reports its own variant."""
    with ThreadPoolExecutor(max_workers=len(LIFECYCLE_VARIANTS)) as pool:
        futures = {
            variant: pool.submit(run_variant, variant, aws, docker_registry_tls, public_registry)
            for variant in LIFECYCLE_VARIANTS
        }
    return {variant: future.exception() for variant, future in futures.items()}


def run_variant(variant: str, role_arn: str, tls: DockerRegistry, public: DockerRegistry) -> None:
    # A sync in progress is seen only when it lasts past the first status read: sync-words' Pending and
    # Running must be read as "in progress", so its syncs take a moment; the others end as soon as the
    # emulator has contacted the registry.
    palette = InProcessPalette(
        validate="contact", sync_delay=0.2 if variant == "sync-words" else 0.0, variants=frozenset({variant})
    )
    provider = InProcessProvider(palette)
    try:
        lifecycle(variant, Terraform(provider), Palette(palette), tls, public, role_arn)
    finally:
        provider.close()
        palette.close()


@pytest.mark.parametrize("variant", LIFECYCLE_VARIANTS)
def test_lifecycle_against_each_variant(variant: str, outcomes: dict[str, BaseException | None]) -> None:
    failure = outcomes[variant]
    if failure is not None:
        raise failure


def lifecycle(
    variant: str, tf: Terraform, palette: Palette, tls: DockerRegistry, public: DockerRegistry, role_arn: str
) -> None:
    configs = configurations(tls, public, role_arn, "content")
    state = tf.apply_all({}, configs)
    uids = {type_name: s["id"] for type_name, s in state.items()}
    assert {r["uid"] for r in palette.registries()} == set(uids.values())
    assert state[HELM]["auto_sync"] is True and state[PACKS]["auth_type"] == "ecr"
    # The sync contacted the TLS registry with the CA where this variant's Palette reads it (the emulator's own
    # record: with no-status, answers carry no sync status).
    (synced,) = [r for r in palette.registries() if r["uid"] == uids[HELM]]
    assert synced["syncStatus"]["status"] in ("Completed", "Success"), synced["syncStatus"]
    for type_name, config in configs.items():
        tf.no_changes(type_name, state[type_name], config, variant)

    # Both data sources, as a plan reads them after the apply.
    ecr = tf.data("oci_registry", name="variant-ecr")
    assert (ecr["id"], ecr["auth_type"], ecr["provider_type"]) == (uids[PACKS], "ecr", "pack")
    listed = {(r["name"], r["auth_type"], r["provider_type"]) for r in tf.data("oci_registries")["registries"]}
    assert listed == {
        ("variant-charts", "basic", "helm"),
        ("variant-ecr", "ecr", "pack"),
        ("variant-zarf", "none", "zarf"),
    }

    # Import: by name (the summary's spelling of the type decides the path) and by uid (the entity's).
    imported = {
        HELM: tf.import_(HELM, "variant-charts"),
        PACKS: tf.import_(PACKS, "variant-ecr"),
        ZARF: tf.import_(ZARF, uids[ZARF]),
    }
    assert {type_name: s["id"] for type_name, s in imported.items()} == uids
    # A plan after import works (it re-sends the secrets Palette never returns); its apply, then no changes.
    state = tf.apply_all(dict(imported), configs)
    for type_name, config in configs.items():
        tf.no_changes(type_name, state[type_name], config, variant)

    configs = configurations(tls, public, role_arn, "content-v2")
    state = tf.apply_all(dict(state), configs)
    assert {r["spec"]["baseContentPath"] for r in palette.registries() if r["kind"] == "ecr"} == {"content-v2"}
    assert {r["uid"] for r in palette.registries()} == set(uids.values())  # updated in place
    if variant == "extra-fields":  # a PUT stores what it carries: what Palette has and we do not define went back
        kept = [{key: r["spec"].get(key) for key in EXTRA_FIELDS} for r in palette.registries()]
        assert kept == [EXTRA_FIELDS] * 3, kept
    for type_name, config in configs.items():
        tf.no_changes(type_name, state[type_name], config, variant)

    for type_name in configs:
        tf.destroy(type_name, state[type_name])
    assert palette.registries() == []
    assert palette.unknown_fields() == []  # never a field outside the swagger (or Palette's answer)
