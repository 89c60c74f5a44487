"""Fault injection, the request log, counters and reset (the /emulator/ admin API)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.emulator.helpers import create, error_of
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.processes import free_port

BODY = basic_registry("faulty", "oci.example.com")


def _names(emu: Emulator) -> list[str]:
    return [item["name"] for item in emu.registries()]


def test_status_fault_with_retry_after(palette: httpx.Client, clean_emulator: Emulator) -> None:
    rules = clean_emulator.set_faults(
        [{"method": "POST", "path": r"/registries/oci/basic$", "kind": "status", "status": 429, "retry_after": 1}]
    )
    assert rules[0]["id"] and rules[0]["kind"] == "status"
    answer = palette.post("/v1/registries/oci/basic", json=BODY)
    assert error_of(answer, 429)["code"] == "TooManyRequests"
    assert answer.headers["Retry-After"] == "1"
    assert _names(clean_emulator) == []  # not performed
    assert palette.get("/v1/registries/oci/summary").status_code == 200  # other requests unaffected
    assert clean_emulator.requests()[0]["fault"] == "status"


def test_latency_fault(palette: httpx.Client, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"path": "/summary", "kind": "latency", "latency": 0.4}])
    started = time.monotonic()
    assert palette.get("/v1/registries/oci/summary").status_code == 200
    assert time.monotonic() - started >= 0.4
    assert clean_emulator.requests()[-1]["duration_ms"] >= 400


def test_drop_fault_is_a_transport_error(palette: httpx.Client, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"method": "POST", "path": "/oci/basic$", "kind": "drop", "times": 1}])
    with pytest.raises(httpx.TransportError):
        palette.post("/v1/registries/oci/basic", json=BODY)
    assert _names(clean_emulator) == []
    record = clean_emulator.requests()[-1]
    assert record["status"] is None and record["fault"] == "drop"
    create(palette, "basic", BODY)  # `times` exhausted: the next one goes through, on a new connection


def test_commit_then_fail_with_status_stores_the_write(palette: httpx.Client, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"method": "POST", "path": "/oci/basic$", "kind": "commit_then_fail", "status": 503}])
    assert error_of(palette.post("/v1/registries/oci/basic", json=BODY), 503)["code"] == "ServiceUnavailable"
    assert _names(clean_emulator) == ["faulty"]
    assert clean_emulator.requests()[-1] | {"duration_ms": 0} == {
        "method": "POST",
        "path": "/v1/registries/oci/basic",
        "query": "",
        "route": "/v1/registries/oci/basic",
        "status": 503,
        "duration_ms": 0,
        "fault": "commit_then_fail",
        "project_uid": None,
    }


def test_commit_then_fail_with_drop_stores_the_write(palette: httpx.Client, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"method": "POST", "path": "/oci/basic$", "kind": "commit_then_fail"}])
    with pytest.raises(httpx.TransportError):
        palette.post("/v1/registries/oci/basic", json=BODY)
    assert _names(clean_emulator) == ["faulty"]
    assert clean_emulator.requests()[-1]["status"] is None


def test_commit_late_stores_the_write_after_the_client_gave_up(clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"method": "POST", "path": "/oci/basic$", "kind": "commit_late", "latency": 0.6}])
    headers = {"ApiKey": clean_emulator.api_key}
    impatient = httpx.Client(base_url=clean_emulator.url, headers=headers, timeout=0.2)
    with impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post("/v1/registries/oci/basic", json=BODY)
    assert _names(clean_emulator) == []  # not yet
    deadline = time.monotonic() + 5
    while not _names(clean_emulator) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _names(clean_emulator) == ["faulty"]
    record = clean_emulator.requests()[-1]
    assert record["fault"] == "commit_late" and record["status"] == 201 and record["duration_ms"] >= 600


def test_latency_past_the_clients_timeout_stores_nothing(clean_emulator: Emulator) -> None:
    """The difference from commit_late: a delayed request is done only if the client still waits."""
    clean_emulator.set_faults([{"method": "POST", "path": "/oci/basic$", "kind": "latency", "latency": 0.4}])
    headers = {"ApiKey": clean_emulator.api_key}
    impatient = httpx.Client(base_url=clean_emulator.url, headers=headers, timeout=0.1)
    with impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post("/v1/registries/oci/basic", json=BODY)
    time.sleep(0.8)
    assert _names(clean_emulator) == []


def test_commit_then_fail_on_delete(palette: httpx.Client, clean_emulator: Emulator) -> None:
    uid = create(palette, "basic", BODY)
    clean_emulator.set_faults([{"method": "DELETE", "path": "/basic$", "kind": "commit_then_fail", "status": 500}])
    assert error_of(palette.delete(f"/v1/registries/oci/{uid}/basic"), 500)
    assert _names(clean_emulator) == []


def _outcomes(client: httpx.Client, count: int) -> list[int]:
    return [client.get("/v1/registries/oci/summary").status_code for _ in range(count)]


def test_rate_is_reproducible_with_a_seed(palette: httpx.Client, clean_emulator: Emulator) -> None:
    rule = {"path": "/summary", "kind": "status", "status": 502, "rate": 0.5, "seed": 42}
    clean_emulator.set_faults([rule])
    first = _outcomes(palette, 30)
    clean_emulator.set_faults([rule])
    assert _outcomes(palette, 30) == first
    assert 0 < first.count(502) < 30 and set(first) == {200, 502}


def test_times_and_method_limit_a_rule(palette: httpx.Client, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults(
        [
            {"method": "GET", "path": "/summary", "kind": "status", "status": 500, "times": 2},
            {"method": "PUT", "path": ".*", "kind": "status", "status": 500},
        ]
    )
    assert _outcomes(palette, 4) == [500, 500, 200, 200]
    assert [rule["fired"] for rule in clean_emulator.faults()] == [2, 0]
    clean_emulator.clear_faults()
    assert clean_emulator.faults() == []


def test_admin_api_is_never_faulted_or_logged(clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"path": ".*", "kind": "status", "status": 500}])
    assert clean_emulator.health()
    assert clean_emulator.requests() == [] and clean_emulator.counters()["total"] == 0


@pytest.mark.parametrize(
    "rule",
    [
        {"path": "x", "kind": "explode"},
        {"kind": "status", "status": 500},
        {"path": "(", "kind": "drop"},
        {"path": "x", "kind": "status"},
        {"path": "x", "kind": "drop", "rate": 2},
        {"path": "x", "kind": "drop", "oops": 1},
    ],
)
def test_malformed_rules_are_refused(clean_emulator: Emulator, rule: dict[str, object]) -> None:
    answer = httpx.post(f"{clean_emulator.url}/emulator/faults", json={"rules": [rule]})
    assert answer.status_code == 400 and answer.json()["code"] == "InvalidRequest"
    assert clean_emulator.faults() == []


def test_request_log_and_counters(clean_emulator: Emulator, palette: httpx.Client) -> None:
    project = "0123456789abcdef01234567"
    clean_emulator.reset()
    uid = create(palette, "basic", BODY)
    palette.get(f"/v1/registries/oci/{uid}/basic")
    palette.put(f"/v1/registries/oci/{uid}/basic", json=BODY)
    unreachable = basic_registry("x", f"http://127.0.0.1:{free_port()}")["spec"]
    palette.post("/v1/registries/oci/basic/validate", json=unreachable)
    with clean_emulator.client(headers={"ProjectUid": project}) as project_client:
        project_client.get("/v1/registries/oci/summary")
    clean_emulator.registries()  # admin calls are not logged

    log = clean_emulator.requests()
    assert [(r["method"], r["route"], r["status"]) for r in log] == [
        ("POST", "/v1/registries/oci/basic", 201),
        ("GET", "/v1/registries/oci/{uid}/basic", 200),
        ("PUT", "/v1/registries/oci/{uid}/basic", 204),
        ("POST", "/v1/registries/oci/basic/validate", 400),
        ("GET", "/v1/registries/oci/summary", 200),
    ]
    assert log[1]["path"] == f"/v1/registries/oci/{uid}/basic"
    assert log[-1]["project_uid"] == project and log[0]["project_uid"] is None
    assert all(r["fault"] is None and r["duration_ms"] >= 0 for r in log)
    counters = clean_emulator.counters()
    assert counters["total"] == 5 and counters["writes"] == 2  # validate is not a write
    assert counters["by_route"]["GET /v1/registries/oci/{uid}/basic"] == 1
    assert counters["by_route"]["POST /v1/registries/oci/basic"] == 1


def test_reset_clears_state(clean_emulator: Emulator, palette: httpx.Client) -> None:
    create(palette, "basic", {**BODY, "spec": {**BODY["spec"], "futureField": 1}})
    assert clean_emulator.unknown_fields() == ["POST /v1/registries/oci/basic: spec.futureField"]
    clean_emulator.add_faults([{"path": "/nothing-matches", "kind": "drop"}])
    clean_emulator.reset()
    assert clean_emulator.registries() == [] and clean_emulator.faults() == []
    assert clean_emulator.requests() == [] and clean_emulator.counters() == {"total": 0, "writes": 0, "by_route": {}}
    assert clean_emulator.unknown_fields() == []
    create(palette, "basic", BODY)  # the name is free again


def test_seed_patch_and_delete_out_of_band(clean_emulator: Emulator, palette: httpx.Client) -> None:
    uid = clean_emulator.seed("basic", BODY, scope="system")
    assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["scope"] == "system"

    tenant_uid = clean_emulator.seed("basic", BODY)
    patched = clean_emulator.patch(tenant_uid, {"endpoint": "drifted.example.com", "auth": {"username": "x"}})
    assert patched["spec"]["endpoint"] == "drifted.example.com" and patched["spec"]["auth"]["type"] == "noAuth"
    assert palette.get(f"/v1/registries/oci/{tenant_uid}/basic").json()["spec"]["endpoint"] == "drifted.example.com"
    clean_emulator.delete_out_of_band(tenant_uid)
    assert error_of(palette.get(f"/v1/registries/oci/{tenant_uid}/basic"), 404)["code"] == "ResourceNotFound"

    dumped = clean_emulator.registries()
    assert [(item["uid"], item["scope"], item["kind"]) for item in dumped] == [(uid, "system", "basic")]


def test_seed_rejects_bad_input(clean_emulator: Emulator) -> None:
    for body in [
        {"kind": "helm", "registry": BODY},
        {"kind": "basic", "registry": BODY, "scope": "project"},
        {"kind": "basic", "registry": {"metadata": {"name": "x"}}},
        {"kind": "basic", "registry": basic_registry("z", "o.example.com", provider_type="zarf"), "legacy": True},
    ]:
        answer = httpx.post(f"{clean_emulator.url}/emulator/registries", json=body)
        assert answer.status_code == 400, body


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (404, "<html><body>404 Not Found</body></html>", "text/html"),
        (201, '{"uid": ""}', "application/json"),
        (200, "", None),
    ],
)
def test_a_fault_can_answer_any_body(
    clean_emulator: Emulator, status: int, body: str, content_type: str | None
) -> None:
    """What a proxy in front of Palette may answer: an HTML page, an empty body, a uid that is empty."""
    rule: dict[str, object] = {
        "method": "POST",
        "path": "/oci/basic$",
        "kind": "commit_then_fail",
        "status": status,
        "body": body,
        "retry_after": "NaN",
    }
    if content_type:
        rule["content_type"] = content_type
    clean_emulator.set_faults([rule])
    with clean_emulator.client(check_swagger=False) as raw:
        answer = raw.post("/v1/registries/oci/basic", json=BODY)
    assert (answer.status_code, answer.text, answer.headers["Retry-After"]) == (status, body, "NaN")
    assert _names(clean_emulator) == ["faulty"]  # stored all the same


def test_admin_changes_family_and_ends_a_sync(palette: httpx.Client, clean_emulator: Emulator) -> None:
    uid = create(palette, "basic", basic_registry("moving", "oci.example.com", base_content_path="charts", sync=True))
    clean_emulator.end_sync(uid, "Failed", "synchronization failed: boom")
    status = palette.get(f"/v1/registries/oci/{uid}/basic/sync/status").json()
    assert (status["status"], status["message"]) == ("Failed", "synchronization failed: boom")

    sts = {"credentialType": "sts", "sts": {"arn": "arn:aws:iam::123456789012:role/x"}}
    ecr_spec = {
        "endpoint": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "isPrivate": True,
        "providerType": "helm",
        "credentials": sts,
    }
    assert clean_emulator.change_family(uid, "ecr", ecr_spec)["kind"] == "ecr"
    assert error_of(palette.get(f"/v1/registries/oci/{uid}/basic"), 404)["code"] == "ResourceNotFound"
    assert palette.get(f"/v1/registries/oci/{uid}").json()["type"] == "ecr"
