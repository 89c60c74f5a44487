"""The probe's pure parts: one report row per FIDELITY.md row, and shapes that never carry values."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from provider.palette.models import OciRegistries
from provider.probe import report, shapes
from provider.probe.shapes import Observations

FIDELITY = Path(__file__).parents[2] / "palette_emulator" / "FIDELITY.md"


def fidelity_rows() -> list[int]:
    return [int(m) for m in re.findall(r"^\| (\d+) \|", FIDELITY.read_text(), flags=re.MULTILINE)]


def test_the_report_has_one_row_per_fidelity_row() -> None:
    """A new FIDELITY.md row fails this until the probe judges it (report.ROWS)."""
    assert [row.number for row in report.ROWS] == fidelity_rows()


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("abc***def", "partial"),
        ("******", "stars"),
        ("", "empty"),
        ("hunter2-in-clear", "clear"),
        ("sk-***", "partial"),
    ],
)
def test_mask_forms(value: str, form: str) -> None:
    assert shapes.mask_form(value) == form


@pytest.mark.parametrize(
    ("value", "shown"),
    [("InProgress", "InProgress"), ("", '""'), (None, "absent"), ("https://user:pw@host/x", "<other>"), (3, "<other>")],
)
def test_words_keep_only_vocabulary(value: object, shown: str) -> None:
    assert shapes.word(value) == shown


def test_paths_lose_their_uid() -> None:
    assert (
        shapes.path_template("/v1/registries/oci/0a1b2c/basic/sync?forceSync=true")
        == "/v1/registries/oci/{uid}/basic/sync"
    )
    assert shapes.path_template("/v1/registries/oci/basic/validate") == "/v1/registries/oci/basic/validate"


def test_unknown_fields_are_found_by_path_and_annotations_are_not_entered() -> None:
    document = {
        "items": [
            {"metadata": {"name": "n", "annotations": {"anything": "x"}}, "spec": {"futureField": 1}, "extra": []}
        ]
    }
    assert shapes.unknown_fields(document, OciRegistries) == ["items.extra", "items.spec.futureField"]


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("", "empty"),
        ("charts", "one path"),
        ("a,b", "several paths, comma-separated"),
        ("a\nb", "several paths, newline-separated"),
    ],
)
def test_base_content_path_encodings(value: str, form: str) -> None:
    assert shapes.path_list_form(value) == form


def test_a_shape_without_a_variant_is_listed_as_unmatched() -> None:
    obs = Observations()
    obs.note(shapes.SCOPE, "project")
    built = report.build(obs, "0", wrote=False)
    assert 6 in built.unmatched and built.variants == []
    assert "row(s) 6" in built.text()


def test_without_the_emulator_the_report_names_the_variants_its_rows_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # The release package leaves palette_emulator out: the probe there must still report (it stopped
    # with "an unexpected ModuleNotFoundError").
    obs = Observations()
    obs.note(shapes.SCOPE, "absent")
    with_emulator = report.build(obs, "0", wrote=False)
    monkeypatch.setitem(sys.modules, "palette_emulator.variants", None)  # what `import` then finds: none
    without = report.build(obs, "0", wrote=False)
    assert without.variants == with_emulator.variants == ["scope-empty"]
    assert 6 not in without.unmatched and "--variant scope-empty" in without.text()


def test_a_registry_answer_yields_shapes_only() -> None:
    obs = Observations()
    document = {
        "metadata": {"name": "canary-name"},
        "spec": {
            "endpoint": "canary-endpoint.example",
            "providerType": "helm",
            "baseContentPath": "a,b",
            "auth": {
                "type": "basic",
                "username": "u",
                "password": "abc***xyz",
                "tls": {"ca": "-----BEGIN CERTIFICATE-----", "certificate": "-----BEGIN CERTIFICATE-----"},
            },
        },
        "status": {"syncStatus": {"status": "Syncing"}},
    }
    shapes.registry(obs, "basic", document)
    seen = obs.to_json()
    assert seen[shapes.CA_FIELD] == {"tls.ca": 1, "tls.certificate without a key": 1}
    assert seen[shapes.SYNC_FLAG] == {"neither": 1} and seen[shapes.SYNC_WORDS] == {"Syncing": 1}
    assert seen[shapes.BASE_CONTENT_PATH] == {"several paths, comma-separated": 1}
    assert seen[shapes.MASK] == {"partial": 1} and seen[shapes.SCOPE] == {"absent": 1}
    assert "canary" not in str(seen) and "xyz" not in str(seen)
