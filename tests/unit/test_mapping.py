"""expand / flatten: Terraform values <-> Palette wire models, as pure functions."""

from __future__ import annotations

import pytest

from provider.palette.models import (
    BasicOciRegistry,
    EcrRegistry,
    OciRegistryStatus,
    RegistrySyncStatus,
    TlsConfiguration,
)
from provider.registries import auth, mapping, writeonly

ECR = "123456789012.dkr.ecr.eu-west-2.amazonaws.com"


def values(**overrides):
    base = {
        "id": None,
        "name": "charts",
        "endpoint": "https://harbor.example.com",
        "base_content_path": "charts",
        "auto_sync": True,
        "wait_for_sync": None,
        "basic_auth": {"username": "robot$ci", "password": "s3cret-password"},
        "ecr": None,
        "tls": None,
        "timeouts": None,
        "base_path": None,
    }
    base.update(overrides)
    return base


def as_palette_returns(registry, uid="0123456789abcdef01234567"):
    """What a GET answers for what was sent: uid and status added, secrets masked."""
    wire = registry.model_copy(deep=True)
    wire.metadata.uid = uid
    syncing = bool(wire.spec.is_sync_supported)
    wire.status = OciRegistryStatus(sync_status=RegistrySyncStatus(is_sync_supported=syncing, status="Success"))
    if isinstance(wire, BasicOciRegistry):
        wire.spec.scope = "tenant"
        if wire.spec.auth.password:
            wire.spec.auth.password = "s3c***ord"
    else:
        wire.spec.scope = "tenant"
        if wire.spec.credentials and wire.spec.credentials.secret_key:
            wire.spec.credentials.secret_key = "******"
    return wire


STORED = ("name", "endpoint", "base_content_path", "base_path", "auto_sync", "basic_auth", "ecr", "tls")


def tls(**overrides):
    return {
        "ca_certificate": None,
        "insecure_skip_verify": None,
        "client_certificate": None,
        "client_key": None,
        **overrides,
    }


CASES = {
    "basic": values(),
    "public": values(basic_auth=None, auto_sync=False, base_content_path=None),
    "basic+tls": values(tls=tls(ca_certificate="PEM\n")),
    "insecure": values(tls=tls(insecure_skip_verify=True)),
    "client certificate": values(tls=tls(client_certificate="CERT\n", client_key="KEY\n"), base_path="/artifactory"),
    "public ecr": values(endpoint="public.ecr.aws", basic_auth=None, auto_sync=False, ecr={}),
    "ecr keys": values(endpoint=ECR, basic_auth=None, ecr={"access_key_id": "AKIA", "secret_access_key": "sk"}),
    "ecr sts": values(
        endpoint=ECR,
        basic_auth=None,
        ecr={"role_arn": "arn:aws:iam::123456789012:role/r", "external_id": "ext", "access_key_id": None},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_flatten_of_expand_gives_back_the_configuration(name):
    config = CASES[name]
    registry = mapping.expand(config, "helm")
    state = mapping.flatten(as_palette_returns(registry), config)
    for key in STORED:
        expected = config[key]
        if key == "ecr" and expected is not None:
            expected = {
                "access_key_id": None,
                "secret_access_key": None,
                "role_arn": None,
                "external_id": None,
            } | expected
        assert state[key] == expected, key
    assert state["id"] == "0123456789abcdef01234567"
    assert state["auth_type"] == auth.auth_type(config)


def test_expand_basic_sends_what_the_swagger_names():
    wire = mapping.expand(values(), "zarf").model_dump(by_alias=True, exclude_none=True)
    assert wire["metadata"] == {"name": "charts"}
    spec = wire["spec"]
    assert spec["providerType"] == "zarf" and spec["isSyncSupported"] is True and spec["baseContentPath"] == "charts"
    assert spec["auth"]["type"] == "basic" and spec["auth"]["password"] == "s3cret-password"
    assert spec["auth"]["tls"] == {"enabled": True, "ca": "", "insecureSkipVerify": False}


def test_expand_ecr_reads_the_region_from_the_endpoint():
    registry = mapping.expand(CASES["ecr sts"], "pack")
    assert isinstance(registry, EcrRegistry)
    assert registry.spec.default_region == "eu-west-2" and registry.spec.is_private is True
    assert registry.spec.credentials is not None and registry.spec.credentials.credential_type == "sts"
    assert registry.spec.credentials.sts is not None and registry.spec.credentials.sts.external_id == "ext"


def test_a_masked_secret_keeps_the_configured_value():
    config = values()
    state = mapping.flatten(as_palette_returns(mapping.expand(config, "helm")), config)
    assert state["basic_auth"]["password"] == "s3cret-password"


def test_import_knows_no_secret():
    state = mapping.flatten(as_palette_returns(mapping.expand(values(), "helm")), None)
    assert state["basic_auth"] == {"username": "robot$ci", "password": None}


def test_real_drift_shows():
    config = values()
    wire = as_palette_returns(mapping.expand(config, "helm"))
    wire.spec.endpoint = "https://elsewhere.example.com"
    wire.spec.auth.username = "someone-else"
    wire.spec.auth.tls.insecure_skip_verify = True
    state = mapping.flatten(wire, config)
    assert state["endpoint"] == "https://elsewhere.example.com"
    assert state["basic_auth"]["username"] == "someone-else"
    assert state["tls"] == tls(insecure_skip_verify=True)


def test_palette_spellings_of_the_same_value_keep_the_configured_one():
    config = values(base_content_path="", tls=tls(ca_certificate="PEM\n", insecure_skip_verify=False))
    wire = as_palette_returns(mapping.expand(config, "helm"))
    wire.spec.auth.tls.ca = "PEM"
    state = mapping.flatten(wire, config)
    assert state["base_content_path"] == "" and state["tls"]["ca_certificate"] == "PEM\n"


def test_sync_fields_are_flattened():
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.status = OciRegistryStatus(
        sync_status=RegistrySyncStatus(
            is_sync_supported=False, status="Failed", message="boom", last_synced_time="2026-01-01T00:00:00Z"
        )
    )
    state = mapping.flatten(wire, values())
    assert (state["sync_supported"], state["sync_status"], state["sync_message"], state["last_synced_at"]) == (
        False,
        "Failed",
        "boom",
        "2026-01-01T00:00:00Z",
    )


# ---------------------------------------------------------------------------- what Palette may answer


def test_auto_sync_is_read_from_the_status_when_palette_reports_it_there():
    wire = as_palette_returns(mapping.expand(values(auto_sync=True), "helm"))
    wire.status = OciRegistryStatus(sync_status=RegistrySyncStatus(is_sync_supported=False, status=""))
    assert mapping.flatten(wire, values())["auto_sync"] is False  # a legacy registry: spec says true, status false
    wire.spec.is_sync_supported = None  # an answer with the flag in the status only
    wire.status = OciRegistryStatus(sync_status=RegistrySyncStatus(is_sync_supported=True, status="Running"))
    assert mapping.flatten(wire, values())["auto_sync"] is True


@pytest.mark.parametrize("status", [None, OciRegistryStatus(), OciRegistryStatus(sync_status=RegistrySyncStatus())])
def test_auto_sync_falls_back_to_the_spec_without_a_status_flag(status):
    wire = as_palette_returns(mapping.expand(values(auto_sync=True), "helm"))
    wire.status = status
    state = mapping.flatten(wire, values())
    assert state["auto_sync"] is True and state["sync_status"] == ""


@pytest.mark.parametrize(
    ("auth_type", "expected"),
    [("basic", "basic"), ("noAuth", "none"), ("NOAUTH", "none"), ("", "none"), (None, "none"), ("token", "token")],
)
def test_basic_auth_types_palette_may_answer(auth_type, expected):
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.spec.auth.type = auth_type
    state = mapping.flatten(wire, None)
    assert state["auth_type"] == expected
    assert (state["basic_auth"] is not None) == (expected == "basic")


@pytest.mark.parametrize("credential_type", ["pod-identity", "something-new", "SECRET"])
def test_ecr_credential_types_this_provider_does_not_manage_still_read(credential_type):
    wire = as_palette_returns(mapping.expand(CASES["ecr keys"], "helm"))
    assert wire.spec.credentials is not None
    wire.spec.credentials.credential_type = credential_type
    state = mapping.flatten(wire, None)
    assert state["auth_type"] == "ecr" and set(state["ecr"]) == {
        "access_key_id",
        "secret_access_key",
        "role_arn",
        "external_id",
    }
    assert (state["ecr"]["access_key_id"] == "AKIA") == (credential_type == "SECRET")


def test_answers_without_tls_scope_or_status_flatten():
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.spec.auth.tls = None
    wire.spec.scope = None
    wire.status = None
    state = mapping.flatten(wire, values())
    assert state["tls"] is None and state["scope"] == "" and state["sync_status"] == ""


def test_provider_type_and_scope_are_normalised():
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.spec.provider_type, wire.spec.scope = "Helm", "Tenant"
    state = mapping.flatten(wire, None)
    assert (state["provider_type"], state["scope"]) == ("helm", "tenant")


# ---------------------------------------------------------------------------- updates are read-modify-write


def ui_made_basic() -> BasicOciRegistry:
    """A registry as Palette answers one made in the UI: a client certificate and a base path."""
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.spec.base_path = "/artifactory/api"
    wire.spec.auth.tls = TlsConfiguration(enabled=True, ca="", certificate="UI-CERT", key="abc***xyz")
    wire.spec.contains_spectro_manifest = True
    return wire


def test_an_update_keeps_what_the_configuration_does_not_manage():
    current = ui_made_basic()
    update = mapping.expand(values(basic_auth={"username": "robot$ci", "password": "rotated"}), "helm", current)
    assert isinstance(update, BasicOciRegistry)
    assert update.spec.base_path == "/artifactory/api" and update.spec.contains_spectro_manifest is True
    assert update.spec.auth.tls is not None
    assert (update.spec.auth.tls.certificate, update.spec.auth.tls.key) == ("UI-CERT", "abc***xyz")
    assert update.spec.auth.password == "rotated" and update.metadata.uid == current.metadata.uid
    assert update.spec.scope is None  # Palette decides the scope
    assert current.spec.auth.password == "s3c***ord"  # Palette's answer itself is untouched


def test_configured_settings_replace_palettes():
    config = values(base_path="/v2-prefix", tls=tls(client_certificate="MY-CERT", client_key="MY-KEY"))
    update = mapping.expand(config, "helm", ui_made_basic())
    assert isinstance(update, BasicOciRegistry) and update.spec.auth.tls is not None
    assert update.spec.base_path == "/v2-prefix"
    assert (update.spec.auth.tls.certificate, update.spec.auth.tls.key) == ("MY-CERT", "MY-KEY")


def test_unmanaged_settings_stay_out_of_the_state():
    state = mapping.flatten(ui_made_basic(), values())
    assert state["base_path"] is None and state["tls"] is None


def test_an_ecr_update_keeps_partition_and_policy_arns():
    current = as_palette_returns(mapping.expand(CASES["ecr keys"], "pack"))
    assert isinstance(current, EcrRegistry) and current.spec.credentials is not None
    current.spec.credentials.partition = "aws-us-gov"
    current.spec.credentials.policy_arns = ["arn:aws:iam::123456789012:policy/p"]
    config = CASES["ecr sts"]
    update = mapping.expand(config, "pack", current)
    assert isinstance(update, EcrRegistry) and update.spec.credentials is not None
    account = update.spec.credentials
    assert (account.partition, account.policy_arns) == ("aws-us-gov", ["arn:aws:iam::123456789012:policy/p"])
    assert account.credential_type == "sts" and account.access_key is None and account.secret_key is None


def test_a_public_ecr_registry_sends_no_credentials():
    update = mapping.expand(CASES["public ecr"], "helm")
    wire = update.model_dump(by_alias=True, exclude_none=True)
    assert wire["spec"]["isPrivate"] is False and "credentials" not in wire["spec"]


@pytest.mark.parametrize(
    ("values", "planned"),
    [
        ({"basic_auth": "unknown", "ecr": None}, "unknown"),
        ({"basic_auth": None, "ecr": "unknown"}, "unknown"),
        ({"basic_auth": "unknown", "ecr": {}}, "ecr"),  # ecr decides, whatever basic_auth becomes
        ({"basic_auth": {"username": "u"}, "ecr": "unknown"}, "unknown"),
        ({"basic_auth": {"username": "u"}, "ecr": None}, "basic"),
        ({"basic_auth": None, "ecr": None}, "none"),
    ],
)
def test_auth_type_at_plan_is_unknown_while_a_block_that_decides_it_is(values: dict, planned: str) -> None:
    """A `dynamic` block over a value known only at apply is unknown at plan (issue 21, item 9)."""
    from tf.types import Unknown

    values = {k: Unknown if v == "unknown" else v for k, v in values.items()}
    assert auth.planned_auth_type(values) == (Unknown if planned == "unknown" else planned)


def test_write_only_secrets_of_an_unknown_block_are_none_yet() -> None:
    from tf.types import Unknown

    planned = {"name": "charts", "basic_auth": Unknown, "tls": None}
    assert writeonly.with_write_only(planned, {"basic_auth": Unknown, "tls": Unknown}) == planned


# ---------------------------------------------------------------------------- a sync Palette accepted but refuses


def test_a_refused_sync_is_kept_through_a_refresh_while_palette_still_does_not_sync():
    """After a failed enable the state holds auto_sync = true (what Palette accepted) with sync_supported =
    false; a refresh alone would read auto_sync from the status (false) and plan the failed update again."""
    from provider.registries.lifecycle import keep_refused_sync, sync_refused

    refused = {**values(), "auto_sync": True, "sync_supported": False}
    assert sync_refused(refused) and not sync_refused({**refused, "sync_supported": True})
    assert not sync_refused({**refused, "auto_sync": False}) and not sync_refused(values())

    wire = as_palette_returns(mapping.expand(values(auto_sync=True), "helm"))
    wire.status = OciRegistryStatus(sync_status=RegistrySyncStatus(is_sync_supported=False, status=""))
    refreshed = mapping.flatten(wire, refused)
    assert (refreshed["auto_sync"], refreshed["sync_supported"]) == (False, False)  # the status, as always
    assert keep_refused_sync(refreshed, refused, wire)["auto_sync"] is True
    wire.spec.is_sync_supported = None  # a Palette that carries the flag in the status only: the state decides
    assert keep_refused_sync(refreshed, refused, wire)["auto_sync"] is True
    wire.spec.is_sync_supported = False  # Palette says sync is off: nothing is kept
    assert keep_refused_sync(refreshed, refused, wire)["auto_sync"] is False
    assert keep_refused_sync(refreshed, values(auto_sync=False), wire) == refreshed  # no failed enable: as read

    wire.spec.is_sync_supported = True
    wire.status = OciRegistryStatus(sync_status=RegistrySyncStatus(is_sync_supported=True, status="Success"))
    synced = keep_refused_sync(mapping.flatten(wire, refused), refused, wire)
    assert (synced["auto_sync"], synced["sync_supported"]) == (True, True)  # it syncs now: no longer refused


# ---------------------------------------------------------------------------- the CA field: tls.ca and tls.certificate


def test_the_ca_is_sent_in_ca_and_in_a_free_certificate_field():
    """#978 says Palette trusts tls.ca; Spectro's OCI resource sends the CA in tls.certificate: both get it."""
    sent = mapping.expand(values(tls=tls(ca_certificate="CA-PEM\n")), "helm")
    assert isinstance(sent, BasicOciRegistry) and sent.spec.auth.tls is not None
    assert (sent.spec.auth.tls.ca, sent.spec.auth.tls.certificate, sent.spec.auth.tls.key) == (
        "CA-PEM\n",
        "CA-PEM\n",
        None,
    )
    removed = mapping.expand(values(), "helm", as_palette_returns(sent))
    assert isinstance(removed, BasicOciRegistry) and removed.spec.auth.tls is not None
    assert (removed.spec.auth.tls.ca, removed.spec.auth.tls.certificate) == ("", "")  # a removed CA leaves both


def test_a_client_pair_keeps_the_certificate_field_and_the_ca_goes_in_ca_only():
    config = values(tls=tls(ca_certificate="CA-PEM\n"))
    kept = mapping.expand(config, "helm", ui_made_basic())  # a client pair set in the UI (its key masked)
    assert isinstance(kept, BasicOciRegistry) and kept.spec.auth.tls is not None
    assert (kept.spec.auth.tls.ca, kept.spec.auth.tls.certificate, kept.spec.auth.tls.key) == (
        "CA-PEM\n",
        "UI-CERT",
        "abc***xyz",
    )


@pytest.mark.parametrize(
    ("answered", "ca"),
    [
        (TlsConfiguration(ca="CA-PEM\n", certificate="CA-PEM\n"), "CA-PEM\n"),  # as this provider sends it
        (TlsConfiguration(ca="", certificate="CA-PEM\n"), "CA-PEM\n"),  # as Spectro's OCI resource sends it
        (TlsConfiguration(ca=None, certificate="CA-PEM\n", key=""), "CA-PEM\n"),
        (TlsConfiguration(ca="", certificate="CLIENT", key="abc***xyz"), None),  # a client pair is no CA
        (TlsConfiguration(ca="CA-PEM\n", certificate="CLIENT", key="******"), "CA-PEM\n"),
    ],
    ids=["both", "certificate-only", "certificate-null-ca", "client-pair", "ca-and-client-pair"],
)
def test_the_ca_is_read_from_either_field(answered: TlsConfiguration, ca: str | None):
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.spec.auth.tls = answered.model_copy(update={"enabled": True})
    state = mapping.flatten(wire, None)
    assert (state["tls"] or {}).get("ca_certificate") == ca
    ecr = as_palette_returns(mapping.expand(CASES["ecr keys"], "pack"))
    ecr.spec.tls = answered
    assert (mapping.flatten(ecr, None)["tls"] or {}).get("ca_certificate") == ca


def test_a_ca_changed_where_palette_keeps_it_in_certificate_is_sent_there():
    current = as_palette_returns(mapping.expand(values(tls=tls(ca_certificate="OLD\n")), "helm"))
    assert current.spec.auth.tls is not None
    current.spec.auth.tls.ca = ""  # Palette's OCI path keeps the CA in certificate only
    update = mapping.expand(values(tls=tls(ca_certificate="NEW\n")), "helm", current)
    assert isinstance(update, BasicOciRegistry) and update.spec.auth.tls is not None
    assert (update.spec.auth.tls.ca, update.spec.auth.tls.certificate) == ("NEW\n", "NEW\n")


@pytest.mark.parametrize(
    ("credential_type", "unmanaged"),
    [("pod-identity", "pod-identity"), ("something-new", "something-new"), ("SECRET", None), ("sts", None), ("", None)],
)
def test_ecr_credential_types_no_ecr_block_expresses_are_named(credential_type, unmanaged):
    wire = as_palette_returns(mapping.expand(CASES["ecr keys"], "helm"))
    assert wire.spec.credentials is not None
    wire.spec.credentials.credential_type = credential_type
    assert mapping.unmanaged_credential_type(wire) == unmanaged
    assert mapping.unmanaged_credential_type(as_palette_returns(mapping.expand(CASES["public ecr"], "helm"))) is None
    assert mapping.unmanaged_credential_type(as_palette_returns(mapping.expand(values(), "helm"))) is None
