"""The admin API checks its bodies: 400 naming the field, `{"spec": ...}` unwrapped (never stored
nested), and the seed examples of docs/guides/emulator.md (basic, ECR with isPrivate) work as written.
The family's old name `kind` still works for one version, with a Warning header."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.harness.emulator import Emulator

HELM = {
    "metadata": {"name": "ui-charts"},
    "spec": {
        "endpoint": "https://harbor.example.com",
        "providerType": "helm",
        "auth": {"type": "basic", "username": "robot", "password": "secret-password"},
    },
}
# The emulator guide's ECR seed: Palette's v1EcrRegistrySpec requires isPrivate.
ECR = {
    "metadata": {"name": "ui-packs-ecr"},
    "spec": {
        "endpoint": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "providerType": "pack",
        "baseContentPath": "spectro-packs",
        "isPrivate": True,
        "isSyncSupported": True,
        "credentials": {"credentialType": "secret", "accessKey": "AKIAEXAMPLE", "secretKey": "secret-key"},
    },
}


def admin(emulator: Emulator, method: str, path: str, body: Any) -> httpx.Response:
    return httpx.request(method, f"{emulator.url}/emulator{path}", json=body, timeout=10)


def stored(emulator: Emulator, uid: str) -> dict[str, Any]:
    return next(item for item in emulator.registries() if item["uid"] == uid)


def test_the_readme_seeds_work(clean_emulator: Emulator) -> None:
    assert admin(clean_emulator, "POST", "/registries", {"family": "basic", "registry": HELM}).status_code == 201
    answer = admin(clean_emulator, "POST", "/registries", {"family": "ecr", "registry": ECR})
    assert answer.status_code == 201, answer.text


def test_an_ecr_seed_without_is_private_names_it(clean_emulator: Emulator) -> None:
    spec = {k: v for k, v in ECR["spec"].items() if k != "isPrivate"}
    answer = admin(clean_emulator, "POST", "/registries", {"family": "ecr", "registry": {**ECR, "spec": spec}})
    assert answer.status_code == 400 and "spec.isPrivate: is required" in answer.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"family": "oci", "registry": HELM}, "family"),
        ({"kind": "oci", "registry": HELM}, "family"),
        ({"family": "basic", "kind": "ecr", "registry": HELM}, "family: given twice"),
        ({"family": "basic", "registry": "ui-charts"}, "registry"),
        ({"family": "basic", "registry": HELM, "legacy": "yes"}, "legacy"),
        ({"family": "basic", "registry": HELM, "scope": "galaxy"}, "scope"),
        ({"family": "basic", "registry": HELM, "name": "x"}, "unknown field(s): name"),
        ({"family": "basic", "registry": {**HELM, "spec": {**HELM["spec"], "endpoint": 1}}}, "spec.endpoint"),
    ],
    ids=["family", "old-kind", "family-and-kind", "registry", "legacy", "scope", "unknown", "spec-field"],
)
def test_a_bad_seed_is_a_400_naming_the_field(clean_emulator: Emulator, body: dict[str, Any], field: str) -> None:
    answer = admin(clean_emulator, "POST", "/registries", body)
    assert answer.status_code == 400 and field in answer.json()["message"], answer.text
    assert clean_emulator.registries() == []


def test_the_old_name_kind_still_seeds_for_one_version_with_a_warning(clean_emulator: Emulator) -> None:
    current = admin(clean_emulator, "POST", "/registries", {"family": "basic", "registry": HELM})
    old = admin(clean_emulator, "POST", "/registries", {"kind": "ecr", "registry": ECR})
    assert current.status_code == old.status_code == 201 and "Warning" not in current.headers
    assert old.headers["Warning"].startswith('299 palette-emulator "') and '"family"' in old.headers["Warning"]
    assert stored(clean_emulator, old.json()["uid"])["family"] == "ecr"
    assert stored(clean_emulator, current.json()["uid"])["family"] == "basic"


def test_a_family_change_at_the_old_path_or_with_kind_warns_and_moves_it(clean_emulator: Emulator) -> None:
    uid = clean_emulator.seed("basic", HELM)
    moved = admin(clean_emulator, "PUT", f"/registries/{uid}/family", {"family": "ecr", "spec": ECR["spec"]})
    assert moved.status_code == 200 and moved.json()["family"] == "ecr" and "Warning" not in moved.headers
    for path, body in [("kind", {"kind": "basic"}), ("family", {"kind": "basic"}), ("kind", {"family": "basic"})]:
        back = admin(clean_emulator, "PUT", f"/registries/{uid}/{path}", {**body, "spec": HELM["spec"]})
        assert back.status_code == 200 and back.json()["family"] == "basic", (path, body, back.text)
        assert '"family"' in back.headers["Warning"], (path, body)
        admin(clean_emulator, "PUT", f"/registries/{uid}/family", {"family": "ecr", "spec": ECR["spec"]})


def test_patch_takes_the_spec_wrapped_or_not_and_never_stores_it_nested(clean_emulator: Emulator) -> None:
    uid = clean_emulator.seed("basic", HELM)
    wrapped = admin(clean_emulator, "PATCH", f"/registries/{uid}", {"spec": {"endpoint": "https://one.example.com"}})
    assert wrapped.status_code == 200
    assert stored(clean_emulator, uid)["spec"]["endpoint"] == "https://one.example.com"
    assert "spec" not in stored(clean_emulator, uid)["spec"]
    bare = admin(clean_emulator, "PATCH", f"/registries/{uid}", {"endpoint": "https://two.example.com"})
    assert bare.status_code == 200 and stored(clean_emulator, uid)["spec"]["endpoint"] == "https://two.example.com"
    with clean_emulator.client() as palette:  # what the Palette API then serves
        assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["endpoint"] == "https://two.example.com"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": 5}, "spec.endpoint: must be string"),
        ({"nonsense": 1}, "spec.nonsense: unknown field"),
        ({"spec": {"endpoint": "https://x.example.com"}, "metadata": {}}, "spec: give either"),
        ({"metadata": {"name": "renamed"}}, "metadata: cannot be patched"),
        ({"spec": "https://x.example.com"}, "spec: give either"),
        (["endpoint"], "body must be a (partial) spec object"),
        ({"auth": {"type": 3}}, "spec.auth.type"),
    ],
    ids=["type", "unknown", "spec-and-more", "metadata", "spec-not-object", "not-object", "nested-type"],
)
def test_a_bad_patch_is_a_400_naming_the_field_and_changes_nothing(
    clean_emulator: Emulator, body: Any, field: str
) -> None:
    uid = clean_emulator.seed("basic", HELM)
    before = stored(clean_emulator, uid)
    answer = admin(clean_emulator, "PATCH", f"/registries/{uid}", body)
    assert answer.status_code == 400 and field in answer.json()["message"], answer.text
    assert stored(clean_emulator, uid) == before


def test_the_clock_that_stamps_records_can_run_behind_the_date_header(clean_emulator: Emulator) -> None:
    answer = admin(clean_emulator, "PUT", "/clock", {"behind": 3600})
    assert answer.status_code == 200 and answer.json() == {"behind": 3600.0}
    uid = clean_emulator.seed("basic", HELM)
    date = email.utils.parsedate_to_datetime(httpx.get(f"{clean_emulator.url}/emulator/health").headers["Date"])
    created = datetime.fromisoformat(stored(clean_emulator, uid)["creationTimestamp"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < date - created < timedelta(minutes=61)
    for bad in ({"behind": "1h"}, {"behind": True}, {"behind": 1e9}, {}):
        assert admin(clean_emulator, "PUT", "/clock", bad).status_code == 400, bad
    clean_emulator.reset()  # sets the clock right
    uid = clean_emulator.seed("basic", HELM)
    created = datetime.fromisoformat(stored(clean_emulator, uid)["creationTimestamp"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
