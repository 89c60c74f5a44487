"""Diagnostics from Palette errors: the 409 hint names the resource type and the registry."""

from __future__ import annotations

from tf.utils import Diagnostics

from provider.diagnose import report
from provider.palette.errors import ConflictError


def test_a_name_taken_gives_an_import_command_with_the_type_and_the_name() -> None:
    diags = Diagnostics()
    exc = ConflictError("registry 'charts' already exists", status=409, method="POST", path="/v1/registries/oci/basic")
    report(diags, exc, 'create oci_registry_helm "charts"', resource_type="oci_registry_helm", name="charts")
    (diagnostic,) = diags.diagnostics
    assert diagnostic.summary == "A registry with this name already exists"
    assert 'terraform import oci_registry_helm.NAME "charts"' in diagnostic.detail
    assert "which Terraform does not tell providers" in diagnostic.detail
    assert "<resource address>" not in diagnostic.detail


def test_a_refused_key_met_after_a_not_found_names_the_key_and_keeps_the_registry() -> None:
    """A delete or an update answered "not found" before the key was proven, and the proof refused: the key
    is named (with both variables) and the registry is said to stay in the state."""
    from provider.palette.errors import KeyRejectedError

    diags = Diagnostics()
    exc = KeyRejectedError(
        "ApiKey '<redacted>' not found", status=404, code="ResourceNotFound", method="GET", path="/v1/x"
    )
    report(diags, exc, 'delete oci_registry_helm "charts"', resource_type="oci_registry_helm")
    (diagnostic,) = diags.diagnostics
    assert diagnostic.summary == "Palette rejected the API key"
    assert "api_key" in diagnostic.detail and "SPECTROCLOUD_APIKEY" in diagnostic.detail
    assert "stays in the state" in diagnostic.detail
