"""Which refusals of Palette's validate stop a write: a verdict on the registry does; an answer that says
validate does not apply to the body (404/405, or a 400 about a body Spectro's own provider never validates)
is a warning and the write goes on."""

from __future__ import annotations

import pytest

from provider.palette.errors import PaletteError, ValidationFailedError
from provider.palette.models import AwsCloudAccount, BasicOciRegistrySpec, EcrRegistrySpec, RegistryAuth
from provider.registries.lifecycle import is_verdict, spectro_validates


def basic(*, auth: str = "basic", sync: bool = True, kind: str = "helm") -> BasicOciRegistrySpec:
    return BasicOciRegistrySpec(
        endpoint="oci.example.com",
        auth=RegistryAuth(type=auth, username="u" if auth == "basic" else None),
        is_sync_supported=sync,
        provider_type=kind,
    )


def refusal(status: int, code: str) -> PaletteError:
    return (
        ValidationFailedError("refused", status=status, code=code) if status < 500 else PaletteError("x", status=status)
    )


SYNCING_WITH_CREDENTIALS = basic()
UNVALIDATED = {
    "no-auth": basic(auth="noAuth"),
    "zarf": basic(kind="zarf", sync=False),
    "sync-off": basic(sync=False),
    "public-ecr": EcrRegistrySpec(endpoint="public.ecr.aws", is_private=False, is_sync_supported=True),
}


def test_spectro_validates_only_syncing_registries_with_credentials() -> None:
    assert spectro_validates(SYNCING_WITH_CREDENTIALS)
    private_ecr = EcrRegistrySpec(endpoint="e", is_private=True, is_sync_supported=True, credentials=AwsCloudAccount())
    assert spectro_validates(private_ecr)
    assert not any(spectro_validates(spec) for spec in UNVALIDATED.values())


@pytest.mark.parametrize("name", sorted(UNVALIDATED))
def test_a_request_refusal_of_a_body_spectro_never_validates_is_no_verdict(name: str) -> None:
    spec = UNVALIDATED[name]
    assert not is_verdict(refusal(400, "InvalidRequest"), spec)
    assert not is_verdict(refusal(422, ""), spec)
    assert is_verdict(refusal(400, "RegistryValidationFailed"), spec)  # a verdict whatever the body


@pytest.mark.parametrize("status", [404, 405])
def test_an_endpoint_not_served_is_no_verdict(status: int) -> None:
    assert not is_verdict(refusal(status, "NotFound"), SYNCING_WITH_CREDENTIALS)


def test_every_refusal_of_a_body_spectro_validates_is_a_verdict() -> None:
    for status, code in ((400, "InvalidRequest"), (400, ""), (422, ""), (500, "")):
        assert is_verdict(refusal(status, code), SYNCING_WITH_CREDENTIALS)
