"""The provider's one Palette client: built on first use, its configuration error kept until the
provider is configured again, closed when replaced and when the plugin stops (issue 13)."""

from __future__ import annotations

import pytest
from tf.utils import Diagnostics

from provider.plugin import OciProvider

GOOD = {"host": "http://127.0.0.1:9", "api_key": "key", "preflight": "off"}
BAD_KEY = {**GOOD, "api_key": "two words"}  # resolves as a setting; the client refuses it as a header


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> OciProvider:
    for name in ("PALETTE_HOST", "PALETTE_API_KEY", "SPECTROCLOUD_HOST", "SPECTROCLOUD_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    return OciProvider()


def configured(provider: OciProvider, config: dict[str, object]) -> OciProvider:
    diags = Diagnostics()
    provider.configure_provider(diags, config)
    assert not diags.has_errors(), diags
    return provider


def test_a_configuration_error_is_reported_to_every_caller_until_configured_again(provider: OciProvider) -> None:
    configured(provider, BAD_KEY)
    for _ in range(2):
        diags = Diagnostics()
        assert provider.palette(diags) is None
        assert diags.has_errors() and "spaces" in str(diags)
    configured(provider, GOOD)
    diags = Diagnostics()
    client = provider.palette(diags)
    assert client is not None and not diags.diagnostics
    provider.close()


def test_the_client_is_closed_when_replaced_and_at_close(provider: OciProvider) -> None:
    first = configured(provider, GOOD).palette(Diagnostics())
    assert first is not None and provider.palette(Diagnostics()) is first  # one client per process
    second = configured(provider, {**GOOD, "host": "http://127.0.0.1:10"}).palette(Diagnostics())
    assert second is not None and second is not first
    assert first._http.is_closed and not second._http.is_closed
    provider.close()
    assert second._http.is_closed
    provider.close()  # twice is harmless
