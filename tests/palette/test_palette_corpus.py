"""Every answer of tests/fixtures/palette/ (shaped as the SDK's models allow) decodes through the client,
over real HTTP on loopback, and flattens into Terraform values: no answer Palette may give is an error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from provider.palette.client import PaletteClient
from provider.registries import mapping
from provider.registries.lookup import locate, summary_row

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "palette"
UID = "65a0c0ffee0123456789abcd"


def fixtures(prefix: str) -> list[str]:
    return sorted(p.name for p in CORPUS.glob(f"{prefix}-*.json"))


class _Corpus(BaseHTTPRequestHandler):
    """Answers GET /<file name> with that file of the corpus, whatever the path's prefix."""

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        body = (CORPUS / name).read_bytes() if (CORPUS / name).is_file() else b'{"code": "ResourceNotFound"}'
        self.send_response(200 if (CORPUS / name).is_file() else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Corpus)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class CorpusClient(PaletteClient):
    """The real client, asking for a corpus file where it would ask for a registry."""

    def __init__(self, base_url: str, answer: str) -> None:
        super().__init__(base_url, "corpus-key", max_retries=0)
        self.answer = answer

    def _call(self, method, path, *, body=None, params=None):  # type: ignore[no-untyped-def]
        return super()._call(method, f"/v1/{self.answer}", body=body, params=params)


def test_the_corpus_is_there() -> None:
    assert len(fixtures("basic")) >= 5 and len(fixtures("ecr")) >= 5 and fixtures("summary") and fixtures("entity")


@pytest.mark.parametrize("name", fixtures("basic") + fixtures("ecr"))
def test_registry_answers_decode_and_flatten(served: str, name: str) -> None:
    family = "basic" if name.startswith("basic") else "ecr"
    with CorpusClient(served, name) as client:
        registry = client.get(family, UID)
    document = json.loads((CORPUS / name).read_text())
    for prior in (None, {"basic_auth": {"password": "configured"}, "ecr": {"secret_access_key": "configured"}}):
        values = mapping.flatten(registry, prior)
        assert values["auth_type"] in {"basic", "none", "token", "ecr"}
        assert values["auto_sync"] in (True, False)
        assert values["endpoint"] == document["spec"]["endpoint"]
        assert values["provider_type"] == (document["spec"].get("providerType") or "").lower()
        for secret in ("password", "secret_access_key"):
            shown = (values.get("basic_auth") or values.get("ecr") or {}).get(secret)
            assert shown is None or "*" not in shown  # a mask never reaches the state
        if prior and values["basic_auth"]:
            assert values["basic_auth"]["password"] == "configured"


@pytest.mark.parametrize("name", fixtures("summary"))
def test_summary_answers_decode_into_rows(served: str, name: str) -> None:
    with CorpusClient(served, name) as client:
        items = client.list_oci()
    rows = [summary_row(item) for item in items]
    assert len(rows) == len(json.loads((CORPUS / name).read_text())["items"])
    by_name = {row.name: row for row in rows}
    assert by_name["a"].auth == "ecr" and by_name["b"].auth == "none"
    assert (by_name["a"].family, by_name["b"].family) == ("ecr", "basic")  # rows carry the family
    assert by_name["b"].kind == "helm" and by_name["c"].scope == "system"
    assert by_name["e"].auth == "Harbor" and by_name["e"].family is None  # an unknown type, as Palette says
    assert by_name["e"].element()["auth_type"] == "Harbor"


class EntityCorpusClient(CorpusClient):
    """The corpus entity at `GET /v1/registries/oci/{uid}`; the family paths hold a basic registry: where the
    entity names no family (a shape the client does not know), the client asks them (`/ecr`, then `/basic`)."""

    def _call(self, method, path, *, body=None, params=None):  # type: ignore[no-untyped-def]
        family_answers = {"ecr": "no-such-file.json", "basic": "basic-minimal.json"}
        answer = family_answers.get(path.rsplit("/", 1)[-1], self.answer)
        return PaletteClient._call(self, method, f"/v1/{answer}", body=body, params=params)


@pytest.mark.parametrize("name", fixtures("entity"))
def test_entity_answers_locate_a_registry(served: str, name: str) -> None:
    with EntityCorpusClient(served, name) as client:
        found = locate(client, UID)
    assert found is not None and found.uid == UID
    assert found.family == ("ecr" if "ecr" in name else "basic")
