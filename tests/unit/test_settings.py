"""Provider settings: configuration first, then PALETTE_*, then SPECTROCLOUD_*, then defaults."""

from __future__ import annotations

import pytest

from provider.settings import DEFAULT_HOST, resolve


def test_defaults_with_only_a_key():
    settings, problems = resolve({}, {"PALETTE_API_KEY": "k"})
    assert problems == [] and settings is not None
    assert (settings.host, settings.insecure, settings.request_timeout, settings.max_retries) == (
        DEFAULT_HOST,
        False,
        30.0,
        5,
    )
    assert settings.preflight == "apply"


def test_configuration_beats_palette_env_beats_spectrocloud_env():
    env = {"PALETTE_HOST": "p.example.com", "SPECTROCLOUD_HOST": "s.example.com", "SPECTROCLOUD_APIKEY": "sk"}
    settings, _ = resolve({}, env)
    assert settings is not None and settings.host == "p.example.com" and settings.api_key == "sk"
    settings, _ = resolve({"host": "c.example.com"}, env)
    assert settings is not None and settings.host == "c.example.com"


def test_missing_key_names_the_attribute_and_the_variable():
    settings, problems = resolve({}, {})
    assert settings is None
    assert problems[0].attribute == "api_key"
    assert "PALETTE_API_KEY" in problems[0].detail and "api_key" in problems[0].detail


@pytest.mark.parametrize(
    ("config", "attribute"),
    [
        ({"insecure": "maybe"}, "insecure"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"preflight": "sometimes"}, "preflight"),
        ({"ca_certificate": "not a pem"}, "ca_certificate"),
    ],
)
def test_bad_values_are_named(config, attribute):
    settings, problems = resolve({"api_key": "k", **config}, {})
    assert settings is None and [p.attribute for p in problems] == [attribute]


def test_env_strings_are_parsed():
    env = {
        "PALETTE_API_KEY": "k",
        "PALETTE_INSECURE": "true",
        "PALETTE_MAX_RETRIES": "2",
        "PALETTE_OCI_PREFLIGHT": "off",
    }
    settings, problems = resolve({}, env)
    assert problems == [] and settings is not None
    assert (settings.insecure, settings.max_retries, settings.preflight) == (True, 2, "off")


def test_the_key_is_not_in_the_repr():
    settings, _ = resolve({"api_key": "CANARY-KEY"}, {})
    assert "CANARY-KEY" not in repr(settings)
