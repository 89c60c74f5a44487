"""The data sources' plan-time check of `provider_type`: its words come from the one kind table."""

from __future__ import annotations

import pytest
from tf.utils import Diagnostics

from provider.datasources import RegistriesDataSource
from provider.words import KIND_NAMES


def test_an_unknown_provider_type_is_refused_naming_every_kind() -> None:
    diags = Diagnostics()

    RegistriesDataSource(provider=None).validate(diags, "oci_registries", {"provider_type": "docker"})

    (diagnostic,) = diags.diagnostics
    assert diagnostic.summary == "Unknown provider_type"
    assert diagnostic.detail == 'provider_type must be one of "helm", "zarf", "pack"; got "docker".'
    assert all(f'"{kind}"' in diagnostic.detail for kind in KIND_NAMES)


@pytest.mark.parametrize("wanted", [*KIND_NAMES, None])
def test_every_kind_and_no_filter_pass(wanted: str | None) -> None:
    diags = Diagnostics()

    RegistriesDataSource(provider=None).validate(diags, "oci_registries", {"provider_type": wanted})

    assert diags.diagnostics == []
