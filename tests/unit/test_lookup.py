"""Finding a registry by name: what a "not found" suggests."""

from __future__ import annotations

from provider.registries.lookup import case_hint


def test_a_name_that_differs_only_in_case_is_named() -> None:
    """Issue 24: `Registry not found: "Platform-Charts"` while "platform-charts" exists."""
    assert case_hint("Platform-Charts", ["platform-charts", "charts", ""]) == (
        ' Names are case-sensitive: "platform-charts" differs only in case.'
    )
    assert case_hint("ß-charts", ["SS-CHARTS", "ss-charts"]) == (
        ' Names are case-sensitive: "SS-CHARTS" and "ss-charts" differ only in case.'
    )
    assert case_hint("charts", ["charts", "other"]) == ""  # the same name is not a suggestion
    assert case_hint("nope", []) == ""
