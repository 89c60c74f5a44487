"""Which proxy a request goes through (provider/proxies.py, issue 21 item 10): loopback never, NO_PROXY as
curl and Go read it, the scheme's variable (lower case first), then ALL_PROXY; messages without credentials."""

from __future__ import annotations

import pytest

from provider.proxies import Route, route

PROXY = "http://user:Pa55@proxy.corp:3128"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:80", "https://api.localhost", "http://[::1]:80"],
)
def test_loopback_never_goes_through_a_proxy(url: str) -> None:
    assert route(url, {"HTTP_PROXY": PROXY, "HTTPS_PROXY": PROXY, "ALL_PROXY": PROXY}) is None


@pytest.mark.parametrize(
    ("no_proxy", "url", "direct"),
    [
        ("*", "https://palette.example", True),
        ("palette.example", "https://palette.example", True),
        ("palette.example", "https://api.palette.example", True),
        (".palette.example", "https://api.palette.example", True),
        ("*.palette.example", "https://api.palette.example", True),
        ("palette.example", "https://notpalette.example", False),
        ("palette.example:8443", "https://palette.example", False),
        ("palette.example:443", "https://palette.example", True),
        ("10.0.0.0/8", "https://10.1.2.3", True),
        ("10.0.0.0/8", "https://11.1.2.3", False),
        ("2001:db8::/32", "https://[2001:db8::5]", True),
        (" other.example , PALETTE.example ", "https://palette.example", True),
        ("", "https://palette.example", False),
    ],
)
def test_no_proxy(no_proxy: str, url: str, direct: bool) -> None:
    assert (route(url, {"HTTPS_PROXY": PROXY, "NO_PROXY": no_proxy}) is None) is direct


def test_the_schemes_variable_lower_case_first_then_all_proxy() -> None:
    assert route("https://p.example", {"https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2"}) == Route(
        "https_proxy", "http://a:1"
    )
    assert route("http://p.example", {"HTTPS_PROXY": "http://b:2"}) is None
    assert route("http://p.example", {"ALL_PROXY": "b:2"}) == Route("ALL_PROXY", "http://b:2")
    assert route("https://p.example", {"no_proxy": "p.example", "HTTPS_PROXY": "http://b:2"}) is None


def test_messages_name_the_proxy_without_credentials() -> None:
    proxy = route("https://palette.example", {"HTTPS_PROXY": PROXY})
    assert proxy is not None and proxy.url == PROXY
    assert proxy.words() == "through the proxy http://proxy.corp:3128 (from HTTPS_PROXY)"
    assert "Pa55" not in proxy.words()
