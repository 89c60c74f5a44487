"""The API key is proven before any "not found" is believed: a Palette may answer a key it does not know with
`ResourceNotFound` on every path (emulator variant `bad-key-not-found`), and a registry's not-found then means
"unknown key", not "gone". `prove_key` makes Spectro's SDK's call (`GET /v1/dashboard/projects/metadata`) once
per client, shared by parallel callers."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from provider.palette.client import KEY_PROOF_PATH
from provider.palette.errors import KeyRejectedError, NotFoundError, ServerError
from tests.harness.emulator import Emulator
from tests.palette.builders import basic
from tests.palette.conftest import PaletteFactory

PROOF = f"GET {KEY_PROOF_PATH}"
WRONG_KEY = "Wrong-Api-Key-echoed-by-palette-0427"


def proofs(emulator: Emulator) -> int:
    return int(emulator.counters()["by_route"].get(PROOF, 0))


def test_the_key_is_proven_once_for_parallel_callers(palette_factory: PaletteFactory, clean_emulator: Emulator) -> None:
    palette = palette_factory()
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: palette.prove_key(), range(40)))
    assert proofs(clean_emulator) == 1
    palette.prove_key()
    assert proofs(clean_emulator) == 1


def test_a_registry_gone_for_a_proven_key_is_not_found(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """The not-found is believed after one proof, whichever call meets it first (get, get_oci, delete)."""
    palette = palette_factory()
    uid = palette.create(basic("gone-soon"))
    palette.delete("basic", uid)
    with pytest.raises(NotFoundError):
        palette.get("basic", uid)
    with pytest.raises(NotFoundError):
        palette.get_oci(uid)
    with pytest.raises(NotFoundError):
        palette.delete("basic", uid)
    assert proofs(clean_emulator) == 1


def test_a_key_palette_answers_not_found_is_never_a_not_found(
    palette_factory: PaletteFactory, clean_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Palette answers the wrong key 404 ResourceNotFound, echoing it, on every path: each call that could
    conclude "gone" raises KeyRejectedError instead, without the key; the refusal is remembered."""
    caplog.set_level(logging.DEBUG)
    uid = palette_factory().create(basic("kept"))
    clean_emulator.set_variants(["bad-key-not-found"])
    wrong = palette_factory(api_key=WRONG_KEY)
    raised = []
    for call in (
        lambda: wrong.get("basic", uid),
        lambda: wrong.get_oci(uid),
        lambda: wrong.delete("basic", uid),
        wrong.list_oci,
        wrong.prove_key,
    ):
        with pytest.raises(KeyRejectedError) as caught:
            call()
        raised.append(caught.value)
    assert proofs(clean_emulator) == 1  # a refused key stays refused: one proof, whatever the callers
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]
    shown = " ".join([*(str(e) for e in raised), *(repr(e) for e in raised), caplog.text])
    assert WRONG_KEY not in shown
    assert KEY_PROOF_PATH in str(raised[0]) and "<redacted>" in str(raised[0])  # Palette's echo, key removed


@pytest.mark.parametrize("variant", ["bad-key-403", None])
def test_a_key_refused_with_401_or_403_is_rejected(
    variant: str | None, palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    clean_emulator.set_variants([variant] if variant else [])
    with pytest.raises(KeyRejectedError) as caught:
        palette_factory(api_key=WRONG_KEY).prove_key()
    assert caught.value.status == (403 if variant else 401) and WRONG_KEY not in str(caught.value)


def test_a_key_that_may_not_list_projects_is_proven_by_the_registry_list(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """A good key refused the projects call with 403 (a system administrator's key, a narrow custom role): the
    registry list proves it; a wrong key refused both (variant bad-key-403) is rejected."""
    clean_emulator.set_faults([{"method": "GET", "path": "projects/metadata$", "kind": "status", "status": 403}])
    palette_factory().prove_key()
    routes = clean_emulator.counters()["by_route"]
    assert (routes.get(PROOF), routes.get("GET /v1/registries/oci/summary")) == (1, 1)
    clean_emulator.clear_faults()
    clean_emulator.set_variants(["bad-key-403"])
    with pytest.raises(KeyRejectedError) as caught:
        palette_factory(api_key=WRONG_KEY).prove_key()
    assert caught.value.status == 403 and caught.value.path == "/v1/registries/oci/summary"


def test_a_proof_that_fails_for_another_reason_is_not_remembered(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """A 503 after every retry proves nothing either way: that call fails, and the next one proves the key."""
    palette = palette_factory(max_retries=0)
    clean_emulator.set_faults([{"method": "GET", "path": "projects/metadata$", "kind": "status", "status": 503}])
    with pytest.raises(ServerError):
        palette.prove_key()
    clean_emulator.clear_faults()
    palette.prove_key()
    assert proofs(clean_emulator) == 2
