"""Proxies (issue 21, item 10): with HTTP_PROXY/HTTPS_PROXY/ALL_PROXY set, a loopback Palette is still
reached directly, so its ApiKey never travels in clear to the proxy; a remote host goes through the proxy,
and a failure there names the proxy and the variable that chose it, never the proxy's credentials.
The proxy is `harness/proxy.py`, on 127.0.0.1, which records what reaches it and forwards nothing."""

from __future__ import annotations

import pytest

from provider.palette.client import PaletteClient
from provider.palette.errors import ConfigurationError, PaletteError
from tests.harness.emulator import Emulator
from tests.harness.proxy import RecordingProxy
from tests.palette.conftest import PaletteFactory

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_loopback_palette_never_goes_through_a_proxy(
    palette_factory: PaletteFactory, clean_emulator: Emulator, no_proxy_settings: pytest.MonkeyPatch
) -> None:
    assert clean_emulator.url.startswith("http://127.0.0.1:")
    with RecordingProxy() as proxy:
        for name in PROXY_VARIABLES:
            no_proxy_settings.setenv(name, proxy.url)
        palette = palette_factory()
        assert palette.list_oci() == []
        assert palette.proxy is None
    assert proxy.received == []  # before: "GET http://127.0.0.1:.../v1/registries/oci/summary ... ApiKey: ..."


@pytest.mark.parametrize("answer", [True, False], ids=["proxy-502", "proxy-drops"])
def test_a_failure_through_a_proxy_names_the_proxy_not_its_credentials(
    no_proxy_settings: pytest.MonkeyPatch, answer: bool
) -> None:
    with RecordingProxy(answer=answer) as proxy:
        no_proxy_settings.setenv("HTTPS_PROXY", f"http://proxyuser:Proxy-Pa55-do-not-leak@127.0.0.1:{proxy.port}")
        with (
            PaletteClient("palette.example", "Key-do-not-leak-1234", max_retries=0) as palette,
            pytest.raises(PaletteError) as caught,
        ):
            palette.list_oci()
    message = str(caught.value)
    assert f"through the proxy http://127.0.0.1:{proxy.port} (from HTTPS_PROXY)" in message, message
    assert "Proxy-Pa55" not in message and "proxyuser" not in message
    assert [line.split("\r\n")[0] for line in proxy.received] == ["CONNECT palette.example:443 HTTP/1.1"]
    assert "Key-do-not-leak" not in proxy.received[0]  # inside the tunnel, never in clear


def test_no_proxy_is_honoured(no_proxy_settings: pytest.MonkeyPatch) -> None:
    with RecordingProxy() as proxy:
        no_proxy_settings.setenv("HTTPS_PROXY", proxy.url)
        no_proxy_settings.setenv("NO_PROXY", "internal.example,.palette.example")
        with PaletteClient("api.palette.example", "Key-do-not-leak-1234", max_retries=0) as palette:
            assert palette.proxy is None
            with pytest.raises(PaletteError) as caught:
                palette.list_oci()  # direct: the name does not resolve here
    assert proxy.received == []
    assert "proxy" not in str(caught.value)


def test_an_unusable_proxy_is_a_configuration_error(no_proxy_settings: pytest.MonkeyPatch) -> None:
    no_proxy_settings.setenv("https_proxy", "ftp://user:Proxy-Pa55-do-not-leak@proxy.example:21")
    with pytest.raises(ConfigurationError) as caught:
        PaletteClient("palette.example", "Key-do-not-leak-1234")
    assert "https_proxy" in str(caught.value) and "Proxy-Pa55" not in str(caught.value)
