"""Secrets never come back in clear from the Palette API (only from the test-only admin dump)."""

from __future__ import annotations

import httpx
import pytest

from palette_emulator.views import mask
from tests.emulator.helpers import create
from tests.harness.emulator import Emulator, basic_registry, ecr_registry


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("", ""),
        ("short", "******"),
        ("elevenchars", "******"),
        ("twelve-chars", "twe***ars"),
        ("a-much-longer-secret-value", "a-m***lue"),
    ],
)
def test_mask(secret: str, shown: str) -> None:
    assert mask(secret) == shown


def _get_everything(client: httpx.Client, kind: str, uid: str) -> str:
    paths = [
        f"/v1/registries/oci/{uid}/{kind}",
        f"/v1/registries/oci/{uid}",
        "/v1/registries/oci/summary",
        "/v1/registries/metadata",
        f"/v1/registries/oci/{uid}/{kind}/sync/status",
    ]
    return "".join(client.get(path).text for path in paths)


def test_basic_secrets_are_masked(palette: httpx.Client, clean_emulator: Emulator) -> None:
    body = basic_registry("masked", "oci.example.com", username="robot", password="basic-password-123")
    body["spec"]["auth"]["tls"].update(certificate="CERT", key="tls-private-key-material")
    uid = create(palette, "basic", body)
    auth = palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["auth"]
    assert auth["password"] == "bas***123"
    assert auth["tls"]["key"] == "tls***ial" and auth["tls"]["certificate"] == "CERT"
    everything = _get_everything(palette, "basic", uid)
    assert "basic-password-123" not in everything and "tls-private-key-material" not in everything
    stored = clean_emulator.registry(uid)
    assert stored is not None and stored["spec"]["auth"]["password"] == "basic-password-123"


def test_token_and_short_secrets(palette: httpx.Client) -> None:
    body = basic_registry("token", "oci.example.com")
    body["spec"]["auth"] = {"type": "token", "token": "tok"}
    uid = create(palette, "basic", body)
    auth = palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["auth"]
    assert auth["token"] == "******"
    assert auth["tls"] == {"enabled": False, "insecureSkipVerify": False}  # always a TLS block


def test_empty_secret_stays_empty(palette: httpx.Client) -> None:
    body = basic_registry("empty", "oci.example.com")
    body["spec"]["auth"].update(username="anonymous", password="")
    uid = create(palette, "basic", body)
    assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["auth"]["password"] == ""


def test_ecr_secret_key_is_masked(palette: httpx.Client) -> None:
    uid = create(palette, "ecr", ecr_registry("ecr", access_key="AKIAEXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG"))
    credentials = palette.get(f"/v1/registries/oci/{uid}/ecr").json()["spec"]["credentials"]
    assert credentials["secretKey"] == "wJa***ENG" and credentials["accessKey"] == "AKIAEXAMPLE"
    assert "wJalrXUtnFEMI/K7MDENG" not in _get_everything(palette, "ecr", uid)
